package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redress-legal/redress/flows"
)

// sender delivers the outbox: each chat's rows in ID order, one call at a
// time, different chats at once (at most `workers`).
//
// Rows reach it two ways. The handler hands over the rows it has just
// committed (committing/committed): the common path, which reads nothing
// back from the store. And a chat is marked "stored" when the store may
// hold rows of it that the sender has not been handed: at start-up (rows
// left by a crash or an unfinished shutdown), when a scan every OutboxPoll
// finds a chat with rows and nothing here (a safety net), or when a
// commit's rows came without IDs. The worker of a stored chat reads its
// rows from the store (PendingFor), oldest first, a page at a time, and
// goes back to the rows handed over once a page is not full; so order
// holds whichever way rows came. Until the first scan has succeeded no chat
// is delivered at all: rows left from before go before new ones.
//
// The invariant: an outbox row is made at most once, except the single row
// a worker was making when the process died (one per chat). A row leaves
// the outbox (Delivered) only after Telegram accepted it, and a worker
// records one row before it makes the next visible call, so a crash repeats
// at most the one call per chat that was in flight. It holds only while one
// process delivers a database's outbox: two would both read the rows
// pending at their start. `redress serve` takes data.Lock for that. A worker
// waiting out a 429 or backing off after a 5xx holds only its own chat.
type sender struct {
	senderDeps
	workers int
	wakeCh  chan struct{} // asks run for a scan
	// draining: run returns once the outbox is empty.
	draining atomic.Bool

	mu      sync.Mutex
	cond    *sync.Cond // ready gained a chat, the first scan, or stop
	chats   map[int64]*chatQueue
	ready   []int64 // chats with work and no worker, oldest first
	scanned bool    // the first scan succeeded: delivery may begin
	stopped bool    // the workers exit
}

// chatQueue is one chat's part of the sender; sender.mu guards it. It
// exists while the chat has rows, a worker, or a commit in progress.
//
// Not stored, rows holds every undelivered row of the chat but the one in
// flight. Stored, the store is the authority: rows holds a page read from
// it (the oldest undelivered rows), and handed the rows handed over since
// the page was read, which the next read either finds in the store or, when
// that read is not a full page, follows with.
type chatQueue struct {
	rows    []flows.Outgoing // to deliver next, in ID order
	handed  []flows.Outgoing // stored: rows handed over meanwhile
	high    int64            // the highest row ID queued or read: a row handed over again is dropped
	stored  bool             // read the store when rows runs out
	epoch   int              // counts deletes: a store read from before one is stale
	commits int              // commits of the chat in progress (see committing)
	busy    bool             // a worker has the chat
	queued  bool             // in sender.ready
}

// senderDeps is what the sender works with, given by New: it knows
// nothing else of the Bot.
type senderDeps struct {
	store Store
	api   *api
	log   *slog.Logger
	// poll is how often the store is checked for rows nobody handed over
	// (Config.OutboxPoll).
	poll time.Duration
	now  func() time.Time
	// idle runs after every check: the Bot forgets idle sessions.
	idle func(now time.Time)
	// metrics counts the retries.
	metrics Metrics
}

func newSender(deps senderDeps, workers int) *sender {
	s := &sender{
		senderDeps: deps,
		workers:    workers,
		wakeCh:     make(chan struct{}, 1),
		chats:      map[int64]*chatQueue{},
	}
	s.cond = sync.NewCond(&s.mu)
	return s
}

// wake asks run to scan the store now.
func (s *sender) wake() {
	select {
	case s.wakeCh <- struct{}{}:
	default:
	}
}

// chatLocked returns chat's queue, creating it. The caller holds s.mu.
func (s *sender) chatLocked(chat int64) *chatQueue {
	c := s.chats[chat]
	if c == nil {
		c = &chatQueue{}
		s.chats[chat] = c
	}
	return c
}

