package bot

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
	"github.com/redress-legal/redress/bot/telegramtest"
	"github.com/redress-legal/redress/flows"
	"github.com/redress-legal/redress/flows/flowstest"
)

// fuzzLoc renders every message as its ID plus an arbitrary text, so that
// the fuzzer's strings go through escaping, packing and cutting.
type fuzzLoc struct{ extra string }

func (fuzzLoc) Match(code string) string {
	if strings.HasPrefix(code, "zh") {
		return "zh"
	}
	return "en"
}
func (fuzzLoc) Languages() []string { return []string{"en", "zh"} }
func (l fuzzLoc) Text(lang string, m flows.Message) string {
	return lang + ":" + m.ID + " <&> " + l.extra
}

// FuzzHandleUpdate drives the update handler with arbitrary texts, button
// data and language codes: it never fails and never produces a call
// Telegram would refuse (bad HTML, a text over the limit, empty text,
// callback data over 64 bytes).
func FuzzHandleUpdate(f *testing.F) {
	data, err := os.ReadFile("testdata/tiny.yaml")
	if err != nil {
		f.Fatal(err)
	}
	flow, err := flows.Parse("tiny.yaml", data)
	if err != nil {
		f.Fatal(err)
	}
	f.Add("hello", "v1:danger:safe", "en", "")
	f.Add("/lang", "v1:!lang:zh", "zh-hans", "<b>")
	f.Add("6 000", "v1:what:!d", "", "&amp;")
	f.Add("/delete", "v1:!del:y", "de", strings.Repeat("长", 5000))
	f.Add(strings.Repeat("x", 5000), "v1:views:!u", "en", "\xff\xfe")
	f.Add("?", "garbage", "en", "\n\n\n")
	f.Fuzz(func(t *testing.T, text, cb, code, extra string) {
		store := flowstest.NewMemStore()
		b, err := New(Config{
			Token: "1:fuzz", APIURL: "http://127.0.0.1:9", Store: store, Flow: flow,
			Localizer: fuzzLoc{extra: extra}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		})
		if err != nil {
			t.Fatal(err)
		}
		user := models.User{ID: 42, FirstName: "F", LanguageCode: code}
		chat := models.Chat{ID: 42, Type: models.ChatTypePrivate}
		msg := func(id int, text string) *models.Message {
			return &models.Message{ID: id, Date: 1, Chat: chat, From: &user, Text: text}
		}
		updates := []*models.Update{
			{ID: 1, Message: msg(1, "/start")},
			{ID: 2, Message: msg(3, text)},
			{ID: 3, CallbackQuery: &models.CallbackQuery{ID: "q", From: user, Data: cb,
				Message: models.MaybeInaccessibleMessage{Message: msg(2, extra+"?")}}},
			{ID: 4, EditedMessage: msg(3, text)},
			{ID: 5, Message: msg(5, text)},
		}
		ctx := context.Background()
		for _, u := range updates {
			if _, err := b.handle(ctx, u); err != nil {
				t.Fatalf("update %d: %v", u.ID, err)
			}
		}
		rows, err := store.Pending(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			row, err := readRow(r.Method, r.Payload)
			if err != nil {
				t.Fatalf("row %d: %v", r.ID, err)
			}
			var p callBody
			if err := json.Unmarshal(row.body, &p); err != nil {
				t.Fatalf("row %d: body: %v", r.ID, err)
			}
			if r.Method == methodSend || r.Method == methodEditText {
				plain, err := telegramtest.CheckHTML(p.Text)
				if err != nil {
					t.Errorf("%s: Telegram would refuse the HTML: %v\n%q", r.Method, err, p.Text)
				}
				if strings.TrimSpace(plain) == "" {
					t.Errorf("%s with an empty text", r.Method)
				}
				if textLen(p.Text) > MaxMessageLen {
					t.Errorf("%s of %d characters: %.300q", r.Method, textLen(p.Text), p.Text)
				}
				if !utf8.ValidString(p.Text) {
					t.Errorf("%s with invalid UTF-8", r.Method)
				}
			}
			if p.ReplyMarkup != nil {
				for _, row := range p.ReplyMarkup.InlineKeyboard {
					for _, btn := range row {
						if btn.CallbackData == "" || len(btn.CallbackData) > maxCBData || btn.Text == "" {
							t.Errorf("button %q with data %q", btn.Text, btn.CallbackData)
						}
					}
				}
			}
		}
	})
}
