package main

import (
	"os"
	"path/filepath"
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
