package flows_test

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redress-legal/redress/commands"
	"github.com/redress-legal/redress/flows"
)

// Only what applies (issue 9 §2): a report may name an offence, a threshold
// or a route only when its own conditions hold on the answers. The checks
// below restate those conditions from docs/legal/rules.md directly on the raw
// answers, independently of the flow's facts, so a wrong rule in the flow
// (寻衅滋事 on a minor alone, anxiety as 精神失常, a civil deadline while
// the infringer is unknown…) makes them fail.

// answers reads a finished conversation's raw answers.
type answers map[string]flows.Answer

func (a answers) choice(id string) string { return a[id].Choice }
func (a answers) has(id string, keys ...string) bool {
	for _, k := range keys {
		if slices.Contains(a[id].Choices, k) {
			return true
		}
	}
	return false
}
func (a answers) num(id string) int64 {
	if n := a[id].Number; n != nil {
		return *n
	}
	return 0
}

func (a answers) person() bool { return a.choice("q0_who") != "org" }
func (a answers) minor() bool {
	return slices.Contains([]string{"self_minor", "child"}, a.choice("q0_who"))
}

// defamation: made-up facts about a natural person (S-02 Art. 1).
func (a answers) defamation() bool {
	t := a.choice("q2_truth")
	return a.person() && (t == "false_facts" || t == "mixed" || (t == "unsure" && a.has("q1_what", "false_claims")))
}

// insult: abuse, humiliation, exposed private matters, intimate images (S-07; C-02).
func (a answers) insult() bool {
	t := a.choice("q2_truth")
	return a.person() && (a.has("q1_what", "abuse", "private", "intimate") || t == "true_private" || t == "abuse_only" || a.choice("q2_abuse") == "yes")
}

func (a answers) threat() bool {
	return a.has("q1_what", "threat") || a.choice("q0_threat") == "yes" || a.choice("q0_danger") == "threat"
}

// seriousHarm: a psychiatric disorder or hospitalisation (精神失常,
// "mental"), self-harm, suicide or death — the S-02 Art. 2(2) / A(1) items.
// A diagnosis of anxiety, depression or PTSD ("anx_dx") is not one of them.
func (a answers) seriousHarm() bool {
	return a.has("q4_harm", "mental", "self_harm", "death") || a.choice("q4_death") == "suicide"
}

// disorder: a sign that social order was disrupted, the element 寻衅滋事
// needs (S-02 Art. 5; S-03 Art. 3).
func (a answers) disorder() bool {
	return a.has("q5_features", "offline_disorder", "other_victims") ||
		(a.has("q5_features", "trending") && a.has("q5_features", "comments")) ||
		a.has("q1_what", "army") || a.has("q5_features", "organised")
}

// disputeBar: romance, family, neighbour or debt disputes exclude 寻衅滋事
// unless the person went on after the police stepped in (S-03 Art. 1 ¶3).
func (a answers) disputeBar() bool {
	dispute := slices.Contains([]string{"ex", "family", "neighbour", "debt"}, a.choice("q3_relation"))
	persisted := a.choice("q6_police") == "penalised" && a["q6_when"].Ongoing
	return dispute && !persisted
}

func (a answers) xunxinMarker() bool {
	return a.has("q5_features", "repeated", "vulnerable") || a.minor() || a.seriousHarm() ||
		a.has("q4_harm", "job", "moved", "business")
}

func (a answers) identityUnknown() bool {
	return slices.Contains([]string{"account", "nobody"}, a.choice("q3_identity")) || a.choice("q3_relation") == "stranger"
}

// publicOffence: an offence the state prosecutes without a complaint applies
// (not 告诉才处理): personal information, extortion or paid deletion,
// 寻衅滋事, obscene material, a marketing account's insult or defamation
// (S-01 Arts. 253-1, 274, 225, 293, 364, 287-1) — and someone old enough to
// answer for it (S-01 Art. 17).
func (a answers) publicOffence() bool {
	allU16 := a.has("q3_age", "u14", "y14_15") && !a.has("q3_age", "y16_17", "adult")
	xunxin := a.person() && (a.insult() || a.threat()) && a.disorder() && a.xunxinMarker() && !a.disputeBar()
	offline := a.person() && !a.disputeBar() && (a.has("q1_what", "crowd") || (a.defamation() && a.has("q5_features", "offline_disorder")))
	return !allU16 && (a.person() && a.has("q1_what", "doxx", "intimate") || a.has("q4_money", "demanded", "offer_delete") ||
		xunxin || offline || (a.choice("q3_relation") == "business" && (a.defamation() || a.insult())))
}

