package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
)

// poll is our own getUpdates loop, in place of go-telegram/bot's Start.
// Telegram forgets every update below the offset of a getUpdates call;
// tgbot's loop raises the offset as soon as an update is queued in memory,
// so a crash loses up to 1024 updates that were confirmed but never
// handled. Here the offset is the lowest update not yet settled (committed,
// found a duplicate, or deliberately ignored): a crash at any point leaves
// every unsettled update with Telegram, which delivers it again, and the
// store turns what had been committed into a no-op duplicate.
//
// The price is that every getUpdates while updates are in progress returns
// them again. They are skipped by ID (read without decoding the update),
// and the loop does not ask again at once: it waits until everything taken
// is settled, so that the next call confirms it all and returns only new
// updates (or long-polls), or until settleWait has passed with some
// progress, or at most stuckWait (a slow update must not hold up the
// others' for long).
func (b *Bot) poll(ctx context.Context) error {
	o := newOffsets(b.cfg.Now())
	b.offsets = o
	// waitSettled waits, after a response, before the next getUpdates.
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	waitSettled := func(since time.Time) {
		for {
			n, m := o.pending()
			if n == 0 {
				return
			}
			wait := since.Add(stuckWait)
			if m {
				wait = since.Add(settleWait)
			}
			if n >= b.cfg.MaxInflight {
				wait = since.Add(time.Hour) // only progress helps
			}
			d := time.Until(wait)
			if d <= 0 {
				return
			}
			timer.Reset(d)
			select {
			case <-ctx.Done():
				timer.Stop()
				return
			case <-o.progress:
				timer.Stop()
			case <-timer.C:
			}
		}
	}
	timeout := int(b.cfg.PollTimeout / time.Second)
	failures := 0
	var buf bytes.Buffer // each answer is read into it; the raw updates point into it
	for ctx.Err() == nil {
		offset, confirms := o.next(b.cfg.Now())
		if buf.Cap() > 1<<20 {
			buf = bytes.Buffer{} // do not keep the memory of one huge answer
		}
		raws, err := b.api.getUpdates(ctx, getUpdatesParams{Offset: offset, Limit: 100, Timeout: timeout, AllowedUpdates: allowedUpdates}, &buf)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			d := backoff(failures)
			failures++
			var ae *apiError
			if errors.As(err, &ae) {
				switch ae.Code {
				case 401, 404:
					return fmt.Errorf("bot: Telegram refused the bot token (check TELEGRAM_BOT_TOKEN and TELEGRAM_API_URL): %w", err)
				case 429:
					d = time.Duration(max(ae.RetryAfter, 1)) * time.Second
				case 409:
					b.log.Error("getUpdates conflict: another instance is polling with this token, or a webhook is set")
				}
			}
			b.log.Warn("getUpdates failed; retrying", "err", logErr(err), "wait_ms", d.Milliseconds())
			b.metrics.Retry("getUpdates")
			sleep(ctx, d)
			continue
		}
		answered := time.Now()
		failures = 0
		o.answered(confirms)
		for _, raw := range raws {
			if id, ok := peekUpdateID(raw); ok && o.known(id) {
				continue // settled or in progress: not decoded again
			}
			u, err := decodeUpdate(raw)
			if err != nil {
				b.log.Error("undecodable update", "err", err)
				if u == nil {
					continue // not even an ID: nothing we can confirm or handle
				}
			}
			if !o.take(u.ID, b.cfg.Now()) {
				continue // settled or in progress
			}
			id := u.ID
			if !b.sched.submit(b.job(u, func(ok bool) { o.settled(id, ok) })) {
				return nil // shutting down: the update stays with Telegram
			}
		}
		waitSettled(answered)
	}
	return nil
}

// job is the one way an update is handed to the scheduler, by the poll
// loop and the webhook alike; done is told whether it was settled.
func (b *Bot) job(u *models.Update, done func(ok bool)) job {
	b.metrics.Update(updateKind(u))
	return job{id: u.ID, chat: updateChat(u), run: func(ctx context.Context) bool {
		return b.handleUpdate(ctx, u)
	}, done: done}
}

