package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redress-legal/redress/data"
	"github.com/redress-legal/redress/flows"
	"github.com/redress-legal/redress/tools/load/tgfake"
)

// The operator's side of issue 12: the admin listener (/healthz, /readyz,
// /metrics), backups taken while the bot serves, and logs that hold no
// conversation.

// get fetches path from the admin listener at addr: status and body.
func get(t *testing.T, addr, path string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get("http://" + addr + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp.StatusCode, string(b)
}

// scrape reads /metrics into series ("name{label=\"v\",...}" as exposed)
// and their values, and returns the text too.
func scrape(t *testing.T, addr string) (map[string]float64, string) {
	t.Helper()
	code, body := get(t, addr, "/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics answered %d: %s", code, body)
	}
	series := map[string]float64{}
	for _, l := range strings.Split(body, "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		i := strings.LastIndexByte(l, ' ')
		v, err := strconv.ParseFloat(l[i+1:], 64)
		if err != nil {
			t.Fatalf("/metrics line %q: %v", l, err)
		}
		series[l[:i]] = v
	}
	return series, body
}

// labelValues lists every label value of every series.
func labelValues(series map[string]float64) []string {
	var vs []string
	for s := range series {
		_, labels, ok := strings.Cut(s, "{")
		if !ok {
			continue
		}
		for _, kv := range strings.Split(strings.TrimSuffix(labels, "}"), ",") {
			if _, v, ok := strings.Cut(kv, "="); ok {
				vs = append(vs, strings.Trim(v, `"`))
			}
		}
	}
	return vs
}

