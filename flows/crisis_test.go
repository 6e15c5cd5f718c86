package flows_test

import (
	"slices"
	"testing"

	"github.com/redress-legal/redress/commands"
	"github.com/redress-legal/redress/flows"
)

// TestCrisisHelpFitsWhoIsTalking: the crisis help speaks to the person
// talking — a parent is told what to do for their child (and about 12355
// for young people and parents), not "if you are under 18"; a bereaved
// relative is offered help for themselves; a helper is told how to stay
// with the person they help.
func TestCrisisHelpFitsWhoIsTalking(t *testing.T) {
	f := loadDefault(t)
	for _, c := range []struct {
		who       string // the answer to "who is being attacked"
		want, not []string
	}{
		{"1", nil, []string{"crisis.young", "crisis.for_child", "crisis.bereaved", "crisis.for_other"}},
		{"2", []string{"crisis.young"}, []string{"crisis.for_child"}},
		{"3", []string{"crisis.for_child"}, []string{"crisis.young", "crisis.bereaved"}},
		{"4", []string{"crisis.for_other"}, []string{"crisis.young", "crisis.for_child"}},
		{"6", []string{"crisis.bereaved"}, []string{"crisis.young", "crisis.for_child"}},
	} {
		st, _ := flows.Step(f, flows.State{}, flows.Input{Kind: flows.InStart, Now: now})
		for _, in := range []string{"4", c.who} {
			st, _ = flows.Step(f, st, commands.Input(in, now))
		}
		_, r := flows.Step(f, st, flows.Input{Kind: flows.InCrisis, Now: now})
		var got []string
		for _, m := range r.Messages {
			got = append(got, m.ID)
		}
		if !slices.Contains(got, "crisis.call12356") {
			t.Fatalf("who %s: no crisis help: %v", c.who, got)
		}
		for _, w := range c.want {
			if !slices.Contains(got, w) {
				t.Errorf("who %s: %s missing from %v", c.who, w, got)
			}
		}
		for _, n := range c.not {
			if slices.Contains(got, n) {
				t.Errorf("who %s: %s shown: %v", c.who, n, got)
			}
		}
	}
}

// TestSummaryBringsBackTheCrisisLines: after the crisis help was shown
// during the questions (typed words, not the danger option), the summary
// shows the crisis lines again.
func TestSummaryBringsBackTheCrisisLines(t *testing.T) {
	f := loadDefault(t)
	sc := readScript(t, "testdata/scenarios/t1.txt")
	run := func(distressAt int) []string {
		st, _ := flows.Step(f, flows.State{}, flows.Input{Kind: flows.InStart, Now: sc.now})
		for i, in := range sc.inputs {
			if i == distressAt {
				st, _ = flows.Step(f, st, flows.Input{Kind: flows.InText, Text: "I can't take this anymore", Distress: true, Now: sc.now})
			}
			st, _ = flows.Step(f, st, commands.Input(in, sc.now))
		}
		rep, ok := flows.Assess(f, st, sc.now)
		if !ok {
			t.Fatalf("t1 did not reach an assessment (at %s)", st.Node)
		}
		var ids []string
		for _, m := range rep.Summary {
			ids = append(ids, m.ID)
		}
		return ids
	}
	if got := run(-1); slices.Contains(got, "summary.crisis") {
		t.Errorf("without distress the summary shows the crisis lines: %v", got)
	}
	if got := run(5); !slices.Contains(got, "summary.crisis") {
		t.Errorf("after typed distress the summary does not show the crisis lines: %v", got)
	}
}
