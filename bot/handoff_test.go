package bot_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redress-legal/redress/bot"
	"github.com/redress-legal/redress/bot/telegramtest"
	"github.com/redress-legal/redress/commands"
	"github.com/redress-legal/redress/flows"
)

// TestHumanWithoutVolunteers: with no volunteers' chat configured, /human
// says where people can help instead, and a group's messages and Claim
// buttons are treated as any group's.
func TestHumanWithoutVolunteers(t *testing.T) {
	h := newHarness(t)
	h.start(nil)
	u := telegramtest.User{ID: 8101, LanguageCode: "en"}
	h.api.SendCommand(u, "/human")
	h.waitFor(u, bot.MsgHumanNone)
	h.api.GroupText(-100900, u, "/reply K7Q2MX hello")
	h.settled()
	for _, c := range h.api.Calls() {
		if c.Chat() == -100900 && strings.Contains(c.PlainText(), "tg.vol") {
			t.Errorf("a group without hand-off got %q", c.PlainText())
		}
	}
}

// TestHandoffConfigIsChecked: a volunteers' chat needs a store of cases
// and a group's (negative) ID.
func TestHandoffConfigIsChecked(t *testing.T) {
	h := newHarness(t)
	cfg := h.config()
	cfg.HandoffChat = -100900
	if _, err := bot.New(cfg); err == nil {
		t.Error("a hand-off chat without a store of cases was accepted")
	}
	cfg.Cases = fakeCases{}
	cfg.HandoffChat = 12345
	if _, err := bot.New(cfg); err == nil {
		t.Error("a private chat was accepted as the volunteers' chat")
	}
	cfg.HandoffChat = -100900
	if _, err := bot.New(cfg); err != nil {
		t.Errorf("a valid hand-off configuration: %v", err)
	}
	cfg.HandoffLang = "fr"
	if _, err := bot.New(cfg); err == nil {
		t.Error("a hand-off language without catalog was accepted")
	}
}

// fakeCases is a store of no cases.
type fakeCases struct{}

func (fakeCases) Case(context.Context, string) (flows.Case, error) {
	return flows.Case{}, flows.ErrNotFound
}
func (fakeCases) CasesOf(context.Context, int64) ([]string, error)      { return nil, nil }
func (fakeCases) CaseMessages(context.Context, string) ([]int64, error) { return nil, nil }

// recMetrics records the hand-off events and the retries a bot reports.
type recMetrics struct {
	mu       sync.Mutex
	handoffs []string
	retries  int
}

func (*recMetrics) Update(string)         {}
func (*recMetrics) Handled(time.Duration) {}
func (*recMetrics) APICall(string, int)   {}
func (*recMetrics) Started()              {}
func (*recMetrics) Completed(string)      {}
func (m *recMetrics) Retry(what string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if what == "update" {
		m.retries++
	}
}
func (m *recMetrics) Handoff(event string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.handoffs = append(m.handoffs, event)
}

// seen returns the hand-off events and the update retries so far.
func (m *recMetrics) seen() ([]string, int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.handoffs), m.retries
}

// TestHandoffCountedOnceCommitted: a hand-off event reaches Metrics once
// its update's transaction commits — not when the commit fails, and once
// only when the update is handled again after failures.
func TestHandoffCountedOnceCommitted(t *testing.T) {
	h := newHarness(t)
	m := &recMetrics{}
	h.start(func(c *bot.Config) { c.HandoffChat, c.Cases, c.Metrics = -100900, fakeCases{}, m })
	u := telegramtest.User{ID: 8102, LanguageCode: "en"}
	h.api.SendCommand(u, "/human")
	h.waitFor(u, commands.MsgHandoffOffer)
	h.press(u, "v1:!ho:bot")
	h.waitFor(u, commands.MsgHandoffAsk)
	if got, _ := m.seen(); len(got) != 0 {
		t.Fatalf("hand-off events before the person agreed: %v", got)
	}
	// The store refuses the first two commits of the consent.
	var fails atomic.Int32
	fails.Store(2)
	h.store.SetFault(func(method string) error {
		if method == "Commit" && fails.Add(-1) >= 0 {
			return errors.New("disk full")
		}
		return nil
	})
	h.press(u, "v1:!hc:y")
	h.eventually("the consent committed", func() bool { got, _ := m.seen(); return len(got) > 0 })
	h.settled()
	got, retries := m.seen()
	if !slices.Equal(got, []string{bot.HandoffRequested}) {
		t.Errorf("hand-off events = %v, want one %q", got, bot.HandoffRequested)
	}
	if retries < 2 {
		t.Errorf("%d update retries, want the 2 failed commits retried", retries)
	}
}
