package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/redress-legal/redress/flows"
	"github.com/redress-legal/redress/internal/testutil"
	"github.com/redress-legal/redress/tools/load/tgfake"
)

var (
	rawFiles = func(t *testing.T, db string) map[string][]byte { return testutil.RawFiles(t, db) }
	findIn   = testutil.FindIn
)

func canary(t *testing.T) string {
	t.Helper()
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "CANARY-" + hex.EncodeToString(b)
}

// caseScript is the questionnaire with the free-text answer set to story.
func caseScript(t *testing.T, story string, extra ...string) *tgfake.Script {
	t.Helper()
	lines := []string{"/start", "press 1", "press 1", "press 1", "press 1", "press 2", "text " + story}
	lines = append(lines, extra...)
	sc, err := tgfake.ParseScript("case", []byte(strings.Join(lines, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func runCase(t *testing.T, e *env, sc *tgfake.Script, chat int64) {
	t.Helper()
	res, err := tgfake.RunLoad(context.Background(), e.fake, tgfake.LoadConfig{
		Users: 1, Conversations: 1, Script: sc, ChatBase: chat - 1, StepTimeout: 60 * time.Second, Settle: 200 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Conversations != 1 || res.Failed != 0 {
		t.Fatalf("the conversation failed: %v", res.Errors)
	}
}

// TestDatabaseHoldsNoPlaintextAnswers: what a user answered and what the
// bot told them never reach the disk in clear — not in the database file,
// not in its WAL — while the bot runs and after it stopped.
func TestDatabaseHoldsNoPlaintextAnswers(t *testing.T) {
	e := newEnv(t, tgfake.Config{KeepText: true})
	p := e.start()
	secret := canary(t)
	runCase(t, e, caseScript(t, "He posted "+secret+" everywhere"), 7001)
	// Things the user chose or was shown, as they would appear in clear.
	clear := []string{secret, "q6_story", `"c":"lies"`, "Someone spread lies about me", "Question 2 of 6", "What may apply"}
	check := func(when string) {
		files := rawFiles(t, e.db)
		if where := findIn(files, e.storedKey(t, "tg:7001")); len(where) == 0 {
			t.Fatalf("%s: the stored session key is not in %v: the search would find nothing", when, len(files))
		}
		if where := findIn(files, "tg:7001"); len(where) > 0 {
			t.Errorf("%s: the session key is in clear in %v: who used the bot is readable", when, where)
		}
		for _, s := range clear {
			if where := findIn(files, s); len(where) > 0 {
				t.Errorf("%s: %q is in clear in %v", when, s, where)
			}
		}
	}
	check("while running")
	p.stop(t)
	check("after stopping")
}

// TestDeleteLeavesNoTrace: after /delete and "yes", nothing of the user is
// left: no session, no pending or sent-message rows, and not a byte of
// their session key or answers in the database file or its WAL.
func TestDeleteLeavesNoTrace(t *testing.T) {
	e := newEnv(t, tgfake.Config{KeepText: true})
	p := e.start()
	secret := canary(t)
	// A second user who keeps their data: the control.
	runCase(t, e, caseScript(t, "kept story"), 7100)
	runCase(t, e, caseScript(t, "Deleted story "+secret, "/delete", "press 1"), 7200)
	calls := transcript(e.fake, 7200)
	last := calls[len(calls)-1]
	if last.Method != "sendMessage" {
		t.Fatalf("after deleting, the last call is %s", last.Method)
	}
	deletes := 0
	for _, c := range calls {
		if c.Method == "deleteMessages" {
			deletes++
		}
	}
	if deletes == 0 {
		t.Error("the bot did not ask Telegram to delete the conversation")
	}
	check := func(when string) {
		files := rawFiles(t, e.db)
		if len(findIn(files, e.storedKey(t, "tg:7100"))) == 0 {
			t.Fatalf("%s: the control user's session key is not in the files: the search would find nothing", when)
		}
		for _, s := range []string{"tg:7200", e.storedKey(t, "tg:7200"), secret} {
			if where := findIn(files, s); len(where) > 0 {
				t.Errorf("%s: %q is still in %v", when, s, where)
			}
		}
	}
	// The delete checkpoints the WAL itself; give it a moment to finish.
	time.Sleep(200 * time.Millisecond)
	check("while running")
	p.stop(t)
	check("after stopping")
	db := e.openDB()
	if _, err := db.Get(context.Background(), "tg:7200"); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("the deleted session can still be read: %v", err)
	}
	if sent, err := db.RecentSent(context.Background(), 7200, time.Time{}); err != nil || len(sent) > 0 {
		t.Errorf("sent-message log after delete: %v %v", sent, err)
	}
	if s, err := db.Get(context.Background(), "tg:7100"); err != nil || !s.State.Done {
		t.Errorf("the other user's case was touched: %v", err)
	}
}

// TestForgedWebhookCallGets401: a request without the secret token, or
// with a wrong one, is refused with 401 and changes nothing.
func TestForgedWebhookCallGets401(t *testing.T) {
	e := newEnv(t, tgfake.Config{})
	addr := freeAddr(t)
	p := e.start("--webhook-url", "https://bot.example/hook", "--listen", addr, "--webhook-secret", webhookSecret)
	e.fake.Register(7300, "en")
	body := `{"update_id":99,"message":{"message_id":1,"date":1,"chat":{"id":7300,"type":"private"},"from":{"id":7300,"is_bot":false,"first_name":"X"},"text":"/start","entities":[{"type":"bot_command","offset":0,"length":6}]}}`
	for _, secret := range []string{"", "wrong", webhookSecret[:len(webhookSecret)-1], webhookSecret + "0"} {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if secret != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("secret %q: HTTP %d, want 401", secret, resp.StatusCode)
		}
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(e.fake.Chat(7300).Calls()); n != 0 {
		t.Errorf("a forged update was acted on: %d calls", n)
	}
	p.stop(t)
	if _, err := e.openDB().Get(context.Background(), "tg:7300"); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("a forged update created a session: %v", err)
	}
}