// readyLocked puts chat in the ready list if it has work and no worker.
// The caller holds s.mu.
func (s *sender) readyLocked(chat int64, c *chatQueue) {
	if c.busy || c.queued || (len(c.rows) == 0 && !c.stored) {
		return
	}
	c.queued = true
	s.ready = append(s.ready, chat)
	s.cond.Signal()
}

// forgetLocked drops chat's queue when it has nothing to do. The caller
// holds s.mu.
func (s *sender) forgetLocked(chat int64, c *chatQueue) {
	if !c.busy && !c.queued && c.commits == 0 && len(c.rows) == 0 && !c.stored {
		delete(s.chats, chat)
	}
}

// storeLocked makes c stored. keep says rows is still a prefix of the
// chat's undelivered rows (it is not when older rows may be in the store
// that were never queued). The caller holds s.mu.
func (s *sender) storeLocked(c *chatQueue, keep bool) {
	if !keep {
		c.rows = nil
	}
	c.handed = nil
	c.stored = true
}

// committing tells the sender that a commit for chat is about to be made,
// and committed hands over its rows once it is done. Between the two the
// chat's queue exists, so that a scan seeing the new rows in the store
// before they are handed over leaves them to the hand-over, and rows a
// worker has read from the store meanwhile are dropped from the hand-over
// (high).
func (s *sender) committing(chat int64) {
	s.mu.Lock()
	s.chatLocked(chat).commits++
	s.mu.Unlock()
}

// committed hands over, in order, the rows of the commit for chat announced
// by committing (none unless ok). deleted says the commit removed the
// chat's earlier rows from the store (/delete): those still queued are
// dropped too. Rows without an ID (a store that does not report them) make
// the chat stored.
func (s *sender) committed(chat int64, rows []flows.Outgoing, deleted, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chatLocked(chat)
	c.commits--
	if ok {
		if deleted {
			c.rows, c.handed, c.stored = nil, nil, false
			c.epoch++
		}
		for _, r := range rows {
			switch {
			case r.ID == 0:
				s.storeLocked(c, true)
			case r.ID > c.high:
				r.Chat = chat
				c.high = r.ID
				if c.stored {
					c.handed = append(c.handed, r)
				} else {
					c.rows = append(c.rows, r)
				}
			}
		}
	}
	s.readyLocked(chat, c)
	s.forgetLocked(chat, c)
}

// drain makes run return as soon as the outbox is empty and no delivery is
// running.
func (s *sender) drain() {
	s.draining.Store(true)
	s.wake()
}

// run delivers the outbox until ctx ends, or until it is empty after drain.
func (s *sender) run(ctx context.Context) {
	var wg sync.WaitGroup
	for range s.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.work(ctx)
		}()
	}
	stop := context.AfterFunc(ctx, func() {
		s.mu.Lock()
		s.stopped = true
		s.cond.Broadcast()
		s.mu.Unlock()
	})
	defer func() {
		stop()
		s.mu.Lock()
		s.stopped = true
		s.cond.Broadcast()
		s.mu.Unlock()
		wg.Wait()
	}()
	tick := time.NewTicker(s.poll)
	defer tick.Stop()
	retry := time.NewTimer(time.Hour)
	retry.Stop()
	defer retry.Stop()
	for failures := 0; ; {
		n, err := s.scan(ctx)
		switch {
		case err == nil:
			failures = 0
		case ctx.Err() != nil:
			return
		default:
			s.log.Error("outbox scan failed", "err", err)
			if !s.isScanned() {
				// Nothing is delivered before the first scan: retry soon.
				retry.Reset(backoff(failures))
			}
			failures++
		}
		if s.draining.Load() && err == nil && n == 0 {
			return
		}
		// Idle chats' sessions leave memory even when no update comes.
		s.idle(s.now())
		select {
		case <-ctx.Done():
			return
		case <-s.wakeCh:
		case <-tick.C:
		case <-retry.C:
		}
	}
}

