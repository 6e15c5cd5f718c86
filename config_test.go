package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redress-legal/redress/data"
)

// writeFile writes a file in dir and returns its path.
func writeFile(t *testing.T, dir, name, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	return p
}

// effective runs `redress config check` and returns the value line of
// each setting ("workers = 3  # env REDRESS_WORKERS" → "3  # env REDRESS_WORKERS").
func effective(t *testing.T, args ...string) (map[string]string, string, int) {
	t.Helper()
	out, errs, code := runCLI(t, "", append([]string{"config", "check"}, args...)...)
	vals := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(l, " = "); ok && !strings.HasPrefix(l, "#") {
			vals[k] = strings.Join(strings.Fields(v), " ")
		}
	}
	return vals, errs, code
}

// TestConfigPrecedence: one precedence for every setting — a flag beats
// the environment, which beats the config file, which beats the default —
// and config check says where each value came from.
func TestConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TELEGRAM_BOT_TOKEN", "1:token")
	cfg := writeFile(t, dir, "redress.toml", `# Redress
workers = 3
retention = "30d"
log-level = "warn"
org-name = "Legal Aid Volunteers"
org-contact = ["0755-1234", "https://help.example.org"]
`, 0o600)
	for _, c := range []struct {
		name    string
		env     map[string]string
		args    []string
		setting string
		want    string // value and source, as printed
	}{
		{"default", nil, nil, "listen", `"127.0.0.1:8443" # default`},
		{"file over default", nil, nil, "workers", "3 # " + cfg + ":2"},
		{"env over file", map[string]string{"REDRESS_WORKERS": "5"}, nil, "workers", "5 # env REDRESS_WORKERS"},
		{"flag over env and file", map[string]string{"REDRESS_WORKERS": "5"}, []string{"--workers", "7"}, "workers", "7 # flag"},
		{"env over default", map[string]string{"REDRESS_LISTEN": "127.0.0.1:9000"}, nil, "listen", `"127.0.0.1:9000" # env REDRESS_LISTEN`},
		{"a list from the file", nil, nil, "org-contact", `["0755-1234", "https://help.example.org"] # ` + cfg + ":6"},
		{"a list from lines of a variable", map[string]string{"REDRESS_ORG_CONTACT": "110\n12348"}, nil, "org-contact", `["110", "12348"] # env REDRESS_ORG_CONTACT`},
		{"a repeated flag", map[string]string{"REDRESS_ORG_CONTACT": "110"}, []string{"--org-contact", "A", "--org-contact", "B"}, "org-contact", `["A", "B"] # flag`},
		{"REDRESS_DB, as before", map[string]string{"REDRESS_DB": filepath.Join(dir, "env.db")}, nil, "db", `"` + filepath.Join(dir, "env.db") + `" # env REDRESS_DB`},
		{"the file from REDRESS_CONFIG", map[string]string{"REDRESS_CONFIG": cfg}, []string{"--config", ""}, "retention", `"30d" # ` + cfg + ":3"},
	} {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			args := append([]string{"--config", cfg, "--db", filepath.Join(dir, "r.db")}, c.args...)
			if c.setting == "db" {
				args = append([]string{"--config", cfg}, c.args...)
			}
			vals, errs, code := effective(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			if got := vals[c.setting]; got != c.want {
				t.Errorf("%s = %s, want %s", c.setting, got, c.want)
			}
		})
	}
}

