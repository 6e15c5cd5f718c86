package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/redress-legal/redress/tools/load/tgfake"
)

// runLoad drives users through conversations in the background.
func runLoad(e *env, cfg tgfake.LoadConfig) <-chan tgfake.Result {
	out := make(chan tgfake.Result, 1)
	go func() {
		res, err := tgfake.RunLoad(context.Background(), e.fake, cfg)
		if err != nil {
			res.Errors = append(res.Errors, err.Error())
			res.Failed++
		}
		out <- res
	}()
	return out
}

// checkAll compares every chat from base+1 to base+n with the reference
// and its stored state with the answers given.
func checkAll(t *testing.T, e *env, sc *tgfake.Script, ref []tgfake.Call, base int64, n, allowRepeats int) int {
	t.Helper()
	db := e.openDB()
	want := questionnaireAnswers(sc)
	repeats := 0
	for i := 1; i <= n; i++ {
		chat := base + int64(i)
		r, diff := sameAsReference(transcript(e.fake, chat), ref, allowRepeats)
		repeats += r
		if diff != "" {
			t.Errorf("chat %d: %s", chat, diff)
			continue
		}
		checkFinished(t, db, chat, want)
	}
	return repeats
}

// TestAPIFaultsStillDeliverEveryReplyInOrder: with the Bot API answering
// 429 with retry_after, 500 and stalls on a share of calls, every reply
// still arrives, once and in order, and retry_after is honoured.
func TestAPIFaultsStillDeliverEveryReplyInOrder(t *testing.T) {
	users, convs := 6, 2
	if testing.Short() {
		users, convs = 3, 1
	}
	if *long {
		users, convs = 30, 5
	}
	e := newEnv(t, tgfake.Config{KeepText: true})
	sc := script(t, "questionnaire.txt")
	p := e.start()
	ref := reference(t, e, sc, 42)
	e.fake.SetFaults(tgfake.Faults{
		Rate429: 0.05, RetryAfter: 1, Rate500: 0.10, RateStall: 0.05, Stall: 300 * time.Millisecond, GetUpdates: true, Seed: 7,
	})
	res := <-runLoad(e, tgfake.LoadConfig{Users: users, Conversations: convs, Script: sc, StepTimeout: 120 * time.Second, ChatBase: 2_000_000})
	p.stop(t)
	st := res.Server
	t.Logf("injected: %d × 429, %d × 500, %d stalls; retry_after ignored %d times; %d conversations",
		st.Injected429, st.Injected500, st.Stalled, st.RateViolate, res.Conversations)
	if res.Failed != 0 || res.Conversations != users*convs {
		t.Fatalf("%d of %d conversations failed: %v", res.Failed, users*convs, res.Errors)
	}
	if st.Injected429 == 0 || st.Injected500 == 0 || st.Stalled == 0 {
		t.Fatalf("faults were not injected: %+v", st)
	}
	if st.RateViolate != 0 {
		t.Errorf("the bot called again %d times while told to wait (retry_after)", st.RateViolate)
	}
	if r := checkAll(t, e, sc, ref, 2_000_000, users*convs, 0); r != 0 {
		t.Errorf("%d messages delivered twice", r)
	}
}

// setFileSizeLimit sets RLIMIT_FSIZE of process pid: writes to regular
// files beyond cur bytes then fail (EFBIG), as on a full disk.
func setFileSizeLimit(pid int, cur uint64) error {
	lim := syscall.Rlimit{Cur: cur, Max: ^uint64(0)}
	_, _, errno := syscall.RawSyscall6(syscall.SYS_PRLIMIT64, uintptr(pid), uintptr(syscall.RLIMIT_FSIZE),
		uintptr(unsafe.Pointer(&lim)), 0, 0, 0)
	if errno != 0 {
		return fmt.Errorf("prlimit: %w", errno)
	}
	return nil
}

