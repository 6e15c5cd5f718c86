package bot_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/redress-legal/redress/bot"
	"github.com/redress-legal/redress/bot/telegramtest"
)

// TestUpdatesRenumberedAfterASilenceAreTaken: after a week without updates
// Telegram numbers the next one from a random, possibly lower ID. A bot
// that kept asking for IDs above the last one it saw would make Telegram
// forget it; after a long silence the poller asks from the start again.
func TestUpdatesRenumberedAfterASilenceAreTaken(t *testing.T) {
	h := newHarness(t)
	var now atomic.Int64
	now.Store(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC).UnixNano())
	h.start(func(c *bot.Config) { c.Now = func() time.Time { return time.Unix(0, now.Load()) } })
	u := telegramtest.User{ID: 812, LanguageCode: "en"}
	begin(h, u)
	h.settled()
	seen := len(h.api.Calls())
	now.Add(int64(8 * 24 * time.Hour))
	h.eventually("a getUpdates from the start of the queue", func() bool {
		for _, c := range h.api.Calls()[seen:] {
			if c.Method == "getUpdates" && (c.Params["offset"] == "" || c.Params["offset"] == "0") {
				return true
			}
		}
		return false
	})
	h.api.RenumberUpdates(7)
	h.api.SendText(u, "2")
	h.waitFor(u, lang(u, "t.what.ask"))
}
