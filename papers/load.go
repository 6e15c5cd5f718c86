package papers

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"text/template"
	"text/template/parse"

	"go.yaml.in/yaml/v3"

	"github.com/redress-legal/redress/flows"
)

// Templates are the built-in templates, read by LoadDefault.
//
//go:embed templates/*.yaml
var Templates embed.FS

// TemplatesDir is the directory of Templates holding the files.
const TemplatesDir = "templates"

// CommonFile is the file of a template set holding what every document
// shares: the tool notice, the answers' labels, the evidence list's words,
// the evidence to gather and the guide's headings. Every other *.yaml file
// is one document.
const CommonFile = "common.yaml"

// Set is a checked set of templates, bound to the flow it was checked
// against. It is immutable and safe for concurrent use.
type Set struct {
	flow     *flows.Flow
	docs     []*docTemplate
	notice   string
	labels   map[string]map[string]string // node → option key → how a document says it
	victim   map[string]string            // q0_who option → the word for the person attacked ("" the filer)
	evidence evidenceText
	gather   []gatherRow
	guides   map[string]guideText // language → the guide's own words
}

// docTemplate is one document's template.
type docTemplate struct {
	id, file, title string
	when            *flows.Expr
	cite            []string
	guide           map[string]docGuide
	body            []tblock
	pos             flows.Pos
	victim          map[string]string // this document's own victim words, over common.yaml's
	filer           string            // the document's word for the one filing: 控告人, 自诉人…
}

// tblock is one block of a template: its kind, its text as a template,
// and the condition under which it is shown.
type tblock struct {
	kind Kind
	text *template.Template // nil for a table
	when *flows.Expr
	pos  flows.Pos
}

// docGuide is what the guide says of one document, in one language.
type docGuide struct {
	name, purpose, where string
	fill                 []string
}

// guideText is the guide's own words in one language.
type guideText struct {
	file, title, intro, purpose, where, fill, check string
}

// evidenceText is what the evidence list's table says.
type evidenceText struct {
	columns     []string
	widths      []int
	kinds       map[string]string // file, link, note
	platforms   map[string]string
	counts      *template.Template
	blank       string // an empty cell to fill in
	none        string // a cell that has nothing (no hash for a link)
	blankName   string
	blankProves string
	timeFormat  string
}

// gatherRow is a row of the evidence list shown while no evidence is
// logged: evidence the assessment says to gather, when its condition holds.
type gatherRow struct {
	when                 *flows.Expr
	name, source, proves string
}

// Problem is a problem in a template file, at a line.
// It is the flow checker's own type, so every checker prints alike.
type Problem = flows.Problem

// Problems is every problem found in a set of templates.
type Problems = flows.Problems

// LoadDefault loads the built-in templates for f.
func LoadDefault(f *flows.Flow) (*Set, error) {
	sub, err := fs.Sub(Templates, TemplatesDir)
	if err != nil {
		return nil, fmt.Errorf("papers: %w", err)
	}
	return Load(f, sub, "papers/templates")
}

// Load reads and checks the templates in fsys (CommonFile and the
// documents' *.yaml files) against f; problems are reported under prefix
// (the directory as the author knows it). It fails on any problem.
func Load(f *flows.Flow, fsys fs.FS, prefix string) (*Set, error) {
	s, probs := Check(f, fsys, prefix)
	if len(probs) > 0 {
		return nil, probs
	}
	return s, nil
}

