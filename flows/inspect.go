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
