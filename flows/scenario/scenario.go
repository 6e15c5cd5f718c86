// Package scenario reads and runs the scenario tests authors write for a
// flow: YAML files that list the answers a person gives and what the
// assessment must then say (the outcome, the offence modules and routes
// named or not, the prosecution finding, deadlines, parts offered, facts).
// A failure is explained in the author's terms: which answer led where,
// which rule held or did not, its condition as written, where it is in the
// flow file, and the values it read. The format is described in
// flows/SCENARIOS.md. The package imports only flows.
package scenario

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/redress-legal/redress/flows"
)

// DefaultToday is the day a scenario's conversation takes place when it
// names none (the day the shipped examples are set on).
const DefaultToday = "2026-11-27"

// Scenario is one scenario file: the answers, in order, and what is expected.
type Scenario struct {
	File    string
	Title   string
	Lang    string    // the language it runs in (the first of Langs until In picks one)
	Langs   []string  // every language it runs in: typed answers may differ by language
	Today   time.Time // China time, mid-morning
	Answers []Answer
	Expect  Expect
}

// Answer is one thing the person does: an answer to the question asked
// (an option key, several keys, typed text, a number, a date or "?"), or
// a command (/sos, /back, /restart).
type Answer struct {
	At    string   // the node it answers, when the author names it (checked)
	Value string   // one key or typed text
	Keys  []string // several option keys of a "choose all that apply" question
	// ByLang is typed text by language, for a scenario run in several
	// languages ({en: "about 12k", zh-Hans: 约1.2万}); In picks Value from it.
	ByLang map[string]string
	Line   int
}

// String shows the answer as the author wrote it.
func (a Answer) String() string {
	if a.Keys != nil {
		return "[" + strings.Join(a.Keys, ", ") + "]"
	}
	return fmt.Sprintf("%q", a.Value)
}

// Expect is what a scenario expects of the conversation and its report.
// Each list is checked item by item; an empty one checks nothing.
type Expect struct {
	Outcome     Item
	Modules     []Item // reference module IDs (M1…) that must be named
	NotModules  []Item
	Routes      []Item // reference route IDs (R1…) that must be named
	NotRoutes   []Item
	Findings    []Item // findings (section.id, or id alone when unique) that must be named
	NotFindings []Item
	Prosecution Item // a kind of the terms' prosecution (public, private, ...)
	Deadlines   []Deadline
	Parts       []Item // parts of the report the menu must offer
	NotParts    []Item
	Facts       []FactValue
	Line        int
}

// Item is a word of an expectation and the line it is written on.
type Item struct {
	Value string
	Line  int
}

// Deadline expects a deadline finding to be named, on a date when one is given.
type Deadline struct {
	Finding string
	Date    string // YYYY-MM-DD; "" checks only that it is named
	Line    int
}

// FactValue expects a fact or an answer to have a value.
type FactValue struct {
	Name  string
	Value string // as written: true, 12000, 2026-11-14, [a, b], or a word
	Line  int
}

// Problem is a mistake in a scenario or terms file, at its line.
// It is the flow checker's own type, so every checker prints alike.
type Problem = flows.Problem

// Problems lists every mistake found in a file; as an error it prints one per line.
type Problems = flows.Problems

// reader collects problems while reading a YAML file.
type reader struct {
	file  string
	probs Problems
}

func (r *reader) errf(n *yaml.Node, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	r.probs = append(r.probs, Problem{Pos: flows.Pos{File: r.file, Line: line}, Msg: fmt.Sprintf(format, args...)})
}

// fields returns a mapping's values by key, reporting keys not allowed.
func (r *reader) fields(n *yaml.Node, what string, allowed ...string) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	if n == nil || n.Kind != yaml.MappingNode {
		r.errf(n, "%s should be a set of \"key: value\" lines", what)
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if !slices.Contains(allowed, k.Value) {
			r.errf(k, "%s has an unknown key %q (allowed: %s)", what, k.Value, strings.Join(allowed, ", "))
			continue
		}
		if _, dup := out[k.Value]; dup {
			r.errf(k, "%s has the key %q twice", what, k.Value)
			continue
		}
		out[k.Value] = n.Content[i+1]
	}
	return out
}

