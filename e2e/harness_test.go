package e2e

import (
	"context"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redress-legal/redress/data"
	"github.com/redress-legal/redress/flows"
	"github.com/redress-legal/redress/internal/testutil"
	"github.com/redress-legal/redress/tools/load/tgfake"
)

var long = flag.Bool("long", false, "run the long versions of the end-to-end tests")

var (
	repoRoot   string // the module root
	redressBin string // the binary under test
)

const token = "4242:E2E-TEST"

// TestMain builds the binary once.
func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: go env GOMOD:", err)
		return 1
	}
	repoRoot = filepath.Dir(strings.TrimSpace(string(out)))
	tmp, err := os.MkdirTemp("", "redress-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	redressBin = filepath.Join(tmp, "redress")
	build := exec.Command("go", "build", "-o", redressBin, ".")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: build redress: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// syncBuffer collects a logger's or a process's output.
type syncBuffer = testutil.SyncBuffer

// env is one bot deployment: a fake Bot API, a database and a key.
type env struct {
	t    *testing.T
	fake *tgfake.Server
	url  string
	dir  string
	db   string
	key  string
	logs *syncBuffer // every run's output, in order
	args []string    // extra serve flags
}

func newEnv(t *testing.T, cfg tgfake.Config) *env {
	t.Helper()
	cfg.Token = token
	fake := tgfake.New(cfg)
	url, err := fake.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	dir := t.TempDir()
	k := make([]byte, 32)
	for i := range k {
		k[i] = byte(i*7 + 3)
	}
	e := &env{t: t, fake: fake, url: url, dir: dir, db: filepath.Join(dir, "redress.db"),
		key: base64.StdEncoding.EncodeToString(k), logs: &syncBuffer{}}
	t.Cleanup(func() {
		if t.Failed() {
			lines := strings.Split(e.logs.String(), "\n")
			if len(lines) > 60 {
				lines = lines[len(lines)-60:]
			}
			t.Logf("last lines of the bot's log:\n%s", strings.Join(lines, "\n"))
		}
	})
	return e
}

// proc is one running `redress serve`.
type proc struct {
	cmd  *exec.Cmd
	out  *syncBuffer // this run's output (also in env.logs)
	done chan struct{}
	err  error
}

// serving reports whether the run has begun serving by long polling.
func (p *proc) serving() bool {
	return strings.Contains(p.out.String(), "serving by long polling")
}

// start runs `redress serve` and waits until it polls (or, in webhook
// mode, until it has registered its webhook).
func (e *env) start(extra ...string) *proc {
	e.t.Helper()
	polls := e.fake.Polls()
	p, webhook := e.launch(extra...)
	deadline := time.Now().Add(60 * time.Second)
	for {
		if (!webhook && e.fake.Polls() > polls) || (webhook && e.fake.Webhook() != "") {
			return p
		}
		select {
		case <-p.done:
			e.t.Fatalf("redress serve exited at start: %v", p.err)
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			e.t.Fatal("redress serve did not become ready within 60s")
		}
	}
}

// waitServing waits until p has begun serving by long polling.
func (e *env) waitServing(p *proc) {
	e.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !p.serving() {
		select {
		case <-p.done:
			e.t.Fatalf("redress serve exited at start: %v", p.err)
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			e.t.Fatal("redress serve did not begin serving within 60s")
		}
	}
}

// launch starts `redress serve` without waiting for it; webhook says
// whether it runs in webhook mode.
func (e *env) launch(extra ...string) (p *proc, webhook bool) {
	e.t.Helper()
	args := append([]string{"serve", "--db", e.db, "--flow", filepath.Join(repoRoot, "bench", "questionnaire.yaml"),
		"--locales", filepath.Join(repoRoot, "bench", "locales")}, e.args...)
	args = append(args, extra...)
	cmd := exec.Command(redressBin, args...)
	cmd.Env = append(os.Environ(), "TELEGRAM_API_URL="+e.url, "TELEGRAM_BOT_TOKEN="+token, "REDRESS_KEY="+e.key)
	out := &syncBuffer{}
	cmd.Stdout = io.MultiWriter(e.logs, out)
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	p = &proc{cmd: cmd, out: out, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	e.t.Cleanup(func() { p.kill() })
	for _, a := range args {
		webhook = webhook || strings.HasPrefix(a, "--webhook-url")
	}
	return p, webhook
}

// kill ends the process with SIGKILL, as a crash or an OOM kill would.
func (p *proc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop asks the process to finish (SIGTERM) and reports how it exited.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(40 * time.Second):
		p.kill()
		t.Fatal("redress serve did not stop within 40s of SIGTERM")
	}
	if p.err != nil {
		t.Errorf("redress serve exited with %v after SIGTERM, want 0", p.err)
	}
}

// openDB opens the bot's database (the bot must be stopped).
func (e *env) openDB() *data.DB {
	e.t.Helper()
	key, err := data.KeyFromEnv(e.key)
	if err != nil {
		e.t.Fatal(err)
	}
	db, err := data.Open(context.Background(), e.db, data.WithKey(key))
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { db.Close() })
	return db
}

