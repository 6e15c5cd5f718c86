package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redress-legal/redress/commands"
	"github.com/redress-legal/redress/internal/docxtext"
	"github.com/redress-legal/redress/locales"
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

// TestChatDocumentsZhHant: a zh-Hant reader's list of documents names
// them in Traditional characters (刑事控告書, 證據清單), from the catalogs;
// the documents themselves stay in Simplified Chinese, as filed.
func TestChatDocumentsZhHant(t *testing.T) {
	dir := t.TempDir()
	out, errs, code := runCLI(t, scenario(t, "t1")+"/documents\n", "chat", "--db", filepath.Join(dir, "r.db"), "--lang", "zh-Hant", "--today", "2026-11-27")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	list := out[strings.LastIndex(out, "01-criminal-complaint.docx"):]
	for _, want := range []string{"01-criminal-complaint.docx — 刑事控告書", "08-evidence-list.docx — 證據清單"} {
		if !strings.Contains(list, want) {
			t.Errorf("the list lacks %q:\n%s", want, list)
		}
	}
	for _, wrong := range []string{"刑事控告书", "证据清单"} {
		if strings.Contains(list, wrong) {
			t.Errorf("the zh-Hant list has the Simplified name %q:\n%s", wrong, list)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "documents", "default", "01-criminal-complaint.docx"))
	if err != nil {
		t.Fatal(err)
	}
	if text := docxtext.Read(t, map[string][]byte{"c": b})["c"]; !strings.Contains(text, "刑事控告书") || strings.Contains(text, "刑事控告書") {
		t.Errorf("the complaint filed is not in Simplified Chinese:\n%s", text[:min(len(text), 300)])
	}
}

// TestDocumentNames: every built-in document has its name in the
// catalogs (cmd.docs.name.<id>), and the Chinese name is its title as
// filed.
func TestDocumentNames(t *testing.T) {
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	names, _ := fs.Glob(papers.Templates, papers.TemplatesDir+"/0*.yaml")
	if len(names) == 0 {
		t.Fatal("no templates")
	}
	for _, name := range names {
		b, _ := fs.ReadFile(papers.Templates, name)
		var id, title string
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "id:"); ok && id == "" {
				id = strings.TrimSpace(v)
			}
			if v, ok := strings.CutPrefix(l, "title:"); ok && title == "" {
				title = strings.TrimSpace(v)
			}
		}
		msg := commands.MsgDocName + id
		for _, lang := range []string{"en", "zh-Hans", "zh-Hant"} {
			if !cat.Has(lang, msg) {
				t.Errorf("%s: %s has no %s", name, lang, msg)
			}
		}
		if _, ok := commands.Messages[msg]; !ok {
			t.Errorf("%s: %s is not among the messages shown by code: add %q to commands/docs.go", name, msg, id)
		}
		if got := cat.Text("zh-Hans", msg, nil); got != title {
			t.Errorf("%s: %s is %q in zh-Hans, the title is %q", name, msg, got, title)
		}
	}
}