// Check reads the templates in fsys and reports every problem at once, as
// file:line: the flow's checker's words for a condition, an unknown name
// or an option key in a paragraph, a label missing for an option, a
// document without its guide. The set is nil when there are problems.
func Check(f *flows.Flow, fsys fs.FS, prefix string) (*Set, Problems) {
	c := &checker{flow: f, prefix: prefix, names: f.Names()}
	s := &Set{flow: f, labels: map[string]map[string]string{}, guides: map[string]guideText{}}
	c.set = s
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil || len(names) == 0 {
		c.errf(flows.Pos{File: prefix}, nil, "no template files (*.yaml) found")
		return nil, c.probs
	}
	if !slices.Contains(names, CommonFile) {
		c.errf(flows.Pos{File: path.Join(prefix, CommonFile)}, nil, "missing: it holds the notice, the labels and the guide's headings every document uses")
		return nil, c.probs
	}
	// The common file first: the documents use its labels.
	c.common(s, fsys)
	for _, name := range names {
		if name == CommonFile {
			continue
		}
		if t := c.document(s, fsys, name); t != nil {
			s.docs = append(s.docs, t)
		}
	}
	seen := map[string]string{}
	for _, t := range s.docs {
		for _, key := range []string{"id " + t.id, "file " + t.file} {
			if other, dup := seen[key]; dup {
				c.probs = append(c.probs, Problem{Pos: t.pos, Msg: fmt.Sprintf("the %s is used by %s too: each document needs its own", key, other)})
			}
			seen[key] = t.pos.File
		}
		for lang := range s.guides {
			if _, ok := t.guide[lang]; !ok {
				c.probs = append(c.probs, Problem{Pos: t.pos, Msg: fmt.Sprintf("the guide in %q is missing (common.yaml has a guide in that language)", lang)})
			}
		}
	}
	sort.SliceStable(s.docs, func(i, j int) bool { return s.docs[i].file < s.docs[j].file })
	if len(c.probs) > 0 {
		sort.SliceStable(c.probs, func(i, j int) bool {
			a, b := c.probs[i].Pos, c.probs[j].Pos
			if a.File != b.File {
				return a.File < b.File
			}
			return a.Line < b.Line
		})
		return nil, c.probs
	}
	return s, nil
}

type checker struct {
	flow   *flows.Flow
	prefix string
	names  map[string]any
	set    *Set // the set being read: the documents use the common file's labels
	file   string
	probs  Problems
}

func (c *checker) pos(n *yaml.Node) flows.Pos {
	p := flows.Pos{File: path.Join(c.prefix, c.file)}
	if n != nil {
		p.Line = n.Line
	}
	return p
}

func (c *checker) errf(p flows.Pos, n *yaml.Node, format string, args ...any) {
	if n != nil {
		p = c.pos(n)
	}
	c.probs = append(c.probs, Problem{Pos: p, Msg: fmt.Sprintf(format, args...)})
}

func (c *checker) at(n *yaml.Node, format string, args ...any) {
	c.errf(flows.Pos{}, n, format, args...)
}

// read parses one file into its root mapping.
func (c *checker) read(fsys fs.FS, name string) *yaml.Node {
	c.file = name
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		c.errf(c.pos(nil), nil, "cannot read: %v", err)
		return nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		msg := err.Error()
		line := 0
		if m := regexp.MustCompile(`line (\d+)`).FindStringSubmatch(msg); m != nil {
			fmt.Sscan(m[1], &line)
		}
		c.probs = append(c.probs, Problem{Pos: flows.Pos{File: path.Join(c.prefix, name), Line: line}, Msg: "not valid YAML: " + strings.TrimPrefix(msg, "yaml: ")})
		return nil
	}
	if len(doc.Content) == 0 {
		c.errf(c.pos(nil), nil, "the file is empty")
		return nil
	}
	return doc.Content[0]
}

// fields returns a mapping's values by key, reporting unknown and repeated
// keys and the required ones missing.
func (c *checker) fields(n *yaml.Node, what string, required []string, optional ...string) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	if n == nil {
		return out
	}
	if n.Kind != yaml.MappingNode {
		c.at(n, "%s should be a set of \"key: value\" lines", what)
		return out
	}
	allowed := append(slices.Clone(required), optional...)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !slices.Contains(allowed, k.Value) {
			c.at(k, "%s has an unknown key %q (allowed: %s)", what, k.Value, strings.Join(allowed, ", "))
			continue
		}
		if _, dup := out[k.Value]; dup {
			c.at(k, "%s has the key %q twice", what, k.Value)
			continue
		}
		out[k.Value] = v
	}
	for _, r := range required {
		if out[r] == nil {
			c.at(n, "%s needs %q", what, r)
		}
	}
	return out
}

