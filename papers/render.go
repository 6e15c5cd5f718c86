package papers

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/redress-legal/redress/flows"
)

// evidenceColumns are the evidence list's columns, in order; common.yaml
// gives each its heading.
var evidenceColumns = []string{"no", "name", "source", "proves", "time", "sha256"}

// Date formats: a document's dates are Chinese, whatever the reader's language.
const (
	dateFormat = "2006年1月2日"
	dateBlank  = "【____年__月__日】"
)

// stubFuncs are the functions a text may call, for parsing; each rendering
// binds them to its answers (funcs).
var stubFuncs = template.FuncMap{
	"num":      func(any) string { return "" },
	"date":     func(any) string { return "" },
	"labels":   func(string, ...string) string { return "" },
	"has":      func(any, string) bool { return false },
	"answered": func(string) bool { return false },
	"today":    func() string { return "" },
	"victim":   func(...string) string { return "" },
	"count":    func(string, string, ...string) string { return "" },
}

// Input is what the documents of one conversation are made from.
type Input struct {
	State flows.State
	// Report is the assessment of State (flows.Assess): documents exist
	// only for a conversation that reached its outcome, and are dated as
	// of its day.
	Report *flows.Report
	// Evidence is the user's evidence log, removed items included (they
	// are not listed).
	Evidence []flows.EvidenceItem
	// Lang is the user's language: the guide is in it, when the set has one.
	Lang string
}

// Files is what Generate makes: the documents that apply, in order, and
// the guide to them in the user's language (nil when there is none in
// that language, or no document applies).
type Files struct {
	Docs  []Document
	Guide *Document
}

// ErrNotDone says that the conversation has no assessment yet.
var ErrNotDone = errors.New("papers: the conversation has not reached its assessment")

// Generate makes the documents that apply to in, as .docx files.
func (s *Set) Generate(in Input) (Files, error) {
	if in.Report == nil {
		return Files{}, ErrNotDone
	}
	day := flows.Day(in.Report.Date)
	env := s.flow.Env(in.State, day.Add(12*time.Hour))
	r := &renderer{set: s, env: env, day: day}
	var out Files
	for _, t := range s.docs {
		ok, err := t.when.Holds(env)
		if err != nil {
			return Files{}, fmt.Errorf("papers: %s: %w", t.id, err)
		}
		if !ok {
			continue
		}
		doc, err := r.document(t, in)
		if err != nil {
			return Files{}, fmt.Errorf("papers: %s: %w", t.id, err)
		}
		out.Docs = append(out.Docs, doc)
	}
	if g, ok := s.guides[in.Lang]; ok && len(out.Docs) > 0 {
		doc, err := r.guide(g, in.Lang, out.Docs)
		if err != nil {
			return Files{}, fmt.Errorf("papers: guide: %w", err)
		}
		out.Guide = &doc
	}
	return out, nil
}

// renderer renders the documents of one conversation.
type renderer struct {
	set *Set
	env map[string]any
	day time.Time
	doc *docTemplate // the document being rendered
}

// funcs are the functions of a text, bound to the conversation's answers.
func (r *renderer) funcs() template.FuncMap {
	return template.FuncMap{
		"num":  num,
		"date": date,
		"labels": func(node string, sep ...string) string {
			return r.labels(node, r.env[node], sep...)
		},
		"has": func(v any, key string) bool {
			switch x := v.(type) {
			case []string:
				return slices.Contains(x, key)
			case string:
				return x == key
			}
			return false
		},
		"answered": func(node string) bool {
			list, _ := r.env["answered"].([]string)
			return slices.Contains(list, node)
		},
		"today":  func() string { return r.day.Format(dateFormat) },
		"victim": r.victim,
		"count": func(node, unit string, approx ...string) string {
			list, _ := r.env["at_least"].([]string)
			if slices.Contains(list, node) {
				return num(r.env[node]) + unit + "以上" // "3万多": a lower bound
			}
			return strings.Join(approx, "") + num(r.env[node]) + unit
		},
	}
}

// victim is the word for the person attacked, by who is talking
// (VictimNode): the document's own word, else common.yaml's; filer (the
// document's word for the one filing) where that is "" — the one filing
// is the victim.
func (r *renderer) victim(word ...string) string {
	filer := ""
	if r.doc != nil {
		filer = r.doc.filer
	}
	if len(word) > 0 {
		filer = word[0]
	}
	if filer == "" {
		filer = "被害人"
	}
	who, _ := r.env[VictimNode].(string)
	w, ok := "", false
	if r.doc != nil {
		w, ok = r.doc.victim[who]
	}
	if !ok {
		w = r.set.victim[who]
	}
	if w == "" {
		return filer
	}
	return w
}

