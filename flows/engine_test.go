package flows_test

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redress-legal/redress/commands"
	"github.com/redress-legal/redress/flows"
)

var now = time.Date(2026, 11, 27, 10, 0, 0, 0, flows.China)

func loadMini(t testing.TB) *flows.Flow {
	t.Helper()
	b, err := os.ReadFile("testdata/mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := flows.Parse("testdata/mini.yaml", b)
	if err != nil {
		t.Fatalf("mini flow: %v", err)
	}
	return f
}

// run feeds typed lines to the engine from a fresh state.
func run(t *testing.T, f *flows.Flow, lines ...string) (flows.State, flows.Reply) {
	t.Helper()
	st, r := flows.Step(f, flows.State{Lang: "en"}, flows.Input{Kind: flows.InStart, Now: now})
	checkReply(t, r)
	for _, l := range lines {
		st, r = flows.Step(f, st, commands.Input(l, now))
		checkReply(t, r)
	}
	return st, r
}

func ids(r flows.Reply) []string {
	var out []string
	for _, m := range r.Messages {
		out = append(out, m.ID)
	}
	return out
}

func TestStartShowsIntroThenFirstQuestion(t *testing.T) {
	f := loadMini(t)
	st, r := run(t, f)
	if got, want := ids(r), []string{"mini.intro", "mini.danger.ask"}; !slices.Equal(got, want) {
		t.Fatalf("messages = %v, want %v", got, want)
	}
	if r.Question == nil || r.Question.Node != "danger" || len(r.Question.Choices) != 2 {
		t.Fatalf("question = %+v", r.Question)
	}
	if st.Node != "danger" || st.Lang != "en" || st.Version != 1 {
		t.Fatalf("state = %+v", st)
	}
}

func TestDangerShowsCrisisInfoAndContinues(t *testing.T) {
	f := loadMini(t)
	_, r := run(t, f, "1")
	if got, want := ids(r), []string{"mini.crisis.numbers", "mini.what.ask"}; !slices.Equal(got, want) {
		t.Fatalf("messages = %v, want %v", got, want)
	}
}

func TestWholeConversationReachesRankedAssessment(t *testing.T) {
	f := loadMini(t)
	st, r := run(t, f, "2", "1 2", "12,000", "600", "2026-11-14", "they posted lies about me")
	if !r.Done || !st.Done || r.Question != nil {
		t.Fatalf("not done: %+v", r)
	}
	want := []string{
		"mini.serious",
		"mini.offences", "mini.finding.reposts", "mini.finding.views", // rank 10 first
		"mini.deadlines", "mini.deadline.police",
		flows.MsgSources, "source.S-02", "source.S-01",
		"mini.footer",
	}
	if got := ids(r); !slices.Equal(got, want) {
		t.Fatalf("messages =\n%v\nwant\n%v", got, want)
	}
	views := r.Messages[3]
	if views.Params["views"] != int64(12000) || !slices.Equal(views.Cite, []string{"S-01 Art. 246", "S-02 Art. 2(1)"}) {
		t.Fatalf("views finding = %+v", views)
	}
	dl := r.Messages[5]
	if d, _ := dl.Params["date"].(time.Time); d.Format(time.DateOnly) != "2027-05-14" || !dl.Unconfirmed {
		t.Fatalf("deadline = %+v", dl)
	}
	if got := st.Answers["describe"].Text; got != "they posted lies about me" {
		t.Fatalf("text answer = %q", got)
	}
	if !slices.Equal(st.History, []string{"danger", "what", "views", "reposts", "last", "describe"}) {
		t.Fatalf("history = %v", st.History)
	}
}

func TestEmptySectionShowsItsEmptyMessage(t *testing.T) {
	f := loadMini(t)
	_, r := run(t, f, "2", "2", "10", "5", "?", "abuse")
	want := []string{"mini.offences", "mini.offences.none", "mini.footer"}
	if got := ids(r); !slices.Equal(got, want) {
		t.Fatalf("messages = %v, want %v", got, want)
	}
}

func TestInvalidAnswersAreReAsked(t *testing.T) {
	f := loadMini(t)
	cases := []struct {
		name   string
		lines  []string
		notice string
		node   string
	}{
		{"choice out of range", []string{"7"}, flows.MsgInvalidChoice, "danger"},
		{"choice words", []string{"maybe"}, flows.MsgInvalidChoice, "danger"},
		{"unknown not offered", []string{"?"}, flows.MsgInvalidChoice, "danger"},
		{"exclusive combined", []string{"2", "1 3"}, flows.MsgInvalidExclusive, "what"},
		{"multi out of range", []string{"2", "1 12"}, flows.MsgInvalidMulti, "what"},
		{"multi garbage", []string{"2", "1 x"}, flows.MsgInvalidMulti, "what"},
		{"number words", []string{"2", "1", "banana"}, flows.MsgInvalidNumber, "views"},
		{"number vague", []string{"2", "1", "lots"}, flows.MsgVagueNumber, "views"},
		{"date ambiguous", []string{"2", "1", "5", "5", "03/04/2026"}, flows.MsgAmbiguousDate, "last"},
		{"number negative", []string{"2", "1", "-5"}, flows.MsgInvalidNumber, "views"},
		{"number over max", []string{"2", "1", "5", "200000000"}, flows.MsgInvalidNumber, "reposts"},
		{"date nonsense", []string{"2", "1", "5", "5", "2026-02-30"}, flows.MsgInvalidDate, "last"},
		{"date future", []string{"2", "1", "5", "5", "2026-12-01"}, flows.MsgFutureDate, "last"},
		{"text too long", []string{"2", "1", "5", "5", "today", strings.Repeat("字", 51)}, flows.MsgTextTooLong, "describe"},
		{"text empty", []string{"2", "1", "5", "5", "today", "   "}, flows.MsgInvalidText, "describe"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, r := run(t, f, c.lines...)
			if len(r.Messages) < 2 || r.Messages[0].ID != c.notice || r.Messages[0].Kind != flows.KindNotice {
				t.Fatalf("messages = %v, want notice %s first", ids(r), c.notice)
			}
			if st.Node != c.node || r.Question == nil || r.Question.Node != c.node || r.Event != "invalid" {
				t.Fatalf("node = %s, question = %+v, event %s", st.Node, r.Question, r.Event)
			}
		})
	}
}