func (c *checker) str(n *yaml.Node, what string) string {
	if n == nil {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		c.at(n, "%s should be a single text, not a list or a set of keys", what)
		return ""
	}
	return strings.TrimSpace(n.Value)
}

func (c *checker) strs(n *yaml.Node, what string) []string {
	if n == nil {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		c.at(n, "%s should be a list (lines starting with \"- \")", what)
		return nil
	}
	var out []string
	for _, e := range n.Content {
		out = append(out, c.str(e, what))
	}
	return out
}

func (c *checker) strMap(n *yaml.Node, what string) map[string]string {
	out := map[string]string{}
	if n == nil {
		return out
	}
	if n.Kind != yaml.MappingNode {
		c.at(n, "%s should be a set of \"key: text\" lines", what)
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		out[n.Content[i].Value] = c.str(n.Content[i+1], what+" "+n.Content[i].Value)
	}
	return out
}

// cond compiles a condition as the flow does.
func (c *checker) cond(n *yaml.Node, what string) *flows.Expr {
	src := c.str(n, what)
	if n == nil {
		return nil
	}
	e, err := c.flow.CompileCondition(src, c.pos(n))
	if err != nil {
		c.at(n, "%s: %v", what, err)
		return nil
	}
	return e
}

// common reads CommonFile.
func (c *checker) common(s *Set, fsys fs.FS) {
	root := c.read(fsys, CommonFile)
	if root == nil {
		return
	}
	fs := c.fields(root, "common.yaml", []string{"notice", "labels", "evidence", "gather", "guide"}, VictimKey)
	s.notice = flatten(c.str(fs["notice"], "notice"))
	s.victim = c.victimWords(fs[VictimKey], true)
	if n := fs["labels"]; n != nil && n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			keys, ok := c.flow.OptionKeys(k.Value)
			if !ok {
				c.at(k, "labels: %q is not a question of the flow with options", k.Value)
				continue
			}
			m := c.strMap(v, "labels of "+k.Value)
			for key, l := range m {
				if strings.Contains(l, "{{") {
					if _, err := template.New("label").Funcs(stubFuncs).Parse(l); err != nil {
						c.at(v, "labels of %s: %s: the text does not work: %v", k.Value, key, err)
					}
				}
				if !slices.Contains(keys, key) {
					c.at(v, "labels of %s: %q is not an option of %s (its options: %s)", k.Value, key, k.Value, strings.Join(keys, ", "))
				}
			}
			var missing []string
			for _, key := range keys {
				if _, ok := m[key]; !ok {
					missing = append(missing, key)
				}
			}
			if len(missing) > 0 {
				c.at(k, "labels of %s: no label for %s (write \"\" for an option a document never names)", k.Value, strings.Join(missing, ", "))
			}
			s.labels[k.Value] = m
		}
	} else if n != nil {
		c.at(n, "labels should be a set of questions, each a set of \"option: label\" lines")
	}
	ev := c.fields(fs["evidence"], "evidence", []string{"columns", "widths", "kinds", "platforms", "counts", "blank", "none", "blank_name", "blank_proves", "time"})
	s.evidence = evidenceText{
		columns:     c.strs(ev["columns"], "evidence columns"),
		kinds:       c.strMap(ev["kinds"], "evidence kinds"),
		platforms:   c.strMap(ev["platforms"], "evidence platforms"),
		blank:       c.str(ev["blank"], "evidence blank"),
		none:        c.str(ev["none"], "evidence none"),
		blankName:   c.str(ev["blank_name"], "evidence blank_name"),
		blankProves: c.str(ev["blank_proves"], "evidence blank_proves"),
		timeFormat:  c.str(ev["time"], "evidence time"),
	}
	if len(s.evidence.columns) != len(evidenceColumns) && ev["columns"] != nil {
		c.at(ev["columns"], "evidence columns: %d headings needed, in this order: %s", len(evidenceColumns), strings.Join(evidenceColumns, ", "))
	}
	for _, w := range c.strs(ev["widths"], "evidence widths") {
		var x int
		if _, err := fmt.Sscan(w, &x); err != nil || x <= 0 {
			c.at(ev["widths"], "evidence widths: %q is not a positive whole number", w)
		}
		s.evidence.widths = append(s.evidence.widths, x)
	}
	if total := sum(s.evidence.widths); ev["widths"] != nil && (len(s.evidence.widths) != len(evidenceColumns) || total != 1000) {
		c.at(ev["widths"], "evidence widths: %d numbers adding up to 1000 needed (now %d adding up to %d)", len(evidenceColumns), len(s.evidence.widths), total)
	}
	for _, k := range []string{string(flows.EvidenceFile), string(flows.EvidenceLink), string(flows.EvidenceNote)} {
		if _, ok := s.evidence.kinds[k]; !ok && ev["kinds"] != nil {
			c.at(ev["kinds"], "evidence kinds: no words for %q", k)
		}
	}
	if _, ok := s.evidence.platforms["other"]; !ok && ev["platforms"] != nil {
		c.at(ev["platforms"], "evidence platforms: no words for \"other\"")
	}
	if s.evidence.timeFormat != "" && !strings.Contains(s.evidence.timeFormat, "2006") {
		c.at(ev["time"], "evidence time: write the format with Go's reference time, e.g. 2006年1月2日 15:04")
	}
	countNames := map[string]any{"views": int64(0), "reposts": int64(0), "comments": int64(0), "likes": int64(0), "seen": ""}
	s.evidence.counts = c.text(ev["counts"], "evidence counts", countNames)
	for i, g := range c.list(fs["gather"], "gather") {
		gf := c.fields(g, fmt.Sprintf("gather row %d", i+1), []string{"name", "source", "proves"}, "when")
		row := gatherRow{name: c.str(gf["name"], "name"), source: c.str(gf["source"], "source"), proves: c.str(gf["proves"], "proves")}
		if gf["when"] != nil {
			row.when = c.cond(gf["when"], fmt.Sprintf("gather row %d", i+1))
		}
		s.gather = append(s.gather, row)
	}
	if n := fs["guide"]; n != nil && n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			lang, v := n.Content[i].Value, n.Content[i+1]
			gf := c.fields(v, "guide "+lang, []string{"file", "title", "intro", "purpose", "where", "fill", "check"})
			g := guideText{file: c.str(gf["file"], "file"), title: c.str(gf["title"], "title"), intro: c.str(gf["intro"], "intro"),
				purpose: c.str(gf["purpose"], "purpose"), where: c.str(gf["where"], "where"), fill: c.str(gf["fill"], "fill"), check: c.str(gf["check"], "check")}
			if gf["file"] != nil && !fileName.MatchString(g.file) {
				c.at(gf["file"], "guide file %q: write it as two digits, a dash and lower-case words joined by dashes (00-guide)", g.file)
			}
			s.guides[lang] = g
		}
	}
}