// storageFault runs conversations, breaks the storage in the middle with
// inject, checks the bot refuses work with a clear log line, then repairs
// it and checks that nothing was lost or repeated.
func storageFault(t *testing.T, inject func(e *env, p *proc) (repair func())) {
	users := 4
	e := newEnv(t, tgfake.Config{KeepText: true})
	sc := script(t, "questionnaire.txt")
	p := e.start()
	ref := reference(t, e, sc, 42)
	before := len(e.logs.String())
	repair := inject(e, p)
	done := runLoad(e, tgfake.LoadConfig{Users: users, Conversations: 2, Script: sc, StepTimeout: 120 * time.Second, ChatBase: 3_000_000})
	// The bot must refuse the users' updates: nothing is confirmed to the
	// API, and the log says why.
	deadline := time.Now().Add(60 * time.Second)
	var line string
	for line == "" && time.Now().Before(deadline) {
		for _, l := range strings.Split(e.logs.String()[before:], "\n") {
			if strings.Contains(l, "level=ERROR") && (strings.Contains(l, "disk") || strings.Contains(l, "full") || strings.Contains(l, "read") || strings.Contains(l, "not permitted")) {
				line = l
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if line == "" {
		repair()
		t.Fatal("no error logged while the database could not be written")
	}
	t.Logf("the bot said: %s", line)
	if n := e.fake.Pending(); n == 0 {
		t.Error("the bot confirmed updates it could not store")
	}
	if c := e.fake.Chat(3_000_001); c != nil && c.Sends() > 0 {
		t.Error("a user got a reply for an update that was not stored")
	}
	repair()
	res := <-done
	p.stop(t)
	if res.Failed != 0 || res.Conversations != users*2 {
		t.Fatalf("after the repair, %d conversations failed: %v", res.Failed, res.Errors)
	}
	if r := checkAll(t, e, sc, ref, 3_000_000, users*2, 0); r != 0 {
		t.Errorf("%d messages delivered twice", r)
	}
}

// TestFullDiskRefusesWorkAndRecovers fills the "disk" by lowering the
// bot's file size limit (RLIMIT_FSIZE through prlimit) to one byte, so
// every write to the database and its WAL fails — the injected error a
// full disk gives, without root or a small filesystem — then lifts it.
func TestFullDiskRefusesWorkAndRecovers(t *testing.T) {
	storageFault(t, func(e *env, p *proc) func() {
		if err := setFileSizeLimit(p.cmd.Process.Pid, 1); err != nil {
			t.Skipf("cannot limit the bot's file size: %v", err)
		}
		return func() {
			if err := setFileSizeLimit(p.cmd.Process.Pid, ^uint64(0)); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// TestReadOnlyDatabaseRefusesWorkAndRecovers makes the database file and
// its WAL immutable (chattr +i: even root and open descriptors cannot
// write), then writable again. It needs root and a filesystem with
// attributes (ext4); it is skipped elsewhere.
func TestReadOnlyDatabaseRefusesWorkAndRecovers(t *testing.T) {
	storageFault(t, func(e *env, p *proc) func() {
		return immutable(t, e.db, e.db+"-wal")
	})
}

// immutable makes files read-only even for root (chattr +i), or skips t
// where that is not possible, and returns what undoes it; the undo also
// runs at cleanup, so no undeletable file is left behind.
func immutable(t *testing.T, files ...string) func() {
	t.Helper()
	for _, f := range files {
		if _, err := os.Stat(f); err != nil {
			t.Skipf("%s: %v", f, err)
		}
		if out, err := exec.Command("chattr", "+i", f).CombinedOutput(); err != nil {
			t.Skipf("chattr +i is not available here: %v %s", err, out)
		}
	}
	repaired := false
	undo := func() {
		if repaired {
			return
		}
		repaired = true
		for _, f := range files {
			if out, err := exec.Command("chattr", "-i", f).CombinedOutput(); err != nil {
				t.Errorf("chattr -i %s: %v %s", f, err, out)
			}
		}
	}
	t.Cleanup(undo)
	return undo
}