// scan lists the chats with rows in the store and marks stored those the
// sender has nothing of. The first successful scan marks every such chat
// (rows handed over meanwhile may be newer than rows left by an earlier
// run) and lets delivery begin. It returns how many chats have rows in the
// store or here.
func (s *sender) scan(ctx context.Context) (int, error) {
	chats, err := s.store.PendingChats(ctx)
	if err != nil {
		return 0, fmt.Errorf("pending outbox: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, chat := range chats {
		if s.scanned && s.chats[chat] != nil {
			continue // queued, being delivered or committed: seen to
		}
		c := s.chatLocked(chat)
		s.storeLocked(c, false)
		s.readyLocked(chat, c)
	}
	if !s.scanned {
		s.scanned = true
		s.cond.Broadcast()
	}
	return len(chats) + len(s.chats), nil
}

func (s *sender) isScanned() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.scanned
}

// chatRun is how many rows a worker delivers to one chat before it lets
// other chats waiting for a worker go first.
const chatRun = 16

// readLimit is how many rows of one chat are read from the store at once.
const readLimit = 100

// work is one send worker: it takes the chat that has waited longest and
// delivers its rows, until ctx ends.
func (s *sender) work(ctx context.Context) {
	for {
		s.mu.Lock()
		for !s.stopped && (!s.scanned || len(s.ready) == 0) {
			s.cond.Wait()
		}
		if s.stopped {
			s.mu.Unlock()
			return
		}
		chat := s.ready[0]
		s.ready = s.ready[1:]
		c := s.chats[chat]
		c.queued, c.busy = false, true
		s.mu.Unlock()

		s.deliverChat(ctx, chat, c)

		s.mu.Lock()
		c.busy = false
		if ctx.Err() == nil {
			s.readyLocked(chat, c)
		}
		s.forgetLocked(chat, c)
		s.mu.Unlock()
		if s.draining.Load() {
			s.wake() // run checks whether the outbox is empty
		}
	}
}

// deliverChat delivers up to chatRun rows of chat in order. It stops early
// when the chat has nothing more, turns out blocked, or at shutdown.
//
// Each call is recorded (Delivered) before the next visible one is made, so
// a crash repeats at most one message per chat. Calls whose repetition
// nobody can see are held and recorded together with the call after them
// when that call is already queued (see holdable): an answered callback
// query answered again is refused, an edit made again changes nothing, a
// deletion again deletes nothing. That is one write per update in place of
// three for a button press (answer, edit, next question).
func (s *sender) deliverChat(ctx context.Context, chat int64, c *chatQueue) {
	var (
		held   []flows.Delivery // made, not yet recorded
		edited []int            // the messages held edits changed
	)
	flush := func() bool {
		if len(held) == 0 {
			return true
		}
		ok := s.record(ctx, chat, held)
		held, edited = held[:0], edited[:0]
		return ok
	}
	for n := 0; n < chatRun; n++ {
		s.mu.Lock()
		if len(c.rows) == 0 {
			s.mu.Unlock()
			// Held rows are still in the store: record them before it is
			// read, and before the chat is let go.
			if !flush() {
				return
			}
			s.mu.Lock()
		}
		if c.stored && len(c.rows) == 0 {
			epoch := c.epoch
			s.mu.Unlock()
			// Nothing of the chat is in flight: what the store holds is
			// exactly what is left to deliver.
			rows, err := s.store.PendingFor(ctx, chat, 0, readLimit)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				s.log.Error("read outbox", "chat", chat, "err", err)
				if !sleep(ctx, backoff(0)) {
					return
				}
				continue
			}
			s.mu.Lock()
			if c.epoch == epoch && c.stored {
				s.pageLocked(c, rows)
			}
		}
		if len(c.rows) == 0 {
			s.mu.Unlock()
			return
		}
		r := c.rows[0]
		c.rows = c.rows[1:]
		s.mu.Unlock()

		p, err := readRow(r.Method, r.Payload)
		if err != nil {
			s.log.Error("undecodable outbox row dropped", "chat", r.Chat, "row", r.ID, "method", r.Method, "err", err)
			held = append(held, flows.Delivery{Row: r.ID})
			if !flush() {
				return
			}
			continue
		}
		if isEdit(r.Method) && slices.Contains(edited, p.editedMessage) {
			// Made again after a crash, the held edit would undo this one.
			if !flush() {
				return
			}
		}
		out, msgID := s.deliver(ctx, r, p)
		switch out {
		case outcomeBlocked:
			// Inactive dropped the chat's rows from the store, held ones too.
			s.mu.Lock()
			c.rows, c.handed, c.stored = nil, nil, false
			s.mu.Unlock()
			return
		case outcomeStop:
			s.mu.Lock()
			c.rows = append([]flows.Outgoing{r}, c.rows...)
			s.mu.Unlock()
			return
		}
		held = append(held, flows.Delivery{Row: r.ID, MessageID: msgID})
		if isEdit(r.Method) {
			edited = append(edited, p.editedMessage)
		}
		s.mu.Lock()
		next := len(c.rows) > 0
		s.mu.Unlock()
		if holdable(r.Method) && next && n+1 < chatRun {
			continue
		}
		if !flush() {
			return
		}
	}
	flush()
}

