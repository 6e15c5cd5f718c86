package commands_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redress-legal/redress/commands"
	"github.com/redress-legal/redress/flows"
	"github.com/redress-legal/redress/internal/depcheck"
)

// TestDependencies enforces design §1: commands imports no project package
// but flows.
func TestDependencies(t *testing.T) {
	depcheck.Allow(t, "commands", []string{"flows"},
		"github.com/go-telegram/bot", "github.com/mattn/go-sqlite3", "github.com/nicksnyder/go-i18n", "database/sql")
}

func TestParse(t *testing.T) {
	for _, c := range []struct {
		in   string
		want commands.Command
		ok   bool
	}{
		{"/help", commands.Command{Name: commands.Help}, true},
		{"  /Lang@RedressBot zh  ", commands.Command{Name: commands.Lang, Arg: "zh", Bot: "RedressBot"}, true},
		{"/language en", commands.Command{Name: commands.Lang, Arg: "en"}, true},
		{"/delete\nplease", commands.Command{Name: commands.Delete, Arg: "please"}, true},
		{"/frob_1", commands.Command{Name: "frob_1"}, true},
		{"/", commands.Command{}, false},
		{"/@bot", commands.Command{}, false},
		{"/帮助", commands.Command{}, false},
		{"hello /help", commands.Command{}, false},
		{"?", commands.Command{}, false},
	} {
		got, ok := commands.Parse(c.in)
		if ok != c.ok || got != c.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
	// The cases the bot's parser was tested with.
	for text, want := range map[string]commands.Name{
		"/start": commands.Start, "/Lang@RedressBot": commands.Lang,
		"/start deep-link-payload": commands.Start, "  /help\nmore": commands.Help,
	} {
		if got, ok := commands.Parse(text); !ok || got.Name != want {
			t.Errorf("Parse(%q) = %+v, %v; want %q", text, got, ok, want)
		}
	}
	for _, text := range []string{"hello", "/", "/ start", "/12:30 meeting", "1/2"} {
		if got, ok := commands.Parse(text); ok {
			t.Errorf("Parse(%q) = %+v, want not a command", text, got)
		}
	}
	if c, _ := commands.Parse("/sos"); !c.Bypasses() {
		t.Error("/sos must bypass flood limits")
	}
}

type idLoc struct{}

func (idLoc) Match(code string) string {
	if strings.HasPrefix(strings.ToLower(code), "zh") {
		return "zh-Hans"
	}
	return "en"
}
func (idLoc) Languages() []string                      { return []string{"en", "zh-Hans"} }
func (idLoc) Text(lang string, m flows.Message) string { return lang + ":" + m.ID }

var now = time.Date(2026, 11, 27, 10, 0, 0, 0, flows.China)

func env(t *testing.T, typed bool) *commands.Env {
	t.Helper()
	f, err := flows.LoadFS(os.DirFS("../flows"), "testdata/mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return &commands.Env{Flow: f, Loc: idLoc{}, Typed: typed, Texts: commands.Texts{
		Help: "t.help", Privacy: "t.privacy", DeleteConfirm: "t.delete.confirm", DeleteDone: "t.delete.done"}}
}

func ids(r flows.Reply) []string {
	var out []string
	for _, m := range r.Messages {
		out = append(out, m.ID)
	}
	return out
}

// TestHelpIsTheSameEverywhere: /help shows the general help, then the
// question's own help if any, never the engine's "no extra explanation".
func TestHelpIsTheSameEverywhere(t *testing.T) {
	for _, typed := range []bool{true, false} {
		e := env(t, typed)
		st := e.Step(flows.State{}, "en", flows.Input{Kind: flows.InStart, Now: now}).State
		out := e.Text(st, "en", "/help", now)
		got := ids(out.Reply)
		if len(got) == 0 || got[0] != "t.help" || strings.Contains(strings.Join(got, " "), flows.MsgNoHelp) || out.Reply.Question == nil {
			t.Errorf("typed=%v: /help = %v", typed, got)
		}
		if out.Event != commands.EvHelp {
			t.Errorf("event %q", out.Event)
		}
	}
}