func sum(xs []int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}

func (c *checker) list(n *yaml.Node, what string) []*yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		c.at(n, "%s should be a list (lines starting with \"- \")", what)
		return nil
	}
	return n.Content
}

// fileName is the form of a document's file name, without .docx: ASCII
// only, so that every program and messenger keeps it as it is.
var fileName = regexp.MustCompile(`^[0-9]{2}-[a-z0-9]+(-[a-z0-9]+)*$`)

// blockKinds are the keys a block of a document's body may have, one each.
var blockKinds = []Kind{KindHeading, KindPara, KindItem, KindLine, KindRight, KindSubtitle, KindTable}

// document reads one document's file.
func (c *checker) document(s *Set, fsys fs.FS, name string) *docTemplate {
	root := c.read(fsys, name)
	if root == nil {
		return nil
	}
	fs := c.fields(root, name, []string{"id", "file", "title", "when", "guide", "body"}, "cite", VictimKey, "filer")
	t := &docTemplate{id: c.str(fs["id"], "id"), file: c.str(fs["file"], "file"), title: c.str(fs["title"], "title"), pos: c.pos(root), guide: map[string]docGuide{}}
	t.victim = c.victimWords(fs[VictimKey], false)
	if fs["filer"] != nil {
		t.filer = c.str(fs["filer"], "filer")
	}
	if fs["file"] != nil && !fileName.MatchString(t.file) {
		c.at(fs["file"], "file %q: write it as two digits, a dash and lower-case words joined by dashes (01-criminal-complaint); the documents are listed in this order", t.file)
	}
	if fs["when"] != nil {
		t.when = c.cond(fs["when"], "the document's condition")
	}
	for _, n := range c.list(fs["cite"], "cite") {
		src := c.str(n, "cite")
		id, _, _ := strings.Cut(src, " ")
		if _, ok := c.flow.Sources[id]; !ok {
			c.at(n, "cite %q: %s is not a source the flow declares (docs/legal/sources.md)", src, id)
		}
		t.cite = append(t.cite, src)
	}
	if n := fs["guide"]; n != nil && n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			lang, v := n.Content[i].Value, n.Content[i+1]
			if _, ok := s.guides[lang]; !ok {
				c.at(n.Content[i], "guide %q: common.yaml has no guide in that language", lang)
			}
			gf := c.fields(v, "guide "+lang, []string{"name", "purpose", "where", "fill"})
			t.guide[lang] = docGuide{name: c.str(gf["name"], "name"), purpose: c.str(gf["purpose"], "purpose"), where: c.str(gf["where"], "where"), fill: c.strs(gf["fill"], "fill")}
		}
	} else if n != nil {
		c.at(n, "guide should be a set of languages (en: ...)")
	}
	body := c.list(fs["body"], "body")
	if fs["body"] != nil && len(body) == 0 {
		c.at(fs["body"], "the body is empty")
	}
	tables := 0
	for i, bn := range body {
		what := fmt.Sprintf("block %d of the body", i+1)
		keys := make([]string, len(blockKinds))
		for j, k := range blockKinds {
			keys[j] = string(k)
		}
		bf := c.fields(bn, what, nil, append(keys, "when")...)
		var b tblock
		for _, k := range blockKinds {
			n := bf[string(k)]
			if n == nil {
				continue
			}
			if b.kind != "" {
				c.at(n, "%s has both %q and %q: one kind a block", what, b.kind, k)
				continue
			}
			b.kind, b.pos = k, c.pos(n)
			if k == KindTable {
				if v := c.str(n, what); v != "evidence" {
					c.at(n, "%s: the only table is \"evidence\" (the evidence list), not %q", what, v)
				}
				tables++
				continue
			}
			b.text = c.text(n, what, c.names)
		}
		if b.kind == "" {
			if bn.Kind == yaml.MappingNode {
				c.at(bn, "%s needs one of: %s", what, strings.Join(keys, ", "))
			}
			continue
		}
		if bf["when"] != nil {
			b.when = c.cond(bf["when"], what)
		}
		t.body = append(t.body, b)
	}
	if tables > 1 {
		c.at(fs["body"], "the evidence table may appear once")
	}
	return t
}

