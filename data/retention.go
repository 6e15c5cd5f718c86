package data

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Trimmed counts the rows Trim removed.
type Trimmed struct {
	Sessions int // sessions not updated since the horizon
	Updates  int // processed update IDs (the highest is always kept)
	Outbox   int // undelivered outbox rows older than the horizon
	Sent     int // sent-message log entries
	Chats    int // inactive-chat marks
}

// Total is the number of rows removed.
func (t Trimmed) Total() int { return t.Sessions + t.Updates + t.Outbox + t.Sent + t.Chats }

// Trim removes, in one transaction, everything older than before: idle
// sessions, processed update IDs (keeping the highest, for LastUpdateID),
// outbox rows never delivered, the sent-message log and inactive-chat
// marks. It checkpoints the WAL afterwards when anything was removed.
func (db *DB) Trim(ctx context.Context, before time.Time) (Trimmed, error) {
	var t Trimmed
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return t, fmt.Errorf("data: trim: begin: %w", err)
	}
	defer tx.Rollback()
	b := toNanos(before)
	for _, q := range []struct {
		n   *int
		sql string
	}{
		{&t.Sessions, `DELETE FROM sessions WHERE updated < ?`},
		{&t.Updates, `DELETE FROM updates WHERE processed < ? AND update_id < (SELECT MAX(update_id) FROM updates)`},
		{&t.Outbox, `DELETE FROM outbox WHERE created < ?`},
		{&t.Sent, `DELETE FROM sent WHERE sent_at < ?`},
		{&t.Chats, `DELETE FROM chats WHERE updated < ?`},
	} {
		res, err := tx.ExecContext(ctx, q.sql, b)
		if err != nil {
			return Trimmed{}, fmt.Errorf("data: trim: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return Trimmed{}, fmt.Errorf("data: trim: %w", err)
		}
		*q.n = int(n)
	}
	if err := tx.Commit(); err != nil {
		return Trimmed{}, fmt.Errorf("data: trim: commit: %w", err)
	}
	if t.Total() > 0 {
		db.checkpoint(ctx)
	}
	return t, nil
}

// RunRetention trims everything older than keep (see Trim) at once and
// then every interval, until ctx is done. It logs counts and errors only,
// never content. Start it in its own goroutine.
func (db *DB) RunRetention(ctx context.Context, every, keep time.Duration, log *slog.Logger) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if every <= 0 || keep <= 0 {
		log.ErrorContext(ctx, "retention not started: interval and retention period must be positive",
			"every", every, "keep", keep)
		return
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		start := time.Now()
		t, err := db.Trim(ctx, db.now().Add(-keep))
		switch {
		case err != nil && ctx.Err() != nil:
			return
		case err != nil:
			log.ErrorContext(ctx, "retention failed", "err", err)
		default:
			level := slog.LevelDebug
			if t.Total() > 0 {
				level = slog.LevelInfo
			}
			log.Log(ctx, level, "retention", "sessions", t.Sessions, "updates", t.Updates,
				"outbox", t.Outbox, "sent", t.Sent, "chats", t.Chats, "took", time.Since(start))
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