func TestNumberInvalidCarriesBounds(t *testing.T) {
	f := loadMini(t)
	_, r := run(t, f, "2", "1", "5", "banana")
	if p := r.Messages[0].Params; p["max"] != int64(100000000) || p["min"] != int64(0) {
		t.Fatalf("params = %v", p)
	}
}

func TestMultiToggleAndDone(t *testing.T) {
	f := loadMini(t)
	st, _ := run(t, f, "2")
	step := func(in flows.Input) flows.Reply {
		var r flows.Reply
		in.Now = now
		st, r = flows.Step(f, st, in)
		checkReply(t, r)
		return r
	}
	r := step(flows.Input{Kind: flows.InDone, Node: "what"})
	if r.Messages[0].ID != flows.MsgInvalidMulti {
		t.Fatalf("done with nothing ticked: %v", ids(r))
	}
	step(flows.Input{Kind: flows.InToggle, Node: "what", Key: "abuse"})
	r = step(flows.Input{Kind: flows.InToggle, Node: "what", Key: "false"})
	if r.Event != "toggled" || len(r.Messages) != 0 || !r.Question.Choices[0].Selected || !r.Question.Choices[1].Selected {
		t.Fatalf("toggle reply = %+v", r)
	}
	r = step(flows.Input{Kind: flows.InToggle, Node: "what", Key: "none"}) // exclusive clears others
	if r.Question.Choices[0].Selected || !r.Question.Choices[2].Selected {
		t.Fatalf("exclusive toggle = %+v", r.Question.Choices)
	}
	step(flows.Input{Kind: flows.InToggle, Node: "what", Key: "abuse"}) // and others clear it
	step(flows.Input{Kind: flows.InToggle, Node: "what", Key: "false"})
	r = step(flows.Input{Kind: flows.InDone, Node: "what"})
	if got := st.Answers["what"].Choices; !slices.Equal(got, []string{"false", "abuse"}) {
		t.Fatalf("answer = %v (want option order)", got)
	}
	if st.Draft != nil || st.Node != "views" {
		t.Fatalf("state = %+v", st)
	}
}

