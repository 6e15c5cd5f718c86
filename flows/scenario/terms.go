package scenario

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/redress-legal/redress/flows"
)

// TermsFile is the name of the terms file beside the scenarios.
const TermsFile = "terms.yaml"

// Terms says what the legal reference's words mean in the flow's: which
// findings name each offence module (M1…) and each route (R1…), and which
// findings say each kind of prosecution (public, private, …). A group that
// adapts the flow adapts its terms with it.
type Terms struct {
	File        string
	Modules     []Term
	Routes      []Term
	Prosecution []Term
}

// Term is one word of the terms: an ID, a name for people, and the
// findings that name it, as section.finding patterns (* for any text).
type Term struct {
	ID       string
	Name     string
	Findings []string
	Line     int
}

// String is the term as a failure names it: "M1 (defamation)".
func (t Term) String() string {
	if t.Name == "" {
		return t.ID
	}
	return t.ID + " (" + t.Name + ")"
}

// ParseTerms reads a terms file's bytes; name is used in positions.
func ParseTerms(name string, data []byte) (*Terms, error) {
	r := &reader{file: name}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, Problems{{Pos: flows.Pos{File: name}, Msg: yamlError(err)}}
	}
	if len(doc.Content) == 0 {
		return nil, Problems{{Pos: flows.Pos{File: name}, Msg: "the file is empty"}}
	}
	fs := r.fields(doc.Content[0], "the terms", "modules", "routes", "prosecution")
	t := &Terms{File: name}
	t.Modules = r.terms(fs["modules"], "modules")
	t.Routes = r.terms(fs["routes"], "routes")
	t.Prosecution = r.terms(fs["prosecution"], "prosecution")
	if len(r.probs) > 0 {
		return nil, r.probs
	}
	return t, nil
}

func (r *reader) terms(n *yaml.Node, what string) []Term {
	if n == nil {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		r.errf(n, "%s should be \"ID: {name: ..., findings: [...]}\" lines", what)
		return nil
	}
	var out []Term
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		fs := r.fields(v, what+" "+k.Value, "name", "findings")
		t := Term{ID: k.Value, Line: k.Line}
		if it, ok := r.scalar(fs["name"], "name"); ok {
			t.Name = it.Value
		}
		for _, it := range r.items(fs["findings"], what+" "+k.Value+" findings") {
			t.Findings = append(t.Findings, it.Value)
		}
		if len(t.Findings) == 0 {
			r.errf(v, "%s %s needs findings: the section.finding IDs that name it", what, k.Value)
		}
		out = append(out, t)
	}
	return out
}

// Check reports every pattern of the terms that matches no finding of f:
// a finding renamed or removed in the flow.
func (t *Terms) Check(f *flows.Flow) Problems {
	var probs Problems
	all := findingIDs(f)
	for _, group := range [][]Term{t.Modules, t.Routes, t.Prosecution} {
		for _, term := range group {
			for _, pat := range term.Findings {
				if len(matching(all, pat)) == 0 {
					probs = append(probs, Problem{Pos: flows.Pos{File: t.File, Line: term.Line},
						Msg: fmt.Sprintf("%s: %s matches no finding of the flow %s (findings are written section.id, e.g. offences.def_views)", term.ID, pat, f.ID)})
				}
			}
		}
	}
	return probs
}

// find returns the term with id in group.
func find(group []Term, id string) (Term, bool) {
	for _, t := range group {
		if strings.EqualFold(t.ID, id) {
			return t, true
		}
	}
	return Term{}, false
}

func ids(group []Term) string {
	var out []string
	for _, t := range group {
		out = append(out, t.ID)
	}
	return strings.Join(out, ", ")
}

// findingIDs lists every finding of f as section.id, in file order.
func findingIDs(f *flows.Flow) []string {
	var secs []*flows.Section
	for _, s := range f.Sections {
		secs = append(secs, s)
	}
	slices.SortFunc(secs, func(a, b *flows.Section) int { return a.Pos.Line - b.Pos.Line })
	var out []string
	for _, s := range secs {
		for _, fd := range s.Findings {
			out = append(out, s.ID+"."+fd.ID)
		}
	}
	return out
}

// matching lists the findings a section.finding pattern matches.
func matching(all []string, pat string) []string {
	var out []string
	for _, id := range all {
		if ok, _ := path.Match(pat, id); ok {
			out = append(out, id)
		}
	}
	return out
}
