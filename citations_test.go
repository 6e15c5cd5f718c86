package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/redress-legal/redress/flows"
)

// internalID is a reviewers' source ID (S-02, S-11b, C-01, PL-39): users
// never see one (issue 10 §3).
var internalID = regexp.MustCompile(`\b(S|C|PL)-\d+[a-z]?\b`)

// TestNoInternalIDsReachUsers reads every golden chat transcript, then runs
// every scenario in both languages through every part of its report and
// the full report file, and fails on any source ID in what the user reads.
func TestNoInternalIDsReachUsers(t *testing.T) {
	golden, _ := filepath.Glob(filepath.Join("testdata", "chat", "*.txt"))
	if len(golden) == 0 {
		t.Fatal("no golden transcripts")
	}
	for _, p := range golden {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if m := internalID.Find(b); m != nil {
			t.Errorf("%s shows the internal ID %q", p, m)
		}
	}
	parts := "\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n" // every part of the menu, the full report among them
	scenarios, _ := filepath.Glob(filepath.Join("flows", "testdata", "scenarios", "*.txt"))
	reports, lists := 0, 0
	for _, p := range scenarios {
		name := strings.TrimSuffix(filepath.Base(p), ".txt")
		for _, lang := range []string{"en", "zh-Hans"} {
			dir := t.TempDir()
			out, errs, code := runCLI(t, scenario(t, name)+parts, "chat", "--db", filepath.Join(dir, "r.db"), "--lang", lang, "--today", "2026-11-27")
			if code != 0 {
				t.Fatalf("%s/%s: exit %d: %s", name, lang, code, errs)
			}
			if m := internalID.FindString(out); m != "" {
				i := strings.Index(out, m)
				t.Errorf("%s/%s: the transcript shows the internal ID %q: …%s…", name, lang, m, out[max(0, i-120):i+len(m)])
			}
			if strings.Contains(out, "Sources cited above") || strings.Contains(out, "以上引用的法律依据") {
				lists++
			}
			files, _ := filepath.Glob(filepath.Join(dir, "reports", "*", "*.html")) // reports/<user>/
			reports += len(files)
			for _, f := range files {
				b, _ := os.ReadFile(f)
				if m := internalID.Find(b); m != nil {
					t.Errorf("%s/%s: the report file shows the internal ID %q", name, lang, m)
				}
			}
		}
	}
	if reports < len(scenarios) || lists < len(scenarios) {
		t.Errorf("only %d report files and %d lists of sources read for %d scenarios × 2 languages", reports, lists, len(scenarios))
	}
}

// TestEveryCitationReads renders every citation of the default flow alone,
// in both languages: a name, never an ID; Chinese in Chinese numerals.
func TestEveryCitationReads(t *testing.T) {
	loc, err := newLocalizer("")
	if err != nil {
		t.Fatal(err)
	}
	f, err := flows.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	cites := f.Citations()
	if len(cites) < 100 {
		t.Fatalf("only %d citations in the default flow", len(cites))
	}
	for _, c := range cites {
		for _, lang := range []string{"en", "zh-Hans"} {
			got := loc.cat.Cite(lang, []string{c.Cite})
			if internalID.MatchString(got) || strings.Contains(got, "cite.") {
				t.Errorf("%s (%s) reads %q", c.Cite, lang, got)
			}
			if lang == "zh-Hans" && (strings.ContainsAny(got, "¶") || regexp.MustCompile(`第[0-9]+条`).MatchString(got)) {
				t.Errorf("%s (zh) reads %q: not as Chinese law is cited", c.Cite, got)
			}
		}
	}
}
