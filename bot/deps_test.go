package bot_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies enforces design §1: bot imports no project package but
// flows (never data, never SQLite, never the catalogs), and the fake Bot API
// imports no project package at all.
func TestDependencies(t *testing.T) {
	const module = "github.com/redress-legal/redress"
	for pkg, allowed := range map[string][]string{
		module + "/bot":              {module + "/bot", module + "/flows"},
		module + "/bot/telegramtest": {module + "/bot/telegramtest"},
	} {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list: %v\n%s", err, out)
		}
		sawSelf := false
		for _, p := range strings.Fields(string(out)) {
			switch {
			case p == pkg:
				sawSelf = true
			case p == module || strings.HasPrefix(p, module+"/"):
				if !contains(allowed, p) {
					t.Errorf("%s depends on %s; design §1 allows only %v", pkg, p, allowed)
				}
			case strings.Contains(p, "sqlite") || strings.Contains(p, "go-i18n"):
				t.Errorf("%s depends on %s", pkg, p)
			}
		}
		if !sawSelf {
			t.Errorf("go list -deps %s did not list the package itself:\n%s", pkg, out)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
