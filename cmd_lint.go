package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/redress-legal/redress/bot"
	"github.com/redress-legal/redress/chat"
	"github.com/redress-legal/redress/commands"
	"github.com/redress-legal/redress/flows"
	"github.com/redress-legal/redress/locales"
	"github.com/redress-legal/redress/papers"
	"github.com/redress-legal/redress/report"
)

// lintUsage is what `redress lint -h` prints before the flags.
const lintUsage = `Usage:
  redress lint                      check the built-in flows and catalogs together
  redress lint FLOW.yaml|DIR ...    check your own flow files (or every *.yaml in DIR)
                                    against the built-in catalogs (or --locales DIR)

Every problem is printed as file:line: message; the exit status is 1 when any
problem is an error (warnings alone exit 0). Run it after every change to a
flow or a catalog; the bot refuses to start on a flow with errors.

Examples:
  go run . lint
  go run . lint my-flow.yaml
  go run . lint --locales my-locales my-flow.yaml

Flags:
`

// runLint is `redress lint`: it checks flow files and catalogs together and
// prints each problem as file:line: message. It fails when any problem is an
// error. Without arguments it checks the built-in flows; with arguments, the
// flow files (or directories of them) named.
func runLint(args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("lint", flag.ContinueOnError)
	fset.SetOutput(io.Discard)
	fset.Usage = func() {
		fmt.Fprint(fset.Output(), lintUsage)
		fset.PrintDefaults()
	}
	flowDir := fset.String("flows", "", "`directory` of flow files (*.yaml), like a DIR argument; default: the built-in flows")
	papDir := fset.String("papers", "", "`directory` of document templates (*.yaml) to check against the flows; default: the built-in templates, checked with the built-in flows")
	locDir := fset.String("locales", "", "`directory` holding the complete set of catalogs (*.toml) to check against; default: the built-in catalogs")
	// flags may come before or after the paths
	paths, err := parseFlagsAndArgs(fset, args, stdout)
	if err != nil {
		return err
	}
	if *flowDir != "" {
		paths = append(paths, *flowDir)
	}
	var files []flowFile
	var readErrs []string
	if len(paths) == 0 {
		names, _ := fs.Glob(flows.Defs, "defs/*.yaml")
		for _, name := range names {
			b, err := fs.ReadFile(flows.Defs, name)
			if err != nil {
				readErrs = append(readErrs, fmt.Sprintf("flows/%s: cannot read: %v", name, err))
				continue
			}
			files = append(files, flowFile{"flows/" + name, b})
		}
		if len(files) == 0 && len(readErrs) == 0 {
			readErrs = append(readErrs, "flows/defs: no flow files (*.yaml) found")
		}
	}
	for _, p := range paths {
		got, errs := readFlowPath(p)
		files = append(files, got...)
		readErrs = append(readErrs, errs...)
	}
	var locFS fs.FS = locales.Files
	locPrefix := "locales/"
	if *locDir != "" {
		locFS, locPrefix = os.DirFS(*locDir), filepath.Clean(*locDir)+"/"
	}
	// The built-in catalogs also serve the built-in flow: a message your
	// flow does not show is not a problem of your flow.
	unused := len(paths) == 0 || *locDir != ""
	lines, errs, warns := lint(files, readErrs, locFS, locPrefix, unused)
	plines := lintPapers(files, *papDir, len(paths) == 0)
	lines, errs = append(lines, plines...), errs+len(plines)
	for _, l := range lines {
		fmt.Fprintln(stdout, l)
	}
	if errs > 0 {
		fmt.Fprintf(stderr, "%d error(s), %d warning(s)\n", errs, warns)
		return errLint
	}
	fmt.Fprintf(stderr, "ok: flows, catalogs and document templates are consistent (%d warning(s))\n", warns)
	return nil
}

// howToTranslate says how a missing translation is made: zh-Hant is
// generated from zh-Hans, the others translated (docs/TRANSLATING.md).
func howToTranslate(lang string) string {
	if lang == "zh-Hant" {
		return "go run ./tools/hant writes it from zh-Hans"
	}
	return "go run . i18n prepare " + lang + ", translate, go run . i18n merge"
}

// flowFile is a flow file to check: the name problems are reported under
// and its bytes.
type flowFile struct {
	name string
	data []byte
}

// readFlowPath reads a flow file, or every *.yaml file of a directory.
func readFlowPath(path string) (files []flowFile, errs []string) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, []string{fmt.Sprintf("%s: cannot read: %v", path, errors.Unwrap(err))}
	}
	names := []string{path}
	if st.IsDir() {
		names, _ = filepath.Glob(filepath.Join(path, "*.yaml"))
		if len(names) == 0 {
			return nil, []string{filepath.Clean(path) + "/: no flow files (*.yaml) found"}
		}
	}
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: cannot read: %v", name, errors.Unwrap(err)))
			continue
		}
		files = append(files, flowFile{name, b})
	}
	return files, errs
}

