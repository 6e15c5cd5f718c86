package chat_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redress-legal/redress/chat"
	"github.com/redress-legal/redress/flows"
	"github.com/redress-legal/redress/flows/flowstest"
	"github.com/redress-legal/redress/internal/depcheck"
)

// idLoc renders a message as its ID (and language), so tests assert IDs.
type idLoc struct{}

func (idLoc) Match(code string) string {
	if strings.HasPrefix(strings.ToLower(code), "zh") {
		return "zh-Hans"
	}
	return "en"
}
func (idLoc) Languages() []string { return []string{"en", "zh-Hans"} }
func (idLoc) Text(lang string, m flows.Message) string {
	s := lang + ":" + m.ID
	for k, v := range m.Params {
		s += fmt.Sprintf(" %s=%v", k, v)
	}
	return s
}

var now = time.Date(2026, 11, 27, 10, 0, 0, 0, flows.China)

func miniFlow(t *testing.T) *flows.Flow {
	t.Helper()
	f, err := flows.LoadFS(os.DirFS("../flows"), "testdata/mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func runChat(t *testing.T, f *flows.Flow, st flows.Store, lang, input string) string {
	t.Helper()
	var out strings.Builder
	err := chat.Run(context.Background(), chat.Config{
		Flow: f, Store: st, Loc: idLoc{}, Key: "local:test", Lang: lang,
		In: strings.NewReader(input), Out: &out, Script: true, Now: func() time.Time { return now },
		DBPath: "/tmp/x.db", RetentionDays: 90,
	})
	if err != nil {
		t.Fatalf("chat: %v", err)
	}
	return out.String()
}

func TestQuitAndComeBackResumes(t *testing.T) {
	f, st := miniFlow(t), flowstest.NewMemStore()
	out := runChat(t, f, st, "en", "2\n1 2\n/quit\nthis is never read\n")
	if !strings.Contains(out, "en:chat.bye") || strings.Contains(out, "never read") {
		t.Fatalf("quit:\n%s", out)
	}
	out = runChat(t, f, st, "", "12000\n")
	if !strings.HasPrefix(out, "en:engine.resumed\n\nen:mini.views.ask\n") {
		t.Fatalf("resume did not continue at the views question:\n%s", out)
	}
	if !strings.Contains(out, "> 12000\n\nen:mini.reposts.ask") {
		t.Fatalf("answer after resume:\n%s", out)
	}
	s, err := st.Get(context.Background(), "local:test")
	if err != nil || s.State.Answers["views"].Number == nil || *s.State.Answers["views"].Number != 12000 {
		t.Fatalf("stored = %+v, %v", s, err)
	}
}

func TestLangSwitchKeepsProgress(t *testing.T) {
	f, st := miniFlow(t), flowstest.NewMemStore()
	out := runChat(t, f, st, "en", "2\n/lang\n2\n1\n")
	for _, want := range []string{"en:cmd.lang.choose\n[1] en:ui.language_name\n[2] zh-Hans:ui.language_name", "zh-Hans:cmd.lang.set", "zh-Hans:mini.what.ask", "> 1\n\nzh-Hans:mini.views.ask"} {
		if !strings.Contains(out, want) {
			t.Fatalf("missing %q in:\n%s", want, out)
		}
	}
	out = runChat(t, f, st, "", "/lang en\n")
	if !strings.Contains(out, "en:cmd.lang.set\n\nen:mini.views.ask") {
		t.Fatalf("/lang en:\n%s", out)
	}
}

func TestDeleteErasesTheSession(t *testing.T) {
	f, st := miniFlow(t), flowstest.NewMemStore()
	out := runChat(t, f, st, "en", "2\n/delete\nno\n/delete\nyes\n")
	if !strings.Contains(out, "en:cmd.delete.kept") || !strings.Contains(out, "en:chat.delete.done") {
		t.Fatalf("delete:\n%s", out)
	}
	if _, err := st.Get(context.Background(), "local:test"); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("session still stored: %v", err)
	}
}

func TestHugeLineIsDiscardedAndNothingLost(t *testing.T) {
	f, st := miniFlow(t), flowstest.NewMemStore()
	huge := strings.Repeat("x", 10<<20)
	out := runChat(t, f, st, "en", "2\n"+huge+"\n1\n")
	if !strings.Contains(out, "en:chat.line_too_long\n\nen:mini.what.ask\n[1]") {
		t.Fatalf("huge line:\n%.2000s", out)
	}
	if !strings.Contains(out, "> 1\n\nen:mini.views.ask") {
		t.Fatalf("conversation did not go on after the huge line:\n%.2000s", out)
	}
	if len(out) > 100000 {
		t.Fatalf("the huge line was echoed (%d bytes of output)", len(out))
	}
}

