package scenario

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redress-legal/redress/flows"
)

// Text returns the text of a message in a language, for explanations
// that quote a question or the bot's reply; "" when there is none.
type Text func(lang string, m flows.Message) string

// Runner runs scenarios against one flow.
type Runner struct {
	Flow  *flows.Flow
	Terms *Terms // what module and route IDs mean; nil: none can be expected
	Text  Text   // optional: questions quoted in the scenario's language
	// FlowPath, when set, is how failures name the flow file (the path an
	// author opens, e.g. flows/defs/cyberviolence.yaml).
	FlowPath string
	// Read, when set, reads a typed answer as the chat does (an option's
	// label or words: "微信", "he killed himself"); otherwise the engine
	// alone reads it.
	Read func(st flows.State, text string, now time.Time) flows.Input
}

// Result is what running one scenario found.
type Result struct {
	Scenario *Scenario
	Failures []Failure
	Steps    []Step // how the answers went, one per answer given
	Node     string // where the conversation is after the answers
}

// Passed reports whether every expectation held.
func (r Result) Passed() bool { return len(r.Failures) == 0 }

// Failure is one expectation that did not hold (or an answer that could
// not be given), explained.
type Failure struct {
	Line int      // in the scenario file
	Msg  string   // what was expected and what happened
	Why  []string // the rule, its condition as written, where it is, the values it read
	Path bool     // the way the answers went explains it: show the steps
}

// Step is one answer given and where it led.
type Step struct {
	N      int
	Answer Answer
	Node   string   // the node it answered
	Way    []string // each node passed, and why it was left the way it was
	Passed []string // the nodes left on the way: the one answered, then info and branch nodes
	To     string   // the node the conversation is at afterwards
}

// RunAll runs the scenario in each of its languages.
func (rn *Runner) RunAll(sc *Scenario) []Result {
	var out []Result
	for _, l := range sc.Langs {
		out = append(out, rn.Run(sc.In(l)))
	}
	return out
}

// Run plays the scenario's answers through the engine, in sc.Lang, and
// checks every expectation.
func (rn *Runner) Run(sc *Scenario) Result {
	lang := sc.Lang
	if lang == "" && len(sc.Langs) > 0 {
		lang = sc.Langs[0]
	}
	sc = sc.In(lang)
	x := &run{Runner: rn, sc: sc, res: Result{Scenario: sc}, answerOf: map[string]int{}}
	x.play()
	x.check()
	return x.res
}

type run struct {
	*Runner
	sc       *Scenario
	res      Result
	st       flows.State
	answerOf map[string]int // node ID → the number of the answer that answered it last
	stopped  bool           // the answers could not all be given
}

func (x *run) fail(line int, path bool, why []string, format string, args ...any) {
	x.res.Failures = append(x.res.Failures, Failure{Line: line, Msg: fmt.Sprintf(format, args...), Why: why, Path: path})
}

func (x *run) where(p flows.Pos) string {
	file := p.File
	if x.FlowPath != "" {
		file = x.FlowPath
	}
	return fmt.Sprintf("%s:%d", file, p.Line)
}

// quote is a message's text in the scenario's language, in quotes, or "".
func (x *run) quote(id string) string {
	return x.quoteMsg(flows.Message{ID: id})
}

// quoteMsg is a message with its parameters in the scenario's language, in quotes, or "".
func (x *run) quoteMsg(m flows.Message) string {
	if x.Text == nil || m.ID == "" {
		return ""
	}
	t := strings.Join(strings.Fields(x.Text(x.sc.Lang, m)), " ")
	if t == "" || t == m.ID {
		return ""
	}
	if r := []rune(t); len(r) > 70 {
		t = string(r[:69]) + "…"
	}
	return " (“" + t + "”)"
}

func (x *run) options(n *flows.Node) string {
	var keys []string
	for _, o := range n.Options {
		keys = append(keys, o.Key)
	}
	return strings.Join(keys, ", ")
}

