package translate_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/redress-legal/redress/locales"
	"github.com/redress-legal/redress/translate"
)

const enCatalog = `# English.

[a.hello]
description = "Greeting. {{.name}} is the user's name."
other = "Hello {{.name}}"

[a.bye]
description = "Said at the end."
other = "Goodbye"

["a.posts"]
description = "How many posts. {{.count}} is a number."
one = "{{.count}} post"
other = "{{.count}} posts"

[a.thanks]
description = "Thanks."
other = "Thank you"
`

const zhCatalog = `[a.hello]
description = "Greeting. {{.name}} is the user's name."
other = "你好 {{.name}}"

[a.bye]
description = "Said at the end."
other = "再见"

["a.posts"]
description = "How many posts. {{.count}} is a number."
other = "{{.count}} 条帖子"

[a.thanks]
description = "Thanks."
other = "谢谢"
`

const frCatalog = `[a.hello]
description = "Greeting. {{.name}} is the user's name."
other = "Bonjour {{.name}}"

[a.thanks]
description = "Thanks."
other = "Merci"
`

// catalogDir writes a catalog directory with English, Chinese and a
// partial French, every translation stamped as made from today's English.
func catalogDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range map[string]string{"ui.en.toml": enCatalog, "ui.zh-Hans.toml": zhCatalog, "ui.fr.toml": frCatalog} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, lang := range []string{"zh-Hans", "fr"} {
		if _, err := translate.Stamp(dir, lang, nil); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func report(t *testing.T, dir, lang string) translate.Report {
	t.Helper()
	rs, err := translate.Status(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Lang == lang {
			return r
		}
	}
	t.Fatalf("no report for %s in %v", lang, rs)
	return translate.Report{}
}

func edit(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s lacks %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Changing an English text makes its translation stale in every language
// that has one, and nothing else.
func TestEnglishChangeMakesTranslationsStale(t *testing.T) {
	dir := catalogDir(t)
	if r := report(t, dir, "zh-Hans"); !r.Complete() {
		t.Fatalf("zh-Hans should start complete: %+v", r)
	}
	edit(t, filepath.Join(dir, "ui.en.toml"), `other = "Thank you"`, `other = "Thank you very much"`)
	for _, lang := range []string{"zh-Hans", "fr"} {
		r := report(t, dir, lang)
		if !slices.Equal(r.Stale, []string{"a.thanks"}) {
			t.Errorf("%s: stale = %v, want [a.thanks]", lang, r.Stale)
		}
	}
	if r := report(t, dir, "fr"); !slices.Equal(r.Missing, []string{"a.bye", "a.posts"}) || r.Translated != 2 || r.Total != 4 {
		t.Errorf("fr: %+v, want 2 of 4 translated, a.bye and a.posts missing", r)
	}
	// A description is part of what was translated (go-i18n's hash).
	edit(t, filepath.Join(dir, "ui.en.toml"), `description = "Said at the end."`, `description = "Said at the very end, after the summary."`)
	if r := report(t, dir, "zh-Hans"); !slices.Equal(r.Stale, []string{"a.bye", "a.thanks"}) {
		t.Errorf("zh-Hans after a description change: stale = %v", r.Stale)
	}
	// Confirming a translation against the new English clears it.
	if _, err := translate.Stamp(dir, "zh-Hans", []string{"a.bye"}); err != nil {
		t.Fatal(err)
	}
	if r := report(t, dir, "zh-Hans"); !slices.Equal(r.Stale, []string{"a.thanks"}) {
		t.Errorf("zh-Hans after stamping a.bye: stale = %v", r.Stale)
	}
}

func TestStatusReportsBrokenTranslations(t *testing.T) {
	dir := catalogDir(t)
	edit(t, filepath.Join(dir, "ui.zh-Hans.toml"), `你好 {{.name}}`, `你好 {{.nom}}`)
	r := report(t, dir, "zh-Hans")
	if len(r.Broken) != 1 || !strings.Contains(r.Broken[0].String(), "ui.zh-Hans.toml:1: a.hello uses the placeholders {nom}, but the English text uses {name}") {
		t.Errorf("broken = %v", r.Broken)
	}
	if r.Complete() {
		t.Error("a catalog with a broken translation is reported complete")
	}
}

var emptyForm = regexp.MustCompile(`(?m)^(one|many|other) = ""$`)

// prepare → translate → merge: the work file holds exactly the messages
// that need work, with what a translator needs; merging it back completes
// the catalog, in English order, with the hashes recorded.
func TestPrepareTranslateMerge(t *testing.T) {
	dir := catalogDir(t)
	edit(t, filepath.Join(dir, "ui.en.toml"), `other = "Thank you"`, `other = "Thank you very much"`)
	work, n, err := translate.Prepare(dir, "fr")
	if err != nil {
		t.Fatal(err)
	}
	text := string(work)
	if n != 3 {
		t.Errorf("prepare wrote %d messages, want 3 (a.bye and a.posts new, a.thanks stale):\n%s", n, text)
	}
	for _, want := range []string{
		`lang = "fr"`, "2 new, 1 stale, 0 broken",
		"[\"a.bye\"]\nstatus = \"new\"\ndescription = \"Said at the end.\"\nenglish = \"Goodbye\"\nhash = \"sha1-",
		"english_one = \"{{.count}} post\"\nenglish = \"{{.count}} posts\"",
		"[\"a.thanks\"]\nstatus = \"stale\"\ndescription = \"Thanks.\"\nenglish = \"Thank you very much\"\nold = \"Merci\"\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the work file lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "a.hello") {
		t.Errorf("the work file holds a message that needs no work:\n%s", text)
	}
	// French counts with one and other (and many for millions in newer CLDR):
	// every form the language needs is asked for.
	for _, f := range locales.PluralForms("fr") {
		if !strings.Contains(text, "\n"+f+" = \"\"") {
			t.Errorf("the work file does not ask for the plural form %s", f)
		}
	}
	// The translator fills in every form.
	tr := map[string][]string{"a.bye": {"Au revoir"}, "a.posts": {"{{.count}} publication", "{{.count}} publications"}, "a.thanks": {"Merci beaucoup"}}
	var out []string
	id := ""
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "[") {
			id = strings.Trim(line, `[]"`)
		}
		if emptyForm.MatchString(line) {
			form := strings.Fields(line)[0]
			v := tr[id][len(tr[id])-1]
			if form == "one" {
				v = tr[id][0]
			}
			line = form + " = \"" + v + "\""
		}
		out = append(out, line)
	}
	path := filepath.Join(t.TempDir(), "fr-work.toml")
	if err := os.WriteFile(path, []byte(strings.Join(out, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := translate.Merge(dir, path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Merged, []string{"a.bye", "a.posts", "a.thanks"}) {
		t.Errorf("merged %v", res.Merged)
	}
	r := report(t, dir, "fr")
	if !r.Complete() {
		t.Errorf("fr after the merge: %+v", r)
	}
	cat, err := locales.LoadFS(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	if got := cat.Text("fr", "a.thanks", nil); got != "Merci beaucoup" {
		t.Errorf("a.thanks = %q", got)
	}
	if got := cat.Text("fr", "a.bye", nil); got != "Au revoir" {
		t.Errorf("a.bye = %q", got)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "ui.fr.toml"))
	order := regexp.MustCompile(`(?m)^\[.*\]$`).FindAllString(string(b), -1)
	if strings.Join(order, " ") != `[a.hello] [a.bye] ["a.posts"] [a.thanks]` {
		t.Errorf("the French file's messages are not in the English order: %v\n%s", order, b)
	}
}

// A work file with a broken translation merges nothing, and says which.
func TestMergeRefusesBrokenTranslations(t *testing.T) {
	dir := catalogDir(t)
	work, _, err := translate.Prepare(dir, "fr")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(work), "other = \"\"", "other = \"Au revoir {{.name}}\"", 1) // a.bye has no placeholder
	path := filepath.Join(t.TempDir(), "w.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, "ui.fr.toml"))
	_, err = translate.Merge(dir, path)
	if err == nil || !strings.Contains(err.Error(), "a.bye uses the placeholders {name}, but the English text uses {}") {
		t.Fatalf("merge of a broken translation: %v", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "ui.fr.toml"))
	if string(before) != string(after) {
		t.Error("a refused merge changed the catalog")
	}
}

// A new language needs nothing but its work file: merge creates its
// catalog files beside the English ones.
func TestMergeStartsANewLanguage(t *testing.T) {
	dir := catalogDir(t)
	if err := os.Remove(filepath.Join(dir, "ui.fr.toml")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "de.toml")
	work := "lang = \"de\"\n\n[\"a.bye\"]\nhash = \"sha1-0\"\nother = \"Tschüss\"\n"
	if err := os.WriteFile(path, []byte(work), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := translate.Merge(dir, path); err != nil {
		t.Fatal(err)
	}
	cat, err := locales.LoadFS(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	if got := cat.Match("de-AT"); got != "de" {
		t.Errorf("Match(de-AT) = %q after adding German", got)
	}
	if got, want := cat.Text("de", "a.bye", nil)+" / "+cat.Text("de", "a.thanks", nil), "Tschüss / Thank you"; got != want {
		t.Errorf("German: %q, want %q", got, want)
	}
	if r := report(t, dir, "de"); !slices.Equal(r.Stale, []string{"a.bye"}) {
		t.Errorf("a translation merged with a hash of no English text: stale = %v, want [a.bye]", r.Stale)
	}
}
