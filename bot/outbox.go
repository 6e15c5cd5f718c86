package bot

import (
	"encoding/json"
	"fmt"

	"github.com/redress-legal/redress/flows"
)

// The Bot API methods the outbox holds.
const (
	methodSend          = "sendMessage"
	methodEditText      = "editMessageText"
	methodEditMarkup    = "editMessageReplyMarkup"
	methodAnswer        = "answerCallbackQuery"
	methodDeleteMessage = "deleteMessages"
)

// payload is the JSON an outbox row carries: the parameters of one Bot API
// call, minus the chat, which the row holds. It is rendered text, never the
// user's answers.
type payload struct {
	Text       string          `json:"text,omitempty"`
	HTML       bool            `json:"html,omitempty"`
	MessageID  int             `json:"message_id,omitempty"`
	MessageIDs []int           `json:"message_ids,omitempty"`
	CallbackID string          `json:"callback_query_id,omitempty"`
	Alert      bool            `json:"alert,omitempty"`
	Keyboard   *inlineKeyboard `json:"keyboard,omitempty"`
	// Unlogged: do not record the sent message's ID (the confirmation after
	// /delete, so that nothing of the chat is kept).
	Unlogged bool `json:"unlogged,omitempty"`
}

// outbox collects the calls one update produces, in order.
type outbox struct {
	rows []flows.Outgoing
	err  error
}

func (o *outbox) add(method string, p payload) {
	data, err := json.Marshal(p)
	if err != nil {
		o.err = fmt.Errorf("encode %s payload: %w", method, err)
		return
	}
	o.rows = append(o.rows, flows.Outgoing{Method: method, Payload: data})
}

// send queues texts as messages; the keyboard goes on the last one.
func (o *outbox) send(texts []string, kb *inlineKeyboard) {
	for i, t := range texts {
		p := payload{Text: t, HTML: true}
		if i == len(texts)-1 {
			p.Keyboard = kb
		}
		o.add(methodSend, p)
	}
}

func (o *outbox) answer(callbackID, alert string) {
	if callbackID == "" {
		return
	}
	o.add(methodAnswer, payload{CallbackID: callbackID, Text: alert, Alert: alert != ""})
}

func (o *outbox) editText(messageID int, html string) {
	if messageID == 0 {
		return
	}
	o.add(methodEditText, payload{MessageID: messageID, Text: html, HTML: true, Keyboard: noKeyboard()})
}

func (o *outbox) editKeyboard(messageID int, kb *inlineKeyboard) {
	if messageID == 0 {
		return
	}
	if kb == nil {
		kb = noKeyboard()
	}
	o.add(methodEditMarkup, payload{MessageID: messageID, Keyboard: kb})
}

// deleteMessages queues deletions in batches of 100, Telegram's maximum.
func (o *outbox) deleteMessages(ids []int) {
	for len(ids) > 0 {
		n := min(len(ids), 100)
		o.add(methodDeleteMessage, payload{MessageIDs: ids[:n]})
		ids = ids[n:]
	}
}

// reply queues what the engine wants shown: the messages before the
// question packed into as few Telegram messages as fit, then the question
// as its own message carrying the keyboard. skipQuestion leaves the
// question out (its keyboard is being edited in place instead).
func (b *Bot) reply(o *outbox, lang string, r flows.Reply, skipQuestion bool) {
	msgs := r.Messages
	var question []flows.Message
	if n := len(msgs); n > 0 && msgs[n-1].Kind == flows.KindQuestion {
		question, msgs = msgs[n-1:], msgs[:n-1]
	}
	kb := b.keyboard(lang, r.Question)
	body := pack(b.paragraphs(lang, msgs), MaxMessageLen)
	if skipQuestion {
		o.send(body, nil)
		return
	}
	if len(question) == 0 {
		// No question message: the buttons, if any, go on the last message.
		o.send(body, kb)
		return
	}
	o.send(body, nil)
	o.send(pack(b.paragraphs(lang, question), MaxMessageLen), kb)
}

// unlogged marks the rows queued since row n as not to be logged as sent.
func (o *outbox) unlogged(n int) {
	for i := n; i < len(o.rows); i++ {
		var p payload
		if err := json.Unmarshal(o.rows[i].Payload, &p); err != nil {
			o.err = fmt.Errorf("decode payload: %w", err)
			return
		}
		p.Unlogged = true
		data, err := json.Marshal(p)
		if err != nil {
			o.err = fmt.Errorf("encode payload: %w", err)
			return
		}
		o.rows[i].Payload = data
	}
}

// notice queues one transport message in lang.
func (b *Bot) notice(o *outbox, lang, id string, params map[string]any, kb *inlineKeyboard) {
	o.send(pack([]para{{text: b.text(lang, id, params)}}, MaxMessageLen), kb)
}