// labels is how a document names the answer v of node: the labels of the
// options chosen, in the question's order, joined by 、 (or sep).
func (r *renderer) labels(node string, v any, sep ...string) string {
	var chosen []string
	switch x := v.(type) {
	case []string:
		chosen = x
	case string:
		if x != "" {
			chosen = []string{x}
		}
	}
	keys, _ := r.set.flow.OptionKeys(node)
	var out []string
	for _, k := range keys {
		if slices.Contains(chosen, k) {
			if l := r.set.labels[node][k]; l != "" {
				out = append(out, r.label(l))
			}
		}
	}
	join := "、"
	if len(sep) > 0 {
		join = sep[0]
	}
	return strings.Join(out, join)
}

// label renders a label that names someone ({{victim}}): the words of
// the document being rendered.
func (r *renderer) label(l string) string {
	if !strings.Contains(l, "{{") {
		return l
	}
	t, err := template.New("label").Funcs(r.funcs()).Parse(l)
	if err != nil {
		return l // the checker reports it
	}
	var b strings.Builder
	if err := t.Execute(&b, r.env); err != nil {
		return l
	}
	return b.String()
}

// grouped prints numbers with digit grouping (12,000), as documents in
// Chinese write them.
var grouped = message.NewPrinter(language.English)

// num writes a number with digit grouping: 12,000.
func num(v any) string {
	var n int64
	switch x := v.(type) {
	case int:
		n = int64(x)
	case int64:
		n = x
	case float64:
		n = int64(x)
	default:
		return "【数字】"
	}
	return grouped.Sprintf("%d", n)
}

// date writes a date as a Chinese document does (2026年11月14日); a date
// not given is a blank to fill in.
func date(v any) string {
	t, ok := v.(time.Time)
	if !ok || t.IsZero() {
		return dateBlank
	}
	return t.In(flows.China).Format(dateFormat)
}

// exec renders a text with data (the answers, unless given).
func (r *renderer) exec(t *template.Template, data any) (string, error) {
	if t == nil {
		return "", nil
	}
	c, err := t.Clone()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := c.Funcs(r.funcs()).Execute(&b, data); err != nil {
		return "", err
	}
	return flatten(b.String()), nil
}