// TestConfigProblemsAllAtOnce: every problem of the flags, the
// environment and the file is reported in one run, one line each, the
// file's with their line and the others with where the value came from;
// serve refuses to start with the same lines (exit 2), config check exits 1.
func TestConfigProblemsAllAtOnce(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TELEGRAM_BOT_TOKEN", "")
	t.Setenv("TELEGRAM_WEBHOOK_SECRET", "")
	t.Setenv("REDRESS_LOG_FORMAT", "xml")
	cfg := writeFile(t, dir, "bad.toml", `workers = "many"
retention = "90x"
wokers = 2

[admin]
listen = ":9464"
`, 0o600)
	want := []string{
		cfg + `:3: unknown setting "wokers" (did you mean "workers"?)`,
		cfg + ":5: [admin]: sections are not used",
		cfg + `:1: workers: "many" is not a whole number`,
		`--log-format "xml": use text or json (set by env REDRESS_LOG_FORMAT)`,
		`--retention "90x" is neither days (90d) nor a duration (720h) (set by ` + cfg + ":2)",
		"--admin-listen",
		"no bot token",
	}
	args := []string{"--config", cfg, "--db", filepath.Join(dir, "r.db"), "--admin-listen", "nowhere"}
	_, errs, code := runCLI(t, "", append([]string{"config", "check"}, args...)...)
	if code != 1 {
		t.Errorf("config check: exit %d, want 1", code)
	}
	check := func(cmd, errs string) {
		lines := strings.Split(strings.TrimRight(errs, "\n"), "\n")
		if len(lines) != len(want) {
			t.Errorf("%s: %d lines, want %d:\n%s", cmd, len(lines), len(want), errs)
		}
		for _, w := range want {
			found := false
			for _, l := range lines {
				found = found || (strings.HasPrefix(l, "redress "+cmd+": ") && strings.Contains(l, w))
			}
			if !found {
				t.Errorf("%s: no line says %q:\n%s", cmd, w, errs)
			}
		}
	}
	check("config check", errs)
	out, errs, code := runCLI(t, "", append([]string{"serve"}, args...)...)
	if code != 2 || out != "" {
		t.Errorf("serve: exit %d, stdout %q; want 2 and nothing", code, out)
	}
	check("serve", errs)
}

