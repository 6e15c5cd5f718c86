package data

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"time"
)

// Checkpoints in the background. SQLite's automatic checkpoint runs inside
// the commit that takes the WAL past 1,000 pages: that commit, and every
// write queued behind it, waits while the WAL is copied into the database
// file. Under load that was an eighth of the writer's time and the tail of
// the latency. So the write connection does not checkpoint on its own
// (wal_autocheckpoint=0) and a goroutine with a connection of its own runs
// a PASSIVE checkpoint, which never blocks the writer or the readers, every
// checkpointEvery while there have been commits. The deletes that must not
// leave a copy in the WAL still checkpoint with TRUNCATE on the write
// connection at once (checkpoint), and Close does too.

// checkpointEvery is how often the background checkpoint runs while the
// database is written to. At the load of docs/PERFORMANCE.md the WAL grows
// by a few MB in that time.
const checkpointEvery = 200 * time.Millisecond

// startCheckpointer opens the checkpoint connection and starts its loop.
func (db *DB) startCheckpointer(ctx context.Context) error {
	if _, err := db.write.ExecContext(ctx, `PRAGMA wal_autocheckpoint=0`); err != nil {
		return err
	}
	ck, err := sql.Open("sqlite3", dsn(db.path, url.Values{"_txlock": {"deferred"}}))
	if err != nil {
		return err
	}
	ck.SetMaxOpenConns(1)
	ck.SetMaxIdleConns(1)
	ck.SetConnMaxLifetime(0)
	ck.SetConnMaxIdleTime(0)
	if err := ck.PingContext(ctx); err != nil {
		return errors.Join(err, ck.Close())
	}
	db.ck, db.ckStop, db.ckDone = ck, make(chan struct{}), make(chan struct{})
	go db.checkpointer()
	return nil
}

// checkpointer runs PASSIVE checkpoints until ckStop is closed. Errors are
// left for the next round (a full disk, a busy lock): the writer reports
// what matters to its callers, and the WAL only grows meanwhile.
func (db *DB) checkpointer() {
	defer close(db.ckDone)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	var seen int64
	for {
		select {
		case <-db.ckStop:
			return
		case <-t.C:
		}
		if n := db.commits.Load(); n != seen {
			seen = n
			_, _ = db.ck.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
		}
	}
}

// stopCheckpointer ends the loop and closes its connection.
func (db *DB) stopCheckpointer() error {
	if db.ck == nil {
		return nil
	}
	close(db.ckStop)
	<-db.ckDone
	return db.ck.Close()
}