func TestUnknownCommandAndFreeTextNotEchoed(t *testing.T) {
	f, st := miniFlow(t), flowstest.NewMemStore()
	out := runChat(t, f, st, "en", "# a comment\n\n/frobnicate now\n2\n1\n10\n10\ntoday\nmy neighbour Wang posted it\n")
	if strings.Contains(out, "comment") {
		t.Fatalf("script comment was read as input:\n%s", out)
	}
	if !strings.Contains(out, "en:cmd.unknown_command command=/frobnicate\n\nen:mini.danger.ask") {
		t.Fatalf("unknown command:\n%s", out)
	}
	if strings.Contains(out, "Wang") || !strings.Contains(out, "> (27 characters)") {
		t.Fatalf("free text echoed:\n%s", out)
	}
	if !strings.Contains(out, "en:mini.footer") {
		t.Fatalf("did not reach the end:\n%s", out)
	}
}

func TestNewSessionUsesEnvironmentLanguage(t *testing.T) {
	f, st := miniFlow(t), flowstest.NewMemStore()
	var out strings.Builder
	err := chat.Run(context.Background(), chat.Config{Flow: f, Store: st, Loc: idLoc{}, Key: "local:zh",
		Env: "zh_CN.UTF-8", In: strings.NewReader(""), Out: &out, Now: func() time.Time { return now }})
	if err != nil || !strings.HasPrefix(out.String(), "zh-Hans:mini.intro") {
		t.Fatalf("%v:\n%s", err, out.String())
	}
}

func TestDependencies(t *testing.T) {
	depcheck.Allow(t, "chat", []string{"flows", "commands", "report", "papers"}, "github.com/mattn/go-sqlite3", "github.com/go-telegram/bot", "database/sql")
}

// TestEvidenceInTheTerminal: "/evidence add PATH description" hashes the
// file on disk (the SHA-256 printed is the file's), the transcript shows
// neither the path nor the description, and /delete erases the log.
func TestEvidenceInTheTerminal(t *testing.T) {
	dir := t.TempDir()
	content := []byte("a screenshot's bytes\x00\x01")
	path := dir + "/shot one.png"
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(content)
	hash := hex.EncodeToString(sum[:])
	st := flowstest.NewMemStore()
	var out strings.Builder
	err := chat.Run(context.Background(), chat.Config{
		Flow: miniFlow(t), Store: st, Evidence: st, Loc: idLoc{}, Key: "local:test", Lang: "en",
		In:  strings.NewReader(`/evidence add "` + path + `" private detail` + "\n/evidence remove 1\n"),
		Out: &out, Script: true, Now: func() time.Time { return now }, DBPath: "/tmp/x.db", RetentionDays: 90,
	})
	if err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if !strings.Contains(got, "hash="+hash) || !strings.Contains(got, "name=shot one.png") {
		t.Errorf("no confirmation with the file's SHA-256 %s:\n%s", hash, got)
	}
	if !strings.Contains(got, "> /evidence add (") || strings.Contains(got, "> /evidence add \"") || strings.Contains(got, "private detail") {
		t.Errorf("the transcript echoes the path or the description:\n%s", got)
	}
	items, _ := st.ListEvidence(context.Background(), "local:test")
	if len(items) != 1 || items[0].SHA256 != hash || items[0].MIME != "image/png" || items[0].Description != "private detail" || items[0].Active() {
		t.Fatalf("stored: %+v", items)
	}
	out.Reset()
	if err := chat.Run(context.Background(), chat.Config{
		Flow: miniFlow(t), Store: st, Evidence: st, Loc: idLoc{}, Key: "local:test", Lang: "en",
		In: strings.NewReader("/delete\n1\n"), Out: &out, Script: true, Now: func() time.Time { return now },
	}); err != nil {
		t.Fatal(err)
	}
	if items, _ := st.ListEvidence(context.Background(), "local:test"); len(items) != 0 {
		t.Errorf("after /delete the log holds %+v", items)
	}
}

// TestHumanInTheTerminalSaysWhereToTurn: the terminal chat has no
// volunteers; /human says how to reach people, and the question comes back.
func TestHumanInTheTerminalSaysWhereToTurn(t *testing.T) {
	f, st := miniFlow(t), flowstest.NewMemStore()
	out := runChat(t, f, st, "en", "/human\n/quit\n")
	if !strings.Contains(out, "en:chat.human") {
		t.Fatalf("/human:\n%s", out)
	}
}
