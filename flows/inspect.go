package flows

import (
	"slices"
	"time"
)

// What tools outside the engine (the flow graph, authors' scenario tests)
// need to look into a flow: the values the expressions see for a state, an
// expression's value there and the names it reads.

// Env returns the values every expression of f sees for state st on the
// day of now: each answer by its node ID, each fact by its ID, answered,
// today and crisis_shown, exactly as the engine computes them.
func (f *Flow) Env(st State, now time.Time) map[string]any {
	return f.env(st, now)
}

// Eval evaluates the expression in env (from Flow.Env).
func (e *Expr) Eval(env map[string]any) (any, error) {
	return e.eval(env)
}

// Names lists the names the expression reads (answers, facts, today...),
// each once, in order of first use.
func (e *Expr) Names() []string {
	if e == nil {
		return nil
	}
	var out []string
	for _, n := range names(e.Src) {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// Fact returns the fact with id, or nil.
func (f *Flow) Fact(id string) *Fact {
	for _, fc := range f.Facts {
		if fc.ID == id {
			return fc
		}
	}
	return nil
}

// Way is how the conversation leaves a node: by the option chosen, by a
// route whose condition held, or by the node's next.
type Way struct {
	To     string
	Option *Option // the option chosen, when it names its own next
	Route  *Route  // the first route whose condition held; nil otherwise
	Route1 int     // the route's number, counted from 1 (0: none)
}

// WayOut tells where node n leads after answer a, with env the values
// after the answer (Flow.Env), and why: exactly the engine's choice.
func (f *Flow) WayOut(n *Node, a Answer, env map[string]any) Way {
	if n.Type == Choice && a.Choice != "" {
		for i, o := range n.Options {
			if o.Key == a.Choice && o.Next != "" {
				return Way{To: o.Next, Option: &n.Options[i]}
			}
		}
	}
	r := &Reply{}
	for i := range n.Routes {
		if f.holds(n.Routes[i].When, env, r) {
			return Way{To: n.Routes[i].To, Route: &n.Routes[i], Route1: i + 1}
		}
	}
	return Way{To: n.Next}
}
