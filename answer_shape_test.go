package main

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/redress-legal/redress/chat"
	"github.com/redress-legal/redress/flows"
	"github.com/redress-legal/redress/flows/flowstest"
)

// The limits of issue 10 §1 on what a user reads after the last answer.
var answerLimits = map[string]struct{ all, summary int }{
	"en":      {2000, 1200},
	"zh-Hans": {900, 500},
}

// afterLastAnswer returns what a plain chat transcript shows after the
// last echoed input, and the summary alone (before the report menu).
func afterLastAnswer(t *testing.T, out, menuQuestion string) (all, summary string) {
	t.Helper()
	i := strings.LastIndex(out, "\n> ")
	if i < 0 {
		t.Fatal("no input in the transcript")
	}
	rest := out[i+1:]
	rest = strings.TrimSpace(rest[strings.Index(rest, "\n")+1:])
	summary = rest
	if j := strings.Index(rest, menuQuestion); j >= 0 {
		summary = strings.TrimSpace(rest[:j])
	}
	return rest, summary
}

// TestAnswerFitsOnAPhone runs every golden scenario, and a sample of random
// walks, through the terminal chat in both languages and checks the text
// after the last answer (summary and menu) and the summary alone against
// the limits; and that no finding is too long for one Telegram page.
func TestAnswerFitsOnAPhone(t *testing.T) {
	f, loc := e2eFlow(t)
	names, _ := filepath.Glob(filepath.Join("flows", "testdata", "scenarios", "*.txt"))
	if len(names) == 0 {
		t.Fatal("no scenarios")
	}
	run := func(t *testing.T, lang, input string) string {
		var out bytes.Buffer
		err := chat.Run(context.Background(), chat.Config{
			Flow: f, Store: flowstest.NewMemStore(), Loc: loc, Key: "local:t", Lang: lang,
			In: strings.NewReader(input), Out: &out, Script: true, ReportDir: t.TempDir(),
			Now: func() time.Time { return time.Date(2026, 11, 27, 10, 0, 0, 0, flows.China) },
		})
		if err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	check := func(t *testing.T, lang, name, out string) {
		t.Helper()
		menu := loc.Text(lang, flows.Message{ID: "cmd.report.menu"})
		all, summary := afterLastAnswer(t, out, menu)
		lim := answerLimits[lang]
		if n := utf8.RuneCountInString(all); n > lim.all {
			t.Errorf("%s (%s): %d characters after the last answer, limit %d:\n%s", name, lang, n, lim.all, all)
		}
		if n := utf8.RuneCountInString(summary); n > lim.summary {
			t.Errorf("%s (%s): the summary has %d characters, limit %d:\n%s", name, lang, n, lim.summary, summary)
		}
	}
	for _, lang := range []string{"en", "zh-Hans"} {
		for _, path := range names {
			name := strings.TrimSuffix(filepath.Base(path), ".txt")
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			check(t, lang, name, run(t, lang, string(b)))
		}
		// Random walks: random answers until an outcome, typed as numbers.
		rnd := rand.New(rand.NewPCG(10, 10))
		for w := 0; w < 40; w++ {
			st, r := flows.Step(f, flows.State{}, flows.Input{Kind: flows.InStart, Now: time.Date(2026, 11, 27, 10, 0, 0, 0, flows.China)})
			var lines []string
			for steps := 0; r.Question != nil && steps < 200; steps++ {
				line := randomAnswer(rnd, r.Question)
				lines = append(lines, line)
				st, r = flows.Step(f, st, flows.Input{Kind: flows.InText, Text: line, Now: time.Date(2026, 11, 27, 10, 0, 0, 0, flows.China)})
				if line == "?" {
					st, r = flows.Step(f, st, flows.Input{Kind: flows.InUnknown, Now: time.Date(2026, 11, 27, 10, 0, 0, 0, flows.China)})
				}
			}
			if !st.Done {
				continue
			}
			_ = r
			check(t, lang, "random walk "+strings.Join(lines, "|"), run(t, lang, strings.Join(lines, "\n")))
		}
	}
	// No single finding is longer than a page of a part on Telegram.
	for _, lang := range []string{"en", "zh-Hans"} {
		for _, s := range f.Sections {
			for _, fd := range s.Findings {
				if n := utf8.RuneCountInString(loc.Text(lang, flows.Message{ID: fd.Msg.ID, Cite: fd.Msg.Cite})); n > 2500 {
					t.Errorf("finding %s (%s) is %d characters: too long for a page", fd.ID, lang, n)
				}
			}
		}
	}
}

// randomAnswer types a random answer to q.
func randomAnswer(rnd *rand.Rand, q *flows.Question) string {
	if q.Unknown != "" && rnd.IntN(5) == 0 {
		return "?"
	}
	switch q.Type {
	case flows.Choice:
		return strings.TrimSpace(string(rune('0'+1+rnd.IntN(min(len(q.Choices), 9)))) + "")
	case flows.Multi:
		n := 1 + rnd.IntN(min(len(q.Choices), 9))
		return strings.TrimSpace(string(rune('0' + n)))
	case flows.Number:
		return []string{"0", "300", "4999", "5000", "12000", "600", "80000"}[rnd.IntN(7)]
	case flows.Date:
		return []string{"2026-11-20", "2026-06-01", "2025-01-10", "2021-03-01"}[rnd.IntN(4)]
	case flows.Period:
		return []string{"2026-11-20", "2026-06-01 to 2026-11-20", "2025-01-10 到 2025-03-01", "since 2021-03-01"}[rnd.IntN(4)]
	}
	return "something happened online and it hurt me"
}

// TestReportFileSelfContained writes T1's full report in Chinese through
// the terminal chat and checks the file: UTF-8 HTML with the Chinese text
// intact, and no resource outside it (no script, image, font, stylesheet
// or link to fetch).
func TestReportFileSelfContained(t *testing.T) {
	f, loc := e2eFlow(t)
	b, err := os.ReadFile(filepath.Join("flows", "testdata", "scenarios", "t1.txt"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var out bytes.Buffer
	if err := chat.Run(context.Background(), chat.Config{
		Flow: f, Store: flowstest.NewMemStore(), Loc: loc, Key: "local:t", Lang: "zh-Hans",
		In: strings.NewReader(string(b) + "\n9\n"), Out: &out, Script: true, ReportDir: dir,
		Now: func() time.Time { return time.Date(2026, 11, 27, 10, 0, 0, 0, flows.China) },
	}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "redress-report-2026-11-27.html")
	if !strings.Contains(out.String(), path) {
		t.Fatalf("the chat does not print the report's path %s:\n%s", path, out.String()[max(0, out.Len()-600):])
	}
	html, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(html)
	if !utf8.ValidString(doc) || !strings.Contains(doc, `<meta charset="utf-8">`) {
		t.Error("the report is not declared and written as UTF-8")
	}
	for _, want := range []string{"可能构成诽谤罪", "该帖浏览量为12,000次", "向公安机关报案", "谁能帮你"} {
		if !strings.Contains(doc, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	low := strings.ToLower(doc)
	for _, bad := range []string{"<script", "<img", "<link", "<iframe", "@import", "url(", "src=", `href="http`, `href="//`} {
		if strings.Contains(low, bad) {
			t.Errorf("the report refers to something outside it: %q", bad)
		}
	}
}
