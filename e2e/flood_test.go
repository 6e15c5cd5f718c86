package e2e

import (
	"strconv"
	"testing"
	"time"

	"github.com/redress-legal/redress/tools/load/tgfake"
)

// TestAFloodingChatDoesNotStarveOthers: one chat sends 1,000 messages (5,000 with -long) as
// fast as it can while other users go through whole cases; those cases
// still complete, in order, with nothing lost or repeated, and the flooder
// gets far fewer replies than it sent messages (the per-chat budget).
func TestAFloodingChatDoesNotStarveOthers(t *testing.T) {
	flood, users := 1_000, 6
	if testing.Short() {
		flood = 500
	}
	if *long {
		flood = 5_000
	}
	e := newEnv(t, tgfake.Config{KeepText: true})
	sc := script(t, "questionnaire.txt")
	p := e.start()
	ref := reference(t, e, sc, 42)
	const flooder = 666
	e.fake.Register(flooder, "en")
	done := runLoad(e, tgfake.LoadConfig{Users: users, Conversations: 2, Script: sc, StepTimeout: 120 * time.Second, ChatBase: 4_000_000})
	for i := 0; i < flood; i++ {
		e.fake.SendText(flooder, "en", "spam "+strconv.Itoa(i))
	}
	res := <-done
	if res.Failed != 0 || res.Conversations != users*2 {
		t.Fatalf("during the flood %d conversations failed: %v", res.Failed, res.Errors)
	}
	if r := checkAll(t, e, sc, ref, 4_000_000, users*2, 0); r != 0 {
		t.Errorf("%d messages repeated", r)
	}
	// Wait (bounded) for the flood to be worked off, then report.
	for i := 0; i < 300 && e.fake.Pending() > 0; i++ {
		time.Sleep(100 * time.Millisecond)
	}
	got := e.fake.Chat(flooder).Sends()
	t.Logf("the flooding chat sent %d messages and got %d messages back; %d updates still pending",
		flood, got, e.fake.Pending())
	// The per-chat budget (docs/SECURITY.md): far fewer replies than messages.
	if got >= flood/2 {
		t.Errorf("the flooder got %d replies for %d messages: nothing holds a flood back", got, flood)
	}
	p.stop(t)
}