func (r *reader) scalar(n *yaml.Node, what string) (Item, bool) {
	if n == nil {
		return Item{}, false
	}
	if n.Kind != yaml.ScalarNode {
		r.errf(n, "%s should be a single value", what)
		return Item{}, false
	}
	return Item{Value: strings.TrimSpace(n.Value), Line: n.Line}, true
}

func (r *reader) items(n *yaml.Node, what string) []Item {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.ScalarNode {
		it, _ := r.scalar(n, what)
		return []Item{it}
	}
	if n.Kind != yaml.SequenceNode {
		r.errf(n, "%s should be a list, like [M1, M2]", what)
		return nil
	}
	var out []Item
	for _, c := range n.Content {
		if it, ok := r.scalar(c, what); ok {
			out = append(out, it)
		}
	}
	return out
}

// Parse reads a scenario file's bytes; name is used in positions.
func Parse(name string, data []byte) (*Scenario, error) {
	r := &reader{file: name}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, Problems{{Pos: flows.Pos{File: name}, Msg: yamlError(err)}}
	}
	if len(doc.Content) == 0 {
		return nil, Problems{{Pos: flows.Pos{File: name}, Msg: "the file is empty"}}
	}
	root := doc.Content[0]
	fs := r.fields(root, "a scenario", "title", "lang", "today", "answers", "expect")
	sc := &Scenario{File: name, Lang: "en"}
	if it, ok := r.scalar(fs["title"], "title"); ok {
		sc.Title = it.Value
	} else {
		r.errf(root, "a scenario needs a title: one line saying what case it is")
	}
	for _, it := range r.items(fs["lang"], "lang") {
		sc.Langs = append(sc.Langs, it.Value)
	}
	if len(sc.Langs) == 0 {
		sc.Langs = []string{"en"}
	}
	sc.Lang = sc.Langs[0]
	today := DefaultToday
	if it, ok := r.scalar(fs["today"], "today"); ok {
		today = it.Value
	}
	d, err := time.ParseInLocation(time.DateOnly, today, flows.China)
	if err != nil {
		r.errf(fs["today"], "today should be a date written 2026-11-27, not %q", today)
	}
	sc.Today = d.Add(10 * time.Hour)
	an := fs["answers"]
	if an == nil || an.Kind != yaml.SequenceNode || len(an.Content) == 0 {
		r.errf(root, "a scenario needs answers: a list of what the person answers, in order")
	} else {
		for i, c := range an.Content {
			sc.Answers = append(sc.Answers, r.answer(c, i+1))
		}
	}
	if fs["expect"] == nil {
		r.errf(root, "a scenario needs expect: what the assessment must say")
	} else {
		sc.Expect = r.expect(fs["expect"])
	}
	for i, a := range sc.Answers {
		for _, l := range sc.Langs {
			if a.ByLang != nil && a.ByLang[l] == "" {
				r.errf(&yaml.Node{Line: a.Line}, "answer %d gives no text for %s, a language of the scenario (lang: %s)", i+1, l, strings.Join(sc.Langs, ", "))
			}
		}
		for l := range a.ByLang {
			if !slices.Contains(sc.Langs, l) {
				r.errf(&yaml.Node{Line: a.Line}, "answer %d gives text for %s, which is not a language of the scenario (lang: %s)", i+1, l, strings.Join(sc.Langs, ", "))
			}
		}
	}
	if len(r.probs) > 0 {
		return nil, r.probs
	}
	return sc, nil
}

// In is the scenario as run in lang: typed answers given by language are
// the text for lang.
func (sc *Scenario) In(lang string) *Scenario {
	c := *sc
	c.Lang = lang
	c.Answers = slices.Clone(sc.Answers)
	for i, a := range c.Answers {
		if a.ByLang != nil {
			c.Answers[i].Value = a.ByLang[lang]
		}
	}
	return &c
}

// yamlError says why a file is not YAML, with the usual cause of the
// commonest mistake.
func yamlError(err error) string {
	msg := "not a YAML file: " + strings.TrimPrefix(err.Error(), "yaml: ")
	if strings.Contains(msg, "mapping values are not allowed") || strings.Contains(msg, "did not find expected key") {
		msg += ` (a value with ": " or a quote in it needs quotes around it: title: 'T1: "rumour"')`
	}
	return msg
}

