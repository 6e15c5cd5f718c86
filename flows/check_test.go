package flows_test

import (
	"os"
	"strings"
	"testing"

	"github.com/redress-legal/redress/flows"
)

// TestCheckerFindsBrokenFlows breaks the mini flow one way at a time and
// asserts the checker names the problem, at the right line, in an author's words.
func TestCheckerFindsBrokenFlows(t *testing.T) {
	b, err := os.ReadFile("testdata/mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	base := string(b)
	lineOf := func(s, needle string) int {
		i := strings.Index(s, needle)
		if i < 0 {
			t.Fatalf("%q not in flow", needle)
		}
		return strings.Count(s[:i], "\n") + 1
	}
	cases := []struct {
		name, old, new string
		at             string // text on the line the problem must point at
		want           string
	}{
		{"unknown key", "    ask: mini.views.ask\n", "    ask: mini.views.ask\n    mn: 0\n", "    mn: 0", `unknown key "mn" — did you mean "min"?`},
		{"misspelt top key", "footer: [mini.footer]", "fotter: [mini.footer]", "fotter", `did you mean "footer"?`},
		{"unknown node in next", "    next: reposts\n", "    next: repost\n", "  - id: views", `goes to "repost", but there is no such node — did you mean "reposts"?`},
		{"unknown node in option", "next: safe_now}", "next: safe_nwo}", "next: safe_nwo}", `option danger goes to "safe_nwo"`},
		{"unreachable node", "      - {key: danger, label: mini.yes, next: safe_now}", "      - {key: danger, label: mini.yes}", "  - id: safe_now", "can never be reached"},
		{"expression typo", `expr: "'false' in what"`, `expr: "'false' in wat"`, `expr: "'false' in wat"`, `unknown name wat`},
		{"condition not boolean", `when: "serious"`, `when: "views + 1"`, `when: "views + 1"`, "must be true or false"},
		{"option key typo in condition", `when: "'none' in what"`, `when: "'nnoe' in what"`, `when: "'nnoe' in what"`, `"nnoe" is not an option of what`},
		// The compiler folds a list of constants into a set: the checker must
		// still see each key (a typo here silently changes who is covered).
		{"option key typo in a list", `expr: "'false' in what"`, `expr: "danger in ['danger', 'saf']"`, `expr: "danger in ['danger', 'saf']"`,
			`the fact false_facts: "saf" is not an option of danger — did you mean "safe"? (the question danger offers: danger, safe)`},
		{"option key typo in a negated list", `when: "'none' in what"`, `when: "danger not in ['dnager']"`, `when: "danger not in ['dnager']"`, `"dnager" is not an option of danger`},
		{"option key typo in hasAny", `when: "'none' in what"`, `when: "hasAny(what, 'abuse', 'flase')"`, `when: "hasAny(what, 'abuse', 'flase')"`, `"flase" is not an option of what — did you mean "false"?`},
		{"undeclared citation", `cite: ["S-02 Art. 4"]`, `cite: ["S-09 Art. 4"]`, `cite: ["S-09 Art. 4"]`, `the source "S-09" is not declared`},
		{"finding without citation", "        cite: [\"S-02 Art. 4\"]\n", "", "      - id: police", "cites no source"},
		{"no way to an outcome", "    max_len: 50\n    next: check\n", "    max_len: 50\n    next: loop\n  - id: loop\n    type: choice\n    ask: mini.x\n    options: [{key: a, label: a}, {key: b, label: b}]\n    next: loop\n", "  - id: loop", "from the node loop no path reaches an outcome"},
		{"info loop", "  - id: crisis\n    type: info\n    say: [mini.crisis.numbers]\n    next: danger\n", "  - id: crisis\n    type: info\n    say: [mini.crisis.numbers]\n    next: danger\n  - id: i1\n    type: info\n    say: [a]\n    next: i2\n  - id: i2\n    type: branch\n    routes: [{when: 'true', to: i1}]\n    next: i1\n", "  - id: i1", "loop with no question"},
		{"missing next", "    max_len: 50\n    next: check\n", "    max_len: 50\n", "  - id: describe", `does not say where to go next`},
		{"question without ask", "    ask: mini.last.ask\n", "", "  - id: last", "has no \"ask\" message"},
		{"crisis not info", "crisis: crisis", "crisis: danger", "  - id: danger", "must be an info node"},
		{"bad type", "    type: date\n", "    type: calendar\n", "    type: calendar", `unknown type "calendar"`},
		{"duplicate node", "  - id: mild_end\n", "  - id: serious_end\n", "  - id: serious_end\n    type: outcome\n    sections: [offences]", `two nodes called "serious_end"`},
		{"no footer", "footer: [mini.footer]\n", "", "flow: mini", "needs a footer"},
		{"bad yaml", "  - id: views\n", "  - id: views\n   bad indent: [\n", "  - id: views", "not valid YAML"},
		{"min over max", "    max: 100000000\n", "    max: 100000000\n    min: 200000000\n", "  - id: reposts", "min is larger than max"},
		{"period without names", "    type: date\n", "    type: period\n", "  - id: last", `a period question: give the names its two dates go by, "from"`},
		{"period name taken", "    type: date\n", "    type: period\n    from: views\n    to: last_day\n", "  - id: last", `"views" is already the ID of a node`},
		{"from on a date", "    type: date\n", "    type: date\n    from: a\n    to: b\n", "  - id: last", "from and to only apply to period questions"},
		{"ongoing on a date", "    type: date\n", "    type: date\n    ongoing: still\n", "  - id: last", "ongoing only applies to period questions"},
		{"ongoing is a date", "    type: date\n", "    type: period\n    from: a\n    to: b\n    ongoing: b\n", "  - id: last", "ongoing must be a name of its own"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(base, c.old) {
				t.Fatalf("test is stale: %q not in mini.yaml", c.old)
			}
			src := strings.Replace(base, c.old, c.new, 1)
			_, err := flows.Parse("mini.yaml", []byte(src))
			if err == nil {
				t.Fatal("the broken flow loaded")
			}
			probs, ok := err.(flows.Problems)
			if !ok {
				t.Fatalf("error is %T, want flows.Problems", err)
			}
			line := lineOf(src, c.at)
			for _, p := range probs {
				if strings.Contains(p.Msg, c.want) {
					if c.name != "bad yaml" && p.Pos.Line != line {
						t.Errorf("%s: at line %d, want %d", p, p.Pos.Line, line)
					}
					if p.Pos.File != "mini.yaml" {
						t.Errorf("file = %q", p.Pos.File)
					}
					return
				}
			}
			t.Fatalf("no problem mentions %q; got:\n%s", c.want, probs.Error())
		})
	}
}

