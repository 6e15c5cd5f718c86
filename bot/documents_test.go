package bot_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redress-legal/redress/bot"
	"github.com/redress-legal/redress/bot/telegramtest"
	"github.com/redress-legal/redress/flows"
	"github.com/redress-legal/redress/flows/flowstest"
	"github.com/redress-legal/redress/internal/docxtext"
	"github.com/redress-legal/redress/papers"
)

// evidenceStore is the in-memory store with an evidence log, as the
// SQLite store is once it implements flows.EvidenceStore.
type evidenceStore struct {
	*flowstest.MemStore
	items map[string][]flows.EvidenceItem
}

func (s *evidenceStore) AddEvidence(_ context.Context, key string, it flows.EvidenceItem) (flows.EvidenceItem, error) {
	it.Seq = len(s.items[key]) + 1
	s.items[key] = append(s.items[key], it)
	return it, nil
}

func (s *evidenceStore) RemoveEvidence(_ context.Context, key string, seq int, at time.Time) error {
	s.items[key][seq-1].Removed = at
	return nil
}

func (s *evidenceStore) ListEvidence(_ context.Context, key string) ([]flows.EvidenceItem, error) {
	return s.items[key], nil
}

// TestDocumentsOnTelegram plays the shared example T1 on the fake Bot
// API, then /documents: a message saying what follows, then each document
// as a .docx file (sendDocument) with a one-line caption — the English
// guide first for an English reader, none for a Chinese one — whose text,
// read back by a real .docx reader, holds the facts, 《刑法》第二百四十六条
// and the hash of the evidence the user logged. Before the last answer,
// /documents says they come after it.
func TestDocumentsOnTelegram(t *testing.T) {
	h := newHarness(t)
	f, err := flows.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	set, err := papers.LoadDefault(f)
	if err != nil {
		t.Fatal(err)
	}
	h.flow = f
	const hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	store := &evidenceStore{MemStore: h.store, items: map[string][]flows.EvidenceItem{}}
	en := telegramtest.User{ID: 701, LanguageCode: "en"}
	zh := telegramtest.User{ID: 702, LanguageCode: "zh"}
	for _, u := range []telegramtest.User{en, zh} {
		store.AddEvidence(context.Background(), bot.SessionKey(u.ID), flows.EvidenceItem{Kind: flows.EvidenceFile, SHA256: hash,
			FileName: "weibo.png", Description: "造谣微博截图", Received: time.Date(2026, 11, 20, 6, 3, 0, 0, time.UTC), Platform: "weibo"})
	}
	h.start(func(c *bot.Config) { c.Flow, c.Store, c.Papers = f, store, set })
	script, err := os.ReadFile("../flows/testdata/scenarios/t1.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []telegramtest.User{en, zh} {
		typeAndWait(h, u, func() { h.api.SendCommand(u, "/start") })
		early := typeAndWait(h, u, func() { h.api.SendCommand(u, "/documents") })
		if !strings.Contains(early.PlainText(), "cmd.docs.not_yet") && !strings.Contains(transcript(h.api.Calls(), u.ID), "cmd.docs.not_yet") {
			t.Errorf("%s: /documents before the end:\n%s", u.LanguageCode, transcript(h.api.Calls(), u.ID))
		}
		for _, line := range strings.Split(string(script), "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
				typeAndWait(h, u, func() { h.api.SendText(u, line) })
			}
		}
		h.api.SendCommand(u, "/documents")
		want := 5 // complaint, private prosecution, police assistance, platform notice, evidence list
		if u.LanguageCode == "en" {
			want++ // and the guide
		}
		h.waitCount(u, "sendDocument", want)
		h.settled()
		if !strings.Contains(transcript(h.api.Calls(), u.ID), "cmd.docs.ready") {
			t.Errorf("%s: no message before the documents", u.LanguageCode)
		}
		files := map[string][]byte{}
		var names []string
		for _, c := range telegramtest.Filter(h.api.Calls(), u.ID, "sendDocument") {
			m, ok := h.api.Message(u.ID, c.Result)
			if !ok {
				t.Fatalf("document %d not stored", c.Result)
			}
			names = append(names, m.Document)
			files[m.Document] = m.File
			if !strings.HasSuffix(m.Document, ".docx") || strings.Contains(m.Text, "\n") || m.Text == "" {
				t.Errorf("%s: %q with caption %q: a .docx with a one-line caption", u.LanguageCode, m.Document, m.Text)
			}
		}
		if len(names) != want || names[len(names)-1] != "08-evidence-list.docx" || (u.LanguageCode == "en") != (names[0] == "00-guide-english.docx") {
			t.Fatalf("%s: documents sent %v", u.LanguageCode, names)
		}
		texts := docxtext.Read(t, files)
		for name, wants := range map[string][]string{
			"01-criminal-complaint.docx": {"刑事控告书", "《刑法》第二百四十六条", "12,000次", "2026年11月14日", "随意以普通公众为侵害对象", "受案回执"},
			"08-evidence-list.docx":      {"造谣微博截图", hash},
		} {
			for _, w := range wants {
				if !strings.Contains(texts[name], w) {
					t.Errorf("%s: %s lacks %q", u.LanguageCode, name, w)
				}
			}
		}
		if u.LanguageCode == "en" && !strings.Contains(texts["00-guide-english.docx"], "Criminal complaint to the police") {
			t.Errorf("the English guide lacks the complaint's page:\n%s", texts["00-guide-english.docx"])
		}
	}
}