// waitStatus polls path until it answers want, and returns the body.
func waitStatus(t *testing.T, addr, path string, want int, within time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		code, body := get(t, addr, path)
		if code == want {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s answered %d (%q) for %s, want %d", path, code, strings.TrimSpace(body), within, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestMetricsDuringAConversation scrapes /metrics while one user walks a
// whole case through the fake Bot API, with some calls answered 429: the
// counters an operator's dashboard reads have moved as they should, the
// store's gauges are there, and no label holds a chat ID or the user's
// words.
func TestMetricsDuringAConversation(t *testing.T) {
	e := newEnv(t, tgfake.Config{KeepText: true, Faults: tgfake.Faults{Rate429: 0.15, RetryAfter: 1, Seed: 7}})
	admin := freeAddr(t)
	p := e.start("--admin-listen", admin)
	if code, body := get(t, admin, "/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz: %d %s", code, body)
	}
	waitStatus(t, admin, "/readyz", http.StatusOK, 10*time.Second)
	before, _ := scrape(t, admin)

	secret := canary(t)
	const chat = 7_301_234
	runCase(t, e, caseScript(t, "He wrote "+secret), chat)
	series, text := scrape(t, admin)
	p.stop(t)

	grew := func(s string) float64 { return series[s] - before[s] }
	for _, c := range []struct {
		series string
		min    float64
	}{
		{`redress_updates_total{kind="message"}`, 2},        // /start and the story
		{`redress_updates_total{kind="callback_query"}`, 5}, // the five buttons
		{`redress_update_duration_seconds_count`, 7},
		{`redress_conversations_started_total`, 1},
		{`redress_conversations_completed_total{outcome="result"}`, 1},
		{`redress_telegram_calls_total{code="200",method="sendMessage"}`, 7},
		{`redress_telegram_calls_total{code="200",method="getUpdates"}`, 1},
		{`redress_telegram_rate_limited_total`, 1},
	} {
		if g := grew(c.series); g < c.min {
			t.Errorf("%s grew by %v during the case, want at least %v", c.series, g, c.min)
		}
	}
	if g := grew(`redress_conversations_completed_total{outcome="result"}`); g != 1 {
		t.Errorf("one case completed, counted %v times", g)
	}
	if grew(`redress_telegram_calls_total{code="429",method="sendMessage"}`)+grew(`redress_telegram_calls_total{code="429",method="editMessageText"}`)+
		grew(`redress_telegram_calls_total{code="429",method="answerCallbackQuery"}`) < 1 {
		t.Errorf("no 429 counted by method:\n%s", text)
	}
	retries := 0.0
	for s, v := range series {
		if strings.HasPrefix(s, "redress_retries_total{") {
			retries += v
		}
	}
	if retries < 1 {
		t.Error("calls answered 429 were retried, but redress_retries_total did not count them")
	}
	for _, g := range []string{"redress_outbox_depth", "redress_sessions_active"} {
		if _, ok := series[g]; !ok {
			t.Errorf("gauge %s is missing from /metrics", g)
		}
	}
	if series["redress_sessions_active"] < 1 {
		t.Errorf("redress_sessions_active = %v after a conversation", series["redress_sessions_active"])
	}
	if strings.Contains(text, secret) {
		t.Error("/metrics holds what the user wrote")
	}
	for _, v := range labelValues(series) {
		if strings.Contains(v, strconv.Itoa(chat)) || strings.Contains(v, "tg:") {
			t.Errorf("a label holds a chat identifier: %q", v)
		}
	}
}

// TestReadyzWhenTheDatabaseCannotBeWritten: /readyz answers 503 naming the
// database while no write can reach it, and 200 again once writes work —
// with the disk "full" (the process's file size limit lowered to one
// byte, as a full disk fails writes) and with the files read-only
// (chattr +i: even open descriptors cannot write; needs root and ext4,
// skipped elsewhere).
func TestReadyzWhenTheDatabaseCannotBeWritten(t *testing.T) {
	for _, c := range []struct {
		name   string
		inject func(t *testing.T, e *env, p *proc) (repair func())
	}{
		{"disk full", func(t *testing.T, e *env, p *proc) func() {
			if err := setFileSizeLimit(p.cmd.Process.Pid, 1); err != nil {
				t.Skipf("cannot limit the bot's file size: %v", err)
			}
			return func() {
				if err := setFileSizeLimit(p.cmd.Process.Pid, ^uint64(0)); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{"read-only", func(t *testing.T, e *env, p *proc) func() {
			return immutable(t, e.db, e.db+"-wal")
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, tgfake.Config{})
			admin := freeAddr(t)
			p := e.start("--admin-listen", admin)
			waitStatus(t, admin, "/readyz", http.StatusOK, 10*time.Second)
			repair := c.inject(t, e, p)
			body := waitStatus(t, admin, "/readyz", http.StatusServiceUnavailable, 10*time.Second)
			if !strings.Contains(body, "database") {
				t.Errorf("/readyz says %q, want the database named", body)
			}
			if code, _ := get(t, admin, "/healthz"); code != http.StatusOK {
				t.Errorf("/healthz answered %d while the process is up", code)
			}
			repair()
			waitStatus(t, admin, "/readyz", http.StatusOK, 20*time.Second)
			p.stop(t)
		})
	}
}

// TestReadyzWhenTelegramIsUnreachable: with the Bot API gone, /readyz
// answers 503 naming Telegram.
func TestReadyzWhenTelegramIsUnreachable(t *testing.T) {
	e := newEnv(t, tgfake.Config{MaxPollWait: time.Second})
	admin := freeAddr(t)
	p := e.start("--admin-listen", admin)
	waitStatus(t, admin, "/readyz", http.StatusOK, 10*time.Second)
	if err := e.fake.Close(); err != nil {
		t.Logf("closing the fake: %v", err)
	}
	body := waitStatus(t, admin, "/readyz", http.StatusServiceUnavailable, 20*time.Second)
	if !strings.Contains(body, "telegram") || strings.Contains(body, token) {
		t.Errorf("/readyz says %q: want Telegram named, and never the token", body)
	}
	p.stop(t)
}

// TestBackupWhileServingRestoresWithTheKey takes a backup with `redress
// backup` while 100 chats talk to the bot, restores it in another
// directory with the key, and reads back every conversation finished
// before the backup began, complete; every other one in it opens too.
// Without the key the backup does not open, and the users' words are not
// in its bytes.
func TestBackupWhileServingRestoresWithTheKey(t *testing.T) {
	e := newEnv(t, tgfake.Config{})
	sc := script(t, "questionnaire.txt")
	p := e.start()
	const users = 100
	res, err := tgfake.RunLoad(context.Background(), e.fake, tgfake.LoadConfig{
		Users: users, Conversations: 1, Script: sc, ChatBase: 1_000_000, StepTimeout: 60 * time.Second,
	})
	if err != nil || res.Conversations != users || res.Failed != 0 {
		t.Fatalf("the first %d conversations: %v %+v", users, err, res.Errors)
	}
	// 100 more chats talk while the backup is taken.
	finish := loadUntilStopped(t, e, tgfake.LoadConfig{Users: users, Conversations: 1000, Script: sc, ChatBase: 2_000_000, StepTimeout: 60 * time.Second})
	time.Sleep(500 * time.Millisecond)
	dest := filepath.Join(t.TempDir(), "backup.db")
	cmd := exec.Command(redressBin, "backup", "--db", e.db, dest)
	cmd.Env = append(os.Environ(), "REDRESS_KEY="+e.key)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("redress backup while serving: %v\n%s", err, out)
	}
	during := finish()
	p.stop(t)
	t.Logf("redress backup said:\n%s(%d conversations finished by the second group meanwhile)", out, during.Conversations)
	if during.Failed != 0 {
		t.Errorf("%d conversations failed while the backup was taken: %v", during.Failed, during.Errors)
	}
	if !strings.Contains(string(out), "$REDRESS_KEY") || strings.Contains(string(out), e.key) {
		t.Errorf("the backup's output must say where the key is, and never show it:\n%s", out)
	}
	if st, err := os.Stat(dest); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("the backup file: %v, mode %v; want 0600", err, st.Mode())
	}

	// Restore elsewhere: the file copied as the database, with the key.
	restored := filepath.Join(t.TempDir(), "redress.db")
	b, err := os.ReadFile(dest)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(restored, b, 0o600); err != nil {
		t.Fatal(err)
	}
	key, err := data.KeyFromEnv(e.key)
	if err != nil {
		t.Fatal(err)
	}
	db, err := data.Open(context.Background(), restored, data.WithKey(key))
	if err != nil {
		t.Fatalf("the restored backup does not open with its key: %v", err)
	}
	defer db.Close()
	want := questionnaireAnswers(sc)
	for i := int64(1); i <= users; i++ {
		checkFinished(t, db, 1_000_000+i, want)
	}
	inBackup := 0
	for i := int64(1); i <= users; i++ {
		s, err := db.Get(context.Background(), fmt.Sprintf("tg:%d", 2_000_000+i))
		switch {
		case errors.Is(err, flows.ErrNotFound):
		case err != nil:
			t.Errorf("chat %d in the backup: %v", 2_000_000+i, err)
		default:
			inBackup++
			if s.State.Flow == "" {
				t.Errorf("chat %d in the backup has an empty state", 2_000_000+i)
			}
		}
	}
	t.Logf("%d of the %d chats talking during the backup are in it", inBackup, users)

	// Without its key, the backup is unreadable.
	other := make([]byte, 32)
	other[0] = 1
	wrong := filepath.Join(t.TempDir(), "redress.db")
	if err := os.WriteFile(wrong, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if db, err := data.Open(context.Background(), wrong, data.WithKey(other)); !errors.Is(err, data.ErrWrongKey) {
		if err == nil {
			db.Close()
		}
		t.Errorf("the backup opened with another key: %v; want data.ErrWrongKey", err)
	}
	story := sc.Steps[len(sc.Steps)-1].Text
	if strings.Contains(string(b), story) || strings.Contains(string(b), `"c":"lies"`) {
		t.Error("the backup holds the users' answers in clear")
	}
}

// leaked is what a whole conversation's user typed that must never appear
// in a log: each canary is distinctive, so finding one anywhere is a leak.
type leaked struct{ canaries []string }

// add makes a new canary and returns it.
func (l *leaked) add(t *testing.T) string {
	c := canary(t)
	l.canaries = append(l.canaries, c)
	return c
}

// check fails t for every canary found in logs.
func (l *leaked) check(t *testing.T, logs string) {
	t.Helper()
	for _, c := range l.canaries {
		if strings.Contains(logs, c) {
			t.Errorf("the log holds %q, typed by a user", c)
		}
	}
}

// TestNoUserTextInAnyLog pushes canaries through a whole conversation at
// the most talkative log level, in JSON: the free-text answer, an
// unexpected message, a photo's caption, an edited message, a text where a
// button was expected; the bot is killed and restarted in the middle, so
// the recovery's lines are searched too. The conversation then goes on to
// the hand-off (--handoff-chat): a contact way typed and shared on the
// case card, a text typed before any volunteer has the case, one relayed
// to the volunteer who claimed it, the volunteers' own chatter in their
// group, and the volunteer's /reply. No canary may be in any line of
// stdout or stderr, and every line must be one JSON object; the canaries
// the hand-off carries do reach Telegram (the fake Bot API), where they
// belong, which shows they went through the code whose logs are searched.
func TestNoUserTextInAnyLog(t *testing.T) {
	e := newEnv(t, tgfake.Config{KeepText: true})
	e.args = []string{"--log-level", "debug", "--log-format", "json",
		"--handoff-chat", strconv.FormatInt(volunteersChat, 10), "--handoff-lang", "en"}
	e.fake.Register(volunteersChat, "en")
	p := e.start()
	var l leaked
	// One chat sends what is not an answer: a greeting, a text where a
	// button is expected, a photo with a caption, an edit.
	const other, chat = 7_401_000, 7_401_234
	e.fake.Register(other, "en")
	e.fake.SendText(other, "en", "hello "+l.add(t))
	e.fake.SendText(other, "en", "not a button "+l.add(t))
	photo, edit := l.add(t), l.add(t)
	e.fake.PushRaw(func(id int64) []byte {
		return rawMessage(id, other, "message", map[string]any{"caption": "look " + photo,
			"photo": []any{map[string]any{"file_id": "p", "file_unique_id": "u", "width": 1, "height": 1}}})
	})
	e.fake.PushRaw(func(id int64) []byte {
		return rawMessage(id, other, "edited_message", map[string]any{"text": "edited " + edit, "edit_date": time.Now().Unix()})
	})
	time.Sleep(300 * time.Millisecond)
	p.kill() // the restart's lines are searched too
	p = e.start()
	// Another walks a whole case, with a canary in the free-text answer.
	runCase(t, e, caseScript(t, "He wrote "+l.add(t)+" about me"), chat)
	handoffCanaries(t, e, chat, &l)
	deadline := time.Now().Add(30 * time.Second)
	for e.fake.Pending() > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	p.stop(t)
	logs := e.logs.String()
	l.check(t, logs)
	lines := strings.Split(strings.TrimSpace(logs), "\n")
	updates := 0
	events := map[any]int{}
	for _, line := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Errorf("a log line is not JSON: %q", line)
			continue
		}
		if m["msg"] == "update" {
			updates++
			events[m["event"]]++
		}
	}
	if updates < 17 {
		t.Errorf("%d debug lines for updates in the log, want one per update (the search must see them)", updates)
	}
	// The hand-off's updates were logged (and so searched): the card sent,
	// the claim, the person's text relayed, the volunteers' chatter
	// (ignored: no other update here is), the volunteer's /reply relayed.
	for _, ev := range []string{"opened", "claim", "relay", "relayed", "ignored"} {
		if events[ev] == 0 {
			t.Errorf("no debug line for a hand-off update with event %q (events logged: %v)", ev, events)
		}
	}
}

