package tgfake

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Texts that exercise every escape encoding/json makes.
var trickyTexts = []string{
	"plain", "", "/start", "/start deep-link", "<b>bold</b> & \"quoted\" \\ back",
	"line\nbreak\ttab\r\x01\x1f\b\f", "é ü — 😀 \u2028\u2029", "bad \xff utf-8 \xc3", "/😀cmd x",
}

func lastRaw(t *testing.T, s *Server) []byte {
	t.Helper()
	s.qmu.Lock()
	defer s.qmu.Unlock()
	if len(s.queue) == 0 {
		t.Fatal("nothing queued")
	}
	return s.queue[len(s.queue)-1].raw
}

func dateOf(t *testing.T, raw []byte, key string) int64 {
	t.Helper()
	var u map[string]json.RawMessage
	if err := json.Unmarshal(raw, &u); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	var v struct {
		Date    int64 `json:"date"`
		Message struct {
			Date int64 `json:"date"`
		} `json:"message"`
	}
	if err := json.Unmarshal(u[key], &v); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	if v.Date != 0 {
		return v.Date
	}
	return v.Message.Date
}

// The updates assembled by hand are byte for byte what encoding/json made of
// the maps they were built from before.
func TestUpdatesAreTheBytesEncodingJSONWrote(t *testing.T) {
	s := New(Config{})
	user := func(c *Chat) map[string]any {
		return map[string]any{"id": c.ID, "is_bot": false, "first_name": "User", "language_code": c.Lang}
	}
	chat := func(c *Chat) map[string]any {
		return map[string]any{"id": c.ID, "type": "private", "first_name": "User"}
	}
	for i, text := range trickyTexts {
		id := int64(100 + i)
		uid, _ := s.SendText(id, "pt-BR", text)
		raw := lastRaw(t, s)
		c := s.Chat(id)
		m := map[string]any{
			"message_id": 1, "date": dateOf(t, raw, "message"), "chat": chat(c), "from": user(c), "text": text,
		}
		if strings.HasPrefix(text, "/") {
			word, _, _ := strings.Cut(text, " ")
			m["entities"] = []any{map[string]any{"type": "bot_command", "offset": 0, "length": utf16Len(word)}}
		}
		want, _ := json.Marshal(map[string]any{"update_id": uid, "message": m})
		if !bytes.Equal(raw, want) {
			t.Errorf("message %q:\n got %s\nwant %s", text, raw, want)
		}

		kb := []Button{{Text: text + "!", CallbackData: "d:" + text}, {Text: "URL", URL: "https://example.com/?a=1&b=<2>"}}
		for _, buttons := range [][]Button{kb, nil} {
			uid, _ = s.PressData(id, 7, text, buttons, "press "+text)
			raw = lastRaw(t, s)
			cm := map[string]any{
				"message_id": 7, "date": dateOf(t, raw, "callback_query"), "chat": chat(c), "from": s.botUser(), "text": text,
			}
			if len(buttons) > 0 {
				rows := make([][]Button, len(buttons))
				for i, b := range buttons {
					rows[i] = []Button{b}
				}
				cm["reply_markup"] = map[string]any{"inline_keyboard": rows}
			}
			cbID := strconv.FormatInt(id, 10) + "-" + strconv.FormatInt(uid, 10)
			q := map[string]any{
				"id": cbID, "from": user(c), "message": cm, "chat_instance": "ci" + strconv.FormatInt(id, 10), "data": "press " + text,
			}
			want, _ = json.Marshal(map[string]any{"update_id": uid, "callback_query": q})
			if !bytes.Equal(raw, want) {
				t.Errorf("press %q:\n got %s\nwant %s", text, raw, want)
			}
			s.cbmu.Lock()
			cb := s.cbState[cbID]
			s.cbmu.Unlock()
			if cb == nil || cb.chat != id {
				t.Errorf("callback %s not registered for chat %d", cbID, id)
			}
		}
	}
}

// The Message answers are what encoding/json made of the struct before,
// once its reply_markup is compacted and HTML-escaped as Marshal does.
func TestMessageAnswersAreTheBytesEncodingJSONWrote(t *testing.T) {
	type chatOut struct {
		ID        int64  `json:"id"`
		Type      string `json:"type"`
		FirstName string `json:"first_name"`
	}
	type messageOut struct {
		MessageID   int             `json:"message_id"`
		Date        int64           `json:"date"`
		Chat        chatOut         `json:"chat"`
		From        json.RawMessage `json:"from"`
		Text        string          `json:"text"`
		ReplyMarkup json.RawMessage `json:"reply_markup,omitempty"`
	}
	s := New(Config{})
	c := s.Register(-42, "en")
	at := time.Unix(1_800_000_000, 0)
	for _, text := range trickyTexts {
		for _, kb := range []string{"", `{"inline_keyboard":[[{"text":"a <b>","callback_data":"x"}]]}`} {
			got := s.messageJSON(c, 9, at, text, json.RawMessage(kb))
			want, _ := json.Marshal(apiResponse{OK: true, Result: messageOut{
				MessageID: 9, Date: at.Unix(), Chat: chatOut{ID: c.ID, Type: "private", FirstName: "User"},
				From: s.botJSON, Text: text, ReplyMarkup: json.RawMessage(kb),
			}})
			var compact, escaped bytes.Buffer
			if err := json.Compact(&compact, got); err != nil {
				t.Fatalf("%s: %v", got, err)
			}
			json.HTMLEscape(&escaped, compact.Bytes())
			if !bytes.Equal(escaped.Bytes(), want) {
				t.Errorf("message %q:\n got %s\nwant %s", text, got, want)
			}
		}
	}
}
