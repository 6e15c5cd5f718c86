package bot

import (
	"context"
	"time"

	"github.com/redress-legal/redress/flows"
)

// Store is what the bot needs from persistence. data.DB implements it; so
// does flowstest.MemStore for tests. Both pass flowstest.RunOutboxSuite.
type Store interface {
	// Get returns the session stored under key, or flows.ErrNotFound.
	Get(ctx context.Context, key string) (flows.Session, error)
	// Commit applies one update atomically (see flows.Commit) and sets the
	// ID of each c.Outbox row in place, so that the bot can hand the rows
	// it just committed to its sender without reading them back. It
	// returns flows.ErrDuplicate for an update already committed and
	// flows.ErrConflict when the session revision moved.
	Commit(ctx context.Context, c flows.Commit) error
	// PendingChats lists the chats that have undelivered outbox rows.
	PendingChats(ctx context.Context) ([]int64, error)
	// PendingFor returns up to limit undelivered outbox rows of chat with
	// an ID above after (all if limit <= 0), oldest first.
	PendingFor(ctx context.Context, chat, after int64, limit int) ([]flows.Outgoing, error)
	// Delivered removes the outbox rows of chat that ds name, all or
	// nothing, and remembers the message IDs Telegram gave the messages
	// sent (0 if none), for /delete. A row already gone records nothing.
	Delivered(ctx context.Context, chat int64, ds ...flows.Delivery) error
	// Inactive marks chat as unreachable (the user blocked the bot) and
	// drops its pending outbox rows.
	Inactive(ctx context.Context, chat int64) error
	// LastUpdateID returns the highest update ID committed within
	// flows.DuplicateWindow (0 if none): after a longer silence Telegram may
	// number updates from a random, lower ID.
	LastUpdateID(ctx context.Context) (int64, error)
	// RecentSent lists the message IDs sent to chat since the given time.
	RecentSent(ctx context.Context, chat int64, since time.Time) ([]int64, error)
}