// text parses a block's text as a template and checks every name it reads
// against names, and the question and option keys given to labels, has
// and answered.
func (c *checker) text(n *yaml.Node, what string, names map[string]any) *template.Template {
	src := c.str(n, what)
	if n == nil {
		return nil
	}
	t, err := template.New(what).Option("missingkey=error").Funcs(stubFuncs).Parse(src)
	if err != nil {
		msg := err.Error()
		if i := strings.LastIndex(msg, ": "); i >= 0 {
			msg = msg[i+2:]
		}
		c.at(n, "%s: the text does not work: %s", what, msg)
		return nil
	}
	for _, p := range c.walk(t.Tree.Root, names) {
		c.at(n, "%s: %s", what, p)
	}
	return t
}

// walk lists the problems of a template's names.
func (c *checker) walk(root parse.Node, names map[string]any) []string {
	var out []string
	known := func(name string) {
		if _, ok := names[name]; !ok {
			out = append(out, fmt.Sprintf("{{.%s}}: %q is not a question with an answer, nor a fact", name, name))
		}
	}
	str := func(n parse.Node) (string, bool) {
		s, ok := n.(*parse.StringNode)
		if !ok {
			return "", false
		}
		return s.Text, true
	}
	var visit func(parse.Node)
	visit = func(n parse.Node) {
		switch x := n.(type) {
		case *parse.ListNode:
			if x == nil {
				return
			}
			for _, e := range x.Nodes {
				visit(e)
			}
		case *parse.ActionNode:
			visit(x.Pipe)
		case *parse.IfNode:
			visit(x.Pipe)
			visit(x.List)
			visit(x.ElseList)
		case *parse.RangeNode:
			visit(x.Pipe)
			visit(x.List)
			visit(x.ElseList)
		case *parse.WithNode:
			visit(x.Pipe)
			visit(x.List)
			visit(x.ElseList)
		case *parse.PipeNode:
			if x == nil {
				return
			}
			for _, cmd := range x.Cmds {
				visit(cmd)
			}
		case *parse.CommandNode:
			if id, ok := x.Args[0].(*parse.IdentifierNode); ok {
				switch id.Ident {
				case "labels":
					if len(x.Args) >= 2 {
						if node, ok := str(x.Args[1]); ok {
							if _, has := c.labelsOf(node); !has {
								out = append(out, fmt.Sprintf("labels %q: common.yaml has no labels for %s", node, node))
							}
						}
					}
				case "count":
					if len(x.Args) < 3 || len(x.Args) > 4 {
						out = append(out, `count: write {{count "q4_views" "次"}} (the question, the unit, and optionally "约")`)
					} else if node, ok := str(x.Args[1]); ok {
						if _, has := names[node]; !has {
							out = append(out, fmt.Sprintf("count %q: %s is not a question with an answer", node, node))
						}
					}
				case "answered":
					if len(x.Args) == 2 {
						if node, ok := str(x.Args[1]); ok {
							if _, has := names[node]; !has {
								out = append(out, fmt.Sprintf("answered %q: %s is not a question with an answer", node, node))
							}
						}
					}
				case "has":
					if len(x.Args) == 3 {
						if f, ok := x.Args[1].(*parse.FieldNode); ok {
							if key, ok := str(x.Args[2]); ok {
								if keys, ok := c.flow.OptionKeys(f.Ident[0]); ok && !slices.Contains(keys, key) {
									out = append(out, fmt.Sprintf("has .%s %q: %q is not an option of %s (its options: %s)", f.Ident[0], key, key, f.Ident[0], strings.Join(keys, ", ")))
								}
							}
						}
					}
				}
			}
			for _, a := range x.Args {
				visit(a)
			}
		case *parse.FieldNode:
			known(x.Ident[0])
		case *parse.ChainNode:
			visit(x.Node)
		case *parse.TemplateNode:
			out = append(out, "{{template}} is not supported in a document")
		}
	}
	visit(root)
	return out
}

