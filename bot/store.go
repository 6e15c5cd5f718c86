package bot

import (
	"context"
	"time"

	"github.com/redress-legal/redress/flows"
)

// Store is what the bot needs from persistence. data.DB implements it; so
// does flowstest.MemStore for tests.
type Store interface {
	// Get returns the session stored under key, or flows.ErrNotFound.
	Get(ctx context.Context, key string) (flows.Session, error)
	// Commit applies one update atomically (see flows.Commit). It returns
	// flows.ErrDuplicate for an update already committed and
	// flows.ErrConflict when the session revision moved.
	Commit(ctx context.Context, c flows.Commit) error
	// Pending returns up to limit undelivered outbox rows, oldest first.
	Pending(ctx context.Context, limit int) ([]flows.Outgoing, error)
	// Delivered removes outbox row id and remembers the message ID the
	// transport gave the sent message (0 if none), for /delete.
	Delivered(ctx context.Context, id int64, chat int64, messageID int64) error
	// Inactive marks chat as unreachable (the user blocked the bot) and
	// drops its pending outbox rows.
	Inactive(ctx context.Context, chat int64) error
	// LastUpdateID returns the highest committed update ID (0 if none).
	LastUpdateID(ctx context.Context) (int64, error)
	// RecentSent lists the message IDs sent to chat since the given time.
	RecentSent(ctx context.Context, chat int64, since time.Time) ([]int64, error)
}
