package flows

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

var idPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Check decodes, checks and compiles a flow file and returns every problem
// found, errors and warnings, in file order. The flow is nil when it could
// not be decoded at all; it must not be run when problems has errors.
func Check(name string, data []byte) (*Flow, Problems) {
	d := &decoder{file: name}
	f := d.decode(data)
	if f == nil {
		return nil, d.probs
	}
	d.checkStructure(f)
	d.compileAll(f)
	d.checkGraph(f)
	d.probs.Sort()
	return f, d.probs
}

func (d *decoder) at(p Pos, warn bool, format string, args ...any) {
	d.probs = append(d.probs, Problem{Pos: p, Msg: fmt.Sprintf(format, args...), Warning: warn})
}

func (d *decoder) checkStructure(f *Flow) {
	root := f.Pos
	if f.ID != "" && !idPattern.MatchString(f.ID) {
		d.at(root, false, "the flow ID %q should use lower-case letters, digits and _ only", f.ID)
	}
	if f.Version < 1 {
		d.at(root, false, "the version should be 1 or more")
	}
	if f.Start != "" && f.Nodes[f.Start] == nil {
		d.at(root, false, "start: there is no node called %q%s", f.Start, d.didYouMean(f, f.Start))
	}
	if f.Crisis == "" {
		d.at(root, false, "the flow needs a crisis node (\"crisis: <node id>\"): the help shown by /sos from anywhere")
	} else if c := f.Nodes[f.Crisis]; c == nil {
		d.at(root, false, "crisis: there is no node called %q%s", f.Crisis, d.didYouMean(f, f.Crisis))
	} else if c.Type != Info {
		d.at(c.Pos, false, "the crisis node %s must be an info node: it is shown from anywhere and then the current question is asked again", c.ID)
	} else if len(c.Say) == 0 {
		d.at(c.Pos, false, "the crisis node %s shows nothing: give it \"say:\" messages", c.ID)
	}
	if len(f.Footer) == 0 {
		d.at(root, false, "the flow needs a footer: every assessment must say it is legal information, not legal advice, and point to human help")
	}
	for id, s := range f.Sources {
		if s.Label == "" {
			d.at(s.Pos, false, "the source %s needs a message ID for its full name", id)
		}
	}
	seen := map[string]bool{}
	for _, fact := range f.Facts {
		if fact.ID == "" {
			continue
		}
		if !idPattern.MatchString(fact.ID) {
			d.at(fact.Pos, false, "the fact ID %q should use lower-case letters, digits and _ only", fact.ID)
		}
		if seen[fact.ID] {
			d.at(fact.Pos, false, "there are two facts called %q", fact.ID)
		}
		if f.Nodes[fact.ID] != nil {
			d.at(fact.Pos, false, "the fact %q has the same name as a node", fact.ID)
		}
		seen[fact.ID] = true
	}
	for _, s := range f.Sections {
		fids := map[string]bool{}
		for _, fd := range s.Findings {
			if fd.ID == "" {
				d.at(fd.Pos, false, "a finding of the section %s needs an \"id\"", s.ID)
			} else if fids[fd.ID] {
				d.at(fd.Pos, false, "the section %s has two findings called %q", s.ID, fd.ID)
			}
			fids[fd.ID] = true
			if len(fd.Msg.Cite) == 0 {
				d.at(fd.Pos, false, "the finding %s cites no source: every legal statement must name where it comes from", fd.ID)
			}
		}
	}
	for _, id := range f.Order {
		d.checkNode(f, f.Nodes[id])
	}
	d.checkCites(f)
}

func (d *decoder) didYouMean(f *Flow, id string) string {
	if s := suggest(id, f.Order); s != "" {
		return fmt.Sprintf(" — did you mean %q?", s)
	}
	return ""
}