func TestBackUndoesOneAnswerAtATime(t *testing.T) {
	f := loadMini(t)
	st, _ := run(t, f, "2", "1", "100")
	st, r := flows.Step(f, st, flows.Input{Kind: flows.InBack, Now: now})
	if st.Node != "views" || r.Question.Node != "views" || r.Messages[0].ID != flows.MsgBack {
		t.Fatalf("after back: node %s, %v", st.Node, ids(r))
	}
	if _, ok := st.Answers["views"]; ok {
		t.Fatal("back kept the undone answer")
	}
	st, _ = flows.Step(f, st, flows.Input{Kind: flows.InBack, Now: now})
	st, _ = flows.Step(f, st, flows.Input{Kind: flows.InBack, Now: now})
	if st.Node != "danger" || len(st.History) != 0 || len(st.Answers) != 0 {
		t.Fatalf("state = %+v", st)
	}
	_, r = flows.Step(f, st, flows.Input{Kind: flows.InBack, Now: now})
	if r.Messages[0].ID != flows.MsgBackAtStart || r.Question.Node != "danger" {
		t.Fatalf("back at start: %v", ids(r))
	}
}

func TestBackFromOutcomeReopensLastQuestion(t *testing.T) {
	f := loadMini(t)
	st, _ := run(t, f, "2", "3")
	if !st.Done {
		t.Fatal("expected the 'nothing' outcome")
	}
	st, r := flows.Step(f, st, flows.Input{Kind: flows.InBack, Now: now})
	if st.Done || st.Node != "what" || r.Question == nil {
		t.Fatalf("state %+v reply %v", st, ids(r))
	}
}

func TestRestartForgetsAnswersKeepsLanguage(t *testing.T) {
	f := loadMini(t)
	st, _ := run(t, f, "2", "1")
	st.Lang = "zh-Hans"
	st, r := flows.Step(f, st, flows.Input{Kind: flows.InRestart, Now: now})
	if st.Lang != "zh-Hans" || len(st.Answers) != 0 || st.Node != "danger" || r.Messages[0].ID != flows.MsgRestarted {
		t.Fatalf("state %+v reply %v", st, ids(r))
	}
}

func TestCrisisFromAnyNodeThenSameQuestion(t *testing.T) {
	f := loadMini(t)
	st, _ := run(t, f, "2", "1")
	before := st
	st, r := flows.Step(f, st, commands.Input("/sos", now))
	if !r.Urgent || r.Messages[0].ID != "mini.crisis.numbers" || r.Question.Node != "views" {
		t.Fatalf("crisis reply %v", ids(r))
	}
	// The crisis help changes nothing but the note that it was shown (the
	// assessment brings the crisis lines back).
	before.Crisis = true
	if !reflect.DeepEqual(st, before) {
		t.Fatalf("crisis changed the state:\n%+v\n%+v", st, before)
	}
	// Also for a brand-new user, before anything else.
	_, r = flows.Step(f, flows.State{}, flows.Input{Kind: flows.InCrisis, Now: now})
	if !r.Urgent || r.Messages[0].ID != "mini.crisis.numbers" {
		t.Fatalf("new user crisis: %v", ids(r))
	}
}

func TestStaleButtonIsReAsked(t *testing.T) {
	f := loadMini(t)
	st, _ := run(t, f, "2")
	st2, r := flows.Step(f, st, flows.Input{Kind: flows.InChoose, Node: "danger", Key: "danger", Now: now})
	if r.Event != "stale" || r.Messages[0].ID != flows.MsgStale || r.Question.Node != "what" || !reflect.DeepEqual(st, st2) {
		t.Fatalf("stale: %v %+v", ids(r), r.Question)
	}
}

