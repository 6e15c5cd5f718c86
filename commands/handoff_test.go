package commands_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/redress-legal/redress/commands"
	"github.com/redress-legal/redress/flows"
)

// t1 walks the built-in flow's case T1 on Telegram terms (menus are
// buttons) with a volunteers' chat, and returns the state at its summary
// and every count the steps gave.
func t1(t *testing.T) (*commands.Env, flows.State, []flows.Count) {
	t.Helper()
	f, err := flows.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	e := &commands.Env{Flow: f, Loc: idLoc{}, Handoff: true, Texts: commands.Texts{Help: "t.help", Human: "t.human"}}
	script, err := os.ReadFile("../flows/testdata/scenarios/t1.txt")
	if err != nil {
		t.Fatal(err)
	}
	out := e.Step(flows.State{}, "en", flows.Input{Kind: flows.InStart, Now: now})
	counts := out.Counts
	for _, line := range strings.Split(string(script), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			out = e.Text(out.State, "en", line, now)
			counts = append(counts, out.Counts...)
		}
	}
	if !out.State.Done || out.Event != flows.EvAnswered {
		t.Fatalf("T1 did not reach its summary: %+v", out.Event)
	}
	return e, out.State, counts
}

func TestConversationsAreCounted(t *testing.T) {
	_, _, counts := t1(t)
	for _, want := range []flows.Count{
		{Kind: commands.CountStarted, Value: "en"},
		{Kind: commands.CountCompleted, Value: "outcome_main"},
		{Kind: commands.CountFinding, Value: "offences/def_views"},
		{Kind: commands.CountFinding, Value: "prosecution/a2"},
		{Kind: commands.CountFinding, Value: "routes/police"},
	} {
		if !slices.Contains(counts, want) {
			t.Errorf("no count %+v among %v", want, counts)
		}
	}
	started := 0
	for _, c := range counts {
		if c.Kind == commands.CountStarted {
			started++
		}
		if sec, _, _ := strings.Cut(c.Value, "/"); c.Kind == commands.CountFinding && !slices.Contains(commands.CountedSections, sec) {
			t.Errorf("counted %q: only the findings of %v are", c.Value, commands.CountedSections)
		}
	}
	if started != 1 {
		t.Errorf("%d conversations counted as started, want 1", started)
	}
}

func TestHandoffNeedsConsentToExactlyTheCard(t *testing.T) {
	e, st, _ := t1(t)
	rep := e.Text(st, "en", "/report", now)
	q := rep.Reply.Question
	if q == nil || !slices.ContainsFunc(q.Choices, func(c flows.ChoiceItem) bool { return c.Key == commands.KeyHuman }) {
		t.Fatalf("the report menu offers no volunteer: %+v", q)
	}
	menu := e.Choose(rep.State, "en", commands.MenuReport, commands.KeyHuman, now)
	if menu.Reply.Question == nil || menu.Reply.Question.Node != commands.MenuHandoff || len(menu.Reply.Question.Choices) != 3 || menu.Handoff != nil {
		t.Fatalf("ask a volunteer = %+v", menu)
	}

	// A contact way typed: checked, shown, warned about; declined.
	typed := e.Choose(menu.State, "en", commands.MenuHandoff, commands.KeyTyped, now)
	if typed.State.Menu != "contact" {
		t.Fatalf("typed = %+v", typed)
	}
	bad := e.Text(typed.State, "en", "+86 138\n0000", now)
	if ids(bad.Reply)[0] != commands.MsgHandoffBadTyped || bad.State.Menu != "contact" {
		t.Fatalf("two lines = %v", ids(bad.Reply))
	}
	shown := e.Text(typed.State, "en", " +86 138 0000 1234 ", now)
	got := ids(shown.Reply)
	if shown.Reply.Question == nil || shown.Reply.Question.Node != commands.MenuConsent || shown.Handoff != nil ||
		!slices.Contains(got, commands.MsgHandoffWarn) || !slices.Contains(got, commands.MsgCardContact) || slices.Contains(got, commands.MsgCardViaBot) {
		t.Fatalf("preview with a contact way = %v", got)
	}
	if shown.State.Contact != "+86 138 0000 1234" {
		t.Errorf("contact kept as %q", shown.State.Contact)
	}
	no := e.Choose(shown.State, "en", commands.MenuConsent, commands.KeyNo, now)
	if no.Handoff != nil || no.State.Contact != "" || no.State.Case != "" || no.Result == nil || no.Result.ID != commands.MsgHandoffNotSent {
		t.Fatalf("declined = %+v", no)
	}

	// Through the bot only: the preview is the card; yes sends it.
	viaBot := e.Choose(no.State, "en", commands.MenuHandoff, commands.KeyViaBot, now)
	card := commands.Card(e.Flow, viaBot.State, now, "", "en:"+commands.MsgLanguageName, "")
	shownIDs := ids(viaBot.Reply)
	if !slices.Equal(shownIDs[1:len(shownIDs)-1], ids(flows.Reply{Messages: card})) {
		t.Errorf("preview %v is not the card %v", shownIDs, ids(flows.Reply{Messages: card}))
	}
	for _, m := range card {
		if len(m.Cite) > 0 {
			t.Errorf("the card cites sources: %+v", m)
		}
	}
	if !slices.ContainsFunc(card, func(m flows.Message) bool { return m.Params["views"] == int64(12000) }) {
		t.Errorf("the card lacks the views (12,000): %+v", card)
	}
	yes := e.Choose(viaBot.State, "en", commands.MenuConsent, commands.KeyYes, now)
	if yes.Handoff == nil || yes.Handoff.Kind != commands.ActOpen || !commands.ValidID(yes.Handoff.Case) || yes.Handoff.Contact != "" ||
		yes.State.Case != yes.Handoff.Case || !slices.Contains(yes.Counts, flows.Count{Kind: commands.CountHandoff, Value: commands.HandoffRequested}) {
		t.Fatalf("agreed = %+v", yes)
	}
	id := yes.State.Case
	if again := e.Text(yes.State, "en", "/human", now); ids(again.Reply)[0] != commands.MsgHandoffAlready || again.Handoff != nil {
		t.Errorf("/human with a case open = %v", ids(again.Reply))
	}
	if r := e.Text(yes.State, "en", "/restart", now); r.State.Case != id {
		t.Errorf("/restart forgot the case")
	}

	// Not claimed yet: typed text is the conversation's, not relayed.
	open := flows.Case{ID: id, Status: flows.CaseOpen}
	if out := e.TextCase(yes.State, "en", "hello", now, open, true); out.Handoff != nil {
		t.Errorf("text relayed before a volunteer claimed the case")
	}
	// Claimed: text goes to the volunteer, commands do not.
	claimed := flows.Case{ID: id, Status: flows.CaseClaimed, Volunteer: "Ana"}
	out := e.TextCase(yes.State, "en", "they found my new account", now, claimed, true)
	if out.Handoff == nil || out.Handoff.Kind != commands.ActRelay || out.Handoff.Text != "they found my new account" || !out.Changed || len(out.Reply.Messages) != 0 {
		t.Errorf("relay = %+v", out)
	}
	if out := e.TextCase(yes.State, "en", "/report", now, claimed, true); out.Handoff != nil || out.Event != commands.EvSummary {
		t.Errorf("/report while claimed = %+v", out.Event)
	}
	// Closed by the volunteer, or erased: forgotten at the next line.
	for _, c := range []struct {
		cs    flows.Case
		found bool
	}{{flows.Case{ID: id, Status: flows.CaseClosed}, true}, {flows.Case{}, false}} {
		out := e.TextCase(yes.State, "en", "hello", now, c.cs, c.found)
		if out.Handoff != nil || out.State.Case != "" || !out.Changed {
			t.Errorf("after the case ended (%+v) = %+v", c, out)
		}
	}
	// /close.
	closed := e.Text(yes.State, "en", "/close", now)
	if closed.Handoff == nil || closed.Handoff.Kind != commands.ActClose || closed.Handoff.Case != id || closed.State.Case != "" {
		t.Errorf("/close = %+v", closed)
	}
	if none := e.Text(closed.State, "en", "/close", now); none.Handoff != nil || ids(none.Reply)[0] != commands.MsgHandoffNoCase {
		t.Errorf("/close with no case = %v", ids(none.Reply))
	}
}

