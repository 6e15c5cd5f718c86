package bot

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/redress-legal/redress/commands"
	"github.com/redress-legal/redress/flows"
)

// Metrics receives counts of what the bot does, for the operator's
// dashboards (package ops turns them into Prometheus metrics). It is never
// given message content, user or chat identifiers: only kinds, methods,
// status codes, durations and the flow's own node IDs. Its methods are
// called from many goroutines at once and must not block.
type Metrics interface {
	// Update: an update arrived, by kind (message, edited_message,
	// callback_query, other).
	Update(kind string)
	// Handled: one update was handled — decided and committed — in d.
	Handled(d time.Duration)
	// APICall: a Bot API call was answered with this HTTP status code, or
	// failed without an answer (code 0).
	APICall(method string, code int)
	// Retry: a failed step is tried again: a Bot API call (the method) or
	// the handling of an update ("update").
	Retry(what string)
	// Started: a conversation began (a new user, or one who erased theirs).
	Started()
	// Completed: a conversation reached the outcome node named.
	Completed(outcome string)
	// Handoff: a step of the hand-off to volunteers was committed, one of
	// the Handoff* events (requested, claimed, relayed, replied, closed,
	// erased).
	Handoff(event string)
}

// The events of Metrics.Handoff. The first three are also the counts of
// /stats (commands.CountHandoff).
const (
	HandoffRequested = commands.HandoffRequested // a person agreed, and their case card was posted to the volunteers
	HandoffClaimed   = commands.HandoffClaimed   // a volunteer claimed a case
	HandoffClosed    = commands.HandoffClosed    // a case was closed, by the person or by the volunteer
	HandoffRelayed   = "relayed"                 // what the person typed was relayed to the volunteer
	HandoffReplied   = "replied"                 // a volunteer's /reply was relayed to the person
	HandoffErased    = "erased"                  // a case was erased with the person's data (/delete)
)

// nopMetrics is the Metrics of a bot without them.
type nopMetrics struct{}

func (nopMetrics) Update(string)            {}
func (nopMetrics) Handled(time.Duration)    {}
func (nopMetrics) APICall(string, int)      {}
func (nopMetrics) Retry(string)             {}
func (nopMetrics) Started()                 {}
func (nopMetrics) Completed(outcome string) {}
func (nopMetrics) Handoff(event string)     {}

// updateKind names an update's kind for Metrics.Update.
func updateKind(u *models.Update) string {
	switch {
	case u.Message != nil:
		return "message"
	case u.EditedMessage != nil:
		return "edited_message"
	case u.CallbackQuery != nil:
		return "callback_query"
	}
	return "other"
}

// progress tells Metrics what one committed turn did to a conversation.
func progress(m Metrics, before, after flows.State) {
	if !before.Started() && after.Started() {
		m.Started()
	}
	if !before.Done && after.Done {
		m.Completed(after.Node)
	}
}

// contact is when Telegram last answered a call, and whether the latest
// call got no answer: what the readiness check asks.
type contact struct {
	lastOK   atomic.Int64 // Unix nanoseconds of the last answered call
	lastFail atomic.Int64 // Unix nanoseconds of the last call without an answer
}

// observed wraps a Bot API transport: every call, ours and
// go-telegram/bot's, is counted by method and status code, and its answer
// (any status below 500) or its failure recorded for readiness.
type observed struct {
	next    http.RoundTripper
	metrics Metrics
	contact *contact
}

// RoundTrip makes the call and records its outcome.
func (o observed) RoundTrip(req *http.Request) (*http.Response, error) {
	method := req.URL.Path[strings.LastIndexByte(req.URL.Path, '/')+1:]
	resp, err := o.next.RoundTrip(req)
	now := time.Now().UnixNano()
	switch {
	case err != nil:
		if req.Context().Err() == nil { // our own cancellation is not Telegram's failure
			o.contact.lastFail.Store(now)
			o.metrics.APICall(method, 0)
		}
	case resp.StatusCode >= 500:
		o.contact.lastFail.Store(now)
		o.metrics.APICall(method, resp.StatusCode)
	default:
		o.contact.lastOK.Store(now)
		o.metrics.APICall(method, resp.StatusCode)
	}
	return resp, err
}

// observe returns a copy of hc whose transport is observed.
func observe(hc *http.Client, m Metrics, c *contact) *http.Client {
	next := hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	cp := *hc
	cp.Transport = observed{next: next, metrics: m, contact: c}
	return &cp
}

// ReachedWithin is how recent an answer from Telegram must be for
// CheckTelegram to trust it without asking again.
const ReachedWithin = 2 * time.Minute

// CheckTelegram reports whether Telegram was reached recently: the last
// call was answered within ReachedWithin. When the latest call got no
// answer, or the last answer is older, it asks Telegram (getMe) and
// reports that. For the operator's readiness check; it sends nothing to
// any user.
func (b *Bot) CheckTelegram(ctx context.Context) error {
	ok, fail := b.contact.lastOK.Load(), b.contact.lastFail.Load()
	if ok > fail && time.Since(time.Unix(0, ok)) < ReachedWithin {
		return nil
	}
	if _, err := b.api.tg.GetMe(ctx); err != nil {
		// go-telegram/bot's errors quote the URL, which holds the token.
		return errors.New("Telegram not reached: " + strings.ReplaceAll(logErr(err), b.cfg.Token, "<token>"))
	}
	return nil
}
