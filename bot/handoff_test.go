package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/redress-legal/redress/bot"
	"github.com/redress-legal/redress/bot/telegramtest"
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