// applies maps each message that names an offence, a threshold or a
// consequence to the condition that must hold for it to be shown.
var applies = map[string]func(a answers) bool{
	"finding.offences.def_base":    answers.defamation,
	"finding.offences.def_penalty": answers.defamation,
	"finding.offences.def_views":   func(a answers) bool { return a.defamation() && a.num("q4_views") >= 5000 },
	"finding.offences.def_reposts": func(a answers) bool { return a.defamation() && a.num("q4_reposts") >= 500 },
	"finding.offences.def_harm":    func(a answers) bool { return a.defamation() && a.seriousHarm() },
	"finding.offences.def_prior":   func(a answers) bool { return a.defamation() && a.choice("q4_prior") == "defam_2y" },
	"finding.offences.harm_anx": func(a answers) bool {
		return a.has("q4_harm", "anx_dx") && !a.seriousHarm()
	},
	"finding.offences.ins_base":    answers.insult,
	"finding.offences.img_obscene": func(a answers) bool { return a.person() && a.has("q1_what", "intimate") },
	"finding.offences.pi_base":     func(a answers) bool { return a.person() && a.has("q1_what", "doxx") },
	"finding.offences.pi_prior": func(a answers) bool {
		return a.person() && a.has("q1_what", "doxx") && a.choice("q4_prior") == "pi_before"
	},
	"finding.offences.pi_special": func(a answers) bool {
		ten := a.num("q4_pi_n50") >= 250 || a.num("q4_pi_n500") >= 2500 || a.num("q4_pi_nother") >= 25000
		return a.person() && a.has("q1_what", "doxx") && (a.has("q4_harm", "mental", "death") || a.choice("q4_death") == "suicide" || ten)
	},
	"finding.offences.xunxin": func(a answers) bool {
		return a.person() && (a.insult() || a.threat()) && a.disorder() && a.xunxinMarker() && !a.disputeBar()
	},
	"finding.offences.xunxin_offline": func(a answers) bool {
		return a.person() && !a.disputeBar() && (a.has("q1_what", "crowd") || (a.defamation() && a.has("q5_features", "offline_disorder")))
	},
	"finding.lower_layers.admin_xunxin": func(a answers) bool {
		return a.person() && (a.insult() || a.threat()) && a.disorder() && !a.disputeBar()
	},
	"finding.deadlines.crim10": func(a answers) bool {
		return !a.disputeBar() && (a.disorder() || a.has("q1_what", "crowd") || a.has("q5_features", "offline_disorder"))
	},
	"finding.lower_layers.admin_rumour": func(a answers) bool {
		return a.defamation() && a.has("q5_features", "offline_disorder")
	},
	"finding.offences.marketing": func(a answers) bool { return a.choice("q3_relation") == "business" },
	"finding.money.extortion":    func(a answers) bool { return a.has("q4_money", "demanded") },
	"finding.money.business":     func(a answers) bool { return a.has("q4_money", "offer_delete") },
	"finding.money.helpers":      func(a answers) bool { return a.has("q4_money", "offer_delete") },
	"finding.prosecution.a1":     func(a answers) bool { return a.seriousHarm() },
	// The summary's prosecution line never says the person must prosecute
	// herself beside an offence the police investigate.
	"short.prosecution.none_met": func(a answers) bool { return !a.publicOffence() },
	"finding.offences.ag_vulnerable": func(a answers) bool {
		return a.has("q5_features", "vulnerable")
	},
	// Civil limitation (Civil Code 188): not while the infringer is unknown.
	"finding.deadlines.civil_start": func(a answers) bool { return !a.identityUnknown() },
	// still going on with no latest day: never "the last act you named"
	"finding.deadlines.civil_ongoing": func(a answers) bool { return !a.identityUnknown() && a["q6_when"].Ongoing },
	"finding.deadlines.civil":         func(a answers) bool { return !a.identityUnknown() },
	"finding.deadlines.civil_past":    func(a answers) bool { return !a.identityUnknown() },
	// Never a route the user has already taken as a to-do.
	"finding.routes.police":      func(a answers) bool { return !a.has("q6_done", "police") },
	"finding.routes.police_late": func(a answers) bool { return !a.has("q6_done", "police") },
	"finding.routes.platform":    func(a answers) bool { return !a.has("q6_done", "notice") },
	// Help lines to whom they serve.
	// each line to whom it serves: 12355 young people (a classmate's attack:
	// students), 12338 women where its services fit
	"finding.contacts.c12355": func(a answers) bool { return a.minor() || a.choice("q3_relation") == "school" },
	"finding.contacts.c12338": func(a answers) bool {
		r := a.choice("q3_relation")
		return a.person() && !a.minor() && (a.has("q1_what", "intimate") || a.has("q5_features", "sexual") || r == "ex" || r == "family")
	},
	"outcome.main.helper": func(a answers) bool { return !a.has("q4_harm", "death") },
	"finding.routes.pil_example": func(a answers) bool {
		return a.has("q9_public", "many_victims", "channel")
	},
}