// flatten joins the lines of a rendered text: a paragraph of Chinese may
// be written over several lines of a file, and Chinese puts no space
// between them. A line ending in "\\" keeps its line break.
func flatten(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		l = strings.TrimSpace(l)
		if k, ok := strings.CutSuffix(l, `\`); ok {
			b.WriteString(k + "\n")
			continue
		}
		b.WriteString(l)
	}
	return strings.TrimSpace(b.String())
}

// document renders one document.
func (r *renderer) document(t *docTemplate, in Input) (Document, error) {
	doc := Document{ID: t.id, File: t.file + ".docx", Title: t.title, Name: t.title, Lang: "zh-Hans"}
	r.doc = t
	defer func() { r.doc = nil }()
	if g, ok := t.guide[in.Lang]; ok {
		doc.Name = g.name
	}
	doc.Blocks = append(doc.Blocks, Block{Kind: KindTitle, Text: t.title})
	item := 0
	for _, b := range t.body {
		if b.when != nil {
			ok, err := b.when.Holds(r.env)
			if err != nil {
				return Document{}, fmt.Errorf("%s:%d: %w", b.pos.File, b.pos.Line, err)
			}
			if !ok {
				continue
			}
		}
		if b.kind == KindTable {
			doc.Blocks = append(doc.Blocks, Block{Kind: KindTable, Rows: r.evidenceRows(in.Evidence), Widths: r.set.evidence.widths})
			continue
		}
		text, err := r.exec(b.text, r.env)
		if err != nil {
			return Document{}, fmt.Errorf("%s:%d: %w", b.pos.File, b.pos.Line, err)
		}
		if text == "" {
			continue // a text whose every part had a condition that did not hold
		}
		switch b.kind {
		case KindHeading:
			item = 0
		case KindItem:
			item++
			text = "（" + chineseNumber(item) + "）" + text
		}
		doc.Blocks = append(doc.Blocks, Block{Kind: b.kind, Text: text})
	}
	doc.Blocks = append(doc.Blocks, Block{Kind: KindNotice, Text: r.set.notice})
	data, err := writeDOCX(&doc)
	if err != nil {
		return Document{}, err
	}
	doc.DOCX = data
	return doc, nil
}

// evidenceRows is the evidence table: its headings, then the active items
// of the log, or, while none is logged, the evidence the assessment says
// to gather, as rows to fill in.
func (r *renderer) evidenceRows(items []flows.EvidenceItem) [][]string {
	ev := r.set.evidence
	rows := [][]string{slices.Clone(ev.columns)}
	n := 0
	for _, it := range items {
		if !it.Active() {
			continue
		}
		n++
		name := strings.TrimSpace(it.Description)
		if name == "" {
			name = it.FileName
		}
		if it.Kind == flows.EvidenceLink && it.URL != "" {
			if name == "" {
				name = it.URL
			} else {
				name += "\n" + it.URL
			}
		}
		if name == "" {
			name = ev.blankName
		}
		source := ev.kinds[string(it.Kind)]
		if it.Platform != "" {
			p, ok := ev.platforms[it.Platform]
			if !ok {
				p = ev.platforms["other"]
			}
			source += "（" + p + "）"
		}
		proves := r.counts(it.Counts)
		if proves == "" {
			proves = ev.blankProves
		}
		hash := it.SHA256
		if hash == "" {
			hash = ev.none
		}
		when := ev.blank
		if !it.Received.IsZero() {
			when = it.Received.In(flows.China).Format(ev.timeFormat)
		}
		rows = append(rows, []string{strconv.Itoa(n), name, source, proves, when, hash})
	}
	if n > 0 {
		return rows
	}
	for _, g := range r.set.gather {
		if g.when != nil {
			if ok, err := g.when.Holds(r.env); err != nil || !ok {
				continue
			}
		}
		n++
		rows = append(rows, []string{strconv.Itoa(n), g.name, g.source, g.proves, ev.blank, ev.blank})
	}
	return rows
}

// counts says what an item's figures show, as common.yaml words it; ""
// when the user gave none.
func (r *renderer) counts(c flows.EvidenceCounts) string {
	if c.Views == 0 && c.Reposts == 0 && c.Comments == 0 && c.Likes == 0 {
		return ""
	}
	seen := ""
	if !c.SeenAt.IsZero() {
		seen = c.SeenAt.In(flows.China).Format(dateFormat)
	}
	s, err := r.exec(r.set.evidence.counts, map[string]any{"views": c.Views, "reposts": c.Reposts, "comments": c.Comments, "likes": c.Likes, "seen": seen})
	if err != nil {
		return ""
	}
	return strings.TrimRight(s, "，、；;, ")
}

// guide renders the guide to docs in one language: a first page listing
// them, then one page for each.
func (r *renderer) guide(g guideText, lang string, docs []Document) (Document, error) {
	doc := Document{ID: "guide", File: g.file + ".docx", Title: g.title, Name: g.title, Lang: lang}
	doc.Blocks = append(doc.Blocks, Block{Kind: KindTitle, Text: g.title}, Block{Kind: KindPara, Text: flattenSpaced(g.intro)})
	for _, d := range docs {
		doc.Blocks = append(doc.Blocks, Block{Kind: KindBullet, Text: d.File + " — " + d.Name + " (" + d.Title + ")"})
	}
	doc.Blocks = append(doc.Blocks, Block{Kind: KindNotice, Text: flattenSpaced(g.check)})
	for _, d := range docs {
		t := r.set.doc(d.ID)
		dg := t.guide[lang]
		doc.Blocks = append(doc.Blocks,
			Block{Kind: KindPageBreak},
			Block{Kind: KindTitle, Text: dg.name},
			Block{Kind: KindSubtitle, Text: d.Title + " — " + d.File},
			Block{Kind: KindHeading, Text: g.purpose}, Block{Kind: KindLine, Text: flattenSpaced(dg.purpose)},
			Block{Kind: KindHeading, Text: g.where}, Block{Kind: KindLine, Text: flattenSpaced(dg.where)},
			Block{Kind: KindHeading, Text: g.fill})
		for _, f := range dg.fill {
			doc.Blocks = append(doc.Blocks, Block{Kind: KindBullet, Text: flattenSpaced(f)})
		}
		doc.Blocks = append(doc.Blocks, Block{Kind: KindNotice, Text: flattenSpaced(g.check)})
	}
	data, err := writeDOCX(&doc)
	if err != nil {
		return Document{}, err
	}
	doc.DOCX = data
	return doc, nil
}

// flattenSpaced joins the lines of an English text with spaces.
func flattenSpaced(s string) string { return strings.Join(strings.Fields(s), " ") }

// doc returns the template of id.
func (s *Set) doc(id string) *docTemplate {
	for _, t := range s.docs {
		if t.id == id {
			return t
		}
	}
	return nil
}

// chineseNumber writes 1–99 in Chinese numerals, as items are numbered:
// 一, 十, 十一, 二十三.
func chineseNumber(n int) string {
	digits := []string{"", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	switch {
	case n <= 0 || n >= 100:
		return strconv.Itoa(n)
	case n < 10:
		return digits[n]
	case n < 20:
		return "十" + digits[n%10]
	}
	return digits[n/10] + "十" + digits[n%10]
}
