package bot

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	tgbot "github.com/go-telegram/bot"
)

// MaxWebhookBody is the largest webhook request accepted; Telegram's
// updates are far smaller.
const MaxWebhookBody = 1 << 20

// secretHeader carries the secret token given to setWebhook.
const secretHeader = "X-Telegram-Bot-Api-Secret-Token"

// WebhookConfig says where Telegram posts updates and how they are checked.
type WebhookConfig struct {
	URL      string       // the public HTTPS URL given to setWebhook
	Secret   string       // the secret token Telegram sends back in every request; required
	Listen   string       // the local address to listen on, e.g. 127.0.0.1:8443
	Listener net.Listener // optional: used instead of Listen (tests)
}

// RunWebhook registers the webhook with Telegram and serves it until ctx
// ends, then drains like Run and returns nil. The webhook stays registered
// when it stops, so that Telegram keeps the updates that come meanwhile.
func (b *Bot) RunWebhook(ctx context.Context, wc WebhookConfig) error {
	if wc.Secret == "" {
		return errors.New("bot: webhook mode needs a secret token")
	}
	if wc.URL == "" {
		return errors.New("bot: webhook mode needs the public URL")
	}
	ln := wc.Listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", wc.Listen); err != nil {
			return fmt.Errorf("bot: webhook listen: %w", err)
		}
	}
	defer ln.Close()
	if err := b.prepare(ctx); err != nil {
		return stopped(ctx, err)
	}
	if err := b.retry(ctx, "setWebhook", func() error {
		_, err := b.api.tg.SetWebhook(ctx, &tgbot.SetWebhookParams{
			URL: wc.URL, SecretToken: wc.Secret, AllowedUpdates: allowedUpdates, MaxConnections: 40,
		})
		return err
	}); err != nil {
		return stopped(ctx, err)
	}
	b.start(ctx)
	srv := &http.Server{
		Handler:           b.WebhookHandler(wc.Secret),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	b.log.Info("serving by webhook", "bot", b.username, "listen", ln.Addr().String(), "last_update", b.lastUpdate(ctx))
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
		err = fmt.Errorf("bot: webhook server: %w", err)
	}
	// New requests get 503 (Telegram retries them later); the requests in
	// progress finish, then the work and the outbox are drained.
	b.closing.Store(true)
	sctx, cancel := context.WithTimeout(context.Background(), b.cfg.DrainTimeout)
	_ = srv.Shutdown(sctx)
	cancel()
	b.shutdown()
	return err
}

// WebhookHandler returns the handler for Telegram's webhook requests. It
// refuses anything but a POST (405), a request without the secret token
// (401, compared in constant time) and a body over MaxWebhookBody (413).
// It answers 200 only once the update is committed, so Telegram delivers
// again any update that a crash interrupted; 503 while shutting down.
func (b *Bot) WebhookHandler(secret string) http.Handler {
	want := []byte(secret)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		got := []byte(r.Header.Get(secretHeader))
		if len(want) == 0 || subtle.ConstantTimeCompare(got, want) != 1 {
			b.log.Warn("webhook request with a wrong secret token", "remote", r.RemoteAddr)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		if r.ContentLength > MaxWebhookBody {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxWebhookBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		u, err := decodeUpdate(body)
		if u == nil {
			b.log.Warn("webhook: undecodable update", "err", err)
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if err != nil {
			b.log.Error("undecodable update", "err", err)
		}
		if b.closing.Load() || b.sched == nil {
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		done := make(chan bool, 1)
		ok := b.sched.submit(b.job(u, func(ok bool) { done <- ok }))
		if !ok {
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		select {
		case ok = <-done:
		case <-r.Context().Done():
			// Telegram gave up waiting; the update still completes and a
			// re-delivery will be a duplicate.
			return
		}
		if !ok {
			http.Error(w, "not handled", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, "{}")
	})
}
