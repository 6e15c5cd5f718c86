package locales

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"strings"
	"text/template/parse"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// Problem is something wrong in a catalog, at file:line.
type Problem struct {
	File    string
	Line    int
	Msg     string
	Warning bool
}

// String formats the problem as file:line: message.
func (p Problem) String() string {
	sev := ""
	if p.Warning {
		sev = "warning: "
	}
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s%s", p.File, p.Line, sev, p.Msg)
	}
	return fmt.Sprintf("%s: %s%s", p.File, sev, p.Msg)
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

// HasErrors reports whether any problem is an error rather than a warning.
func HasErrors(ps Problems) bool {
	for _, p := range ps {
		if !p.Warning {
			return true
		}
	}
	return false
}

// messageKeys are the keys of a message table: its description and plural forms.
var messageKeys = []string{"description", "hash", "leftdelim", "rightdelim", "zero", "one", "two", "few", "many", "other"}

var header = regexp.MustCompile(`^\s*\[\s*("?[^\]"]+"?)\s*\]`)

// Check reads every *.toml catalog at the top of fsys and reports every
// problem: TOML syntax, a message without text or translator description,
// unknown keys, templates that do not parse, and a catalog whose messages or
// placeholders differ from the English one, and the distress phrases (CheckDistress). The catalog is usable when the
// problems hold no errors.
func Check(fsys fs.FS) (*Catalog, Problems) {
	c := &Catalog{bundle: i18n.NewBundle(language.English), messages: map[string]map[string]*entry{}, loc: map[string]*i18n.Localizer{}}
	var probs Problems
	broken := map[string]bool{} // languages with a file that is not TOML: not compared
	names, err := fs.Glob(fsys, "*.toml")
	if err != nil || len(names) == 0 {
		return c, Problems{{File: "locales", Msg: "no catalog files (*.toml) found"}}
	}
	sort.Strings(names)
	for _, name := range names {
		lang, ok := langOf(name)
		if !ok {
			probs = append(probs, Problem{File: name, Msg: "a catalog file must be named <name>.<language>.toml, e.g. active.en.toml"})
			continue
		}
		tag, err := language.Parse(lang)
		if err != nil {
			probs = append(probs, Problem{File: name, Msg: fmt.Sprintf("%q is not a language code", lang)})
			continue
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			probs = append(probs, Problem{File: name, Msg: "cannot read: " + err.Error()})
			continue
		}
		msgs, ps := parseFile(name, data)
		probs = append(probs, ps...)
		if msgs == nil && len(ps) > 0 {
			broken[lang] = true
		}
		if c.messages[lang] == nil {
			c.messages[lang] = map[string]*entry{}
			c.langs = append(c.langs, lang)
		}
		var list []*i18n.Message
		for _, e := range msgs {
			if prev, dup := c.messages[lang][e.msg.ID]; dup {
				probs = append(probs, Problem{File: name, Line: e.line, Msg: fmt.Sprintf("the message %s is already defined in %s:%d", e.msg.ID, prev.file, prev.line)})
				continue
			}
			c.messages[lang][e.msg.ID] = e
			list = append(list, e.msg)
		}
		if err := c.bundle.AddMessages(tag, list...); err != nil {
			probs = append(probs, Problem{File: name, Msg: "cannot use the messages: " + err.Error()})
		}
	}
	sortLangs(c.langs)
	if !c.hasLang(Source) {
		probs = append(probs, Problem{File: "locales", Msg: "there is no English catalog (*.en.toml): it is the source every translation follows"})
		return c, probs
	}
	probs = append(probs, c.compare(broken)...)
	var dprobs Problems
	c.distress, dprobs = CheckDistress(fsys, c.langs)
	probs = append(probs, dprobs...)
	sort.SliceStable(probs, func(i, j int) bool {
		if probs[i].File != probs[j].File {
			return probs[i].File < probs[j].File
		}
		return probs[i].Line < probs[j].Line
	})
	return c, probs
}

