package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUsageErrorsArePrinted: every mistake in how a command is called exits
// 2 with one line on stderr that names the command, says what is wrong and
// how to fix it — never silently (issue 8: serve with no token, a bad
// --log-level or a bad --retention printed nothing).
func TestUsageErrorsArePrinted(t *testing.T) {
	t.Setenv("TELEGRAM_BOT_TOKEN", "")
	t.Setenv("TELEGRAM_WEBHOOK_SECRET", "")
	dir := t.TempDir()
	db := filepath.Join(dir, "r.db")
	empty := filepath.Join(dir, "empty-token")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want []string // all must appear in the one line
	}{
		{[]string{"serve", "--db", db}, []string{"redress serve: no bot token", "TELEGRAM_BOT_TOKEN", "--token-file"}},
		{[]string{"serve", "--db", db, "--token-file", empty}, []string{"redress serve: --token-file", "is empty"}},
		{[]string{"serve", "--db", db, "--token-file", filepath.Join(dir, "missing")}, []string{"redress serve: --token-file", "readable file"}},
		{[]string{"serve", "--db", db, "--log-level", "loud"}, []string{`redress serve: --log-level "loud"`, "debug, info, warn or error"}},
		{[]string{"serve", "--db", db, "--retention", "90x"}, []string{`redress serve: --retention "90x"`, "90d", "720h"}},
		{[]string{"serve", "--db", db, "--retention", "0d"}, []string{`redress serve: --retention "0d" must be positive`}},
		{[]string{"serve", "--db", db, "--workers", "0"}, []string{"redress serve: --workers 0"}},
		{[]string{"serve", "--db", db, "--lock-wait", "-1s"}, []string{"redress serve: --lock-wait"}},
		{[]string{"serve", "--db", db, "--webhook-secret", "a", "--webhook-secret-file", empty}, []string{"redress serve: --webhook-secret and --webhook-secret-file", "use one"}},
		{[]string{"serve", "--db", db, "--admin-ids", "42,@ana"}, []string{`redress serve: --admin-ids "@ana" is not a Telegram user ID`}},
		{[]string{"serve", "--db", db, "--handoff-chat", "12345"}, []string{"redress serve: --handoff-chat 12345", "negative"}},
		{[]string{"stats", "--db", filepath.Join(dir, "missing.db")}, []string{"redress stats: --db"}},
		{[]string{"stats", "--weeks", "-1"}, []string{"redress stats: --weeks -1"}},
		{[]string{"serve", "--bogus"}, []string{"redress serve: flag provided but not defined: -bogus", "redress serve -h"}},
		{[]string{"serve", "--workers", "many"}, []string{"redress serve: invalid value", "redress serve -h"}},
		{[]string{"serve", "now"}, []string{`redress serve: unexpected argument "now"`, "redress serve -h"}},
		{[]string{"chat", "--db", db, "--retention", "90x"}, []string{`redress chat: --retention "90x"`}},
		{[]string{"chat", "--db", db, "--today", "2026/12/01"}, []string{`redress chat: --today "2026/12/01"`, "YYYY-MM-DD"}},
		{[]string{"chat", "--nope"}, []string{"redress chat: flag provided but not defined: -nope", "redress chat -h"}},
		{[]string{"chat", "extra"}, []string{`redress chat: unexpected argument "extra"`}},
		{[]string{"lint", "--bogus"}, []string{"redress lint: flag provided but not defined: -bogus", "redress lint -h"}},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			if !strings.Contains(strings.Join(c.want, " "), "token") {
				// Every problem is reported at once: give the token, so the
				// one line is the problem of the case.
				t.Setenv("TELEGRAM_BOT_TOKEN", "1:token")
			}
			out, errs, code := runCLI(t, "", c.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
			lines := strings.Split(strings.TrimRight(errs, "\n"), "\n")
			if len(lines) != 1 || lines[0] == "" {
				t.Fatalf("stderr %q, want exactly one line", errs)
			}
			for _, w := range c.want {
				if !strings.Contains(lines[0], w) {
					t.Errorf("stderr %q does not say %q", lines[0], w)
				}
			}
		})
	}
}

// TestRetentionInDaysInBothCommands: chat accepts the same retention forms
// as serve (90d, 720h).
func TestRetentionInDaysInBothCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "r.db")
	for _, r := range []string{"90d", "720h"} {
		if _, errs, code := runCLI(t, "/quit\n", "chat", "--db", db, "--retention", r, "--lang", "en"); code != 0 {
			t.Errorf("chat --retention %s: exit %d: %s", r, code, errs)
		}
	}
}

// TestHelpGoesToStdout: -h prints the command's flags and exits 0.
func TestHelpGoesToStdout(t *testing.T) {
	for _, cmd := range []string{"serve", "chat", "lint", "stats"} {
		out, errs, code := runCLI(t, "", cmd, "-h")
		if code != 0 || errs != "" {
			t.Errorf("%s -h: exit %d, stderr %q", cmd, code, errs)
		}
		if !strings.Contains(out, "-db") && !strings.Contains(out, "-locales") {
			t.Errorf("%s -h printed %q, want its flags", cmd, out)
		}
	}
}

// TestDeleteErasesReportFiles: the full report is the user's answers in a
// plain file; /delete erases it with the session, and other local users'
// reports stay.
func TestDeleteErasesReportFiles(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "r.db")
	b, err := os.ReadFile(filepath.Join("flows", "testdata", "scenarios", "t1.txt"))
	if err != nil {
		t.Fatal(err)
	}
	report := func(user string) string {
		out, errs, code := runCLI(t, string(b)+"\n9\n", "chat", "--db", db, "--user", user, "--lang", "en", "--today", "2026-11-27")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		path := filepath.Join(dir, "reports", user, "redress-report-2026-11-27.html")
		if !strings.Contains(out, path) {
			t.Fatalf("the report of %s was not written to %s", user, path)
		}
		return path
	}
	mine, theirs := report("ana"), report("bo")
	out, _, code := runCLI(t, "/privacy\n/delete\n1\n", "chat", "--db", db, "--user", "ana", "--lang", "en")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out, filepath.Join(dir, "reports", "ana")) {
		t.Errorf("/privacy does not say where the report files are:\n%s", out)
	}
	if _, err := os.Stat(mine); !os.IsNotExist(err) {
		t.Errorf("after /delete the report file is still there (%v)", err)
	}
	if _, err := os.Stat(theirs); err != nil {
		t.Errorf("another user's report is gone: %v", err)
	}
}
