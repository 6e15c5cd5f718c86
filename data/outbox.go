package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/redress-legal/redress/flows"
)

// ErrChatMismatch is returned by Commit when an outbox row names a chat
// other than the commit's, and by Delivered when the row belongs to
// another chat.
var ErrChatMismatch = flows.ErrChatMismatch

// Commit applies c in one transaction: it records c.UpdateID, compare-and-
// swaps c.Session on its revision (or, with c.Delete, removes everything of
// the session key and chat) and appends c.Outbox for c.Chat, setting the
// ID of each c.Outbox row in place. It returns flows.ErrDuplicate for an
// update already committed and flows.ErrConflict when the revision moved,
// having changed nothing (the IDs set are then meaningless).
//
// UpdateID 0 records no update; an empty Session.Key stores no session.
// A commit marks its chat active again. Outbox rows go to c.Chat: a row
// naming another chat fails the commit with ErrChatMismatch.
func (db *DB) Commit(ctx context.Context, c flows.Commit) error {
	if err := db.commit(ctx, c); err != nil {
		return fmt.Errorf("data: commit update %d: %w", c.UpdateID, err)
	}
	if c.Delete {
		db.checkpoint(ctx)
	}
	return nil
}

func (db *DB) commit(ctx context.Context, c flows.Commit) error {
	if err := c.Check(); err != nil {
		return err
	}
	return db.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error { return db.commitTx(ctx, tx, c) })
}