// play gives the answers one by one.
func (x *run) play() {
	f, now := x.Flow, x.sc.Today
	x.st, _ = flows.Step(f, flows.State{Lang: x.sc.Lang}, flows.Input{Kind: flows.InStart, Now: now})
	for i, a := range x.sc.Answers {
		num := i + 1
		n := f.Nodes[x.st.Node]
		if x.st.Done {
			x.fail(a.Line, true, nil, "answer %d (%s) comes after the conversation ended at %s", num, a, x.st.Node)
			x.stopped = true
			return
		}
		if a.At != "" && a.At != n.ID {
			var why []string
			if f.Nodes[a.At] == nil {
				why = append(why, fmt.Sprintf("the flow has no node %s", a.At))
			} else if len(x.res.Steps) > 0 {
				last := x.res.Steps[len(x.res.Steps)-1]
				why = append(why, fmt.Sprintf("after answer %d (%s %s) the conversation went:", last.N, last.Node, last.Answer))
				why = append(why, last.Way...)
			}
			x.fail(a.Line, true, why, "answer %d (%s) is for %s, but the conversation asked %s%s here", num, a, a.At, n.ID, x.quote(n.Ask.ID))
			x.stopped = true
			return
		}
		ins, problem := x.inputs(n, a)
		if problem != "" {
			x.fail(a.Line, true, nil, "answer %d: %s", num, problem)
			x.stopped = true
			return
		}
		var r flows.Reply
		for _, in := range ins {
			x.st, r = flows.Step(f, x.st, in)
		}
		if r.Event == flows.EvInvalid {
			var why []string
			for _, m := range r.Messages {
				if m.Kind == flows.KindNotice { // the reason; the question asked again follows
					why = append(why, "the bot replied "+m.ID+x.quoteMsg(m))
				}
			}
			x.fail(a.Line, true, why, "answer %d (%s) was not taken as an answer to %s%s (a %s question)", num, a, n.ID, x.quote(n.Ask.ID), n.Type)
			x.stopped = true
			return
		}
		step := Step{N: num, Answer: a, Node: n.ID, To: x.st.Node}
		switch r.Event {
		case flows.EvBack: // the answer to the question asked again is undone
			delete(x.answerOf, x.st.Node)
		case flows.EvRestart:
			clear(x.answerOf)
		}
		if r.Event == flows.EvAnswered {
			x.answerOf[n.ID] = num
			step.Way, step.Passed = x.way(n)
		} else {
			step.Way = []string{fmt.Sprintf("%s: %s", n.ID, r.Event)}
		}
		x.res.Steps = append(x.res.Steps, step)
	}
	x.res.Node = x.st.Node
}

// inputs turns an answer into what the person does at node n.
func (x *run) inputs(n *flows.Node, a Answer) ([]flows.Input, string) {
	now := x.sc.Today
	switch strings.TrimSpace(a.Value) {
	case "/sos":
		return []flows.Input{{Kind: flows.InCrisis, Now: now}}, ""
	case "/back":
		return []flows.Input{{Kind: flows.InBack, Now: now}}, ""
	case "/restart":
		return []flows.Input{{Kind: flows.InRestart, Now: now}}, ""
	case "?", "？":
		if a.Keys == nil {
			return []flows.Input{{Kind: flows.InUnknown, Node: n.ID, Now: now}}, ""
		}
	}
	has := func(k string) bool {
		return slices.ContainsFunc(n.Options, func(o flows.Option) bool { return o.Key == k })
	}
	keys := a.Keys
	if keys == nil && has(a.Value) {
		keys = []string{a.Value}
	}
	if keys == nil {
		if x.Read != nil {
			return []flows.Input{x.Read(x.st, a.Value, now)}, ""
		}
		return []flows.Input{{Kind: flows.InText, Text: a.Value, Now: now}}, ""
	}
	for _, k := range keys {
		if !has(k) {
			return nil, fmt.Sprintf("%s is not an option of %s%s (its options: %s)", k, n.ID, x.quote(n.Ask.ID), x.options(n))
		}
	}
	switch n.Type {
	case flows.Choice:
		if len(keys) > 1 {
			return nil, fmt.Sprintf("%s takes one option, not %d", n.ID, len(keys))
		}
		return []flows.Input{{Kind: flows.InChoose, Node: n.ID, Key: keys[0], Now: now}}, ""
	case flows.Multi:
		var ins []flows.Input
		for _, k := range keys {
			ins = append(ins, flows.Input{Kind: flows.InToggle, Node: n.ID, Key: k, Now: now})
		}
		return append(ins, flows.Input{Kind: flows.InDone, Node: n.ID, Now: now}), ""
	}
	return nil, fmt.Sprintf("%s is a %s question: it has no options", n.ID, n.Type)
}