func (d *decoder) checkNode(f *Flow, n *Node) {
	what := "the node " + n.ID
	if !idPattern.MatchString(n.ID) {
		d.at(n.Pos, false, "the node ID %q should use lower-case letters, digits and _ only", n.ID)
	}
	ref := func(to, field string, p Pos) {
		if to != "" && f.Nodes[to] == nil {
			d.dangling = true
			d.at(p, false, "%s: %s goes to %q, but there is no such node%s", what, field, to, d.didYouMean(f, to))
		}
	}
	ref(n.Next, "next", n.Pos)
	for i, r := range n.Routes {
		ref(r.To, fmt.Sprintf("route %d", i+1), r.Pos)
	}
	asks := n.Type.Asks()
	if asks && n.Ask.ID == "" {
		d.at(n.Pos, false, "%s is a %s question but has no \"ask\" message", what, n.Type)
	}
	if !asks && n.Ask.ID != "" {
		d.at(n.Pos, false, "%s is a %s node: only questions have \"ask\"", what, n.Type)
	}
	if n.Type == Choice || n.Type == Multi {
		if len(n.Options) < 2 && n.Type == Choice {
			d.at(n.Pos, false, "%s is a choice but offers fewer than 2 options", what)
		}
		if len(n.Options) < 1 {
			d.at(n.Pos, false, "%s offers no options", what)
		}
		keys := map[string]bool{}
		for _, o := range n.Options {
			if o.Key != "" && !idPattern.MatchString(o.Key) {
				d.at(o.Pos, false, "%s: the option key %q should use lower-case letters, digits and _ only", what, o.Key)
			}
			if keys[o.Key] {
				d.at(o.Pos, false, "%s has two options with the key %q", what, o.Key)
			}
			keys[o.Key] = true
			if o.Next != "" && n.Type != Choice {
				d.at(o.Pos, false, "%s: only options of a choice can have their own \"next\"", what)
			}
			ref(o.Next, "option "+o.Key, o.Pos)
			if o.Exclusive && n.Type != Multi {
				d.at(o.Pos, false, "%s: \"exclusive\" only makes sense on a multi question", what)
			}
		}
	} else if len(n.Options) > 0 {
		d.at(n.Pos, false, "%s is a %s node: only choice and multi questions have options", what, n.Type)
	}
	if (n.Min != nil || n.Max != nil) && n.Type != Number {
		d.at(n.Pos, false, "%s: min and max only apply to number questions", what)
	}
	if n.Min != nil && n.Max != nil && *n.Min > *n.Max {
		d.at(n.Pos, false, "%s: min is larger than max", what)
	}
	if (n.MinLen != 0 || n.MaxLen != 0) && n.Type != Text {
		d.at(n.Pos, false, "%s: min_len and max_len only apply to text questions", what)
	}
	if n.Unknown != "" && n.Type != Number && n.Type != Date && n.Type != Period && n.Type != Choice {
		d.at(n.Pos, false, "%s: an \"I don't know\" answer (unknown) is only for number, date, period and choice questions", what)
	}
	switch {
	case n.Type == Period && (n.From == "" || n.To == ""):
		d.at(n.Pos, false, "%s is a period question: give the names its two dates go by, \"from\" (the first day) and \"to\" (the latest day), e.g. from: q6_start, to: q6_last", what)
	case n.Type != Period && (n.From != "" || n.To != ""):
		d.at(n.Pos, false, "%s: from and to only apply to period questions", what)
	case n.Type == Period && n.From == n.To:
		d.at(n.Pos, false, "%s: from and to must be two different names", what)
	case n.Type != Period && n.Ongoing != "":
		d.at(n.Pos, false, "%s: ongoing only applies to period questions", what)
	case n.Type == Period && n.Ongoing != "" && (n.Ongoing == n.From || n.Ongoing == n.To):
		d.at(n.Pos, false, "%s: ongoing must be a name of its own, not one of the two dates", what)
	case n.Type == Period:
		for _, name := range []string{n.From, n.To, n.Ongoing} {
			if name == "" {
				continue
			}
			if f.Nodes[name] != nil {
				d.at(n.Pos, false, "%s: %q is already the ID of a node; a period question's names (from, to, ongoing) must be new", what, name)
			}
			for _, fact := range f.Facts {
				if fact.ID == name {
					d.at(n.Pos, false, "%s: %q is already a fact (line %d); a period question's names (from, to, ongoing) must be new", what, name, fact.Pos.Line)
				}
			}
		}
	}
	switch n.Type {
	case Outcome:
		if n.Next != "" || len(n.Routes) > 0 {
			d.at(n.Pos, false, "%s is an outcome: the conversation ends there, so it cannot have next or routes", what)
		}
		for _, s := range n.Sections {
			if f.Sections[s] == nil {
				d.at(n.Pos, false, "%s shows the section %q, but there is no such section", what, s)
			}
		}
		d.checkSummary(f, n, what)
	case Branch:
		if len(n.Summary) > 0 || len(n.Parts) > 0 {
			d.at(n.Pos, false, "%s: only outcomes have a summary and parts", what)
		}
		if len(n.Say) > 0 {
			d.at(n.Pos, false, "%s is a branch: it shows nothing, so it cannot have say", what)
		}
		fallthrough
	default:
		if len(n.Sections) > 0 {
			d.at(n.Pos, false, "%s: only outcomes show sections", what)
		}
		if n.Type == "" {
			return
		}
		if n.Next == "" && !allOptionsLead(n) {
			if len(n.Routes) > 0 {
				d.at(n.Pos, false, "%s needs a \"next\" for when none of its routes applies", what)
			} else {
				d.at(n.Pos, false, "%s does not say where to go next: add \"next: <node id>\"", what)
			}
		}
	}
}

