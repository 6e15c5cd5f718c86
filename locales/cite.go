package locales

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/text/language"
)

// Citations as the flow writes them, and as readers read them.
//
// A flow cites a source by its reviewers' ID followed by a pinpoint:
//
//	S-28                   the source as a whole
//	S-20 (2016) Art. 21(3) an edition, an article and its item
//	S-11b Art. 50 ¶1(2)    article 50, paragraph 1, item 2
//	S-01 Art. 253-1        an article inserted after Art. 253
//	S-06 (I) Arts. 1, 3    several articles
//	S-15 Interp. Art. 25   the source's companion interpretation
//	S-07 item 12           a numbered item of an opinion
//
// The part before the pinpoint ("S-20 (2016)", "S-15 Interp.", "C-01") is
// the citation's name key: the catalog message "cite.<name key>" holds the
// short name readers see ("Cybersecurity Law (2016)", "《网络安全法》（2016年）").
// The pinpoint is written by code, the way lawyers write it:
//
//	English: Art. 50(1)(ii): paragraphs in Arabic numerals, items in
//	lower-case Roman numerals, each in brackets; Art. 2(i) is item (i) of a
//	one-paragraph article; Arts. 1 and 3; item 12.
//	Chinese: 第五十条第一款第（二）项, 第二百五十三条之一, 第一条、第三条,
//	第十二条 (an item of an opinion is cited as its 条), in Chinese numerals.

// Citation is a parsed citation.
type Citation struct {
	Source string   // the source ID: "S-20"
	Name   string   // the name key: "S-20 (2016)"
	Arts   []string // article numbers, "253-1" for 第二百五十三条之一
	Para   int      // paragraph (款), 0 for none
	Item   int      // item (项), 0 for none
	Items  []int    // numbered items of an opinion ("item 12")
}

var reCite = regexp.MustCompile(`^([A-Z]+-[0-9]+[a-z]?(?: \([0-9A-Za-z]+\))?(?: Interp\.)?)` +
	`(?: (?:Arts?\. ([0-9]+(?:-[0-9]+)?(?:(?:, | and )[0-9]+(?:-[0-9]+)?)*)(?: ?¶([0-9]+))?(?:\(([0-9]+)\))?` +
	`|items? ([0-9]+(?:(?:, | and )[0-9]+)*)))?$`)

var reListSep = regexp.MustCompile(`, | and `)

// ParseCite reads a citation such as "S-11b Art. 50 ¶1(2)"; it fails on a
// form it cannot write for readers.
func ParseCite(cite string) (Citation, error) {
	m := reCite.FindStringSubmatch(strings.TrimSpace(cite))
	if m == nil {
		return Citation{}, fmt.Errorf("the citation %q is not of a form Redress can write for readers: "+
			"SOURCE [(edition)] [Interp.] [Art. N [¶P][(I)] | Arts. N, M | item N]", cite)
	}
	c := Citation{Name: m[1], Source: m[1]}
	if i := strings.IndexByte(c.Source, ' '); i > 0 {
		c.Source = c.Source[:i]
	}
	if m[2] != "" {
		c.Arts = reListSep.Split(m[2], -1)
		if len(c.Arts) > 1 && (m[3] != "" || m[4] != "") {
			return Citation{}, fmt.Errorf("the citation %q gives a paragraph or item for several articles: cite each article on its own", cite)
		}
	}
	c.Para, _ = strconv.Atoi(m[3])
	c.Item, _ = strconv.Atoi(m[4])
	if m[5] != "" {
		for _, s := range reListSep.Split(m[5], -1) {
			n, _ := strconv.Atoi(s)
			c.Items = append(c.Items, n)
		}
	}
	return c, nil
}

// NameID is the catalog message holding the short name a citation is
// written with: "S-20 (2016) Art. 21" → "cite.S-20 (2016)". It is "" for a
// citation ParseCite rejects.
func NameID(cite string) string {
	c, err := ParseCite(cite)
	if err != nil {
		return ""
	}
	return NamePrefix + c.Name
}

// NamePrefix starts the ID of every short-name message: "cite.S-02".
const NamePrefix = "cite."

