package data

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// What the operator's admin listener asks the store: whether it can
// still write, and two cheap counts for the metrics. None of them reads
// a session's content.

// CheckWritable writes the time into the meta table through the writer
// every commit uses, and reports whether the write was committed: false
// when the disk is full, the file read-only or the database broken —
// when the bot could not record an update either.
func (db *DB) CheckWritable(ctx context.Context) error {
	err := db.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO meta (name, value) VALUES ('write_check', ?)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`, []byte(db.now().UTC().Format(time.RFC3339Nano)))
		return err
	})
	if err != nil {
		return fmt.Errorf("data: database not writable: %w", err)
	}
	return nil
}

// OutboxDepth is the number of replies waiting to be sent.
func (db *DB) OutboxDepth(ctx context.Context) (int64, error) {
	var n int64
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox`).Scan(&n); err != nil {
		return 0, fmt.Errorf("data: outbox depth: %w", err)
	}
	return n, nil
}

// SessionsSince is the number of sessions changed at or after since (an
// index range: cheap for the last day even with a million sessions).
func (db *DB) SessionsSince(ctx context.Context, since time.Time) (int64, error) {
	var n int64
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE updated >= ?`, toNanos(since)).Scan(&n); err != nil {
		return 0, fmt.Errorf("data: sessions since: %w", err)
	}
	return n, nil
}