// offsets is the poll loop's bookkeeping of update IDs: the updates taken
// and not yet settled (inflight), the highest taken, and from them the
// offset of the next getUpdates. It is safe for concurrent use: workers
// settle updates while the loop takes new ones.
type offsets struct {
	mu       sync.Mutex
	inflight map[int64]bool
	highest  int64 // the highest update ID taken
	moved    bool  // an update settled since the last getUpdates
	// lastTaken is when highest last rose; confirmed says the last
	// successful getUpdates asked for highest+1 with nothing in flight,
	// so Telegram has forgotten every update up to highest.
	lastTaken time.Time
	confirmed bool
	// progress gets a signal (without blocking) when an update settles.
	progress chan struct{}
}

func newOffsets(now time.Time) *offsets {
	return &offsets{inflight: map[int64]bool{}, lastTaken: now, progress: make(chan struct{}, 1)}
}

// next returns the offset of the next getUpdates: the lowest update in
// flight, else one past the highest taken (0 before any). confirms says
// nothing is in flight, so a successful call confirms every update taken.
func (o *offsets) next(now time.Time) (offset int64, confirms bool) {
	o.mu.Lock()
	// After a week without updates Telegram numbers the next one from a
	// random ID, possibly below every ID seen. Once all taken updates are
	// settled and confirmed, a long silence resets highest, so the next
	// update is taken whatever its ID (the store's duplicate window still
	// catches a re-delivery).
	if len(o.inflight) == 0 && o.confirmed && o.highest > 0 && now.Sub(o.lastTaken) > renumberAfter {
		o.highest = 0
	}
	if o.highest > 0 {
		offset = o.highest + 1
	}
	for id := range o.inflight {
		offset = min(offset, id)
	}
	o.moved = false
	confirms = len(o.inflight) == 0
	o.mu.Unlock()
	// Drain a stale signal: only progress after this call counts.
	select {
	case <-o.progress:
	default:
	}
	return offset, confirms
}

// answered records a successful getUpdates made with next's confirms.
func (o *offsets) answered(confirms bool) {
	o.mu.Lock()
	o.confirmed = confirms
	o.mu.Unlock()
}

// known reports an update taken before (settled or in progress).
func (o *offsets) known(id int64) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return id <= o.highest
}

// take records update id as in flight; false when it was taken before.
func (o *offsets) take(id int64, now time.Time) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if id <= o.highest {
		return false
	}
	o.highest = id
	o.lastTaken = now
	o.inflight[id] = true
	return true
}

// settled records the end of update id's job: with ok it may be confirmed
// to Telegram; without, it stays in flight (shutdown: Telegram keeps it).
func (o *offsets) settled(id int64, ok bool) {
	if ok {
		o.mu.Lock()
		delete(o.inflight, id)
		o.moved = true
		o.mu.Unlock()
	}
	select {
	case o.progress <- struct{}{}:
	default:
	}
}

// pending returns how many updates are in flight, and whether one settled
// since the last next.
func (o *offsets) pending() (n int, moved bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.inflight), o.moved
}

// renumberAfter is the silence after which poll stops asking Telegram for
// updates above the highest ID it took (see poll): well inside the week
// after which Telegram may renumber, and harmless when it does not.
const renumberAfter = 24 * time.Hour

// settleWait and stuckWait bound how long poll waits for the updates it
// took to settle before it asks Telegram again (see poll). Under load some
// update is always in progress, so settleWait is the polling period: 10 ms
// rather than 5 halves the updates served again, for about the same
// latency (docs/PERFORMANCE.md).
const (
	settleWait = 10 * time.Millisecond
	stuckWait  = 250 * time.Millisecond
)

// confirmSettled makes one last getUpdates at shutdown, after the updates
// taken were handled, that waits for nothing: its offset tells Telegram
// that every update below the lowest one not settled is done, so those
// settled since the last call are not delivered again at the next start
// (where they would only be found duplicates). An update it returns is not
// confirmed by it and comes again.
func (b *Bot) confirmSettled() {
	if b.offsets == nil {
		return
	}
	offset, _ := b.offsets.next(b.cfg.Now())
	if offset == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), confirmTimeout)
	defer cancel()
	var buf bytes.Buffer
	if _, err := b.api.getUpdates(ctx, getUpdatesParams{Offset: offset, Limit: 1, AllowedUpdates: allowedUpdates}, &buf); err != nil {
		b.log.Warn("could not confirm the last updates; Telegram will deliver them again, and they will be found duplicates", "err", logErr(err))
	}
}

// confirmTimeout bounds confirmSettled.
const confirmTimeout = 3 * time.Second
