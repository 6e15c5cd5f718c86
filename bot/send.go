package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/redress-legal/redress/flows"
)

// sender delivers the outbox. One dispatcher reads the pending rows, groups
// them by chat and hands each chat's rows, in order, to a chat worker; at
// most one worker per chat, at most `workers` at once. A worker waiting out
// a 429 or backing off after a 5xx holds only its own chat: other chats go
// on. A row is removed from the outbox (Delivered) only after Telegram
// accepted it, so a crash repeats at most the call that was in flight.
type sender struct {
	b       *Bot
	workers int
	wakeCh  chan struct{}
	// draining: run returns once the outbox is empty.
	draining atomic.Bool

	mu   sync.Mutex
	busy map[int64]bool
	// last is the highest row ID finished per chat, with the scan
	// generation in which it finished: a scan read before a worker finished
	// may still list the rows it delivered, and must not deliver them again.
	last    map[int64]finished
	gen     int64
	running int
	idle    *sync.Cond
}

type finished struct {
	id  int64
	gen int64
}

func newSender(b *Bot, workers int) *sender {
	s := &sender{
		b:       b,
		workers: workers,
		wakeCh:  make(chan struct{}, 1),
		busy:    map[int64]bool{},
		last:    map[int64]finished{},
	}
	s.idle = sync.NewCond(&s.mu)
	return s
}

// wake asks the dispatcher to look at the outbox again.
func (s *sender) wake() {
	select {
	case s.wakeCh <- struct{}{}:
	default:
	}
}

const scanLimit = 500

// drain makes run return as soon as the outbox is empty and no delivery is
// running.
func (s *sender) drain() {
	s.draining.Store(true)
	s.wake()
}

// run delivers the outbox until ctx ends, or until it is empty after drain.
func (s *sender) run(ctx context.Context) {
	tick := time.NewTicker(s.b.cfg.OutboxPoll)
	defer tick.Stop()
	defer s.waitIdle()
	for {
		n, err := s.scan(ctx)
		if err != nil && ctx.Err() == nil {
			s.b.log.Error("outbox scan failed", "err", err)
		}
		if s.draining.Load() && err == nil && n == 0 && s.isIdle() {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wakeCh:
		case <-tick.C:
		}
	}
}

// scan reads the pending rows and starts a worker for every chat that has
// rows and none running. It returns how many rows are pending.
func (s *sender) scan(ctx context.Context) (int, error) {
	s.mu.Lock()
	s.gen++
	gen := s.gen
	s.mu.Unlock()
	rows, err := s.b.store.Pending(ctx, scanLimit)
	if err != nil {
		return 0, fmt.Errorf("pending outbox: %w", err)
	}
	byChat := map[int64][]flows.Outgoing{}
	var order []int64
	s.mu.Lock()
	for _, r := range rows {
		if f, ok := s.last[r.Chat]; ok && r.ID <= f.id {
			continue // finished after this scan was read
		}
		if _, ok := byChat[r.Chat]; !ok {
			order = append(order, r.Chat)
		}
		byChat[r.Chat] = append(byChat[r.Chat], r)
	}
	// Entries that finished before this scan began are reflected in it.
	for chat, f := range s.last {
		if f.gen < gen && !s.busy[chat] {
			delete(s.last, chat)
		}
	}
	for _, chat := range order {
		if s.busy[chat] || s.running >= s.workers {
			continue
		}
		s.busy[chat] = true
		s.running++
		go s.deliverChat(ctx, chat, byChat[chat])
	}
	s.mu.Unlock()
	return len(rows), nil
}

func (s *sender) isIdle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.running == 0
}

func (s *sender) waitIdle() {
	s.mu.Lock()
	for s.running > 0 {
		s.idle.Wait()
	}
	s.mu.Unlock()
}

