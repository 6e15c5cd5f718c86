package data

import (
	"database/sql"
	"errors"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/redress-legal/redress/flows"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

func versions(t *testing.T, db *DB) []int {
	t.Helper()
	rows, err := db.read.QueryContext(t.Context(), `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	return vs
}

func tableExists(t *testing.T, db *DB, name string) bool {
	t.Helper()
	var n int
	if err := db.read.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// txStmt matches a statement that would manage a transaction.
var txStmt = regexp.MustCompile(`(?im)^\s*(BEGIN|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE)\b`)

func TestMigrationsEmbedded(t *testing.T) {
	ms, err := loadMigrations(migrationFS, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 2 {
		t.Fatalf("%d migrations embedded", len(ms))
	}
	for _, m := range ms {
		if txStmt.MatchString(m.sql) {
			t.Errorf("%s manages its own transaction; the runner does", m.name)
		}
	}
}

// TestMigrationUpgrade: a database created at migration 1 (a deployment of
// an older version) is upgraded by Open, keeping its data; opening again
// changes nothing.
func TestMigrationUpgrade(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := Open(ctx, path, WithKey(testKey), func(o *options) { o.maxMigr = 1 })
	if err != nil {
		t.Fatal(err)
	}
	if got := versions(t, old); !slices.Equal(got, []int{1}) {
		t.Fatalf("old database at versions %v, want [1]", got)
	}
	if tableExists(t, old, "outbox") {
		t.Fatal("migration 2 applied early")
	}
	s, err := old.Put(ctx, flows.Session{Key: "tg:1", State: flows.State{Flow: "f", Node: "n"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	for range 2 { // upgrade, then reopen: idempotent
		db, err := Open(ctx, path, WithKey(testKey))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := versions(t, db), allVersions(t); !slices.Equal(got, want) {
			t.Fatalf("upgraded database at versions %v, want %v", got, want)
		}
		if !tableExists(t, db, "evidence") || !tableExists(t, db, "handoffs") {
			t.Fatal("upgraded database lacks the evidence or handoffs table")
		}
		got, err := db.Get(ctx, "tg:1")
		if err != nil || got.Rev != s.Rev || got.State.Node != "n" {
			t.Fatalf("session after upgrade: %+v, %v", got, err)
		}
		if err := db.Commit(ctx, flows.Commit{UpdateID: int64(got.Rev), Chat: 1, Session: got,
			Outbox: []flows.Outgoing{{Method: "sendMessage"}}}); err != nil {
			t.Fatalf("commit after upgrade: %v", err)
		}
		s = got
		s.Rev++
		db.Close()
	}
}

func TestMigrationNewerSchemaRefused(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "new.db")
	db, err := Open(ctx, path, WithKey(testKey))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied) VALUES (99, '0099_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(ctx, path, WithKey(testKey))
	if err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("Open of a newer schema: %v, want a refusal", err)
	}
}

// TestMigrationAtomic: a migration that fails halfway leaves no trace of
// itself, and the ones before it stay applied.
func TestMigrationAtomic(t *testing.T) {
	ctx := t.Context()
	real, err := loadMigrations(migrationFS, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{
		"m/0001_a.sql": {Data: []byte(real[0].sql)},
		"m/0002_b.sql": {Data: []byte("CREATE TABLE half (x INTEGER);\nTHIS IS NOT SQL;")},
	}
	ms, err := loadMigrations(fsys, "m")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bad.db")
	o := options{key: testKey, now: time.Now, maxRead: 1}
	if _, err := open(ctx, path, o, ms); err == nil || !strings.Contains(err.Error(), "0002_b.sql") {
		t.Fatalf("open with a broken migration: %v, want an error naming it", err)
	}
	db, err := open(ctx, path, o, ms[:1])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := versions(t, db); !slices.Equal(got, []int{1}) {
		t.Fatalf("versions %v, want [1]", got)
	}
	if tableExists(t, db, "half") {
		t.Fatal("the failed migration's first statement was kept")
	}
}

func TestLoadMigrationsChecksNames(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{
		"gap":       {"m/0001_a.sql": {}, "m/0003_c.sql": {}},
		"repeat":    {"m/0001_a.sql": {}, "m/0001_b.sql": {}},
		"no number": {"m/init.sql": {}},
		"zero":      {"m/0000_a.sql": {}},
		"no start":  {"m/0002_a.sql": {}},
	} {
		if _, err := loadMigrations(fsys, "m"); err == nil {
			t.Errorf("%s: loadMigrations accepted %v", name, fsys)
		}
	}
}

// TestPragmas: every connection, reader or writer, has the pragmas.
func TestPragmas(t *testing.T) {
	ctx := t.Context()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "p.db"), WithKey(testKey), WithMaxOpenConns(3))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	want := map[string]string{
		"journal_mode":  "wal",
		"busy_timeout":  "5000",
		"foreign_keys":  "1",
		"secure_delete": "1",
		"synchronous":   "1",
	}
	for pool, sdb := range map[string]*sql.DB{"write": db.write, "read": db.read} {
		for p, w := range want {
			var got string
			if err := sdb.QueryRowContext(ctx, "PRAGMA "+p).Scan(&got); err != nil {
				t.Fatalf("%s: PRAGMA %s: %v", pool, p, err)
			}
			if got != w {
				t.Errorf("%s pool: PRAGMA %s = %s, want %s", pool, p, got, w)
			}
		}
	}
	var qo string
	if err := db.read.QueryRowContext(ctx, "PRAGMA query_only").Scan(&qo); err != nil || qo != "1" {
		t.Errorf("read pool: query_only = %s, %v; want 1", qo, err)
	}
	if _, err := db.read.ExecContext(ctx, `DELETE FROM sessions`); err == nil {
		t.Error("the read pool accepted a write")
	}
}

// TestMovedCiphertext: a sealed value copied to another row does not open,
// and a wrong key at read time is an error, never garbage.
func TestMovedCiphertext(t *testing.T) {
	ctx := t.Context()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "m.db"), WithKey(testKey))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, k := range []string{"tg:1", "tg:2"} {
		if _, err := db.Put(ctx, flows.Session{Key: k, State: flows.State{Node: k}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Commit(ctx, flows.Commit{UpdateID: 1, Chat: 1, Outbox: []flows.Outgoing{
		{Method: "sendMessage", Payload: []byte("one")}, {Method: "sendMessage", Payload: []byte("two")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.ExecContext(ctx, `UPDATE sessions SET state = (SELECT state FROM sessions WHERE key = ?) WHERE key = ?`, db.idx.key("tg:1"), db.idx.key("tg:2")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Get(ctx, "tg:2"); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("Get of a moved state: %v, want ErrDecrypt", err)
	}
	if _, err := db.Get(ctx, "tg:1"); err != nil {
		t.Fatalf("the original still opens: %v", err)
	}
	if _, err := db.write.ExecContext(ctx, `UPDATE outbox SET chat = 2 WHERE id = (SELECT MIN(id) FROM outbox)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pending(ctx, 0); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("Pending with a row moved to another chat: %v, want ErrDecrypt", err)
	}

	other, _ := newSealer(make([]byte, KeySize))
	db.seal = other
	if _, err := db.Get(ctx, "tg:1"); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("Get with another key: %v, want ErrDecrypt", err)
	}
}

// allVersions is the number of every embedded migration, in order.
func allVersions(t *testing.T) []int {
	t.Helper()
	ms, err := loadMigrations(migrationFS, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	var vs []int
	for i := range ms {
		vs = append(vs, i+1)
	}
	return vs
}
