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

// The store keeps hand-off cases and the statistics (flows.HandoffStore,
// flows.StatsStore); both change only with a Commit.
var (
	_ flows.HandoffStore = (*DB)(nil)
	_ flows.StatsStore   = (*DB)(nil)
)

const purposeHandoff = "redress/handoff"

func handoffAD(id string) []byte { return ad(purposeHandoff, []byte(id)) }

// caseData is the sealed part of a case: what relaying needs.
type caseData struct {
	Chat        int64  `json:"c"`
	Lang        string `json:"l,omitempty"`
	Volunteer   string `json:"v,omitempty"`
	VolunteerID int64  `json:"vi,omitempty"`
}

// caseTx makes the change ch in tx.
func (db *DB) caseTx(ctx context.Context, tx *sql.Tx, ch *flows.CaseChange, now int64) error {
	c := ch.Case
	sealed, err := db.seal.seal(mustJSON(caseData{Chat: c.Chat, Lang: c.Lang, Volunteer: c.Volunteer, VolunteerID: c.VolunteerID}), handoffAD(c.ID))
	if err != nil {
		return fmt.Errorf("case %s: %w", c.ID, err)
	}
	switch ch.Op {
	case flows.CaseCreate:
		if _, err := tx.ExecContext(ctx, `INSERT INTO handoffs (id, chat, status, data, created, updated) VALUES (?, ?, ?, ?, ?, ?)`,
			c.ID, db.idx.chat(c.Chat), int(flows.CaseOpen), sealed, now, now); err != nil {
			return fmt.Errorf("case %s: %w", c.ID, err)
		}
	case flows.CaseUpdate:
		if _, err := tx.ExecContext(ctx, `UPDATE handoffs SET status = ?, data = ?, updated = ? WHERE id = ?`,
			int(c.Status), sealed, now, c.ID); err != nil {
			return fmt.Errorf("case %s: %w", c.ID, err)
		}
	default:
		return fmt.Errorf("case %s: operation %d: %w", c.ID, ch.Op, flows.ErrInvalid)
	}
	return nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // plain structs of strings and numbers
	}
	return b
}

// Case returns the hand-off case with id, or flows.ErrNotFound.
func (db *DB) Case(ctx context.Context, id string) (flows.Case, error) {
	var (
		status           int
		sealed           []byte
		created, updated int64
	)
	err := db.read.QueryRowContext(ctx, `SELECT status, data, created, updated FROM handoffs WHERE id = ?`, id).Scan(&status, &sealed, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return flows.Case{}, fmt.Errorf("data: case %s: %w", id, flows.ErrNotFound)
	}
	if err != nil {
		return flows.Case{}, fmt.Errorf("data: case %s: %w", id, err)
	}
	var d caseData
	if err := db.seal.openJSON(sealed, handoffAD(id), &d); err != nil {
		return flows.Case{}, fmt.Errorf("data: case %s: %w", id, err)
	}
	return flows.Case{ID: id, Chat: d.Chat, Lang: d.Lang, Status: flows.CaseStatus(status),
		Volunteer: d.Volunteer, VolunteerID: d.VolunteerID, Created: fromNanos(created)}, nil
}

// CasesOf lists the IDs of the cases of a person's chat, oldest first.
func (db *DB) CasesOf(ctx context.Context, chat int64) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id FROM handoffs WHERE chat = ? ORDER BY created, id`, db.idx.chat(chat))
	if err != nil {
		return nil, fmt.Errorf("data: cases of chat %d: %w", chat, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("data: cases of chat %d: %w", chat, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("data: cases of chat %d: %w", chat, err)
	}
	return ids, nil
}

// CaseMessages lists the IDs of the messages delivered to the volunteers'
// chat for case id, the card first.
func (db *DB) CaseMessages(ctx context.Context, id string) ([]int64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT message_id FROM handoff_msgs WHERE handoff = ? AND message_id != 0 ORDER BY row`, id)
	if err != nil {
		return nil, fmt.Errorf("data: messages of case %s: %w", id, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var m int64
		if err := rows.Scan(&m); err != nil {
			return nil, fmt.Errorf("data: messages of case %s: %w", id, err)
		}
		ids = append(ids, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("data: messages of case %s: %w", id, err)
	}
	return ids, nil
}

// countTx adds counts to the counters of the week of now.
func countTx(ctx context.Context, tx *sql.Tx, counts []flows.Count, now time.Time) error {
	week := flows.Week(now)
	for _, c := range counts {
		if _, err := tx.ExecContext(ctx, `INSERT INTO stats (week, kind, value, n) VALUES (?, ?, ?, 1)
			ON CONFLICT (week, kind, value) DO UPDATE SET n = n + 1`, week, c.Kind, c.Value); err != nil {
			return fmt.Errorf("count %s: %w", c.Kind, err)
		}
	}
	return nil
}

// Stats returns the counters of the weeks from the week of since on,
// ordered by week, kind and value.
func (db *DB) Stats(ctx context.Context, since time.Time) ([]flows.StatsRow, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT week, kind, value, n FROM stats WHERE week >= ? ORDER BY week, kind, value`, flows.Week(since))
	if err != nil {
		return nil, fmt.Errorf("data: stats: %w", err)
	}
	defer rows.Close()
	var out []flows.StatsRow
	for rows.Next() {
		var r flows.StatsRow
		if err := rows.Scan(&r.Week, &r.Kind, &r.Value, &r.N); err != nil {
			return nil, fmt.Errorf("data: stats: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("data: stats: %w", err)
	}
	return out, nil
}