// parseFile decodes one catalog file into messages with their lines.
func parseFile(name string, data []byte) ([]*entry, Problems) {
	var raw map[string]any
	if _, err := toml.Decode(string(data), &raw); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, Problems{{File: name, Line: pe.Position.Line, Msg: "this is not valid TOML: " + pe.Message}}
		}
		return nil, Problems{{File: name, Msg: "this is not valid TOML: " + err.Error()}}
	}
	lines := map[string]int{}
	for i, l := range strings.Split(string(data), "\n") {
		if m := header.FindStringSubmatch(l); m != nil {
			lines[strings.Trim(m[1], `"`)] = i + 1
		}
	}
	var out []*entry
	var probs Problems
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		isMsg := false
		for _, k := range keys {
			if _, sub := m[k].(map[string]any); !sub && slices.Contains(messageKeys, strings.ToLower(k)) {
				isMsg = true
			}
		}
		if isMsg && prefix != "" {
			e := &entry{file: name, line: lines[prefix], msg: &i18n.Message{ID: prefix}}
			fields := map[string]*string{
				"description": &e.msg.Description, "hash": &e.msg.Hash, "leftdelim": &e.msg.LeftDelim,
				"rightdelim": &e.msg.RightDelim, "zero": &e.msg.Zero, "one": &e.msg.One, "two": &e.msg.Two,
				"few": &e.msg.Few, "many": &e.msg.Many, "other": &e.msg.Other,
			}
			for _, k := range keys {
				v := m[k]
				if sub, ok := v.(map[string]any); ok {
					probs = append(probs, Problem{File: name, Line: lines[prefix+"."+k], Msg: fmt.Sprintf("the message %s is also the start of %s.%s: TOML cannot hold both; rename one", prefix, prefix, k)})
					_ = sub
					continue
				}
				s, ok := v.(string)
				if !ok {
					probs = append(probs, Problem{File: name, Line: e.line, Msg: fmt.Sprintf("%s: %q should be text in quotes", prefix, k)})
					continue
				}
				if field, ok := fields[strings.ToLower(k)]; ok {
					*field = s
				} else {
					probs = append(probs, Problem{File: name, Line: e.line, Msg: fmt.Sprintf("%s has an unknown key %q (use description and other)", prefix, k)})
				}
			}
			if strings.TrimSpace(e.msg.Other) == "" {
				probs = append(probs, Problem{File: name, Line: e.line, Msg: fmt.Sprintf("%s has no text: add other = \"...\"", prefix)})
			}
			if strings.TrimSpace(e.msg.Description) == "" {
				probs = append(probs, Problem{File: name, Line: e.line, Msg: fmt.Sprintf("%s has no description for translators: add description = \"...\" saying where it appears and what its placeholders hold", prefix)})
			}
			for _, form := range []string{e.msg.Zero, e.msg.One, e.msg.Two, e.msg.Few, e.msg.Many, e.msg.Other} {
				if _, err := placeholders(form); err != nil {
					probs = append(probs, Problem{File: name, Line: e.line, Msg: fmt.Sprintf("%s: the template does not work: %v", prefix, err)})
					break
				}
			}
			out = append(out, e)
			return
		}
		for _, k := range keys {
			id := k
			if prefix != "" {
				id = prefix + "." + k
			}
			sub, ok := m[k].(map[string]any)
			if !ok {
				probs = append(probs, Problem{File: name, Line: lines[prefix], Msg: fmt.Sprintf("%s is not a message: write it as a [%s] table with description and other", id, id)})
				continue
			}
			walk(id, sub)
		}
	}
	walk("", raw)
	return out, probs
}

