package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSystemdUnitVerifies runs `systemd-analyze verify` on the shipped
// unit (deploy/redress.service), with ExecStart pointed at an executable
// that exists here: any complaint about the unit — an unknown key, a bad
// value, a missing command — fails the test, not only a non-zero exit.
func TestSystemdUnitVerifies(t *testing.T) {
	tool, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed here (a system without systemd): the unit is checked where it is")
	}
	unit, err := os.ReadFile(filepath.Join("deploy", "redress.service"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(unit), "ExecStart=/usr/local/bin/redress serve") {
		t.Fatal("the unit no longer starts /usr/local/bin/redress serve: update this test and docs/operating.md")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "redress.service")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(unit), "/usr/local/bin/redress", self)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "verify", path).CombinedOutput()
	var ours []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, "redress.service") {
			ours = append(ours, l)
		}
	}
	if err != nil || len(ours) > 0 {
		t.Errorf("systemd-analyze verify deploy/redress.service: %v\n%s", err, strings.Join(ours, "\n"))
	}
}

// TestShippedConfigChecks: the example config file is valid as shipped,
// and sets the database the unit's StateDirectory gives.
func TestShippedConfigChecks(t *testing.T) {
	t.Setenv("TELEGRAM_BOT_TOKEN", "1:token")
	t.Setenv("REDRESS_DB", "")
	out, errs, code := runCLI(t, "", "config", "check", "--config", filepath.Join("deploy", "redress.toml"), "--db", filepath.Join(t.TempDir(), "r.db"))
	if code != 0 {
		t.Fatalf("config check of deploy/redress.toml: exit %d\n%s", code, errs)
	}
	b, err := os.ReadFile(filepath.Join("deploy", "redress.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `db = "/var/lib/redress/redress.db"`) || !strings.Contains(out, `admin-listen = "9464"`) {
		t.Errorf("deploy/redress.toml: want db in /var/lib/redress (StateDirectory=redress) and the admin listener on:\n%s", out)
	}
}

// TestOperatingDocsShowTheShippedFiles: docs/operating.md (and its Chinese
// version) show deploy/redress.service and deploy/redress.toml as shipped,
// so following the docs installs what the tests check.
func TestOperatingDocsShowTheShippedFiles(t *testing.T) {
	for _, doc := range []string{"operating.md", "operating.zh-Hans.md"} {
		b, err := os.ReadFile(filepath.Join("docs", doc))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"redress.service", "redress.toml"} {
			want, err := os.ReadFile(filepath.Join("deploy", f))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), string(want)) {
				t.Errorf("docs/%s does not show deploy/%s as shipped: copy it in again", doc, f)
			}
		}
	}
}
