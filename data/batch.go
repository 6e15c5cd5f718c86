package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
)

// Group commit. Commit and Delivered, the store's hot writes, are queued
// for one writer goroutine, which runs whatever has queued up meanwhile in
// one transaction. A request that fails (a duplicate update, a revision
// conflict) is rolled back alone: the batch is first run as it is, and if
// a request fails, run again with each request inside its own savepoint.
// Each caller learns its own result only once the transaction holding it
// has committed. Every request is still all or nothing, and its effects
// are durable (as far as synchronous=NORMAL goes) when its call returns;
// what is shared is the cost of the commit, which is most of a small
// write's cost (the WAL frames of the pages touched).
//
// Statements inside a batch run without the callers' contexts: SQLite
// interrupts a cancelled statement by rolling back the whole transaction,
// which would take the other requests with it. A request whose context has
// ended before its batch starts is not run.

// maxBatch bounds the requests in one transaction.
const maxBatch = 64

// writeReq is one queued write.
type writeReq struct {
	ctx  context.Context
	fn   func(ctx context.Context, tx *sql.Tx) error
	done chan error
}

// inTx runs fn in a write transaction shared with other requests queued at
// the same time, and returns fn's error, or the commit's.
func (db *DB) inTx(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	req := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	db.wmu.RLock()
	if db.wclosed {
		db.wmu.RUnlock()
		return errors.New("database closed")
	}
	db.wq <- req
	db.wmu.RUnlock()
	return <-req.done
}

// writer runs the queued write requests until wq is closed.
func (db *DB) writer() {
	defer close(db.wdone)
	batch := make([]*writeReq, 0, maxBatch)
	for req := range db.wq {
		batch = append(batch[:0], req)
		for yielded := false; ; yielded = true {
			batch = db.takeQueued(batch)
			if len(batch) > 1 || yielded {
				break
			}
			// Alone: let the goroutines that are about to write (other
			// chats' handlers and senders, woken by the same events) queue
			// up first. It costs a scheduler pass, not a timer.
			runtime.Gosched()
		}
		db.runBatch(batch)
		db.commits.Add(1)
		clear(batch)
	}
}

// takeQueued appends the requests already queued, up to maxBatch.
func (db *DB) takeQueued(batch []*writeReq) []*writeReq {
	for len(batch) < maxBatch {
		select {
		case r, ok := <-db.wq:
			if !ok {
				return batch
			}
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

// runBatch runs the requests of one batch and answers each.
func (db *DB) runBatch(batch []*writeReq) {
	live := batch[:0:0]
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.done <- err
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	ctx := context.Background()
	if len(live) == 1 {
		live[0].done <- db.runAlone(ctx, live[0])
		return
	}
	errs, err := db.runTogether(ctx, live, false)
	if err == nil && errs == nil {
		// A request failed without savepoints: the whole transaction was
		// rolled back. Run the batch again, each request in a savepoint.
		errs, err = db.runTogether(ctx, live, true)
	}
	if err != nil {
		// The batch itself failed (begin, a savepoint, the commit): run
		// each request on its own, so that each gets its own answer.
		for _, r := range live {
			r.done <- db.runAlone(ctx, r)
		}
		return
	}
	for i, r := range live {
		r.done <- errs[i]
	}
}

// runAlone runs one request in its own transaction.
func (db *DB) runAlone(ctx context.Context, r *writeReq) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := r.fn(ctx, tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// runTogether runs the requests in one transaction. With savepoints, each
// runs in its own, so that one failing is rolled back alone. Without, the
// first failure rolls back everything and runTogether returns no errors
// and no error (the caller runs the batch again with savepoints): most
// batches have no failure, and two statements per request are saved.
// Otherwise it returns each request's own error, or an error for the whole
// batch (then nothing was committed).
func (db *DB) runTogether(ctx context.Context, live []*writeReq, savepoints bool) ([]error, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	errs := make([]error, len(live))
	for i, r := range live {
		if !savepoints {
			if errs[i] = r.fn(ctx, tx); errs[i] != nil {
				return nil, nil
			}
			continue
		}
		if _, err := tx.ExecContext(ctx, `SAVEPOINT req`); err != nil {
			return nil, fmt.Errorf("savepoint: %w", err)
		}
		errs[i] = r.fn(ctx, tx)
		if errs[i] != nil {
			if _, err := tx.ExecContext(ctx, `ROLLBACK TO req`); err != nil {
				return nil, fmt.Errorf("rollback to savepoint: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `RELEASE req`); err != nil {
			return nil, fmt.Errorf("release savepoint: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	return errs, nil
}