func TestMenusLiveInTheState(t *testing.T) {
	e := env(t, true)
	st := e.Step(flows.State{}, "en", flows.Input{Kind: flows.InStart, Now: now}).State
	out := e.Text(st, "en", "/lang", now)
	if out.State.Menu != "lang" || out.Reply.Question == nil || out.Reply.Question.Node != commands.MenuLang || len(out.Reply.Question.Choices) != 2 {
		t.Fatalf("/lang = %+v", out)
	}
	out = e.Text(out.State, "en", "2", now)
	if out.State.Lang != "zh-Hans" || out.State.Menu != "" || out.Result == nil || out.Result.ID != commands.MsgLangSet || out.Reply.Question == nil {
		t.Fatalf("choosing 2 = %+v", out)
	}

	out = e.Text(out.State, "zh-Hans", "/delete", now)
	if out.State.Menu != "delete" || out.Reply.Question.Node != commands.MenuDelete {
		t.Fatalf("/delete = %+v", out)
	}
	kept := e.Text(out.State, "zh-Hans", "no", now)
	if kept.Erase || kept.Result == nil || kept.Result.ID != commands.MsgDeleteKept || kept.State.Menu != "" {
		t.Fatalf("no = %+v", kept)
	}
	for _, yes := range []string{"是", "確認", "确认删除。", "Delete"} {
		gone := e.Text(out.State, "zh-Hans", yes, now)
		if !gone.Erase || gone.State.Lang != "zh-Hans" || gone.State.Started() || ids(gone.Reply)[0] != "t.delete.done" {
			t.Fatalf("%s = %+v", yes, gone)
		}
	}
	for _, no := range []string{"不", "算了", "2", "maybe", "restart", "重新开始"} {
		if kept := e.Text(out.State, "zh-Hans", no, now); kept.Erase {
			t.Fatalf("%q erased everything", no)
		}
	}

	// On Telegram menus are buttons: typed text closes the menu and is an answer.
	tg := env(t, false)
	out = tg.Text(st, "en", "/delete", now)
	ans := tg.Text(out.State, "en", "1", now)
	if ans.Erase || ans.State.Menu != "" || ans.Event != flows.EvAnswered {
		t.Fatalf("typed 1 on Telegram = %+v", ans)
	}
	if b := tg.Choose(st, "en", commands.MenuDelete, commands.KeyYes, now); !b.Erase {
		t.Fatalf("delete button = %+v", b)
	}
	if b := tg.Choose(st, "en", commands.MenuLang, "xx", now); b.Event != commands.EvStale || b.Changed {
		t.Fatalf("stale language button = %+v", b)
	}
}

func TestUnknownCommandReasks(t *testing.T) {
	e := env(t, false)
	st := e.Step(flows.State{}, "en", flows.Input{Kind: flows.InStart, Now: now}).State
	out := e.Text(st, "en", "/frobnicate@RedressBot", now)
	if got := ids(out.Reply); got[0] != commands.MsgUnknownCommand || out.Reply.Messages[0].Params["command"] != "/frobnicate" || out.Reply.Question == nil {
		t.Fatalf("unknown = %v %+v", got, out.Reply.Messages[0])
	}
}

// distressed stands in for the phrases of package locales.
func distressed(text string) bool {
	return strings.Contains(text, "want to die") || strings.Contains(text, "撑不下去") || strings.Contains(text, "杀了我")
}

