package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver

	"github.com/redress-legal/redress/flows"
)

// The store contract is declared once, in flows; DB keeps all of it.
var (
	_ flows.Store       = (*DB)(nil)
	_ flows.OutboxStore = (*DB)(nil)
)

// DB is the SQLite store: sessions, processed updates, the outbox, the log
// of sent messages and inactive chats, in one database file. It implements
// flows.Store and flows.OutboxStore (the contract declared in flows) and is safe for
// concurrent use.
//
// Writes go through a single connection, so writers queue in Go instead of
// spinning on SQLite's busy handler; reads use a pool of query-only
// connections that WAL lets run alongside the writer.
type DB struct {
	path  string
	write *sql.DB // one connection, BEGIN IMMEDIATE
	read  *sql.DB // query-only pool
	seal  *sealer
	idx   indexer // keyed hashes of session keys and chat IDs
	now   func() time.Time
	// sentWin: Trim removes older sent-log entries (WithSentWindow).
	sentWin time.Duration
	// outboxLast is the last outbox id given (appendOutbox); only the
	// writer goroutine touches it.
	outboxLast int64
	// caseRows are the outbox rows of a hand-off case not yet delivered
	// (handoff_msgs with no message ID), read from the database the first
	// time: Delivered records a message ID there only for them, so other
	// deliveries pay nothing. Only the writer goroutine touches it.
	caseRows map[int64]bool

	// Background checkpoints (checkpoint.go); commits counts transactions
	// of the writer, so an idle database is not checkpointed again.
	ck      *sql.DB
	ckStop  chan struct{}
	ckDone  chan struct{}
	commits atomic.Int64

	// Group commit of Commit and Delivered (batch.go).
	wq      chan *writeReq
	wmu     sync.RWMutex // guards sending on wq against its close
	wclosed bool
	wdone   chan struct{} // closed when the writer has stopped

	closeOnce sync.Once
	closeErr  error
}

// options are what Option functions set.
type options struct {
	key     []byte
	now     func() time.Time
	maxRead int
	sentWin time.Duration
	maxMigr int // tests: apply only the first maxMigr migrations (0: all)
}

// Option configures Open.
type Option func(*options)

// WithKey sets the 32-byte encryption key (required). See LoadOrCreateKey
// and KeyFromEnv.
func WithKey(key []byte) Option {
	return func(o *options) { o.key = append([]byte(nil), key...) }
}

// WithClock sets the clock that stamps sessions, updates and sent messages
// (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// WithSentWindow makes Trim remove entries of the sent-message log older
// than d even when the retention period is longer: the log serves only to
// delete a chat's recent messages (default 0: kept as long as the rest).
func WithSentWindow(d time.Duration) Option {
	return func(o *options) { o.sentWin = d }
}

// WithMaxOpenConns sets how many connections may read at once (default 4).
// Writes always use one connection.
func WithMaxOpenConns(n int) Option {
	return func(o *options) { o.maxRead = n }
}

// pragmas every pooled connection gets, through the DSN.
var pragmas = url.Values{
	"_journal_mode":  {"WAL"},
	"_busy_timeout":  {"5000"},
	"_foreign_keys":  {"on"},
	"_secure_delete": {"on"},
	"_synchronous":   {"NORMAL"},
	// Reuse prepared statements per connection: the store runs a few
	// fixed queries, and preparing them was a quarter of Commit's CPU.
	"_stmt_cache_size": {"32"},
}

// dsn returns the connection string for the database file at path (an
// absolute path) with the pragmas and the given extra parameters.
func dsn(path string, extra url.Values) string {
	q := url.Values{}
	for k, v := range pragmas {
		q[k] = v
	}
	for k, v := range extra {
		q[k] = v
	}
	p := filepath.ToSlash(path)
	if p == "" || p[0] != '/' {
		p = "/" + p // Windows: C:/x -> /C:/x
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: q.Encode()}
	return u.String()
}

