package flowstest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redress-legal/redress/flows"
	"github.com/redress-legal/redress/flows/flowstest"
)

func TestMemStoreStoreSuite(t *testing.T) {
	flowstest.RunStoreSuite(t, func(t *testing.T) flows.Store { return flowstest.NewMemStore() })
}

func TestMemStoreOutboxSuite(t *testing.T) {
	flowstest.RunOutboxSuite(t, func(t *testing.T) flowstest.OutboxStore { return flowstest.NewMemStore() })
}

func TestMemStoreInactiveFlag(t *testing.T) {
	ctx := t.Context()
	m := flowstest.NewMemStore()
	if m.IsInactive(1) {
		t.Fatal("a new chat is inactive")
	}
	if err := m.Inactive(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if !m.IsInactive(1) {
		t.Fatal("Inactive did not mark the chat")
	}
	if err := m.Commit(ctx, flows.Commit{UpdateID: 1, Chat: 1}); err != nil {
		t.Fatal(err)
	}
	if m.IsInactive(1) {
		t.Fatal("a commit did not mark the chat active again")
	}
	if err := m.Inactive(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := m.Commit(ctx, flows.Commit{UpdateID: 2, Chat: 1, Delete: true}); err != nil {
		t.Fatal(err)
	}
	if m.IsInactive(1) {
		t.Fatal("a delete commit left the chat marked")
	}
}

func TestMemStoreClockAndFault(t *testing.T) {
	ctx := t.Context()
	m := flowstest.NewMemStore()
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	m.SetClock(func() time.Time { return at })
	s, err := m.Put(ctx, flows.Session{Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Updated.Equal(at) {
		t.Fatalf("Updated = %v, want %v", s.Updated, at)
	}
	boom := errors.New("disk on fire")
	m.SetFault(func(method string) error {
		if method == "Commit" {
			return boom
		}
		return nil
	})
	if err := m.Commit(ctx, flows.Commit{UpdateID: 1, Chat: 1, Outbox: []flows.Outgoing{{Method: "sendMessage"}}}); !errors.Is(err, boom) {
		t.Fatalf("Commit error = %v, want the fault", err)
	}
	if rows, _ := m.Pending(ctx, 0); len(rows) != 0 {
		t.Fatalf("a failed commit left rows: %v", rows)
	}
	m.SetFault(nil)
	if err := m.Commit(ctx, flows.Commit{UpdateID: 1, Chat: 1}); err != nil {
		t.Fatalf("Commit after removing the fault: %v", err)
	}
	if got := m.Keys(); len(got) != 1 || got[0] != "k" {
		t.Fatalf("Keys = %v", got)
	}
}

func TestMemStoreUpdateIDsReusedAfterTheWindowAreNew(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := flowstest.NewMemStore()
	m.SetClock(func() time.Time { return now })
	commit := func() error { return m.Commit(ctx, flows.Commit{UpdateID: 100, Chat: 7}) }
	if err := commit(); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	if err := commit(); !errors.Is(err, flows.ErrDuplicate) {
		t.Fatalf("within the window: %v", err)
	}
	now = now.Add(flows.DuplicateWindow)
	if id, _ := m.LastUpdateID(ctx); id != 0 {
		t.Fatalf("LastUpdateID after the window = %d", id)
	}
	if err := commit(); err != nil {
		t.Fatalf("after the window: %v", err)
	}
	if id, _ := m.LastUpdateID(ctx); id != 100 {
		t.Fatalf("LastUpdateID = %d", id)
	}
}

func TestMemStoreEvidenceSuite(t *testing.T) {
	flowstest.RunEvidenceSuite(t, func(t *testing.T) flowstest.EvidenceStore { return flowstest.NewMemStore() })
}
