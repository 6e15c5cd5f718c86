package bot

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/go-telegram/bot/models"
)

// decodeUpdate decodes one update. An update we cannot decode is returned
// with its ID alone, so that it is settled as ignored rather than stopping
// the offset forever; nil when not even the ID can be read.
func decodeUpdate(raw json.RawMessage) (*models.Update, error) {
	u, err := decodeWire(raw)
	if err == nil && u.ID > 0 {
		return u, nil
	}
	if err == nil {
		err = errors.New("no update_id")
	}
	var id struct {
		ID int64 `json:"update_id"`
	}
	if json.Unmarshal(raw, &id) != nil || id.ID <= 0 {
		return nil, fmt.Errorf("update without an ID: %w", err)
	}
	return &models.Update{ID: id.ID}, fmt.Errorf("update %d: %w", id.ID, err)
}

// wireUpdate holds the kinds of update the bot handles or orders by chat;
// the others are ignored (handle) whatever they hold, so they are not
// decoded. The message of a callback query is kept raw: models decodes it
// three times (MaybeInaccessibleMessage), decodeWire once.
type wireUpdate struct {
	ID                int64           `json:"update_id"`
	Message           *models.Message `json:"message"`
	EditedMessage     *models.Message `json:"edited_message"`
	ChannelPost       *models.Message `json:"channel_post"`
	EditedChannelPost *models.Message `json:"edited_channel_post"`
	CallbackQuery     *struct {
		ID              string          `json:"id"`
		From            models.User     `json:"from"`
		Message         json.RawMessage `json:"message"`
		InlineMessageID string          `json:"inline_message_id"`
		ChatInstance    string          `json:"chat_instance"`
		Data            string          `json:"data"`
		GameShortName   string          `json:"game_short_name"`
	} `json:"callback_query"`
}

// decodeWire decodes the parts of an update the bot reads into a
// models.Update, as json.Unmarshal into models.Update would fill them; of
// the message a button was under, only its ID, date, chat and text.
func decodeWire(raw []byte) (*models.Update, error) {
	var w wireUpdate
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, err
	}
	u := &models.Update{ID: w.ID, Message: w.Message, EditedMessage: w.EditedMessage,
		ChannelPost: w.ChannelPost, EditedChannelPost: w.EditedChannelPost}
	if q := w.CallbackQuery; q != nil {
		u.CallbackQuery = &models.CallbackQuery{ID: q.ID, From: q.From, InlineMessageID: q.InlineMessageID,
			ChatInstance: q.ChatInstance, Data: q.Data, GameShortName: q.GameShortName}
		if len(q.Message) > 0 { // null too, as models does
			m := &u.CallbackQuery.Message
			// The message is the bot's own, keyboard and all: only what
			// callbackMessage reads is decoded.
			var w struct {
				ID   int         `json:"message_id"`
				Date int         `json:"date"`
				Chat models.Chat `json:"chat"`
				Text string      `json:"text"`
			}
			if err := json.Unmarshal(q.Message, &w); err != nil {
				return nil, err
			}
			if w.Date == 0 { // what Telegram sends for a message the bot can no longer see
				m.Type = models.MaybeInaccessibleMessageTypeInaccessibleMessage
				m.InaccessibleMessage = &models.InaccessibleMessage{Chat: w.Chat, MessageID: w.ID}
			} else {
				m.Type = models.MaybeInaccessibleMessageTypeMessage
				m.Message = &models.Message{ID: w.ID, Date: w.Date, Chat: w.Chat, Text: w.Text}
			}
		}
	}
	return u, nil
}

// origin is what the stages after decoding need to know of an update,
// worked out in one place: the chat it belongs to (which orders it; 0 for
// updates of no chat, settled without a reply), whether that chat is
// private, the user's app language, and for a button press its callback
// query and the message the button was under.
type origin struct {
	chat     int64
	private  bool
	code     string // the language code of the user's Telegram app
	callback string // the callback query ID of a button press
	msgID    int    // the message a button was under
	msgText  string // its text, when Telegram still gives it
}

// originOf works out the origin of u.
func originOf(u *models.Update) origin {
	private := func(c models.Chat) bool { return c.Type == models.ChatTypePrivate }
	switch {
	case u.Message != nil:
		return origin{chat: u.Message.Chat.ID, private: private(u.Message.Chat), code: languageCode(u.Message.From)}
	case u.EditedMessage != nil:
		return origin{chat: u.EditedMessage.Chat.ID, private: private(u.EditedMessage.Chat), code: languageCode(u.EditedMessage.From)}
	case u.ChannelPost != nil:
		return origin{chat: u.ChannelPost.Chat.ID}
	case u.EditedChannelPost != nil:
		return origin{chat: u.EditedChannelPost.Chat.ID}
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		chat, msgID, text, typ := callbackMessage(q)
		return origin{chat: chat, private: typ == models.ChatTypePrivate, code: q.From.LanguageCode,
			callback: q.ID, msgID: msgID, msgText: text}
	}
	return origin{}
}

// updateChat returns the chat an update belongs to, which orders it; 0 for
// updates that belong to none (they are settled without a reply).
func updateChat(u *models.Update) int64 { return originOf(u).chat }

// callbackMessage returns the chat and message a button belonged to, the
// message's text when Telegram still gives it, and the chat type.
func callbackMessage(q *models.CallbackQuery) (chat int64, msgID int, text string, typ models.ChatType) {
	switch {
	case q.Message.Message != nil:
		m := q.Message.Message
		return m.Chat.ID, m.ID, m.Text, m.Chat.Type
	case q.Message.InaccessibleMessage != nil:
		m := q.Message.InaccessibleMessage
		return m.Chat.ID, m.MessageID, "", m.Chat.Type
	}
	// A button of an inline-mode message: there is no chat; the user is one.
	return q.From.ID, 0, "", ""
}

func languageCode(u *models.User) string {
	if u == nil {
		return ""
	}
	return u.LanguageCode
}
