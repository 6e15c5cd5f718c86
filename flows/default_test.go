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
// flow declares is an ID of ../shared/legal (reference.md or platforms.md).
func TestCitationsTraceToTheReference(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "legal")
	var text strings.Builder
	for _, name := range []string{"reference.md", "platforms.md"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			if os.Getenv("CI") == "" {
				t.Skipf("legal reference not beside the repository: %v", err)
			}
			t.Fatalf("legal reference: %v", err)
		}
		text.Write(b)
	}
	known := map[string]bool{}
	for _, id := range regexp.MustCompile(`\b(?:S-\d+[ab]?|C-\d+|PL-\d+)\b`).FindAllString(text.String(), -1) {
		known[id] = true
	}
	f := loadDefault(t)
	for id, s := range f.Sources {
		if !known[id] {
			t.Errorf("%s:%d: the source %s is not an ID of shared/legal", s.Pos.File, s.Pos.Line, id)
		}
	}
}

func FuzzStepDefault(f *testing.F) { fuzzFlow(f, loadDefault(f)) }
