package flows_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/redress-legal/redress/flows"
)

// TestWayOutIsTheEnginesWay: the way tools explain a path (Flow.WayOut,
// Flow.Env) is exactly where the engine went, on random valid walks.
func TestWayOutIsTheEnginesWay(t *testing.T) {
	f := loadDefault(t)
	rng := rand.New(rand.NewPCG(13, 5))
	walks := 300
	if testing.Short() || raceDetector {
		walks = 60
	}
	for w := 0; w < walks; w++ {
		st, r := flows.Step(f, flows.State{}, flows.Input{Kind: flows.InStart, Now: now})
		for steps := 0; !st.Done && steps < 200; steps++ {
			asked := st.Node
			for _, in := range validInput(rng, r, now) {
				st, r = flows.Step(f, st, in)
			}
			if r.Event != flows.EvAnswered {
				continue
			}
			env := f.Env(st, now)
			n, a := f.Nodes[asked], st.Answers[asked]
			var passed []string
			for {
				way := f.WayOut(n, a, env)
				passed = append(passed, n.ID)
				n, a = f.Nodes[way.To], flows.Answer{}
				if n == nil || (n.Type != flows.Info && n.Type != flows.Branch) {
					break
				}
			}
			if n == nil || n.ID != st.Node {
				t.Fatalf("walk %d: from %s WayOut passed %v and stopped at %v; the engine is at %s", w, asked, passed, n, st.Node)
			}
		}
	}
}

// TestExprNamesAndEval: an expression's names, each once in order of use,
// and its value in a state's environment.
func TestExprNamesAndEval(t *testing.T) {
	f := loadDefault(t)
	fc := f.Fact("def_views")
	if fc == nil {
		t.Fatal("no fact def_views")
	}
	if got := fc.Expr.Names(); !slices.Equal(got, []string{"m1", "q4_views"}) {
		t.Errorf("Names = %v, want [m1 q4_views]", got)
	}
	views := int64(12000)
	st := flows.State{Answers: map[string]flows.Answer{
		"q0_who": {Choice: "self_adult"}, "q1_what": {Choices: []string{"false_claims"}},
		"q2_truth": {Choice: "false_facts"}, "q4_views": {Number: &views},
	}}
	v, err := fc.Expr.Eval(f.Env(st, now))
	if err != nil || v != true {
		t.Errorf("def_views = %v, %v; want true", v, err)
	}
	if f.Fact("no_such_fact") != nil {
		t.Error("Fact found a fact the flow does not have")
	}
}
