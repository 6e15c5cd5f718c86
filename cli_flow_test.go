package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redress-legal/redress/flows"
	"github.com/redress-legal/redress/flows/graph"
)

// docsWithGraph are the documents that embed the picture of the shipped flow.
var docsWithGraph = []string{"README.md", filepath.Join("flows", "FORMAT.md")}

// TestFlowGraphInDocs keeps the picture of the shipped flow in the README
// and the flow format guide current: the Mermaid block between the markers
// must be what `redress flow graph` draws now. After a change to the flow
// or its questions, `go test . -run TestFlowGraphInDocs -update` rewrites
// the blocks; review the diff.
func TestFlowGraphInDocs(t *testing.T) {
	fresh, _, code := runCLI(t, "", "flow", "graph")
	if code != 0 {
		t.Fatalf("flow graph: exit %d", code)
	}
	for _, path := range docsWithGraph {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := graph.Embed(string(b), fresh)
		if !ok {
			t.Errorf("%s has no picture of the flow between %q and %q", path, graph.BeginMarker, graph.EndMarker)
			continue
		}
		if got == string(b) {
			continue
		}
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		t.Errorf("the picture of the flow in %s is not the flow any more: run go test . -run TestFlowGraphInDocs -update and review the diff", path)
	}
}

// TestFlowGraphDrawsTheShippedFlow: every node of the flow is in the
// picture, questions in the language asked for, in both formats.
func TestFlowGraphDrawsTheShippedFlow(t *testing.T) {
	f, err := flows.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ lang, format, want string }{
		{"en", "mermaid", `q2_truth["q2_truth · Think about the worst posts. Which describes them best?"]`},
		{"zh-Hans", "mermaid", `q0_who["q0_who · 被攻击的是谁？"]`},
		{"zh-CN", "dot", `"q0_who" [label="q0_who · 被攻击的是谁？"]`},
	} {
		out, errs, code := runCLI(t, "", "flow", "graph", "--lang", c.lang, "--format", c.format)
		if code != 0 {
			t.Fatalf("flow graph --lang %s --format %s: exit %d: %s", c.lang, c.format, code, errs)
		}
		if !strings.Contains(out, c.want) {
			t.Errorf("--lang %s --format %s: the picture lacks %s", c.lang, c.format, c.want)
		}
		for _, id := range f.Order {
			if !strings.Contains(out, id) {
				t.Errorf("--format %s: the node %s is missing", c.format, id)
			}
		}
		if m := rawID.FindString(out); m != "" {
			t.Errorf("--lang %s: a message ID instead of its text: %s", c.lang, m)
		}
	}
}

// TestFlowTestRunsTheShippedScenarios: `redress flow test` runs every
// scenario shipped with the flow and says so.
func TestFlowTestRunsTheShippedScenarios(t *testing.T) {
	out, errs, code := runCLI(t, "", "flow", "test")
	if code != 0 {
		t.Fatalf("flow test: exit %d\n%s%s", code, out, errs)
	}
	names, _ := filepath.Glob(filepath.Join("flows", "scenarios", "*.yaml"))
	n := 0
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "ok   flows/scenarios/") {
			n++
		}
	}
	if n < len(names)-1 || strings.Contains(out, "FAIL") {
		t.Errorf("%d scenario runs passed, want one per *.yaml but terms.yaml (%d) and each language:\n%s", n, len(names)-1, out)
	}
	if !strings.Contains(out, "ok   flows/scenarios/t1_parcel_rumour.yaml [zh-Hans] — T1") {
		t.Errorf("a scenario in two languages is not run in each:\n%s", out)
	}
	if !strings.Contains(errs, "scenario(s) passed") {
		t.Errorf("stderr %q does not sum up", errs)
	}
}

// TestFlowTestExplainsAFailure: a deliberately wrong scenario fails with
// exit 1, at the line of the wrong expectation, in the author's words, and
// quotes the question asked in the scenario's language.
func TestFlowTestExplainsAFailure(t *testing.T) {
	dir := t.TempDir()
	// The shipped T1's answers with wrong expectations, as flows/scenario's
	// tests build it, and a path that goes astray.
	t1, err := os.ReadFile(filepath.Join("flows", "scenarios", "t1_parcel_rumour.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	wrong, err := os.ReadFile(filepath.Join("flows", "scenario", "testdata", "wrong_expect.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := strings.Cut(string(t1), "\nexpect:")
	if err := os.WriteFile(filepath.Join(dir, "wrong_expectations.yaml"), []byte(head+"\n"+string(wrong)), 0o644); err != nil {
		t.Fatal(err)
	}
	path, err := os.ReadFile(filepath.Join("flows", "scenario", "testdata", "wrong_path.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "wrong_path.yaml"), path, 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runCLI(t, "", "flow", "test", dir)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errs)
	}
	for _, want := range []string{
		"FAIL " + filepath.Join(dir, "wrong_expectations.yaml") + " [en]",
		"FAIL " + filepath.Join(dir, "wrong_expectations.yaml") + " [zh-Hans]",
		"expected module M3 (doxxing 开盒 / personal information) to be named, but it was not",
		"m3 = false — fact (flows/defs/cyberviolence.yaml:",
		"q1_what = [false_claims] — answer ",
		"wrong_path.yaml:8: answer 5 ([weibo]) is for q1_platforms, but the conversation asked q2_abuse (“",
		"the option true_public leads to q2_abuse",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errs, "3 scenario(s): 0 passed, 3 failed") {
		t.Errorf("stderr %q does not sum up the failures", errs)
	}
}

// TestFlowUsage: mistakes in calling `redress flow` are one line on stderr
// and exit 2; -h documents each subcommand.
func TestFlowUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"flow"}, "redress flow: say what to do"},
		{[]string{"flow", "draw"}, `redress flow: unknown subcommand "draw"`},
		{[]string{"flow", "graph", "--format", "svg"}, `redress flow: --format "svg": choose mermaid or dot`},
		{[]string{"flow", "graph", "--lang", "fr"}, `redress flow: --lang "fr": no catalog for it (have en, zh-Hans, zh-Hant)`},
		{[]string{"flow", "graph", "extra"}, `unexpected argument "extra" (run 'redress flow graph -h'`},
		{[]string{"flow", "test", "--bogus"}, "flag provided but not defined: -bogus (run 'redress flow test -h'"},
		{[]string{"flow", "test", "no-such-dir"}, "redress flow: no-such-dir: cannot read"},
	} {
		out, errs, code := runCLI(t, "", c.args...)
		lines := strings.Split(strings.TrimRight(errs, "\n"), "\n")
		if code != 2 || out != "" || len(lines) != 1 || !strings.Contains(lines[0], c.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and one line saying %q", c.args, code, out, errs, c.want)
		}
	}
	for _, sub := range []string{"graph", "test"} {
		out, _, code := runCLI(t, "", "flow", sub, "-h")
		if code != 0 || !strings.Contains(out, "redress flow "+sub) || !strings.Contains(out, "-flow") {
			t.Errorf("flow %s -h: exit %d, printed %q", sub, code, out)
		}
	}
}