// TestConfigCheckRedactsSecrets: the token, the webhook secret and the key
// are said to be set and where from, never shown, whichever way they came.
func TestConfigCheckRedactsSecrets(t *testing.T) {
	dir := t.TempDir()
	const token, secret, flagSecret = "987654:SECRET-TOKEN-abc", "WEBHOOK-SECRET-xyz", "INLINE-SECRET-42"
	key := "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	tokenFile := writeFile(t, dir, "token", token+"\n", 0o600)
	t.Setenv("TELEGRAM_WEBHOOK_SECRET", secret)
	t.Setenv("REDRESS_KEY", key)
	t.Setenv("TELEGRAM_BOT_TOKEN", "")
	for _, args := range [][]string{
		{"--token-file", tokenFile},
		{"--token-file", tokenFile, "--webhook-secret", flagSecret},
	} {
		out, errs, code := runCLI(t, "", append([]string{"config", "check", "--db", filepath.Join(dir, "r.db")}, args...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		for _, s := range []string{token, secret, flagSecret, key} {
			if strings.Contains(out+errs, s) {
				t.Errorf("config check printed a secret (%.8s…):\n%s", s, out)
			}
		}
		for _, w := range []string{"# bot token: set, from file " + tokenFile, "# webhook secret: set, from", "# encryption key: $REDRESS_KEY"} {
			if !strings.Contains(out, w) {
				t.Errorf("config check does not say %q:\n%s", w, out)
			}
		}
		if len(args) > 2 && !strings.Contains(out, `webhook-secret = "(redacted)"`) {
			t.Errorf("the inline secret is not marked redacted:\n%s", out)
		}
	}
}

// TestCredentialsDirectory: under systemd with LoadCredential=, the token
// and the key are read from $CREDENTIALS_DIRECTORY without a flag.
func TestCredentialsDirectory(t *testing.T) {
	dir := t.TempDir()
	creds := t.TempDir()
	writeFile(t, creds, "token", "1:from-credential\n", 0o400)
	key, err := data.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, creds, "key", string(key), 0o400)
	t.Setenv("CREDENTIALS_DIRECTORY", creds)
	t.Setenv("TELEGRAM_BOT_TOKEN", "")
	t.Setenv("REDRESS_KEY", "")
	out, errs, code := runCLI(t, "", "config", "check", "--db", filepath.Join(dir, "r.db"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, w := range []string{"# bot token: set, from file " + filepath.Join(creds, "token"), "# encryption key: file " + filepath.Join(creds, "key")} {
		if !strings.Contains(out, w) {
			t.Errorf("config check does not say %q:\n%s", w, out)
		}
	}
}

// TestOrganisationLines: the operator's organisation is shown after the
// summary's help line and first under "Who can help", in the user's
// language, with its contact lines and hours as the operator wrote them;
// without the settings, nothing changes.
func TestOrganisationLines(t *testing.T) {
	in := scenario(t, "t1") + "7\n"
	org := []string{"--org-name", "Shenzhen Legal Aid Volunteers", "--org-contact", "0755-8888 1234", "--org-contact", "https://help.example.org", "--org-hours", "Mon-Fri 9:00-18:00"}
	for _, c := range []struct {
		lang string
		want []string
	}{
		{"en", []string{
			"Free legal help: call 12348. This is legal information, not legal advice.\n\nYou can also contact Shenzhen Legal Aid Volunteers, who run this service: 0755-8888 1234 / https://help.example.org (Mon-Fri 9:00-18:00)\n",
			"== Who can help ==\n\n• Shenzhen Legal Aid Volunteers, who run this service: 0755-8888 1234 / https://help.example.org\n\n• Office hours: Mon-Fri 9:00-18:00\n",
		}},
		{"zh-Hans", []string{
			"你也可以联系本服务的运营方Shenzhen Legal Aid Volunteers：0755-8888 1234 / https://help.example.org（Mon-Fri 9:00-18:00）",
			"• Shenzhen Legal Aid Volunteers（本服务的运营方）：0755-8888 1234 / https://help.example.org\n\n• 服务时间：Mon-Fri 9:00-18:00",
		}},
	} {
		db := filepath.Join(t.TempDir(), "r.db")
		out, errs, code := runCLI(t, in, append([]string{"chat", "--db", db, "--lang", c.lang, "--today", "2026-11-27"}, org...)...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.lang, code, errs)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: the transcript lacks %q", c.lang, w)
			}
		}
		plain, _, _ := runCLI(t, in, "chat", "--db", filepath.Join(t.TempDir(), "r.db"), "--lang", c.lang, "--today", "2026-11-27")
		if strings.Contains(plain, "0755") || strings.Contains(plain, "运营方") || strings.Contains(plain, "who run this service") {
			t.Errorf("%s: organisation lines without any configured", c.lang)
		}
	}
	_, errs, code := runCLI(t, "", "chat", "--db", filepath.Join(t.TempDir(), "r.db"), "--org-name", "X")
	if code != 2 || !strings.Contains(errs, "--org-contact") {
		t.Errorf("--org-name alone: exit %d, %q; want 2 asking for a contact line", code, errs)
	}
}

// TestBackupAndRestore: `redress backup` copies a database another
// process has open, says where the key is, refuses to overwrite a file;
// the copy, put back as the database beside its key, continues the
// conversation where it was.
func TestBackupAndRestore(t *testing.T) {
	t.Setenv("REDRESS_KEY", "")
	dir := t.TempDir()
	db := filepath.Join(dir, "redress.db")
	if _, errs, code := runCLI(t, "1\n", "chat", "--db", db, "--lang", "en"); code != 0 {
		t.Fatalf("chat: %s", errs)
	}
	// Keep the database open, as a running serve would.
	key, err := data.ReadKeyFile(filepath.Join(dir, "redress.key"))
	if err != nil {
		t.Fatal(err)
	}
	open, err := data.Open(context.Background(), db, data.WithKey(key))
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	dest := filepath.Join(t.TempDir(), "copy.db")
	out, errs, code := runCLI(t, "", "backup", "--db", db, dest)
	if code != 0 {
		t.Fatalf("backup: exit %d: %s", code, errs)
	}
	for _, w := range []string{"backup written: " + dest, "1 conversations", "its key is NOT in it: file " + filepath.Join(dir, "redress.key"), "cannot be read"} {
		if !strings.Contains(out, w) {
			t.Errorf("backup output lacks %q:\n%s", w, out)
		}
	}
	if _, errs, code := runCLI(t, "", "backup", "--db", db, dest); code == 0 || !strings.Contains(errs, "exists") {
		t.Errorf("a second backup over the first: exit %d, %q; want a refusal", code, errs)
	}
	// The config file of serve names the database for backup too.
	cfg := writeFile(t, dir, "redress.toml", "db = \""+db+"\"\norg-name = \"X\"\nadmin-listen = \"9464\"\n", 0o600)
	if out, errs, code := runCLI(t, "", "backup", "--config", cfg, dest+"2"); code != 0 || !strings.Contains(out, "1 conversations") {
		t.Errorf("backup --config: exit %d, %s %s", code, out, errs)
	}
	if _, errs, code := runCLI(t, "", "backup", "--db="+db); code != 2 || !strings.Contains(errs, "FILE") {
		t.Errorf("backup without FILE: exit %d, %q", code, errs)
	}
	// Restore elsewhere: the copy as the database, the key beside it.
	restore := t.TempDir()
	b, err := os.ReadFile(dest)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, restore, "redress.db", string(b), 0o600)
	writeFile(t, restore, "redress.key", string(key), 0o600)
	orig, _, _ := runCLI(t, "/quit\n", "chat", "--db", db, "--lang", "en")
	out, errs, code = runCLI(t, "/quit\n", "chat", "--db", filepath.Join(restore, "redress.db"), "--lang", "en")
	if code != 0 || out != orig || !strings.Contains(out, "continue where you left off") {
		t.Errorf("the restored conversation does not continue where it was: exit %d %s\n%s\nwant:\n%s", code, errs, out, orig)
	}
}

