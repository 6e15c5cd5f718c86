package scenario_test

import (
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/redress-legal/redress/commands"
	"github.com/redress-legal/redress/flows"
	"github.com/redress-legal/redress/flows/scenario"
	"github.com/redress-legal/redress/internal/depcheck"
	"github.com/redress-legal/redress/locales"
)

// catalog adapts the shipped catalogs to flows.Localizer, for reading
// typed answers as the chat does.
type catalog struct{ *locales.Catalog }

func (c catalog) Text(lang string, m flows.Message) string {
	return c.Catalog.Text(lang, m.ID, m.Params)
}

func runner(t *testing.T) *scenario.Runner {
	t.Helper()
	f, err := flows.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	b, err := fs.ReadFile(flows.Scenarios, "scenarios/"+scenario.TermsFile)
	if err != nil {
		t.Fatal(err)
	}
	_, err = scenario.Parse("x.yaml", []byte("title: R5: private\nanswers: [\"no\"]\nexpect: {}\n"))
	if err == nil || !strings.Contains(err.Error(), "x.yaml: not a YAML file: ") || !strings.Contains(err.Error(), "needs quotes around it") {
		t.Errorf("a title with a colon: got %v, want a hint to quote it", err)
	}
	_, err = scenario.Parse("x.yaml", []byte("title: x\nlang: [en, zh-Hans]\nanswers:\n  - \"no\"\n  - {answer: {en: 12k, zh: 1.2万}}\nexpect: {}\n"))
	for _, want := range []string{
		"x.yaml:5: answer 2 gives no text for zh-Hans, a language of the scenario (lang: en, zh-Hans)",
		"x.yaml:5: answer 2 gives text for zh, which is not a language of the scenario",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want %q", err, want)
		}
	}
	terms, err := scenario.ParseTerms("flows/scenarios/"+scenario.TermsFile, b)
	if err != nil {
		t.Fatal(err)
	}
	if probs := terms.Check(f); len(probs) > 0 {
		t.Fatalf("the terms do not match the flow:\n%v", probs)
	}
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	env := &commands.Env{Flow: f, Loc: catalog{cat}}
	return &scenario.Runner{Flow: f, Terms: terms, FlowPath: "flows/defs/cyberviolence.yaml", Read: env.Read}
}

