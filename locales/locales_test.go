package locales_test

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/redress-legal/redress/locales"
)

func mustLoad(t *testing.T) *locales.Catalog {
	t.Helper()
	c, err := locales.Load()
	if err != nil {
		t.Fatalf("embedded catalogs: %v", err)
	}
	return c
}

func TestMatch(t *testing.T) {
	c := mustLoad(t)
	cases := map[string]string{
		"zh": "zh-Hans", "zh-CN": "zh-Hans", "zh-SG": "zh-Hans", "zh-Hans": "zh-Hans", "zh-hans-cn": "zh-Hans",
		"zh_CN.UTF-8": "zh-Hans", "zh-TW": "zh-Hant", "zh-HK": "zh-Hant", "zh-MO": "zh-Hant", "zh-Hant": "zh-Hant",
		"zh-hant": "zh-Hant", "zh_TW.UTF-8": "zh-Hant", "zh-Hant-CN": "zh-Hant", "zh-Hans-HK": "zh-Hans",
		"en": "en", "en-US": "en", "fr": "en", "": "en", "not a tag!": "en", "ru": "en",
	}
	for in, want := range cases {
		if got := c.Match(in); got != want {
			t.Errorf("Match(%q) = %q, want %q", in, got, want)
		}
	}
	if l := c.Languages(); len(l) < 3 || l[0] != "en" {
		t.Errorf("Languages() = %v, want English first", l)
	}
}

func TestRenderFormatsParamsCitesAndCaution(t *testing.T) {
	c := mustLoad(t)
	got := c.Render("en", "engine.invalid.text_too_long", map[string]any{"max": int64(12000)}, []string{"S-02 Art. 2(1)", "S-07 item 12"}, true)
	for _, want := range []string{"12,000 characters", "[Sources: Online Defamation Interpretation Art. 2(i); Cyber-Violence Guiding Opinions item 12]", "could not be confirmed"} {
		if !strings.Contains(got, want) {
			t.Errorf("en render %q lacks %q", got, want)
		}
	}
	got = c.Render("zh-Hans", "engine.invalid.text_too_long", map[string]any{"max": int64(12000)}, []string{"S-02 Art. 2(1)", "S-11b Art. 50 ¶2", "S-07 item 12", "S-15 Interp. Art. 25"}, false)
	for _, want := range []string{"12,000 个字", "【依据：《网络诽谤解释》第二条第（一）项；《治安管理处罚法》第五十条第二款；《网络暴力指导意见》第十二条；《民诉法解释》第二十五条】"} {
		if !strings.Contains(got, want) {
			t.Errorf("zh render %q lacks %q", got, want)
		}
	}
	// Unknown language falls back to English; unknown ID renders as itself.
	if got := c.Text("fr", "engine.back", nil); !strings.Contains(got, "undone") {
		t.Errorf("fallback = %q", got)
	}
	if got := c.Text("en", "no.such.id", nil); got != "no.such.id" {
		t.Errorf("missing = %q", got)
	}
}

func TestFormat(t *testing.T) {
	d := time.Date(2027, 5, 14, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		lang string
		v    any
		want string
	}{
		{"en", int64(5000), "5,000"}, {"en", int64(470000000), "470,000,000"}, {"en", int64(12), "12"},
		{"en", d, "2027-05-14"}, {"zh-Hans", d, "2027年5月14日"}, {"zh-Hans", []string{"a", "b"}, "a、b"},
		{"en", float64(3), "3"}, {"en", "x", "x"}, {"en", nil, ""},
	}
	for _, c := range cases {
		if got := locales.Format(c.lang, c.v); got != c.want {
			t.Errorf("Format(%s, %v) = %q, want %q", c.lang, c.v, got, c.want)
		}
	}
}

func TestCheckFindsBrokenCatalogs(t *testing.T) {
	en := `[a.ok]
description = "d"
other = "Hello {{.name}}"

[a.nodesc]
other = "x"

[a.notext]
description = "d"

[a.badtmpl]
description = "d"
other = "Hi {{.name"

[a.weird]
description = "d"
other = "x"
color = "red"
`
	zh := `[a.ok]
description = "d"
other = "你好 {{.nom}}"

[a.extra]
description = "d"
other = "多余"
`
	fsys := fstest.MapFS{
		"active.en.toml":      {Data: []byte(en)},
		"active.zh-Hans.toml": {Data: []byte(zh)},
		"broken.fr.toml":      {Data: []byte("[x\nother = 1")},
		"noname.toml":         {Data: []byte("")},
	}
	_, probs := locales.Check(fsys)
	want := []string{
		"active.en.toml:5: a.nodesc has no description for translators",
		"active.en.toml:8: a.notext has no text",
		"active.en.toml:11: a.badtmpl: the template does not work",
		`active.en.toml:15: a.weird has an unknown key "color"`,
		"active.zh-Hans.toml:1: a.ok uses the placeholders {nom}, but the English text uses {name}",
		"active.zh-Hans.toml:5: a.extra is not in the English catalog",
		"broken.fr.toml:2: this is not valid TOML",
		"noname.toml: a catalog file must be named",
	}
	all := probs.Error()
	if strings.Contains(all, "the fr catalog") {
		t.Errorf("a catalog that is not TOML should not also be compared:\n%s", all)
	}
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("missing %q in:\n%s", w, all)
		}
	}
	if _, err := locales.LoadFS(fsys); err == nil {
		t.Error("LoadFS accepted broken catalogs")
	}
}

func TestPrefixClash(t *testing.T) {
	fsys := fstest.MapFS{"a.en.toml": {Data: []byte("[x]\ndescription = \"d\"\nother = \"o\"\n\n[x.y]\ndescription = \"d\"\nother = \"o\"\n")}}
	_, probs := locales.Check(fsys)
	if !strings.Contains(probs.Error(), "a.en.toml:5: the message x is also the start of x.y") {
		t.Errorf("got:\n%s", probs.Error())
	}
}

func TestCheckRefs(t *testing.T) {
	c := mustLoad(t)
	probs := c.CheckRefs([]locales.Ref{
		{ID: "engine.invalid.future_date", Params: []string{"min"}, File: "f.yaml", Line: 3},
		{ID: "nope", File: "f.yaml", Line: 4},
		{ID: "engine.back", File: "f.yaml", Line: 5},
	})
	all := probs.Error()
	if !strings.Contains(all, "f.yaml:4: the message nope is not in the English catalog") {
		t.Errorf("got:\n%s", all)
	}
	if len(probs) != 1 {
		t.Errorf("want 1 problem (a parameter supplied and not used is no problem), got:\n%s", all)
	}
}

// lowerBound stands for flows.AtLeast: a count given as "over 20,000".
type lowerBound int64

func (l lowerBound) LowerBound() int64 { return int64(l) }

// TestAtLeastRendersAsALowerBound: "两万多" typed for a count is reported
// as "at least 20,000", never as "20,000 times" (issue 10 §5).
func TestAtLeastRendersAsALowerBound(t *testing.T) {
	c, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	id := "finding.offences.def_views"
	for lang, want := range map[string]string{"en": "viewed at least 20,000 times", "zh-Hans": "至少20,000"} {
		if got := c.Text(lang, id, map[string]any{"views": lowerBound(20000)}); !strings.Contains(got, want) {
			t.Errorf("%s: %q, want it to contain %q", lang, got, want)
		}
	}
}
