// Package docxtext reads the text of .docx files with a real consumer, for
// tests: mammoth (the npm package, run by node), which .ci/run installs.
// A test that needs it fails in CI (CI=true) when it is missing, and is
// skipped with a note elsewhere.
package docxtext

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// Version is the mammoth release .ci/run installs.
const Version = "1.13.0"

// Dir returns the directory whose node_modules holds mammoth:
// $REDRESS_MAMMOTH_DIR, else the cache folder .ci/run installs it into
// ($XDG_CACHE_HOME or ~/.cache, then redress/node).
func Dir() string {
	if d := os.Getenv("REDRESS_MAMMOTH_DIR"); d != "" {
		return d
	}
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "redress", "node")
}

// script prints, as one JSON object, the raw text of each .docx file named
// by its arguments (after mammoth's directory).
const script = `const m = require(process.argv[1] + '/node_modules/mammoth');
(async () => {
  const out = {};
  for (const p of process.argv.slice(2)) {
    const r = await m.extractRawText({path: p});
    out[p] = r.value;
  }
  process.stdout.write(JSON.stringify(out));
})().catch(e => { console.error(String(e)); process.exit(1); });`

// Read converts .docx files (by name) to their text with mammoth, in one
// run of node; it fails t when mammoth cannot read one, and skips t (or,
// in CI, fails it) when mammoth is not installed.
func Read(t testing.TB, docs map[string][]byte) map[string]string {
	t.Helper()
	dir := Dir()
	node, err := exec.LookPath("node")
	_, statErr := os.Stat(filepath.Join(dir, "node_modules", "mammoth", "package.json"))
	if err != nil || statErr != nil {
		msg := "the .docx reader (node and the npm package mammoth) is missing: install it with " +
			"npm install --prefix " + dir + " mammoth@" + Version + " (or set REDRESS_MAMMOTH_DIR)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	tmp := t.TempDir()
	args := []string{"-e", script, dir}
	paths := map[string]string{}
	i := 0
	for name, b := range docs {
		i++
		p := filepath.Join(tmp, strconv.Itoa(i)+".docx")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		paths[p] = name
		args = append(args, p)
	}
	cmd := exec.Command(node, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("mammoth cannot read the .docx files: %v\n%s", err, stderr.String())
	}
	var byPath map[string]string
	if err := json.Unmarshal(out, &byPath); err != nil {
		t.Fatalf("mammoth's output: %v", err)
	}
	texts := map[string]string{}
	for p, text := range byPath {
		texts[paths[p]] = text
	}
	return texts
}
