package flows_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/redress-legal/redress/flows"
)

func loadDefault(t testing.TB) *flows.Flow {
	t.Helper()
	f, err := flows.LoadDefault()
	if err != nil {
		t.Fatalf("the default flow does not load:\n%v", err)
	}
	return f
}

// TestScenarios runs every script under testdata/scenarios through the
// default flow and compares the transcript (message IDs, parameters,
// citations, choices) with its golden file.
func TestScenarios(t *testing.T) {
	f := loadDefault(t)
	paths, _ := filepath.Glob("testdata/scenarios/*.txt")
	if len(paths) == 0 {
		t.Fatal("no scenarios in testdata/scenarios")
	}
	for _, p := range paths {
		name := strings.TrimSuffix(filepath.Base(p), ".txt")
		t.Run(name, func(t *testing.T) {
			got, st := transcript(t, f, readScript(t, p))
			if !st.Done && !strings.HasPrefix(name, "safety") {
				t.Errorf("the scenario does not reach an outcome (stuck at %s)", st.Node)
			}
			golden(t, name+".golden", got)
		})
	}
}

// TestRandomWalkDefault drives the default flow through thousands of random
// answers, commands and bad inputs: every walk must end at an outcome with
// no expression failing, and every outcome must be reachable.
func TestRandomWalkDefault(t *testing.T) {
	f := loadDefault(t)
	walks := 5000
	if testing.Short() || raceDetector {
		walks = 500 // CI runs the full walk without -race as well
	}
	out := walk(t, f, walks, 7)
	for _, id := range f.Order {
		if f.Nodes[id].Type == flows.Outcome && out[id] == 0 {
			t.Errorf("no random walk reached the outcome %s: %v", id, out)
		}
	}
}

// TestCitationsTraceToTheReference checks that every source the default
// flow declares or cites has an entry in the repository's legal reference
// (docs/legal/sources.md, docs/legal/platforms.md), and that every entry
// there gives its title in English and Chinese, issuer, date, the articles
// relied on and a confidence mark.
func TestCitationsTraceToTheReference(t *testing.T) {
	entries := map[string]map[string]string{} // ID → field → value
	where := map[string]string{}
	for _, name := range []string{"sources.md", "platforms.md"} {
		path := filepath.Join("..", "docs", "legal", name)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("the legal reference: %v", err)
		}
		for id, fields := range parseReference(string(b)) {
			if prev, dup := where[id]; dup {
				t.Errorf("%s: %s is defined twice (also in %s)", path, id, prev)
			}
			entries[id], where[id] = fields, path
		}
	}
	if len(entries) == 0 {
		t.Fatal("no source entries (### S-xx) found in docs/legal")
	}
	han := regexp.MustCompile(`\p{Han}`)
	mark := regexp.MustCompile(`^\[[PSU]\]`)
	for id, fields := range entries {
		for _, field := range []string{"English", "中文", "Issuer", "Date", "Articles relied on", "Confidence"} {
			if strings.TrimSpace(fields[field]) == "" {
				t.Errorf("%s: %s has no %q line", where[id], id, field)
			}
		}
		if v := fields["中文"]; v != "" && !han.MatchString(v) {
			t.Errorf("%s: %s: the Chinese title has no Chinese: %q", where[id], id, v)
		}
		if v := fields["Confidence"]; v != "" && !mark.MatchString(v) {
			t.Errorf("%s: %s: the confidence should start with [P], [S] or [U]: %q", where[id], id, v)
		}
	}
	f := loadDefault(t)
	for id, s := range f.Sources {
		if entries[id] == nil {
			t.Errorf("%s:%d: the source %s has no entry in docs/legal/sources.md or platforms.md", s.Pos.File, s.Pos.Line, id)
		}
	}
	// Every citation names a declared source (lint checks this too); here
	// the cited IDs themselves must be in the reference.
	src, err := os.ReadFile(filepath.Join("defs", "cyberviolence.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`cite: \[([^\]]*)\]`).FindAllStringSubmatch(string(src), -1) {
		for _, c := range regexp.MustCompile(`"([^"]*)"`).FindAllStringSubmatch(m[1], -1) {
			id, _, _ := strings.Cut(c[1], " ")
			if entries[id] == nil {
				t.Errorf("the flow cites %q, whose source has no entry in docs/legal", c[1])
			}
		}
	}
}

// parseReference reads "### <ID>" headings and the "- **Field:** value"
// lines under each.
func parseReference(text string) map[string]map[string]string {
	heading := regexp.MustCompile(`^### ((?:S|C|PL)-\d+[ab]?)\s*$`)
	field := regexp.MustCompile(`^- \*\*([^*]+):\*\* (.*)$`)
	out := map[string]map[string]string{}
	var cur map[string]string
	for _, line := range strings.Split(text, "\n") {
		if m := heading.FindStringSubmatch(line); m != nil {
			cur = map[string]string{}
			out[m[1]] = cur
			continue
		}
		if strings.HasPrefix(line, "#") {
			cur = nil
			continue
		}
		if m := field.FindStringSubmatch(line); m != nil && cur != nil {
			cur[m[1]] = m[2]
		}
	}
	return out
}

func FuzzStepDefault(f *testing.F) { fuzzFlow(f, loadDefault(f)) }
