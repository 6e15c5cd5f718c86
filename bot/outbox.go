package bot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/redress-legal/redress/flows"
)

// The Bot API methods the outbox holds.
const (
	methodSend          = "sendMessage"
	methodEditText      = "editMessageText"
	methodEditMarkup    = "editMessageReplyMarkup"
	methodAnswer        = "answerCallbackQuery"
	methodDeleteMessage = "deleteMessages"
	methodSendDocument  = "sendDocument"
)

// payload describes one Bot API call of the outbox: its parameters, minus
// the chat, which the row holds. It is rendered text, never the user's
// answers. Rows are stored as a ready body (see row); payload JSON is the
// format of rows written before, which are still delivered.
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
	// Document is the file of a sendDocument, with Text as its caption.
	Document *document `json:"-"`
}

// document is a file sent with sendDocument: its name and content. In the
// row's body it is JSON (the content base64); the sender posts it as the
// multipart file Telegram wants.
type document struct {
	Name string `json:"name"`
	Data []byte `json:"data"`
}

// An outbox row's payload is the JSON body of its Bot API call without
// chat_id (the sender adds the row's chat), after two bytes: rowBody and a
// digit of flags (rowHTML, rowUnlogged). The sender sends it as it is,
// decoding nothing; only when Telegram refuses the HTML does it decode the
// body to send plain text instead.
const (
	rowBody     = 'B'
	rowHTML     = 1 // the text is HTML
	rowUnlogged = 2 // do not log the sent message's ID (see payload.Unlogged)
)

// outbox collects the calls one update produces, in order.
type outbox struct {
	rows []flows.Outgoing
	err  error
}

func (o *outbox) add(method string, p payload) {
	body, err := p.body(method, 0, false)
	if err != nil {
		o.err = fmt.Errorf("encode %s: %w", method, err)
		return
	}
	flags := byte(0)
	if p.HTML {
		flags |= rowHTML
	}
	if p.Unlogged {
		flags |= rowUnlogged
	}
	data := append([]byte{rowBody, '0' + flags}, body...)
	o.rows = append(o.rows, flows.Outgoing{Method: method, Payload: data})
}

// body encodes the Bot API body of a call of method; chat 0 leaves chat_id
// out. plain sends HTML text as plain text.
func (p payload) body(method string, chat int64, plain bool) ([]byte, error) {
	text, mode := p.Text, "HTML"
	if plain || !p.HTML {
		text, mode = plainFromHTML(p.Text), ""
	}
	var b callBody
	switch method {
	case methodSend:
		b = callBody{ChatID: chat, Text: text, ParseMode: mode, ReplyMarkup: p.Keyboard, LinkPreview: noPreview}
	case methodEditText:
		b = callBody{ChatID: chat, MessageID: p.MessageID, Text: text, ParseMode: mode, ReplyMarkup: p.Keyboard, LinkPreview: noPreview}
	case methodEditMarkup:
		b = callBody{ChatID: chat, MessageID: p.MessageID, ReplyMarkup: p.Keyboard}
	case methodAnswer:
		b = callBody{CallbackQueryID: p.CallbackID, Text: p.Text, ShowAlert: p.Alert}
	case methodDeleteMessage:
		b = callBody{ChatID: chat, MessageIDs: p.MessageIDs}
	case methodSendDocument:
		b = callBody{ChatID: chat, Caption: text, ParseMode: mode, Document: p.Document, ReplyMarkup: p.Keyboard}
	default:
		return nil, errUnknownMethod
	}
	return b.encode()
}

// encode returns the JSON of b, with <, > and & as they are (the texts are
// HTML: escaping them would only make the body longer).
func (b callBody) encode() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(b); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// callBody is the JSON body of an outbox call: each method sets its own
// fields, and the others are left out.
type callBody struct {
	ChatID          int64           `json:"chat_id,omitempty"`
	MessageID       int             `json:"message_id,omitempty"`
	MessageIDs      []int           `json:"message_ids,omitempty"`
	Text            string          `json:"text,omitempty"`
	ParseMode       string          `json:"parse_mode,omitempty"`
	ReplyMarkup     *inlineKeyboard `json:"reply_markup,omitempty"`
	LinkPreview     *linkPreview    `json:"link_preview_options,omitempty"`
	CallbackQueryID string          `json:"callback_query_id,omitempty"`
	ShowAlert       bool            `json:"show_alert,omitempty"`
	Caption         string          `json:"caption,omitempty"`
	Document        *document       `json:"document,omitempty"`
}

// linkPreview is Telegram's LinkPreviewOptions, as far as we set it.
type linkPreview struct {
	IsDisabled bool `json:"is_disabled"`
}

// noPreview: our messages cite sources by name, and a preview of a link a
// user typed into an answer must never be fetched.
var noPreview = &linkPreview{IsDisabled: true}

// errUnknownMethod: an outbox row of a method this version does not make.
var errUnknownMethod = errors.New("unknown outbox method")

// row is an outbox row read for sending.
type row struct {
	body          []byte // without chat_id
	html          bool
	unlogged      bool
	editedMessage int // the message an edit changes
}

// readRow reads the payload of an outbox row of method, in the body format
// or in the payload JSON of earlier versions.
func readRow(method string, data []byte) (row, error) {
	if len(data) >= 2 && data[0] == rowBody && data[1] >= '0' && data[1] <= '3' {
		r := row{body: data[2:], html: (data[1]-'0')&rowHTML != 0, unlogged: (data[1]-'0')&rowUnlogged != 0}
		if isEdit(method) {
			id, _ := peekInt(r.body, "message_id")
			r.editedMessage = int(id)
		}
		return r, nil
	}
	var p payload
	if err := json.Unmarshal(data, &p); err != nil {
		return row{}, err
	}
	body, err := p.body(method, 0, false)
	if err != nil {
		return row{}, err
	}
	return row{body: body, html: p.HTML, unlogged: p.Unlogged, editedMessage: p.MessageID}, nil
}

// plainBody is the body of r with its HTML text sent as plain text.
func (r row) plainBody() ([]byte, error) {
	var b callBody
	if err := json.Unmarshal(r.body, &b); err != nil {
		return nil, err
	}
	b.Text, b.ParseMode = plainFromHTML(b.Text), ""
	b.Caption = plainFromHTML(b.Caption)
	return b.encode()
}

// withChat returns body with chat_id first, for every method but
// answerCallbackQuery, which names no chat.
func withChat(method string, chat int64, body []byte) []byte {
	if method == methodAnswer || len(body) < 2 || body[0] != '{' {
		return body
	}
	out := make([]byte, 0, len(body)+32)
	out = append(out, `{"chat_id":`...)
	out = strconv.AppendInt(out, chat, 10)
	if rest := bytes.TrimSpace(body[1:]); len(rest) > 0 && rest[0] != '}' {
		out = append(out, ',')
	}
	return append(out, body[1:]...)
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

// sendDocument queues a file with a caption (HTML).
func (o *outbox) sendDocument(name string, data []byte, caption string) {
	o.add(methodSendDocument, payload{Text: caption, HTML: true, Document: &document{Name: name, Data: data}})
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

// unlogged marks the rows queued since row n as not to be logged as sent.
func (o *outbox) unlogged(n int) {
	for i := n; i < len(o.rows); i++ {
		if p := o.rows[i].Payload; len(p) >= 2 && p[0] == rowBody {
			p[1] = '0' + ((p[1] - '0') | rowUnlogged)
		}
	}
}
