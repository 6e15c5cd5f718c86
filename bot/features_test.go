package bot_test

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redress-legal/redress/bot"
	"github.com/redress-legal/redress/bot/telegramtest"
	"github.com/redress-legal/redress/flows"
)

// begin starts u's conversation and waits for the first question.
func begin(h *harness, u telegramtest.User) {
	h.t.Helper()
	h.api.SendCommand(u, "/start")
	h.waitFor(u, lang(u, "t.danger.ask"))
}

// since returns the transcript of u's chat after its first n lines.
func since(h *harness, u telegramtest.User, n int) string {
	lines := strings.SplitAfter(transcript(h.api.Calls(), u.ID), "\n")
	return strings.Join(lines[min(n, len(lines)):], "")
}

func TestStaleButtons(t *testing.T) {
	h := newHarness(t)
	h.start(nil)
	u := telegramtest.User{ID: 701, LanguageCode: "en"}
	begin(h, u)
	h.press(u, "v1:danger:safe")
	h.waitFor(u, "t.what.ask")
	h.settled()
	n := strings.Count(transcript(h.api.Calls(), u.ID), "\n")
	// A second press on the answered question (a double tap, an old client),
	// data from another version of the bot, and data that is not ours.
	for _, data := range []string{"v1:danger:now", "v0:what:lies", "garbage", "v1:what"} {
		h.api.Press(u, 3, data)
	}
	h.waitCount(u, "answerCallbackQuery", 5)
	h.settled()
	want := strings.Repeat("ack\n> engine.stale\n> t.what.ask [t.what.lies | t.what.abuse | t.what.none | tg.multi.done]\n", 4)
	diff(t, "after stale presses", since(h, u, n), want)

	// The multi question still works, and its old keyboard is dead once answered.
	h.press(u, "v1:what:none")
	h.waitCount(u, "editMessageReplyMarkup", 1)
	h.press(u, "v1:what:!d")
	h.waitFor(u, "t.nothing")
	h.settled()
	n = strings.Count(transcript(h.api.Calls(), u.ID), "\n")
	h.api.Press(u, 4, "v1:what:lies") // the first t.what.ask, still showing buttons
	h.waitCount(u, "answerCallbackQuery", 8)
	h.settled()
	diff(t, "button after the end", since(h, u, n), "ack\n~kb #4\n> engine.ended\n")
}

func TestDoneWithNothingTickedExplains(t *testing.T) {
	h := newHarness(t)
	h.start(nil)
	u := telegramtest.User{ID: 702, LanguageCode: "en"}
	begin(h, u)
	h.press(u, "v1:danger:safe")
	h.waitFor(u, "t.what.ask")
	h.press(u, "v1:what:!d")
	h.waitCount(u, "answerCallbackQuery", 2)
	h.settled()
	got := transcript(h.api.Calls(), u.ID)
	if !strings.HasSuffix(got, "ack engine.invalid.multi {count=3}\n") {
		t.Errorf("Done with nothing ticked: want a pop-up saying why, got:\n%s", got)
	}
}

// TestNotText sends what is not an answer: each gets a clear answer (and
// the question again) or, in groups and channels, deliberate silence.
func TestNotText(t *testing.T) {
	h := newHarness(t)
	h.start(nil)
	u := telegramtest.User{ID: 703, LanguageCode: "en"}
	begin(h, u)
	h.api.SendSticker(u)
	h.api.SendPhoto(u, "screenshot of the post")
	h.api.SendVoice(u)
	h.api.EditText(u, 1, "/start again")
	h.api.SendText(u, strings.Repeat("很长的消息", 20000)) // 100 KB
	h.api.SendCommand(u, "/frobnicate")
	h.api.SendText(u, "")
	group := int64(-100777)
	h.api.GroupText(group, u, "hello everyone")
	h.api.GroupText(group, u, "/start@"+telegramtest.BotUsername)
	h.api.GroupText(group, u, "/start@SomeOtherBot")
	h.api.ChannelPost(-100888, "news")
	h.api.InjectRaw(map[string]any{"poll_answer": map[string]any{"poll_id": "p", "option_ids": []int{0}}})
	h.settled()
	q := "> t.danger.ask [t.danger.now | t.danger.safe]\n"
	want := "> t.intro\n" + q +
		"> engine.not_text\n" + q +
		"> tg.media\n" + q +
		"> tg.media\n" + q +
		"> tg.edited\n" +
		"> tg.too_long {max=4096}\n" + q +
		"> cmd.unknown_command {command=/frobnicate}\n" + q +
		"> engine.not_text\n" + q
	diff(t, "private chat", transcript(h.api.Calls(), u.ID), want)
	diff(t, "group", transcript(h.api.Calls(), group), "> tg.private_only\n")
	if got := transcript(h.api.Calls(), -100888); got != "" {
		t.Errorf("the bot spoke in a channel:\n%s", got)
	}
	if logs := h.logs.String(); strings.Contains(logs, "screenshot") || strings.Contains(logs, "很长") || strings.Contains(logs, "hello everyone") {
		t.Errorf("the logs hold what users wrote:\n%s", logs)
	}
}