// checkSummary checks an outcome's summary and parts: every section they
// name exists and is one the outcome shows, every section the outcome
// shows is in exactly one part, and part IDs are unique.
func (d *decoder) checkSummary(f *Flow, n *Node, what string) {
	if len(n.Summary) == 0 && len(n.Parts) == 0 {
		return
	}
	if len(n.Summary) == 0 || len(n.Parts) == 0 {
		d.at(n.Pos, false, "%s: an outcome with a summary needs parts (what is offered under it), and parts need a summary", what)
	}
	shows := func(sid, where string, pos Pos) {
		if f.Sections[sid] == nil {
			d.at(pos, false, "%s: %s names the section %q, but there is no such section", what, where, sid)
		} else if !slices.Contains(n.Sections, sid) {
			d.at(pos, false, "%s: %s names the section %q, which the outcome does not show (add it to \"sections\")", what, where, sid)
		}
	}
	for _, it := range n.Summary {
		for _, sid := range append(slices.Clone(it.Pick), it.Nearest...) {
			shows(sid, "the summary", it.Pos)
		}
	}
	in := map[string]string{}
	ids := map[string]bool{}
	for _, p := range n.Parts {
		if p.ID == PartSources {
			d.at(p.Pos, false, "%s: the part ID %q is reserved for the list of sources, which every report offers", what, p.ID)
		}
		if ids[p.ID] {
			d.at(p.Pos, false, "%s has two parts called %q", what, p.ID)
		}
		ids[p.ID] = true
		for _, sid := range p.Sections {
			shows(sid, "the part "+p.ID, p.Pos)
			if other, dup := in[sid]; dup {
				d.at(p.Pos, false, "%s: the section %s is in the parts %s and %s; a section belongs to one part, so nothing is shown twice", what, sid, other, p.ID)
			}
			in[sid] = p.ID
		}
	}
	if len(n.Parts) > 0 {
		for _, sid := range n.Sections {
			if _, ok := in[sid]; !ok {
				d.at(n.Pos, false, "%s shows the section %s, but none of its parts does: the user could never see it", what, sid)
			}
		}
	}
}

