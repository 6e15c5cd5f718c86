package bot

import (
	"bytes"
	"context"
	"encoding/json"
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
	var (
		mu       sync.Mutex
		inflight = map[int64]bool{}
		highest  int64 // the highest update ID taken
		moved    bool  // an update settled since the last getUpdates
		// lastTaken is when highest last rose; confirmed says the last
		// successful getUpdates asked for highest+1 with nothing in flight,
		// so Telegram has forgotten every update up to highest.
		lastTaken = b.cfg.Now()
		confirmed bool
	)
	progress := make(chan struct{}, 1)
	signal := func() {
		select {
		case progress <- struct{}{}:
		default:
		}
	}
	// waitSettled waits, after a response, before the next getUpdates.
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	waitSettled := func(since time.Time) {
		for {
			mu.Lock()
			n, m := len(inflight), moved
			mu.Unlock()
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
			case <-progress:
				timer.Stop()
			case <-timer.C:
			}
		}
	}
	timeout := int(b.cfg.PollTimeout / time.Second)
	failures := 0
	var buf bytes.Buffer // each answer is read into it; the raw updates point into it
	for ctx.Err() == nil {
		mu.Lock()
		// After a week without updates Telegram numbers the next one from a
		// random ID, possibly below every ID seen. Once all taken updates are
		// settled and confirmed, a long silence resets highest, so the next
		// update is taken whatever its ID (the store's duplicate window still
		// catches a re-delivery).
		if len(inflight) == 0 && confirmed && highest > 0 && b.cfg.Now().Sub(lastTaken) > renumberAfter {
			highest = 0
		}
		var offset int64
		if highest > 0 {
			offset = highest + 1
		}
		for id := range inflight {
			offset = min(offset, id)
		}
		moved = false
		confirms := len(inflight) == 0
		mu.Unlock()
		// Drain a stale signal: only progress after this call counts.
		select {
		case <-progress:
		default:
		}
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
			sleep(ctx, d)
			continue
		}
		answered := time.Now()
		failures = 0
		mu.Lock()
		confirmed = confirms
		mu.Unlock()
		for _, raw := range raws {
			if id, ok := peekUpdateID(raw); ok {
				mu.Lock()
				known := id <= highest
				mu.Unlock()
				if known {
					continue // settled or in progress: not decoded again
				}
			}
			u, err := decodeUpdate(raw)
			if err != nil {
				b.log.Error("undecodable update", "err", err)
				if u == nil {
					continue // not even an ID: nothing we can confirm or handle
				}
			}
			mu.Lock()
			if u.ID <= highest {
				mu.Unlock()
				continue // settled or in progress
			}
			highest = u.ID
			lastTaken = b.cfg.Now()
			inflight[u.ID] = true
			mu.Unlock()
			id := u.ID
			ok := b.sched.submit(job{id: id, chat: updateChat(u), run: func(ctx context.Context) bool {
				return b.handleUpdate(ctx, u)
			}, done: func(ok bool) {
				if ok {
					mu.Lock()
					delete(inflight, id)
					moved = true
					mu.Unlock()
				}
				signal()
			}})
			if !ok {
				return nil // shutting down: the update stays with Telegram
			}
		}
		waitSettled(answered)
	}
	return nil
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

// decodeUpdate decodes one update. An update we cannot decode is returned
// with its ID alone, so that it is settled as ignored rather than stopping
// the offset forever; nil when not even the ID can be read.
func decodeUpdate(raw json.RawMessage) (*models.Update, error) {
	u, err := decodeWire(raw)
	if err == nil && u.ID > 0 {
		return u, nil
	}
	if err == nil {
		err = errors.New("no update_id")
	}
	var id struct {
		ID int64 `json:"update_id"`
	}
	if json.Unmarshal(raw, &id) != nil || id.ID <= 0 {
		return nil, fmt.Errorf("update without an ID: %w", err)
	}
	return &models.Update{ID: id.ID}, fmt.Errorf("update %d: %w", id.ID, err)
}

// wireUpdate holds the kinds of update the bot handles or orders by chat;
// the others are ignored (handle) whatever they hold, so they are not
// decoded. The message of a callback query is kept raw: models decodes it
// three times (MaybeInaccessibleMessage), decodeWire once.
type wireUpdate struct {
	ID                int64           `json:"update_id"`
	Message           *models.Message `json:"message"`
	EditedMessage     *models.Message `json:"edited_message"`
	ChannelPost       *models.Message `json:"channel_post"`
	EditedChannelPost *models.Message `json:"edited_channel_post"`
	CallbackQuery     *struct {
		ID              string          `json:"id"`
		From            models.User     `json:"from"`
		Message         json.RawMessage `json:"message"`
		InlineMessageID string          `json:"inline_message_id"`
		ChatInstance    string          `json:"chat_instance"`
		Data            string          `json:"data"`
		GameShortName   string          `json:"game_short_name"`
	} `json:"callback_query"`
}

// decodeWire decodes the parts of an update the bot reads into a
// models.Update, as json.Unmarshal into models.Update would fill them; of
// the message a button was under, only its ID, date, chat and text.
func decodeWire(raw []byte) (*models.Update, error) {
	var w wireUpdate
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, err
	}
	u := &models.Update{ID: w.ID, Message: w.Message, EditedMessage: w.EditedMessage,
		ChannelPost: w.ChannelPost, EditedChannelPost: w.EditedChannelPost}
	if q := w.CallbackQuery; q != nil {
		u.CallbackQuery = &models.CallbackQuery{ID: q.ID, From: q.From, InlineMessageID: q.InlineMessageID,
			ChatInstance: q.ChatInstance, Data: q.Data, GameShortName: q.GameShortName}
		if len(q.Message) > 0 { // null too, as models does
			m := &u.CallbackQuery.Message
			// The message is the bot's own, keyboard and all: only what
			// callbackMessage reads is decoded.
			var w struct {
				ID   int         `json:"message_id"`
				Date int         `json:"date"`
				Chat models.Chat `json:"chat"`
				Text string      `json:"text"`
			}
			if err := json.Unmarshal(q.Message, &w); err != nil {
				return nil, err
			}
			if w.Date == 0 { // what Telegram sends for a message the bot can no longer see
				m.Type = models.MaybeInaccessibleMessageTypeInaccessibleMessage
				m.InaccessibleMessage = &models.InaccessibleMessage{Chat: w.Chat, MessageID: w.ID}
			} else {
				m.Type = models.MaybeInaccessibleMessageTypeMessage
				m.Message = &models.Message{ID: w.ID, Date: w.Date, Chat: w.Chat, Text: w.Text}
			}
		}
	}
	return u, nil
}
