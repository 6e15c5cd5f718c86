package data_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/redress-legal/redress/data"
	"github.com/redress-legal/redress/flows"
	"github.com/redress-legal/redress/flows/flowstest"
	"github.com/redress-legal/redress/internal/testutil"
)

func canary(t *testing.T, label string) string {
	t.Helper()
	b := make([]byte, 12)
	rand.Read(b)
	return label + "-" + hex.EncodeToString(b)
}

var (
	rawFiles = func(t *testing.T, path string) map[string][]byte { return testutil.RawFiles(t, path) }
	findIn   = testutil.FindIn
)

// TestCanaryEncrypted: the text of answers and outbox payloads never
// reaches the disk in clear, neither in the database file nor in the WAL.
func TestCanaryEncrypted(t *testing.T) {
	db, path := openTemp(t)
	ctx := t.Context()
	secret := canary(t, "ANSWER")
	if _, err := db.Put(ctx, flows.Session{Key: "tg:1", State: flowstest.SampleState(secret)}); err != nil {
		t.Fatal(err)
	}
	if err := db.Commit(ctx, flows.Commit{UpdateID: 1, Chat: 2,
		Session: flows.Session{Key: "tg:2", State: flowstest.SampleState(secret)},
		Outbox:  []flows.Outgoing{{Method: "sendMessage", Payload: []byte(`{"text":"` + secret + `"}`)}},
	}); err != nil {
		t.Fatal(err)
	}
	files := rawFiles(t, path)
	if _, ok := files["redress.db-wal"]; !ok {
		t.Fatal("no WAL file while open: is the database in WAL mode?")
	}
	if where := findIn(files, secret); len(where) > 0 {
		t.Fatalf("canary in clear in %v while open", where)
	}
	// Positive control: the stored (hashed) session key is there, so the grep works.
	if where := findIn(files, data.IndexKey(db, "tg:2")); len(where) == 0 {
		t.Fatal("control string not found in the raw files: the test would see nothing")
	}
	// Who used the bot is not readable either: the session key is stored hashed.
	if where := findIn(files, "tg:2"); len(where) > 0 {
		t.Fatalf("session key in clear in %v", where)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	files = rawFiles(t, path)
	if where := findIn(files, secret); len(where) > 0 {
		t.Fatalf("canary in clear in %v after close", where)
	}
	// Reopened with the key, everything is readable.
	db2, err := data.Open(ctx, path, data.WithKey(testKey))
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	s, err := db2.Get(ctx, "tg:2")
	if err != nil || s.State.Answers["account"].Text != secret {
		t.Fatalf("after reopen: %v, %+v", err, s.State.Answers["account"])
	}
	rows, err := db2.Pending(ctx, 0)
	if err != nil || len(rows) != 1 || !bytes.Contains(rows[0].Payload, []byte(secret)) {
		t.Fatalf("after reopen: %v, %v", err, rows)
	}
}

// TestDeleteLeavesNoTrace: after a delete, nothing of the session key (which
// is stored in clear) remains in the database file, the WAL or the -shm,
// whichever way it was deleted.
func TestDeleteLeavesNoTrace(t *testing.T) {
	ways := map[string]func(t *testing.T, db *data.DB, key string, chat int64){
		"Delete": func(t *testing.T, db *data.DB, key string, _ int64) {
			if err := db.Delete(t.Context(), key); err != nil {
				t.Fatal(err)
			}
		},
		"CommitDelete": func(t *testing.T, db *data.DB, key string, chat int64) {
			if err := db.Commit(t.Context(), flows.Commit{UpdateID: 99, Delete: true, Chat: chat,
				Session: flows.Session{Key: key},
				Outbox:  []flows.Outgoing{{Method: "sendMessage", Payload: []byte(`{"text":"deleted"}`)}}}); err != nil {
				t.Fatal(err)
			}
		},
		"PurgeIdle": func(t *testing.T, db *data.DB, _ string, _ int64) {
			if n, err := db.PurgeIdle(t.Context(), farFuture); err != nil || n == 0 {
				t.Fatalf("PurgeIdle = %d, %v", n, err)
			}
		},
	}
	for name, del := range ways {
		t.Run(name, func(t *testing.T) {
			db, path := openTemp(t)
			ctx := t.Context()
			key := "tg:" + canary(t, "KEY")
			const chat = 77
			// Several revisions, so that old page images pile up in the WAL.
			var rev int64
			for i := range int64(5) {
				if err := db.Commit(ctx, flows.Commit{UpdateID: i + 1, Chat: chat,
					Session: flows.Session{Key: key, Rev: rev, State: flowstest.SampleState(key)},
					Outbox:  []flows.Outgoing{{Method: "sendMessage", Payload: []byte(key)}}}); err != nil {
					t.Fatal(err)
				}
				rev++
			}
			rows, _ := db.Pending(ctx, 0)
			for _, r := range rows[:2] {
				if err := db.Delivered(ctx, chat, flows.Delivery{Row: r.ID, MessageID: 500 + r.ID}); err != nil {
					t.Fatal(err)
				}
			}
			// Other users' data, written before and after, stays.
			if _, err := db.Put(ctx, flows.Session{Key: "tg:other", State: flowstest.SampleState("other")}); err != nil {
				t.Fatal(err)
			}
			stored := data.IndexKey(db, key)
			if where := findIn(rawFiles(t, path), stored); len(where) == 0 {
				t.Fatal("control: the stored key is not in the raw files before the delete")
			}
			del(t, db, key, chat)
			for _, k := range []string{key, stored} {
				if where := findIn(rawFiles(t, path), k); len(where) > 0 {
					t.Fatalf("deleted key %q still in %v while open", k, where)
				}
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			if where := findIn(rawFiles(t, path), key); len(where) > 0 {
				t.Fatalf("deleted key still in %v after close", where)
			}
			if where := findIn(rawFiles(t, path), stored); len(where) > 0 {
				t.Fatalf("deleted stored key still in %v after close", where)
			}
		})
	}
}

func TestWrongKey(t *testing.T) {
	db, path := openTemp(t)
	if _, err := db.Put(t.Context(), flows.Session{Key: "tg:1", State: flowstest.SampleState("x")}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	other := bytes.Repeat([]byte{7}, data.KeySize)
	_, err := data.Open(t.Context(), path, data.WithKey(other))
	if !errors.Is(err, data.ErrWrongKey) {
		t.Fatalf("Open with another key: error %v, want ErrWrongKey", err)
	}
	t.Logf("wrong key: %v", err)
	for _, bad := range [][]byte{nil, testKey[:16], append(testKey, 1)} {
		if _, err := data.Open(t.Context(), path, data.WithKey(bad)); err == nil || errors.Is(err, data.ErrWrongKey) {
			t.Fatalf("Open with a %d-byte key: error %v, want a key-size error", len(bad), err)
		}
	}
	if _, err := data.Open(t.Context(), path); err == nil {
		t.Fatal("Open without a key succeeded")
	}
	// The right key still works: failed opens changed nothing.
	db, err = data.Open(t.Context(), path, data.WithKey(testKey))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Get(t.Context(), "tg:1"); err != nil {
		t.Fatal(err)
	}
}

func TestFileModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	db, path := openTemp(t)
	if _, err := db.Put(t.Context(), flows.Session{Key: "k"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s has mode %04o, want no group/other access", filepath.Base(p), perm)
		}
	}
}

func TestOpenPaths(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dir with space #1 ?&=%20")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "r.db")
	db, err := data.Open(t.Context(), path, data.WithKey(testKey))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Put(t.Context(), flows.Session{Key: "k"}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not at the path given: %v", err)
	}
	for _, bad := range []string{"", ":memory:", "file:x.db?mode=memory"} {
		if _, err := data.Open(t.Context(), bad, data.WithKey(testKey)); err == nil {
			t.Errorf("Open(%q) succeeded", bad)
		}
	}
}