// volunteersChat is the volunteers' group of TestNoUserTextInAnyLog.
const volunteersChat = -1_007_401_000

// handoffCanaries carries a finished conversation in chat on to the
// hand-off, with a canary in everything typed: the person asks for a
// volunteer and types a contact way, agrees to share it, writes before
// anyone has the case; a volunteer claims it, the person writes to them,
// the volunteers chat among themselves, and the volunteer answers with
// /reply. What is relayed must reach the other side through the fake Bot
// API (the test then knows the canaries went through the hand-off).
func handoffCanaries(t *testing.T, e *env, chat int64, l *leaked) {
	t.Helper()
	person, group := e.fake.Chat(chat), e.fake.Chat(volunteersChat)
	e.fake.SendText(chat, "en", "/human")
	pressWhenShown(t, e, chat, "v1:!ho:typed")
	awaitText(t, person, "Type the phone number")
	contact := "+86 138 0000 1234 " + l.add(t)
	e.fake.SendText(chat, "en", contact)
	awaitText(t, person, "will be visible to everyone")
	pressWhenShown(t, e, chat, "v1:!hc:y")
	awaitText(t, person, "Sent as case ")
	early := "is anyone there? " + l.add(t)
	before := len(person.Calls())
	e.fake.SendText(chat, "en", early) // no volunteer has the case yet: not relayed
	// The person's chat and the volunteers' are served concurrently: the
	// claim below must come after the bot has answered this text, or the
	// text could be relayed to a volunteer who claimed it first.
	if !person.WaitFor(context.Background(), 30*time.Second, func(calls []tgfake.Call, _ int) bool { return len(calls) > before }) {
		t.Fatalf("no answer to a text typed before the case was claimed; the chat holds: %v", texts(person))
	}

	// The card, with the contact the person agreed to share.
	cardID, cardText, kb := buttonsWhere(t, group, func(kb []tgfake.Button) bool {
		return len(kb) == 1 && strings.HasPrefix(kb[0].CallbackData, "v1:!claim:")
	})
	caseID := strings.TrimPrefix(kb[0].CallbackData, "v1:!claim:")
	if !strings.Contains(cardText, contact) {
		t.Errorf("the card lacks the contact way the person agreed to share:\n%s", cardText)
	}

	// Claimed; then a text each way, and the volunteers' own words.
	e.fake.PushRaw(func(id int64) []byte {
		cb := fmt.Sprintf("claim-%d", id)
		e.fake.RegisterCallback(cb, volunteersChat)
		b, _ := json.Marshal(map[string]any{"update_id": id, "callback_query": map[string]any{
			"id": cb, "from": volunteerUser, "chat_instance": "vol", "data": "v1:!claim:" + caseID,
			"message": map[string]any{"message_id": cardID, "date": time.Now().Unix(), "chat": groupChat, "text": cardText,
				"reply_markup": map[string]any{"inline_keyboard": [][]map[string]any{{{"text": "Claim", "callback_data": "v1:!claim:" + caseID}}}}},
		}})
		return b
	})
	awaitText(t, person, "Ana, a volunteer, has taken your case "+caseID)
	relayed := "they found my new account " + l.add(t)
	e.fake.SendText(chat, "en", relayed)
	awaitText(t, group, relayed)
	groupText(e, "I can take this one, I know the area "+l.add(t))
	reply := "We can help you file the report " + l.add(t)
	groupText(e, "/reply "+caseID+" "+reply)
	awaitText(t, person, reply)
	awaitText(t, group, "Sent to case "+caseID+".")
	for _, tx := range texts(group) {
		if strings.Contains(tx, early) {
			t.Errorf("text typed before any volunteer had the case reached the group:\n%s", tx)
		}
	}
}