// holdable says whether a call of method, made again after a crash, is
// invisible to the user, so that recording it may wait for the next call
// (see deliverChat).
func holdable(method string) bool {
	switch method {
	case methodAnswer, methodDeleteMessage, methodEditText, methodEditMarkup:
		return true
	}
	return false
}

func isEdit(method string) bool { return method == methodEditText || method == methodEditMarkup }

// pageLocked takes a page of a stored chat's rows just read. A page that
// is not full is the rest of the chat's rows as of the read; the rows
// handed over that it does not hold (committed after the read) follow, and
// the chat is no longer stored. A full page is delivered before the store
// is read again, which finds the rows handed over meanwhile. The caller
// holds s.mu.
func (s *sender) pageLocked(c *chatQueue, page []flows.Outgoing) {
	var last int64
	if len(page) > 0 {
		last = page[len(page)-1].ID
	}
	c.high = max(c.high, last)
	c.rows = page
	if len(page) >= readLimit {
		c.handed = nil
		return
	}
	for _, r := range c.handed {
		if r.ID > last {
			c.rows = append(c.rows, r)
		}
	}
	c.handed, c.stored = nil, false
}

type outcome int

const (
	outcomeDone    outcome = iota // delivered or dropped for good
	outcomeBlocked                // the chat is unreachable: its rows are dropped
	outcomeStop                   // shutting down: the row stays in the outbox
)

