package data_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redress-legal/redress/data"
	"github.com/redress-legal/redress/flows"
	"github.com/redress-legal/redress/flows/flowstest"
	"github.com/redress-legal/redress/internal/testutil"
)

// fakeClock is a settable clock, safe for concurrent use.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const day = 24 * time.Hour

func TestTrim(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	db, _ := openTemp(t, data.WithClock(clock.Now))
	ctx := t.Context()
	commit := func(id, chat, rev int64) {
		t.Helper()
		if err := db.Commit(ctx, flows.Commit{UpdateID: id, Chat: chat,
			Session: flows.Session{Key: "tg:" + string(rune('0'+chat)), Rev: rev},
			Outbox:  []flows.Outgoing{{Method: "sendMessage", Payload: []byte("x")}}}); err != nil {
			t.Fatal(err)
		}
	}
	commit(1, 1, 0)
	commit(2, 2, 0)
	commit(3, 1, 1)
	rows, _ := db.Pending(ctx, 0)
	if err := db.Delivered(ctx, 1, flows.Delivery{Row: rows[0].ID, MessageID: 11}); err != nil {
		t.Fatal(err)
	}
	if err := db.Inactive(ctx, 2); err != nil { // drops chat 2's row
		t.Fatal(err)
	}

	clock.Advance(100 * day)
	commit(4, 3, 0)

	got, err := db.Trim(ctx, clock.Now().Add(-90*day))
	if err != nil {
		t.Fatal(err)
	}
	want := data.Trimmed{Sessions: 2, Updates: 3, Outbox: 1, Sent: 1, Chats: 1}
	if got != want {
		t.Fatalf("Trim = %+v, want %+v", got, want)
	}
	if _, err := db.Get(ctx, "tg:3"); err != nil {
		t.Fatalf("recent session trimmed: %v", err)
	}
	if ids, _ := db.RecentSent(ctx, 1, time.Time{}); len(ids) != 0 {
		t.Fatalf("old sent log kept: %v", ids)
	}
	if inactive, _ := db.IsInactive(ctx, 2); inactive {
		t.Fatal("old inactive mark kept")
	}

	// Everything is old now, the last update ID too.
	clock.Advance(200 * day)
	got, err = db.Trim(ctx, clock.Now().Add(-90*day))
	if err != nil {
		t.Fatal(err)
	}
	if want := (data.Trimmed{Sessions: 1, Updates: 1, Outbox: 1}); got != want {
		t.Fatalf("second Trim = %+v, want %+v", got, want)
	}
	// Older than flows.DuplicateWindow, update 4 no longer holds the polling
	// offset nor counts as a re-delivery (Telegram may reuse IDs after a week).
	if id, err := db.LastUpdateID(ctx); err != nil || id != 0 {
		t.Fatalf("LastUpdateID after trimming = %d, %v; want 0", id, err)
	}
	if err := db.Commit(ctx, flows.Commit{UpdateID: 4, Chat: 3}); err != nil {
		t.Fatalf("update 4 reused after the window: %v", err)
	}
}

func TestInactiveFlag(t *testing.T) {
	db, _ := openTemp(t)
	ctx := t.Context()
	check := func(want bool) {
		t.Helper()
		if got, err := db.IsInactive(ctx, 1); err != nil || got != want {
			t.Fatalf("IsInactive = %v, %v; want %v", got, err, want)
		}
	}
	check(false)
	if err := db.Inactive(ctx, 1); err != nil {
		t.Fatal(err)
	}
	check(true)
	if err := db.Commit(ctx, flows.Commit{UpdateID: 1, Chat: 1}); err != nil {
		t.Fatal(err)
	}
	check(false)
	if err := db.Inactive(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := db.Commit(ctx, flows.Commit{UpdateID: 2, Chat: 1, Delete: true}); err != nil {
		t.Fatal(err)
	}
	check(false)
}

// syncBuffer collects a logger's or a process's output.
type syncBuffer = testutil.SyncBuffer

func TestRunRetention(t *testing.T) {
	defer data.SetFirstTrimAfter(0)()
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	db, _ := openTemp(t, data.WithClock(clock.Now))
	secret := "RETENTION-CANARY"
	if _, err := db.Put(t.Context(), flows.Session{Key: "tg:1", State: flowstest.SampleState(secret)}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(91 * day)

	var logs syncBuffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		db.RunRetention(ctx, time.Hour, 90*day, log)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), `"msg":"retention"`) {
		if time.Now().After(deadline) {
			t.Fatalf("no retention run logged; log: %s", logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done

	if _, err := db.Get(t.Context(), "tg:1"); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("idle session after retention: %v", err)
	}
	out := logs.String()
	if !strings.Contains(out, `"sessions":1,`) {
		t.Fatalf("log lacks the count: %s", out)
	}
	if strings.Contains(out, secret) || strings.Contains(out, "tg:1") {
		t.Fatalf("log carries content: %s", out)
	}

	// Bad arguments: logged, returns at once.
	logs = syncBuffer{}
	db.RunRetention(t.Context(), 0, 90*day, log)
	if !strings.Contains(logs.String(), "not started") {
		t.Fatalf("bad interval not reported: %s", logs.String())
	}
	stopped, stop := context.WithCancel(t.Context())
	stop()
	db.RunRetention(stopped, time.Hour, 90*day, nil) // nil logger: no panic; a done ctx returns
}

// TestTrimSentWindow: with a sent window shorter than the retention period,
// the log of sent messages is trimmed to the window while the sessions of
// the same age stay.
func TestTrimSentWindow(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	db, _ := openTemp(t, data.WithClock(clock.Now), data.WithSentWindow(2*day))
	ctx := t.Context()
	send := func(update int64) {
		t.Helper()
		o := []flows.Outgoing{{Method: "sendMessage", Payload: []byte("x")}}
		if err := db.Commit(ctx, flows.Commit{UpdateID: update, Chat: 1, Outbox: o,
			Session: flows.Session{Key: "tg:1", Rev: update - 1}}); err != nil {
			t.Fatal(err)
		}
		if err := db.Delivered(ctx, 1, flows.Delivery{Row: o[0].ID, MessageID: 100 + update}); err != nil {
			t.Fatal(err)
		}
	}
	send(1)
	clock.Advance(3 * day)
	send(2)
	got, err := db.Trim(ctx, clock.Now().Add(-90*day))
	if err != nil {
		t.Fatal(err)
	}
	if want := (data.Trimmed{Sent: 1}); got != want {
		t.Fatalf("Trim = %+v, want %+v", got, want)
	}
	ids, err := db.RecentSent(ctx, 1, time.Time{})
	if err != nil || len(ids) != 1 || ids[0] != 102 {
		t.Fatalf("sent log after the trim: %v, %v; want [102]", ids, err)
	}
	if s, err := db.Get(ctx, "tg:1"); err != nil || s.Rev != 2 {
		t.Fatalf("session after the trim: rev %d, %v", s.Rev, err)
	}
}