// script reads a script of bench/scripts.
func script(t *testing.T, name string) *tgfake.Script {
	t.Helper()
	path := filepath.Join(repoRoot, "bench", "scripts", name)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := tgfake.ParseScript(name, b)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// questionnaireAnswers are the answers bench/scripts/questionnaire.txt gives.
func questionnaireAnswers(sc *tgfake.Script) map[string]flows.Answer {
	return map[string]flows.Answer{
		"q1_what": {Choice: "lies"}, "q2_where": {Choice: "weibo"}, "q3_public": {Choice: "yes"},
		"q4_when": {Choice: "week"}, "q5_evidence": {Choice: "no"}, "q6_story": {Text: sc.Steps[len(sc.Steps)-1].Text},
	}
}

// checkFinished asserts that chat's stored conversation reached the
// assessment with exactly the answers given.
func checkFinished(t *testing.T, db *data.DB, chat int64, want map[string]flows.Answer) {
	t.Helper()
	s, err := db.Get(context.Background(), fmt.Sprintf("tg:%d", chat))
	if err != nil {
		t.Errorf("chat %d: %v", chat, err)
		return
	}
	if !s.State.Done || s.State.Node != "result" {
		t.Errorf("chat %d: stored at node %q done=%v, want the assessment", chat, s.State.Node, s.State.Done)
	}
	if len(s.State.Answers) != len(want) {
		t.Errorf("chat %d: %d answers stored, want %d", chat, len(s.State.Answers), len(want))
	}
	for k, w := range want {
		if g := s.State.Answers[k]; g.Choice != w.Choice || g.Text != w.Text {
			t.Errorf("chat %d: answer %s = %+v, want %+v", chat, k, g, w)
		}
	}
}

// transcript returns the hashes of a chat's calls.
func transcript(fake *tgfake.Server, chat int64) []tgfake.Call {
	c := fake.Chat(chat)
	if c == nil {
		return nil
	}
	return c.Calls()
}

// reference runs one clean conversation in chat and returns its transcript.
func reference(t *testing.T, e *env, sc *tgfake.Script, chat int64) []tgfake.Call {
	t.Helper()
	res, err := tgfake.RunLoad(context.Background(), e.fake, tgfake.LoadConfig{
		Users: 1, Conversations: 1, Script: sc, ChatBase: chat - 1, StepTimeout: 60 * time.Second, Settle: 300 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Conversations != 1 || res.ErrorCount() != 0 {
		t.Fatalf("the reference conversation failed: %+v", res)
	}
	return transcript(e.fake, chat)
}

// sameAsReference compares a chat's calls with the reference: equal, except
// that a call may be repeated right after itself at most allowRepeats
// times (a message in flight when the process died). It returns the
// repeats found and a description of the first difference ("" if none).
func sameAsReference(got, ref []tgfake.Call, allowRepeats int) (int, string) {
	repeats := 0
	i := 0
	for j, c := range got {
		if i < len(ref) && c.Hash == ref[i].Hash {
			i++
			continue
		}
		if j > 0 && c.Hash == got[j-1].Hash && repeats < allowRepeats {
			repeats++
			continue
		}
		want := "nothing more"
		if i < len(ref) {
			want = fmt.Sprintf("%s %.60q", ref[i].Method, ref[i].Text)
		}
		return repeats, fmt.Sprintf("call %d is %s %.60q, want %s", j+1, c.Method, c.Text, want)
	}
	if i < len(ref) {
		return repeats, fmt.Sprintf("%d calls missing, the first: %s %.60q", len(ref)-i, ref[i].Method, ref[i].Text)
	}
	return repeats, ""
}

// storedKey is the form in which the database holds a session key.
func (e *env) storedKey(t *testing.T, sessionKey string) string {
	t.Helper()
	key, err := data.KeyFromEnv(e.key)
	if err != nil {
		t.Fatal(err)
	}
	return data.StoredKey(key, sessionKey)
}

// loadUntilStopped runs cfg's users against e's fake in the background.
// The returned finish lets every user end the conversation it is in and
// start no other, and returns the run's result.
func loadUntilStopped(t *testing.T, e *env, cfg tgfake.LoadConfig) (finish func() tgfake.Result) {
	t.Helper()
	stop := make(chan struct{})
	cfg.Stop = stop
	type result struct {
		res tgfake.Result
		err error
	}
	done := make(chan result, 1)
	go func() {
		r, err := tgfake.RunLoad(context.Background(), e.fake, cfg)
		done <- result{r, err}
	}()
	return func() tgfake.Result {
		t.Helper()
		close(stop)
		r := <-done
		if r.err != nil {
			t.Fatal(r.err)
		}
		return r.res
	}
}