// deliver makes one outbox call, retrying until Telegram accepts or refuses
// it for good. With outcomeDone it returns the ID of the message sent, to
// record (0 for none, or for a message that must not be remembered).
func (s *sender) deliver(ctx context.Context, r flows.Outgoing, p row) (outcome, int64) {
	// The logger is made only when there is something to log: With
	// allocates, and most calls succeed at once.
	log := func() *slog.Logger { return s.log.With("chat", r.Chat, "row", r.ID, "method", r.Method) }
	plain := false
	for attempt := 0; ; attempt++ {
		start := time.Now()
		msgID, err := s.call(ctx, r, p, plain)
		if err == nil {
			if attempt > 0 {
				log().Info("delivered after retrying", "ms", time.Since(start).Milliseconds(), "attempts", attempt+1)
			}
			if p.unlogged {
				msgID = 0
			}
			return outcomeDone, msgID
		}
		if ctx.Err() != nil {
			return outcomeStop, 0
		}
		if errors.Is(err, errResultNotUnderstood) {
			// Telegram answered ok but with a result we cannot read: the
			// call was made, and repeating it would only send it twice.
			log().Warn("call accepted; its result was not understood", "err", logErr(err))
			return outcomeDone, 0
		}
		var ae *apiError
		if !errors.As(err, &ae) {
			ae = &apiError{} // a network error or timeout: retried below
		}
		switch {
		case ae.Code == http.StatusTooManyRequests:
			wait := time.Duration(max(ae.RetryAfter, 1)) * time.Second
			log().Warn("rate limited by Telegram", "retry_after_s", ae.RetryAfter)
			s.metrics.Retry(r.Method)
			if !sleep(ctx, wait+jitter(wait/10)) {
				return outcomeStop, 0
			}
		case ae.Code == http.StatusForbidden, isChatGone(ae):
			log().Info("chat unreachable; marked inactive", "err", logErr(err))
			for i := 0; ; i++ {
				err := s.store.Inactive(ctx, r.Chat)
				if err == nil {
					return outcomeBlocked, 0
				}
				if ctx.Err() != nil {
					return outcomeStop, 0
				}
				log().Error("mark chat inactive", "err", err)
				if !sleep(ctx, backoff(i)) {
					return outcomeStop, 0
				}
			}
		case ae.Code == http.StatusBadRequest && ae.MigrateTo != 0:
			log().Warn("chat migrated; dropped", "err", logErr(err))
			return outcomeDone, 0
		case ae.Code == http.StatusBadRequest:
			switch {
			case strings.Contains(ae.Desc, "message is not modified"):
				return outcomeDone, 0 // already as we want it
			case p.html && !plain && strings.Contains(ae.Desc, "can't parse entities"):
				log().Error("Telegram refused our HTML; sending plain text", "err", logErr(err))
				plain = true
				continue
			}
			// Permanent: an expired callback query, a message too old to
			// edit. Retrying cannot help; keeping the row would block the chat.
			log().Warn("call refused; dropped", "err", logErr(err))
			return outcomeDone, 0
		default:
			// 5xx, network errors, timeouts, 401/404 from a misconfigured
			// proxy: all worth retrying, more slowly each time.
			d := backoff(attempt)
			log().Warn("call failed; retrying", "err", logErr(err), "attempt", attempt, "wait_ms", d.Milliseconds())
			s.metrics.Retry(r.Method)
			if !sleep(ctx, d) {
				return outcomeStop, 0
			}
		}
	}
}

// isChatGone reports the 400 errors that mean the chat no longer exists for us.
func isChatGone(e *apiError) bool {
	return e.Code == http.StatusBadRequest &&
		(strings.Contains(e.Desc, "chat not found") || strings.Contains(e.Desc, "user is deactivated"))
}

// record removes delivered rows of chat from the outbox, recording the
// message IDs sent; it retries until it succeeds, false at shutdown.
func (s *sender) record(ctx context.Context, chat int64, ds []flows.Delivery) bool {
	for i := 0; ; i++ {
		err := s.store.Delivered(ctx, chat, ds...)
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		s.log.Error("record delivery", "chat", chat, "rows", len(ds), "err", err)
		if !sleep(ctx, backoff(i)) {
			return false
		}
	}
}

// call makes the Bot API call of one row. It returns the ID of the message
// sent, for sendMessage.
func (s *sender) call(ctx context.Context, r flows.Outgoing, p row, plain bool) (int64, error) {
	body := p.body
	if plain && p.html {
		var err error
		if body, err = p.plainBody(); err != nil {
			// Nothing to retry: the row is dropped as refused.
			return 0, &apiError{Method: r.Method, Code: http.StatusBadRequest, Desc: "HTML refused, and no plain text could be made: " + err.Error()}
		}
	}
	id, err := s.api.call(ctx, r.Method, withChat(r.Method, r.Chat, body))
	if r.Method != methodSend && r.Method != methodSendDocument { // both are logged, for /delete
		id = 0
	}
	return id, err
}
