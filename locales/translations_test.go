package locales_test

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/redress-legal/redress/locales"
)

// A catalog with some messages translated is usable: each message it lacks
// is shown in English, with nothing added to say so, and the others in
// the language; loading succeeds.
func TestPartialCatalogFallsBackPerMessage(t *testing.T) {
	fsys := fstest.MapFS{
		"ui.en.toml": {Data: []byte("[a.hello]\ndescription = \"d\"\nother = \"Hello {{.name}}\"\n\n[a.bye]\ndescription = \"d\"\nother = \"Goodbye\"\n\n[a.when]\ndescription = \"d\"\nother = \"By {{.date}}\"\n")},
		"ui.fr.toml": {Data: []byte("[a.hello]\ndescription = \"d\"\nother = \"Bonjour {{.name}}\"\n")},
	}
	c, probs := locales.Check(fsys)
	if locales.HasErrors(probs) {
		t.Fatalf("a partial catalog is refused:\n%s", probs.Error())
	}
	probs = slices.DeleteFunc(probs, func(p locales.Problem) bool { return strings.HasPrefix(p.File, "distress.") })
	if len(probs) != 0 {
		t.Errorf("a partial catalog has problems:\n%s", probs.Error())
	}
	if _, err := locales.LoadFS(fsys); err != nil {
		t.Fatalf("LoadFS refused a partial catalog: %v", err)
	}
	if got := c.Text("fr", "a.hello", map[string]any{"name": "Li"}); got != "Bonjour Li" {
		t.Errorf("translated message = %q, want the French", got)
	}
	if got := c.Text("fr", "a.bye", nil); got != "Goodbye" {
		t.Errorf("missing message = %q, want the English text alone", got)
	}
	if got := c.Render("fr", "a.bye", nil, nil, false); got != "Goodbye" {
		t.Errorf("Render of a missing message = %q, want the English text alone", got)
	}
	if got := c.Missing("fr"); strings.Join(got, " ") != "a.bye a.when" {
		t.Errorf("Missing(fr) = %v", got)
	}
	if got := c.Match("fr-CA"); got != "fr" {
		t.Errorf("Match(fr-CA) = %q: a language with catalog files alone is matched", got)
	}
}

func TestPluralForms(t *testing.T) {
	for lang, want := range map[string]string{"en": "one other", "zh-Hans": "other", "zh-Hant": "other", "ru": "one few many other", "ar": "zero one two few many other"} {
		if got := strings.Join(locales.PluralForms(lang), " "); got != want {
			t.Errorf("PluralForms(%s) = %q, want %q", lang, got, want)
		}
	}
}

// A translation is broken when its placeholders differ from the English
// ones, or when the English counts something and the translation lacks a
// plural form its language needs.
func TestBrokenTranslations(t *testing.T) {
	en := "[n.posts]\ndescription = \"d\"\none = \"{{.count}} post\"\nother = \"{{.count}} posts\"\n\n[n.hi]\ndescription = \"d\"\nother = \"Hi {{.name}}\"\n"
	fsys := fstest.MapFS{
		"a.en.toml":      {Data: []byte(en)},
		"a.ru.toml":      {Data: []byte("[n.posts]\ndescription = \"d\"\none = \"{{.count}} пост\"\nother = \"{{.count}} поста\"\n\n[n.hi]\ndescription = \"d\"\nother = \"Привет {{.nom}}\"\n")},
		"a.zh-Hans.toml": {Data: []byte("[n.posts]\ndescription = \"d\"\nother = \"{{.count}} 条帖子\"\n\n[n.hi]\ndescription = \"d\"\nother = \"你好 {{.name}}\"\n")},
	}
	c, probs := locales.Check(fsys)
	if got := c.Broken("ru", "n.posts"); !strings.Contains(got, "the translation lacks few, many") {
		t.Errorf("Broken(ru, n.posts) = %q", got)
	}
	if got := c.Broken("ru", "n.hi"); !strings.Contains(got, "uses the placeholders {nom}, but the English text uses {name}") {
		t.Errorf("Broken(ru, n.hi) = %q", got)
	}
	for _, id := range []string{"n.posts", "n.hi"} {
		if got := c.Broken("zh-Hans", id); got != "" {
			t.Errorf("Broken(zh-Hans, %s) = %q: Chinese needs the form other alone", id, got)
		}
	}
	if !strings.Contains(probs.Error(), "a.ru.toml:1: n.posts counts something") {
		t.Errorf("the checker does not report the broken plural:\n%s", probs.Error())
	}
}

// zh-Hant cites law in Traditional characters, the pinpoints included.
func TestTraditionalCitations(t *testing.T) {
	c := mustLoad(t)
	got := c.Render("zh-Hant", "engine.invalid.text_too_long", map[string]any{"max": int64(12000)}, []string{"S-02 Art. 2(1)", "S-11b Art. 50 ¶2", "S-07 item 12"}, false)
	if want := "【依據：《網絡誹謗解釋》第二條第（一）項；《治安管理處罰法》第五十條第二款；《網絡暴力指導意見》第十二條】"; !strings.Contains(got, want) {
		t.Errorf("zh-Hant render %q lacks %q", got, want)
	}
	if got := locales.Pinpoint("zh-Hans", "S-01 Art. 253-1"); got != "第二百五十三条之一" {
		t.Errorf("zh-Hans pinpoint = %q: Simplified stays Simplified", got)
	}
}
