package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/redress-legal/redress/flows"
)

var update = flag.Bool("update", false, "rewrite golden files (review the diff; never in CI)")

// runCLI runs the redress command in-process.
func runCLI(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

// rawID finds a message ID that was not turned into text.
var rawID = regexp.MustCompile(`\b(?:cv|q|finding|engine|chat|ui|tg|source|section|outcome|harm|threat|who|crisis)\.[a-z0-9_]+(?:\.[a-z0-9_.]+)?\b`)

func scenario(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("flows", "testdata", "scenarios", name+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestChatTranscripts walks whole cases through `redress chat` on a real
// database, in English and in Chinese, and compares the plain transcript a
// user reads with a golden file.
func TestChatTranscripts(t *testing.T) {
	for _, c := range []struct{ script, lang string }{
		{"t1", "en"}, {"t1", "zh-Hans"}, {"safety", "en"}, {"safety", "zh-Hans"}, {"t7", "en"}, {"t7", "zh-Hans"},
		// issue 9 §3: the audit's defects a conversation can show
		{"criticism_money", "en"}, {"criticism_money", "zh-Hans"}, {"anxiety_only", "en"}, {"anxiety_only", "zh-Hans"},
		{"romance_dispute", "en"}, {"romance_dispute", "zh-Hans"}, {"old_anonymous", "en"}, {"old_anonymous", "zh-Hans"},
		// issue 9 §1: the situations that decide a case, each read by the person it is for
		{"bereaved", "en"}, {"bereaved", "zh-Hans"}, {"minor_perps", "en"}, {"minor_perps", "zh-Hans"},
		{"quarrel", "en"}, {"quarrel", "zh-Hans"}, {"harm_psychiatric", "en"}, {"harm_psychiatric", "zh-Hans"},
		{"harm_anxiety", "en"}, {"harm_anxiety", "zh-Hans"}, {"groups", "en"}, {"groups", "zh-Hans"},
		{"notified", "en"}, {"notified", "zh-Hans"}, {"livestream", "en"}, {"livestream", "zh-Hans"},
		// an adult's intimate images: no minors' law, and no "prosecute it yourself"
		{"intimate_ex", "en"}, {"intimate_ex", "zh-Hans"},
	} {
		t.Run(c.script+"."+c.lang, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "r.db")
			out, errs, code := runCLI(t, scenario(t, c.script), "chat", "--db", db, "--lang", c.lang, "--today", "2026-11-27")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			if m := rawID.FindString(out); m != "" {
				t.Errorf("a message ID reached the user untranslated: %q", m)
			}
			path := filepath.Join("testdata", "chat", c.script+"."+c.lang+".txt")
			if *update {
				os.MkdirAll(filepath.Dir(path), 0o755)
				if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test . -run TestChatTranscripts -update, then review)", err)
			}
			if string(want) != out {
				t.Errorf("transcript differs from %s; run with -update and review the diff", path)
			}
		})
	}
}

// TestEveryScenarioRendersInEveryLanguage: no message of any scripted case
// is missing a translation or shows a raw ID, and each ends cleanly.
func TestEveryScenarioRendersInEveryLanguage(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("flows", "testdata", "scenarios", "*.txt"))
	for _, p := range paths {
		name := strings.TrimSuffix(filepath.Base(p), ".txt")
		for _, lang := range []string{"en", "zh-Hans"} {
			db := filepath.Join(t.TempDir(), "r.db")
			out, errs, code := runCLI(t, scenario(t, name), "chat", "--db", db, "--lang", lang, "--today", "2026-11-27")
			if code != 0 {
				t.Errorf("%s/%s: exit %d: %s", name, lang, code, errs)
			}
			if m := rawID.FindString(out); m != "" {
				t.Errorf("%s/%s: untranslated message ID %q", name, lang, m)
			}
			if lang == "zh-Hans" && strings.Contains(out, "Sources:") {
				t.Errorf("%s/%s: English text in the Chinese transcript", name, lang)
			}
		}
	}
}

