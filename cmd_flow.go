package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/redress-legal/redress/commands"
	"github.com/redress-legal/redress/flows"
	"github.com/redress-legal/redress/flows/graph"
	flowtest "github.com/redress-legal/redress/flows/scenario"
	"github.com/redress-legal/redress/locales"
)

// flowUsage is what `redress flow` prints when called without a known subcommand.
const flowUsage = `Usage:
  redress flow graph [--lang CODE] [--format mermaid|dot] [--flow FILE] [--locales DIR]
                                    draw the flow: questions, options, conditions, outcomes
  redress flow test [SCENARIO.yaml|DIR ...] [--flow FILE] [--terms FILE] [--locales DIR]
                                    run scenario tests; exits 1 when one fails

Run 'redress flow graph -h' or 'redress flow test -h' for the flags of each.
`

const graphUsage = `Usage:
  redress flow graph [--lang CODE] [--format mermaid|dot] [--flow FILE] [--locales DIR]

Draws the flow (the built-in one, or --flow FILE): every question in one short
line of the chosen language, every edge labelled with the options or the
condition that takes it, outcomes and the crisis path styled apart. Mermaid
text renders on code-hosting sites (in a fenced mermaid block) and in the
Mermaid live editor; DOT renders with Graphviz (dot -Tsvg flow.dot > flow.svg).

Examples:
  go run . flow graph > flow.mmd
  go run . flow graph --lang zh-Hans --format dot | dot -Tsvg > flow.svg

Flags:
`

const flowTestUsage = `Usage:
  redress flow test                      run the scenarios shipped with the built-in flow
  redress flow test SCENARIO.yaml|DIR ...  run your scenario files (every *.yaml of a DIR)

A scenario file lists the answers a person gives and what the assessment must
say (flows/SCENARIOS.md describes the format). Each failure is printed at its
line, with the rule's condition, where it is in the flow file and the values
it read. Module and route IDs (M1, R4) are looked up in --terms, else in the
terms.yaml beside the scenario, else in the built-in terms.

Examples:
  go run . flow test
  go run . flow test my-scenarios/ --flow my-flow.yaml --locales my-locales

Flags:
`

// errFlowTest says scenarios failed (their failures are printed): exit 1.
var errFlowTest = errors.New("scenarios failed")

// runFlow is `redress flow`: tools for authors of flows.
func runFlow(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("say what to do: 'redress flow graph' or 'redress flow test' (run 'redress flow -h')")
	}
	switch args[0] {
	case "graph":
		return runFlowGraph(args[1:], stdout)
	case "test":
		return runFlowTest(args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, flowUsage)
		return flag.ErrHelp
	}
	return usagef("unknown subcommand %q (choose graph or test; run 'redress flow -h')", args[0])
}

// runFlowGraph is `redress flow graph`: it writes the picture of the flow.
func runFlowGraph(args []string, stdout io.Writer) error {
	fset := flag.NewFlagSet("flow graph", flag.ContinueOnError)
	fset.Usage = func() {
		fmt.Fprint(fset.Output(), graphUsage)
		fset.PrintDefaults()
	}
	lang := fset.String("lang", "en", "language `code` of the questions (en, zh-Hans, ...)")
	format := fset.String("format", string(graph.Mermaid), "`format`: mermaid or dot")
	flowPath := fset.String("flow", "", "flow `file` to draw; default: the built-in flow")
	locDir := fset.String("locales", "", "`directory` of catalogs (*.toml) over the built-in ones")
	if err := parseFlags(fset, args, stdout); err != nil {
		return err
	}
	if !slices.Contains(graph.Formats, graph.Format(*format)) {
		return usagef("--format %q: choose mermaid or dot", *format)
	}
	f, err := loadFlow(*flowPath)
	if err != nil {
		return fmt.Errorf("flow: %w", err)
	}
	loc, err := newLocalizer(*locDir)
	if err != nil {
		return err
	}
	code := loc.Match(*lang) // zh, zh-CN → zh-Hans; anything unknown → the source language
	if code == locales.Source && !strings.HasPrefix(strings.ToLower(*lang), locales.Source) {
		return usagef("--lang %q: no catalog for it (have %s)", *lang, strings.Join(loc.Languages(), ", "))
	}
	out, err := graph.Render(f, graph.Format(*format), graphText(loc, code))
	if err != nil {
		return fmt.Errorf("draw the flow: %w", err)
	}
	_, err = io.WriteString(stdout, out)
	return err
}

// graphText is the text of a message in lang, without parameters.
func graphText(loc localizer, lang string) graph.Text {
	return func(id string) string { return loc.cat.Text(lang, id, nil) }
}