// TestPanicIsAnsweredWithApology: an update that makes the engine panic is
// answered with an apology, logged without its content, and the
// conversation goes on.
func TestPanicIsAnsweredWithApology(t *testing.T) {
	h := newHarness(t)
	h.start(func(c *bot.Config) {
		c.Step = func(f *flows.Flow, s flows.State, in flows.Input) (flows.State, flows.Reply) {
			if strings.Contains(in.Text, "boom") {
				panic("cannot handle " + in.Text)
			}
			return flows.Step(f, s, in)
		}
	})
	u := telegramtest.User{ID: 704, LanguageCode: "zh"}
	begin(h, u)
	h.api.SendText(u, "boom: my neighbour posted my address")
	h.waitFor(u, "zh:tg.error")
	h.press(u, "v1:danger:safe")
	h.waitFor(u, "zh:t.what.ask")
	h.settled()
	logs := h.logs.String()
	if !strings.Contains(logs, "panic") {
		t.Error("the panic was not logged")
	}
	if strings.Contains(logs, "neighbour") || strings.Contains(logs, "boom") {
		t.Errorf("the panic log holds what the user wrote:\n%s", logs)
	}
}

func TestLanguageSwitch(t *testing.T) {
	h := newHarness(t)
	h.start(nil)
	u := telegramtest.User{ID: 705, LanguageCode: "zh-TW"}
	begin(h, u)
	h.api.SendCommand(u, "/lang")
	h.waitFor(u, "zh:cmd.lang.choose")
	h.press(u, "v1:!lang:en")
	h.waitCount(u, "editMessageText", 1)
	h.waitFor(u, "t.danger.ask")
	h.api.SendText(u, "2")
	h.waitFor(u, "t.what.ask")
	h.settled()
	want := `> zh:t.intro
> zh:t.danger.ask [zh:t.danger.now | zh:t.danger.safe]
> zh:cmd.lang.choose [ui.language_name | zh:ui.language_name]
ack
~ #5 cmd.lang.set
> t.danger.ask [t.danger.now | t.danger.safe]
> t.what.ask [t.what.lies | t.what.abuse | t.what.none | tg.multi.done]
`
	diff(t, "transcript", transcript(h.api.Calls(), u.ID), want)
}

func TestHelpPrivacySOS(t *testing.T) {
	h := newHarness(t)
	h.start(nil)
	u := telegramtest.User{ID: 706, LanguageCode: "en"}
	h.api.SendCommand(u, "/help")
	h.api.SendCommand(u, "/privacy")
	h.waitFor(u, "tg.privacy {days=90}")
	begin(h, u)
	h.api.SendCommand(u, "/help")
	h.api.SendCommand(u, "/sos")
	h.api.SendCommand(u, "/back")
	h.api.SendText(u, "?")
	h.settled()
	q := "> t.danger.ask [t.danger.now | t.danger.safe]\n"
	want := "> tg.help\n> tg.privacy {days=90}\n> t.intro\n" + q +
		"> tg.help / t.danger.help\n" + q +
		"> t.crisis / engine.crisis_resume\n" + q +
		"> engine.back_at_start\n" + q +
		"> engine.invalid.choice {count=2 max=0 min=0}\n" + q
	diff(t, "transcript", transcript(h.api.Calls(), u.ID), want)
	if _, err := h.store.Get(context.Background(), bot.SessionKey(u.ID)); err != nil {
		t.Errorf("session: %v", err)
	}
}

