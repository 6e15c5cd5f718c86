package data_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies enforces design §1: data imports no project package but
// flows, and nothing of Telegram or the message catalogs.
func TestDependencies(t *testing.T) {
	const module = "github.com/redress-legal/redress"
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", module+"/data").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	pkgs := strings.Fields(string(out))
	sawSQLite := false
	for _, p := range pkgs {
		switch {
		case p == module+"/data" || p == module+"/flows":
		case p == module || strings.HasPrefix(p, module+"/"):
			t.Errorf("data depends on %s; design §1 allows only flows", p)
		case strings.Contains(p, "go-telegram") || strings.Contains(p, "go-i18n"):
			t.Errorf("data depends on %s", p)
		case p == "github.com/mattn/go-sqlite3":
			sawSQLite = true
		}
	}
	if !sawSQLite {
		t.Errorf("go list -deps did not list github.com/mattn/go-sqlite3: is the check looking at the right package?\n%s", out)
	}
}
