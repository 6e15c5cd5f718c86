package data

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redress-legal/redress/flows"
)

var _ flows.EvidenceStore = (*DB)(nil)

// purposeEvidence is the purpose of an evidence item's sealed fields.
const purposeEvidence = "redress/evidence"

// evidenceAD binds a sealed evidence item to its session key and seq.
func evidenceAD(key string, seq int) []byte {
	b := append([]byte(key), 0)
	return ad(purposeEvidence, binary.BigEndian.AppendUint64(b, uint64(seq)))
}

// evidenceSecret is what an evidence row keeps sealed.
type evidenceSecret struct {
	Description string `json:"d,omitempty"`
	URL         string `json:"u,omitempty"`
	FileName    string `json:"f,omitempty"`
	SHA256      string `json:"h,omitempty"`
}

// AddEvidence appends it to key's log, in one transaction, and returns it
// with its Seq. An item whose UpdateID (not 0) an item of key's log
// received within flows.DuplicateWindow already has is not recorded
// again: that item is returned.
func (db *DB) AddEvidence(ctx context.Context, key string, it flows.EvidenceItem) (flows.EvidenceItem, error) {
	if key == "" {
		return flows.EvidenceItem{}, fmt.Errorf("data: add evidence: empty session key: %w", flows.ErrInvalid)
	}
	switch it.Kind {
	case flows.EvidenceFile, flows.EvidenceLink, flows.EvidenceNote:
	default:
		return flows.EvidenceItem{}, fmt.Errorf("data: add evidence: kind %q: %w", it.Kind, flows.ErrInvalid)
	}
	it.Received = fromNanos(toNanos(it.Received))
	it.Removed = time.Time{}
	if !it.Counts.SeenAt.IsZero() {
		it.Counts.SeenAt = fromNanos(toNanos(it.Counts.SeenAt))
	}
	ik := db.idx.key(key)
	var out flows.EvidenceItem
	err := db.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if it.UpdateID != 0 {
			var seq int
			err := tx.QueryRowContext(ctx, `SELECT seq FROM evidence WHERE key = ? AND update_id = ? AND received >= ? ORDER BY seq LIMIT 1`,
				ik, it.UpdateID, toNanos(it.Received.Add(-flows.DuplicateWindow))).Scan(&seq)
			switch {
			case err == nil:
				var gerr error
				out, gerr = db.evidenceItem(ctx, tx, key, seq)
				return gerr
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM evidence WHERE key = ?`, ik).Scan(&it.Seq); err != nil {
			return err
		}
		plain, err := json.Marshal(evidenceSecret{Description: it.Description, URL: it.URL, FileName: it.FileName, SHA256: it.SHA256})
		if err != nil {
			return err
		}
		sealed, err := db.seal.seal(plain, evidenceAD(key, it.Seq))
		if err != nil {
			return err
		}
		var seen int64
		if !it.Counts.SeenAt.IsZero() {
			seen = toNanos(it.Counts.SeenAt)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO evidence (key, seq, kind, size, mime, platform, views, reposts, comments, likes,
			seen_at, received, update_id, sealed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			ik, it.Seq, string(it.Kind), it.Size, it.MIME, it.Platform, it.Counts.Views, it.Counts.Reposts, it.Counts.Comments,
			it.Counts.Likes, seen, toNanos(it.Received), it.UpdateID, sealed); err != nil {
			return err
		}
		out = it
		return nil
	})
	if err != nil {
		return flows.EvidenceItem{}, fmt.Errorf("data: add evidence: %w", err)
	}
	return out, nil
}

// RemoveEvidence records, in one transaction, that item seq of key's log
// was removed at at; the row stays. Removing an item removed before keeps
// the first time. flows.ErrNotFound when key's log has no item seq.
func (db *DB) RemoveEvidence(ctx context.Context, key string, seq int, at time.Time) error {
	ik := db.idx.key(key)
	err := db.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var removed int64
		err := tx.QueryRowContext(ctx, `SELECT removed FROM evidence WHERE key = ? AND seq = ?`, ik, seq).Scan(&removed)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return flows.ErrNotFound
		case err != nil:
			return err
		case removed != 0:
			return nil
		}
		_, err = tx.ExecContext(ctx, `UPDATE evidence SET removed = ? WHERE key = ? AND seq = ?`, max(toNanos(at), 1), ik, seq)
		return err
	})
	if err != nil {
		return fmt.Errorf("data: remove evidence item %d: %w", seq, err)
	}
	return nil
}

// ListEvidence returns key's whole log in Seq order, removed items included.
func (db *DB) ListEvidence(ctx context.Context, key string) ([]flows.EvidenceItem, error) {
	rows, err := db.read.QueryContext(ctx, evidenceSelect+` WHERE key = ? ORDER BY seq`, db.idx.key(key))
	if err != nil {
		return nil, fmt.Errorf("data: list evidence: %w", err)
	}
	defer rows.Close()
	var out []flows.EvidenceItem
	for rows.Next() {
		it, err := db.scanEvidence(rows, key)
		if err != nil {
			return nil, fmt.Errorf("data: list evidence: %w", err)
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("data: list evidence: %w", err)
	}
	return out, nil
}

const evidenceSelect = `SELECT seq, kind, size, mime, platform, views, reposts, comments, likes, seen_at, received, removed, update_id, sealed FROM evidence`

// evidenceItem reads item seq of key's log in tx.
func (db *DB) evidenceItem(ctx context.Context, tx *sql.Tx, key string, seq int) (flows.EvidenceItem, error) {
	row := tx.QueryRowContext(ctx, evidenceSelect+` WHERE key = ? AND seq = ?`, db.idx.key(key), seq)
	return db.scanEvidence(row, key)
}

// scanEvidence reads one row of evidenceSelect and opens its sealed fields.
func (db *DB) scanEvidence(row interface{ Scan(...any) error }, key string) (flows.EvidenceItem, error) {
	var (
		it                      flows.EvidenceItem
		kind                    string
		seen, received, removed int64
		sealed                  []byte
	)
	if err := row.Scan(&it.Seq, &kind, &it.Size, &it.MIME, &it.Platform, &it.Counts.Views, &it.Counts.Reposts,
		&it.Counts.Comments, &it.Counts.Likes, &seen, &received, &removed, &it.UpdateID, &sealed); err != nil {
		return flows.EvidenceItem{}, err
	}
	it.Kind = flows.EvidenceKind(kind)
	it.Received = fromNanos(received)
	if seen != 0 {
		it.Counts.SeenAt = fromNanos(seen)
	}
	if removed != 0 {
		it.Removed = fromNanos(removed)
	}
	var sec evidenceSecret
	if err := db.seal.openJSON(sealed, evidenceAD(key, it.Seq), &sec); err != nil {
		return flows.EvidenceItem{}, fmt.Errorf("item %d: %w", it.Seq, err)
	}
	it.Description, it.URL, it.FileName, it.SHA256 = sec.Description, sec.URL, sec.FileName, sec.SHA256
	return it, nil
}

// purgeEvidenceSQL deletes the logs of up to ? users who have no session
// (purged or never stored) and whose log has not changed since ?: an
// evidence log goes with its session, and a log added to recently outlives
// an idle session until it is idle too.
const purgeEvidenceSQL = `DELETE FROM evidence WHERE key IN (
	SELECT key FROM evidence WHERE key NOT IN (SELECT key FROM sessions)
	GROUP BY key HAVING MAX(MAX(received), MAX(removed)) < ? LIMIT ?)`