// Pinpoint writes the pinpoint of a citation, without the source's name,
// as lang cites law: "S-11b Art. 50 ¶1(2)" → "Art. 50(1)(ii)" in English,
// "第五十条第一款第（二）项" in Chinese; "" for a citation of a whole source,
// and the citation itself for one ParseCite rejects.
func Pinpoint(lang, cite string) string {
	c, err := ParseCite(cite)
	if err != nil {
		return cite
	}
	return inScript(lang, c.pinpoint(zh(lang)))
}

func zh(lang string) bool { return strings.HasPrefix(lang, "zh") }

// quote puts s in the quotation marks of lang's running text: 「」 in
// Traditional Chinese, “” otherwise.
func quote(lang, s string) string {
	if hant(lang) {
		return "「" + s + "」"
	}
	return "“" + s + "”"
}

// traditional writes the two characters of a Chinese pinpoint that differ
// between the scripts (条 article, 项 item) in Traditional characters.
var traditional = strings.NewReplacer("条", "條", "项", "項")

// inScript returns a Chinese pinpoint written by code in the script of
// lang: as it is for Simplified Chinese, in Traditional characters for
// zh-Hant (第五十条第一款第（二）项 → 第五十條第一款第（二）項).
func inScript(lang, s string) string {
	if hant(lang) {
		return traditional.Replace(s)
	}
	return s
}

// hant reports whether lang is Chinese written in Traditional characters.
func hant(lang string) bool {
	if !zh(lang) {
		return false
	}
	tag, err := language.Parse(lang)
	if err != nil {
		return false
	}
	script, _ := tag.Script()
	return script.String() == "Hant"
}

// pins returns the pinpoint's parts as they are listed after "Arts." or
// "items" in English ("50(1)(ii)"), or in full in Chinese, and which kind
// they are: "art", "item" or "" for none.
func (c Citation) pins(zh bool) (kind string, pins []string) {
	switch {
	case len(c.Arts) > 0:
		for _, a := range c.Arts {
			if !zh {
				p := a
				if c.Para > 0 {
					p += "(" + strconv.Itoa(c.Para) + ")"
				}
				if c.Item > 0 {
					p += "(" + Roman(c.Item) + ")"
				}
				pins = append(pins, p)
				continue
			}
			p := articleZH(a)
			if c.Para > 0 {
				p += "第" + Numeral(c.Para) + "款"
			}
			if c.Item > 0 {
				p += "第（" + Numeral(c.Item) + "）项"
			}
			pins = append(pins, p)
		}
		return "art", pins
	case len(c.Items) > 0:
		for _, n := range c.Items {
			if zh {
				pins = append(pins, "第"+Numeral(n)+"条")
			} else {
				pins = append(pins, strconv.Itoa(n))
			}
		}
		return "item", pins
	}
	return "", nil
}

func (c Citation) pinpoint(zh bool) string {
	kind, pins := c.pins(zh)
	return joinPins(zh, kind, pins)
}

// joinPins writes the pinpoints of one source: "Arts. 1195 and 1197",
// "第一千一百九十五条、第一千一百九十七条".
func joinPins(zh bool, kind string, pins []string) string {
	if len(pins) == 0 {
		return ""
	}
	if zh {
		return strings.Join(pins, "、")
	}
	list := pins[0]
	if n := len(pins); n > 1 {
		list = strings.Join(pins[:n-1], ", ") + " and " + pins[n-1]
	}
	switch kind {
	case "art":
		if len(pins) > 1 {
			return "Arts. " + list
		}
		return "Art. " + list
	case "item":
		if len(pins) > 1 {
			return "items " + list
		}
		return "item " + list
	}
	return list
}

// articleZH writes an article in Chinese: "246" → "第二百四十六条",
// "253-1" → "第二百五十三条之一".
func articleZH(a string) string {
	base, sub, ok := strings.Cut(a, "-")
	n, _ := strconv.Atoi(base)
	out := "第" + Numeral(n) + "条"
	if ok {
		s, _ := strconv.Atoi(sub)
		out += "之" + Numeral(s)
	}
	return out
}

var digitsZH = []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}

