package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestLangAfterTheSummaryShowsItAgain: /lang after the assessment shows the
// summary and its menu again in the new language — not the last question
// (a user who then answers it was told "your assessment is complete" and
// saw no summary).
func TestLangAfterTheSummaryShowsItAgain(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("flows", "testdata", "scenarios", "t1.txt"))
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "r.db")
	out, errs, code := runCLI(t, string(b)+"/lang\n2\n", "chat", "--db", db, "--lang", "en", "--today", "2026-11-27")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	i := strings.LastIndex(out, "接下来我会使用简体中文")
	if i < 0 {
		t.Fatalf("the language was not switched:\n%s", out[max(0, len(out)-800):])
	}
	after := out[i:]
	for _, want := range []string{"简要结论", "想了解更多"} {
		if !strings.Contains(after, want) {
			t.Errorf("after /lang the summary's %q is missing:\n%s", want, after)
		}
	}
	if strings.Contains(after, "现在情况怎样") {
		t.Errorf("after /lang the last question was asked again:\n%s", after)
	}
}

// TestPartShowsOneHeading: a part of the report shown on demand opens with
// its title alone — never the title and then its first section's heading
// ("== Deadlines ==" twice; "== Next steps ==" then "== Do these first ==").
func TestPartShowsOneHeading(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("flows", "testdata", "scenarios", "t1.txt"))
	if err != nil {
		t.Fatal(err)
	}
	twoHeadings := regexp.MustCompile(`(?m)^== [^\n]* ==\n+== `)
	for _, lang := range []string{"en", "zh-Hans"} {
		db := filepath.Join(t.TempDir(), "r.db")
		out, errs, code := runCLI(t, string(b)+"1\n2\n3\n4\n5\n6\n7\n", "chat", "--db", db, "--lang", lang, "--today", "2026-11-27")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		parts := out[strings.LastIndex(out, "\n> 1\n"):]
		if strings.Count(parts, "\n== ") < 7 {
			t.Fatalf("%s: the parts were not shown:\n%s", lang, parts)
		}
		if m := twoHeadings.FindString(parts); m != "" {
			t.Errorf("%s: a part opens with two headings: %q", lang, m)
		}
	}
}
