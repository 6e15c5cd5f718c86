package chat_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redress-legal/redress/chat"
	"github.com/redress-legal/redress/commands"
	"github.com/redress-legal/redress/flows"
	"github.com/redress-legal/redress/flows/flowstest"
	"github.com/redress-legal/redress/internal/docxtext"
	"github.com/redress-legal/redress/papers"
)

// evidenceStore is a session store that also keeps an evidence log, as
// the SQLite store does once it implements flows.EvidenceStore.
type evidenceStore struct {
	*flowstest.MemStore
	items []flows.EvidenceItem
}

func (s *evidenceStore) AddEvidence(_ context.Context, _ string, it flows.EvidenceItem) (flows.EvidenceItem, error) {
	it.Seq = len(s.items) + 1
	s.items = append(s.items, it)
	return it, nil
}

func (s *evidenceStore) RemoveEvidence(_ context.Context, _ string, seq int, at time.Time) error {
	s.items[seq-1].Removed = at
	return nil
}

func (s *evidenceStore) ListEvidence(context.Context, string) ([]flows.EvidenceItem, error) {
	return s.items, nil
}

const (
	shotHash    = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	removedHash = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"
)

// TestDocumentsAfterT1: after the shared example T1, /documents writes
// the criminal complaint and the evidence list (with the other documents
// that apply, and the English guide) as .docx files whose text, read back
// by a real .docx reader, holds the facts, 《刑法》第二百四十六条 and the
// hash of the evidence logged; a removed item is not listed. /delete
// removes them, and nothing else in the folder.
func TestDocumentsAfterT1(t *testing.T) {
	f, err := flows.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	set, err := papers.LoadDefault(f)
	if err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile("../flows/testdata/scenarios/t1.txt")
	if err != nil {
		t.Fatal(err)
	}
	store := &evidenceStore{MemStore: flowstest.NewMemStore()}
	at := time.Date(2026, 11, 20, 6, 3, 0, 0, time.UTC)
	store.AddEvidence(context.Background(), "local:test", flows.EvidenceItem{Kind: flows.EvidenceFile, SHA256: shotHash, FileName: "weibo.png", Description: "造谣微博截图", Received: at, Platform: "weibo"})
	store.AddEvidence(context.Background(), "local:test", flows.EvidenceItem{Kind: flows.EvidenceFile, SHA256: removedHash, FileName: "wrong.png", Received: at})
	store.RemoveEvidence(context.Background(), "local:test", 2, at.Add(time.Hour))

	dir := filepath.Join(t.TempDir(), "docs")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(dir, "my-notes.txt") // the user's own file: never removed
	if err := os.WriteFile(mine, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(lang, input string) string {
		var out strings.Builder
		err := chat.Run(context.Background(), chat.Config{
			Flow: f, Store: store, Loc: idLoc{}, Key: "local:test", Lang: lang, Papers: set, DocsDir: dir,
			In: strings.NewReader(input), Out: &out, Script: true, Now: func() time.Time { return now },
			DBPath: "/tmp/x.db", RetentionDays: 90,
		})
		if err != nil {
			t.Fatalf("chat: %v", err)
		}
		return out.String()
	}
	if out := run("en", "/documents\n"); !strings.Contains(out, "en:"+commands.MsgDocsNotYet) {
		t.Fatalf("/documents before the assessment:\n%s", out)
	}
	for _, lang := range []string{"zh-Hans", "en"} {
		out := run(lang, string(script)+"\n/documents\n")
		if !strings.Contains(out, lang+":"+commands.MsgDocsReady+" count=5") || !strings.Contains(out, "01-criminal-complaint.docx — ") {
			t.Fatalf("%s: /documents after T1:\n%s", lang, out[max(0, len(out)-2000):])
		}
		// "Here are 5 documents": five listed under it; the English guide,
		// not one of them, on its own line after its caption.
		listed := out[strings.LastIndex(out, "chat.docs.saved"):]
		listed, guideLines, _ := strings.Cut(listed, commands.MsgDocsGuide)
		if n := strings.Count(listed, "\n  • "); n != 5 || strings.Contains(listed, "00-guide") {
			t.Errorf("%s: %d documents listed under the count of 5 (the guide among them: %v):\n%s", lang, n, strings.Contains(listed, "00-guide"), listed)
		}
		if (lang == "en") != strings.Contains(guideLines, "  • 00-guide-english.docx — ") {
			t.Errorf("%s: the English guide is listed on its own line after its caption for an English reader only:\n%s", lang, out[strings.LastIndex(out, "chat.docs.saved"):])
		}
		guide := filepath.Join(dir, "00-guide-english.docx")
		if _, err := os.Stat(guide); (err == nil) != (lang == "en") {
			t.Errorf("%s: the English guide is written for an English reader only (stat: %v)", lang, err)
		}
	}
	docs := map[string][]byte{}
	for _, name := range []string{"01-criminal-complaint.docx", "08-evidence-list.docx"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		docs[name] = b
	}
	texts := docxtext.Read(t, docs)
	for name, wants := range map[string][]string{
		"01-criminal-complaint.docx": {"刑事控告书", "《刑法》第二百四十六条", "12,000次", "新浪微博、微信", "2026年11月14日", "随意以普通公众为侵害对象", "受案回执", "12348"},
		"08-evidence-list.docx":      {"证据清单", "造谣微博截图", shotHash, "2026年11月20日 14:03", "12348"},
	} {
		for _, w := range wants {
			if !strings.Contains(texts[name], w) {
				t.Errorf("%s, read back, lacks %q:\n%s", name, w, texts[name])
			}
		}
	}
	if strings.Contains(texts["08-evidence-list.docx"], removedHash) {
		t.Error("the evidence list lists a removed item")
	}

	run("en", "/delete\n1\n")
	left, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(left) != 1 || left[0] != mine {
		t.Errorf("after /delete the folder holds %v; want only the user's own file", left)
	}
}