func allOptionsLead(n *Node) bool {
	if n.Type != Choice || len(n.Options) == 0 {
		return false
	}
	for _, o := range n.Options {
		if o.Next == "" {
			return false
		}
	}
	return true
}

// allRefs calls fn for every message reference in the flow.
func (f *Flow) allRefs(fn func(m *MsgRef, where string)) {
	for i := range f.Intro {
		fn(&f.Intro[i], "intro")
	}
	for i := range f.Footer {
		fn(&f.Footer[i], "footer")
	}
	for _, id := range f.Order {
		n := f.Nodes[id]
		for i := range n.Say {
			fn(&n.Say[i], "node "+id)
		}
		if n.Ask.ID != "" {
			fn(&n.Ask, "node "+id)
		}
		for i := range n.AskAs {
			fn(&n.AskAs[i], "node "+id)
		}
		for _, it := range n.Summary {
			if it.Msg != nil {
				fn(it.Msg, "the summary of node "+id)
			}
		}
	}
	for _, sid := range sortedKeys(f.Sections) {
		for _, fd := range f.Sections[sid].Findings {
			fn(&fd.Msg, "finding "+fd.ID)
		}
	}
}

func (d *decoder) checkCites(f *Flow) {
	f.allRefs(func(m *MsgRef, where string) {
		for _, c := range m.Cite {
			src := citeSource(c)
			if _, ok := f.Sources[src]; !ok {
				d.at(m.CitePos, false, "%s cites %q, but the source %q is not declared under \"sources:\"", where, c, src)
			}
		}
	})
}