func TestNonTextAndHelp(t *testing.T) {
	f := loadMini(t)
	st, _ := run(t, f)
	_, r := flows.Step(f, st, flows.Input{Kind: flows.InOther, Now: now})
	if r.Messages[0].ID != flows.MsgNotText || r.Question.Node != "danger" {
		t.Fatalf("other: %v", ids(r))
	}
	_, r = flows.Step(f, st, commands.Input("/help", now))
	if r.Messages[0].ID != "mini.danger.help" || r.Question == nil {
		t.Fatalf("help: %v", ids(r))
	}
	st, _ = run(t, f, "2")
	_, r = flows.Step(f, st, commands.Input("/HELP", now))
	if r.Messages[0].ID != flows.MsgNoHelp {
		t.Fatalf("no help: %v", ids(r))
	}
}

func TestAfterTheEnd(t *testing.T) {
	f := loadMini(t)
	st, _ := run(t, f, "2", "3")
	_, r := flows.Step(f, st, commands.Input("hello?", now))
	if r.Event != "ended" || r.Messages[0].ID != flows.MsgEnded || r.Question != nil {
		t.Fatalf("after end: %+v", r)
	}
}

func TestStepDoesNotModifyItsInput(t *testing.T) {
	f := loadMini(t)
	st, _ := run(t, f, "2")
	st, _ = flows.Step(f, st, flows.Input{Kind: flows.InToggle, Node: "what", Key: "abuse", Now: now})
	snap, _ := json.Marshal(st)
	flows.Step(f, st, flows.Input{Kind: flows.InDone, Node: "what", Now: now})
	flows.Step(f, st, flows.Input{Kind: flows.InBack, Now: now})
	after, _ := json.Marshal(st)
	if string(snap) != string(after) {
		t.Fatalf("state changed:\n%s\n%s", snap, after)
	}
}

func TestResumeRepeatsCurrentQuestion(t *testing.T) {
	f := loadMini(t)
	st, _ := run(t, f, "2", "1")
	_, r := flows.Step(f, st, flows.Input{Kind: flows.InStart, Now: now})
	if r.Messages[0].ID != flows.MsgResumed || r.Question.Node != "views" {
		t.Fatalf("resume: %v", ids(r))
	}
}

func TestNewFlowVersion(t *testing.T) {
	f := loadMini(t)
	st, _ := run(t, f, "2", "1")
	b, _ := os.ReadFile("testdata/mini.yaml")
	// Version 2 keeps the node "views": the session carries on.
	f2, err := flows.Parse("v2.yaml", []byte(strings.Replace(string(b), "version: 1", "version: 2", 1)))
	if err != nil {
		t.Fatal(err)
	}
	st2, r := flows.Step(f2, st, commands.Input("10", now))
	if st2.Version != 2 || st2.Node != "reposts" || r.Event != "answered" {
		t.Fatalf("carried over: %+v %v", st2, ids(r))
	}
	// Version 3 renames it: the user is told and starts again.
	v3 := strings.Replace(string(b), "version: 1", "version: 3", 1)
	v3 = strings.ReplaceAll(v3, "views", "seen")
	f3, err := flows.Parse("v3.yaml", []byte(v3))
	if err != nil {
		t.Fatal(err)
	}
	st3, r := flows.Step(f3, st, commands.Input("10", now))
	if st3.Version != 3 || st3.Node != "danger" || len(st3.Answers) != 0 || r.Messages[0].ID != flows.MsgFlowChanged {
		t.Fatalf("restarted: %+v %v", st3, ids(r))
	}
}