func TestCheckerReportsEveryProblemAtOnce(t *testing.T) {
	src := `flow: Bad
version: 0
title: t
start: nowhere
crisis: c
footer: [f]
nodes:
  - id: a
    type: choice
    ask: q
    options: [{key: x, label: l}]
  - id: c
    type: info
    say: [s]
    next: a
`
	_, probs := flows.Check("bad.yaml", []byte(src))
	for _, want := range []string{"lower-case", "version should be 1", `start: there is no node called "nowhere"`, "fewer than 2 options", "does not say where to go next", "no outcome"} {
		found := false
		for _, p := range probs {
			found = found || strings.Contains(p.Msg, want)
		}
		if !found {
			t.Errorf("missing %q in:\n%s", want, probs.Error())
		}
	}
	if !strings.HasPrefix(probs.Error(), "bad.yaml:1: ") {
		t.Errorf("not file:line formatted: %s", probs.Error())
	}
}

func TestMessageRefsListParams(t *testing.T) {
	f := loadMini(t)
	refs := map[string][]string{}
	for _, r := range f.MessageRefs() {
		refs[r.ID] = r.Params
	}
	for _, id := range []string{"mini.title", "source.S-01", "mini.yes", "mini.unknown", "mini.offences.none", "mini.danger.help", "mini.footer"} {
		if _, ok := refs[id]; !ok {
			t.Errorf("MessageRefs lacks %s", id)
		}
	}
	if p := refs["mini.deadline.police"]; len(p) != 1 || p[0] != "date" {
		t.Errorf("params of mini.deadline.police = %v", p)
	}
}