// Numeral writes n (1–9999) in Chinese numerals as statutes number their
// articles: 12 → 十二, 108 → 一百零八, 110 → 一百一十, 1025 → 一千零二十五.
// Other numbers are written in Arabic numerals.
func Numeral(n int) string {
	if n <= 0 || n > 9999 {
		return strconv.Itoa(n)
	}
	if n < 10 {
		return digitsZH[n]
	}
	if n < 20 {
		return "十" + strings.TrimPrefix(digitsZH[n%10], "零")
	}
	var b strings.Builder
	units := []struct {
		v int
		s string
	}{{1000, "千"}, {100, "百"}, {10, "十"}, {1, ""}}
	started, zero := false, false
	for _, u := range units {
		d := n / u.v % 10
		if d == 0 {
			if started {
				zero = true
			}
			continue
		}
		if zero {
			b.WriteString("零")
			zero = false
		}
		b.WriteString(digitsZH[d] + u.s)
		started = true
	}
	return b.String()
}

var romans = []struct {
	v int
	s string
}{{10, "x"}, {9, "ix"}, {5, "v"}, {4, "iv"}, {1, "i"}}

// Roman writes n (1–39) in lower-case Roman numerals, as English legal
// writing numbers the items of an article: 2 → ii; other numbers in Arabic.
func Roman(n int) string {
	if n <= 0 || n >= 40 {
		return strconv.Itoa(n)
	}
	var b strings.Builder
	for _, r := range romans {
		for n >= r.v {
			b.WriteString(r.s)
			n -= r.v
		}
	}
	return b.String()
}

// Cite writes citations for readers of lang, each source by its short name
// (catalog message "cite.<name key>") with its pinpoints; citations of one
// name are merged ("Civil Code Arts. 1195 and 1197",
// "《民法典》第一千一百九十五条、第一千一百九十七条"), in order of first citation.
func (c *Catalog) Cite(lang string, cites []string) string {
	if !c.hasLang(lang) {
		lang = Source
	}
	z := zh(lang)
	type group struct {
		name, kind string
		pins       []string
	}
	var groups []*group
	find := func(name, kind string) *group {
		for _, g := range groups {
			if g.name == name && (g.kind == kind || kind == "" || g.kind == "") {
				return g
			}
		}
		return nil
	}
	for _, ct := range cites {
		p, err := ParseCite(ct)
		if err != nil { // the checker refuses these; show them as written
			groups = append(groups, &group{name: ct})
			continue
		}
		name := c.text(lang, NamePrefix+p.Name, nil)
		kind, pins := p.pins(z)
		g := find(name, kind)
		if g == nil {
			groups = append(groups, &group{name: name, kind: kind, pins: pins})
			continue
		}
		if g.kind == "" {
			g.kind = kind
		}
		for _, pin := range pins {
			if !containsStr(g.pins, pin) {
				g.pins = append(g.pins, pin)
			}
		}
	}
	out := make([]string, len(groups))
	for i, g := range groups {
		pin := inScript(lang, joinPins(z, g.kind, g.pins))
		switch {
		case pin == "":
			out[i] = g.name
		case z:
			out[i] = g.name + pin
		default:
			out[i] = g.name + " " + pin
		}
	}
	sep := "; "
	if z {
		sep = "；"
	}
	return strings.Join(out, sep)
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// MsgSourceEntry is the entry of a source in the list of sources: its full
// name and the short name it is cited by.
const MsgSourceEntry = "ui.source_entry"

// SourceEntry writes the entry of source id in the list of sources, in
// lang: its full name (message label) and the short names cites (the
// source's citations) were written with, e.g. "《中华人民共和国刑法》（…）
// （以下简称《刑法》）". No short name is added when the full name already
// shows it; without cites, the source's own short name ("cite.<id>") is used.
func (c *Catalog) SourceEntry(lang, label, id string, cites []string) string {
	if !c.hasLang(lang) {
		lang = Source
	}
	z := zh(lang)
	full := c.text(lang, label, nil)
	keys := []string{NamePrefix + id}
	if len(cites) > 0 {
		keys = keys[:0]
		for _, ct := range cites {
			if k := NameID(ct); k != "" && !containsStr(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	var shorts []string
	for _, k := range keys {
		short := c.text(lang, k, nil)
		if short == k || strings.Contains(full, short) {
			continue // no name, or the full name shows it
		}
		if !z || !strings.HasPrefix(short, "《") {
			short = quote(lang, short)
		}
		shorts = append(shorts, short)
	}
	if len(shorts) == 0 {
		return full
	}
	list := strings.Join(shorts, "、")
	if !z {
		list = joinPins(false, "", shorts)
	}
	return c.text(lang, MsgSourceEntry, map[string]any{"full": full, "short": list})
}