// TestKeySourcePrecedence: the key, like every setting, comes from the flag
// first (--key-file), then the environment ($REDRESS_KEY), then the
// credential, then the file beside the database; a key file named but
// missing is a problem, never silently replaced by a new key.
func TestKeySourcePrecedence(t *testing.T) {
	dir := t.TempDir()
	creds := t.TempDir()
	key, err := data.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	keyFile := writeFile(t, dir, "mine.key", string(key), 0o600)
	writeFile(t, creds, "key", string(key), 0o400)
	t.Setenv("TELEGRAM_BOT_TOKEN", "1:token")
	db := filepath.Join(dir, "r.db")
	for _, c := range []struct {
		name, env, creds string
		args             []string
		want             string
	}{
		{"beside the database", "", "", nil, "# encryption key: file " + filepath.Join(dir, "r.key")},
		{"the credential", "", creds, nil, "# encryption key: file " + filepath.Join(creds, "key")},
		{"the environment over the credential", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", creds, nil, "# encryption key: $REDRESS_KEY"},
		{"the flag over the environment", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", creds, []string{"--key-file", keyFile}, "# encryption key: file " + keyFile},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("REDRESS_KEY", c.env)
			t.Setenv("CREDENTIALS_DIRECTORY", c.creds)
			out, errs, code := runCLI(t, "", append([]string{"config", "check", "--db", db}, c.args...)...)
			if code != 0 || !strings.Contains(out, c.want) {
				t.Errorf("exit %d %s; want %q in:\n%s", code, errs, c.want, out)
			}
		})
	}
	t.Setenv("REDRESS_KEY", "")
	t.Setenv("CREDENTIALS_DIRECTORY", "")
	_, errs, code := runCLI(t, "", "config", "check", "--db", db, "--key-file", filepath.Join(dir, "missing.key"))
	if code != 1 || !strings.Contains(errs, "missing.key") {
		t.Errorf("a missing --key-file: exit %d, %q; want a problem naming it", code, errs)
	}
}
