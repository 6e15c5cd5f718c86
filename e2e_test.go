package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redress-legal/redress/bot/telegramtest"
	"github.com/redress-legal/redress/commands"
	"github.com/redress-legal/redress/flows"
)

// TestServeEndToEnd builds the real binary and runs `redress serve` against
// the fake Bot API on loopback. Two users, one in English and one in
// Chinese, walk a whole case of the built-in flow to its assessment. In the
// middle the process is killed with SIGKILL right after both users acted,
// and started again on the same database: the conversations finish with
// nothing lost, and at most the one message in flight repeated. SIGTERM
// then stops it with exit status 0.
//
// The expected replies come from the engine itself: the test runs
// flows.Step beside the bot on its own copy of each user's state and
// renders the messages with the same catalogs.
func TestServeEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	dir := t.TempDir()
	const token = "424242:E2E-token"
	api := telegramtest.New(t, token)
	flow, loc := e2eFlow(t)
	logs := &lockedBuffer{}
	bin := redressBinary(t)
	run := func() *exec.Cmd { return startServe(t, ctx, bin, api, token, dir, logs) }
	cmd := run()
	defer func() {
		if cmd != nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}()

	users := []*e2eUser{
		{User: telegramtest.User{ID: 9001, LanguageCode: "en-US"}, press: true},
		{User: telegramtest.User{ID: 9002, LanguageCode: "zh-hans"}, press: false},
	}
	for _, u := range users {
		u.init(t, api, flow, loc)
	}
	killed := false
	for step := 0; ; step++ {
		active := slices.DeleteFunc(slices.Clone(users), func(u *e2eUser) bool { return u.next == nil })
		if len(active) == 0 {
			break
		}
		if step > 200 {
			t.Fatal("no outcome after 200 steps")
		}
		for _, u := range active {
			u.act()
		}
		// Kill the bot in the middle of the case, while the answers just
		// given are being handled, and start it again.
		crash := !killed && step >= 6 && !slices.ContainsFunc(active, func(u *e2eUser) bool { return u.toggling })
		if crash {
			killed = true
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()
			cmd = run()
		}
		for _, u := range active {
			if crash {
				u.repeats = 1
			}
			u.await(ctx)
		}
	}
	if !killed {
		t.Error("the case ended before the kill point")
	}
	for _, u := range users {
		sent := api.CallsTo(u.ID, "sendMessage")
		repeats := 0
		for i := 1; i < len(sent); i++ {
			if sent[i].PlainText() == sent[i-1].PlainText() {
				repeats++
			}
		}
		if repeats > 1 {
			t.Errorf("user %d: %d messages repeated; at most the one in flight at the crash may be", u.ID, repeats)
		}
		t.Logf("user %d (%s): %d questions, %d messages, %d repeated", u.ID, u.LanguageCode, u.questions, len(sent), repeats)
		if !u.state.Done || u.questions < 8 {
			t.Errorf("user %d: walked %d questions, done=%v; want a whole case", u.ID, u.questions, u.state.Done)
		}
	}

	// SIGTERM drains and exits 0.
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("redress serve after SIGTERM: %v\n%s", err, logs.String())
	}
	cmd = nil
	out := logs.String()
	for _, secret := range []string{e2eStory, "6000"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds a user's answer %q", secret)
		}
	}
	if strings.Contains(out, "level=ERROR") {
		t.Errorf("errors logged:\n%s", out)
	}
	if rest := api.Pending(); rest != 0 {
		t.Errorf("%d updates never confirmed", rest)
	}
}