// commitTx makes the changes of c in tx.
func (db *DB) commitTx(ctx context.Context, tx *sql.Tx, c flows.Commit) error {
	now := db.nowNanos()

	if c.UpdateID != 0 {
		// An ID seen within the duplicate window is a re-delivery; an older
		// one is a new update that happens to reuse it (see flows.DuplicateWindow).
		res, err := tx.ExecContext(ctx, `INSERT INTO updates (update_id, processed) VALUES (?, ?)
			ON CONFLICT (update_id) DO UPDATE SET processed = excluded.processed
			WHERE updates.processed < ?`, c.UpdateID, now, now-int64(flows.DuplicateWindow))
		if err != nil {
			return fmt.Errorf("record update: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("record update: %w", err)
		} else if n == 0 {
			return flows.ErrDuplicate
		}
	}

	if c.Delete {
		if err := db.deleteAll(ctx, tx, c.Session.Key, c.Chat); err != nil {
			return err
		}
	} else {
		if c.Session.Key != "" {
			if _, err := db.cas(ctx, tx, c.Session); err != nil {
				return fmt.Errorf("session %q: %w", c.Session.Key, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE chats SET inactive = 0, updated = ? WHERE chat = ? AND inactive = 1`, now, db.idx.chat(c.Chat)); err != nil {
			return fmt.Errorf("mark chat %d active: %w", c.Chat, err)
		}
	}

	if len(c.Outbox) > 0 {
		if err := db.appendOutbox(ctx, tx, c.Chat, c.Outbox, now); err != nil {
			return err
		}
	}
	if c.Case != nil && !c.Delete {
		if err := db.caseTx(ctx, tx, c.Case, now); err != nil {
			return err
		}
	}
	for i := range c.Relay {
		if err := db.appendOutbox(ctx, tx, c.Relay[i].Chat, c.Relay[i:i+1], now); err != nil {
			return err
		}
	}
	if len(c.Counts) > 0 {
		if err := countTx(ctx, tx, c.Counts, fromNanos(now)); err != nil {
			return err
		}
	}
	return nil
}

// deleteAll removes the session and evidence log under key and everything of chat.
func (db *DB) deleteAll(ctx context.Context, tx *sql.Tx, key string, chat int64) error {
	for _, q := range []struct {
		what, sql string
		arg       any
	}{
		{"session", `DELETE FROM sessions WHERE key = ?`, db.idx.key(key)},
		{"evidence log", `DELETE FROM evidence WHERE key = ?`, db.idx.key(key)},
		{"outbox", `DELETE FROM outbox WHERE chat = ?`, chat},
		{"sent log", `DELETE FROM sent WHERE chat = ?`, db.idx.chat(chat)},
		{"chat", `DELETE FROM chats WHERE chat = ?`, db.idx.chat(chat)},
		// The person's hand-off cases, with the list of their messages in
		// the volunteers' chat (ON DELETE CASCADE); the statistics hold
		// nothing of them.
		{"hand-off cases", `DELETE FROM handoffs WHERE chat = ?`, db.idx.chat(chat)},
	} {
		if _, err := tx.ExecContext(ctx, q.sql, q.arg); err != nil {
			return fmt.Errorf("delete %s: %w", q.what, err)
		}
	}
	return nil
}

// appendOutbox inserts rows with ids chosen here, so each payload can be
// sealed bound to its id: above every id ever used, as AUTOINCREMENT would
// choose. The writer goroutine, the only one that appends, remembers the
// last id it gave (outboxLast) and reads it from the database only the
// first time; an id given in a transaction that was rolled back is skipped,
// never reused.
func (db *DB) appendOutbox(ctx context.Context, tx *sql.Tx, chat int64, rows []flows.Outgoing, now int64) error {
	if db.outboxLast == 0 {
		if err := tx.QueryRowContext(ctx, `SELECT MAX(
				COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0),
				COALESCE((SELECT MAX(id) FROM outbox), 0))`).Scan(&db.outboxLast); err != nil {
			return fmt.Errorf("outbox id: %w", err)
		}
	}
	last := db.outboxLast
	db.outboxLast += int64(len(rows))
	// Exec, not Prepare: the driver's statement cache serves Exec, while
	// every Prepare compiles the statement anew.
	for i, o := range rows {
		last++
		rows[i].ID = last // the caller hands the rows to its sender by ID
		sealed, err := db.seal.seal(o.Payload, outboxAD(last, chat, o.Method))
		if err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (id, chat, method, payload, created) VALUES (?, ?, ?, ?, ?)`,
			last, chat, o.Method, sealed, now); err != nil {
			return fmt.Errorf("outbox: append: %w", err)
		}
		if o.Case != "" {
			if err := db.loadCaseRows(ctx, tx); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO handoff_msgs (row, handoff) VALUES (?, ?)`, last, o.Case); err != nil {
				return fmt.Errorf("outbox: case %s: %w", o.Case, err)
			}
			db.caseRows[last] = true // if rolled back, Delivered updates nothing
		}
	}
	return nil
}

// Pending returns up to limit undelivered outbox rows (all if limit <= 0),
// oldest first.
func (db *DB) Pending(ctx context.Context, limit int) ([]flows.Outgoing, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := db.read.QueryContext(ctx, `SELECT id, chat, method, payload FROM outbox ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("data: pending outbox: %w", err)
	}
	defer rows.Close()
	var out []flows.Outgoing
	for rows.Next() {
		var (
			o      flows.Outgoing
			sealed []byte
		)
		if err := rows.Scan(&o.ID, &o.Chat, &o.Method, &sealed); err != nil {
			return nil, fmt.Errorf("data: pending outbox: %w", err)
		}
		if o.Payload, err = db.seal.open(sealed, outboxAD(o.ID, o.Chat, o.Method)); err != nil {
			return nil, fmt.Errorf("data: pending outbox row %d: %w", o.ID, err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("data: pending outbox: %w", err)
	}
	return out, nil
}

// PendingChats lists the chats that have undelivered outbox rows, in
// ascending order. It reads the outbox_chat index only: no payload is read
// or decrypted.
func (db *DB) PendingChats(ctx context.Context) ([]int64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT DISTINCT chat FROM outbox ORDER BY chat`)
	if err != nil {
		return nil, fmt.Errorf("data: pending chats: %w", err)
	}
	defer rows.Close()
	var chats []int64
	for rows.Next() {
		var c int64
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("data: pending chats: %w", err)
		}
		chats = append(chats, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("data: pending chats: %w", err)
	}
	return chats, nil
}

// PendingFor returns up to limit undelivered outbox rows of chat with an
// ID above after (all if limit <= 0), oldest first.
func (db *DB) PendingFor(ctx context.Context, chat, after int64, limit int) ([]flows.Outgoing, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := db.read.QueryContext(ctx, `SELECT id, method, payload FROM outbox
		WHERE chat = ? AND id > ? ORDER BY id LIMIT ?`, chat, after, limit)
	if err != nil {
		return nil, fmt.Errorf("data: pending outbox of chat %d: %w", chat, err)
	}
	defer rows.Close()
	var out []flows.Outgoing
	for rows.Next() {
		o := flows.Outgoing{Chat: chat}
		var sealed []byte
		if err := rows.Scan(&o.ID, &o.Method, &sealed); err != nil {
			return nil, fmt.Errorf("data: pending outbox of chat %d: %w", chat, err)
		}
		if o.Payload, err = db.seal.open(sealed, outboxAD(o.ID, chat, o.Method)); err != nil {
			return nil, fmt.Errorf("data: pending outbox row %d: %w", o.ID, err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("data: pending outbox of chat %d: %w", chat, err)
	}
	return out, nil
}

// Delivered removes the outbox rows of chat that ds name and records each
// non-zero message ID as sent to chat now, all in one transaction: all or
// nothing. A row that no longer exists (delivered before, dropped by
// Inactive or a delete) is not an error and records nothing; a row of
// another chat fails the call with ErrChatMismatch.
func (db *DB) Delivered(ctx context.Context, chat int64, ds ...flows.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	err := db.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for _, d := range ds {
			if err := db.deliveredTx(ctx, tx, d.Row, chat, d.MessageID); err != nil {
				return fmt.Errorf("row %d: %w", d.Row, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("data: delivered outbox rows of chat %d: %w", chat, err)
	}
	return nil
}

// loadCaseRows reads the undelivered rows of hand-off cases, once.
func (db *DB) loadCaseRows(ctx context.Context, tx *sql.Tx) error {
	if db.caseRows != nil {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT row FROM handoff_msgs WHERE message_id = 0`)
	if err != nil {
		return fmt.Errorf("case rows: %w", err)
	}
	defer rows.Close()
	m := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("case rows: %w", err)
		}
		m[id] = true
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("case rows: %w", err)
	}
	db.caseRows = m
	return nil
}

// deliveredTx makes the changes of Delivered in tx.
func (db *DB) deliveredTx(ctx context.Context, tx *sql.Tx, id, chat, messageID int64) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE id = ? AND chat = ?`, id, chat)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		var other int64
		switch err := tx.QueryRowContext(ctx, `SELECT chat FROM outbox WHERE id = ?`, id).Scan(&other); {
		case errors.Is(err, sql.ErrNoRows):
			return nil // gone already
		case err != nil:
			return err
		default:
			return fmt.Errorf("chat %d, not %d: %w", other, chat, ErrChatMismatch)
		}
	}
	if err := db.loadCaseRows(ctx, tx); err != nil {
		return err
	}
	if db.caseRows[id] {
		delete(db.caseRows, id)
		if _, err := tx.ExecContext(ctx, `UPDATE handoff_msgs SET message_id = ? WHERE row = ?`, messageID, id); err != nil {
			return fmt.Errorf("log case message: %w", err)
		}
	}
	if messageID != 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sent (chat, message_id, sent_at) VALUES (?, ?, ?)`,
			db.idx.chat(chat), messageID, db.nowNanos()); err != nil {
			return fmt.Errorf("log sent message: %w", err)
		}
	}
	return nil
}

