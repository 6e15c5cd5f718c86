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
	Updates  int // processed update IDs
	Outbox   int // undelivered outbox rows older than the horizon
	Sent     int // sent-message log entries
	Chats    int // inactive-chat marks
	Evidence int // evidence items of users with no session left, idle since the horizon
	Cases    int // hand-off cases not changed since the horizon
}

// Total is the number of rows removed.
func (t Trimmed) Total() int {
	return t.Sessions + t.Updates + t.Outbox + t.Sent + t.Chats + t.Evidence + t.Cases
}

// trimChunk is how many rows of a table one Trim statement deletes: each
// statement is its own transaction, so the commits of the bot are never
// held up for long, however much has piled up.
const trimChunk = 1000

// Trim removes everything older than before: idle sessions, processed
// update IDs (older than the retention period, they no longer count: see
// flows.DuplicateWindow), outbox rows never
// delivered, the sent-message log (also what is older than the sent
// window: WithSentWindow), inactive-chat marks, and the evidence logs of
// users whose session is gone, when idle since before too. It deletes in
// transactions of at most trimChunk rows, each found through an index
// (the outbox, which is small, is scanned). It checkpoints the WAL
// afterwards when anything was removed. On an error, what was deleted
// before it stays deleted.
func (db *DB) Trim(ctx context.Context, before time.Time) (Trimmed, error) {
	var t Trimmed
	b := toNanos(before)
	sentBefore := b
	if db.sentWin > 0 {
		sentBefore = max(b, toNanos(db.now().Add(-db.sentWin)))
	}
	for _, q := range []struct {
		n      *int
		sql    string
		before int64
	}{
		{&t.Sessions, `DELETE FROM sessions WHERE key IN (SELECT key FROM sessions WHERE updated < ? LIMIT ?)`, b},
		{&t.Updates, `DELETE FROM updates WHERE update_id IN (SELECT update_id FROM updates WHERE processed < ? LIMIT ?)`, b},
		{&t.Outbox, `DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE created < ? LIMIT ?)`, b},
		{&t.Sent, `DELETE FROM sent WHERE id IN (SELECT id FROM sent WHERE sent_at < ? LIMIT ?)`, sentBefore},
		{&t.Chats, `DELETE FROM chats WHERE chat IN (SELECT chat FROM chats WHERE updated < ? LIMIT ?)`, b},
		// After the sessions: a log goes once its session is gone (and it is idle too).
		{&t.Evidence, purgeEvidenceSQL, b},
		{&t.Cases, `DELETE FROM handoffs WHERE id IN (SELECT id FROM handoffs WHERE updated < ? LIMIT ?)`, b},
	} {
		for {
			res, err := db.write.ExecContext(ctx, q.sql, q.before, trimChunk)
			if err != nil {
				return t, fmt.Errorf("data: trim: %w", err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return t, fmt.Errorf("data: trim: %w", err)
			}
			*q.n += int(n)
			if n < trimChunk {
				break
			}
		}
	}
	if t.Total() > 0 {
		db.checkpoint(ctx)
	}
	return t, nil
}

// firstTrimAfter is how long RunRetention waits after it is started
// before its first trim: start-up does not wait for it, and the first
// updates after a restart are not held up by a large purge.
var firstTrimAfter = time.Minute

// RunRetention trims everything older than keep (see Trim) a minute after
// it is started and then every interval, until ctx is done. It logs counts
// and errors only, never content. Start it in its own goroutine.
func (db *DB) RunRetention(ctx context.Context, every, keep time.Duration, log *slog.Logger) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if every <= 0 || keep <= 0 {
		log.ErrorContext(ctx, "retention not started: interval and retention period must be positive",
			"every", every, "keep", keep)
		return
	}
	if !sleepCtx(ctx, firstTrimAfter) {
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
				"outbox", t.Outbox, "sent", t.Sent, "chats", t.Chats, "evidence", t.Evidence, "took", time.Since(start))
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// sleepCtx waits for d or until ctx is done; it reports whether d passed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
