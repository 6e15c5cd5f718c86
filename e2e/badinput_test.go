package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redress-legal/redress/tools/load/tgfake"
)

const webhookSecret = "e2e-secret-token_0123456789"

// freeAddr returns a loopback address nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// want is what a user (or an attacker) should see for one request.
type want struct {
	kind   string
	status []int // acceptable HTTP statuses
	answer bool  // the chat gets at least one call; false: none at all
	chat   int64
}

// randomText is text no bot expects: scripts, emoji, controls, markup.
func randomText(r *rand.Rand) string {
	pieces := []string{"hello", "你好", "مرحبا", "😀👍🏽", "\u200b", "\u202e", "<b>bold</b>", "&amp;", "\x00", "\t\n", "'; DROP TABLE sessions;--",
		"{{.x}}", "%s%d", "5000", "1.2万", "2026-05-14", "/", "\\", "\"quoted\"", strings.Repeat("long ", 50)}
	var b strings.Builder
	for range 1 + r.IntN(6) {
		b.WriteString(pieces[r.IntN(len(pieces))])
		b.WriteByte(' ')
	}
	return b.String()
}

// randomUpdate returns one update of a random kind for chat (as JSON, or
// deliberately broken bytes) and what should happen.
func randomUpdate(r *rand.Rand, e *env, id, chat int64) ([]byte, want) {
	from := map[string]any{"id": chat, "is_bot": false, "first_name": "Fuzz", "language_code": []string{"en", "zh-hans", "de", "", "zh-TW"}[r.IntN(5)]}
	private := map[string]any{"id": chat, "type": "private", "first_name": "Fuzz"}
	msg := func(extra map[string]any, c map[string]any) map[string]any {
		m := map[string]any{"message_id": 1 + r.IntN(1000), "date": time.Now().Unix(), "chat": c, "from": from}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	enc := func(u map[string]any) []byte {
		u["update_id"] = id
		b, _ := json.Marshal(u)
		return b
	}
	ok := []int{200}
	answer := func(kind string, u map[string]any) ([]byte, want) {
		e.fake.Register(chat, "en")
		return enc(u), want{kind: kind, status: ok, answer: true, chat: chat}
	}
	silent := func(kind string, u map[string]any) ([]byte, want) {
		e.fake.Register(chat, "en")
		return enc(u), want{kind: kind, status: ok, chat: chat}
	}
	cmds := []string{"/start", "/help", "/back", "/restart", "/lang", "/delete", "/privacy", "/sos", "/nonsense", "/start@load_test_bot", "/START", "/start extra words"}
	switch k := r.IntN(20); k {
	case 0, 1, 2:
		return answer("text", map[string]any{"message": msg(map[string]any{"text": randomText(r)}, private)})
	case 3, 4:
		c := cmds[r.IntN(len(cmds))]
		return answer("command", map[string]any{"message": msg(map[string]any{"text": c,
			"entities": []any{map[string]any{"type": "bot_command", "offset": 0, "length": len(strings.Fields(c)[0])}}}, private)})
	case 5:
		return answer("long text", map[string]any{"message": msg(map[string]any{"text": strings.Repeat("字a ", 2000+r.IntN(30000))}, private)})
	case 6:
		media := []map[string]any{
			{"sticker": map[string]any{"file_id": "s", "file_unique_id": "u", "type": "regular", "width": 1, "height": 1}},
			{"photo": []any{map[string]any{"file_id": "p", "file_unique_id": "u", "width": 1, "height": 1}}, "caption": randomText(r)},
			{"voice": map[string]any{"file_id": "v", "file_unique_id": "u", "duration": 3}},
			{"document": map[string]any{"file_id": "d", "file_unique_id": "u"}},
			{"location": map[string]any{"latitude": 31.2, "longitude": 121.5}},
			{"contact": map[string]any{"phone_number": "+8613800000000", "first_name": "X"}},
			{"dice": map[string]any{"emoji": "🎲", "value": 3}},
			{"video_note": map[string]any{"file_id": "n", "file_unique_id": "u", "length": 1, "duration": 1}},
		}
		return answer("media", map[string]any{"message": msg(media[r.IntN(len(media))], private)})
	case 7:
		return answer("edited", map[string]any{"edited_message": msg(map[string]any{"text": randomText(r), "edit_date": time.Now().Unix()}, private)})
	case 8, 9, 10:
		datas := []string{"v1:q1_what:lies", "v1:q2_where:weibo", "v1:q6_story:x", "v1:!lang:zh-Hans", "v1:!lang:xx", "v1:!del:n", "v1:nonode:k", "v0:old", "", "garbage", strings.Repeat("v1:", 21), "v1::", "v1:q1_what:!d", "v1:q1_what:!u"}
		qid := fmt.Sprintf("cb%d", id)
		e.fake.RegisterCallback(qid, chat)
		q := map[string]any{"id": qid, "from": from, "chat_instance": "ci", "data": datas[r.IntN(len(datas))]}
		if r.IntN(4) == 0 { // a message too old for Telegram to give
			q["message"] = map[string]any{"message_id": 5, "date": 0, "chat": private}
		} else {
			q["message"] = msg(map[string]any{"text": "Question?"}, private)
		}
		return answer("callback", map[string]any{"callback_query": q})
	case 11:
		group := map[string]any{"id": -chat, "type": []string{"group", "supergroup"}[r.IntN(2)], "title": "G"}
		e.fake.Register(-chat, "en")
		return enc(map[string]any{"message": msg(map[string]any{"text": randomText(r)}, group)}), want{kind: "group text", status: ok, chat: -chat}
	case 12:
		group := map[string]any{"id": -chat, "type": "supergroup", "title": "G"}
		e.fake.Register(-chat, "en")
		return enc(map[string]any{"message": msg(map[string]any{"text": "/start@load_test_bot",
				"entities": []any{map[string]any{"type": "bot_command", "offset": 0, "length": 20}}}, group)}),
			want{kind: "group command", status: ok, answer: true, chat: -chat}
	case 13:
		channel := map[string]any{"id": -chat, "type": "channel", "title": "C"}
		e.fake.Register(-chat, "en")
		key := []string{"channel_post", "edited_channel_post"}[r.IntN(2)]
		return enc(map[string]any{key: map[string]any{"message_id": 1, "date": 1, "chat": channel, "text": randomText(r)}}), want{kind: "channel", status: ok, chat: -chat}
	case 14:
		others := []map[string]any{
			{"inline_query": map[string]any{"id": "iq", "from": from, "query": randomText(r), "offset": ""}},
			{"my_chat_member": map[string]any{"chat": private, "from": from, "date": 1,
				"old_chat_member": map[string]any{"status": "member", "user": from}, "new_chat_member": map[string]any{"status": "kicked", "user": from, "until_date": 0}}},
			{"poll_answer": map[string]any{"poll_id": "p", "user": from, "option_ids": []int{0}}},
			{"message_reaction": map[string]any{"chat": private, "message_id": 1, "date": 1, "old_reaction": []any{}, "new_reaction": []any{}}},
			{"some_future_kind": map[string]any{"x": 1}},
		}
		return silent("other kind", others[r.IntN(len(others))])
	case 15:
		// Valid JSON with fields of the wrong type: decoded as far as possible.
		e.fake.Register(chat, "en")
		return enc(map[string]any{"message": map[string]any{"chat": "not an object", "text": 5}}), want{kind: "wrong types", status: []int{200, 400}, chat: chat}
	case 16:
		broken := [][]byte{[]byte(`{"update_id":`), []byte(`{"update_id":"x","message":{}}`), []byte(`[]`), []byte(`null`), []byte(`{}`),
			[]byte("\xff\xfe\x00garbage"), []byte(`{"update_id":-5}`), []byte(fmt.Sprintf(`{"update_id":%d,"message":{"chat":{"id":%d,"type":"private"},"text":"unterminated`, id, chat))}
		return broken[r.IntN(len(broken))], want{kind: "malformed", status: []int{400}, chat: chat}
	case 17:
		// A forged call: no secret, or a wrong one. Nothing may happen.
		e.fake.Register(chat, "en")
		return enc(map[string]any{"message": msg(map[string]any{"text": "/start"}, private)}), want{kind: "forged", status: []int{401}, chat: chat}
	case 18:
		return answer("empty text", map[string]any{"message": msg(map[string]any{"text": ""}, private)})
	default:
		return answer("private text", map[string]any{"message": msg(map[string]any{"text": randomText(r), "reply_to_message": map[string]any{"message_id": 1, "date": 1, "chat": private}}, private)})
	}
}

// TestTenThousandRandomUpdatesInWebhookMode posts 10,000 random updates of
// every kind — text, commands, media, edits, buttons old and new, group and
// channel posts, unknown kinds, malformed JSON, forged calls — to the
// webhook of `redress serve`, and checks that it never crashes and that
// each gets an answer or deliberate silence: a user in a private chat
// always hears back; groups (but for a command), channels, unknown kinds,
// broken and forged requests get none.
func TestTenThousandRandomUpdatesInWebhookMode(t *testing.T) {
	n := 10_000
	if testing.Short() {
		n = 2_000
	}
	e := newEnv(t, tgfake.Config{})
	addr := freeAddr(t)
	p := e.start("--webhook-url", "https://bot.example/hook", "--listen", addr, "--webhook-secret", webhookSecret)
	hook := "http://" + addr + "/"
	if got := e.fake.Webhook(); got != "https://bot.example/hook" {
		t.Fatalf("the bot registered the webhook %q", got)
	}
	client := &http.Client{Timeout: 60 * time.Second}
	post := func(body []byte, secret string) (int, error) {
		req, err := http.NewRequest(http.MethodPost, hook, bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Content-Type", "application/json")
		if secret != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, nil
	}

	// The HTTP edges first: method, size, secret.
	if resp, err := client.Get(hook); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %v %v, want 405", resp.StatusCode, err)
	}
	if code, err := post(append([]byte(`{"update_id":1,"message":{"text":"`), bytes.Repeat([]byte("a"), 1<<20+10)...), webhookSecret); err != nil || code != http.StatusRequestEntityTooLarge {
		t.Errorf("a body over 1 MiB: %d %v, want 413", code, err)
	}

	type sent struct {
		w    want
		code int
	}
	results := make([]sent, n)
	var wg sync.WaitGroup
	jobs := make(chan int)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				r := rand.New(rand.NewPCG(uint64(i), 99))
				id, chat := int64(1000+i), int64(50_000_000+i)
				body, w := randomUpdate(r, e, id, chat)
				secret := webhookSecret
				if w.kind == "forged" {
					secret = []string{"", "wrong", webhookSecret + "x", strings.ToUpper(webhookSecret)}[r.IntN(4)]
				}
				code, err := post(body, secret)
				if err != nil {
					code = -1
				}
				results[i] = sent{w, code}
			}
		}()
	}
	start := time.Now()
	for i := 0; i < n; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	t.Logf("%d updates posted in %s", n, time.Since(start).Round(time.Millisecond))

	// Let the outbox drain: no new call for a second.
	total := func() int64 {
		var s int64
		for _, v := range e.fake.Stats().Calls {
			s += v
		}
		return s
	}
	for last, i := int64(-1), 0; i < 120; i++ {
		now := total()
		if now == last {
			break
		}
		last = now
		time.Sleep(time.Second)
	}
	select {
	case <-p.done:
		t.Fatalf("redress serve died: %v", p.err)
	default:
	}
	kinds := map[string]int{}
	bad := 0
	for i, s := range results {
		kinds[s.w.kind]++
		okCode := false
		for _, c := range s.w.status {
			okCode = okCode || c == s.code
		}
		calls := 0
		if c := e.fake.Chat(s.w.chat); c != nil {
			calls = len(c.Calls())
		}
		var problem string
		switch {
		case !okCode:
			problem = fmt.Sprintf("HTTP %d, want %v", s.code, s.w.status)
		case s.w.answer && calls == 0:
			problem = "no answer"
		case !s.w.answer && calls > 0:
			problem = fmt.Sprintf("%d calls, want silence", calls)
		}
		if problem != "" {
			bad++
			if bad <= 15 {
				t.Errorf("update %d (%s, chat %d): %s", i, s.w.kind, s.w.chat, problem)
			}
		}
	}
	t.Logf("kinds: %v", kinds)
	if bad > 15 {
		t.Errorf("... %d updates in all were mishandled", bad)
	}
	if strings.Contains(e.logs.String(), "level=ERROR msg=\"panic") {
		t.Error("a panic was logged")
	}
	p.stop(t)
}
