package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

// i18n runs `redress i18n args...` and returns its exit code and output.
func i18n(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"i18n"}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String() + errb.String()
}

// The shipped languages are complete: every message translated, from the
// current English, none broken.
func TestI18nStatusShippedLanguagesComplete(t *testing.T) {
	code, out := i18n(t, "status")
	if code != 0 {
		t.Fatalf("i18n status exited %d:\n%s", code, out)
	}
	for _, lang := range []string{"en", "zh-Hans", "zh-Hant"} {
		if !regexp.MustCompile(`(?m)^` + lang + `\s+(\d+)\s+(\d+)\s+0\s+0\s+0\s+0\s+complete`).MatchString(out) {
			t.Errorf("%s is not reported complete:\n%s", lang, out)
		}
	}
}

// copyLocales copies the repository's catalogs and hashes to a temporary
// directory.
func copyLocales(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, pattern := range []string{"locales/*.toml", "locales/distress.*.txt", "locales/hashes/*.toml"} {
		names, _ := filepath.Glob(pattern)
		for _, n := range names {
			b, err := os.ReadFile(n)
			if err != nil {
				t.Fatal(err)
			}
			dst := filepath.Join(dir, strings.TrimPrefix(n, "locales/"))
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dst, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

func replaceIn(t *testing.T, path, old, new string) {
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

// A changed English text is stale in both Chinese catalogs; a translation
// with a wrong placeholder is broken, and status exits 1 naming it.
func TestI18nStatusReportsStaleAndBroken(t *testing.T) {
	dir := copyLocales(t)
	replaceIn(t, filepath.Join(dir, "ui.en.toml"), `other = "English"`, `other = "English (source)"`)
	replaceIn(t, filepath.Join(dir, "ui.zh-Hant.toml"), `other = "【依據：{{.list}}】"`, `other = "【依據：{{.lst}}】"`)
	code, out := i18n(t, "status", "--locales", dir)
	if code != 1 {
		t.Errorf("status with a broken translation exited %d, want 1", code)
	}
	for _, want := range []string{
		"zh-Hans: 1 stale (the English changed since they were translated): ui.language_name",
		"zh-Hant: 1 stale (the English changed since they were translated): ui.language_name",
		"ui.zh-Hant.toml:", "ui.cite uses the placeholders {lst}, but the English text uses {list}",
		"to work on them: redress i18n prepare zh-Hant",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	if !regexp.MustCompile(`(?m)^zh-Hant\s+\d+\s+\d+\s+0\s+1\s+1\s+0`).MatchString(out) {
		t.Errorf("the zh-Hant row does not count 1 stale and 1 broken:\n%s", out)
	}
}

// lint checks complete catalogs: a message a language lacks is an error
// at the English message's line, saying how to make it.
func TestLintWantsCompleteCatalogs(t *testing.T) {
	fsys := fstest.MapFS{
		"ui.en.toml":      {Data: []byte("[a.x]\ndescription = \"d\"\nother = \"x\"\n\n[a.y]\ndescription = \"d\"\nother = \"y\"\n")},
		"ui.zh-Hant.toml": {Data: []byte("[a.x]\ndescription = \"d\"\nother = \"叉\"\n")},
		"ui.fr.toml":      {Data: []byte("[a.y]\ndescription = \"d\"\nother = \"i grec\"\n")},
	}
	lines, errs, _ := lint(nil, nil, fsys, "locales/", false)
	all := strings.Join(lines, "\n")
	for _, want := range []string{
		"locales/ui.en.toml:5: the zh-Hant catalog has no translation of a.y (go run ./tools/hant writes it from zh-Hans)",
		"locales/ui.en.toml:1: the fr catalog has no translation of a.x (go run . i18n prepare fr, translate, go run . i18n merge)",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("lint lacks %q in:\n%s", want, all)
		}
	}
	if errs < 2 {
		t.Errorf("%d errors", errs)
	}
}

// A language is its catalog files and nothing else: a partial French
// catalog in --locales is matched, listed in /lang under its own name,
// and shows its one translated sentence, English for the rest.
func TestChatNewLanguageFromCatalogFilesAlone(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"ui.fr.toml":     "[\"ui.language_name\"]\ndescription = \"d\"\nother = \"Français\"\n",
		"active.fr.toml": "[cv.intro.welcome]\ndescription = \"d\"\nother = \"Bonjour. Ce qui vous arrive n'est pas de votre faute.\"\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db := filepath.Join(t.TempDir(), "r.db")
	out, errs, code := runCLI(t, "/lang\n", "chat", "--db", db, "--lang", "fr-CA", "--locales", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"Bonjour. Ce qui vous arrive n'est pas de votre faute.",
		"I will ask short questions",                          // not translated: English
		"[1] English", "[2] Français", "[3] 简体中文", "[4] 繁體中文", // the /lang menu, each language named in itself
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the chat lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Hello. I can help you") {
		t.Errorf("the translated sentence is also shown in English:\n%s", out)
	}
}

// prepare and merge from the command line: a new language's work file
// holds every message; the two translated are merged, the rest left for
// later, and status counts them.
func TestI18nPrepareMergeCommands(t *testing.T) {
	dir := copyLocales(t)
	work := filepath.Join(t.TempDir(), "fr.toml")
	if code, out := i18n(t, "prepare", "fr", "--locales", dir, "-o", work); code != 0 || !strings.Contains(out, "message(s) to translate; then run: redress i18n merge") {
		t.Fatalf("prepare exited %d: %s", code, out)
	}
	b, err := os.ReadFile(work)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for _, tr := range [][2]string{{`["ui.language_name"]`, "Français"}, {`["cmd.lang.set"]`, "Je parlerai français désormais."}} {
		i := strings.Index(text, tr[0])
		j := i + strings.Index(text[i:], "other = \"\"")
		if i < 0 || j < i {
			t.Fatalf("the work file lacks %s:\n%.2000s", tr[0], text)
		}
		text = text[:j] + "other = \"" + tr[1] + "\"" + text[j+len("other = \"\""):]
	}
	if err := os.WriteFile(work, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out := i18n(t, "merge", work, "--locales", dir)
	if code != 0 || !strings.Contains(out, "fr: merged 2 message(s) into") || !strings.Contains(out, "left empty (still to do)") {
		t.Fatalf("merge exited %d: %s", code, out)
	}
	code, out = i18n(t, "status", "--locales", dir)
	if code != 0 || !regexp.MustCompile(`(?m)^fr\s+(\d+)\s+2\s+(\d+)\s+0\s+0\s+0`).MatchString(out) {
		t.Errorf("status after merging 2 French messages (exit %d):\n%s", code, out)
	}
}

// After a merge that changed English texts together with their zh-Hans
// translations, stamp --stale records them (and the new ones) as current.
func TestI18nStampStale(t *testing.T) {
	dir := copyLocales(t)
	replaceIn(t, filepath.Join(dir, "ui.en.toml"), `other = "English"`, `other = "English (source)"`)
	if code, out := i18n(t, "stamp", "--stale", "zh-Hans", "--locales", dir); code != 0 || !strings.Contains(out, "zh-Hans: 1 translation(s) recorded") {
		t.Fatalf("stamp --stale exited %d: %s", code, out)
	}
	_, out := i18n(t, "status", "--locales", dir)
	if !regexp.MustCompile(`(?m)^zh-Hans\s+\d+\s+\d+\s+0\s+0\s+0\s+0\s+complete`).MatchString(out) || !strings.Contains(out, "zh-Hant: 1 stale") {
		t.Errorf("after stamp --stale zh-Hans, zh-Hans should be complete and zh-Hant still stale:\n%s", out)
	}
}
