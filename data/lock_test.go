package data_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redress-legal/redress/data"
)

// TestLockOneHolder: a second Lock of the same database waits, says so
// naming the holder, and fails with ErrLocked; once the first lets go, the
// lock can be taken again. (Within one process flock locks of two open
// files exclude each other as they do between processes.)
func TestLockOneHolder(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "redress.db")
	release, err := data.Lock(ctx, db, time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	holder := -1
	start := time.Now()
	_, err = data.Lock(ctx, db, 200*time.Millisecond, func(pid int) { holder = pid })
	if !errors.Is(err, data.ErrLocked) {
		t.Fatalf("second Lock: %v, want ErrLocked", err)
	}
	if waited := time.Since(start); waited < 200*time.Millisecond {
		t.Errorf("second Lock gave up after %s, want the 200ms wait", waited)
	}
	if holder != os.Getpid() {
		t.Errorf("waiting was told holder %d, want %d", holder, os.Getpid())
	}
	if !strings.Contains(err.Error(), "process "+strconv.Itoa(os.Getpid())) {
		t.Errorf("error %q does not name the holder", err)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	again, err := data.Lock(ctx, db, time.Second, nil)
	if err != nil {
		t.Fatalf("Lock after release: %v", err)
	}
	again()
}

// TestLockWaitsForHolderToDie: a process killed with SIGKILL lets its lock
// go, and a Lock waiting for it then succeeds.
func TestLockWaitsForHolderToDie(t *testing.T) {
	if os.Getenv("REDRESS_LOCK_HELPER") != "" {
		if _, err := data.Lock(context.Background(), os.Getenv("REDRESS_LOCK_HELPER"), time.Second, nil); err != nil {
			os.Exit(3)
		}
		os.Stdout.WriteString("locked\n")
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	db := filepath.Join(t.TempDir(), "redress.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockWaitsForHolderToDie$")
	cmd.Env = append(os.Environ(), "REDRESS_LOCK_HELPER="+db)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 7)
	if _, err := out.Read(buf); err != nil || string(buf) != "locked\n" {
		t.Fatalf("helper: %q %v", buf, err)
	}
	waited := make(chan error, 1)
	go func() {
		release, err := data.Lock(context.Background(), db, 30*time.Second, nil)
		if err == nil {
			release()
		}
		waited <- err
	}()
	select {
	case err := <-waited:
		t.Fatalf("Lock returned %v while the holder lives", err)
	case <-time.After(300 * time.Millisecond):
	}
	cmd.Process.Kill()
	cmd.Wait()
	if err := <-waited; err != nil {
		t.Fatalf("Lock after the holder died: %v", err)
	}
}
