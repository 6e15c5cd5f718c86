package main

import (
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/redress-legal/redress/bot"
	"github.com/redress-legal/redress/chat"
	"github.com/redress-legal/redress/commands"
	"github.com/redress-legal/redress/flows"
	"github.com/redress-legal/redress/locales"
)

// runLint is `redress lint`: it checks every flow file and every catalog
// together and prints each problem as file:line: message. It fails when any
// problem is an error.
func runLint(args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("lint", flag.ContinueOnError)
	fset.SetOutput(stderr)
	flowDir := fset.String("flows", "", "`directory` of flow files (*.yaml); default: the built-in flows")
	locDir := fset.String("locales", "", "`directory` of catalogs (*.toml); default: the built-in catalogs")
	if err := fset.Parse(args); err != nil {
		return err
	}
	var flowFS, locFS fs.FS = flows.Defs, locales.Files
	flowRoot, flowPrefix, locPrefix := "defs", "flows/", "locales/"
	if *flowDir != "" {
		flowFS, flowRoot, flowPrefix = os.DirFS(*flowDir), ".", filepath.Clean(*flowDir)+"/"
	}
	if *locDir != "" {
		locFS, locPrefix = os.DirFS(*locDir), filepath.Clean(*locDir)+"/"
	}
	lines, errs, warns := lint(flowFS, flowRoot, flowPrefix, locFS, locPrefix)
	for _, l := range lines {
		fmt.Fprintln(stdout, l)
	}
	if errs > 0 {
		fmt.Fprintf(stderr, "%d error(s), %d warning(s)\n", errs, warns)
		return errLint
	}
	fmt.Fprintf(stderr, "ok: flows and catalogs are consistent (%d warning(s))\n", warns)
	return nil
}

// lint checks the flows under flowRoot in flowFS against the catalogs in
// locFS and returns the problems as file:line lines, errors and warnings counted.
func lint(flowFS fs.FS, flowRoot, flowPrefix string, locFS fs.FS, locPrefix string) (lines []string, errs, warns int) {
	add := func(s string, warning bool) {
		lines = append(lines, s)
		if warning {
			warns++
		} else {
			errs++
		}
	}
	cat, cprobs := locales.Check(locFS)
	for _, p := range cprobs {
		p.File = locPrefix + p.File
		add(p.String(), p.Warning)
	}
	names, _ := fs.Glob(flowFS, filepath.Join(flowRoot, "*.yaml"))
	if len(names) == 0 {
		add(flowPrefix+": no flow files (*.yaml) found", false)
	}
	var refs []locales.Ref
	for _, name := range names {
		b, err := fs.ReadFile(flowFS, name)
		if err != nil {
			add(fmt.Sprintf("%s: cannot read: %v", name, err), false)
			continue
		}
		shown := flowPrefix + strings.TrimPrefix(name, flowRoot+"/")
		f, probs := flows.Check(shown, b)
		for _, p := range probs {
			add(p.String(), p.Warning)
		}
		if f == nil {
			continue
		}
		for _, r := range f.MessageRefs() {
			refs = append(refs, locales.Ref{ID: r.ID, Params: r.Params, File: r.Pos.File, Line: r.Pos.Line})
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
		for _, p := range cat.Unused(refs) {
			p.File = locPrefix + p.File
			add(p.String(), p.Warning)
		}
	}
	return lines, errs, warns
}