// lawfulExcluded: facts that rule out the "probably lawful" outcome (§2.4):
// extortion, a water army, and every harmful conduct besides criticism.
func lawfulExcluded(a answers) bool {
	return a.has("q1_what", "money", "army", "private", "doxx", "intimate", "threat", "harass", "crowd") || a.choice("q0_threat") == "yes" || a.choice("q0_danger") == "threat"
}

// wholeReport is everything an outcome offers: the summary shown after the
// last answer and every part on demand (flows.Assess); r when the outcome
// shows everything at once.
func wholeReport(f *flows.Flow, st flows.State, r flows.Reply, now time.Time) flows.Reply {
	rep, ok := flows.Assess(f, st, now)
	if !ok {
		return r
	}
	out := flows.Reply{Messages: append(slices.Clone(rep.Summary), rep.Intro...)}
	for _, p := range rep.Parts {
		out.Messages = append(out.Messages, p.Messages...)
	}
	return out
}

// checkApplies returns one line per message shown without its conditions.
func checkApplies(st flows.State, r flows.Reply) []string {
	a := answers(st.Answers)
	var bad []string
	shown := map[string]bool{}
	for _, m := range r.Messages {
		shown[m.ID] = true
		if cond, ok := applies[m.ID]; ok && !cond(a) {
			bad = append(bad, fmt.Sprintf("%s shown but its conditions do not hold", m.ID))
		}
	}
	// The Minors Protection Law's takedown right (S-23 Art. 77) belongs to a
	// minor and their guardians, and 12355 (S-29) serves young people and
	// their parents (and students attacked by classmates): never cited for
	// an adult-only case.
	for _, m := range r.Messages {
		for _, c := range m.Cite {
			if strings.HasPrefix(c, "S-23 Art. 77") && !a.minor() {
				bad = append(bad, fmt.Sprintf("%s cites %s although no minor is attacked", m.ID, c))
			}
			if c == "S-29" && !a.minor() && a.choice("q3_relation") != "school" {
				bad = append(bad, fmt.Sprintf("%s cites %s (12355) although no minor is attacked", m.ID, c))
			}
		}
	}
	// "since September", "… 至今": still going on, the latest day is the
	// day of the conversation, which is no "last act you named"
	if w := a["q6_when"]; w.Ongoing && w.Until == st.Ended && (shown["finding.deadlines.civil"] || shown["finding.deadlines.admin_open"]) {
		bad = append(bad, "a deadline counts from 'the last act you named' although the person only said it is still going on")
	}
	if shown["finding.deadlines.civil_past"] && shown["finding.deadlines.civil_anon"] {
		bad = append(bad, "the civil deadline is shown both as ended and as not running")
	}
	if st.Node == "outcome_lawful" && lawfulExcluded(a) {
		bad = append(bad, "outcome_lawful reached although money, a water army or other harmful conduct was reported")
	}
	return bad
}

// validWalk answers the default flow from the start with valid answers
// chosen at random until it reaches an outcome, and returns the last state
// and reply; each, when set, sees every reply on the way.
func validWalk(t *testing.T, f *flows.Flow, rng *rand.Rand, walk int, each func(flows.Reply)) (flows.State, flows.Reply) {
	t.Helper()
	st, r := flows.Step(f, flows.State{}, flows.Input{Kind: flows.InStart, Now: now})
	for steps := 0; !st.Done; steps++ {
		if steps > 500 {
			t.Fatalf("walk %d did not end (at %s)", walk, st.Node)
		}
		for _, in := range validInput(rng, r, now) {
			st, r = flows.Step(f, st, in)
			if each != nil {
				each(r)
			}
		}
	}
	return st, r
}

