package bot

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	tgbot "github.com/go-telegram/bot"
)

// Retrying, in one place: the wait between attempts (backoff, with
// jitter), the wait itself (sleep), and retry for the calls made at
// start-up. The poll loop, the handler and the sender retry with these.

// retry calls fn until it succeeds, retrying transient failures; a refused
// token is an error at once, as is the end of ctx.
func (b *Bot) retry(ctx context.Context, what string, fn func() error) error {
	for attempt := 0; ; attempt++ {
		err := fn()
		if err == nil {
			return nil
		}
		if errors.Is(err, tgbot.ErrorUnauthorized) || errors.Is(err, tgbot.ErrorNotFound) {
			return fmt.Errorf("bot: %s: Telegram refused the bot token (check TELEGRAM_BOT_TOKEN and TELEGRAM_API_URL): %w", what, err)
		}
		if ctx.Err() != nil {
			return fmt.Errorf("bot: %s: %w", what, ctx.Err())
		}
		d := backoff(attempt)
		var tooMany *tgbot.TooManyRequestsError
		if errors.As(err, &tooMany) {
			d = time.Duration(max(tooMany.RetryAfter, 1)) * time.Second
		}
		b.log.Warn("Telegram call failed; retrying", "method", what, "err", logErr(err), "wait_ms", d.Milliseconds())
		b.metrics.Retry(what)
		if !sleep(ctx, d) {
			return fmt.Errorf("bot: %s: %w", what, ctx.Err())
		}
	}
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