// citeSource returns the source ID a citation starts with: "S-02 Art. 2" → "S-02".
func citeSource(c string) string {
	if i := strings.IndexAny(c, " \t"); i > 0 {
		return c[:i]
	}
	return c
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// compileAll builds the typed environment (answers, then facts in order) and
// compiles every expression, reporting errors in the author's words.
//
// One misspelt name is reported once, where it is first used: a fact that
// does not compile is marked broken, and expressions that fail only because
// they use a broken fact (or the same unknown name again) are not reported
// again; the first report says how many expressions depend on it.
func (d *decoder) compileAll(f *Flow) {
	env := f.sampleEnv()
	known := make([]string, 0, len(env)+len(f.Facts))
	for k := range env {
		known = append(known, k)
	}
	factAt := map[string]Pos{}
	for _, fact := range f.Facts {
		if fact.ID != "" {
			known = append(known, fact.ID)
			factAt[fact.ID] = fact.Pos
		}
	}
	sort.Strings(known)
	c := &cascade{
		broken:  map[string]bool{},
		cause:   map[string]int{},
		unknown: map[string]int{},
		follow:  map[int]int{},
	}
	report := func(e *Expr, what, msg string) {
		// Failing because it uses something already reported: count it there.
		for _, n := range names(e.Src) {
			if c.broken[n] {
				c.follow[c.cause[n]]++
				return
			}
		}
		if name, ok := strings.CutPrefix(msg, "unknown name "); ok {
			if i, seen := c.unknown[name]; seen {
				c.follow[i]++
				return
			}
			if later, ok := factAt[name]; ok {
				msg = fmt.Sprintf("the fact %s is defined further down (line %d): a fact can use only the answers and the facts above it — move %s above its first use", name, later.Line, name)
			} else if s := suggest(name, known); s != "" {
				msg += fmt.Sprintf(" — did you mean %q?", s)
			} else {
				msg += " (not a question with an answer, nor a fact)"
			}
			c.unknown[name] = len(d.probs)
		}
		d.at(e.Pos, false, "%s: the expression %q does not work: %s", what, e.Src, msg)
	}
	factExpr := map[*Expr]bool{}
	for _, fact := range f.Facts {
		if fact.Expr == nil || fact.ID == "" {
			continue
		}
		factExpr[fact.Expr] = true
		t, err := compile(fact.Expr, env, exprAny)
		if err != nil {
			n := len(d.probs)
			report(fact.Expr, "the fact "+fact.ID, exprError(err))
			c.broken[fact.ID] = true
			if len(d.probs) > n {
				c.cause[fact.ID] = n
			} else {
				c.cause[fact.ID] = c.counted(fact.Expr.Src)
			}
			env[fact.ID] = nil
			continue
		}
		env[fact.ID] = zeroOf(t)
	}
	for _, p := range d.pending {
		if factExpr[p.e] {
			continue
		}
		if _, err := compile(p.e, env, p.kind); err != nil {
			msg := exprError(err)
			if p.kind == exprBool && strings.Contains(msg, "expected bool") {
				msg = "it must be true or false (a condition), but it gives a value"
			}
			report(p.e, p.what, msg)
		}
	}
	for i, n := range c.follow {
		if n > 0 {
			d.probs[i].Msg += fmt.Sprintf(" (%d more expression(s) depend on it; they are checked once it is fixed)", n)
		}
	}
	for _, p := range d.pending {
		for _, m := range literalChecks(f, p.e) {
			d.at(p.e.Pos, false, "%s: %s", p.what, m)
		}
	}
	f.sample = env
}

// cascade tracks the first report of each broken fact and unknown name, so
// that what follows from it is counted there rather than reported again.
type cascade struct {
	broken  map[string]bool // facts that did not compile
	cause   map[string]int  // broken fact → index of the problem that explains it
	unknown map[string]int  // unknown name → index of its first report
	follow  map[int]int     // problem index → expressions suppressed because of it
}

// counted returns the problem a suppressed expression was counted against.
func (c *cascade) counted(src string) int {
	for _, n := range names(src) {
		if c.broken[n] {
			return c.cause[n]
		}
	}
	for _, n := range names(src) {
		if i, ok := c.unknown[n]; ok {
			return i
		}
	}
	return 0
}

// zeroOf gives a sample value of type t for compiling later expressions.
func zeroOf(t reflect.Type) any {
	if t == nil || t.Kind() == reflect.Interface {
		return nil
	}
	if t == reflect.TypeOf(time.Time{}) {
		return time.Time{}
	}
	return reflect.Zero(t).Interface()
}

// edges returns the nodes a node can lead to.
func (f *Flow) edges(n *Node) []string {
	var out []string
	add := func(s string) {
		if s != "" && f.Nodes[s] != nil {
			out = append(out, s)
		}
	}
	for _, o := range n.Options {
		add(o.Next)
	}
	for _, r := range n.Routes {
		add(r.To)
	}
	if !allOptionsLead(n) {
		add(n.Next)
	}
	return out
}

func (d *decoder) checkGraph(f *Flow) {
	hasOutcome := false
	for _, n := range f.Nodes {
		hasOutcome = hasOutcome || n.Type == Outcome
	}
	if !hasOutcome {
		d.at(f.Pos, false, "the flow has no outcome: every conversation must end with an outcome node")
	}
	if f.Nodes[f.Start] == nil {
		return
	}
	// Reachability from the start (and the crisis node, shown from anywhere).
	reach := map[string]bool{}
	stack := []string{f.Start}
	if f.Crisis != "" && f.Nodes[f.Crisis] != nil {
		stack = append(stack, f.Crisis)
	}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if reach[id] {
			continue
		}
		reach[id] = true
		stack = append(stack, f.edges(f.Nodes[id])...)
	}
	if d.dangling {
		// An unknown node name cuts paths: reachability is reported once those are fixed.
		return
	}
	for _, id := range f.Order {
		if !reach[id] {
			d.at(f.Nodes[id].Pos, false, "the node %s can never be reached: no path from %q leads to it", id, f.Start)
		}
	}
	// Nodes from which an outcome can be reached (reverse search).
	rev := map[string][]string{}
	for _, id := range f.Order {
		for _, to := range f.edges(f.Nodes[id]) {
			rev[to] = append(rev[to], id)
		}
	}
	ends := map[string]bool{}
	for _, id := range f.Order {
		if f.Nodes[id].Type == Outcome {
			stack = append(stack, id)
		}
	}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if ends[id] {
			continue
		}
		ends[id] = true
		stack = append(stack, rev[id]...)
	}
	for _, id := range f.Order {
		if reach[id] && !ends[id] && id != f.Crisis {
			d.at(f.Nodes[id].Pos, false, "from the node %s no path reaches an outcome: the conversation would never end", id)
		}
	}
	// Loops made only of info and branch nodes would spin without asking anything.
	state := map[string]int{} // 0 new, 1 on stack, 2 done
	var visit func(id string) bool
	visit = func(id string) bool {
		n := f.Nodes[id]
		if n.Type.Asks() || n.Type == Outcome {
			return false
		}
		switch state[id] {
		case 1:
			d.at(n.Pos, false, "the node %s is part of a loop with no question in it: the conversation would go round forever", id)
			return true
		case 2:
			return false
		}
		state[id] = 1
		for _, to := range f.edges(n) {
			if visit(to) {
				state[id] = 2
				return false
			}
		}
		state[id] = 2
		return false
	}
	for _, id := range f.Order {
		visit(id)
	}
	// Sections no outcome shows.
	used := map[string]bool{}
	for _, id := range f.Order {
		for _, s := range f.Nodes[id].Sections {
			used[s] = true
		}
	}
	for _, sid := range sortedKeys(f.Sections) {
		if !used[sid] {
			d.at(f.Sections[sid].Pos, true, "no outcome shows the section %s", sid)
		}
	}
}

