package flowstest_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies enforces design §1: flowstest imports no project package
// but flows (transports' store interfaces are matched structurally).
func TestDependencies(t *testing.T) {
	const module = "github.com/redress-legal/redress"
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", module+"/flows/flowstest").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		switch {
		case p == module+"/flows" || p == module+"/flows/flowstest":
		case p == module || strings.HasPrefix(p, module+"/"):
			t.Errorf("flowstest depends on %s; it may import only flows", p)
		case strings.Contains(p, "go-telegram") || strings.Contains(p, "sqlite") || strings.Contains(p, "go-i18n"):
			t.Errorf("flowstest depends on %s", p)
		}
	}
}
