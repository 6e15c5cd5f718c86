package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redress-legal/redress/tools/load/tgfake"
)

// TestImmediateRestartsRepeatAtMostOnePerChat holds the outbox's promise
// under the load that broke it (issue 8): an outbox row is made at most
// once, except the one row a send worker was making when the process died —
// so after a kill a chat may see at most one message again, and without a
// kill none.
//
// 1,000 chats talk at once, each a closed loop in one chat (/restart, two
// messages for one update, then a whole case; bench/scripts/restart.txt),
// while `redress serve` is killed with SIGKILL 5 times (20 with -long) at
// random 1.5–3.5 s intervals and restarted at once on the same database,
// in turn: started right after the kill; started before it, as a rolling
// update does that starts the new process while the old one still runs;
// and started twice at once after the kill, as when a supervisor's restart
// races an operator's. Two processes on one database would both deliver
// the rows pending at their start; the second must wait for the first to be
// gone (data.Lock).
// Afterwards every chat's calls are compared with rounds of a clean
// conversation's: a call that is not the next expected one must repeat an
// earlier call of the chat, and every
// repeat must be matched to a kill of its own between its original (less a
// second: a request written just before a kill reaches the fake just after
// it) and itself. A chat with two repeats after one kill fails the test,
// named with the update it answered and the texts repeated.
func TestImmediateRestartsRepeatAtMostOnePerChat(t *testing.T) {
	kills, users := 5, 1000
	if testing.Short() {
		kills, users = 3, 300
	}
	if *long {
		kills = 20
	}
	e := newEnv(t, tgfake.Config{KeepText: true})
	sc := script(t, "restart.txt")
	prelude, err := tgfake.ParseScript("prelude", []byte("/start\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := e.start()
	pre, round := roundReference(t, e, prelude, sc, 42)
	steps := refSteps(round)

	const chatBase = 2_000_000
	finish := loadUntilStopped(t, e, tgfake.LoadConfig{
		Users: users, Duration: time.Hour, Script: sc, StepTimeout: 120 * time.Second,
		Settle: 2 * time.Second, ChatBase: chatBase, OneChat: true, Prelude: prelude,
	})
	rnd := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 8))
	var killedAt []time.Time
	for i := range kills {
		time.Sleep(time.Duration(1500+rnd.IntN(2000)) * time.Millisecond)
		switch i % 3 {
		case 0:
			killedAt = append(killedAt, time.Now())
			p.kill()
			p = e.start() // at once: no pause for the old process's work to settle
		case 1:
			// The new process is started first and given up to a second to
			// begin serving (it must not, while the old one lives), then
			// 0–300 ms more, before the old one is killed.
			q, _ := e.launch()
			for wait := time.Now().Add(time.Second); !q.serving() && time.Now().Before(wait); {
				time.Sleep(5 * time.Millisecond)
			}
			time.Sleep(time.Duration(rnd.IntN(300)) * time.Millisecond)
			killedAt = append(killedAt, time.Now())
			p.kill()
			p = q
			e.waitServing(p)
		case 2:
			// Two restarts at once after the kill (a supervisor's and an
			// operator's): one must serve, the other wait; a second later
			// the second is stopped with SIGTERM, which must end it cleanly
			// whether it serves or waits.
			killedAt = append(killedAt, time.Now())
			p.kill()
			q1, _ := e.launch()
			q2, _ := e.launch()
			for deadline := time.Now().Add(60 * time.Second); !q1.serving() && !q2.serving(); {
				if time.Now().After(deadline) {
					t.Fatal("neither restart began serving within 60s")
				}
				time.Sleep(5 * time.Millisecond)
			}
			time.Sleep(time.Second)
			q2.stop(t)
			p = q1
			e.waitServing(p)
		}
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
	checked, repeated, failures := 0, 0, 0
	for chat := int64(chatBase + 1); chat <= chatBase+int64(users); chat++ {
		got := transcript(e.fake, chat)
		checked++
		reps, diff := alignRepeats(got, pre, round, steps)
		if diff != "" {
			t.Errorf("chat %d: %s", chat, diff)
			failures++
		}
		repeated += len(reps)
		for _, f := range unmatchedRepeats(reps, killedAt, sc) {
			t.Errorf("chat %d: %s", chat, f)
			failures++
		}
		if failures > 20 {
			t.Fatal("too many failures; stopped checking")
		}
	}
	t.Logf("%d chats checked; %d messages repeated (each in flight at a kill)", checked, repeated)
	if strings.Contains(e.logs.String(), "tags my employer") {
		t.Error("the log holds what a user wrote")
	}
}

// repeat is a call of a chat's transcript that made an earlier one again.
type repeat struct {
	call     tgfake.Call
	original tgfake.Call // the latest earlier call it equals
	step     int         // the script step (0-based) its original answered; -1: the prelude
}

// roundReference runs clean closed loops of a script, after prelude, in
// two chats from chat on (two rounds, and three), checks that the rounds are
// alike, and returns the prelude's calls and one round's.
func roundReference(t *testing.T, e *env, prelude, sc *tgfake.Script, chat int64) (pre, round []tgfake.Call) {
	t.Helper()
	var runs [2][]tgfake.Call
	for i, n := range []int{2, 3} {
		res, err := tgfake.RunLoad(context.Background(), e.fake, tgfake.LoadConfig{
			Users: 1, Conversations: n, OneChat: true, Prelude: prelude, Script: sc, ChatBase: chat + int64(i) - 1,
			StepTimeout: 60 * time.Second, Settle: 300 * time.Millisecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Conversations != n || res.ErrorCount() != 0 {
			t.Fatalf("the reference conversation failed: %+v", res)
		}
		runs[i] = transcript(e.fake, chat+int64(i))
	}
	r := len(runs[1]) - len(runs[0])
	p := len(runs[0]) - 2*r
	if r <= 0 || p < 0 {
		t.Fatalf("reference runs of %d and %d calls", len(runs[0]), len(runs[1]))
	}
	pre, round = runs[1][:p], runs[1][p:p+r]
	if reps, diff := alignRepeats(runs[1], pre, round, nil); diff != "" || len(reps) > 0 {
		t.Fatalf("the reference's rounds differ: %s (%d repeats)", diff, len(reps))
	}
	return pre, round
}

// alignRepeats walks a chat's calls along the prelude's and then rounds of
// the reference's. A call that is the next expected one is taken; one that
// is not must equal an earlier call of the chat (a repeat); anything else
// is a difference, described in diff. The calls must end where a round
// does. steps names the round's calls' script steps (nil: step 0).
func alignRepeats(got, pre, round []tgfake.Call, steps []int) (reps []repeat, diff string) {
	want := func(i int) tgfake.Call {
		if i < len(pre) {
			return pre[i]
		}
		return round[(i-len(pre))%len(round)]
	}
	stepOf := func(i int) int { // of expected call i; -1: the prelude
		if i < len(pre) || steps == nil {
			return -1
		}
		return steps[(i-len(pre))%len(round)]
	}
	gotStep := make([]int, len(got))
	i := 0 // calls expected so far
	for j, c := range got {
		if c.Hash == want(i).Hash {
			gotStep[j] = stepOf(i)
			i++
			continue
		}
		k := j - 1
		for k >= 0 && got[k].Hash != c.Hash {
			k--
		}
		if k >= 0 {
			gotStep[j] = gotStep[k]
			reps = append(reps, repeat{call: c, original: got[k], step: gotStep[k]})
			continue
		}
		w := want(i)
		return reps, fmt.Sprintf("call %d is %s %.60q, want %s %.60q", j+1, c.Method, c.Text, w.Method, w.Text)
	}
	if i < len(pre) || (i-len(pre))%len(round) != 0 {
		w := want(i)
		return reps, fmt.Sprintf("calls missing at the end, the first: %s %.60q", w.Method, w.Text)
	}
	return reps, ""
}

// refSteps maps each reference call to the script step it answers: every
// step is answered by its messages (sendMessage), and the calls before the
// first message of a step (answering a button, editing the keyboard away)
// belong to it too.
func refSteps(ref []tgfake.Call) []int {
	out := make([]int, len(ref))
	step := 0
	for i, c := range ref {
		out[i] = step
		if c.Method == "sendMessage" && (i+1 == len(ref) || ref[i+1].Method != "sendMessage") {
			step++
		}
	}
	return out
}

// unmatchedRepeats matches each repeat to a kill of its own that came after
// its original (less a second) and before it, the earliest possible one
// first, and describes every kill that two or more repeats of the chat
// needed, and every repeat with no kill at all.
func unmatchedRepeats(reps []repeat, killedAt []time.Time, sc *tgfake.Script) []string {
	// Repeats in the order of their windows' ends; each takes the earliest
	// free kill in its window (the greedy matching of points to intervals).
	order := slices.Clone(reps)
	slices.SortFunc(order, func(a, b repeat) int { return a.call.At.Compare(b.call.At) })
	used := make([]bool, len(killedAt))
	over := map[int][]repeat{} // a kill → the repeats that found it taken
	var none []repeat
	for _, r := range order {
		from := r.original.At.Add(-time.Second)
		last := -1
		took := false
		for k, at := range killedAt {
			if !at.After(from) || !at.Before(r.call.At) {
				continue
			}
			last = k
			if !used[k] {
				used[k], took = true, true
				break
			}
		}
		switch {
		case took:
		case last >= 0:
			over[last] = append(over[last], r)
		default:
			none = append(none, r)
		}
	}
	describe := func(rs []repeat) string {
		var b strings.Builder
		for i, r := range rs {
			if i > 0 {
				b.WriteString("; ")
			}
			fmt.Fprintf(&b, "%s %.60q", r.call.Method, r.call.Text)
		}
		return b.String()
	}
	stepName := func(i int) string {
		if i < 0 {
			return "the first /start"
		}
		if i < len(sc.Steps) {
			return fmt.Sprintf("update %d (%s:%d %q)", i+1, sc.Name, sc.Steps[i].Line, sc.Steps[i].String())
		}
		return fmt.Sprintf("update %d", i+1)
	}
	var out []string
	for k, rs := range over {
		// The repeat that took the kill, and those that found it taken.
		all := rs
		for _, r := range order {
			if !slices.ContainsFunc(rs, func(o repeat) bool { return o.call.Seq == r.call.Seq }) &&
				!killedAt[k].After(r.call.At) && killedAt[k].After(r.original.At.Add(-time.Second)) {
				all = append([]repeat{r}, all...)
				break
			}
		}
		out = append(out, fmt.Sprintf("%d messages repeated after kill %d (at most one may be), in answer to %s: %s",
			len(all), k+1, stepName(all[0].step), describe(all)))
	}
	for _, r := range none {
		out = append(out, fmt.Sprintf("a message repeated with no kill before it, in answer to %s: %s",
			stepName(r.step), describe([]repeat{r})))
	}
	slices.Sort(out)
	return out
}
