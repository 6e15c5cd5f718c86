package data_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redress-legal/redress/data"
	"github.com/redress-legal/redress/flows"
)

// TestTrimManyRows trims more rows than one statement deletes.
func TestTrimManyRows(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	db, _ := openTemp(t, data.WithClock(clock.Now))
	ctx := t.Context()
	const n = 2500
	for i := range n {
		if _, err := db.Put(ctx, flows.Session{Key: fmt.Sprintf("tg:%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(100 * day)
	if _, err := db.Put(ctx, flows.Session{Key: "tg:recent"}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Trim(ctx, clock.Now().Add(-90*day))
	if err != nil {
		t.Fatal(err)
	}
	if got.Sessions != n {
		t.Fatalf("Trim removed %d sessions, want %d", got.Sessions, n)
	}
	if _, err := db.Get(ctx, "tg:recent"); err != nil {
		t.Fatalf("recent session: %v", err)
	}
}

// TestTrimUsesIndexes: the deletes that can be large find their rows
// through an index, never by scanning a table (sessions may be millions).
func TestTrimUsesIndexes(t *testing.T) {
	db, _ := openTemp(t)
	for _, q := range []string{
		`SELECT key FROM sessions WHERE updated < ? LIMIT ?`,
		`SELECT update_id FROM updates WHERE processed < ? AND update_id < (SELECT MAX(update_id) FROM updates) LIMIT ?`,
		`SELECT id FROM sent WHERE sent_at < ? LIMIT ?`,
		`SELECT chat FROM chats WHERE updated < ? LIMIT ?`,
		`SELECT DISTINCT chat FROM outbox ORDER BY chat`,
		`SELECT id, method, payload FROM outbox WHERE chat = ? AND id > ? ORDER BY id LIMIT ?`,
	} {
		plan, err := data.QueryPlan(db, q, 1, 2, 3)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if strings.Contains(plan, "SCAN") && !strings.Contains(plan, "USING") {
			t.Errorf("%s scans a table:\n%s", q, plan)
		}
		if strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("%s sorts:\n%s", q, plan)
		}
	}
}

// TestRunRetentionWaitsAfterStart: nothing is trimmed before the first
// delay has passed, and a stop meanwhile returns at once.
func TestRunRetentionWaitsAfterStart(t *testing.T) {
	defer data.SetFirstTrimAfter(time.Hour)()
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	db, _ := openTemp(t, data.WithClock(clock.Now))
	if _, err := db.Put(t.Context(), flows.Session{Key: "tg:1"}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(100 * day)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		db.RunRetention(ctx, time.Hour, 90*day, nil)
	}()
	cancel()
	<-done
	if _, err := db.Get(t.Context(), "tg:1"); err != nil {
		t.Fatalf("trimmed before the first delay: %v", err)
	}
}
