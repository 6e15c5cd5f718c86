package bot

import (
	"sync"
	"time"
)

// MsgSlowDown is the one notice a chat gets when it exceeds its budget.
const MsgSlowDown = "tg.slow_down"

// Flood budget defaults: a person answering as fast as they can press
// buttons stays well inside them; a script sending thousands of messages
// does not, and is settled in silence instead of being answered each time.
const (
	DefaultFloodBurst = 60          // updates a chat may send at once
	DefaultFloodEvery = time.Second // one more allowed per this interval
)

// floodGuard is a token bucket per chat. Updates past a chat's budget are
// committed (acknowledged, so they are not re-delivered) without running
// the engine or sending anything, except one notice when the chat first
// runs out. /sos and /delete are never held back.
type floodGuard struct {
	burst float64
	every time.Duration

	mu      sync.Mutex
	buckets map[int64]*bucket
	swept   time.Time
}

type bucket struct {
	tokens   float64
	last     time.Time
	notified bool // the chat was told to slow down since it last had tokens
}

func newFloodGuard(burst int, every time.Duration) *floodGuard {
	if burst <= 0 {
		burst = DefaultFloodBurst
	}
	if every <= 0 {
		every = DefaultFloodEvery
	}
	return &floodGuard{burst: float64(burst), every: every, buckets: map[int64]*bucket{}}
}

// take spends one update of chat's budget at now. It reports whether the
// update may be handled and, when not, whether this is the first refusal
// (the one that gets a notice).
func (g *floodGuard) take(chat int64, now time.Time) (ok, notify bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.sweep(now)
	b := g.buckets[chat]
	if b == nil {
		b = &bucket{tokens: g.burst, last: now}
		g.buckets[chat] = b
	}
	if d := now.Sub(b.last); d > 0 {
		b.tokens = min(g.burst, b.tokens+float64(d)/float64(g.every))
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		b.notified = false
		return true, false
	}
	notify = !b.notified
	b.notified = true
	return false, notify
}

// sweep forgets chats whose bucket is full again, at most once a minute,
// so the map holds only chats active in the last few minutes.
func (g *floodGuard) sweep(now time.Time) {
	if now.Sub(g.swept) < time.Minute {
		return
	}
	g.swept = now
	full := time.Duration(g.burst) * g.every
	for chat, b := range g.buckets {
		if now.Sub(b.last) > full {
			delete(g.buckets, chat)
		}
	}
}
