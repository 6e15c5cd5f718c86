package data_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/redress-legal/redress/data"
	"github.com/redress-legal/redress/flows"
	"github.com/redress-legal/redress/flows/flowstest"
)

// testKey is a fixed key for tests; real keys come from LoadOrCreateKey or KeyFromEnv.
var testKey = []byte("0123456789abcdef0123456789abcdef")

// openTemp opens a new database in a temporary directory, closed when the test ends.
func openTemp(t testing.TB, opts ...data.Option) (*data.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "redress.db")
	db, err := data.Open(context.Background(), path, append([]data.Option{data.WithKey(testKey)}, opts...)...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db, path
}

func TestStoreSuite(t *testing.T) {
	flowstest.RunStoreSuite(t, func(t *testing.T) flows.Store {
		db, _ := openTemp(t)
		return db
	})
}

func TestOutboxSuite(t *testing.T) {
	flowstest.RunOutboxSuite(t, func(t *testing.T) flowstest.OutboxStore {
		db, _ := openTemp(t)
		return db
	})
}

// TestConcurrentCommits runs 50 chats at once, each committing a
// conversation, and expects no error at all (no SQLITE_BUSY, no conflict).
func TestConcurrentCommits(t *testing.T) {
	db, _ := openTemp(t)
	const chats, each = 50, 4
	var wg sync.WaitGroup
	errc := make(chan error, chats)
	for c := range int64(chats) {
		chat := 1000 + c
		wg.Go(func() {
			ctx := context.Background()
			key := fmt.Sprintf("tg:%d", chat)
			for i := range int64(each) {
				var rev int64
				if s, err := db.Get(ctx, key); err == nil {
					rev = s.Rev
				}
				err := db.Commit(ctx, flows.Commit{
					UpdateID: chat*100 + i,
					Session:  flows.Session{Key: key, Rev: rev, State: flowstest.SampleState(key)},
					Chat:     chat,
					Outbox:   []flows.Outgoing{{Method: "sendMessage", Payload: []byte(fmt.Sprintf(`{"n":%d}`, i))}},
				})
				if err != nil {
					errc <- fmt.Errorf("chat %d commit %d: %w", chat, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	rows, err := db.Pending(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != chats*each {
		t.Fatalf("%d pending rows, want %d", len(rows), chats*each)
	}
	for c := range int64(chats) {
		s, err := db.Get(t.Context(), fmt.Sprintf("tg:%d", 1000+c))
		if err != nil || s.Rev != each {
			t.Fatalf("chat %d: rev %d, %v; want rev %d", 1000+c, s.Rev, err, each)
		}
	}
}

// TestTwoHandlesOneFile: two DB values on one file (the server and a CLI,
// say) write in turn without errors and see each other's writes.
func TestTwoHandlesOneFile(t *testing.T) {
	a, path := openTemp(t)
	b, err := data.Open(t.Context(), path, data.WithKey(testKey))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var wg sync.WaitGroup
	for i, db := range []*data.DB{a, b} {
		wg.Go(func() {
			for n := range int64(20) {
				chat := int64(i+1)*1000 + n
				if err := db.Commit(context.Background(), flows.Commit{UpdateID: chat, Chat: chat,
					Session: flows.Session{Key: fmt.Sprint("tg:", chat)}}); err != nil {
					t.Errorf("handle %d: %v", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	for _, db := range []*data.DB{a, b} {
		if id, err := db.LastUpdateID(t.Context()); err != nil || id != 2019 {
			t.Fatalf("LastUpdateID = %d, %v; want 2019", id, err)
		}
	}
}

func BenchmarkCommit(b *testing.B) {
	db, _ := openTemp(b)
	ctx := context.Background()
	st := flowstest.SampleState("benchmark")
	out := []flows.Outgoing{
		{Method: "sendMessage", Payload: []byte(`{"chat_id":1,"text":"A question of typical length, about one line or two of text.","reply_markup":{}}`)},
		{Method: "editMessageReplyMarkup", Payload: []byte(`{"chat_id":1,"message_id":42}`)},
	}
	b.ReportAllocs()
	rev := int64(0)
	for i := 0; b.Loop(); i++ {
		if err := db.Commit(ctx, flows.Commit{UpdateID: int64(i + 1), Chat: 1, Outbox: out,
			Session: flows.Session{Key: "tg:1", Rev: rev, State: st}}); err != nil {
			b.Fatal(err)
		}
		rev++
	}
}

func BenchmarkGet(b *testing.B) {
	db, _ := openTemp(b)
	ctx := context.Background()
	if _, err := db.Put(ctx, flows.Session{Key: "tg:1", State: flowstest.SampleState("benchmark")}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := db.Get(ctx, "tg:1"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetParallel(b *testing.B) {
	db, _ := openTemp(b)
	ctx := context.Background()
	if _, err := db.Put(ctx, flows.Session{Key: "tg:1", State: flowstest.SampleState("benchmark")}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := db.Get(ctx, "tg:1"); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// farFuture is later than any time the tests stamp.
var farFuture = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)

func TestEvidenceSuite(t *testing.T) {
	flowstest.RunEvidenceSuite(t, func(t *testing.T) flowstest.EvidenceStore {
		db, _ := openTemp(t)
		return db
	})
}
