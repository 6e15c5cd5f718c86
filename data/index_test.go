package data_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/redress-legal/redress/data"
	"github.com/redress-legal/redress/flows"
)

// TestOlderDatabaseIsReindexed: a database written before session keys and
// chat IDs were hashed is re-keyed once at Open, and everything is found.
func TestOlderDatabaseIsReindexed(t *testing.T) {
	ctx := context.Background()
	db, path := openTemp(t)
	if err := db.Commit(ctx, flows.Commit{UpdateID: 1, Chat: 42,
		Session: flows.Session{Key: "tg:42", State: flows.State{Flow: "f", Node: "n"}},
		Outbox:  []flows.Outgoing{{Method: "sendMessage", Payload: []byte("x")}}}); err != nil {
		t.Fatal(err)
	}
	rows, _ := db.Pending(ctx, 0)
	if err := db.Delivered(ctx, 42, flows.Delivery{Row: rows[0].ID, MessageID: 900}); err != nil {
		t.Fatal(err)
	}
	if err := db.Inactive(ctx, 43); err != nil {
		t.Fatal(err)
	}
	if err := data.ForgetIndex(db, []string{"tg:42"}, []int64{42, 43}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Get(ctx, "tg:42"); err == nil {
		t.Fatal("test setup: the clear key is still found through the index")
	}
	db.Close()

	for range 2 { // re-key, then reopen: idempotent
		db, err := data.Open(ctx, path, data.WithKey(testKey))
		if err != nil {
			t.Fatal(err)
		}
		if s, err := db.Get(ctx, "tg:42"); err != nil || s.State.Node != "n" {
			t.Fatalf("session after reindex: %+v, %v", s, err)
		}
		if ids, err := db.RecentSent(ctx, 42, time.Time{}); err != nil || !slices.Equal(ids, []int64{900}) {
			t.Fatalf("sent log after reindex: %v, %v", ids, err)
		}
		if in, err := db.IsInactive(ctx, 43); err != nil || !in {
			t.Fatalf("inactive mark after reindex: %v, %v", in, err)
		}
		db.Close()
	}
	if where := findIn(rawFiles(t, path), "tg:42"); len(where) > 0 {
		t.Fatalf("session key in clear after reindex in %v", where)
	}
}

// TestReindexInChunksResumes: re-keying goes a few rows per transaction;
// stopped after its first (as a crash would stop it), the next Open goes on
// where it stopped and no key is hashed twice.
func TestReindexInChunksResumes(t *testing.T) {
	ctx := context.Background()
	db, path := openTemp(t)
	var keys []string
	var chats []int64
	for c := int64(1); c <= 7; c++ {
		key := fmt.Sprintf("tg:%d", c)
		o := []flows.Outgoing{{Method: "sendMessage", Payload: []byte("x")}}
		if err := db.Commit(ctx, flows.Commit{UpdateID: c, Chat: c, Outbox: o,
			Session: flows.Session{Key: key, State: flows.State{Flow: "f", Node: key}}}); err != nil {
			t.Fatal(err)
		}
		if err := db.Delivered(ctx, c, flows.Delivery{Row: o[0].ID, MessageID: 100 + c}); err != nil {
			t.Fatal(err)
		}
		keys, chats = append(keys, key), append(chats, c)
	}
	if err := data.ForgetIndex(db, keys, chats); err != nil {
		t.Fatal(err)
	}
	db.Close()

	stop := errors.New("stopped")
	restore := data.SetReindex(2, func(string) error { return stop })
	if _, err := data.Open(ctx, path, data.WithKey(testKey)); !errors.Is(err, stop) {
		t.Fatalf("Open with the re-keying stopped: %v", err)
	}
	restore()
	defer data.SetReindex(2, nil)()
	db, err := data.Open(ctx, path, data.WithKey(testKey))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i, key := range keys {
		if s, err := db.Get(ctx, key); err != nil || s.State.Node != key {
			t.Errorf("session %s after a resumed re-keying: %+v, %v", key, s, err)
		}
		if ids, err := db.RecentSent(ctx, chats[i], time.Time{}); err != nil || !slices.Equal(ids, []int64{100 + chats[i]}) {
			t.Errorf("sent log of chat %d after a resumed re-keying: %v, %v", chats[i], ids, err)
		}
	}
}
