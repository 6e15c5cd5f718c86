package data_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redress-legal/redress/data"
	"github.com/redress-legal/redress/flows"
	"github.com/redress-legal/redress/flows/flowstest"
)

// TestBackupIsConsistentPrivateAndKeyed: a backup of an open database
// holds what was committed, opens with the key only, holds nothing in
// clear and nothing deleted before it was taken, is private (0600), and
// never overwrites a file.
func TestBackupIsConsistentPrivateAndKeyed(t *testing.T) {
	db, path := openTemp(t)
	ctx := t.Context()
	kept, gone := canary(t, "KEPT"), canary(t, "GONE")
	for i, s := range []string{kept, gone} {
		if err := db.Commit(ctx, flows.Commit{UpdateID: int64(i + 1), Chat: int64(i + 1),
			Session: flows.Session{Key: "tg:" + string(rune('1'+i)), State: flowstest.SampleState(s)}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Delete(ctx, "tg:2"); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "backup.db")
	info, err := data.Backup(ctx, path, dest)
	if err != nil {
		t.Fatalf("Backup of an open database: %v", err)
	}
	if info.Sessions != 1 || info.Schema < 1 || info.Bytes == 0 {
		t.Errorf("BackupInfo %+v: want 1 session, a schema version, a size", info)
	}
	st, err := os.Stat(dest)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v %v, want mode 0600", err, st.Mode())
	}
	raw, err := os.ReadFile(dest)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{kept, gone, "tg:1", "tg:2"} {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("the backup holds %q in clear", s)
		}
	}
	if !bytes.Contains(raw, []byte(data.IndexKey(db, "tg:1"))) {
		t.Error("the stored session key is not in the backup: the search above would find nothing")
	}
	if _, err := data.Backup(ctx, path, dest); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("a backup over an existing file: %v, want a refusal", err)
	}
	if _, err := data.Backup(ctx, filepath.Join(t.TempDir(), "none.db"), filepath.Join(t.TempDir(), "b.db")); err == nil {
		t.Error("a backup of a database that does not exist succeeded")
	}

	other := bytes.Repeat([]byte{9}, data.KeySize)
	if _, err := data.Open(ctx, dest, data.WithKey(other)); !errors.Is(err, data.ErrWrongKey) {
		t.Errorf("the backup opened with another key: %v", err)
	}
	restored, err := data.Open(ctx, dest, data.WithKey(testKey))
	if err != nil {
		t.Fatalf("the backup with its key: %v", err)
	}
	defer restored.Close()
	s, err := restored.Get(ctx, "tg:1")
	if err != nil || s.State.Answers["account"].Text != kept {
		t.Errorf("the kept session in the backup: %v %+v", err, s.State.Answers)
	}
	if _, err := restored.Get(ctx, "tg:2"); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("the deleted session is in the backup: %v", err)
	}
}

// TestOperatorCounts: the outbox depth and the sessions changed lately,
// as the admin listener reads them, and the write check.
func TestOperatorCounts(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	db, _ := openTemp(t, data.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	if err := db.CheckWritable(ctx); err != nil {
		t.Fatalf("CheckWritable: %v", err)
	}
	if err := db.Commit(ctx, flows.Commit{UpdateID: 1, Chat: 5, Session: flows.Session{Key: "tg:5", State: flowstest.SampleState("x")},
		Outbox: []flows.Outgoing{{Method: "sendMessage", Payload: []byte(`{}`)}, {Method: "sendMessage", Payload: []byte(`{}`)}}}); err != nil {
		t.Fatal(err)
	}
	if n, err := db.OutboxDepth(ctx); err != nil || n != 2 {
		t.Errorf("OutboxDepth = %d, %v; want 2", n, err)
	}
	if n, err := db.SessionsSince(ctx, now.Add(-time.Hour)); err != nil || n != 1 {
		t.Errorf("SessionsSince an hour ago = %d, %v; want 1", n, err)
	}
	if n, err := db.SessionsSince(ctx, now.Add(time.Hour)); err != nil || n != 0 {
		t.Errorf("SessionsSince in an hour = %d, %v; want 0", n, err)
	}
	plan, err := data.QueryPlan(db, `SELECT COUNT(*) FROM sessions WHERE updated >= ?`, 0)
	if err != nil || !strings.Contains(plan, "sessions_updated") {
		t.Errorf("the count of recent sessions does not use the index on updated:\n%s %v", plan, err)
	}
}