// TestServeHundredChats runs 100 users at once through whole cases of the
// built-in flow against the real binary, half of them in Chinese, half
// answering by typing: every one gets exactly the engine's replies, in
// order, none twice, and nothing is logged as an error.
func TestServeHundredChats(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	const token = "434343:E2E-token"
	api := telegramtest.New(t, token)
	flow, loc := e2eFlow(t)
	logs := &lockedBuffer{}
	cmd := startServe(t, ctx, redressBinary(t), api, token, t.TempDir(), logs)
	var wg sync.WaitGroup
	users := make([]*e2eUser, 100)
	for i := range users {
		u := &e2eUser{User: telegramtest.User{ID: int64(20000 + i), LanguageCode: "en"}, press: i%3 != 0}
		if i%2 == 1 {
			u.LanguageCode = "zh-CN"
		}
		u.init(t, api, flow, loc)
		users[i] = u
		wg.Add(1)
		go func() {
			defer wg.Done()
			for step := 0; u.next != nil; step++ {
				if step > 200 {
					u.fail("no outcome after 200 steps")
				}
				u.act()
				u.await(ctx)
			}
		}()
	}
	wg.Wait()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("redress serve after SIGTERM: %v", err)
	}
	for _, u := range users {
		if !u.state.Done {
			t.Errorf("user %d did not reach an outcome", u.ID)
		}
		sent := api.CallsTo(u.ID, "sendMessage")
		for i := 1; i < len(sent); i++ {
			if sent[i].PlainText() == sent[i-1].PlainText() {
				t.Errorf("user %d: a message was sent twice", u.ID)
			}
		}
	}
	for _, c := range api.Calls() {
		if !c.OK() && c.Method != "getUpdates" {
			t.Errorf("call failed: %s %d", c.Method, c.Status)
		}
	}
	if out := logs.String(); strings.Contains(out, "level=ERROR") {
		t.Errorf("errors logged:\n%s", out)
	}
}