// placeholders returns the {{.name}} fields a template uses.
func placeholders(tmpl string) ([]string, error) {
	if !strings.Contains(tmpl, "{{") {
		return nil, nil
	}
	trees, err := parse.Parse("m", tmpl, "{{", "}}", map[string]any{})
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		switch x := n.(type) {
		case *parse.ListNode:
			if x == nil {
				return
			}
			for _, c := range x.Nodes {
				walk(c)
			}
		case *parse.ActionNode:
			walk(x.Pipe)
		case *parse.PipeNode:
			if x == nil {
				return
			}
			for _, c := range x.Cmds {
				walk(c)
			}
		case *parse.CommandNode:
			for _, a := range x.Args {
				walk(a)
			}
		case *parse.FieldNode:
			seen[x.Ident[0]] = true
		case *parse.IfNode:
			walk(x.Pipe)
			walk(x.List)
			walk(x.ElseList)
		case *parse.RangeNode:
			walk(x.Pipe)
			walk(x.List)
			walk(x.ElseList)
		case *parse.WithNode:
			walk(x.Pipe)
			walk(x.List)
			walk(x.ElseList)
		}
	}
	for _, t := range trees {
		walk(t.Root)
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out, nil
}

// compare checks every translation against the English catalog. A
// message a catalog lacks is no problem here: English is shown for it (a
// partial catalog is usable); Missing lists them, for `redress i18n status`
// and for lint, which wants complete catalogs.
func (c *Catalog) compare(skip map[string]bool) Problems {
	var probs Problems
	src := c.messages[Source]
	for _, lang := range c.langs {
		if lang == Source || skip[lang] {
			continue
		}
		cat := c.messages[lang]
		for _, id := range sortedIDs(src) {
			if e, ok := cat[id]; ok {
				if why := c.Broken(lang, id); why != "" {
					probs = append(probs, Problem{File: e.file, Line: e.line, Msg: why})
				}
			}
		}
		for _, id := range sortedIDs(cat) {
			if _, ok := src[id]; !ok {
				probs = append(probs, Problem{File: cat[id].file, Line: cat[id].line, Msg: fmt.Sprintf("%s is not in the English catalog: remove it, or add it to English first", id)})
			}
		}
	}
	return probs
}

// Missing lists, sorted, the English messages lang's catalog has no
// translation of (English is shown for them).
func (c *Catalog) Missing(lang string) []string {
	var out []string
	for _, id := range sortedIDs(c.messages[Source]) {
		if _, ok := c.messages[lang][id]; !ok {
			out = append(out, id)
		}
	}
	return out
}

// Broken says what is wrong with lang's translation of message id, in
// words a translator understands, or returns "" when nothing is: a
// template that does not parse, placeholders other than the English
// text's, or, for a message with plural forms, a form lang's plural rules
// need that the translation lacks.
func (c *Catalog) Broken(lang, id string) string {
	e, ok := c.messages[lang][id]
	src, inSrc := c.messages[Source][id]
	if !ok || !inSrc {
		return ""
	}
	got, err := formPlaceholders(e.msg)
	if err != nil {
		return fmt.Sprintf("%s: the template does not work: %v", id, err)
	}
	want, _ := formPlaceholders(src.msg)
	if strings.Join(want, ",") != strings.Join(got, ",") {
		return fmt.Sprintf("%s uses the placeholders {%s}, but the English text uses {%s}", id, strings.Join(got, ", "), strings.Join(want, ", "))
	}
	if lang == Source || len(forms(src.msg)) < 2 {
		return ""
	}
	have := forms(e.msg)
	var lack []string
	for _, f := range PluralForms(lang) {
		if _, ok := have[f]; !ok {
			lack = append(lack, f)
		}
	}
	if len(lack) > 0 {
		return fmt.Sprintf("%s counts something, and %s needs the plural forms %s; the translation lacks %s", id, lang, strings.Join(PluralForms(lang), ", "), strings.Join(lack, ", "))
	}
	return ""
}

// formPlaceholders is the union of the placeholders of every plural form
// of m, sorted.
func formPlaceholders(m *i18n.Message) ([]string, error) {
	seen := map[string]bool{}
	for _, text := range forms(m) {
		ps, err := placeholders(text)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			seen[p] = true
		}
	}
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}

