package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redress-legal/redress/internal/docxtext"
	"github.com/redress-legal/redress/papers"
)

// TestChatDocumentsT1: `redress chat` after the shared example T1, then
// /documents, writes the criminal complaint and the evidence list (with
// the other documents that apply) beside the database, in both languages;
// read back by a real .docx reader, the complaint holds the facts and
// 《刑法》第二百四十六条. /privacy names the folder; retention purges it.
func TestChatDocumentsT1(t *testing.T) {
	script := scenario(t, "t1")
	for _, lang := range []string{"en", "zh-Hans"} {
		dir := t.TempDir()
		db := filepath.Join(dir, "r.db")
		out, errs, code := runCLI(t, script+"/documents\n/privacy\n", "chat", "--db", db, "--lang", lang, "--today", "2026-11-27")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", lang, code, errs)
		}
		docs := filepath.Join(dir, "documents", "default")
		for _, want := range []string{docs, "01-criminal-complaint.docx", "08-evidence-list.docx", "12348"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: the chat does not say %q:\n%s", lang, want, out[max(0, len(out)-1500):])
			}
		}
		b, err := os.ReadFile(filepath.Join(docs, "01-criminal-complaint.docx"))
		if err != nil {
			t.Fatal(err)
		}
		text := docxtext.Read(t, map[string][]byte{"c": b})["c"]
		for _, want := range []string{"刑事控告书", "《刑法》第二百四十六条", "12,000次", "2026年11月2日", "群成员合计约20,000人"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: the complaint lacks %q", lang, want)
			}
		}
		// Retention: documents untouched for longer are purged at the next start.
		old := time.Now().Add(-100 * 24 * time.Hour)
		filepath.WalkDir(docs, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				os.Chtimes(p, old, old)
			}
			return nil
		})
		if _, errs, code := runCLI(t, "", "chat", "--db", db, "--lang", lang); code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		if _, err := os.Stat(docs); !os.IsNotExist(err) {
			t.Errorf("%s: documents older than the retention period are still there (%v)", lang, err)
		}
	}
}

// TestLintReportsTemplateProblems: `redress lint --papers DIR` checks
// document templates against the flow and prints each problem as
// file:line; the built-in ones pass.
func TestLintReportsTemplateProblems(t *testing.T) {
	dir := t.TempDir()
	names, _ := fs.Glob(papers.Templates, "templates/*.yaml")
	for _, n := range names {
		b, _ := papers.Templates.ReadFile(n)
		if strings.HasSuffix(n, "01-criminal-complaint.yaml") {
			b = []byte(strings.Replace(string(b), `when: "m3"`, `when: "m3 and q3_identity == 'knwon'"`, 1))
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(n)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, _, code := runCLI(t, "", "lint", "--papers", dir)
	if code != 1 || !strings.Contains(out, filepath.Join(dir, "01-criminal-complaint.yaml")+":") || !strings.Contains(out, `"knwon" is not an option of q3_identity — did you mean "known"?`) {
		t.Fatalf("lint --papers with a typo: exit %d\n%s", code, out)
	}
}