func parse(t *testing.T, fsys fs.FS, name, shown string) *scenario.Scenario {
	t.Helper()
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Parse(shown, b)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// TestShippedScenarios runs every scenario shipped with the default flow
// (flows/scenarios/*.yaml), as `redress flow test` does.
func TestShippedScenarios(t *testing.T) {
	rn := runner(t)
	names, err := scenario.Files(flows.Scenarios, "scenarios")
	if err != nil {
		t.Fatal(err)
	}
	expected := map[string]bool{} // the modules and routes some scenario expects named
	for _, name := range names {
		sc := parse(t, flows.Scenarios, name, "flows/"+name)
		for _, it := range append(slices.Clone(sc.Expect.Modules), sc.Expect.Routes...) {
			expected[it.Value] = true
		}
		t.Run(strings.TrimSuffix(strings.TrimPrefix(name, "scenarios/"), ".yaml"), func(t *testing.T) {
			for _, res := range rn.RunAll(sc) {
				if !res.Passed() {
					var b strings.Builder
					res.Write(&b)
					t.Error("\n" + b.String())
				}
			}
		})
	}
	// One scenario at least per module and route of the reference.
	for _, group := range [][]scenario.Term{rn.Terms.Modules, rn.Terms.Routes} {
		for _, term := range group {
			if !expected[term.ID] {
				t.Errorf("no shipped scenario expects %s to be named: add one to flows/scenarios", term)
			}
		}
	}
}

// TestDependencies: scenario imports only flows from the project, and no
// catalog, store or transport library (design §1).
func TestDependencies(t *testing.T) {
	depcheck.Allow(t, "flows/scenario", []string{"flows"}, "github.com/nicksnyder/go-i18n", "github.com/mattn/go-sqlite3", "github.com/go-telegram/bot")
}

func runFile(t *testing.T, name string) string {
	t.Helper()
	rn := runner(t)
	sc := parse(t, os.DirFS("testdata"), name, "testdata/"+name)
	return runWrong(t, rn, sc)
}

func runWrong(t *testing.T, rn *scenario.Runner, sc *scenario.Scenario) string {
	t.Helper()
	res := rn.Run(sc)
	if res.Passed() {
		t.Fatalf("%s passed; it is meant to fail", sc.File)
	}
	var b strings.Builder
	res.Write(&b)
	return b.String()
}

// WrongT1 is the shipped T1 scenario (run in its first language, English) with the wrong
// expectations of testdata/wrong_expect.yaml: the answers stay those of
// the current flow, so the test follows changes to the questions.
func WrongT1(t testing.TB, shipped, wrong fs.FS) string {
	t.Helper()
	b, err := fs.ReadFile(shipped, "scenarios/t1_parcel_rumour.yaml")
	if err != nil {
		t.Fatal(err)
	}
	w, err := fs.ReadFile(wrong, "wrong_expect.yaml")
	if err != nil {
		t.Fatal(err)
	}
	head, _, ok := strings.Cut(string(b), "\nexpect:")
	if !ok {
		t.Fatal("test is stale: T1 has no expect: block")
	}
	head = "title: A deliberately wrong scenario (T1 answers, wrong expectations)\n" + head[strings.Index(head, "\n")+1:]
	return head + "\n" + string(w)
}

// lineOf is the number of the first line of src that contains s.
func lineOf(t *testing.T, src, s string) int {
	t.Helper()
	for i, l := range strings.Split(src, "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	t.Fatalf("no line contains %q", s)
	return 0
}

// TestAWrongScenarioFailsReadably: a scenario that expects the wrong
// things fails at each wrong line, in the author's words: what was
// expected, what happened, the rule's condition as written, where it is in
// the flow file, and the values it read, traced to the answers.
func TestAWrongScenarioFailsReadably(t *testing.T) {
	src := WrongT1(t, flows.Scenarios, os.DirFS("testdata"))
	sc, err := scenario.Parse("wrong.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	out := runWrong(t, runner(t), sc)
	at := func(s string) string { return fmt.Sprintf("wrong.yaml:%d: ", lineOf(t, src, s)) }
	n := func(node string) string { // "answer 4 (line 11)" of the answer to node
		for i, a := range sc.Answers {
			if a.At == node {
				return fmt.Sprintf("answer %d (line %d)", i+1, a.Line)
			}
		}
		t.Fatalf("T1 does not answer %s", node)
		return ""
	}
	for _, want := range []string{
		"FAIL wrong.yaml [en] — A deliberately wrong scenario",
		at("outcome: outcome_lawful") + "expected the outcome outcome_lawful, but the conversation ended at outcome_main",
		at("modules: [M3]") + "expected module M3 (doxxing 开盒 / personal information) to be named, but it was not",
		"offences.pi_base (flows/defs/cyberviolence.yaml:* needs m3",
		"m3 = false — fact (flows/defs/cyberviolence.yaml:*): person and 'doxx' in q1_what",
		"q1_what = [false_claims] — " + n("q1_what") + ": [false_claims]",
		at("not_modules: [M1]") + "expected module M1 (defamation 诽谤) not to be named, but it was",
		"offences.def_views (flows/defs/cyberviolence.yaml:*) applies: def_views",
		"q4_views = 12000 — " + n("q4_views") + ": \"12,000\"",
		at("prosecution: private") + "expected the prosecution finding private (private prosecution: no public-prosecution criterion met), but the report says public",
		"pp_a2 = true — fact",
		at("admin_open: 2027-05-13") + "expected the deadline deadlines.admin_open on 2027-05-13, but it falls on 2027-05-14",
		"ref_date = 2026-11-14 — fact",
		at("parts: [risks]") + "expected the part risks to be offered, but the menu offers steps, law, prosecution,",
		at("q4_views: 5000") + "expected q4_views = 5000, but it is 12000",
		at("def_serious: false") + "expected def_serious = false, but it is true",
		"how the answers went:",
		fmt.Sprintf("%d. line %d: q4_views \"12,000\"", lineOf(t, src, "at: q4_views")-lineOf(t, src, "answers:"), lineOf(t, src, "at: q4_views")),
		"b_what: route 1 (flows/defs/cyberviolence.yaml:*) holds: org or hasAny(q1_what,",
	} {
		if !containsPattern(out, want) {
			t.Errorf("the failure report lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "\n  wrong.yaml:"); n != 8 {
		t.Errorf("%d failures reported, want 8 (one per wrong expectation):\n%s", n, out)
	}
}

// TestAWrongPathFailsAtTheAnswer: an answer meant for a question the
// conversation did not ask stops the run there and says which answer led
// elsewhere, and why.
func TestAWrongPathFailsAtTheAnswer(t *testing.T) {
	out := runFile(t, "wrong_path.yaml")
	for _, want := range []string{
		"testdata/wrong_path.yaml:8: answer 5 ([weibo]) is for q1_platforms, but the conversation asked q2_abuse here",
		"after answer 4 (q2_truth \"true_public\") the conversation went:",
		"q2_truth: the option true_public leads to q2_abuse",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the failure report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "expected the outcome") {
		t.Errorf("expectations were checked after the answers went astray:\n%s", out)
	}
}

// TestOneScenarioInTwoLanguages: typed answers given by language run once
// in each language, and a failure names the language: here the Chinese
// number is a tenth of the English one, so the path goes elsewhere.
func TestOneScenarioInTwoLanguages(t *testing.T) {
	rn := runner(t)
	b, err := fs.ReadFile(flows.Scenarios, "scenarios/t1_parcel_rumour.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(string(b), "{en: \"12,000\", zh-Hans: 1.2万}", "{en: 12k, zh-Hans: 一千二}", 1)
	if src == string(b) {
		t.Fatal("test is stale: the views answer of T1 changed")
	}
	sc, err := scenario.Parse("t1.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res := rn.RunAll(sc)
	if len(res) != 2 || res[0].Scenario.Lang != "en" || res[1].Scenario.Lang != "zh-Hans" {
		t.Fatalf("ran %d times, want once in en and once in zh-Hans", len(res))
	}
	if !res[0].Passed() {
		t.Errorf("en (12k) failed: %+v", res[0].Failures)
	}
	var out strings.Builder
	res[1].Write(&out)
	for _, want := range []string{
		"FAIL t1.yaml [zh-Hans] — T1",
		`after answer 7 (q4_views "一千二") the conversation went:`,
		"but the conversation asked q4_reposts here",
		"q4_views: route 1 (flows/defs/cyberviolence.yaml:",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the zh-Hans failure lacks %q:\n%s", want, out.String())
		}
	}
}

// TestAnswersThatCannotBeGiven: a key the question does not offer, text
// the question refuses, and answers after the end are reported at their line.
func TestAnswersThatCannotBeGiven(t *testing.T) {
	rn := runner(t)
	for _, c := range []struct{ src, want string }{
		{"title: x\nanswers:\n  - \"no\"\n  - maybe\nexpect: {}\n", `x.yaml:4: answer 2 ("maybe") was not taken as an answer to q0_who (a choice question)`},
		{"title: x\nanswers:\n  - \"no\"\n  - [self_adult, org]\nexpect: {}\n", "x.yaml:4: answer 2: q0_who takes one option, not 2"},
		{"title: x\nanswers:\n  - [danger, sos]\nexpect: {}\n", "x.yaml:3: answer 1: sos is not an option of q0_danger (its options: danger, selfharm, "},
		{"title: x\nanswers:\n  - selfharm\n  - later\n  - \"no\"\nexpect: {}\n", "x.yaml:5: answer 3 (\"no\") comes after the conversation ended at outcome_paused"},
		{"title: x\nanswers:\n  - \"no\"\nexpect: {outcome: outcome_main}\n", "x.yaml:4: the answers end at q0_who, a question: the conversation did not reach an outcome"},
		{"title: x\nanswers:\n  - \"no\"\n  - self_minor\n  - /back\n  - {at: q0_who, answer: self_adult}\n  - /sos\n  - {at: q1_what, answer: maybe}\nexpect: {}\n",
			`x.yaml:8: answer 6 ("maybe") was not taken as an answer to q1_what (a multi question)`},
	} {
		sc, err := scenario.Parse("x.yaml", []byte(c.src))
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		rn.Run(sc).Write(&b)
		if !strings.Contains(b.String(), c.want) {
			t.Errorf("got\n%s\nwant it to say %q", b.String(), c.want)
		}
	}
}

// TestMistakesInAScenarioFile: the file itself is checked with lines.
func TestMistakesInAScenarioFile(t *testing.T) {
	_, err := scenario.Parse("x.yaml", []byte("title: x\nlang: en\nanswer:\n  - no\nexpect:\n  modules: [M1]\n  modles: [M2]\n"))
	if err == nil {
		t.Fatal("a scenario with unknown keys and no answers was accepted")
	}
	for _, want := range []string{
		`x.yaml:3: a scenario has an unknown key "answer" (allowed: title, lang, today, answers, expect)`,
		"x.yaml:1: a scenario needs answers",
		`x.yaml:7: expect has an unknown key "modles"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("got\n%v\nwant %q", err, want)
		}
	}
	terms, err := scenario.ParseTerms("terms.yaml", []byte("modules:\n  M1: {name: defamation, findings: [offences.def_*]}\nroutes:\n  R4: {findings: [routes.polise]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	probs := terms.Check(runner(t).Flow)
	if len(probs) != 1 || !strings.Contains(probs[0].String(), "terms.yaml:4: R4: routes.polise matches no finding of the flow") {
		t.Errorf("a misspelt finding in the terms: got %v", probs)
	}
}

// containsPattern is strings.Contains where * in want stands for any text on the line.
func containsPattern(s, want string) bool {
	parts := strings.Split(want, "*")
	for _, line := range strings.Split(s, "\n") {
		rest, ok := line, true
		for _, p := range parts {
			j := strings.Index(rest, p)
			if j < 0 {
				ok = false
				break
			}
			rest = rest[j+len(p):]
		}
		if ok {
			return true
		}
	}
	return false
}
