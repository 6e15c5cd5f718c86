package data_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redress-legal/redress/flows"
)

// TestBackgroundCheckpoint: committed pages reach the database file while
// the store is open, without Close or a delete's checkpoint, and without
// the WAL reaching the 1,000 pages at which SQLite would checkpoint inside
// a commit (the write connection does not any more).
func TestBackgroundCheckpoint(t *testing.T) {
	db, path := openTemp(t)
	ctx := context.Background()
	size := func(p string) int64 {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	before := size(path)
	note := strings.Repeat("x", 3000)
	for i := range 60 {
		err := db.Commit(ctx, flows.Commit{UpdateID: int64(i + 1), Chat: int64(i + 1),
			Session: flows.Session{Key: fmt.Sprintf("tg:%d", i+1), State: flows.State{Node: "n", Answers: map[string]flows.Answer{"story": {Text: note}}}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	if wal := size(path + "-wal"); wal > 1000*4096 {
		t.Fatalf("WAL is %d bytes: the test must stay below the automatic checkpoint", wal)
	}
	deadline := time.Now().Add(5 * time.Second)
	for size(path) < before+60*3000 {
		if time.Now().After(deadline) {
			t.Fatalf("database file %d bytes after 60 commits of 3 KB (%d before): nothing checkpointed in the background", size(path), before)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
