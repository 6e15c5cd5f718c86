// Package depcheck lets each package's tests enforce the dependency table of
// the design (README.md, "Design notes"): which project packages it may import.
package depcheck

import (
	"os/exec"
	"strings"
	"testing"
)

// Module is the project's module path.
const Module = "github.com/redress-legal/redress"

// Allow fails t if pkg (a path below the module, e.g. "flows") depends,
// directly or not, on a project package not listed in allowed, or on any
// external module path that starts with one of forbidden.
func Allow(t *testing.T, pkg string, allowed []string, forbidden ...string) {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", Module+"/"+pkg).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	ok := map[string]bool{Module + "/" + pkg: true}
	for _, a := range allowed {
		ok[Module+"/"+a] = true
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, Module) && !ok[dep] {
			t.Errorf("%s must not depend on %s (see the dependency table in the design)", pkg, dep)
		}
		for _, f := range forbidden {
			if strings.HasPrefix(dep, f) {
				t.Errorf("%s must not depend on %s", pkg, dep)
			}
		}
	}
}