// Open opens (creating if needed) the database file at path, applies the
// migrations it lacks and checks the encryption key. A key other than the
// one the database was created with fails with ErrWrongKey.
func Open(ctx context.Context, path string, opts ...Option) (*DB, error) {
	o := options{now: time.Now, maxRead: 4}
	for _, opt := range opts {
		opt(&o)
	}
	ms, err := loadMigrations(migrationFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	if o.maxMigr > 0 {
		ms = ms[:o.maxMigr]
	}
	db, err := open(ctx, path, o, ms)
	if err != nil {
		return nil, fmt.Errorf("data: open %s: %w", path, err)
	}
	return db, nil
}

func open(ctx context.Context, path string, o options, ms []migration) (*DB, error) {
	if len(o.key) == 0 {
		return nil, errors.New("no encryption key: use WithKey (see LoadOrCreateKey, KeyFromEnv)")
	}
	seal, err := newSealer(o.key)
	if err != nil {
		return nil, err
	}
	if o.now == nil {
		return nil, errors.New("WithClock: nil clock")
	}
	if o.maxRead < 1 {
		return nil, fmt.Errorf("WithMaxOpenConns(%d): need at least 1", o.maxRead)
	}
	if path == "" || path == ":memory:" || (len(path) > 5 && path[:5] == "file:") {
		return nil, errors.New("path must name a database file")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	// Create the file ourselves so it is private from the start: SQLite
	// gives the -wal and -shm files the database file's permissions.
	if f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600); err != nil {
		return nil, err
	} else if err := f.Close(); err != nil {
		return nil, err
	}

	db := &DB{path: abs, seal: seal, idx: newIndexer(o.key), now: o.now, sentWin: o.sentWin}
	db.write, err = sql.Open("sqlite3", dsn(abs, url.Values{"_txlock": {"immediate"}}))
	if err != nil {
		return nil, err
	}
	db.write.SetMaxOpenConns(1)
	db.write.SetMaxIdleConns(1)
	db.write.SetConnMaxLifetime(0)
	db.write.SetConnMaxIdleTime(0)
	if err := db.setup(ctx, ms); err != nil {
		db.write.Close()
		return nil, err
	}
	db.read, err = sql.Open("sqlite3", dsn(abs, url.Values{"_txlock": {"deferred"}, "_query_only": {"on"}}))
	if err != nil {
		db.write.Close()
		return nil, err
	}
	db.read.SetMaxOpenConns(o.maxRead)
	db.read.SetMaxIdleConns(o.maxRead)
	if err := db.read.PingContext(ctx); err != nil {
		db.read.Close()
		db.write.Close()
		return nil, err
	}
	if err := db.startCheckpointer(ctx); err != nil {
		db.read.Close()
		db.write.Close()
		return nil, fmt.Errorf("checkpointer: %w", err)
	}
	db.wq = make(chan *writeReq, 4*maxBatch)
	db.wdone = make(chan struct{})
	go db.writer()
	return db, nil
}

// setup checks the pragmas took, migrates and checks the key.
func (db *DB) setup(ctx context.Context, ms []migration) error {
	var mode string
	if err := db.write.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		return fmt.Errorf("journal mode: %w", err)
	}
	if mode != "wal" {
		return fmt.Errorf("journal mode is %q, want wal", mode)
	}
	if err := migrate(ctx, db.write, ms, db.nowNanos()); err != nil {
		return err
	}
	if err := db.checkKey(ctx); err != nil {
		return err
	}
	return db.reindex(ctx)
}

// checkKey opens the key-check value, sealing one first in a new database.
func (db *DB) checkKey(ctx context.Context) error {
	ad := ad(purposeKeyCheck, nil)
	check, err := db.seal.seal([]byte(purposeKeyCheck), ad)
	if err != nil {
		return err
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("key check: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO meta (name, value) VALUES ('key_check', ?) ON CONFLICT (name) DO NOTHING`, check); err != nil {
		return fmt.Errorf("key check: %w", err)
	}
	var stored []byte
	if err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE name = 'key_check'`).Scan(&stored); err != nil {
		return fmt.Errorf("key check: %w", err)
	}
	if plain, err := db.seal.open(stored, ad); err != nil || string(plain) != purposeKeyCheck {
		return ErrWrongKey
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("key check: %w", err)
	}
	return nil
}

// Close checkpoints the WAL into the database file and closes it.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		db.wmu.Lock()
		db.wclosed = true
		close(db.wq)
		db.wmu.Unlock()
		<-db.wdone // the writes queued are done
		kerr := db.stopCheckpointer()
		rerr := db.read.Close()
		_, cerr := db.write.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
		werr := db.write.Close()
		if err := errors.Join(kerr, rerr, cerr, werr); err != nil {
			db.closeErr = fmt.Errorf("data: close %s: %w", db.path, err)
		}
	})
	return db.closeErr
}

// checkpoint copies the WAL into the database file and truncates it, so
// deleted rows leave no copy in the WAL. Best effort: a busy reader can
// delay it to a later checkpoint.
func (db *DB) checkpoint(ctx context.Context) {
	_, _ = db.write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
}

// Times are stored as Unix nanoseconds; times outside int64 nanoseconds
// (years before 1678 or after 2262, the zero time) are clamped.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

func toNanos(t time.Time) int64 {
	switch {
	case t.Before(minTime):
		return math.MinInt64
	case t.After(maxTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

func (db *DB) nowNanos() int64 { return toNanos(db.now()) }