// TestTypedDistressBringsTheCrisisHelpAtEveryQuestion: at every kind of
// question, in a waiting menu and after the assessment, words of distress
// get the crisis help first and then the same question; they are not an
// answer. At a free-text question the second such text is the answer, so
// a person describing a threat is not asked forever.
func TestTypedDistressBringsTheCrisisHelpAtEveryQuestion(t *testing.T) {
	for _, typed := range []bool{true, false} {
		e := env(t, typed)
		e.Distress = distressed
		// A new user's first words.
		out := e.Text(flows.State{}, "en", "I want to die", now)
		if got := ids(out.Reply); !out.Reply.Urgent || got[0] != "mini.crisis.numbers" || out.Reply.Question == nil || out.Reply.Question.Node != "danger" {
			t.Fatalf("typed=%v first words: %v", typed, got)
		}
		st := out.State
		for _, step := range []struct{ node, answer string }{
			{"danger", "2"}, {"what", "1"}, {"views", "6000"}, {"reposts", "10"}, {"last", "2026-11-01"}, {"describe", "a rumour"},
		} {
			if st.Node != step.node {
				t.Fatalf("at %q, want %q", st.Node, step.node)
			}
			for _, words := range []string{"I want to die", "我真的撑不下去了"} {
				out := e.Text(st, "en", words, now)
				got := ids(out.Reply)
				if !out.Reply.Urgent || got[0] != "mini.crisis.numbers" || out.Event != commands.EvDistress {
					t.Errorf("typed=%v at %s: %q = %v (%s), want the crisis help first", typed, step.node, words, got, out.Event)
				}
				if out.Reply.Question == nil || out.Reply.Question.Node != step.node || len(out.State.History) != len(st.History) {
					t.Errorf("typed=%v at %s: %q was taken as an answer: %+v", typed, step.node, words, out.State)
				}
				if step.node == "describe" {
					// Said again at a free-text question: now it is the answer.
					again := e.Text(out.State, "en", "he said 杀了我", now)
					if again.Reply.Urgent || !again.State.Done || again.State.Answers["describe"].Text != "he said 杀了我" {
						t.Errorf("typed=%v: the second distress text at a free-text question = %v %+v", typed, ids(again.Reply), again.State)
					}
				}
			}
			st = e.Text(st, "en", step.answer, now).State
		}
		if !st.Done {
			t.Fatalf("typed=%v: not at the outcome: %+v", typed, st)
		}
		out = e.Text(st, "en", "I want to die", now)
		if got := ids(out.Reply); !out.Reply.Urgent || got[0] != "mini.crisis.numbers" || out.Reply.Question != nil {
			t.Errorf("typed=%v after the assessment: %v", typed, got)
		}
		// A waiting menu does not swallow it.
		menu := e.Text(st, "en", "/delete", now).State
		out = e.Text(menu, "en", "I want to die", now)
		if !out.Reply.Urgent || out.Erase || out.State.Menu != "" {
			t.Errorf("typed=%v in the delete menu: %v %+v", typed, ids(out.Reply), out)
		}
		// Commands are commands, and ordinary words are answers.
		if out := e.Text(st, "en", "/want to die", now); out.Reply.Urgent {
			t.Errorf("typed=%v: a command was read as distress", typed)
		}
	}
}

// TestOptionLabelTypedAsText: an option's own text, typed, in any of the
// languages, chooses it; so does the "I don't know" option's.
func TestOptionLabelTypedAsText(t *testing.T) {
	e := env(t, true)
	st := e.Step(flows.State{}, "en", flows.Input{Kind: flows.InStart, Now: now}).State
	out := e.Text(st, "en", " zh-Hans:mini.no。", now) // idLoc's text of the option "no", in Chinese
	if out.State.Answers["danger"].Choice != "safe" {
		t.Fatalf("label typed = %v %+v", ids(out.Reply), out.State.Answers)
	}
	out = e.Text(out.State, "en", "EN:MINI.WHAT.ABUSE", now)
	if got := out.State.Answers["what"].Choices; len(got) != 1 || got[0] != "abuse" {
		t.Fatalf("multi label typed = %v %+v", ids(out.Reply), out.State.Answers)
	}
	out = e.Text(out.State, "en", "en:mini.unknown", now)
	if a, ok := out.State.Answers["views"]; !ok || !a.Unknown {
		t.Fatalf("\"I don't know\" label typed = %v %+v", ids(out.Reply), out.State.Answers)
	}
	if out := e.Text(out.State, "en", "en:mini.unknown", now); out.Event != flows.EvInvalid {
		t.Fatalf("a label of no option of this question (reposts offers no \"I don't know\") = %s", out.Event)
	}
}