// deliverChat delivers one chat's rows in order, stopping at the first row
// it cannot deliver now (shutdown) or when the chat turns out blocked.
func (s *sender) deliverChat(ctx context.Context, chat int64, rows []flows.Outgoing) {
	var lastID int64
	defer func() {
		s.mu.Lock()
		if lastID != 0 {
			s.last[chat] = finished{id: lastID, gen: s.gen}
		}
		delete(s.busy, chat)
		s.running--
		s.idle.Broadcast()
		s.mu.Unlock()
		s.wake()
	}()
	for _, r := range rows {
		switch s.deliver(ctx, r) {
		case outcomeDone:
			lastID = r.ID
		case outcomeBlocked:
			lastID = rows[len(rows)-1].ID // all dropped by Inactive
			return
		case outcomeStop:
			return
		}
	}
}

type outcome int

const (
	outcomeDone    outcome = iota // delivered or dropped for good
	outcomeBlocked                // the chat is unreachable: its rows are dropped
	outcomeStop                   // shutting down: the row stays in the outbox
)

// deliver makes one outbox call, retrying until Telegram accepts or refuses
// it for good, and records the result.
func (s *sender) deliver(ctx context.Context, r flows.Outgoing) outcome {
	log := s.b.log.With("chat", r.Chat, "row", r.ID, "method", r.Method)
	var p payload
	if err := json.Unmarshal(r.Payload, &p); err != nil {
		log.Error("undecodable outbox row dropped", "err", err)
		return s.settle(ctx, log, r, 0)
	}
	plain := false
	for attempt := 0; ; attempt++ {
		start := time.Now()
		msgID, err := s.call(ctx, r, p, plain)
		if err == nil {
			log.Debug("delivered", "ms", time.Since(start).Milliseconds(), "attempt", attempt)
			if p.Unlogged {
				msgID = 0
			}
			return s.settle(ctx, log, r, msgID)
		}
		if ctx.Err() != nil {
			return outcomeStop
		}
		if strings.Contains(err.Error(), "error decode response result") {
			// Telegram answered ok but with a result tgbot cannot read (an
			// edit answered with true, say): the call was made, and
			// repeating it would only send it twice.
			log.Warn("call accepted; its result was not understood", "err", logErr(err))
			return s.settle(ctx, log, r, 0)
		}
		var tooMany *tgbot.TooManyRequestsError
		switch {
		case errors.As(err, &tooMany):
			wait := time.Duration(max(tooMany.RetryAfter, 1)) * time.Second
			log.Warn("rate limited by Telegram", "retry_after_s", tooMany.RetryAfter)
			if !sleep(ctx, wait+jitter(wait/10)) {
				return outcomeStop
			}
		case errors.Is(err, tgbot.ErrorForbidden), isChatGone(err):
			log.Info("chat unreachable; marked inactive", "err", logErr(err))
			for i := 0; ; i++ {
				err := s.b.store.Inactive(ctx, r.Chat)
				if err == nil {
					return outcomeBlocked
				}
				if ctx.Err() != nil {
					return outcomeStop
				}
				log.Error("mark chat inactive", "err", err)
				if !sleep(ctx, backoff(i)) {
					return outcomeStop
				}
			}
		case errors.Is(err, tgbot.ErrorBadRequest):
			switch {
			case strings.Contains(err.Error(), "message is not modified"):
				return s.settle(ctx, log, r, 0) // already as we want it
			case p.HTML && !plain && strings.Contains(err.Error(), "can't parse entities"):
				log.Error("Telegram refused our HTML; sending plain text", "err", logErr(err))
				plain = true
				continue
			}
			// Permanent: an expired callback query, a message too old to
			// edit. Retrying cannot help; keeping the row would block the chat.
			log.Warn("call refused; dropped", "err", logErr(err))
			return s.settle(ctx, log, r, 0)
		case errors.As(err, new(*tgbot.MigrateError)):
			log.Warn("chat migrated; dropped", "err", logErr(err))
			return s.settle(ctx, log, r, 0)
		default:
			// 5xx, network errors, timeouts, 401/404 from a misconfigured
			// proxy: all worth retrying, more slowly each time.
			d := backoff(attempt)
			log.Warn("call failed; retrying", "err", logErr(err), "attempt", attempt, "wait_ms", d.Milliseconds())
			if !sleep(ctx, d) {
				return outcomeStop
			}
		}
	}
}

