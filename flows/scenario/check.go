package scenario

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/redress-legal/redress/flows"
)

// ProsecutionNone expects none of the terms' kinds of prosecution.
const ProsecutionNone = "none"

// maxExplained is how many findings a failure explains; the others it names.
const maxExplained = 2

// check compares what the conversation reached with the expectations.
func (x *run) check() {
	e := x.sc.Expect
	f := x.Flow
	if x.stopped {
		return // the answers could not all be given: the rest would mislead
	}
	if !x.st.Done {
		n := f.Nodes[x.st.Node]
		x.fail(e.Line, true, nil, "the answers end at %s%s, a question: the conversation did not reach an outcome (add the answers that follow)", x.st.Node, x.quote(n.Ask.ID))
		return
	}
	rp := x.report()
	if e.Outcome.Value != "" {
		switch on := f.Nodes[e.Outcome.Value]; {
		case on == nil || on.Type != flows.Outcome:
			x.fail(e.Outcome.Line, false, nil, "the flow has no outcome %s (its outcomes: %s)", e.Outcome.Value, x.outcomes())
		case x.st.Node != e.Outcome.Value:
			x.fail(e.Outcome.Line, true, x.whyNotThere(e.Outcome.Value, rp.env), "expected the outcome %s, but the conversation ended at %s", e.Outcome.Value, x.st.Node)
		}
	}
	x.checkTerms(e.Modules, e.NotModules, x.termGroup("module"), "module", rp)
	x.checkTerms(e.Routes, e.NotRoutes, x.termGroup("route"), "route", rp)
	for _, it := range e.Findings {
		x.checkFinding(it, true, rp)
	}
	for _, it := range e.NotFindings {
		x.checkFinding(it, false, rp)
	}
	if e.Prosecution.Value != "" {
		x.checkProsecution(e.Prosecution, rp)
	}
	for _, d := range e.Deadlines {
		x.checkDeadline(d, rp)
	}
	x.checkParts(e.Parts, e.NotParts, rp)
	for _, fv := range e.Facts {
		x.checkFact(fv, rp.env)
	}
}

func (x *run) outcomes() string {
	var out []string
	for _, id := range x.Flow.Order {
		if x.Flow.Nodes[id].Type == flows.Outcome {
			out = append(out, id)
		}
	}
	return strings.Join(out, ", ")
}

func (x *run) termGroup(kind string) []Term {
	if x.Terms == nil {
		return nil
	}
	switch kind {
	case "module":
		return x.Terms.Modules
	case "route":
		return x.Terms.Routes
	}
	return x.Terms.Prosecution
}

