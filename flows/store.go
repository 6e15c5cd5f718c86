package flows

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// The store contract, declared once: the types a store keeps (sessions,
// commits, outbox rows, deliveries), its errors, and the interfaces every
// store implements (Store, OutboxStore). The engine's own inputs and
// replies are in session.go.

// Session is a stored conversation: the State of one user under a key such
// as "tg:12345" or "local:default", with a revision for compare-and-swap.
type Session struct {
	Key     string
	State   State
	Rev     int64 // 0 for a session never stored
	Updated time.Time
}

// DuplicateWindow is how long an update ID counts as already processed.
// Telegram re-delivers an unconfirmed update only while it keeps it (24
// hours), and after a week without updates it picks the next ID at random,
// so an old ID may come back as a new update: outside this window it is one.
const DuplicateWindow = 48 * time.Hour

// Errors stores return.
var (
	// ErrInvalid: arguments no store accepts (an empty session key, a
	// negative revision or update ID).
	ErrInvalid = errors.New("invalid argument")
	// ErrChatMismatch: an outbox row names a chat other than its commit's,
	// or a delivery names the wrong chat for its row.
	ErrChatMismatch = errors.New("outbox row belongs to another chat")

	ErrNotFound  = errors.New("session not found")
	ErrConflict  = errors.New("session changed concurrently")
	ErrDuplicate = errors.New("update already processed")
)

// Store keeps sessions: what a transport without an outbox (the terminal
// chat) needs. Implementations must pass flowstest.RunStoreSuite.
type Store interface {
	// Get returns the session stored under key, or ErrNotFound.
	Get(ctx context.Context, key string) (Session, error)
	// Put stores s if the stored revision equals s.Rev (0: none stored yet)
	// and returns it with its new revision; otherwise ErrConflict.
	Put(ctx context.Context, s Session) (Session, error)
	// Delete removes everything stored for key. Deleting nothing is not an error.
	Delete(ctx context.Context, key string) error
	// PurgeIdle removes the sessions not updated since before, and says how many.
	PurgeIdle(ctx context.Context, before time.Time) (int, error)
}

// OutboxStore is what a transport with an outbox (the Telegram bot) needs
// from persistence: sessions committed together with the update ID and the
// replies (Commit), and the outbox read and settled by its sender. It is
// declared here, once: bot.Store is this interface, data.DB and
// flowstest.MemStore implement it, and both pass flowstest.RunOutboxSuite.
type OutboxStore interface {
	// Get returns the session stored under key, or ErrNotFound.
	Get(ctx context.Context, key string) (Session, error)
	// Commit applies one update atomically (see Commit) and sets the ID of
	// each c.Outbox row in place, so that the transport can hand the rows
	// it just committed to its sender without reading them back. It
	// returns ErrDuplicate for an update already committed and ErrConflict
	// when the session revision moved.
	Commit(ctx context.Context, c Commit) error
	// PendingChats lists the chats that have undelivered outbox rows.
	PendingChats(ctx context.Context) ([]int64, error)
	// PendingFor returns up to limit undelivered outbox rows of chat with
	// an ID above after (all if limit <= 0), oldest first.
	PendingFor(ctx context.Context, chat, after int64, limit int) ([]Outgoing, error)
	// Delivered removes the outbox rows of chat that ds name, all or
	// nothing, and remembers the message IDs the transport gave the
	// messages sent (0 if none), for /delete. A row already gone records
	// nothing.
	Delivered(ctx context.Context, chat int64, ds ...Delivery) error
	// Inactive marks chat as unreachable (the user blocked the bot) and
	// drops its pending outbox rows.
	Inactive(ctx context.Context, chat int64) error
	// LastUpdateID returns the highest update ID committed within
	// DuplicateWindow (0 if none): after a longer silence Telegram may
	// number updates from a random, lower ID.
	LastUpdateID(ctx context.Context) (int64, error)
	// RecentSent lists the message IDs sent to chat since the given time.
	RecentSent(ctx context.Context, chat int64, since time.Time) ([]int64, error)
}

// Outgoing is one call to a transport's API (a message to send, a keyboard
// to edit, ...) waiting in the outbox, in delivery order per chat.
type Outgoing struct {
	ID      int64  // assigned by the store; increasing in commit order
	Chat    int64  // the transport's chat ID
	Method  string // the API method, e.g. "sendMessage"
	Payload []byte // the method's parameters, transport-specific JSON
	// Case is the hand-off case a message in the volunteers' chat belongs
	// to: the store remembers the ID of the message sent (CaseMessages),
	// so that it can be edited when the case is closed or erased. "" for
	// every other row.
	Case string
}

// Delivery says that the transport has made the call of one outbox row
// (or given it up for good), and the ID of the message it sent, if any.
type Delivery struct {
	Row       int64 // the outbox row's ID
	MessageID int64 // the transport's ID of the message sent; 0 if none
}

// Commit is the effect of one incoming update, applied atomically: the
// update is recorded, the session compare-and-swapped on its revision and
// the replies appended to the outbox — all or nothing.
type Commit struct {
	// UpdateID is unique per transport; committing it twice returns
	// ErrDuplicate and changes nothing.
	UpdateID int64
	// Session is stored with compare-and-swap on Session.Rev (the revision
	// that was read; 0 when none existed). Ignored when Delete is set.
	Session Session
	// Delete removes everything stored for Session.Key and Chat (session,
	// pending outbox rows, the log of sent messages) before Outbox is added.
	Delete bool
	// Chat is the transport chat the outbox rows go to; a commit marks it active.
	Chat   int64
	Outbox []Outgoing
	// Relay are outbox rows for chats other than Chat, each naming its
	// own: a hand-off case's card or a relayed message in the volunteers'
	// chat, a volunteer's answer to the user. Delete leaves other chats'
	// rows alone.
	Relay []Outgoing
	// Counts are added to the statistics of the week, in the same
	// transaction. They name no user, chat or time but the week.
	Counts []Count
	// Case is what the update does to a hand-off case, in the same
	// transaction; nil: nothing. With Delete, every case of Chat is erased
	// whatever Case says.
	Case *CaseChange
}

// Check reports a session no store accepts (ErrInvalid): every store
// applies the same rules, so they live here.
func (s Session) Check() error {
	if s.Key == "" {
		return fmt.Errorf("empty session key: %w", ErrInvalid)
	}
	if s.Rev < 0 {
		return fmt.Errorf("negative revision %d: %w", s.Rev, ErrInvalid)
	}
	return nil
}

// Check reports a commit no store accepts: a negative update ID or
// revision (ErrInvalid), or an outbox row for another chat (ErrChatMismatch).
func (c Commit) Check() error {
	if c.UpdateID < 0 {
		return fmt.Errorf("negative update id: %w", ErrInvalid)
	}
	if !c.Delete && c.Session.Key != "" && c.Session.Rev < 0 {
		return fmt.Errorf("negative revision %d: %w", c.Session.Rev, ErrInvalid)
	}
	for _, o := range c.Outbox {
		if o.Chat != 0 && o.Chat != c.Chat {
			return fmt.Errorf("row for chat %d in a commit for chat %d: %w", o.Chat, c.Chat, ErrChatMismatch)
		}
	}
	for _, o := range c.Relay {
		if o.Chat == 0 {
			return fmt.Errorf("relayed row without a chat: %w", ErrInvalid)
		}
	}
	if c.Case != nil && c.Case.Case.ID == "" {
		return fmt.Errorf("hand-off case without an ID: %w", ErrInvalid)
	}
	return nil
}
