package e2e

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/redress-legal/redress/tools/load/tgfake"
)

// TestKilledAtRandomMomentsLosesNothing runs concurrent whole cases while
// `redress serve` is killed with SIGKILL at random moments (20 times; 60
// with -long) and restarted on the same database. Afterwards every
// conversation must have reached its assessment with exactly the answers
// given (no lost transition), every reply must have arrived in order (no
// lost reply, per-chat order), and nothing may have been applied twice; the
// only repeat allowed is a message in flight at a kill: at most one per
// chat per kill that came during its conversation (the checker of
// TestImmediateRestartsRepeatAtMostOnePerChat).
func TestKilledAtRandomMomentsLosesNothing(t *testing.T) {
	kills, users := 20, 8
	if testing.Short() {
		users = 4
	}
	if *long {
		kills, users = 60, 30
	}
	e := newEnv(t, tgfake.Config{KeepText: true})
	sc := script(t, "questionnaire.txt")
	p := e.start()
	ref := reference(t, e, sc, 42)
	steps := refSteps(ref)

	finish := loadUntilStopped(t, e, tgfake.LoadConfig{
		Users: users, Conversations: 1000, Script: sc, StepTimeout: 90 * time.Second,
		Settle: time.Second, ChatBase: 1_000_000,
	})
	rnd := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 4))
	var killedAt []time.Time
	for i := 0; i < kills; i++ {
		// A random moment while the bot works: handling, committing,
		// sending, or between any two of those.
		time.Sleep(time.Duration(20+rnd.IntN(400)) * time.Millisecond)
		killedAt = append(killedAt, time.Now())
		p.kill()
		p = e.start()
	}
	res := finish()
	p.stop(t)
	t.Logf("%d kills; %d conversations completed, %d failed; %d updates re-delivered by the fake",
		kills, res.Conversations, res.Failed, res.Server.Redelivered)
	if res.Failed != 0 {
		t.Fatalf("%d conversations did not get every reply: %v", res.Failed, res.Errors)
	}
	if res.Conversations < users {
		t.Fatalf("only %d conversations completed", res.Conversations)
	}
	totalRepeats := 0
	for i := 1; i <= res.Conversations+res.Failed+users; i++ {
		chat := int64(1_000_000 + i)
		got := transcript(e.fake, chat)
		if got == nil {
			continue
		}
		finished := false
		for _, c := range got {
			finished = finished || strings.Contains(c.Text, "What may apply")
		}
		if !finished {
			continue // stopped before it began
		}
		// The guarantee: at most one repeat per chat per kill. Each repeat
		// is matched to a kill of its own between its original (less a
		// second: a request written just before the kill reaches the fake
		// just after it) and itself (unmatchedRepeats).
		reps, diff := alignRepeats(got, nil, ref, steps)
		if diff != "" {
			t.Errorf("chat %d: %s", chat, diff)
		}
		for _, f := range unmatchedRepeats(reps, killedAt, sc) {
			t.Errorf("chat %d: %s", chat, f)
		}
		repeats := len(reps)
		totalRepeats += repeats
	}
	t.Logf("%d messages repeated (in flight at a kill)", totalRepeats)
	db := e.openDB()
	want := questionnaireAnswers(sc)
	for i := 1; i <= res.Conversations+users; i++ {
		chat := int64(1_000_000 + i)
		got := transcript(e.fake, chat)
		if len(got) == 0 || !strings.Contains(got[len(got)-1].Text, "What may apply") {
			continue
		}
		checkFinished(t, db, chat, want)
	}
	if strings.Contains(e.logs.String(), "tags my employer") {
		t.Error("the log holds what a user wrote")
	}
}