// validInput answers the question asked with something valid, chosen at random.
func validInput(rng *rand.Rand, r flows.Reply, now time.Time) []flows.Input {
	q := r.Question
	if q == nil {
		return []flows.Input{{Kind: flows.InText, Text: "hi", Now: now}}
	}
	if q.Unknown != "" && rng.IntN(100) < 12 {
		return []flows.Input{{Kind: flows.InUnknown, Node: q.Node, Now: now}}
	}
	switch q.Type {
	case flows.Choice:
		return []flows.Input{{Kind: flows.InChoose, Node: q.Node, Key: q.Choices[rng.IntN(len(q.Choices))].Key, Now: now}}
	case flows.Multi:
		var ins []flows.Input
		for n := 1 + rng.IntN(3); n > 0; n-- {
			ins = append(ins, flows.Input{Kind: flows.InToggle, Node: q.Node, Key: q.Choices[rng.IntN(len(q.Choices))].Key, Now: now})
		}
		return append(ins, flows.Input{Kind: flows.InDone, Node: q.Node, Now: now})
	case flows.Number:
		v := []string{"0", "30", "250", "499", "500", "2600", "4999", "5000", "20000", "60000"}[rng.IntN(10)]
		return []flows.Input{{Kind: flows.InText, Text: v, Now: now}}
	case flows.Date:
		return []flows.Input{{Kind: flows.InText, Text: now.AddDate(0, 0, -rng.IntN(2500)).Format(time.DateOnly), Now: now}}
	case flows.Period:
		return []flows.Input{{Kind: flows.InText, Text: randomPeriod(rng, now, 2500), Now: now}}
	}
	return []flows.Input{{Kind: flows.InText, Text: "a description", Now: now}}
}

// TestRandomWalkOnlyWhatApplies answers the default flow at random, always
// validly, thousands of times; in every report each offence, threshold and
// route named must have its own conditions true on the answers.
func TestRandomWalkOnlyWhatApplies(t *testing.T) {
	f := loadDefault(t)
	walks := 3000
	if testing.Short() || raceDetector {
		walks = 400
	}
	rng := rand.New(rand.NewPCG(9, 2))
	seen := map[string]int{}
	for w := 0; w < walks; w++ {
		st, r := validWalk(t, f, rng, w, nil)
		r = wholeReport(f, st, r, now)
		for _, m := range r.Messages {
			seen[m.ID]++
		}
		if bad := checkApplies(st, r); len(bad) > 0 {
			t.Fatalf("walk %d (%s): %s\nanswers: %+v", w, st.Node, strings.Join(bad, "; "), st.Answers)
		}
	}
	// The walk must actually exercise the rules it checks.
	for _, id := range []string{"finding.offences.def_base", "finding.offences.ins_base", "finding.offences.xunxin",
		"finding.offences.pi_base", "finding.money.extortion", "finding.deadlines.civil", "finding.deadlines.civil_anon",
		"finding.offences.harm_anx", "finding.lower_layers.admin_xunxin"} {
		if seen[id] == 0 && !testing.Short() {
			t.Errorf("no random walk showed %s: the check is not exercised", id)
		}
	}
}

// TestScenariosOnlyWhatApplies applies the same check to every scripted scenario.
func TestScenariosOnlyWhatApplies(t *testing.T) {
	f := loadDefault(t)
	paths, _ := filepath.Glob("testdata/scenarios/*.txt")
	for _, p := range paths {
		sc := readScript(t, p)
		st, r := flows.Step(f, flows.State{}, flows.Input{Kind: flows.InStart, Now: sc.now})
		for _, in := range sc.inputs {
			st, r = flows.Step(f, st, commands.Input(in, sc.now))
		}
		for _, b := range checkApplies(st, wholeReport(f, st, r, sc.now)) {
			t.Errorf("%s: %s", filepath.Base(p), b)
		}
	}
}

// TestOnlyWhatAppliesCatchesAWrongRule: the check is not vacuous — a report
// naming 寻衅滋事 for a repeated ex-partner dispute, or the civil deadline as
// both ended and not running, is caught.
func TestOnlyWhatAppliesCatchesAWrongRule(t *testing.T) {
	st := flows.State{Node: "outcome_main", Done: true, Answers: map[string]flows.Answer{
		"q0_who": {Choice: "self_adult"}, "q1_what": {Choices: []string{"abuse"}}, "q2_truth": {Choice: "abuse_only"},
		"q3_identity": {Choice: "account"}, "q3_relation": {Choice: "ex"}, "q5_features": {Choices: []string{"repeated"}},
		"q4_harm": {Choices: []string{"anx_dx"}},
	}}
	r := flows.Reply{Messages: []flows.Message{{ID: "finding.offences.xunxin"}, {ID: "finding.deadlines.civil_past"},
		{ID: "finding.deadlines.civil_anon"}, {ID: "finding.prosecution.a1"},
		{ID: "finding.urgent.intimate", Cite: []string{"S-12 Art. 1195", "S-23 Art. 77"}}}}
	if bad := checkApplies(st, r); len(bad) != 5 {
		t.Errorf("the check found %d problems, want 5: %v", len(bad), bad)
	}
	st.Node = "outcome_lawful"
	st.Answers["q1_what"] = flows.Answer{Choices: []string{"money"}}
	if bad := checkApplies(st, flows.Reply{}); len(bad) != 1 {
		t.Errorf("a lawful outcome with a money demand was not caught: %v", bad)
	}
}
