package data_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redress-legal/redress/data"
	"github.com/redress-legal/redress/flows"
)

// TestUpdateIDsReusedAfterTheWindowAreNew: Telegram numbers updates from a
// random ID after a week of silence, so an ID committed long ago must not
// swallow a new update, and must not hold the polling offset above it.
func TestUpdateIDsReusedAfterTheWindowAreNew(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	db, _ := openTemp(t, data.WithClock(clock.Now))
	commit := func(rev int64) error {
		return db.Commit(ctx, flows.Commit{UpdateID: 100, Chat: 7,
			Session: flows.Session{Key: "tg:7", Rev: rev, State: flows.State{Flow: "f", Node: "n"}}})
	}
	if err := commit(0); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	if err := commit(1); !errors.Is(err, flows.ErrDuplicate) {
		t.Fatalf("re-delivery within the window: %v, want ErrDuplicate", err)
	}
	if id, _ := db.LastUpdateID(ctx); id != 100 {
		t.Fatalf("LastUpdateID = %d, want 100", id)
	}
	clock.Advance(flows.DuplicateWindow)
	if id, _ := db.LastUpdateID(ctx); id != 0 {
		t.Fatalf("LastUpdateID after the window = %d, want 0", id)
	}
	if err := commit(1); err != nil {
		t.Fatalf("a reused ID after the window was refused: %v", err)
	}
	if s, err := db.Get(ctx, "tg:7"); err != nil || s.Rev != 2 {
		t.Fatalf("session = %+v, %v; want revision 2", s, err)
	}
	if id, _ := db.LastUpdateID(ctx); id != 100 {
		t.Fatalf("LastUpdateID = %d, want 100", id)
	}
}
