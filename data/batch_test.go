package data_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/redress-legal/redress/flows"
)

// TestGroupCommitKeepsEachRequestApart commits many updates at once, so
// that they share transactions: fresh ones, duplicates and revision
// conflicts mixed. Each caller gets its own answer, and what failed left
// nothing behind, whatever shared its transaction.
func TestGroupCommitKeepsEachRequestApart(t *testing.T) {
	db, _ := openTemp(t)
	ctx := context.Background()
	const chats = 40
	// Every chat has a session at revision 1 and update 1000+chat recorded.
	for c := int64(1); c <= chats; c++ {
		if err := db.Commit(ctx, flows.Commit{UpdateID: 1000 + c, Chat: c,
			Session: flows.Session{Key: fmt.Sprintf("tg:%d", c), State: flows.State{Node: "start"}}}); err != nil {
			t.Fatal(err)
		}
	}
	type result struct {
		kind string // fresh, duplicate, conflict
		chat int64
		err  error
		ids  []int64
	}
	results := make(chan result, 3*chats)
	var wg sync.WaitGroup
	for c := int64(1); c <= chats; c++ {
		key := fmt.Sprintf("tg:%d", c)
		out := func(text string) []flows.Outgoing {
			return []flows.Outgoing{{Method: "sendMessage", Payload: []byte(`{"text":"` + text + `"}`)}}
		}
		wg.Go(func() { // a fresh update at the right revision
			o := out("fresh")
			err := db.Commit(ctx, flows.Commit{UpdateID: 2000 + c, Chat: c, Outbox: o,
				Session: flows.Session{Key: key, Rev: 1, State: flows.State{Node: "fresh"}}})
			results <- result{"fresh", c, err, []int64{o[0].ID}}
		})
		wg.Go(func() { // the first update again
			err := db.Commit(ctx, flows.Commit{UpdateID: 1000 + c, Chat: c, Outbox: out("dup"),
				Session: flows.Session{Key: key, Rev: 1, State: flows.State{Node: "dup"}}})
			results <- result{"duplicate", c, err, nil}
		})
		wg.Go(func() { // a new update at a revision that never was
			err := db.Commit(ctx, flows.Commit{UpdateID: 3000 + c, Chat: c, Outbox: out("lost"),
				Session: flows.Session{Key: key, Rev: 7, State: flows.State{Node: "lost"}}})
			results <- result{"conflict", c, err, nil}
		})
	}
	wg.Wait()
	close(results)
	fresh := map[int64]int64{}
	for r := range results {
		switch r.kind {
		case "fresh":
			if r.err != nil {
				t.Errorf("chat %d: fresh update: %v", r.chat, r.err)
			}
			fresh[r.chat] = r.ids[0]
		case "duplicate":
			if !errors.Is(r.err, flows.ErrDuplicate) {
				t.Errorf("chat %d: duplicate update: error %v, want ErrDuplicate", r.chat, r.err)
			}
		case "conflict":
			if !errors.Is(r.err, flows.ErrConflict) {
				t.Errorf("chat %d: stale revision: error %v, want ErrConflict", r.chat, r.err)
			}
		}
	}
	pending, err := db.Pending(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != chats {
		t.Fatalf("%d outbox rows, want %d (one per fresh update)", len(pending), chats)
	}
	for _, p := range pending {
		if string(p.Payload) != `{"text":"fresh"}` || fresh[p.Chat] != p.ID {
			t.Errorf("outbox row %d of chat %d: %s (the commit reported ID %d)", p.ID, p.Chat, p.Payload, fresh[p.Chat])
		}
	}
	for c := int64(1); c <= chats; c++ {
		s, err := db.Get(ctx, fmt.Sprintf("tg:%d", c))
		if err != nil || s.Rev != 2 || s.State.Node != "fresh" {
			t.Errorf("chat %d: session rev %d node %q (%v), want rev 2 node fresh", c, s.Rev, s.State.Node, err)
		}
		for _, u := range []int64{3000 + c} {
			// The conflicting update was not recorded: it can be committed now.
			err := db.Commit(ctx, flows.Commit{UpdateID: u, Chat: c})
			if err != nil {
				t.Errorf("chat %d: update %d after its conflict: %v", c, u, err)
			}
		}
	}
}

// TestCancelledWriteIsNotRun: a request whose context ended before it ran
// changes nothing and says so.
func TestCancelledWriteIsNotRun(t *testing.T) {
	db, _ := openTemp(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := db.Commit(ctx, flows.Commit{UpdateID: 1, Chat: 1, Outbox: []flows.Outgoing{{Method: "sendMessage", Payload: []byte(`{}`)}}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Commit with a cancelled context: %v, want context.Canceled", err)
	}
	if id, err := db.LastUpdateID(context.Background()); err != nil || id != 0 {
		t.Fatalf("LastUpdateID = %d, %v; want 0", id, err)
	}
}

// TestWritesAfterClose fail instead of hanging.
func TestWritesAfterClose(t *testing.T) {
	db, _ := openTemp(t)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Commit(context.Background(), flows.Commit{UpdateID: 1, Chat: 1}); err == nil {
		t.Fatal("Commit after Close succeeded")
	}
	if err := db.Delivered(context.Background(), 1, flows.Delivery{Row: 1}); err == nil {
		t.Fatal("Delivered after Close succeeded")
	}
}

// BenchmarkCommitParallel measures Commit from many goroutines, as the
// bot's handler workers make them.
func BenchmarkCommitParallel(b *testing.B) {
	db, _ := openTemp(b)
	ctx := context.Background()
	var next sync.Mutex
	id := int64(0)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			next.Lock()
			id++
			u := id
			next.Unlock()
			err := db.Commit(ctx, flows.Commit{UpdateID: u, Chat: u % 100, Outbox: []flows.Outgoing{
				{Method: "answerCallbackQuery", Payload: []byte(`{"callback_query_id":"x"}`)},
				{Method: "sendMessage", Payload: []byte(`{"text":"Question 2 of 6. Where did it happen?","html":true}`)},
			}})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