// termFindings lists the findings of the flow a term names.
func (x *run) termFindings(t Term) []string {
	all := findingIDs(x.Flow)
	var out []string
	for _, pat := range t.Findings {
		for _, id := range matching(all, pat) {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out
}

func (x *run) lookupTerm(it Item, group []Term, kind string) (Term, bool) {
	t, ok := find(group, it.Value)
	if !ok {
		if x.Terms == nil {
			x.fail(it.Line, false, nil, "no terms file says what %s %s means (put a %s beside the scenarios)", kind, it.Value, TermsFile)
		} else {
			x.fail(it.Line, false, nil, "%s does not define the %s %s (it defines %s)", x.Terms.File, kind, it.Value, ids(group))
		}
	}
	return t, ok
}

// checkTerms checks modules or routes expected to be named, or not.
func (x *run) checkTerms(want, notWant []Item, group []Term, kind string, rp report) {
	for _, it := range want {
		t, ok := x.lookupTerm(it, group, kind)
		if !ok {
			continue
		}
		fds := x.termFindings(t)
		if slices.ContainsFunc(fds, func(id string) bool { return rp.named[id] }) {
			continue
		}
		x.fail(it.Line, false, x.whyNot(fds, rp, t.ID), "expected %s %s to be named, but it was not", kind, t)
	}
	for _, it := range notWant {
		t, ok := x.lookupTerm(it, group, kind)
		if !ok {
			continue
		}
		var named []string
		for _, id := range x.termFindings(t) {
			if rp.named[id] {
				named = append(named, id)
			}
		}
		if len(named) > 0 {
			x.fail(it.Line, false, x.whyYes(named, rp), "expected %s %s not to be named, but it was", kind, t)
		}
	}
}

// whyNotThere explains, for each node the conversation left that could
// have led to the node to, why it did not.
func (x *run) whyNotThere(to string, env map[string]any) []string {
	var out []string
	for _, s := range x.res.Steps {
		for _, id := range s.Passed {
			n := x.Flow.Nodes[id]
			for _, o := range n.Options {
				if o.Next == to {
					out = append(out, fmt.Sprintf("%s leads to %s by the option %s (%s); answer %d chose %s", id, to, o.Key, x.where(o.Pos), s.N, s.Answer))
				}
			}
			for i, r := range n.Routes {
				if r.To == to {
					out = append(out, fmt.Sprintf("%s route %d (%s) leads to %s when %s", id, i+1, x.where(r.Pos), to, r.When.Src))
					out = append(out, x.values(r.When, env, "  ", 2, map[string]bool{})...)
				}
			}
			if n.Next == to && len(n.Routes) > 0 {
				out = append(out, fmt.Sprintf("%s leads to %s when none of its routes holds", id, to))
			}
		}
	}
	if len(out) == 0 {
		out = append(out, fmt.Sprintf("no node the conversation passed leads to %s", to))
	}
	return out
}

// whyNot explains why none of the findings applies in the report.
func (x *run) whyNot(fds []string, rp report, what string) []string {
	var out, hidden, rest []string
	explained := 0
	for _, id := range fds {
		sid, _, _ := strings.Cut(id, ".")
		if !rp.shown[sid] {
			if !slices.Contains(hidden, sid) {
				hidden = append(hidden, sid)
			}
			continue
		}
		if explained < maxExplained {
			out = append(out, x.explainFinding(id, rp.env, false)...)
		} else {
			rest = append(rest, id)
		}
		explained++
	}
	head := fmt.Sprintf("no finding of %s applies", what)
	if explained > 0 {
		head += ":"
	}
	out = append([]string{head}, out...)
	if len(rest) > 0 {
		out = append(out, fmt.Sprintf("nor %s", strings.Join(rest, ", ")))
	}
	if len(hidden) > 0 {
		out = append(out, fmt.Sprintf("the outcome %s does not show the section %s", rp.node.ID, strings.Join(hidden, ", ")))
	}
	return out
}

// whyYes explains why the findings apply.
func (x *run) whyYes(named []string, rp report) []string {
	var out []string
	for i, id := range named {
		if i == maxExplained {
			out = append(out, fmt.Sprintf("and %d more: %s", len(named)-i, strings.Join(named[i:], ", ")))
			break
		}
		out = append(out, x.explainFinding(id, rp.env, true)...)
	}
	return out
}

func (x *run) checkFinding(it Item, want bool, rp report) {
	id, problem := x.resolve(it.Value, "")
	if problem != "" {
		x.fail(it.Line, false, nil, "%s", problem)
		return
	}
	switch {
	case want && !rp.named[id]:
		x.fail(it.Line, false, x.whyNot([]string{id}, rp, id), "expected the finding %s to be named, but it was not", id)
	case !want && rp.named[id]:
		x.fail(it.Line, false, x.whyYes([]string{id}, rp), "expected the finding %s not to be named, but it was", id)
	}
}

func (x *run) checkProsecution(it Item, rp report) {
	group := x.termGroup("prosecution")
	var says, named []string // the kinds the report says, and their findings
	for _, k := range group {
		for _, id := range x.termFindings(k) {
			if rp.named[id] {
				if !slices.Contains(says, k.ID) {
					says = append(says, k.ID)
				}
				named = append(named, id)
			}
		}
	}
	if it.Value == ProsecutionNone && x.Terms != nil {
		if len(says) > 0 {
			x.fail(it.Line, false, x.whyYes(named, rp), "expected no prosecution finding, but the report says %s", strings.Join(says, " and "))
		}
		return
	}
	t, ok := x.lookupTerm(it, group, "prosecution")
	if !ok {
		return
	}
	if len(says) == 1 && says[0] == t.ID {
		return
	}
	said := "none of " + ids(group)
	if len(says) > 0 {
		said = strings.Join(says, " and ")
	}
	var why []string
	if !slices.Contains(says, t.ID) {
		why = append(why, x.whyNot(x.termFindings(t), rp, t.ID)...)
	}
	for _, k := range says {
		if k == t.ID {
			continue
		}
		kt, _ := find(group, k)
		var named []string
		for _, id := range x.termFindings(kt) {
			if rp.named[id] {
				named = append(named, id)
			}
		}
		why = append(why, x.whyYes(named, rp)...)
	}
	x.fail(it.Line, false, why, "expected the prosecution finding %s, but the report says %s", t, said)
}

func (x *run) checkDeadline(d Deadline, rp report) {
	id, problem := x.resolve(d.Finding, "deadlines")
	if problem != "" {
		x.fail(d.Line, false, nil, "%s", problem)
		return
	}
	if !rp.named[id] {
		x.fail(d.Line, false, x.whyNot([]string{id}, rp, id), "expected the deadline %s to be named, but it was not", id)
		return
	}
	if d.Date == "" {
		return
	}
	_, fd := x.finding(id)
	due, src := x.dueOf(fd, rp.env)
	if due != d.Date {
		why := []string{fmt.Sprintf("%s (%s) falls on %s", id, x.where(fd.Pos), src.Src)}
		why = append(why, x.values(src, rp.env, "  ", 2, map[string]bool{})...)
		x.fail(d.Line, false, why, "expected the deadline %s on %s, but it falls on %s", id, d.Date, orNone(due))
	}
}

func orNone(s string) string {
	if s == "" {
		return "no date"
	}
	return s
}

// dueOf is the date a deadline finding falls on: its due, else its first
// parameter that is a date.
func (x *run) dueOf(fd *flows.Finding, env map[string]any) (string, *flows.Expr) {
	exprs := []*flows.Expr{fd.Due}
	keys := make([]string, 0, len(fd.Msg.Params))
	for k := range fd.Msg.Params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		exprs = append(exprs, fd.Msg.Params[k])
	}
	for _, e := range exprs {
		if e == nil {
			continue
		}
		if v, err := e.Eval(env); err == nil {
			if t, ok := v.(time.Time); ok {
				return show(t), e
			}
		}
	}
	return "", &flows.Expr{Src: "(no date)"}
}

func (x *run) checkParts(want, notWant []Item, rp report) {
	offered := strings.Join(rp.parts, ", ")
	for _, it := range want {
		if slices.Contains(rp.parts, it.Value) {
			continue
		}
		var why []string
		for _, p := range rp.node.Parts {
			if p.ID == it.Value {
				why = append(why, fmt.Sprintf("a part is offered when a finding of its sections applies; no finding of %s applies", strings.Join(p.Sections, ", ")))
			}
		}
		if why == nil {
			why = append(why, fmt.Sprintf("the outcome %s has no part %s", rp.node.ID, it.Value))
		}
		x.fail(it.Line, false, why, "expected the part %s to be offered, but the menu offers %s", it.Value, orNone(offered))
	}
	for _, it := range notWant {
		if slices.Contains(rp.parts, it.Value) {
			x.fail(it.Line, false, nil, "expected the part %s not to be offered, but the menu offers it (%s)", it.Value, offered)
		}
	}
}

func (x *run) checkFact(fv FactValue, env map[string]any) {
	v, ok := env[fv.Name]
	if !ok {
		x.fail(fv.Line, false, nil, "the flow has no fact or question %s", fv.Name)
		return
	}
	want := strings.Join(strings.Fields(strings.Trim(fv.Value, "'\"")), " ")
	if canon(v) == want {
		return
	}
	var why []string
	if fc := x.Flow.Fact(fv.Name); fc != nil {
		why = append(why, fmt.Sprintf("%s (%s) is %s", fv.Name, x.where(fc.Pos), fc.Expr.Src))
		why = append(why, x.values(fc.Expr, env, "  ", 2, map[string]bool{})...)
	} else if num, ok := x.answerOf[fv.Name]; ok {
		why = append(why, fmt.Sprintf("%s is answer %d (line %d): %s", fv.Name, num, x.sc.Answers[num-1].Line, x.sc.Answers[num-1]))
	} else if x.Flow.Nodes[fv.Name] != nil {
		why = append(why, fv.Name+" was not asked")
	} else {
		why = append(why, fv.Name+" is set by the engine, not by an answer (see \"Names you can use\" in flows/FORMAT.md)")
	}
	x.fail(fv.Line, false, why, "expected %s = %s, but it is %s", fv.Name, fv.Value, show(v))
}

// Write prints the result for an author: ok or FAIL with the file and
// title, each failure at its line with its explanation, and how the
// answers went when that explains it.
func (r Result) Write(w io.Writer) {
	sc := r.Scenario
	lang := ""
	if len(sc.Langs) > 1 {
		lang = " [" + sc.Lang + "]"
	}
	if r.Passed() {
		fmt.Fprintf(w, "ok   %s%s — %s\n", sc.File, lang, sc.Title)
		return
	}
	fmt.Fprintf(w, "FAIL %s%s — %s\n", sc.File, lang, sc.Title)
	path := false
	for _, fl := range r.Failures {
		fmt.Fprintf(w, "  %s:%d: %s\n", sc.File, fl.Line, fl.Msg)
		for _, l := range fl.Why {
			fmt.Fprintf(w, "      %s\n", l)
		}
		path = path || fl.Path
	}
	if path && len(r.Steps) > 0 {
		fmt.Fprintf(w, "  how the answers went:\n")
		for _, s := range r.Steps {
			fmt.Fprintf(w, "    %d. line %d: %s %s\n", s.N, s.Answer.Line, s.Node, s.Answer)
			for _, l := range s.Way {
				fmt.Fprintf(w, "         %s\n", l)
			}
		}
	}
}