// The volunteer of TestNoUserTextInAnyLog, and their group as a Chat.
var (
	volunteerUser = map[string]any{"id": 5_150, "is_bot": false, "first_name": "Ana", "language_code": "en"}
	groupChat     = map[string]any{"id": volunteersChat, "type": "supergroup", "title": "Volunteers"}
)

// groupText makes the volunteer write text in the volunteers' group.
func groupText(e *env, text string) {
	e.fake.PushRaw(func(id int64) []byte {
		m := map[string]any{"message_id": 9_000 + id, "date": time.Now().Unix(), "chat": groupChat, "from": volunteerUser, "text": text}
		if strings.HasPrefix(text, "/") {
			word, _, _ := strings.Cut(text, " ")
			m["entities"] = []any{map[string]any{"type": "bot_command", "offset": 0, "length": len(word)}}
		}
		b, _ := json.Marshal(map[string]any{"update_id": id, "message": m})
		return b
	})
}

// awaitText waits until a call of the bot to chat holds sub.
func awaitText(t *testing.T, c *tgfake.Chat, sub string) {
	t.Helper()
	if !c.WaitFor(context.Background(), 30*time.Second, func(calls []tgfake.Call, _ int) bool {
		for _, cl := range calls {
			if strings.Contains(cl.Text, sub) {
				return true
			}
		}
		return false
	}) {
		t.Fatalf("chat %d: nothing with %q; it holds: %v", c.ID, sub, texts(c))
	}
}

