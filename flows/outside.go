package flows

import (
	"errors"
	"fmt"
	"maps"
	"strings"
)

// What readers outside the engine (the documents of package papers) use to
// decide from the same answers and facts as the flow: the values its
// expressions read (Flow.Env, in inspect.go), and conditions of their own
// compiled against them.

// Names returns every name a flow expression may read, each with a zero
// value of its type (a date is a zero time.Time, a multi-choice answer an
// empty []string). The map is the caller's.
func (f *Flow) Names() map[string]any { return maps.Clone(f.env0()) }

// CompileCondition compiles src, written at pos, as a condition (true or
// false) over the flow's names, exactly as a `when:` of the flow is: a
// misspelt name, a type error, or an option key the question does not offer
// is an error in words for an author.
func (f *Flow) CompileCondition(src string, pos Pos) (*Expr, error) {
	e := &Expr{Src: src, Pos: pos}
	if strings.TrimSpace(src) == "" {
		return nil, errors.New("the condition is empty")
	}
	if _, err := compile(e, f.Names(), exprBool); err != nil {
		msg := exprError(err)
		if strings.Contains(msg, "expected bool") {
			msg = "it must be true or false (a condition), but it gives a value"
		}
		if name, ok := strings.CutPrefix(msg, "unknown name "); ok {
			known := make([]string, 0, len(f.env0()))
			for k := range f.env0() {
				known = append(known, k)
			}
			if s := suggest(name, known); s != "" {
				msg += fmt.Sprintf(" — did you mean %q?", s)
			} else {
				msg += " (not a question with an answer, nor a fact)"
			}
		}
		return nil, fmt.Errorf("the condition %q does not work: %s", src, msg)
	}
	if probs := literalChecks(f, e); len(probs) > 0 {
		return nil, fmt.Errorf("the condition %q: %s", src, strings.Join(probs, "; "))
	}
	return e, nil
}

// OptionKeys returns the option keys of the choice or multi node id, in
// file order, and whether there is such a node.
func (f *Flow) OptionKeys(id string) ([]string, bool) {
	n := f.Nodes[id]
	if n == nil || (n.Type != Choice && n.Type != Multi) {
		return nil, false
	}
	keys := make([]string, len(n.Options))
	for i, o := range n.Options {
		keys[i] = o.Key
	}
	return keys, true
}

// Holds evaluates a condition compiled by CompileCondition in env (Env's).
func (e *Expr) Holds(env map[string]any) (bool, error) {
	v, err := e.eval(env)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("evaluate %q: not true or false", e.Src)
	}
	return b, nil
}