// answer reads one answer: a value alone, or {at: node, answer: value}.
func (r *reader) answer(n *yaml.Node, i int) Answer {
	what := fmt.Sprintf("answer %d", i)
	a := Answer{Line: n.Line}
	v := n
	if n.Kind == yaml.MappingNode {
		fs := r.fields(n, what, "at", "answer")
		if it, ok := r.scalar(fs["at"], what+" at"); ok {
			a.At = it.Value
		}
		v = fs["answer"]
		if v == nil {
			r.errf(n, "%s needs answer: an option key, several keys [a, b], typed text, a number, a date or ?", what)
			return a
		}
	}
	switch v.Kind {
	case yaml.SequenceNode:
		a.Keys = []string{}
		for _, c := range v.Content {
			if it, ok := r.scalar(c, what); ok {
				a.Keys = append(a.Keys, it.Value)
			}
		}
		if len(a.Keys) == 0 {
			r.errf(v, "%s is an empty list: tick at least one option", what)
		}
	case yaml.ScalarNode:
		a.Value = v.Value
	case yaml.MappingNode: // typed text by language
		a.ByLang = map[string]string{}
		for i := 0; i+1 < len(v.Content); i += 2 {
			if it, ok := r.scalar(v.Content[i+1], what+" in "+v.Content[i].Value); ok {
				a.ByLang[v.Content[i].Value] = it.Value
			}
		}
	default:
		r.errf(v, "%s should be an option key, a list of keys, or typed text", what)
	}
	return a
}

func (r *reader) expect(n *yaml.Node) Expect {
	fs := r.fields(n, "expect", "outcome", "modules", "not_modules", "routes", "not_routes", "findings",
		"not_findings", "prosecution", "deadlines", "parts", "not_parts", "facts")
	e := Expect{Line: n.Line}
	e.Outcome, _ = r.scalar(fs["outcome"], "outcome")
	e.Prosecution, _ = r.scalar(fs["prosecution"], "prosecution")
	e.Modules = r.items(fs["modules"], "modules")
	e.NotModules = r.items(fs["not_modules"], "not_modules")
	e.Routes = r.items(fs["routes"], "routes")
	e.NotRoutes = r.items(fs["not_routes"], "not_routes")
	e.Findings = r.items(fs["findings"], "findings")
	e.NotFindings = r.items(fs["not_findings"], "not_findings")
	e.Parts = r.items(fs["parts"], "parts")
	e.NotParts = r.items(fs["not_parts"], "not_parts")
	if d := fs["deadlines"]; d != nil {
		switch d.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(d.Content); i += 2 {
				k, v := d.Content[i], d.Content[i+1]
				dl := Deadline{Finding: k.Value, Line: k.Line}
				if it, ok := r.scalar(v, "the date of deadline "+k.Value); ok {
					if _, err := time.Parse(time.DateOnly, it.Value); err != nil {
						r.errf(v, "the date of deadline %s should be written 2027-05-14, not %q", k.Value, it.Value)
					}
					dl.Date = it.Value
				}
				e.Deadlines = append(e.Deadlines, dl)
			}
		default:
			for _, it := range r.items(d, "deadlines") {
				e.Deadlines = append(e.Deadlines, Deadline{Finding: it.Value, Line: it.Line})
			}
		}
	}
	if fn := fs["facts"]; fn != nil {
		if fn.Kind != yaml.MappingNode {
			r.errf(fn, "facts should be \"name: value\" lines, like def_views: true")
		} else {
			for i := 0; i+1 < len(fn.Content); i += 2 {
				k, v := fn.Content[i], fn.Content[i+1]
				fv := FactValue{Name: k.Value, Line: k.Line}
				switch v.Kind {
				case yaml.ScalarNode:
					fv.Value = v.Value
				case yaml.SequenceNode:
					var parts []string
					for _, c := range v.Content {
						parts = append(parts, c.Value)
					}
					fv.Value = "[" + strings.Join(parts, ", ") + "]"
				default:
					r.errf(v, "the fact %s should be one value or a list", k.Value)
				}
				e.Facts = append(e.Facts, fv)
			}
		}
	}
	return e
}

// Files lists the scenario files in dir of fsys: every *.yaml but the terms.
func Files(fsys fs.FS, dir string) ([]string, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	if err != nil {
		return nil, fmt.Errorf("list scenarios: %w", err)
	}
	return slices.DeleteFunc(names, func(n string) bool { return path.Base(n) == TermsFile }), nil
}