// forms returns m's non-empty plural forms by name: "one", "other", ...
func forms(m *i18n.Message) map[string]string {
	out := map[string]string{}
	for name, text := range map[string]string{"zero": m.Zero, "one": m.One, "two": m.Two, "few": m.Few, "many": m.Many, "other": m.Other} {
		if text != "" {
			out[name] = text
		}
	}
	return out
}

// pluralNames are the CLDR plural forms in their usual order.
var pluralNames = []struct {
	name string
	form plural.Form
}{{"zero", plural.Zero}, {"one", plural.One}, {"two", plural.Two}, {"few", plural.Few}, {"many", plural.Many}, {"other", plural.Other}}

// PluralForms lists the plural forms (CLDR: zero, one, two, few, many,
// other) a message that counts something needs in lang: "one, other" in
// English, "other" alone in Chinese, "one, few, many, other" in Russian.
func PluralForms(lang string) []string {
	tag, err := language.Parse(lang)
	if err != nil {
		return []string{"other"}
	}
	used := map[plural.Form]bool{plural.Other: true}
	for n := 0; n <= 1000; n++ {
		used[plural.Cardinal.MatchPlural(tag, n, 0, 0, 0, 0)] = true
		used[plural.Cardinal.MatchPlural(tag, n, 1, 1, 5, 5)] = true // n.5
	}
	used[plural.Cardinal.MatchPlural(tag, 1000000, 0, 0, 0, 0)] = true
	var out []string
	for _, p := range pluralNames {
		if used[p.form] {
			out = append(out, p.name)
		}
	}
	return out
}

// Message is one message of a catalog as a translator sees it.
type Message struct {
	ID          string
	Description string
	Forms       map[string]string // plural form ("one", "other", ...) → text; a message that counts nothing has "other" alone
	File        string            // the catalog file it is in
	Line        int
}

// Message returns lang's message id as it is written in its catalog.
func (c *Catalog) Message(lang, id string) (Message, bool) {
	e, ok := c.messages[lang][id]
	if !ok {
		return Message{}, false
	}
	return Message{ID: id, Description: e.msg.Description, Forms: forms(e.msg), File: e.file, Line: e.line}, true
}

// IDs lists, sorted, the messages of lang's catalog.
func (c *Catalog) IDs(lang string) []string { return sortedIDs(c.messages[lang]) }

func sortedIDs(m map[string]*entry) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Ref is a message someone shows, with the parameters they supply and
// where they use it (for the problem's position).
type Ref struct {
	ID     string
	Params []string
	File   string
	Line   int
}

// CheckRefs reports messages missing from the English catalog and
// placeholders a message uses that its user does not supply.
func (c *Catalog) CheckRefs(refs []Ref) Problems {
	var probs Problems
	for _, r := range refs {
		e, ok := c.messages[Source][r.ID]
		if !ok {
			probs = append(probs, Problem{File: r.File, Line: r.Line, Msg: fmt.Sprintf("the message %s is not in the English catalog", r.ID)})
			continue
		}
		used, _ := placeholders(e.msg.Other)
		for _, p := range used {
			if !slices.Contains(r.Params, p) {
				supplied := "none"
				if len(r.Params) > 0 {
					supplied = strings.Join(r.Params, ", ")
				}
				probs = append(probs, Problem{File: r.File, Line: r.Line, Msg: fmt.Sprintf("the message %s uses the placeholder {{.%s}}, which is not supplied here (supplied: %s; see %s:%d)", r.ID, p, supplied, e.file, e.line)})
			}
		}
	}
	return probs
}

// Unused lists English messages that no ref uses and whose IDs do not
// start with one of the given prefixes (messages used from code).
func (c *Catalog) Unused(refs []Ref) Problems {
	used := map[string]bool{}
	for _, r := range refs {
		used[r.ID] = true
	}
	var probs Problems
	for _, id := range sortedIDs(c.messages[Source]) {
		if !used[id] {
			e := c.messages[Source][id]
			probs = append(probs, Problem{File: e.file, Line: e.line, Msg: fmt.Sprintf("the message %s is never shown", id), Warning: true})
		}
	}
	return probs
}
