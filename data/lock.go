package data

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// ErrLocked is returned by Lock when another process still holds the
// database's instance lock after the wait.
var ErrLocked = errors.New("in use by another redress process")

// Lock takes the instance lock of the database at path: an exclusive lock
// on the file path+".lock", which the operating system releases when the
// process ends, however it ends (SIGKILL too). A transport that delivers
// the outbox takes it before it opens the database: two processes serving
// one database would each deliver every row pending at their start, so a
// user would receive those messages twice. The lock file holds the ID of
// the process that has the lock, for the message a second one prints; it is
// never removed (removing a lock file lets a third process lock a new file
// while the second still holds the old one).
//
// Lock waits up to wait for the lock (a restart begun before the old
// process has quite exited), calling waiting once if it has to; then it
// fails with an error that wraps ErrLocked and names the holder. release
// lets the lock go.
func Lock(ctx context.Context, path string, wait time.Duration, waiting func(holder int)) (release func() error, err error) {
	name := path + ".lock"
	l := flock.New(name, flock.SetPermissions(0o600))
	ok, err := l.TryLock()
	if err != nil {
		return nil, fmt.Errorf("data: lock %s: %w", name, err)
	}
	if !ok {
		if waiting != nil {
			waiting(lockHolder(name))
		}
		wctx, cancel := context.WithTimeout(ctx, wait)
		ok, err = l.TryLockContext(wctx, 20*time.Millisecond)
		cancel()
		switch {
		case ok:
		case ctx.Err() != nil:
			return nil, fmt.Errorf("data: lock %s: %w", name, ctx.Err())
		case err != nil && !errors.Is(err, context.DeadlineExceeded):
			return nil, fmt.Errorf("data: lock %s: %w", name, err)
		default:
			if pid := lockHolder(name); pid > 0 {
				return nil, fmt.Errorf("%w (process %d)", ErrLocked, pid)
			}
			return nil, ErrLocked
		}
	}
	// The holder's ID, for a second process's message only: a failure to
	// write it changes nothing.
	_ = os.WriteFile(name, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600)
	return l.Unlock, nil
}

// lockHolder reads the process ID a lock file names (0 if none).
func lockHolder(name string) int {
	b, err := os.ReadFile(name)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0
	}
	return pid
}