// TestChatResumesAfterQuit: quitting half-way and running again continues
// at the same question, on the real SQLite store, in the language chosen.
func TestChatResumesAfterQuit(t *testing.T) {
	db := filepath.Join(t.TempDir(), "r.db")
	lines := strings.Split(scenario(t, "t1"), "\n")
	half := len(lines) / 2
	first := strings.Join(lines[:half], "\n") + "\n/quit\n"
	out1, _, code := runCLI(t, first, "chat", "--db", db, "--lang", "zh-Hans", "--today", "2026-11-27")
	if code != 0 || !strings.Contains(out1, "你的进度已加密保存") {
		t.Fatalf("first half (exit %d):\n%s", code, out1)
	}
	out2, _, code := runCLI(t, strings.Join(lines[half:], "\n"), "chat", "--db", db, "--today", "2026-11-27")
	if code != 0 || !strings.HasPrefix(out2, "欢迎回来") {
		t.Fatalf("second half did not resume in Chinese (exit %d):\n%.500s", code, out2)
	}
	full, _, _ := runCLI(t, scenario(t, "t1"), "chat", "--db", filepath.Join(t.TempDir(), "x.db"), "--lang", "zh-Hans", "--today", "2026-11-27")
	tail := full[strings.LastIndex(full, "\n> "):]
	if !strings.HasSuffix(out2, tail) {
		t.Fatalf("the resumed conversation ends differently from the uninterrupted one")
	}
}

// TestChatScriptAfterAFinishedCase: a scripted case run a second time on
// the same database (the README's example, run twice) is a new case, not
// "your assessment is complete" to every answer; a script of commands still
// reaches the finished assessment.
func TestChatScriptAfterAFinishedCase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "r.db")
	args := []string{"chat", "--db", db, "--lang", "en", "--today", "2026-11-27"}
	first, _, code := runCLI(t, scenario(t, "t1"), args...)
	if code != 0 || !strings.Contains(first, "The short version") {
		t.Fatalf("first run (exit %d):\n%.500s", code, first)
	}
	second, _, code := runCLI(t, scenario(t, "t1"), args...)
	if code != 0 || !strings.HasPrefix(second, "The assessment saved here was finished, so this script starts a new one.") {
		t.Fatalf("second run (exit %d) did not say it starts a new assessment:\n%.500s", code, second)
	}
	if strings.Contains(second, "Your assessment is complete") || !strings.HasSuffix(second, first[strings.Index(first, "\n> "):]) {
		t.Fatalf("second run differs from the first:\n%s", second)
	}
	report, _, code := runCLI(t, "/report\n", args...)
	if code != 0 || strings.Contains(report, "starts a new one") || !strings.Contains(report, "The short version") {
		t.Fatalf("/report after the case (exit %d):\n%.800s", code, report)
	}
}

func TestLintShippedFlowsAndCatalogs(t *testing.T) {
	out, errs, code := runCLI(t, "", "lint")
	if code != 0 {
		t.Fatalf("lint exit %d:\n%s%s", code, out, errs)
	}
}