// Inactive marks chat as unreachable (the user blocked the bot) and drops
// its pending outbox rows.
func (db *DB) Inactive(ctx context.Context, chat int64) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("data: inactive chat %d: begin: %w", chat, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO chats (chat, inactive, updated) VALUES (?, 1, ?)
		ON CONFLICT (chat) DO UPDATE SET inactive = 1, updated = excluded.updated`, db.idx.chat(chat), db.nowNanos()); err != nil {
		return fmt.Errorf("data: inactive chat %d: %w", chat, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE chat = ?`, chat); err != nil {
		return fmt.Errorf("data: inactive chat %d: drop outbox: %w", chat, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("data: inactive chat %d: commit: %w", chat, err)
	}
	return nil
}

// IsInactive reports whether chat is marked inactive.
func (db *DB) IsInactive(ctx context.Context, chat int64) (bool, error) {
	var inactive bool
	err := db.read.QueryRowContext(ctx, `SELECT inactive FROM chats WHERE chat = ?`, db.idx.chat(chat)).Scan(&inactive)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("data: chat %d: %w", chat, err)
	}
	return inactive, nil
}

// LastUpdateID returns the highest update ID committed within
// flows.DuplicateWindow (0 if none).
func (db *DB) LastUpdateID(ctx context.Context) (int64, error) {
	var id int64
	since := db.nowNanos() - int64(flows.DuplicateWindow)
	if err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(update_id), 0) FROM updates WHERE processed >= ?`, since).Scan(&id); err != nil {
		return 0, fmt.Errorf("data: last update id: %w", err)
	}
	return id, nil
}

// RecentSent lists the message IDs recorded for chat at or after since, in
// the order they were recorded.
func (db *DB) RecentSent(ctx context.Context, chat int64, since time.Time) ([]int64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT message_id FROM sent WHERE chat = ? AND sent_at >= ? ORDER BY id`,
		db.idx.chat(chat), toNanos(since))
	if err != nil {
		return nil, fmt.Errorf("data: recent sent for chat %d: %w", chat, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("data: recent sent for chat %d: %w", chat, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("data: recent sent for chat %d: %w", chat, err)
	}
	return ids, nil
}
