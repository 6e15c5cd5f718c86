package graph_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redress-legal/redress/flows"
	"github.com/redress-legal/redress/flows/graph"
	"github.com/redress-legal/redress/internal/depcheck"
)

var update = flag.Bool("update", false, "rewrite the golden pictures (review the diff; never in CI)")

func mini(t *testing.T) *flows.Flow {
	t.Helper()
	b, err := os.ReadFile("../testdata/mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := flows.Parse("mini.yaml", b)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// text stands in for a catalog: a few messages, one long, one with quotes
// and angle brackets, the others missing (shown as the node ID).
func text(id string) string {
	return map[string]string{
		"mini.danger.ask": "First, your safety. We ask everyone this before anything else, because it matters most. Are you in danger right now?",
		"mini.what.ask":   `What did they post? Tick "all" that apply <b>here</b>.`,
		"mini.yes":        "Yes",
		"mini.no":         "No",
		"mini.views.ask":  "How many views?",
		"mini.serious":    "This looks serious.",
	}[id]
}

func TestGolden(t *testing.T) {
	f := mini(t)
	for _, format := range graph.Formats {
		got, err := graph.Render(f, format, text)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", "mini."+string(format))
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (go test ./flows/graph -update creates it; review it)", err)
		}
		if got != string(want) {
			t.Errorf("%s picture differs from %s (go test ./flows/graph -update, then review the diff):\n%s", format, path, got)
		}
	}
}

// TestPictureSaysWhatAnAuthorNeeds checks the picture itself, not only that it
// is stable: questions in one short line, edges labelled with the option or
// the condition as written, outcomes and the crisis node styled apart, text
// escaped so Mermaid cannot misread it.
func TestPictureSaysWhatAnAuthorNeeds(t *testing.T) {
	got, err := graph.Render(mini(t), graph.Mermaid, text)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`danger["danger · Are you in danger right now?"]`, // the question, not the preamble
		`danger -->|"Yes"| safe_now`,                      // an option with its own next
		`danger -->|"No"| what`,                           // the others, by the default next
		`what -->|"'none' in what"| nothing`,              // a condition as written
		`what -->|"else"| views`,                          // the default after routes
		`what["what · What did they post? Tick #quot;all#quot; that apply #lt;b#gt;here#lt;/b#gt;."]`, // escaped
		`check{"check"}`, // a branch is a diamond
		`serious_end[["serious_end · This looks serious."]]`, // an outcome with its first line
		`sos_anywhere(["/sos"]) -.-> crisis`,                 // /sos from anywhere
		"class serious_end,mild_end,nothing outcome",
		"class crisis,sos_anywhere crisis",
		"linkStyle 0 stroke:#c62828",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the picture lacks %s:\n%s", want, got)
		}
	}
	if _, err := graph.Render(mini(t), "svg", text); err == nil || !strings.Contains(err.Error(), "mermaid") {
		t.Errorf("an unknown format is refused naming the known ones; got %v", err)
	}
}

func TestEmbed(t *testing.T) {
	doc := "intro\n" + graph.BeginMarker + "\n```mermaid\nold\n```\n" + graph.EndMarker + "\nafter\n"
	got, ok := graph.Embed(doc, "flowchart TD\n  a --> b\n")
	want := "intro\n" + graph.BeginMarker + "\n```mermaid\nflowchart TD\n  a --> b\n```\n" + graph.EndMarker + "\nafter\n"
	if !ok || got != want {
		t.Errorf("Embed = %q, %v; want %q", got, ok, want)
	}
	if _, ok := graph.Embed("no markers", "x"); ok {
		t.Error("Embed found markers in a document without them")
	}
}

// TestDependencies: graph imports only flows from the project, and no
// catalog, store or transport library (design §1).
func TestDependencies(t *testing.T) {
	depcheck.Allow(t, "flows/graph", []string{"flows"}, "github.com/nicksnyder/go-i18n", "github.com/mattn/go-sqlite3", "github.com/go-telegram/bot")
}
