package flows

import (
	"context"
	"time"
)

// The evidence log: what a user added in the chat (a file, a link or a
// note), recorded append-only. A store keeps it beside the session, under
// the same key, and erases it with the session (/delete, retention).

// EvidenceKind says what an evidence item is.
type EvidenceKind string

// The kinds of evidence item.
const (
	EvidenceFile EvidenceKind = "file" // bytes received: photo, screenshot, video, document
	EvidenceLink EvidenceKind = "link" // a URL the user gave
	EvidenceNote EvidenceKind = "note" // a description only (e.g. of an intimate image, never uploaded)
)

// EvidenceCounts are the figures the user saw on the item (views, reposts,
// comments, likes) and when they saw them; zero when not given.
type EvidenceCounts struct {
	Views    int64     `json:"views,omitempty"`
	Reposts  int64     `json:"reposts,omitempty"`
	Comments int64     `json:"comments,omitempty"`
	Likes    int64     `json:"likes,omitempty"`
	SeenAt   time.Time `json:"seen_at,omitzero"`
}

// EvidenceItem is one entry of a user's evidence log. Items are never
// changed once recorded: removing one records a removal (Removed), it does
// not erase the row.
type EvidenceItem struct {
	Seq         int          // 1-based position in the user's log, in the order received
	Kind        EvidenceKind //
	SHA256      string       // hex SHA-256 of the exact bytes received (files); "" for links and notes
	Size        int64        // bytes received (files)
	MIME        string       // media type as received or sniffed (files)
	FileName    string       // the name the file came with, if any
	Received    time.Time    // when Redress received it, UTC
	Description string       // the user's own words (sensitive: encrypted at rest)
	URL         string       // the link (sensitive: encrypted at rest)
	Platform    string       // platform key recognised from URL: weibo, wechat, douyin, ... or "other"
	Counts      EvidenceCounts
	Removed     time.Time // when the user removed it from the log; zero while it counts
	// UpdateID is the transport's ID of the update that brought the item
	// (Telegram's update_id); 0 if none. A re-delivered update must not be
	// recorded twice: adding an item with the UpdateID of an item of the
	// same log received within DuplicateWindow returns that item instead.
	UpdateID int64
}

// Active reports whether the item is still part of the log (not removed).
func (it EvidenceItem) Active() bool { return it.Removed.IsZero() }

// EvidenceStore keeps evidence logs. Add appends and returns the item with
// its Seq; Remove records that item seq was removed at the given time (the
// row stays, marked); List returns the whole log in Seq order, removed
// items included. Store.Delete and OutboxStore's delete commit erase the
// log with the session.
type EvidenceStore interface {
	// AddEvidence appends it to key's log and returns it with its Seq; an
	// item with the UpdateID of one already recorded returns that one.
	AddEvidence(ctx context.Context, key string, it EvidenceItem) (EvidenceItem, error)
	// RemoveEvidence marks item seq of key's log removed at at; ErrNotFound if there is none.
	RemoveEvidence(ctx context.Context, key string, seq int, at time.Time) error
	// ListEvidence returns key's whole log in Seq order, removed items included.
	ListEvidence(ctx context.Context, key string) ([]EvidenceItem, error)
}