func TestLintReportsBrokenFilesWithLines(t *testing.T) {
	dir := t.TempDir()
	flowDir, locDir := filepath.Join(dir, "flows"), filepath.Join(dir, "locales")
	os.MkdirAll(flowDir, 0o755)
	os.MkdirAll(locDir, 0o755)
	mini, err := os.ReadFile(filepath.Join("flows", "testdata", "mini.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(mini), "next: reposts", "next: repost", 1)
	os.WriteFile(filepath.Join(flowDir, "mini.yaml"), []byte(broken), 0o644)
	os.WriteFile(filepath.Join(locDir, "a.en.toml"), []byte("[mini.title]\ndescription = \"d\"\nother = \"Hi {{.who}}\"\n"), 0o644)
	os.WriteFile(filepath.Join(locDir, "a.zh-Hans.toml"), []byte("[mini.title]\nother = \"你好\"\n"), 0o644)
	out, errs, code := runCLI(t, "", "lint", "--flows", flowDir, "--locales", locDir)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	for _, want := range []string{
		flowDir + "/mini.yaml:66: the node views: next goes to \"repost\"",
		locDir + "/a.zh-Hans.toml:1: mini.title has no description",
		"the message mini.title uses the placeholder {{.who}}, which is not supplied here",
		"the message mini.intro is not in the English catalog",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lint output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errs, "error(s)") {
		t.Errorf("no summary: %s", errs)
	}
}

// TestLintOneFlowFile: `redress lint my-flow.yaml` checks an adapted copy of
// the flow against the built-in catalogs, in any directory, and names a
// misspelt option key at its line with the question's valid options.
func TestLintOneFlowFile(t *testing.T) {
	orig, err := os.ReadFile(filepath.Join("flows", "defs", "cyberviolence.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "my-flow.yaml")
	os.WriteFile(good, orig, 0o644)
	out, errs, code := runCLI(t, "", "lint", good)
	if code != 0 || out != "" || !strings.HasPrefix(errs, "ok: ") {
		t.Fatalf("an unchanged copy: exit %d\n%s%s", code, out, errs)
	}

	const minor = "q0_who in ['self_minor', 'child']"
	if !strings.Contains(string(orig), minor) {
		t.Fatalf("test is stale: %q not in the default flow", minor)
	}
	typo := strings.Replace(string(orig), minor, "q0_who in ['self_minor', 'chlid']", 1)
	line := strings.Count(typo[:strings.Index(typo, "'chlid'")], "\n") + 1
	bad := filepath.Join(dir, "typo.yaml")
	os.WriteFile(bad, []byte(typo), 0o644)
	// Flags may follow the file.
	out, errs, code = runCLI(t, "", "lint", bad, "--locales", "locales")
	if code != 1 {
		t.Fatalf("exit %d, want 1:\n%s%s", code, out, errs)
	}
	want := fmt.Sprintf(`%s:%d: the fact minor: "chlid" is not an option of q0_who — did you mean "child"? (the question q0_who offers: `, bad, line)
	if !strings.HasPrefix(out, want) || strings.Count(out, "\n") != 1 {
		t.Errorf("want one line starting %q, got:\n%s", want, out)
	}
	if !strings.Contains(errs, "1 error(s)") {
		t.Errorf("summary: %s", errs)
	}

	// One misspelt name in a fact the whole assessment builds on: one line.
	renamed := strings.Replace(string(orig), "  - id: person\n", "  - id: persn\n", 1)
	os.WriteFile(bad, []byte(renamed), 0o644)
	out, _, code = runCLI(t, "", "lint", bad)
	if code != 1 || strings.Count(out, "\n") != 1 || !strings.Contains(out, `unknown name person — did you mean "persn"?`) {
		t.Errorf("a renamed fact: exit %d, want one line naming it:\n%s", code, out)
	}

	_, errs, code = runCLI(t, "", "lint", filepath.Join(dir, "missing.yaml"))
	if code != 1 || !strings.Contains(errs, "1 error(s)") {
		t.Errorf("a missing file: exit %d: %s", code, errs)
	}
}

func TestLintHelpDocumentsFlowFiles(t *testing.T) {
	out, _, code := runCLI(t, "", "lint", "-h")
	if code != 0 || !strings.Contains(out, "redress lint FLOW.yaml") || !strings.Contains(out, "-locales") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

func TestUnknownSubcommand(t *testing.T) {
	_, errs, code := runCLI(t, "", "frobnicate")
	if code != 2 || !strings.Contains(errs, `unknown command "frobnicate"`) {
		t.Fatalf("exit %d: %s", code, errs)
	}
}

// TestChatUnderstandsTypedWords: `redress chat` with the shipped catalogs
// and phrases. Typed distress at a question brings the crisis help and then
// the same question; typed "不知道" / "don't know", an option's own label
// and "1 和 7 和 9" answer as the numbers and "?" would: the case ends with
// the same assessment.
func TestChatUnderstandsTypedWords(t *testing.T) {
	base := scenario(t, "company_rumour")
	for _, c := range []struct{ lang, distress, dontKnow, no string }{
		{"zh-Hans", "我真的撑不下去了", "不知道", "没有"},
		{"en", "I can't go on anymore", "don't know", "No"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			plain, _, code := runCLI(t, base, "chat", "--db", filepath.Join(t.TempDir(), "a.db"), "--lang", c.lang, "--today", "2026-11-27")
			if code != 0 {
				t.Fatalf("exit %d", code)
			}
			typed := strings.Replace(base, "\n?\n", "\n"+c.dontKnow+"\n", 1)
			typed = strings.Replace(typed, "\n1 7 9\n", "\n1 和 7 和 9\n", 1)
			// distress typed at the question after the safety one (who is attacked)
			typed = strings.Replace(typed, "# q0_danger: no\n4\n", c.no+"\n"+c.distress+"\n", 1)
			out, errs, code := runCLI(t, typed, "chat", "--db", filepath.Join(t.TempDir(), "b.db"), "--lang", c.lang, "--today", "2026-11-27")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			after, ok := strings.CutPrefix(out[strings.Index(out, "> "+c.distress):], "> "+c.distress+"\n")
			if !ok || !strings.Contains(after[:strings.Index(after, "\n> ")], "12356") {
				t.Fatalf("typed distress did not bring the crisis help first:\n%s", out)
			}
			tail := func(s string) string { return s[strings.LastIndex(s, "\n> "):] }
			if tail(out)[strings.Index(tail(out), "\n\n"):] != tail(plain)[strings.Index(tail(plain), "\n\n"):] {
				t.Errorf("typed words led to another assessment than numbers and ?:\n%s", out)
			}
			if m := rawID.FindString(out); m != "" {
				t.Errorf("a message ID reached the user untranslated: %q", m)
			}
		})
	}
}

// TestErrorsNameTheLabelShown: an error points to the question's own "I
// don't know" option by its text (it once said 不清楚 where the option
// read 不知道), and says nothing of one where the question offers none.
func TestErrorsNameTheLabelShown(t *testing.T) {
	loc, err := newLocalizer("")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{flows.MsgInvalidNumber, flows.MsgInvalidDate, flows.MsgInvalidChoice, flows.MsgVagueNumber} {
		m := flows.Message{ID: id, Params: map[string]any{"count": int64(3), "min": int64(0), "max": int64(0), "unknown": flows.Label("q.unknown.count")}}
		if got := loc.Text("zh-Hans", m); !strings.Contains(got, "“不知道”") || strings.Contains(got, "不清楚") {
			t.Errorf("%s in Chinese = %q, want it to name “不知道”", id, got)
		}
		if got := loc.Text("en", m); !strings.Contains(got, "“I don't know”") {
			t.Errorf("%s in English = %q", id, got)
		}
		if _, ok := m.Params["unknown"].(flows.Label); !ok {
			t.Errorf("rendering changed the message's parameters")
		}
		delete(m.Params, "unknown")
		if got := loc.Text("zh-Hans", m); strings.Contains(got, "“”") || strings.Contains(got, "选择“") {
			t.Errorf("%s without an \"I don't know\" option = %q", id, got)
		}
	}
}

// TestLintCitationNames: a cited source needs its short name in every
// catalog language, and a citation must be of a form Redress can write
// for readers; lint names each problem at file:line.
func TestLintCitationNames(t *testing.T) {
	dir := t.TempDir()
	locDir := filepath.Join(dir, "locales")
	os.MkdirAll(locDir, 0o755)
	names, _ := filepath.Glob(filepath.Join("locales", "*"))
	for _, n := range names {
		if !strings.HasSuffix(n, ".toml") && !strings.HasSuffix(n, ".txt") {
			continue
		}
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(locDir, filepath.Base(n)), b, 0o644)
	}
	drop := func(file, id string) { // removes message id from a catalog file
		t.Helper()
		p := filepath.Join(locDir, file)
		b, _ := os.ReadFile(p)
		head := `["` + id + `"]` + "\n"
		i := strings.Index(string(b), head)
		if i < 0 {
			t.Fatalf("test is stale: no %s in %s", id, file)
		}
		rest := string(b)[i+len(head):]
		end := strings.Index(rest, "\n\n")
		os.WriteFile(p, []byte(string(b)[:i]+rest[end+2:]), 0o644)
	}
	drop("sources.zh-Hans.toml", "cite.S-11b")
	drop("sources.en.toml", "cite.S-20 (2016)")
	drop("sources.zh-Hans.toml", "cite.S-20 (2016)")

	orig, err := os.ReadFile(filepath.Join("flows", "defs", "cyberviolence.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	const cite = `"S-20 (2016) Art. 21(3)"`
	if !strings.Contains(string(orig), cite) {
		t.Fatalf("test is stale: %s not in the default flow", cite)
	}
	citeLine := strings.Count(string(orig)[:strings.Index(string(orig), cite)], "\n") + 1
	bad := strings.Replace(string(orig), `"S-01 Art. 17"`, `"S-01 Article 17"`, 1)
	badLine := strings.Count(bad[:strings.Index(bad, "S-01 Article 17")], "\n") + 1
	flow := filepath.Join(dir, "my-flow.yaml")
	os.WriteFile(flow, []byte(bad), 0o644)

	out, errs, code := runCLI(t, "", "lint", "--locales", locDir, flow)
	if code != 1 {
		t.Fatalf("exit %d, want 1:\n%s%s", code, out, errs)
	}
	enFile := filepath.Join(locDir, "sources.en.toml")
	for _, want := range []string{
		fmt.Sprintf("%s:%d: the message cite.S-20 (2016) is not in the English catalog", flow, citeLine),
		"the zh-Hans catalog has no translation of cite.S-11b",
		fmt.Sprintf("%s:%d: the citation \"S-01 Article 17\" is not of a form", flow, badLine),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lint output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(out, enFile+":") {
		t.Errorf("the missing translation is not named at a catalog line:\n%s", out)
	}
}
