package data_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/redress-legal/redress/data"
	"github.com/redress-legal/redress/flows"
)

// TestMain lets the crash test re-run this binary as the process it kills.
func TestMain(m *testing.M) {
	if path := os.Getenv("REDRESS_DATA_CRASH_CHILD"); path != "" {
		crashChild(path)
		return
	}
	os.Exit(m.Run())
}

// crashChild commits updates 1, 2, 3, ... for one chat, printing each
// update ID once its commit returned, until it is killed.
func crashChild(path string) {
	ctx := context.Background()
	db, err := data.Open(ctx, path, data.WithKey(testKey))
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	for i := int64(1); ; i++ {
		err := db.Commit(ctx, flows.Commit{UpdateID: i, Chat: 1,
			Session: flows.Session{Key: "tg:1", Rev: i - 1, State: flows.State{Node: strconv.FormatInt(i, 10)}},
			Outbox:  []flows.Outgoing{{Method: "sendMessage", Payload: []byte(strconv.FormatInt(i, 10))}},
		})
		if err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println("committed", i)
	}
}

// TestCrashMidCommit kills a process that commits as fast as it can and
// checks the database it leaves: every commit the process saw return is
// there, and the last one is whole (session, update ID and outbox row
// agree), never half applied.
func TestCrashMidCommit(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	path := t.TempDir() + "/crash.db"
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "REDRESS_DATA_CRASH_CHILD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var seen int64
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "error") {
			t.Fatalf("child: %s", line)
		}
		if n, ok := strings.CutPrefix(line, "committed "); ok {
			seen, _ = strconv.ParseInt(n, 10, 64)
		}
		if seen >= 150 {
			break
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if seen < 150 {
		t.Fatalf("child stopped after %d commits", seen)
	}

	db, err := data.Open(t.Context(), path, data.WithKey(testKey))
	if err != nil {
		t.Fatalf("reopen after the crash: %v", err)
	}
	defer db.Close()
	last, err := db.LastUpdateID(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if last < seen {
		t.Fatalf("LastUpdateID %d after the child saw %d committed: a commit was lost", last, seen)
	}
	s, err := db.Get(t.Context(), "tg:1")
	if err != nil {
		t.Fatal(err)
	}
	if s.Rev != last || s.State.Node != strconv.FormatInt(last, 10) {
		t.Fatalf("session at rev %d node %s, but update %d committed: half a commit", s.Rev, s.State.Node, last)
	}
	rows, err := db.Pending(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(rows)) != last {
		t.Fatalf("%d outbox rows for %d commits", len(rows), last)
	}
	for i, r := range rows {
		if string(r.Payload) != strconv.Itoa(i+1) {
			t.Fatalf("outbox row %d = %q, want %d", i, r.Payload, i+1)
		}
	}
	t.Logf("killed after %d acknowledged commits; %d on disk", seen, last)
}