// MessageRef is a message ID the flow uses, with the parameters it supplies.
type MessageRef struct {
	ID     string
	Params []string
	Pos    Pos
}

// MessageRefs lists every message the flow can show, for checking catalogs.
func (f *Flow) MessageRefs() []MessageRef {
	var out []MessageRef
	add := func(id string, p Pos, params map[string]*Expr) {
		if id == "" {
			return
		}
		r := MessageRef{ID: id, Pos: p}
		for k := range params {
			r.Params = append(r.Params, k)
		}
		sort.Strings(r.Params)
		out = append(out, r)
	}
	add(f.Title, f.Pos, nil)
	for _, id := range sortedKeys(f.Sources) {
		s := f.Sources[id]
		add(s.Label, s.Pos, nil)
	}
	f.allRefs(func(m *MsgRef, _ string) { add(m.ID, m.Pos, m.Params) })
	for _, id := range f.Order {
		n := f.Nodes[id]
		add(n.Help, n.Pos, nil)
		add(n.Invalid, n.Pos, nil)
		add(n.Unknown, n.Pos, nil)
		for _, o := range n.Options {
			add(o.Label, o.Pos, nil)
			add(o.Words, o.Pos, nil)
		}
		for _, it := range n.Summary {
			add(it.Heading, it.Pos, nil)
		}
		for _, p := range n.Parts {
			add(p.Title, p.Pos, nil)
		}
	}
	for _, sid := range sortedKeys(f.Sections) {
		s := f.Sections[sid]
		add(s.Title, s.Pos, nil)
		add(s.Empty, s.Pos, nil)
		for _, fd := range s.Findings {
			add(fd.Short, fd.Pos, fd.Msg.Params)
		}
	}
	return out
}

// CiteRef is one citation as a flow writes it ("S-02 Art. 2(1)"), and where.
type CiteRef struct {
	Cite string
	Pos  Pos
}

// Citations lists every citation of the flow with where it is written, so
// the catalogs can be checked for the name each one is shown with.
func (f *Flow) Citations() []CiteRef {
	var out []CiteRef
	f.allRefs(func(m *MsgRef, _ string) {
		for _, c := range m.Cite {
			out = append(out, CiteRef{Cite: c, Pos: m.CitePos})
		}
	})
	return out
}