// isChatGone reports the 400 errors that mean the chat no longer exists for us.
func isChatGone(err error) bool {
	if !errors.Is(err, tgbot.ErrorBadRequest) {
		return false
	}
	m := err.Error()
	return strings.Contains(m, "chat not found") || strings.Contains(m, "user is deactivated")
}

// settle removes the row from the outbox, recording the message ID sent.
func (s *sender) settle(ctx context.Context, log *slog.Logger, r flows.Outgoing, msgID int64) outcome {
	for i := 0; ; i++ {
		err := s.b.store.Delivered(ctx, r.ID, r.Chat, msgID)
		if err == nil {
			return outcomeDone
		}
		if ctx.Err() != nil {
			return outcomeStop
		}
		log.Error("record delivery", "err", err)
		if !sleep(ctx, backoff(i)) {
			return outcomeStop
		}
	}
}

// call makes the Bot API call of one row. It returns the ID of the message
// sent, for sendMessage.
func (s *sender) call(ctx context.Context, r flows.Outgoing, p payload, plain bool) (int64, error) {
	api := s.b.api.tg
	text, mode := p.Text, models.ParseModeHTML
	if plain || !p.HTML {
		text, mode = plainFromHTML(p.Text), ""
	}
	var markup models.ReplyMarkup
	if p.Keyboard != nil {
		markup = p.Keyboard
	}
	noPreview := &models.LinkPreviewOptions{IsDisabled: tgbot.True()}
	switch r.Method {
	case methodSend:
		m, err := api.SendMessage(ctx, &tgbot.SendMessageParams{
			ChatID: r.Chat, Text: text, ParseMode: mode, ReplyMarkup: markup, LinkPreviewOptions: noPreview,
		})
		if err != nil {
			return 0, err
		}
		return int64(m.ID), nil
	case methodEditText:
		_, err := api.EditMessageText(ctx, &tgbot.EditMessageTextParams{
			ChatID: r.Chat, MessageID: p.MessageID, Text: text, ParseMode: mode, ReplyMarkup: markup, LinkPreviewOptions: noPreview,
		})
		return 0, err
	case methodEditMarkup:
		_, err := api.EditMessageReplyMarkup(ctx, &tgbot.EditMessageReplyMarkupParams{
			ChatID: r.Chat, MessageID: p.MessageID, ReplyMarkup: markup,
		})
		return 0, err
	case methodAnswer:
		_, err := api.AnswerCallbackQuery(ctx, &tgbot.AnswerCallbackQueryParams{
			CallbackQueryID: p.CallbackID, Text: p.Text, ShowAlert: p.Alert,
		})
		return 0, err
	case methodDeleteMessage:
		_, err := api.DeleteMessages(ctx, &tgbot.DeleteMessagesParams{ChatID: r.Chat, MessageIDs: p.MessageIDs})
		return 0, err
	}
	return 0, fmt.Errorf("unknown outbox method %q: %w", r.Method, tgbot.ErrorBadRequest)
}

// backoff is the wait before retry number attempt: 250ms doubling up to
// 30s, with ±25% jitter so that many chats do not retry in lockstep.
func backoff(attempt int) time.Duration {
	d := 250 * time.Millisecond
	for i := 0; i < attempt && d < 30*time.Second; i++ {
		d *= 2
	}
	d = min(d, 30*time.Second)
	return d - d/4 + jitter(d/2)
}

func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return rand.N(d)
}

// sleep waits for d or until ctx ends; it reports whether the wait completed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
