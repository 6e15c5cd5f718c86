package flows

import (
	"embed"

	"fmt"
	"io/fs"

	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Defs holds the flow files shipped with Redress.
//
//go:embed defs
var Defs embed.FS

// DefaultFlow is the path of the default flow inside Defs.
const DefaultFlow = "defs/cyberviolence.yaml"

// LoadDefault loads and checks the embedded default flow.
func LoadDefault() (*Flow, error) { return LoadFS(Defs, DefaultFlow) }

// LoadFS reads, checks and compiles the flow file at name in fsys. A flow
// with errors is refused: the error is a Problems listing all of them.
func LoadFS(fsys fs.FS, name string) (*Flow, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("read flow: %w", err)
	}
	return Parse(name, b)
}

// Parse checks and compiles a flow file's bytes; name is used in positions.
// Warnings do not stop a flow from loading; errors do.
func Parse(name string, data []byte) (*Flow, error) {
	f, probs := Check(name, data)
	if probs.HasErrors() {
		return nil, probs
	}
	return f, nil
}

// Problem is one thing the checker found, at a place in a file.
type Problem struct {
	Pos     Pos
	Msg     string
	Warning bool
}

// String formats the problem as file:line: message.
func (p Problem) String() string {
	sev := ""
	if p.Warning {
		sev = "warning: "
	}
	if p.Pos.Line > 0 {
		return fmt.Sprintf("%s:%d: %s%s", p.Pos.File, p.Pos.Line, sev, p.Msg)
	}
	return fmt.Sprintf("%s: %s%s", p.Pos.File, sev, p.Msg)
}

// Problems is a list of problems; as an error it prints one per line.
type Problems []Problem

// Error joins the problems, one per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// HasErrors reports whether any problem is an error (not a warning).
func (ps Problems) HasErrors() bool {
	for _, p := range ps {
		if !p.Warning {
			return true
		}
	}
	return false
}

// Sort orders problems by file and line.
func (ps Problems) Sort() {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Pos.File != ps[j].Pos.File {
			return ps[i].Pos.File < ps[j].Pos.File
		}
		return ps[i].Pos.Line < ps[j].Pos.Line
	})
}

// decoder walks a YAML tree, collecting problems instead of stopping at the first.
type decoder struct {
	file  string
	probs Problems
	// exprs to compile once the environment is known
	pending []pendingExpr
	// dangling is set when a next/to/option names no node; graph checks then wait.
	dangling bool
}

type pendingExpr struct {
	e    *Expr
	kind exprKind
	what string // for messages: "the condition of route 2 of node x"
}

type exprKind int

const (
	exprBool exprKind = iota
	exprAny
	exprNumber
)

func (d *decoder) pos(n *yaml.Node) Pos {
	if n == nil {
		return Pos{File: d.file}
	}
	return Pos{File: d.file, Line: n.Line}
}

func (d *decoder) errf(n *yaml.Node, format string, args ...any) {
	d.probs = append(d.probs, Problem{Pos: d.pos(n), Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) warnf(n *yaml.Node, format string, args ...any) {
	d.probs = append(d.probs, Problem{Pos: d.pos(n), Msg: fmt.Sprintf(format, args...), Warning: true})
}

// fields returns the values of a mapping by key, reporting keys not in
// allowed (with a suggestion) and repeated keys.
func (d *decoder) fields(n *yaml.Node, what string, allowed ...string) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	if n.Kind != yaml.MappingNode {
		d.errf(n, "%s should be a set of \"key: value\" lines, not %s", what, kindName(n))
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !allows(allowed, k.Value) {
			if s := suggest(k.Value, allowed); s != "" {
				d.errf(k, "%s has an unknown key %q — did you mean %q?", what, k.Value, s)
			} else {
				d.errf(k, "%s has an unknown key %q (allowed: %s)", what, k.Value, strings.Join(allowed, ", "))
			}
			continue
		}
		if _, dup := out[k.Value]; dup {
			d.errf(k, "%s has the key %q twice", what, k.Value)
			continue
		}
		out[k.Value] = v
	}
	return out
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a set of keys"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("the value %q", n.Value)
	case yaml.AliasNode:
		return "an alias"
	}
	return "something else"
}