// way tells how the conversation left node n after its answer, through
// every info and branch node, to the next question or outcome.
func (x *run) way(n *flows.Node) (out, passed []string) {
	f := x.Flow
	env := f.Env(x.st, x.sc.Today)
	a := x.st.Answers[n.ID]
	for i := 0; n != nil && i < 100; i++ {
		w := f.WayOut(n, a, env)
		var why string
		switch {
		case w.Option != nil:
			why = fmt.Sprintf("the option %s leads to %s", w.Option.Key, w.To)
		case w.Route != nil:
			why = fmt.Sprintf("route %d (%s) holds: %s → %s", w.Route1, x.where(w.Route.Pos), w.Route.When.Src, w.To)
		case len(n.Routes) > 0:
			why = fmt.Sprintf("no route holds (%d tried) → %s", len(n.Routes), w.To)
		default:
			why = "→ " + w.To
		}
		out = append(out, n.ID+": "+why)
		passed = append(passed, n.ID)
		n, a = f.Nodes[w.To], flows.Answer{}
		if n == nil || (n.Type != flows.Info && n.Type != flows.Branch) {
			break
		}
	}
	return out, passed
}

// report is what the outcome says, by finding.
type report struct {
	node    *flows.Node
	shown   map[string]bool // sections the outcome shows
	named   map[string]bool // section.finding that applies in a section shown
	parts   []string        // parts the menu offers
	env     map[string]any
	outcome bool
}

func (x *run) report() report {
	f := x.Flow
	n := f.Nodes[x.st.Node]
	rp := report{node: n, shown: map[string]bool{}, named: map[string]bool{}, env: f.Env(x.st, x.sc.Today)}
	if n == nil || n.Type != flows.Outcome || !x.st.Done {
		return rp
	}
	rp.outcome = true
	secs := n.Sections
	if len(n.Parts) > 0 {
		secs = nil
		for _, p := range n.Parts {
			secs = append(secs, p.Sections...)
		}
	}
	for _, sid := range secs {
		rp.shown[sid] = true
		s := f.Sections[sid]
		if s == nil {
			continue
		}
		for _, fd := range s.Findings {
			if x.holds(fd.Msg.When, rp.env) {
				rp.named[sid+"."+fd.ID] = true
			}
		}
	}
	if rep, ok := flows.Assess(f, x.st, x.sc.Today); ok {
		for _, p := range rep.Parts {
			rp.parts = append(rp.parts, p.ID)
		}
		if len(rep.Sources) > 0 {
			rp.parts = append(rp.parts, flows.PartSources)
		}
	}
	return rp
}

func (x *run) holds(e *flows.Expr, env map[string]any) bool {
	if e == nil {
		return true
	}
	v, err := e.Eval(env)
	b, _ := v.(bool)
	return err == nil && b
}

