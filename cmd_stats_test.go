package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/redress-legal/redress/flows"
)

// TestStatsCommandPrintsCountsPerWeek: `redress stats` prints the week's
// counters as an operator reads them, and serve -h documents the flags of
// the hand-off and the statistics.
func TestStatsCommandPrintsCountsPerWeek(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "redress.db")
	t.Setenv("REDRESS_KEY", "")
	db, err := openStore(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for i, cs := range [][]flows.Count{
		{{Kind: "started", Value: "zh-Hans"}},
		{{Kind: "started", Value: "zh-Hans"}},
		{{Kind: "started", Value: "en"}},
		{{Kind: "completed", Value: "outcome_main"}, {Kind: "finding", Value: "offences/def_views"}},
		{{Kind: "handoff", Value: "requested"}},
		{{Kind: "handoff", Value: "claimed"}},
	} {
		if err := db.Commit(ctx, flows.Commit{UpdateID: int64(i + 1), Chat: int64(i + 1), Counts: cs}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runCLI(t, "", "stats", "--db", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"counts only, nothing that identifies a person",
		"3 conversations started, 1 completed",
		"hand-offs: 1 requested, 1 claimed, 0 closed",
		"languages: zh-Hans 2, en 1",
		"outcomes: outcome_main 1",
		"offences/def_views 1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stats output lacks %q:\n%s", want, out)
		}
	}
	help, _, _ := runCLI(t, "", "serve", "-h")
	for _, flag := range []string{"-admin-ids", "-handoff-chat", "-handoff-lang"} {
		if !strings.Contains(help, flag) {
			t.Errorf("serve -h does not document %s", flag)
		}
	}
}