// TestDocumentsAfterTheAssessment: /documents (or /docs) before the last
// answer says so and asks the question again; after it, the outcome asks
// the transport for the documents of that assessment, leaving the state as
// it was.
func TestDocumentsAfterTheAssessment(t *testing.T) {
	f, err := flows.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	e := &commands.Env{Flow: f, Loc: idLoc{}, Typed: true}
	st := e.Step(flows.State{}, "en", flows.Input{Kind: flows.InStart, Now: now}).State
	early := e.Text(st, "en", "/documents", now)
	if got := ids(early.Reply); got[0] != commands.MsgDocsNotYet || early.Docs != nil || early.Reply.Question == nil {
		t.Fatalf("/documents before the end = %v, docs %v", got, early.Docs)
	}
	script, err := os.ReadFile("../flows/testdata/scenarios/t1.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(script), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			st = e.Text(st, "en", line, now).State
		}
	}
	for _, cmd := range []string{"/documents", "/docs", "/Documents@RedressBot"} {
		out := e.Text(st, "zh-Hans", cmd, now)
		// In the terminal the report's menu comes back under the list.
		if out.Docs == nil || out.Event != commands.EvDocs || out.Docs.Node != "outcome_main" || out.State.Lang != "zh-Hans" ||
			out.Reply.Question == nil || out.Reply.Question.Node != commands.MenuReport {
			t.Fatalf("%s after T1 = %+v", cmd, out)
		}
	}
}

// TestRestartHalfWayAsksFirst: /restart after some answers asks before
// forgetting them, typed or pressed; "no" goes on at the same question;
// at the start and after the assessment it starts again at once.
func TestRestartHalfWayAsksFirst(t *testing.T) {
	for _, typed := range []bool{true, false} {
		e := env(t, typed)
		st := e.Step(flows.State{}, "en", flows.Input{Kind: flows.InStart, Now: now}).State
		if out := e.Text(st, "en", "/restart", now); out.Reply.Question == nil || out.Reply.Question.Node == commands.MenuRestart {
			t.Fatalf("typed=%v: /restart before any answer asked first: %v", typed, ids(out.Reply))
		}
		st = e.Text(st, "en", "1", now).State
		node := st.Node
		ask := e.Text(st, "en", "/restart", now)
		if ask.Reply.Question == nil || ask.Reply.Question.Node != commands.MenuRestart || ids(ask.Reply)[0] != commands.MsgRestartConfirm {
			t.Fatalf("typed=%v: /restart half-way: %v", typed, ids(ask.Reply))
		}
		var kept, gone commands.Outcome
		if typed {
			kept, gone = e.Text(ask.State, "en", "2", now), e.Text(ask.State, "en", "1", now)
		} else {
			kept, gone = e.Choose(ask.State, "en", commands.MenuRestart, commands.KeyNo, now), e.Choose(ask.State, "en", commands.MenuRestart, commands.KeyYes, now)
		}
		if kept.State.Node != node || len(kept.State.History) != 1 || kept.State.Menu != "" {
			t.Errorf("typed=%v: no: at %s with %d answers, menu %q", typed, kept.State.Node, len(kept.State.History), kept.State.Menu)
		}
		if len(gone.State.History) != 0 || gone.Event != flows.EvRestart {
			t.Errorf("typed=%v: yes: %d answers left, event %s", typed, len(gone.State.History), gone.Event)
		}
	}
}
