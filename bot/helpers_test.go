package bot_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/redress-legal/redress/bot"
	"github.com/redress-legal/redress/bot/telegramtest"
	"github.com/redress-legal/redress/flows"
	"github.com/redress-legal/redress/flows/flowstest"
	"github.com/redress-legal/redress/internal/testutil"
)

const token = "123456:TEST-token"

// fakeLoc renders a message as its ID, prefixed with the language when it
// is not English, followed by its parameters: tests read what the fake
// Telegram received as message IDs.
type fakeLoc struct{}

func (fakeLoc) Match(code string) string {
	if strings.HasPrefix(strings.ToLower(code), "zh") {
		return "zh"
	}
	return "en"
}

func (fakeLoc) Languages() []string { return []string{"en", "zh"} }

func (fakeLoc) Text(lang string, m flows.Message) string {
	s := m.ID
	if lang != "en" {
		s = lang + ":" + s
	}
	if len(m.Params) > 0 {
		keys := make([]string, 0, len(m.Params))
		for k := range m.Params {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var ps []string
		for _, k := range keys {
			ps = append(ps, fmt.Sprintf("%s=%v", k, m.Params[k]))
		}
		s += " {" + strings.Join(ps, " ") + "}"
	}
	return s
}

func loadFlow(t testing.TB) *flows.Flow {
	t.Helper()
	data, err := os.ReadFile("testdata/tiny.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := flows.Parse("tiny.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// syncBuffer is a log sink safe for concurrent writers.
type syncBuffer = testutil.SyncBuffer

// harness is a bot on a fake Bot API and an in-memory store.
type harness struct {
	t     *testing.T
	api   *telegramtest.Server
	store *flowstest.MemStore
	flow  *flows.Flow
	logs  *syncBuffer
	ctx   context.Context // the test's deadline: a safety net, not an assertion

	cancel context.CancelFunc
	done   chan error
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return &harness{
		t:     t,
		api:   telegramtest.New(t, token),
		store: flowstest.NewMemStore(),
		flow:  loadFlow(t),
		logs:  &syncBuffer{},
		ctx:   ctx,
	}
}

func (h *harness) config() bot.Config {
	return bot.Config{
		Token:        token,
		APIURL:       h.api.URL,
		Store:        h.store,
		Flow:         h.flow,
		Localizer:    fakeLoc{},
		Logger:       slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		PollTimeout:  time.Second,
		OutboxPoll:   20 * time.Millisecond,
		DrainTimeout: 5 * time.Second,
	}
}

// start runs a bot by long polling; edit may change its configuration.
func (h *harness) start(edit func(*bot.Config)) {
	h.t.Helper()
	cfg := h.config()
	if edit != nil {
		edit(&cfg)
	}
	b, err := bot.New(cfg)
	if err != nil {
		h.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel, h.done = cancel, make(chan error, 1)
	go func() { h.done <- b.Run(ctx) }()
	h.t.Cleanup(func() { h.stop() })
}

// stop shuts the bot down gracefully and waits for it.
func (h *harness) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	if err := <-h.done; err != nil {
		h.t.Errorf("Run: %v", err)
	}
	h.cancel = nil
}

// fail reports a failure and ends the calling goroutine, which may be a
// simulated user's rather than the test's own.
func (h *harness) fail(format string, args ...any) {
	h.t.Helper()
	h.t.Errorf(format, args...)
	runtime.Goexit()
}

// eventually waits until cond holds; the test fails if its deadline passes.
func (h *harness) eventually(what string, cond func() bool) {
	h.t.Helper()
	for !cond() {
		select {
		case <-h.ctx.Done():
			h.fail("timed out waiting for %s\ncalls:\n%s", what, transcriptAll(h.api.Calls()))
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// waitChat waits until cond holds for the calls to u's chat.
func (h *harness) waitChat(u telegramtest.User, what string, cond func([]telegramtest.Call) bool) {
	h.t.Helper()
	if err := h.api.WaitChat(h.ctx, u.ID, cond); err != nil {
		h.fail("timed out waiting for %s\ncalls:\n%s", what, transcriptAll(h.api.Calls()))
	}
}

// settled waits until every update was confirmed and the outbox is empty.
func (h *harness) settled() {
	h.t.Helper()
	h.eventually("the bot to settle", func() bool {
		rows, err := h.store.Pending(context.Background(), 0)
		return err == nil && len(rows) == 0 && h.api.Pending() == 0
	})
}

// waitFor waits until a message sent to u's chat contains id.
func (h *harness) waitFor(u telegramtest.User, id string) {
	h.t.Helper()
	h.waitChat(u, fmt.Sprintf("%q in chat %d", id, u.ID), func(calls []telegramtest.Call) bool {
		for _, c := range calls {
			if c.OK() && c.Method == "sendMessage" && c.Chat() == u.ID && slices.Contains(ids(c.PlainText()), id) {
				return true
			}
		}
		return false
	})
}

// waitCount waits until u's chat has had n successful calls of method.
func (h *harness) waitCount(u telegramtest.User, method string, n int) {
	h.t.Helper()
	h.waitChat(u, fmt.Sprintf("%d %s in chat %d", n, method, u.ID), func(calls []telegramtest.Call) bool {
		k := 0
		for _, c := range calls {
			if c.OK() && c.Method == method && c.Chat() == u.ID {
				k++
			}
		}
		return k >= n
	})
}

// press presses the newest button with data in u's chat.
func (h *harness) press(u telegramtest.User, data string) int64 {
	h.t.Helper()
	id, ok := h.api.PressButton(u, data)
	if !ok {
		h.fail("no button %q in chat %d\n%s", data, u.ID, transcript(h.api.Calls(), u.ID))
	}
	return id
}

// ids splits a rendered text into its paragraphs (message IDs with params).
func ids(text string) []string {
	var out []string
	for _, p := range strings.Split(text, "\n\n") {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// transcript renders the successful calls to chat, one a line:
//
//	> t.intro / t.danger.ask [t.danger.now | t.danger.safe]   sendMessage
//	~ #3 t.danger.ask / tg.answer {…}                         editMessageText
//	~kb #3 [✓ t.what.lies | …]                                 editMessageReplyMarkup
//	ack                                                        answerCallbackQuery
//	del 1-9                                                    deleteMessages
func transcript(calls []telegramtest.Call, chat int64) string {
	var b strings.Builder
	for _, c := range telegramtest.Filter(calls, chat, "") {
		line := ""
		switch c.Method {
		case "sendMessage":
			line = "> " + strings.Join(ids(c.PlainText()), " / ") + buttons(c)
		case "editMessageText":
			line = fmt.Sprintf("~ #%d %s%s", c.MessageID(), strings.Join(ids(c.PlainText()), " / "), buttons(c))
		case "editMessageReplyMarkup":
			line = fmt.Sprintf("~kb #%d%s", c.MessageID(), buttons(c))
		case "answerCallbackQuery":
			line = "ack"
			if t := c.Params["text"]; t != "" {
				line += " " + t
			}
		case "deleteMessages":
			line = "del " + c.Params["message_ids"]
		default:
			continue
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

func buttons(c telegramtest.Call) string {
	bs := c.Buttons()
	if len(bs) == 0 {
		return ""
	}
	var labels []string
	for _, b := range bs {
		labels = append(labels, b.Text)
	}
	return " [" + strings.Join(labels, " | ") + "]"
}

func transcriptAll(calls []telegramtest.Call) string {
	var b strings.Builder
	for _, c := range calls {
		if c.Method == "getUpdates" && c.OK() {
			continue
		}
		fmt.Fprintf(&b, "%s %d chat=%d %q\n", c.Method, c.Status, c.Chat(), c.PlainText())
	}
	return b.String()
}

// diff reports the first differing line of two transcripts.
func diff(t *testing.T, what, got, want string) {
	t.Helper()
	if got == want {
		return
	}
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			t.Errorf("%s differs at line %d:\n got: %s\nwant: %s\n\nfull transcript:\n%s", what, i+1, gl, wl, got)
			return
		}
	}
}