func TestParseNumber(t *testing.T) {
	good := map[string]int64{"5000": 5000, "5,000": 5000, "5 000": 5000, "5k": 5000, "1.2万": 12000,
		"3千": 3000, "2亿": 200000000, "１２": 12, "0": 0, "500+": 500, "1.5w": 15000, "30000元": 30000}
	for in, want := range good {
		if got, ok := flows.ParseNumber(in); !ok || got != want {
			t.Errorf("ParseNumber(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "abc", "-1", "1.5", "1e9", "万", "99999999999999999999"} {
		if got, ok := flows.ParseNumber(in); ok {
			t.Errorf("ParseNumber(%q) = %d, want not a number", in, got)
		}
	}
}

func TestParseDate(t *testing.T) {
	good := map[string]string{"2026-05-14": "2026-05-14", "2026/5/4": "2026-05-04", "2026.05.14": "2026-05-14",
		"2026年5月14日": "2026-05-14", "2026年5月14号": "2026-05-14", "today": "2026-11-27", "昨天": "2026-11-26",
		"May 5": "2026-05-05", "14/05/2026": "2026-05-14"}
	for in, want := range good {
		d, ok := flows.ParseDate(in, now)
		if !ok || d.Format(time.DateOnly) != want {
			t.Errorf("ParseDate(%q) = %v, %v; want %s", in, d, ok, want)
		}
	}
	for _, in := range []string{"", "2026-13-01", "2026-02-29", "03/04/2026", "1800-01-01"} {
		if d, ok := flows.ParseDate(in, now); ok {
			t.Errorf("ParseDate(%q) = %v, want invalid", in, d)
		}
	}
}

// randomInput invents something a user might do at any point.
func randomInput(rng *rand.Rand, r flows.Reply) flows.Input {
	in := flows.Input{Now: now}
	q := r.Question
	switch p := rng.IntN(100); {
	case p < 3:
		in.Kind = flows.InBack
	case p < 4:
		in.Kind = flows.InRestart
	case p < 5:
		in.Kind = flows.InCrisis
	case p < 6:
		in.Kind = flows.InOther
	case p < 8:
		in.Kind, in.Text = flows.InText, []string{"", "?", "hello", "99999", "-1", "2026-13-40", "1,2,3", "/help"}[rng.IntN(8)]
	case q == nil:
		in.Kind, in.Text = flows.InText, "hi"
	case q.Unknown != "" && p < 15:
		in.Kind, in.Node = flows.InUnknown, q.Node
	case q.Type == flows.Choice:
		in.Kind, in.Node, in.Key = flows.InChoose, q.Node, q.Choices[rng.IntN(len(q.Choices))].Key
	case q.Type == flows.Multi:
		if p < 60 {
			in.Kind, in.Node, in.Key = flows.InToggle, q.Node, q.Choices[rng.IntN(len(q.Choices))].Key
		} else {
			in.Kind, in.Node = flows.InDone, q.Node
		}
	case q.Type == flows.Number:
		in.Kind, in.Text = flows.InText, []string{"0", "1", "499", "500", "4999", "5000", "12000", "1.2万", "50", "5000000"}[rng.IntN(10)]
	case q.Type == flows.Date:
		in.Kind, in.Text = flows.InText, now.AddDate(0, 0, -rng.IntN(4000)).Format(time.DateOnly)
	case q.Type == flows.Period:
		in.Kind, in.Text = flows.InText, randomPeriod(rng, now, 4000)
	default:
		in.Kind, in.Text = flows.InText, "a description"
	}
	return in
}

// randomPeriod is a period as people type it: one day, two days, or a
// start that is still going on, up to days back from now.
func randomPeriod(rng *rand.Rand, now time.Time, days int) string {
	a, b := now.AddDate(0, 0, -rng.IntN(days)), now.AddDate(0, 0, -rng.IntN(days))
	switch rng.IntN(3) {
	case 0:
		return a.Format(time.DateOnly)
	case 1:
		return a.Format(time.DateOnly) + " to " + b.Format(time.DateOnly)
	}
	return "since " + a.Format(time.DateOnly)
}

// walk drives a flow with random answers and asserts every walk ends.
func walk(t *testing.T, f *flows.Flow, walks int, seed uint64) map[string]int {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, seed+1))
	outcomes := map[string]int{}
	for w := 0; w < walks; w++ {
		st, r := flows.Step(f, flows.State{}, flows.Input{Kind: flows.InStart, Now: now})
		steps := 0
		for !st.Done {
			if steps++; steps > 2000 {
				t.Fatalf("walk %d did not end after %d inputs (at %s)", w, steps, st.Node)
			}
			in := randomInput(rng, r)
			st, r = flows.Step(f, st, in)
			if len(r.Faults) > 0 || r.Event == "fault" {
				t.Fatalf("walk %d: %s at %s: faults %v", w, in.Kind, st.Node, r.Faults)
			}
			if !st.Done && r.Question == nil && in.Kind != flows.InRestart {
				t.Fatalf("walk %d: no question and not done after %s at %s", w, in.Kind, st.Node)
			}
			if len(r.Messages) == 0 && r.Event != "toggled" {
				t.Fatalf("walk %d: %s at %s showed nothing", w, in.Kind, st.Node)
			}
		}
		outcomes[st.Node]++
	}
	return outcomes
}