// finding returns the finding section.id.
func (x *run) finding(id string) (*flows.Section, *flows.Finding) {
	sid, fid, _ := strings.Cut(id, ".")
	s := x.Flow.Sections[sid]
	if s == nil {
		return nil, nil
	}
	for _, fd := range s.Findings {
		if fd.ID == fid {
			return s, fd
		}
	}
	return s, nil
}

// resolve turns a finding as written (section.id, or an id unique in the
// flow, or unique in prefer) into section.id.
func (x *run) resolve(written, prefer string) (string, string) {
	all := findingIDs(x.Flow)
	if strings.Contains(written, ".") {
		if slices.Contains(all, written) {
			return written, ""
		}
		return "", fmt.Sprintf("the flow has no finding %s", written)
	}
	var found []string
	for _, id := range all {
		if strings.HasSuffix(id, "."+written) {
			found = append(found, id)
		}
	}
	if prefer != "" && slices.Contains(found, prefer+"."+written) {
		return prefer + "." + written, ""
	}
	switch len(found) {
	case 0:
		return "", fmt.Sprintf("the flow has no finding %s", written)
	case 1:
		return found[0], ""
	}
	return "", fmt.Sprintf("%s is a finding of several sections (%s): write section.id", written, strings.Join(found, ", "))
}

// explain lists the condition of a finding and the values it read.
func (x *run) explainFinding(id string, env map[string]any, applies bool) []string {
	_, fd := x.finding(id)
	if fd == nil {
		return nil
	}
	verb := "needs"
	if applies {
		verb = "applies:"
	}
	if fd.Msg.When == nil {
		return []string{fmt.Sprintf("%s (%s) has no condition: it always applies", id, x.where(fd.Pos))}
	}
	out := []string{fmt.Sprintf("%s (%s) %s %s", id, x.where(fd.Pos), verb, fd.Msg.When.Src)}
	return append(out, x.values(fd.Msg.When, env, "  ", 2, map[string]bool{})...)
}

// values lists the names an expression reads with their values and where
// each comes from; facts are unfolded depth levels deep.
func (x *run) values(e *flows.Expr, env map[string]any, indent string, depth int, seen map[string]bool) []string {
	var out []string
	for _, name := range e.Names() {
		v, ok := env[name]
		if !ok || seen[name] {
			continue
		}
		seen[name] = true
		line := fmt.Sprintf("%s%s = %s", indent, name, show(v))
		if n := x.Flow.Nodes[name]; n != nil {
			if num, ok := x.answerOf[name]; ok && x.answered(name) {
				a := x.sc.Answers[num-1]
				if x.st.Answers[name].Unknown {
					line += fmt.Sprintf(" — answer %d (line %d): “I don't know”", num, a.Line)
				} else {
					line += fmt.Sprintf(" — answer %d (line %d): %s", num, a.Line, a)
				}
			} else {
				line += " — not asked"
			}
			out = append(out, line)
			continue
		}
		if fc := x.Flow.Fact(name); fc != nil {
			out = append(out, fmt.Sprintf("%s — fact (%s): %s", line, x.where(fc.Pos), fc.Expr.Src))
			if depth > 1 {
				out = append(out, x.values(fc.Expr, env, indent+"  ", depth-1, seen)...)
			}
			continue
		}
		out = append(out, line)
	}
	return out
}

// answered reports whether the conversation holds an answer to node id.
func (x *run) answered(id string) bool {
	_, ok := x.st.Answers[id]
	return ok
}

// show writes a value as a flow author writes it.
func show(v any) string {
	switch x := v.(type) {
	case string:
		return "'" + x + "'"
	case time.Time:
		if x.IsZero() {
			return "unset"
		}
		return x.Format(time.DateOnly)
	case []string:
		return "[" + strings.Join(x, ", ") + "]"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = fmt.Sprint(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// canon is a value as a scenario writes it, for comparing.
func canon(v any) string {
	s := show(v)
	if str, ok := v.(string); ok {
		return str
	}
	return s
}
