package bot_test

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redress-legal/redress/bot"
	"github.com/redress-legal/redress/bot/telegramtest"
)

// TestFloodingChatIsSlowedDown: past its budget a chat gets one notice,
// then its updates are settled in silence — except /sos, which always
// answers — and once the budget refills it is answered again.
func TestFloodingChatIsSlowedDown(t *testing.T) {
	h := newHarness(t)
	var now atomic.Int64
	now.Store(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC).UnixNano())
	h.start(func(c *bot.Config) {
		c.FloodBurst, c.FloodEvery = 4, time.Minute
		c.Now = func() time.Time { return time.Unix(0, now.Load()) }
	})
	u := telegramtest.User{ID: 811, LanguageCode: "en"}
	for i := 0; i < 12; i++ {
		h.api.SendText(u, "spam")
	}
	h.settled()
	h.api.SendCommand(u, "/sos")
	h.settled()
	now.Add(int64(2 * time.Minute)) // two updates' worth of budget back
	h.api.SendText(u, "spam")
	h.settled()
	got := transcript(h.api.Calls(), u.ID)
	if n := strings.Count(got, "> tg.slow_down\n"); n != 1 {
		t.Errorf("%d slow-down notices, want exactly 1:\n%s", n, got)
	}
	q := "> t.danger.ask [t.danger.now | t.danger.safe]\n"
	// 4 answered (intro + question, then 3 re-asks), the notice, silence, then /sos, then answered again.
	want := "> t.intro\n" + q + strings.Repeat("> engine.invalid.choice {count=2}\n"+q, 3) +
		"> tg.slow_down\n" +
		"> t.crisis / engine.crisis_resume\n" + q +
		"> engine.invalid.choice {count=2}\n" + q
	diff(t, "flooding chat", got, want)
	if strings.Contains(h.logs.String(), "spam") {
		t.Error("the log holds what the user wrote")
	}
}