// TestCheckerReportsAMisspeltNameOnce: a name misspelt in a fact breaks every
// fact and condition built on it; the checker names the cause once, with a
// suggestion, and counts what depends on it instead of listing each.
func TestCheckerReportsAMisspeltNameOnce(t *testing.T) {
	b, err := os.ReadFile("testdata/mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, old, new, want string }{
		{"misspelt answer in a fact", `expr: "'false' in what"`, `expr: "'false' in wat"`,
			`mini.yaml:14: the fact false_facts: the expression "'false' in wat" does not work: unknown name wat — did you mean "what"? (5 more expression(s) depend on it; they are checked once it is fixed)`},
		{"renamed fact", "  - id: false_facts\n", "  - id: falsefacts\n",
			`mini.yaml:16: the fact serious: the expression "false_facts and (views >= 5000 or reposts >= 500)" does not work: unknown name false_facts — did you mean "falsefacts"? (4 more expression(s) depend on it; they are checked once it is fixed)`},
		{"fact used above its definition", "  - id: false_facts\n    expr: \"'false' in what\"\n  - id: serious\n    expr: \"false_facts and (views >= 5000 or reposts >= 500)\"\n",
			"  - id: serious\n    expr: \"false_facts and (views >= 5000 or reposts >= 500)\"\n  - id: false_facts\n    expr: \"'false' in what\"\n",
			`mini.yaml:14: the fact serious: the expression "false_facts and (views >= 5000 or reposts >= 500)" does not work: the fact false_facts is defined further down (line 15): a fact can use only the answers and the facts above it — move false_facts above its first use (4 more expression(s) depend on it; they are checked once it is fixed)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := strings.Replace(string(b), c.old, c.new, 1)
			if src == string(b) {
				t.Fatal("test is stale: the text to change is not in mini.yaml")
			}
			_, probs := flows.Check("mini.yaml", []byte(src))
			if len(probs) != 1 || probs[0].String() != c.want {
				t.Fatalf("want exactly\n%s\ngot:\n%s", c.want, probs.Error())
			}
		})
	}
	// The same unknown name in two unrelated conditions is one mistake.
	src := strings.Replace(string(b), `when: "'none' in what"`, `when: "'none' in wat"`, 1)
	src = strings.Replace(src, `when: "isSet(last) and today <= addMonths(last, 6)"`, `when: "isSet(last) and today <= addMonths(last, 6) and 'none' in wat"`, 1)
	_, probs := flows.Check("mini.yaml", []byte(src))
	if len(probs) != 1 || !strings.Contains(probs[0].Msg, "unknown name wat") || !strings.Contains(probs[0].Msg, "1 more expression(s)") {
		t.Fatalf("want one problem naming wat, got:\n%s", probs.Error())
	}
}

// TestAskAsNeedsACondition: a question put another way must say to whom;
// with it, the variant is asked to those users only.
func TestAskAsNeedsACondition(t *testing.T) {
	b, err := os.ReadFile("testdata/mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const ask = "    ask: mini.views.ask\n"
	if !strings.Contains(string(b), ask) {
		t.Fatal("test is stale: mini.yaml has no views question")
	}
	bad := strings.Replace(string(b), ask, ask+"    ask_as:\n      - msg: mini.views.ask\n", 1)
	_, probs := flows.Check("mini.yaml", []byte(bad))
	if len(probs) == 0 || !strings.Contains(probs.Error(), "ask_as needs a \"when\"") {
		t.Fatalf("want the missing condition reported, got:\n%v", probs)
	}
	good := strings.Replace(string(b), ask, ask+"    ask_as:\n      - msg: mini.views.ask\n        when: \"'false' in what\"\n", 1)
	if _, probs := flows.Check("mini.yaml", []byte(good)); len(probs) != 0 {
		t.Fatalf("a conditional variant was refused:\n%v", probs)
	}
}
