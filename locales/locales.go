// Package locales holds the message catalogs (go-i18n TOML files, embedded)
// and turns message IDs into sentences: language matching, templates,
// number and date formatting, citations. It imports nothing from the rest
// of Redress.
//
// Every catalog file is named <name>.<language>.toml; all files of one
// language form its catalog. Beside them, distress.<language>.txt holds the
// phrases that bring the crisis help (see Distress). English ("en") is the source language: every
// other catalog must hold exactly its messages.
package locales

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Source is the source language: the catalog every other one translates.
const Source = "en"

// Files are the catalogs shipped with Redress.
//
//go:embed *.toml distress.*.txt
var Files embed.FS

// Catalog is a loaded set of catalogs, safe for concurrent use.
type Catalog struct {
	bundle   *i18n.Bundle
	langs    []string // Source first, then sorted
	messages map[string]map[string]*entry
	loc      map[string]*i18n.Localizer
	mu       sync.Mutex
	distress *Distress
}

// Distressed reports whether text says the person may be in danger or
// thinking of suicide or self-harm, by the phrases of every language
// (distress.<lang>.txt; see Distress).
func (c *Catalog) Distressed(text string) bool { return c.distress.Distressed(text) }

// entry is one message as read from a file, with where it was.
type entry struct {
	msg  *i18n.Message
	file string
	line int
}

// Load reads the embedded catalogs; it fails on any error in them.
func Load() (*Catalog, error) { return LoadFS(Files) }

// LoadFS reads every *.toml catalog at the top of fsys; it fails on any
// error, listing them all as file:line problems.
func LoadFS(fsys fs.FS) (*Catalog, error) {
	c, probs := Check(fsys)
	if HasErrors(probs) {
		return nil, probs
	}
	return c, nil
}

// Languages lists the languages with a catalog, the source language first.
func (c *Catalog) Languages() []string { return append([]string(nil), c.langs...) }

// Has reports whether lang's catalog holds message id.
func (c *Catalog) Has(lang, id string) bool {
	_, ok := c.messages[lang][id]
	return ok
}

// Match picks the catalog for a user's language code (as Telegram or the
// environment gives it). Chinese goes by its script, as CLDR infers it:
// zh, zh-CN, zh-SG, zh-Hans → zh-Hans; zh-TW, zh-HK, zh-MO, zh-Hant →
// zh-Hant (zh-Hans when there is no such catalog). Another language with a
// catalog → it (pt-BR → pt when only pt has one); anything else → English.
// No language is named here beyond Chinese: a catalog's files are all a
// language needs.
func (c *Catalog) Match(code string) string {
	code = strings.TrimSpace(strings.ReplaceAll(code, "_", "-"))
	if i := strings.IndexByte(code, '.'); i >= 0 { // zh_CN.UTF-8
		code = code[:i]
	}
	tag, err := language.Parse(code)
	if err != nil {
		return Source
	}
	base, _ := tag.Base()
	if base.String() == "zh" {
		script, _ := tag.Script()
		if want := "zh-" + script.String(); c.hasLang(want) {
			return want
		}
		if c.hasLang("zh-Hans") {
			return "zh-Hans"
		}
	}
	for _, l := range c.langs {
		if strings.EqualFold(l, tag.String()) {
			return l
		}
	}
	if c.hasLang(base.String()) {
		return base.String()
	}
	return Source
}

func (c *Catalog) hasLang(l string) bool {
	_, ok := c.messages[l]
	return ok
}

func (c *Catalog) localizer(lang string) *i18n.Localizer {
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.loc[lang]
	if !ok {
		l = i18n.NewLocalizer(c.bundle, lang, Source)
		c.loc[lang] = l
	}
	return l
}

// Render returns message id in lang with its parameters filled in,
// followed by its citations (see Cite) and, for an unconfirmed point, a caution. A
// message missing from lang (a partial catalog) is shown in English, that
// message only and without a word to the user; one missing everywhere
// renders as its ID (the checker makes sure that never ships).
func (c *Catalog) Render(lang, id string, params map[string]any, cite []string, unconfirmed bool) string {
	if !c.hasLang(lang) {
		lang = Source
	}
	text := c.text(lang, id, params)
	space := " " // Chinese text needs none between sentences and brackets
	if strings.HasPrefix(lang, "zh") {
		space = ""
	}
	if len(cite) > 0 {
		text += space + c.text(lang, MsgCite, map[string]any{"list": c.Cite(lang, cite)})
	}
	if unconfirmed {
		text += space + c.text(lang, MsgUnconfirmed, nil)
	}
	return text
}

// Text returns message id in lang with its parameters, without citations.
func (c *Catalog) Text(lang, id string, params map[string]any) string {
	if !c.hasLang(lang) {
		lang = Source
	}
	return c.text(lang, id, params)
}

func (c *Catalog) text(lang, id string, params map[string]any) string {
	data := make(map[string]any, len(params))
	for k, v := range params {
		if lb, ok := v.(lowerBound); ok { // "over 5,000": at least 5,000
			data[k] = c.text(lang, MsgAtLeast, map[string]any{"n": lb.LowerBound()})
			continue
		}
		data[k] = Format(lang, v)
	}
	s, err := c.localizer(lang).Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil && s == "" {
		return id
	}
	return s
}

// Messages the catalogs must hold for rendering itself.
const (
	MsgCite        = "ui.cite"
	MsgUnconfirmed = "ui.unconfirmed"
	MsgAtLeast     = "ui.at_least"
)

// lowerBound is a parameter value the user gave as a lower bound ("over
// 5,000"): flows.AtLeast. It renders as MsgAtLeast.
type lowerBound interface{ LowerBound() int64 }

// RenderMessages lists the message IDs this package renders itself, with their parameters.
var RenderMessages = map[string][]string{MsgCite: {"list"}, MsgUnconfirmed: {}, MsgSourceEntry: {"full", "short"}, MsgAtLeast: {"n"}}

// Format turns a parameter value into text for lang: numbers with digit
// grouping, dates as the language writes them, lists joined.
func Format(lang string, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int:
		return group(int64(x))
	case int64:
		return group(x)
	case float64:
		if x == float64(int64(x)) {
			return group(int64(x))
		}
		return strconv.FormatFloat(x, 'f', 2, 64)
	case time.Time:
		if x.IsZero() {
			return ""
		}
		if strings.HasPrefix(lang, "zh") {
			return fmt.Sprintf("%d年%d月%d日", x.Year(), x.Month(), x.Day())
		}
		return x.Format(time.DateOnly)
	case []string:
		sep := ", "
		if strings.HasPrefix(lang, "zh") {
			sep = "、"
		}
		return strings.Join(x, sep)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// group writes a number with digit grouping (12,000), the way both the
// English and the Chinese texts write figures.
func group(n int64) string { return grouped.Sprintf("%d", n) }

var grouped = message.NewPrinter(language.English)

// langOf returns the language of a catalog file name: active.zh-Hans.toml → zh-Hans.
func langOf(name string) (string, bool) {
	b := strings.TrimSuffix(path.Base(name), ".toml")
	i := strings.LastIndexByte(b, '.')
	if i < 0 {
		return "", false
	}
	return b[i+1:], true
}

func sortLangs(langs []string) []string {
	sort.Slice(langs, func(i, j int) bool {
		if langs[i] == Source || langs[j] == Source {
			return langs[i] == Source
		}
		return langs[i] < langs[j]
	})
	return langs
}