func TestHumanWithoutVolunteersSaysWhereToTurn(t *testing.T) {
	e, st, _ := t1(t)
	e.Handoff = false
	out := e.Text(st, "en", "/human", now)
	if got := ids(out.Reply); len(got) != 1 || got[0] != "t.human" || out.Handoff != nil || out.Reply.Question != nil {
		t.Errorf("/human without volunteers = %v", got)
	}
	if q := e.Text(st, "en", "/report", now).Reply.Question; slices.ContainsFunc(q.Choices, func(c flows.ChoiceItem) bool { return c.Key == commands.KeyHuman }) {
		t.Error("the report menu offers volunteers where there are none")
	}
}

func TestCaseIDsAndContacts(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := commands.NewID()
		if !commands.ValidID(id) || !commands.ValidID(strings.ToLower(id)) || seen[id] {
			t.Fatalf("case ID %q invalid or repeated", id)
		}
		seen[id] = true
	}
	for _, bad := range []string{"", "K7Q2M", "K7Q2MXX", "K7Q2M0", "K7Q2MI"} {
		if commands.ValidID(bad) {
			t.Errorf("ValidID(%q)", bad)
		}
	}
	for in, ok := range map[string]bool{"@mei_li": true, " a@b.cn ": true, "": false, "a\nb": false, strings.Repeat("x", 101): false, strings.Repeat("好", 100): true} {
		if _, got := commands.Contact(in); got != ok {
			t.Errorf("Contact(%q) ok = %v, want %v", in, got, ok)
		}
	}
}

// TestCardBeforeTheAssessment: a person who asks for a volunteer before the
// last question gets a card that says so, with no findings.
func TestCardBeforeTheAssessment(t *testing.T) {
	e, _, _ := t1(t)
	st := e.Step(flows.State{}, "zh-Hans", flows.Input{Kind: flows.InStart, Now: now}).State
	card := ids(flows.Reply{Messages: commands.Card(e.Flow, st, now, "K7Q2MX", "中文", "@mei")})
	want := []string{commands.MsgCardTitle, commands.MsgCardUnfinished, commands.MsgCardContact, commands.MsgCardHow}
	if !slices.Equal(card, want) {
		t.Errorf("card before the assessment = %v, want %v", card, want)
	}
	out := e.Text(st, "zh-Hans", "/human", now)
	if out.Reply.Question == nil || out.Reply.Question.Node != commands.MenuHandoff {
		t.Errorf("/human during the questions = %v", ids(out.Reply))
	}
}