// labelsOf returns the labels of node, read from common.yaml before the
// documents.
func (c *checker) labelsOf(node string) (map[string]string, bool) {
	m, ok := c.set.labels[node]
	return m, ok
}

// VictimKey is the key, in common.yaml and in a document, of the words for
// the person attacked: by the answer of VictimNode, the word a document
// uses for the victim, or "" where the one filing is the victim ({{victim
// "控告人"}} then says the filer's own word, its argument).
const VictimKey = "victim"

// VictimNode is the question saying who is talking: the victim, a parent,
// a helper, a relative of someone who died.
const VictimNode = "q0_who"

// victimWords reads a victim map; all says every option needs a word (the
// common file; a document gives only those it changes).
func (c *checker) victimWords(n *yaml.Node, all bool) map[string]string {
	if n == nil {
		return nil
	}
	keys, ok := c.flow.OptionKeys(VictimNode)
	if !ok {
		c.at(n, "victim: the flow has no question %s saying who is talking", VictimNode)
		return nil
	}
	m := c.strMap(n, "victim")
	for key := range m {
		if !slices.Contains(keys, key) {
			c.at(n, "victim: %q is not an option of %s (its options: %s)", key, VictimNode, strings.Join(keys, ", "))
		}
	}
	if all {
		var missing []string
		for _, key := range keys {
			if _, ok := m[key]; !ok {
				missing = append(missing, key)
			}
		}
		if len(missing) > 0 {
			c.at(n, "victim: no word for %s (write \"\" where the one filing is the victim)", strings.Join(missing, ", "))
		}
	}
	return m
}