func (d *decoder) str(n *yaml.Node, what string) string {
	if n == nil {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		d.errf(n, "%s should be a single value, not %s", what, kindName(n))
		return ""
	}
	return strings.TrimSpace(n.Value)
}

func (d *decoder) integer(n *yaml.Node, what string) (int64, bool) {
	s := d.str(n, what)
	if s == "" {
		return 0, false
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		d.errf(n, "%s should be a whole number, not %q", what, s)
		return 0, false
	}
	return v, true
}

func (d *decoder) boolean(n *yaml.Node, what string) bool {
	s := d.str(n, what)
	switch s {
	case "", "false", "no":
		return false
	case "true", "yes":
		return true
	}
	d.errf(n, "%s should be true or false, not %q", what, s)
	return false
}

func (d *decoder) list(n *yaml.Node, what string) []*yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.errf(n, "%s should be a list (lines starting with \"- \"), not %s", what, kindName(n))
		return nil
	}
	return n.Content
}

func (d *decoder) strList(n *yaml.Node, what string) []string {
	var out []string
	for _, c := range d.list(n, what) {
		if s := d.str(c, what); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (d *decoder) expr(n *yaml.Node, kind exprKind, what string) *Expr {
	if n == nil {
		return nil
	}
	src := d.str(n, what)
	if src == "" {
		d.errf(n, "%s is empty", what)
		return nil
	}
	e := &Expr{Src: src, Pos: d.pos(n)}
	d.pending = append(d.pending, pendingExpr{e: e, kind: kind, what: what})
	return e
}

// msgRef decodes a message: an ID, or a mapping with msg/params/when/cite/unconfirmed.
func (d *decoder) msgRef(n *yaml.Node, what string, idKey string) MsgRef {
	if n.Kind == yaml.ScalarNode {
		return MsgRef{ID: d.str(n, what), Pos: d.pos(n)}
	}
	fs := d.fields(n, what, idKey, "params", "when", "cite", "unconfirmed")
	m := MsgRef{ID: d.str(fs[idKey], what+" "+idKey), Pos: d.pos(n)}
	if fs[idKey] == nil {
		d.errf(n, "%s needs a %q: the ID of the message in the catalog", what, idKey)
	}
	d.msgExtras(&m, fs, what)
	return m
}

func (d *decoder) msgExtras(m *MsgRef, fs map[string]*yaml.Node, what string) {
	if p := fs["params"]; p != nil {
		pf := d.fields(p, what+" params", anyKey)
		_ = pf
		if p.Kind == yaml.MappingNode {
			m.Params = map[string]*Expr{}
			for i := 0; i+1 < len(p.Content); i += 2 {
				k, v := p.Content[i], p.Content[i+1]
				m.Params[k.Value] = d.expr(v, exprAny, fmt.Sprintf("the parameter %q of %s", k.Value, what))
			}
		}
	}
	m.When = d.expr(fs["when"], exprBool, "the condition of "+what)
	m.Cite = d.strList(fs["cite"], what+" cite")
	m.CitePos = m.Pos
	if fs["cite"] != nil {
		m.CitePos = d.pos(fs["cite"])
	}
	m.Unconfirmed = d.boolean(fs["unconfirmed"], what+" unconfirmed")
}

// anyKey marks a mapping whose keys are free (parameters).
const anyKey = "\x00any"

// allows reports whether the key s is allowed by list, where anyKey allows
// every key.
func allows(list []string, s string) bool {
	for _, x := range list {
		if x == s || x == anyKey {
			return true
		}
	}
	return false
}

// suggest returns the allowed word closest to s, if it is close enough.
// Nearest returns the name of names closest to s within two edits (a
// misspelling: "retenion" for "retention"), or "" when none is that close.
// The checkers of flows, catalogs, templates and configuration share it.
func Nearest(s string, names []string) string { return suggest(s, names) }

func suggest(s string, allowed []string) string {
	best, bestD := "", 3
	for _, a := range allowed {
		if a == anyKey {
			continue
		}
		if dd := editDistance(s, a); dd < bestD {
			best, bestD = a, dd
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func (d *decoder) msgRefs(n *yaml.Node, what string) []MsgRef {
	var out []MsgRef
	for i, c := range d.list(n, what) {
		out = append(out, d.msgRef(c, fmt.Sprintf("message %d of %s", i+1, what), "msg"))
	}
	return out
}

// decode turns the YAML document into an unchecked Flow.
func (d *decoder) decode(data []byte) *Flow {
	f := &Flow{Nodes: map[string]*Node{}, Sections: map[string]*Section{}, Sources: map[string]Source{}, Pos: Pos{File: d.file, Line: 1}}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line := 0
		msg := err.Error()
		// yaml.v3 says "yaml: line N: ..."
		if rest, ok := strings.CutPrefix(msg, "yaml: line "); ok {
			if i := strings.Index(rest, ":"); i > 0 {
				line, _ = strconv.Atoi(rest[:i])
				msg = strings.TrimSpace(rest[i+1:])
			}
		}
		d.probs = append(d.probs, Problem{Pos: Pos{File: d.file, Line: line}, Msg: "the file is not valid YAML: " + msg})
		return nil
	}
	if len(doc.Content) == 0 {
		d.errf(&doc, "the file is empty")
		return nil
	}
	root := doc.Content[0]
	f.Pos.Line = root.Line
	fs := d.fields(root, "the flow", "flow", "version", "title", "start", "crisis", "intro", "footer", "sources", "facts", "sections", "nodes")
	f.ID = d.str(fs["flow"], "flow")
	if fs["flow"] == nil {
		d.errf(root, "the flow needs an ID: add \"flow: <name>\"")
	}
	if v, ok := d.integer(fs["version"], "version"); ok {
		f.Version = int(v)
	} else if fs["version"] == nil {
		d.errf(root, "the flow needs a version: add \"version: 1\"")
	}
	f.Title = d.str(fs["title"], "title")
	f.Start = d.str(fs["start"], "start")
	if fs["start"] == nil {
		d.errf(root, "the flow needs a first node: add \"start: <node id>\"")
	}
	f.Crisis = d.str(fs["crisis"], "crisis")
	f.Intro = d.msgRefs(fs["intro"], "intro")
	f.Footer = d.msgRefs(fs["footer"], "footer")
	if s := fs["sources"]; s != nil {
		sf := d.fields(s, "sources", anyKey)
		_ = sf
		if s.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(s.Content); i += 2 {
				k, v := s.Content[i], s.Content[i+1]
				if _, dup := f.Sources[k.Value]; dup {
					continue
				}
				f.Sources[k.Value] = Source{ID: k.Value, Label: d.str(v, "source "+k.Value), Pos: d.pos(k)}
			}
		}
	}
	for i, fn := range d.list(fs["facts"], "facts") {
		what := fmt.Sprintf("fact %d", i+1)
		ff := d.fields(fn, what, "id", "expr")
		fact := &Fact{ID: d.str(ff["id"], what+" id"), Pos: d.pos(fn)}
		if fact.ID != "" {
			what = "the fact " + fact.ID
		}
		if ff["expr"] == nil {
			d.errf(fn, "%s needs an \"expr\"", what)
		}
		fact.Expr = d.expr(ff["expr"], exprAny, what)
		f.Facts = append(f.Facts, fact)
	}
	for i, sn := range d.list(fs["sections"], "sections") {
		d.section(f, sn, i)
	}
	for i, nn := range d.list(fs["nodes"], "nodes") {
		d.node(f, nn, i)
	}
	return f
}

func (d *decoder) section(f *Flow, sn *yaml.Node, i int) {
	what := fmt.Sprintf("section %d", i+1)
	sf := d.fields(sn, what, "id", "title", "empty", "findings")
	s := &Section{ID: d.str(sf["id"], what+" id"), Title: d.str(sf["title"], what+" title"), Empty: d.str(sf["empty"], what+" empty"), Pos: d.pos(sn)}
	if s.ID == "" {
		d.errf(sn, "%s needs an \"id\"", what)
		return
	}
	what = "the section " + s.ID
	if s.Title == "" {
		d.errf(sn, "%s needs a \"title\" (a message ID)", what)
	}
	for j, fn := range d.list(sf["findings"], what+" findings") {
		fw := fmt.Sprintf("finding %d of %s", j+1, what)
		ff := d.fields(fn, fw, "id", "msg", "params", "when", "cite", "unconfirmed", "rank", "short", "due", "topic")
		fd := &Finding{ID: d.str(ff["id"], fw+" id"), Pos: d.pos(fn)}
		if fd.ID != "" {
			fw = "the finding " + fd.ID
		}
		fd.Msg = MsgRef{ID: d.str(ff["msg"], fw+" msg"), Pos: d.pos(fn)}
		if ff["msg"] == nil {
			d.errf(fn, "%s needs a \"msg\" (a message ID)", fw)
		}
		d.msgExtras(&fd.Msg, ff, fw)
		fd.Rank = d.expr(ff["rank"], exprNumber, "the rank of "+fw)
		fd.Short = d.str(ff["short"], fw+" short")
		fd.Due = d.expr(ff["due"], exprAny, "the due date of "+fw)
		fd.Topic = d.str(ff["topic"], fw+" topic")
		s.Findings = append(s.Findings, fd)
	}
	if _, dup := f.Sections[s.ID]; dup {
		d.errf(sn, "there are two sections called %q", s.ID)
		return
	}
	f.Sections[s.ID] = s
}

var nodeKeys = []string{"id", "type", "say", "ask", "ask_as", "help", "invalid", "options", "min", "max", "unknown", "min_len", "max_len", "from", "to", "ongoing", "routes", "next", "sections", "summary", "parts"}

func (d *decoder) node(f *Flow, nn *yaml.Node, i int) {
	what := fmt.Sprintf("node %d", i+1)
	nf := d.fields(nn, what, nodeKeys...)
	n := &Node{ID: d.str(nf["id"], what+" id"), Type: NodeType(d.str(nf["type"], what+" type")), Pos: d.pos(nn)}
	if n.ID == "" {
		d.errf(nn, "%s needs an \"id\"", what)
		return
	}
	what = "the node " + n.ID
	switch n.Type {
	case Choice, Multi, Number, Date, Period, Text, Info, Branch, Outcome:
	case "":
		d.errf(nn, "%s needs a \"type\": choice, multi, number, date, period, text, info, branch or outcome", what)
	default:
		d.errf(nf["type"], "%s has an unknown type %q (use choice, multi, number, date, period, text, info, branch or outcome)", what, n.Type)
	}
	n.From = d.str(nf["from"], what+" from")
	n.To = d.str(nf["to"], what+" to")
	n.Ongoing = d.str(nf["ongoing"], what+" ongoing")
	n.Say = d.msgRefs(nf["say"], what+" say")
	if a := nf["ask"]; a != nil {
		n.Ask = d.msgRef(a, "the question of "+what, "msg")
	}
	n.AskAs = d.msgRefs(nf["ask_as"], what+" ask_as")
	for _, m := range n.AskAs {
		if m.When == nil {
			d.errf(nf["ask_as"], "each entry of %s ask_as needs a \"when\": the question is put that way only to the users it fits", what)
		}
	}
	n.Help = d.str(nf["help"], what+" help")
	n.Invalid = d.str(nf["invalid"], what+" invalid")
	n.Unknown = d.str(nf["unknown"], what+" unknown")
	if v, ok := d.integer(nf["min"], what+" min"); ok {
		n.Min = &v
	}
	if v, ok := d.integer(nf["max"], what+" max"); ok {
		n.Max = &v
	}
	if v, ok := d.integer(nf["min_len"], what+" min_len"); ok {
		n.MinLen = int(v)
	}
	if v, ok := d.integer(nf["max_len"], what+" max_len"); ok {
		n.MaxLen = int(v)
	}
	for j, on := range d.list(nf["options"], what+" options") {
		ow := fmt.Sprintf("option %d of %s", j+1, what)
		of := d.fields(on, ow, "key", "label", "words", "next", "exclusive")
		o := Option{Key: d.str(of["key"], ow+" key"), Label: d.str(of["label"], ow+" label"), Words: d.str(of["words"], ow+" words"), Next: d.str(of["next"], ow+" next"), Exclusive: d.boolean(of["exclusive"], ow+" exclusive"), Pos: d.pos(on)}
		if o.Key == "" {
			d.errf(on, "%s needs a \"key\"", ow)
		}
		if o.Label == "" {
			d.errf(on, "%s needs a \"label\" (a message ID)", ow)
		}
		n.Options = append(n.Options, o)
	}
	for j, rn := range d.list(nf["routes"], what+" routes") {
		rw := fmt.Sprintf("route %d of %s", j+1, what)
		rf := d.fields(rn, rw, "when", "to")
		r := Route{To: d.str(rf["to"], rw+" to"), Pos: d.pos(rn)}
		if rf["when"] == nil {
			d.errf(rn, "%s needs a \"when\" condition", rw)
		}
		if rf["to"] == nil {
			d.errf(rn, "%s needs a \"to\" node", rw)
		}
		r.When = d.expr(rf["when"], exprBool, "the condition of "+rw)
		n.Routes = append(n.Routes, r)
	}
	n.Next = d.str(nf["next"], what+" next")
	n.Sections = d.strList(nf["sections"], what+" sections")
	for j, sn := range d.list(nf["summary"], what+" summary") {
		sw := fmt.Sprintf("summary entry %d of %s", j+1, what)
		it := SummaryItem{Pos: d.pos(sn)}
		if sn.Kind == yaml.ScalarNode {
			m := d.msgRef(sn, sw, "msg")
			it.Msg = &m
			n.Summary = append(n.Summary, it)
			continue
		}
		sf := d.fields(sn, sw, "msg", "params", "when", "cite", "unconfirmed", "heading", "pick", "max", "nearest")
		switch {
		case sf["msg"] != nil:
			m := MsgRef{ID: d.str(sf["msg"], sw+" msg"), Pos: d.pos(sn)}
			d.msgExtras(&m, sf, sw)
			it.Msg = &m
		case sf["heading"] != nil:
			it.Heading = d.str(sf["heading"], sw+" heading")
		case sf["pick"] != nil:
			it.Pick = d.strList(sf["pick"], sw+" pick")
			if v, ok := d.integer(sf["max"], sw+" max"); ok {
				it.Max = int(v)
			}
			it.Cite = d.boolean(sf["cite"], sw+" cite")
			it.When = d.expr(sf["when"], exprBool, "the condition of "+sw)
		case sf["nearest"] != nil:
			it.Nearest = d.strList(sf["nearest"], sw+" nearest")
			it.When = d.expr(sf["when"], exprBool, "the condition of "+sw)
		default:
			d.errf(sn, "%s needs one of msg, heading, pick or nearest", sw)
		}
		n.Summary = append(n.Summary, it)
	}
	for j, pn := range d.list(nf["parts"], what+" parts") {
		pw := fmt.Sprintf("part %d of %s", j+1, what)
		pf := d.fields(pn, pw, "id", "title", "sections")
		p := Part{ID: d.str(pf["id"], pw+" id"), Title: d.str(pf["title"], pw+" title"), Sections: d.strList(pf["sections"], pw+" sections"), Pos: d.pos(pn)}
		if p.ID == "" || p.Title == "" {
			d.errf(pn, "%s needs an \"id\" and a \"title\" (a message ID)", pw)
		}
		n.Parts = append(n.Parts, p)
	}
	if _, dup := f.Nodes[n.ID]; dup {
		d.errf(nn, "there are two nodes called %q", n.ID)
		return
	}
	f.Nodes[n.ID] = n
	f.Order = append(f.Order, n.ID)
}
