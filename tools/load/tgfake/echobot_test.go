package tgfake

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// echoBot is a tiny questionnaire bot for testing the fake: /start asks
// question 1 with two buttons; a press answers the callback, removes the
// buttons and asks the next question; a text after the last question ends
// the conversation. It retries 429 (honouring retry_after) and 5xx.
type echoBot struct {
	base, token string
	encoding    string // "json", "multipart" or "form"
	hc          *http.Client
	// misbehave, when set for a chat, makes the bot send its reply twice.
	duplicate func(chat int64) bool
	ignore429 bool

	mu    sync.Mutex
	state map[int64]int
}

type tgUpdate struct {
	UpdateID int64 `json:"update_id"`
	Message  *struct {
		Chat struct{ ID int64 } `json:"chat"`
		Text string             `json:"text"`
	} `json:"message"`
	CallbackQuery *struct {
		ID      string `json:"id"`
		Data    string `json:"data"`
		Message struct {
			MessageID int                `json:"message_id"`
			Chat      struct{ ID int64 } `json:"chat"`
		} `json:"message"`
	} `json:"callback_query"`
}

func (b *echoBot) call(ctx context.Context, method string, p map[string]any, out any) error {
	for attempt := 0; attempt < 50; attempt++ {
		var body bytes.Buffer
		ct := "application/json"
		switch b.encoding {
		case "multipart":
			w := multipart.NewWriter(&body)
			for k, v := range p {
				s, ok := v.(string)
				if !ok {
					raw, _ := json.Marshal(v)
					s = string(raw)
				}
				_ = w.WriteField(k, s)
			}
			_ = w.Close()
			ct = w.FormDataContentType()
		case "form":
			vals := url.Values{}
			for k, v := range p {
				s, ok := v.(string)
				if !ok {
					raw, _ := json.Marshal(v)
					s = string(raw)
				}
				vals.Set(k, s)
			}
			body.WriteString(vals.Encode())
			ct = "application/x-www-form-urlencoded"
		default:
			_ = json.NewEncoder(&body).Encode(p)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.base+"/bot"+b.token+"/"+method, &body)
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", ct)
		resp, err := b.hc.Do(req)
		if err != nil {
			return err
		}
		var r struct {
			OK         bool            `json:"ok"`
			Result     json.RawMessage `json:"result"`
			ErrorCode  int             `json:"error_code"`
			Desc       string          `json:"description"`
			Parameters struct {
				RetryAfter int `json:"retry_after"`
			} `json:"parameters"`
		}
		err = json.NewDecoder(resp.Body).Decode(&r)
		resp.Body.Close()
		if err != nil {
			return err
		}
		switch {
		case r.OK:
			if out != nil {
				return json.Unmarshal(r.Result, out)
			}
			return nil
		case r.ErrorCode == 429:
			if !b.ignore429 {
				time.Sleep(time.Duration(r.Parameters.RetryAfter) * time.Second)
			} else {
				time.Sleep(50 * time.Millisecond)
			}
		case r.ErrorCode >= 500:
			time.Sleep(20 * time.Millisecond)
		default:
			return fmt.Errorf("%s: %d %s", method, r.ErrorCode, r.Desc)
		}
	}
	return fmt.Errorf("%s: gave up", method)
}

func keyboard(step int) map[string]any {
	return map[string]any{"inline_keyboard": [][]map[string]string{
		{{"text": "Yes " + strconv.Itoa(step), "callback_data": "q" + strconv.Itoa(step) + ":y"}},
		{{"text": "No", "callback_data": "q" + strconv.Itoa(step) + ":n"}},
	}}
}

// run polls and answers each update before taking the next batch; chats
// are handled one after another, which keeps every chat in order.
func (b *echoBot) run(ctx context.Context) error {
	var offset int64
	for ctx.Err() == nil {
		var ups []tgUpdate
		if err := b.call(ctx, "getUpdates", map[string]any{"offset": offset, "timeout": 1}, &ups); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		for _, u := range ups {
			offset = u.UpdateID + 1
			if err := b.handle(ctx, u); err != nil && ctx.Err() == nil {
				return err
			}
		}
	}
	return nil
}

func (b *echoBot) send(ctx context.Context, chat int64, text string, kb any) error {
	p := map[string]any{"chat_id": chat, "text": text}
	if kb != nil {
		p["reply_markup"] = kb
	}
	n := 1
	if b.duplicate != nil && b.duplicate(chat) {
		n = 2
	}
	for range n {
		if err := b.call(ctx, "sendMessage", p, nil); err != nil {
			return err
		}
	}
	return nil
}

func (b *echoBot) handle(ctx context.Context, u tgUpdate) error {
	b.mu.Lock()
	if b.state == nil {
		b.state = map[int64]int{}
	}
	b.mu.Unlock()
	switch {
	case u.Message != nil:
		chat := u.Message.Chat.ID
		if u.Message.Text == "/start" {
			b.mu.Lock()
			b.state[chat] = 1
			b.mu.Unlock()
			return b.send(ctx, chat, "Question 1 <b>?</b>", keyboard(1))
		}
		return b.send(ctx, chat, "Thank you. The end.", nil)
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		chat := q.Message.Chat.ID
		if err := b.call(ctx, "answerCallbackQuery", map[string]any{"callback_query_id": q.ID}, nil); err != nil {
			return err
		}
		if err := b.call(ctx, "editMessageReplyMarkup", map[string]any{
			"chat_id": chat, "message_id": q.Message.MessageID, "reply_markup": map[string]any{"inline_keyboard": [][]any{}},
		}, nil); err != nil {
			return err
		}
		b.mu.Lock()
		b.state[chat]++
		step := b.state[chat]
		b.mu.Unlock()
		if step > 3 {
			return b.send(ctx, chat, "Last question: your name?", nil)
		}
		return b.send(ctx, chat, "Question "+strconv.Itoa(step)+" ("+strings.TrimSpace(q.Data)+")", keyboard(step))
	}
	return nil
}

const echoScript = `# the echo bot's questionnaire
/start
press 1
press 2
press 1
text Zhang San
`

func startEcho(t *testing.T, cfg Config, encoding string, mod func(*echoBot)) (*Server, context.CancelFunc, chan error) {
	t.Helper()
	cfg.Token = "42:TEST"
	s := New(cfg)
	base, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	b := &echoBot{base: base, token: cfg.Token, encoding: encoding, hc: &http.Client{Timeout: 10 * time.Second}}
	if mod != nil {
		mod(b)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- b.run(ctx) }()
	t.Cleanup(cancel)
	return s, cancel, errc
}

func mustScript(t *testing.T, text string) *Script {
	t.Helper()
	sc, err := ParseScript("echo.txt", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}