// lint checks the flow files against the catalogs in locFS and returns the
// problems as file:line lines, errors and warnings counted. readErrs are
// files that could not be read (errors). With unused, catalog messages no
// flow or code shows are reported as warnings. A message a language lacks
// is an error: lint checks complete catalogs, the ones that ship (a
// partial one works, English shown for what it lacks; `redress i18n
// status` follows its progress).
func lint(files []flowFile, readErrs []string, locFS fs.FS, locPrefix string, unused bool) (lines []string, errs, warns int) {
	add := func(s string, warning bool) {
		lines = append(lines, s)
		if warning {
			warns++
		} else {
			errs++
		}
	}
	for _, e := range readErrs {
		add(e, false)
	}
	cat, cprobs := locales.Check(locFS)
	for _, p := range cprobs {
		p.File = locPrefix + p.File
		add(p.String(), p.Warning)
	}
	if cat != nil && slices.Contains(cat.Languages(), locales.Source) {
		for _, lang := range cat.Languages()[1:] {
			for _, id := range cat.Missing(lang) {
				en, _ := cat.Message(locales.Source, id)
				add(fmt.Sprintf("%s%s:%d: the %s catalog has no translation of %s (%s)", locPrefix, en.File, en.Line, lang, id, howToTranslate(lang)), false)
			}
		}
	}
	var refs []locales.Ref
	for _, file := range files {
		f, probs := flows.Check(file.name, file.data)
		for _, p := range probs {
			add(p.String(), p.Warning)
		}
		if f == nil {
			continue
		}
		for _, r := range f.MessageRefs() {
			refs = append(refs, locales.Ref{ID: r.ID, Params: r.Params, File: r.Pos.File, Line: r.Pos.Line})
		}
		// Every source and every citation is shown by a short name: the
		// catalogs must hold it ("cite.S-02", "cite.S-20 (2016)"). Each name
		// is checked once, where it is first needed.
		named := map[string]bool{}
		for _, id := range slices.Sorted(maps.Keys(f.Sources)) {
			s := f.Sources[id]
			named[locales.NamePrefix+id] = true
			refs = append(refs, locales.Ref{ID: locales.NamePrefix + id, File: s.Pos.File, Line: s.Pos.Line})
		}
		for _, c := range f.Citations() {
			if _, err := locales.ParseCite(c.Cite); err != nil {
				add(fmt.Sprintf("%s:%d: %v", c.Pos.File, c.Pos.Line, err), false)
				continue
			}
			if id := locales.NameID(c.Cite); !named[id] {
				named[id] = true
				refs = append(refs, locales.Ref{ID: id, File: c.Pos.File, Line: c.Pos.Line})
			}
		}
	}
	// Messages shown by code: the engine, the renderer and the transports.
	for _, set := range []struct {
		file string
		msgs map[string][]string
	}{
		{"flows/session.go", flows.EngineMessages},
		{"flows/engine.go", map[string][]string{flows.MsgSources: {}}},
		{"locales/locales.go", locales.RenderMessages},
		{"commands/commands.go", commands.Messages},
		{"chat/chat.go", chat.Messages},
		{"report/report.go", report.Messages},
		{"bot/messages.go", bot.Messages},
	} {
		ids := make([]string, 0, len(set.msgs))
		for id := range set.msgs {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			refs = append(refs, locales.Ref{ID: id, Params: set.msgs[id], File: set.file})
		}
	}
	if cat != nil && slices.Contains(cat.Languages(), locales.Source) {
		for _, p := range cat.CheckRefs(refs) {
			add(p.String(), p.Warning)
		}
		if unused {
			for _, p := range cat.Unused(refs) {
				p.File = locPrefix + p.File
				add(p.String(), p.Warning)
			}
		}
	}
	return lines, errs, warns
}

// lintPapers checks document templates against the flows that load
// without errors: those in dir when given, else the built-in templates
// when the built-in flows are checked (a flow of one's own may not fit
// them: the chat then offers no documents). Every problem is an error.
func lintPapers(files []flowFile, dir string, builtin bool) []string {
	if dir == "" && !builtin {
		return nil
	}
	var fsys fs.FS
	prefix := "papers/templates"
	if dir != "" {
		fsys, prefix = os.DirFS(dir), filepath.Clean(dir)
	} else {
		sub, err := fs.Sub(papers.Templates, papers.TemplatesDir)
		if err != nil {
			return []string{prefix + ": " + err.Error()}
		}
		fsys = sub
	}
	var lines []string
	for _, file := range files {
		f, probs := flows.Check(file.name, file.data)
		if f == nil || probs.HasErrors() {
			continue
		}
		if _, ps := papers.Check(f, fsys, prefix); len(ps) > 0 {
			for _, p := range ps {
				lines = append(lines, p.String())
			}
		}
	}
	return lines
}
