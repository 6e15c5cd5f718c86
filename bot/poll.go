package bot

import (
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
// Updates above the offset that are already settled or in progress come
// back in the next response and are skipped by ID. When a response holds
// nothing new (the window is full of updates still in progress) the loop
// waits for progress instead of asking again at once.
func (b *Bot) poll(ctx context.Context) error {
	var (
		mu       sync.Mutex
		inflight = map[int64]bool{}
		highest  int64 // the highest update ID taken
	)
	progress := make(chan struct{}, 1)
	signal := func() {
		select {
		case progress <- struct{}{}:
		default:
		}
	}
	waitProgress := func() bool {
		select {
		case <-ctx.Done():
			return false
		case <-progress:
			return true
		}
	}
	timeout := int(b.cfg.PollTimeout / time.Second)
	failures := 0
	for ctx.Err() == nil {
		mu.Lock()
		n := len(inflight)
		var offset int64
		if highest > 0 {
			offset = highest + 1
		}
		for id := range inflight {
			offset = min(offset, id)
		}
		mu.Unlock()
		if n >= b.cfg.MaxInflight {
			waitProgress()
			continue
		}
		raws, err := b.api.getUpdates(ctx, getUpdatesParams{Offset: offset, Limit: 100, Timeout: timeout, AllowedUpdates: allowedUpdates})
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
		failures = 0
		fresh := 0
		for _, raw := range raws {
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
			inflight[u.ID] = true
			mu.Unlock()
			fresh++
			id := u.ID
			ok := b.sched.submit(job{id: id, chat: updateChat(u), run: func(ctx context.Context) bool {
				return b.handleUpdate(ctx, u)
			}, done: func(ok bool) {
				if ok {
					mu.Lock()
					delete(inflight, id)
					mu.Unlock()
				}
				signal()
			}})
			if !ok {
				return nil // shutting down: the update stays with Telegram
			}
		}
		if fresh == 0 && len(raws) > 0 {
			waitProgress()
		}
	}
	return nil
}

// decodeUpdate decodes one update. An update we cannot decode is returned
// with its ID alone, so that it is settled as ignored rather than stopping
// the offset forever; nil when not even the ID can be read.
func decodeUpdate(raw json.RawMessage) (*models.Update, error) {
	var u models.Update
	err := json.Unmarshal(raw, &u)
	if err == nil && u.ID > 0 {
		return &u, nil
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