func TestRandomWalkMini(t *testing.T) {
	out := walk(t, loadMini(t), 2000, 1)
	for _, o := range []string{"serious_end", "mild_end", "nothing"} {
		if out[o] == 0 {
			t.Errorf("no walk reached %s: %v", o, out)
		}
	}
}

func FuzzStep(f *testing.F) { fuzzFlow(f, loadMini(f)) }

// fuzzFlow feeds six arbitrary typed lines to a fresh conversation: the
// engine must never fault, always ask something until the end, and keep a
// state that serialises.
func fuzzFlow(f *testing.F, fl *flows.Flow) {
	f.Add("2", "1 2", "12,000", "?", "2026-11-14", "/back")
	f.Add("1", "3", "/sos", "/restart", "x", "")
	f.Fuzz(func(t *testing.T, a, b, c, d, e, g string) {
		st, _ := flows.Step(fl, flows.State{}, flows.Input{Kind: flows.InStart, Now: now})
		for _, line := range []string{a, b, c, d, e, g} {
			var r flows.Reply
			st, r = flows.Step(fl, st, commands.Input(line, now))
			if len(r.Faults) > 0 || r.Event == "fault" {
				t.Fatalf("fault on %q: %v", line, r.Faults)
			}
			if !st.Done && r.Question == nil {
				t.Fatalf("no question after %q", line)
			}
			if _, err := json.Marshal(st); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func TestDateFunctionIsChinaTime(t *testing.T) {
	src, err := os.ReadFile("testdata/mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// The deadline finding only applies to events from 2026-11-14 on (China time).
	y := strings.Replace(string(src), `when: "isSet(last) and today <= addMonths(last, 6)"`,
		`when: "isSet(last) and last >= date('2026-11-14') and today <= addMonths(last, 6)"`, 1)
	f, err := flows.Parse("date.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	for day, want := range map[string]bool{"2026-11-14": true, "2026-11-13": false} {
		_, r := run(t, f, "2", "1", "6000", "600", day, "x")
		found := slices.Contains(ids(r), "mini.deadline.police")
		if found != want {
			t.Errorf("last=%s: deadline shown %v, want %v", day, found, want)
		}
	}
}

func TestCrisisNodeSeesAnswers(t *testing.T) {
	src, err := os.ReadFile("testdata/mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	y := strings.Replace(string(src), "  - id: crisis\n    type: info\n    say: [mini.crisis.numbers]",
		"  - id: crisis\n    type: info\n    say: [mini.crisis.numbers, {msg: mini.crisis.many, when: \"views > 100\", params: {views: views}}]", 1)
	f, err := flows.Parse("crisis.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	st, _ := run(t, f, "2", "1", "500")
	_, r := flows.Step(f, st, flows.Input{Kind: flows.InCrisis, Now: now})
	checkReply(t, r)
	if got := ids(r); len(got) < 2 || got[1] != "mini.crisis.many" || r.Messages[1].Params["views"] != int64(500) {
		t.Fatalf("crisis with answers: %v", r.Messages)
	}
}

// TestLowerBoundKeptForReports: a count typed as "over 5k" is stored as a
// lower bound, counts for the thresholds, and a message showing the answer
// itself carries it as flows.AtLeast (shown "at least 5,000"), while a
// plain count stays a plain number.
func TestLowerBoundKeptForReports(t *testing.T) {
	src, err := os.ReadFile("testdata/mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	y := strings.Replace(string(src), "  - id: crisis\n    type: info\n    say: [mini.crisis.numbers]",
		"  - id: crisis\n    type: info\n    say: [mini.crisis.numbers, {msg: mini.crisis.many, when: \"views > 100 and 'views' in at_least\", params: {views: views}}]", 1)
	f, err := flows.Parse("crisis.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	st, _ := run(t, f, "2", "1", "over 5k")
	if a := st.Answers["views"]; a.Number == nil || *a.Number != 5000 || !a.AtLeast {
		t.Fatalf("views answer = %+v", a)
	}
	_, r := flows.Step(f, st, flows.Input{Kind: flows.InCrisis, Now: now})
	if got := ids(r); len(got) < 2 || r.Messages[1].Params["views"] != flows.AtLeast(5000) {
		t.Fatalf("crisis with a lower bound: %v", r.Messages)
	}
	st, _ = run(t, f, "2", "1", "5000")
	_, r = flows.Step(f, st, flows.Input{Kind: flows.InCrisis, Now: now})
	if got := ids(r); slices.Contains(got, "mini.crisis.many") {
		t.Fatalf("a plain count is not in at_least: %v", got)
	}
}

// TestPeriodQuestion: a period question takes one line for both days and
// gives expressions its two names; what had to be interpreted is said
// back, a future day is refused, and two days the wrong way round are
// taken the right way.
func TestPeriodQuestion(t *testing.T) {
	src, err := os.ReadFile("testdata/mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	y := strings.Replace(string(src), "  - id: last\n    type: date\n", "  - id: when\n    type: period\n    from: first\n    to: last\n", 1)
	y = strings.Replace(y, "    next: last\n", "    next: when\n", 1)
	f, err := flows.Parse("period.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		typed, notice, from, to string
	}{
		{"2026-09-05 to 2026-11-14", "", "2026-09-05", "2026-11-14"},
		{"2026-11-14 to 2026-09-05", "", "2026-09-05", "2026-11-14"},
		{"2026-11-14", "", "2026-11-14", "2026-11-14"},
		{"9月初到11月14日", flows.MsgTookPeriod, "2026-09-01", "2026-11-14"},
		{"since early September", flows.MsgTookOngoing, "2026-09-05", "2026-11-27"},
		{"11月14日", flows.MsgTookDate, "2026-11-14", "2026-11-14"},
	} {
		st, r := run(t, f, "2", "1", "6000", "5", c.typed)
		a, ok := st.Answers["when"]
		if !ok || a.Date != c.from || a.Until != c.to {
			t.Errorf("%q: answer %+v (%v), want %s..%s", c.typed, a, ok, c.from, c.to)
			continue
		}
		if got := ids(r); (c.notice == "") != !slices.Contains(got, c.notice) || (c.notice == "" && slices.ContainsFunc(got, func(id string) bool { return strings.HasPrefix(id, "engine.took") })) {
			t.Errorf("%q: messages %v, want notice %q", c.typed, got, c.notice)
		}
		// the names reach expressions: the deadline finding uses "last"
		_, end := finish(t, f, st)
		want := ""
		for _, m := range end.Messages {
			if m.ID == "mini.deadline.police" {
				want = m.Params["date"].(time.Time).Format(time.DateOnly)
			}
		}
		if to, _ := time.ParseInLocation(time.DateOnly, c.to, flows.China); want != to.AddDate(0, 6, 0).Format(time.DateOnly) {
			t.Errorf("%q: the deadline from the latest day = %q, want 6 months after %s", c.typed, want, c.to)
		}
	}
	if _, r := run(t, f, "2", "1", "100", "5", "2026-11-01 to 2027-01-01"); !slices.Contains(ids(r), flows.MsgFutureDate) {
		t.Errorf("a future day was not refused: %v", ids(r))
	}
	if _, r := run(t, f, "2", "1", "100", "5", "06/07/2026 to 2026-11-14"); !slices.Contains(ids(r), flows.MsgAmbiguousDate) {
		t.Errorf("a first day that reads either way round was not asked back: %v", ids(r))
	}
	if st, _ := run(t, f, "2", "1", "100", "5", "2026-06-07 to 12/11/2026"); st.Answers["when"].Until != "2026-11-12" {
		t.Errorf("12/11/2026 (11 December is still to come) read as %q", st.Answers["when"].Until)
	}
}

// finish answers whatever the mini flow still asks, to reach its outcome.
func finish(t *testing.T, f *flows.Flow, st flows.State) (flows.State, flows.Reply) {
	t.Helper()
	var r flows.Reply
	for i := 0; i < 10 && !st.Done; i++ {
		st, r = flows.Step(f, st, commands.Input("a description of what happened", now))
	}
	return st, r
}