// pressWhenShown waits for the newest message with buttons in chat to
// have one with data, and presses it.
func pressWhenShown(t *testing.T, e *env, chat int64, data string) {
	t.Helper()
	id, text, kb := buttonsWhere(t, e.fake.Chat(chat), func(kb []tgfake.Button) bool {
		return slices.ContainsFunc(kb, func(b tgfake.Button) bool { return b.CallbackData == data })
	})
	e.fake.PressData(chat, id, text, kb, data)
}

// buttonsWhere waits for the newest message with buttons in c to have
// buttons that fit, and returns that message.
func buttonsWhere(t *testing.T, c *tgfake.Chat, fit func([]tgfake.Button) bool) (int, string, []tgfake.Button) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		id, text, kb, ok := c.Keyboard()
		if ok && fit(kb) {
			return id, text, kb
		}
		if time.Now().After(deadline) {
			t.Fatalf("chat %d: no buttons as wanted; the last: %v; the chat holds: %v", c.ID, kb, texts(c))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// texts lists the texts of a chat's calls, for a failure's message.
func texts(c *tgfake.Chat) []string {
	var ts []string
	for _, cl := range c.Calls() {
		ts = append(ts, cl.Text)
	}
	return ts
}

// rawMessage is an update of kind ("message", "edited_message") from a
// private chat with the extra fields.
func rawMessage(id, chat int64, kind string, extra map[string]any) []byte {
	m := map[string]any{"message_id": 900 + id, "date": time.Now().Unix(),
		"chat": map[string]any{"id": chat, "type": "private", "first_name": "C"},
		"from": map[string]any{"id": chat, "is_bot": false, "first_name": "C", "language_code": "en"}}
	for k, v := range extra {
		m[k] = v
	}
	b, _ := json.Marshal(map[string]any{"update_id": id, kind: m})
	return b
}
