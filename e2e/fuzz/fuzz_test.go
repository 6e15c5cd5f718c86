package fuzz

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"testing/fstest"
	"time"

	"github.com/redress-legal/redress/commands"
	"github.com/redress-legal/redress/flows"
	"github.com/redress-legal/redress/locales"
)

// seedFiles adds the project's real files as seeds, when found.
func seedFiles(f *testing.F, paths ...string) {
	for _, p := range paths {
		if b, err := os.ReadFile(filepath.Join("..", "..", p)); err == nil {
			f.Add(b)
		}
	}
}

// FuzzFlowLoader: any bytes given as a flow file are either refused with
// problems that say where, or give a flow the engine can walk: no panic,
// no expression fault, and every step either asks something or ends.
func FuzzFlowLoader(f *testing.F) {
	seedFiles(f, "bench/questionnaire.yaml", "flows/testdata/mini.yaml")
	f.Add([]byte("flow: x\nversion: 1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fl, probs := flows.Check("fuzz.yaml", data)
		for _, p := range probs {
			if p.Pos.Line < 0 {
				t.Fatalf("a problem with a negative line: %v", p)
			}
		}
		if fl == nil || probs.HasErrors() {
			return
		}
		now := time.Date(2026, 5, 14, 12, 0, 0, 0, time.UTC)
		st, r := flows.Step(fl, flows.State{}, flows.Input{Kind: flows.InStart, Now: now})
		inputs := []string{"1", "2", "yes", "5000", "2026-01-02", "/back", "?", "a few words of text"}
		for i := 0; i < 40 && !r.Done; i++ {
			if len(r.Faults) > 0 {
				t.Fatalf("a checked flow failed to evaluate: %v", r.Faults)
			}
			in := commands.Input(inputs[(i+len(data))%len(inputs)], now)
			if r.Question != nil && len(r.Question.Choices) > 0 && i%2 == 0 {
				q := r.Question
				kind := flows.InChoose
				if q.Type == flows.Multi {
					kind = flows.InToggle
				}
				in = flows.Input{Kind: kind, Node: q.Node, Key: q.Choices[i%len(q.Choices)].Key, Now: now}
			}
			st, r = flows.Step(fl, st, in)
		}
	})
}

var header = regexp.MustCompile(`(?m)^\s*\[\s*"?([^\]"]+)"?\s*\]`)

// FuzzCatalogLoader: any bytes given as a catalog are either refused with
// problems, or give a catalog whose every message renders with any
// parameters: no panic.
func FuzzCatalogLoader(f *testing.F) {
	seedFiles(f, "bench/locales/bench.en.toml", "locales/ui.en.toml")
	f.Add([]byte("[\"a.b\"]\ndescription = \"d\"\nother = \"Hello {{.name}}\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cat, probs := locales.Check(fstest.MapFS{"fuzz.en.toml": {Data: data}})
		if cat == nil || locales.HasErrors(probs) {
			return
		}
		params := map[string]any{"name": "x", "count": int64(3), "date": time.Now(), "list": []string{"a"}, "views": 1.5}
		for _, m := range header.FindAllSubmatch(data, 50) {
			id := string(m[1])
			for _, lang := range cat.Languages() {
				_ = cat.Render(lang, id, params, []string{"S-01 Art. 246"}, true)
				_ = cat.Text(lang, id, nil)
			}
		}
		_ = cat.Match("zh-hans")
	})
}