// runFlowTest is `redress flow test`: it runs scenario files and prints
// each result; it fails when any scenario fails or cannot be read.
func runFlowTest(args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("flow test", flag.ContinueOnError)
	fset.SetOutput(io.Discard)
	fset.Usage = func() {
		fmt.Fprint(fset.Output(), flowTestUsage)
		fset.PrintDefaults()
	}
	flowPath := fset.String("flow", "", "flow `file` the scenarios are for; default: the built-in flow")
	termsPath := fset.String("terms", "", "terms `file` saying what module and route IDs mean; default: terms.yaml beside each scenario, else the built-in terms")
	locDir := fset.String("locales", "", "`directory` of catalogs (*.toml) over the built-in ones, for quoting questions")
	// flags may come before or after the paths
	paths, err := parseFlagsAndArgs(fset, args, stdout)
	if err != nil {
		return err
	}
	f, err := loadFlow(*flowPath)
	if err != nil {
		return fmt.Errorf("flow: %w", err)
	}
	loc, err := newLocalizer(*locDir)
	if err != nil {
		return err
	}
	rn := &flowtest.Runner{Flow: f, FlowPath: *flowPath,
		Text: func(lang string, m flows.Message) string { return loc.Text(loc.Match(lang), m) },
		Read: (&commands.Env{Flow: f, Loc: loc}).Read}
	if *flowPath == "" {
		rn.FlowPath = "flows/" + flows.DefaultFlow
	}
	files, err := scenarioFiles(paths)
	if err != nil {
		return err
	}
	terms := map[string]*flowtest.Terms{} // by terms file
	termsFor := func(sf scenarioFile) (*flowtest.Terms, error) {
		file, src := *termsPath, fs.FS(nil)
		switch {
		case file != "":
		case sf.fsys != nil:
			file, src = "flows/scenarios/"+flowtest.TermsFile, flows.Scenarios
		default:
			file = filepath.Join(filepath.Dir(sf.name), flowtest.TermsFile)
			if _, err := os.Stat(file); err != nil {
				if *flowPath != "" {
					return nil, nil // a flow of your own: no terms unless you give them
				}
				file, src = "flows/scenarios/"+flowtest.TermsFile, flows.Scenarios
			}
		}
		if t, ok := terms[file]; ok {
			return t, nil
		}
		var b []byte
		if src != nil {
			b, err = fs.ReadFile(src, "scenarios/"+flowtest.TermsFile)
		} else {
			b, err = os.ReadFile(file)
		}
		if err != nil {
			return nil, fmt.Errorf("terms: %w", err)
		}
		t, err := flowtest.ParseTerms(file, b)
		if err == nil {
			if probs := t.Check(f); len(probs) > 0 {
				err = probs
			}
		}
		if err != nil {
			return nil, err
		}
		terms[file] = t
		return t, nil
	}
	passed, failed := 0, 0
	for _, sf := range files {
		sc, err := flowtest.Parse(sf.name, sf.data)
		if err == nil {
			rn.Terms, err = termsFor(sf)
		}
		if err != nil {
			fmt.Fprintf(stdout, "FAIL %s\n  %s\n", sf.name, strings.ReplaceAll(err.Error(), "\n", "\n  "))
			failed++
			continue
		}
		for _, res := range rn.RunAll(sc) {
			res.Write(stdout)
			if res.Passed() {
				passed++
			} else {
				failed++
			}
		}
	}
	if failed > 0 {
		fmt.Fprintf(stderr, "%d scenario(s): %d passed, %d failed\n", passed+failed, passed, failed)
		return errFlowTest
	}
	fmt.Fprintf(stderr, "ok: %d scenario(s) passed\n", passed)
	return nil
}

// scenarioFile is a scenario to run: its name as shown, its bytes, and
// the file system it came from when built in.
type scenarioFile struct {
	name string
	data []byte
	fsys fs.FS
}

// scenarioFiles reads the scenario files named (every *.yaml but the terms
// of a directory), or the built-in ones when none is.
func scenarioFiles(paths []string) ([]scenarioFile, error) {
	var out []scenarioFile
	if len(paths) == 0 {
		names, err := flowtest.Files(flows.Scenarios, "scenarios")
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			b, err := fs.ReadFile(flows.Scenarios, n)
			if err != nil {
				return nil, fmt.Errorf("read scenario: %w", err)
			}
			out = append(out, scenarioFile{"flows/" + n, b, flows.Scenarios})
		}
		return out, nil
	}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, usagef("%s: cannot read: %v", p, errors.Unwrap(err))
		}
		names := []string{p}
		if st.IsDir() {
			names, err = flowtest.Files(os.DirFS(p), ".")
			if err != nil {
				return nil, err
			}
			for i, n := range names {
				names[i] = filepath.Join(p, n)
			}
			if len(names) == 0 {
				return nil, usagef("%s: no scenario files (*.yaml) in it", p)
			}
		}
		for _, n := range names {
			b, err := os.ReadFile(n)
			if err != nil {
				return nil, fmt.Errorf("read scenario: %w", err)
			}
			out = append(out, scenarioFile{name: n, data: b})
		}
	}
	return out, nil
}
