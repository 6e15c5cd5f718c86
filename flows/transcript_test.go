package flows_test

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/redress-legal/redress/commands"
	"github.com/redress-legal/redress/flows"
)

var update = flag.Bool("update", false, "rewrite golden files (review the diff; never in CI)")

// script is a conversation: inputs as a user types them, and the date.
type script struct {
	now    time.Time
	inputs []string
}

// readScript reads an input script: one input per line, "#" comments, and
// an optional first comment "# now: YYYY-MM-DD".
func readScript(t *testing.T, path string) script {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := script{now: time.Date(2026, 11, 27, 10, 0, 0, 0, flows.China)}
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "# now:"); ok {
			d, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(rest), flows.China)
			if err != nil {
				t.Fatalf("%s: bad now: %v", path, err)
			}
			s.now = d.Add(10 * time.Hour)
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		s.inputs = append(s.inputs, line)
	}
	return s
}

// transcript runs a script through the engine and writes what the user
// would see as message IDs, parameters, citations and choices.
func transcript(t *testing.T, f *flows.Flow, sc script) (string, flows.State) {
	t.Helper()
	var b strings.Builder
	st := flows.State{}
	st, r := flows.Step(f, st, flows.Input{Kind: flows.InStart, Now: sc.now})
	writeReply(&b, r)
	checkReply(t, r)
	for _, in := range sc.inputs {
		fmt.Fprintf(&b, "> %s\n", in)
		st, r = flows.Step(f, st, commands.Input(in, sc.now))
		writeReply(&b, r)
		checkReply(t, r)
	}
	// The report behind the summary, part by part, as the menu under the
	// summary offers it: legal reviewers read every finding here.
	if rep, ok := flows.Assess(f, st, sc.now); ok {
		if len(rep.Faults) > 0 {
			t.Errorf("expression faults in the report: %v", rep.Faults)
		}
		b.WriteString("== report: intro\n")
		writeReply(&b, flows.Reply{Messages: rep.Intro})
		for _, p := range rep.Parts {
			fmt.Fprintf(&b, "== report part %s: %s\n", p.ID, p.Title)
			writeReply(&b, flows.Reply{Messages: p.Messages})
		}
		b.WriteString("== report: sources\n")
		writeReply(&b, flows.Reply{Messages: rep.Sources})
		b.WriteString("== report: footer\n")
		writeReply(&b, flows.Reply{Messages: rep.Footer})
	}
	return b.String(), st
}

func checkReply(t *testing.T, r flows.Reply) {
	t.Helper()
	if len(r.Faults) > 0 {
		t.Errorf("expression faults: %v", r.Faults)
	}
	if r.Event == "fault" {
		t.Errorf("engine fault")
	}
}

func writeReply(b *strings.Builder, r flows.Reply) {
	for _, m := range r.Messages {
		fmt.Fprintf(b, "< %s", m.ID)
		if m.Kind != "" {
			fmt.Fprintf(b, " (%s)", m.Kind)
		}
		if len(m.Params) > 0 {
			keys := make([]string, 0, len(m.Params))
			for k := range m.Params {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				v := m.Params[k]
				if tm, ok := v.(time.Time); ok {
					v = tm.Format(time.DateOnly)
				}
				fmt.Fprintf(b, " %s=%v", k, v)
			}
		}
		if len(m.Cite) > 0 {
			fmt.Fprintf(b, " [%s]", strings.Join(m.Cite, "; "))
		}
		if m.Unconfirmed {
			b.WriteString(" {unconfirmed}")
		}
		b.WriteString("\n")
	}
	if q := r.Question; q != nil {
		for i, c := range q.Choices {
			mark := ""
			if c.Selected {
				mark = " ✓"
			}
			fmt.Fprintf(b, "  [%d] %s%s\n", i+1, c.Label, mark)
		}
		if q.Unknown != "" {
			fmt.Fprintf(b, "  [?] %s\n", q.Unknown)
		}
	}
	if r.Urgent {
		b.WriteString("  !urgent\n")
	}
	if r.Done {
		b.WriteString("  !done\n")
	}
}

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./flows -run %s -update to create it, then review it)", err, t.Name())
	}
	if string(want) != got {
		t.Errorf("transcript differs from %s (run with -update and review the diff):\n%s", path, diff(string(want), got))
	}
}

// diff shows the first lines where two texts differ.
func diff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < max(len(al), len(bl)); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, x, y)
		}
	}
	return ""
}