// TestDelete: /delete asks first; "no" keeps everything; "yes" removes the
// session in one transaction and the conversation from the chat.
func TestDelete(t *testing.T) {
	h := newHarness(t)
	h.start(nil)
	u := telegramtest.User{ID: 707, LanguageCode: "en"}
	begin(h, u)
	h.press(u, "v1:danger:safe")
	h.waitFor(u, "t.what.ask")
	h.api.SendCommand(u, "/delete")
	h.waitFor(u, "tg.delete.confirm")
	h.press(u, "v1:!del:n")
	h.waitFor(u, "t.what.ask")
	h.waitCount(u, "editMessageText", 2)
	h.api.SendCommand(u, "/delete")
	h.waitCount(u, "sendMessage", 5)
	h.press(u, "v1:!del:y")
	h.waitFor(u, "tg.delete.done")
	h.settled()
	want := `> t.intro
> t.danger.ask [t.danger.now | t.danger.safe]
ack
~ #3 t.danger.ask / tg.answer {answer=t.danger.safe}
> t.what.ask [t.what.lies | t.what.abuse | t.what.none | tg.multi.done]
> tg.delete.confirm [cmd.delete.yes | cmd.delete.no]
ack
~ #6 cmd.delete.kept
> tg.delete.confirm [cmd.delete.yes | cmd.delete.no]
ack
del [2,3,4,5,6,7,8]
> tg.delete.done
`
	diff(t, "transcript", transcript(h.api.Calls(), u.ID), want)
	if _, err := h.store.Get(context.Background(), bot.SessionKey(u.ID)); err == nil {
		t.Error("the session survived /delete")
	}
	if sent, err := h.store.RecentSent(context.Background(), u.ID, time.Time{}); err != nil || len(sent) != 0 {
		t.Errorf("the sent log of the chat survived /delete: %v %v", sent, err)
	}
	var left []string
	for _, m := range h.api.Messages(u.ID) {
		left = append(left, m.Text)
	}
	if !slices.Equal(left, []string{"tg.delete.done"}) {
		t.Errorf("messages left in the chat: %q", left)
	}
	// A new start is a new conversation.
	begin(h, u)
}

// TestWebhook serves a whole case by webhook, then checks what the webhook
// refuses.
func TestWebhook(t *testing.T) {
	h := newHarness(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String() + "/hook"
	b, err := bot.New(h.config())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.RunWebhook(ctx, bot.WebhookConfig{URL: url, Secret: "s3cret", Listener: ln}) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("RunWebhook: %v", err)
		}
	}()
	u := telegramtest.User{ID: 708, LanguageCode: "en"}
	walk(h, u)
	h.settled()
	diff(t, "transcript", transcript(h.api.Calls(), u.ID), wantEnglish)
	if h.api.Webhook() != url {
		t.Errorf("webhook set to %q, want %q", h.api.Webhook(), url)
	}

	post := func(method, secret string, body []byte) int {
		req, err := http.NewRequest(method, url, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if secret != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	update := []byte(`{"update_id": 999999, "channel_post": {"message_id": 1, "date": 1, "chat": {"id": -1, "type": "channel"}, "text": "x"}}`)
	for _, c := range []struct {
		name, method, secret string
		body                 []byte
		want                 int
	}{
		{"GET", http.MethodGet, "s3cret", nil, http.StatusMethodNotAllowed},
		{"no secret", http.MethodPost, "", update, http.StatusUnauthorized},
		{"wrong secret", http.MethodPost, "s3cret!", update, http.StatusUnauthorized},
		{"2 MiB", http.MethodPost, "s3cret", bytes.Repeat([]byte(" "), 2<<20), http.StatusRequestEntityTooLarge},
		{"not JSON", http.MethodPost, "s3cret", []byte("hello"), http.StatusBadRequest},
		{"good", http.MethodPost, "s3cret", update, http.StatusOK},
	} {
		if got := post(c.method, c.secret, c.body); got != c.want {
			t.Errorf("%s: status %d, want %d", c.name, got, c.want)
		}
	}
}

func TestWebhookNeedsSecret(t *testing.T) {
	h := newHarness(t)
	b, err := bot.New(h.config())
	if err != nil {
		t.Fatal(err)
	}
	if err := b.RunWebhook(context.Background(), bot.WebhookConfig{URL: "https://x.example/hook", Listen: "127.0.0.1:0"}); err == nil {
		t.Error("a webhook without a secret token was served")
	}
}

func TestWrongTokenFailsFast(t *testing.T) {
	h := newHarness(t)
	cfg := h.config()
	cfg.Token = "999:wrong"
	b, err := bot.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = b.Run(h.ctx)
	if err == nil || !strings.Contains(err.Error(), "token") {
		t.Errorf("Run with a wrong token: %v, want an error about the token", err)
	}
}

func TestMessagesListed(t *testing.T) {
	for id := range bot.Messages {
		if !strings.HasPrefix(id, "tg.") {
			t.Errorf("transport message %q does not start with tg.", id)
		}
	}
	if len(bot.Messages) < 20 {
		t.Errorf("only %d messages listed", len(bot.Messages))
	}
}
