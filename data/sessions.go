package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redress-legal/redress/flows"
)

// ErrInvalid is returned for arguments the store does not accept: an empty
// session key, a negative revision or update ID.
var ErrInvalid = flows.ErrInvalid

// execer is what a CAS needs: a *sql.DB or a *sql.Tx.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Get returns the session stored under key, or flows.ErrNotFound.
func (db *DB) Get(ctx context.Context, key string) (flows.Session, error) {
	var (
		rev, updated int64
		sealed       []byte
	)
	err := db.read.QueryRowContext(ctx, `SELECT rev, updated, state FROM sessions WHERE key = ?`, db.idx.key(key)).
		Scan(&rev, &updated, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return flows.Session{}, fmt.Errorf("data: get session %q: %w", key, flows.ErrNotFound)
	}
	if err != nil {
		return flows.Session{}, fmt.Errorf("data: get session %q: %w", key, err)
	}
	var st flows.State
	if err := db.seal.openJSON(sealed, sessionAD(key), &st); err != nil {
		return flows.Session{}, fmt.Errorf("data: get session %q: %w", key, err)
	}
	return flows.Session{Key: key, State: st, Rev: rev, Updated: fromNanos(updated)}, nil
}

// Put stores s if the stored revision equals s.Rev (0: none stored) and
// returns it with its new revision and time; otherwise flows.ErrConflict.
// Updated is stamped with the store's clock.
func (db *DB) Put(ctx context.Context, s flows.Session) (flows.Session, error) {
	if err := s.Check(); err != nil {
		return flows.Session{}, fmt.Errorf("data: put session: %w", err)
	}
	out, err := db.cas(ctx, db.write, s)
	if err != nil {
		return flows.Session{}, fmt.Errorf("data: put session %q: %w", s.Key, err)
	}
	return out, nil
}

// cas writes s if the stored revision is s.Rev, in one statement.
func (db *DB) cas(ctx context.Context, ex execer, s flows.Session) (flows.Session, error) {
	plain, err := json.Marshal(s.State)
	if err != nil {
		return flows.Session{}, fmt.Errorf("encode state: %w", err)
	}
	sealed, err := db.seal.seal(plain, sessionAD(s.Key))
	if err != nil {
		return flows.Session{}, err
	}
	now := db.nowNanos()
	var res sql.Result
	if s.Rev == 0 {
		res, err = ex.ExecContext(ctx, `INSERT INTO sessions (key, rev, updated, state) VALUES (?, 1, ?, ?)
			ON CONFLICT (key) DO NOTHING`, db.idx.key(s.Key), now, sealed)
	} else {
		res, err = ex.ExecContext(ctx, `UPDATE sessions SET rev = rev + 1, updated = ?, state = ?
			WHERE key = ? AND rev = ?`, now, sealed, db.idx.key(s.Key), s.Rev)
	}
	if err != nil {
		return flows.Session{}, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return flows.Session{}, err
	}
	if n == 0 {
		return flows.Session{}, flows.ErrConflict
	}
	s.Rev++
	s.Updated = fromNanos(now)
	return s, nil
}

// Delete removes the session stored under key and its evidence log, in
// one transaction, then checkpoints the WAL so no copy of them stays
// there. Deleting nothing is not an error.
func (db *DB) Delete(ctx context.Context, key string) error {
	var n int64
	err := db.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for _, q := range []string{`DELETE FROM sessions WHERE key = ?`, `DELETE FROM evidence WHERE key = ?`} {
			res, err := tx.ExecContext(ctx, q, db.idx.key(key))
			if err != nil {
				return err
			}
			m, _ := res.RowsAffected()
			n += m
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("data: delete session %q: %w", key, err)
	}
	if n > 0 {
		db.checkpoint(ctx)
	}
	return nil
}

// PurgeIdle removes the sessions last updated before before and says how
// many, then the evidence logs left without a session and not changed
// since before.
func (db *DB) PurgeIdle(ctx context.Context, before time.Time) (int, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM sessions WHERE updated < ?`, toNanos(before))
	if err != nil {
		return 0, fmt.Errorf("data: purge idle sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("data: purge idle sessions: %w", err)
	}
	res, err = db.write.ExecContext(ctx, purgeEvidenceSQL, toNanos(before), -1)
	if err != nil {
		return 0, fmt.Errorf("data: purge idle evidence logs: %w", err)
	}
	if m, _ := res.RowsAffected(); n > 0 || m > 0 {
		db.checkpoint(ctx)
	}
	return int(n), nil
}