// redressBinary builds the binary into the test's temporary directory
// (the build cache makes the second build a link only).
func redressBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "redress")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startServe starts `redress serve` on the database in dir against api,
// with the extra flags given.
func startServe(t *testing.T, ctx context.Context, bin string, api *telegramtest.Server, token, dir string, logs io.Writer, extra ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.CommandContext(ctx, bin, append([]string{"serve", "--db", filepath.Join(dir, "redress.db"), "--log-level", "debug"}, extra...)...)
	cmd.Env = append(os.Environ(), "TELEGRAM_API_URL="+api.URL, "TELEGRAM_BOT_TOKEN="+token, "REDRESS_KEY=")
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// e2eFlow loads the built-in flow and catalogs, as the binary does.
func e2eFlow(t *testing.T) (*flows.Flow, flows.Localizer) {
	t.Helper()
	flow, err := flows.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	loc, err := newLocalizer("")
	if err != nil {
		t.Fatal(err)
	}
	return flow, loc
}

// e2eStory is the free-text answer; it must not reach the logs.
const e2eStory = "they posted my photo and my employer's address"

// e2eUser is one simulated user and the engine's view of their case.
type e2eUser struct {
	telegramtest.User
	t     *testing.T
	api   *telegramtest.Server
	flow  *flows.Flow
	loc   flows.Localizer
	press bool // answer choices with buttons (else by typing the option number)

	state     flows.State
	next      *action
	questions int
	toggling  bool
	repeats   int // messages that may still come twice (the one in flight at the crash)

	// what the current action expects
	wantTexts []string
	sentAt    int // sendMessage calls to this chat before the action
	editsAt   int // editMessageReplyMarkup calls before the action
}

func (u *e2eUser) init(t *testing.T, api *telegramtest.Server, flow *flows.Flow, loc flows.Localizer) {
	u.t, u.api, u.flow, u.loc = t, api, flow, loc
	u.state = flows.State{Lang: loc.Match(u.LanguageCode)}
	u.next = &action{in: flows.Input{Kind: flows.InStart}, command: "/start"}
}

// fail reports a failure and ends the user's goroutine (or the test's).
func (u *e2eUser) fail(format string, args ...any) {
	u.t.Helper()
	u.t.Errorf(format, args...)
	runtime.Goexit()
}

// action is what the user does next and the engine input it stands for.
type action struct {
	in      flows.Input
	command string // a command or text to send
	data    string // else: the button to press
}

// act performs the next action and computes, with the engine, what the
// bot must answer.
func (u *e2eUser) act() {
	u.t.Helper()
	a := u.next
	a.in.Now = time.Now()
	st, r := flows.Step(u.flow, u.state, a.in)
	if len(r.Faults) > 0 {
		u.fail("user %d: flow faults %v", u.ID, r.Faults)
	}
	u.state = st
	u.wantTexts = nil
	msgs := r.Messages
	if _, ok := flows.Assess(u.flow, st, a.in.Now); ok && r.Done {
		// The conversation layer puts the report's menu under the summary.
		msgs = append(msgs, flows.Message{ID: commands.MsgReportMenu, Kind: flows.KindQuestion})
	}
	for _, m := range msgs {
		if s := strings.TrimSpace(u.loc.Text(st.Lang, m)); s != "" {
			u.wantTexts = append(u.wantTexts, s)
		}
	}
	u.toggling = r.Event == "toggled"
	u.sentAt = len(u.api.CallsTo(u.ID, "sendMessage"))
	u.editsAt = len(u.api.CallsTo(u.ID, "editMessageReplyMarkup"))
	switch {
	case a.data != "":
		if _, ok := u.api.PressButton(u.User, a.data); !ok {
			u.fail("user %d: no button %q", u.ID, a.data)
		}
	case strings.HasPrefix(a.command, "/"):
		u.api.SendCommand(u.User, a.command)
	default:
		u.api.SendText(u.User, a.command)
	}
	u.next = u.choose(r)
}

// choose picks the answer to the question the engine asked.
func (u *e2eUser) choose(r flows.Reply) *action {
	q := r.Question
	if q == nil {
		return nil
	}
	if r.Event != "toggled" {
		u.questions++
	}
	switch q.Type {
	case flows.Choice:
		// The first option that keeps the case going: not the crisis path,
		// not "later".
		i := slices.IndexFunc(q.Choices, func(c flows.ChoiceItem) bool {
			return c.Key != "danger" && c.Key != "selfharm" && c.Key != "later"
		})
		if u.press {
			return &action{in: flows.Input{Kind: flows.InChoose, Node: q.Node, Key: q.Choices[i].Key}, data: "v1:" + q.Node + ":" + q.Choices[i].Key}
		}
		return &action{in: flows.Input{Kind: flows.InText, Text: strconv.Itoa(i + 1)}, command: strconv.Itoa(i + 1)}
	case flows.Multi:
		n := u.flow.Nodes[q.Node]
		ticked := slices.ContainsFunc(q.Choices, func(c flows.ChoiceItem) bool { return c.Selected })
		if ticked {
			return &action{in: flows.Input{Kind: flows.InDone, Node: q.Node}, data: "v1:" + q.Node + ":!d"}
		}
		i := slices.IndexFunc(n.Options, func(o flows.Option) bool { return !o.Exclusive })
		key := n.Options[i].Key
		return &action{in: flows.Input{Kind: flows.InToggle, Node: q.Node, Key: key}, data: "v1:" + q.Node + ":" + key}
	case flows.Number:
		return &action{in: flows.Input{Kind: flows.InText, Text: "6000"}, command: "6000"}
	case flows.Date, flows.Period:
		d := time.Now().In(flows.China).AddDate(0, 0, -30).Format(time.DateOnly)
		return &action{in: flows.Input{Kind: flows.InText, Text: d}, command: d}
	case flows.Text:
		return &action{in: flows.Input{Kind: flows.InText, Text: e2eStory}, command: e2eStory}
	}
	u.fail("user %d: question of type %q", u.ID, q.Type)
	return nil
}

// await waits until the bot has sent exactly what the engine said, in
// order. After a crash one message may come twice in a row: the one that
// was in flight when the process died. Its repeat may come after the step
// was already complete, so it is allowed at the start of the next one too.
func (u *e2eUser) await(ctx context.Context) {
	u.t.Helper()
	want := squash(strings.Join(u.wantTexts, "\n\n"))
	var got string
	repeated := false
	err := u.api.WaitChat(ctx, u.ID, func(calls []telegramtest.Call) bool {
		all := telegramtest.Filter(calls, u.ID, "sendMessage")
		if u.toggling {
			return len(telegramtest.Filter(calls, u.ID, "editMessageReplyMarkup")) > u.editsAt
		}
		var texts []string
		repeated = false
		for i := u.sentAt; i < len(all); i++ {
			if u.repeats > 0 && !repeated && i > 0 && len(texts) == i-u.sentAt && all[i].PlainText() == all[i-1].PlainText() {
				repeated = true // the one repeat allowed
				continue
			}
			texts = append(texts, all[i].PlainText())
		}
		got = squash(strings.Join(texts, "\n\n"))
		return len(got) >= len(want)
	})
	if repeated {
		u.repeats = 0
	}
	if err != nil || got != want {
		var tr strings.Builder
		for _, c := range u.api.Calls() {
			if c.Chat() == u.ID || c.Method == "getUpdates" {
				fmt.Fprintf(&tr, "%s %d %q %v\n", c.Method, c.Status, truncate(c.PlainText(), 60), c.Params["offset"])
			}
		}
		u.fail("user %d: the bot's messages differ from the engine's reply (%v)\n got: %q\nwant: %q\ncalls:\n%s", u.ID, err, got, want, tr.String())
	}
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// squash collapses runs of white space, which Telegram does not keep exactly.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// lockedBuffer collects a child process's output.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
