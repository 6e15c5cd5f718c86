package main

import (
	"testing"
	"time"

	"github.com/redress-legal/redress/commands"
	"github.com/redress-legal/redress/flows"
)

// TestBereavedCanSayHowTheyDied: a relative asked how the person died
// answers in the words that are also words of distress. The option's own
// text ("自杀") is the answer; a sentence holding it, typed again after the
// crisis help was shown there ("我说了是自杀"), is the answer too, instead
// of the crisis help forever. Other distress still brings the help first.
func TestBereavedCanSayHowTheyDied(t *testing.T) {
	flow, _ := e2eFlow(t)
	loc, err := newLocalizer("")
	if err != nil {
		t.Fatal(err)
	}
	env := &commands.Env{Flow: flow, Loc: loc, Typed: true, Distress: loc.Distressed}
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, flows.China)
	atDeath := func(t *testing.T) flows.State {
		t.Helper()
		st := env.Step(flows.State{}, "zh-Hans", flows.Input{Kind: flows.InStart, Now: now}).State
		for i := 0; i < 40 && st.Node != "q4_death"; i++ {
			var in string
			switch st.Node {
			case "q0_danger":
				in = "4"
			case "q0_who":
				in = "6" // bereaved
			case "q4_views":
				in = "8000"
			default:
				in = "1"
			}
			st = env.Text(st, "zh-Hans", in, now).State
		}
		if st.Node != "q4_death" {
			t.Fatalf("never reached q4_death (at %s)", st.Node)
		}
		return st
	}
	st := atDeath(t)
	out := env.Text(st, "zh-Hans", "自杀", now)
	if out.Reply.Urgent || out.State.Answers["q4_death"].Choice != "suicide" {
		t.Fatalf("the option's own text: urgent=%v, answer %+v", out.Reply.Urgent, out.State.Answers["q4_death"])
	}
	st = atDeath(t)
	first := env.Text(st, "zh-Hans", "我说了是自杀", now)
	if !first.Reply.Urgent || first.State.Node != "q4_death" {
		t.Fatalf("first time: the crisis help first (urgent=%v, at %s)", first.Reply.Urgent, first.State.Node)
	}
	second := env.Text(first.State, "zh-Hans", "我说了是自杀", now)
	if second.Reply.Urgent || second.State.Answers["q4_death"].Choice != "suicide" {
		t.Fatalf("second time: urgent=%v, answer %+v", second.Reply.Urgent, second.State.Answers["q4_death"])
	}
	// Words of distress about oneself, typed again, still bring the help.
	again := env.Text(first.State, "zh-Hans", "我也不想活了", now)
	if !again.Reply.Urgent {
		t.Fatalf("distress that names no option was taken as an answer")
	}
}
