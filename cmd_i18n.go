package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/redress-legal/redress/translate"
)

// i18nUsage is what `redress i18n -h` prints.
const i18nUsage = `Usage:
  redress i18n status                 per language: translated, missing, stale, broken
  redress i18n prepare LANG [-o FILE] write the messages LANG needs work on (new, stale, broken)
  redress i18n merge FILE             merge a translated work file back into its catalogs
  redress i18n stamp LANG [ID ...]    record that LANG's translations of IDs (default: those
                                      with no record yet) are made from today's English
  redress i18n stamp --stale LANG     ... and every stale one too, once you have checked them

A stale translation was made from an English text that has changed since;
a broken one has other placeholders than the English, or lacks a plural
form its language needs. status exits 1 when any translation is broken.
docs/TRANSLATING.md explains the workflow.

Examples:
  go run . i18n status
  go run . i18n prepare fr -o fr-work.toml    (translate it, then)
  go run . i18n merge fr-work.toml

Flags:
`

// runI18n is `redress i18n`: the translators' tools, on the catalog
// directory (locales/ of the repository by default).
func runI18n(args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("i18n", flag.ContinueOnError)
	fset.Usage = func() {
		fmt.Fprint(fset.Output(), i18nUsage)
		fset.PrintDefaults()
	}
	dir := fset.String("locales", "locales", "catalog `directory` (the repository's locales/)")
	out := fset.String("o", "", "`file` prepare writes (default: standard output)")
	stale := fset.Bool("stale", false, "stamp: also record the stale translations as current (check them first: 'redress i18n status' lists them)")
	// Flags may come before or after the arguments.
	rest, err := parseFlagsAndArgs(fset, args, stdout)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		return usagef("say what to do: status, prepare LANG, merge FILE or stamp LANG (run 'redress i18n -h')")
	}
	verb, rest := rest[0], rest[1:]
	switch verb {
	case "status":
		if len(rest) > 0 {
			return usagef("status takes no argument (got %q)", rest[0])
		}
		return i18nStatus(*dir, stdout)
	case "prepare":
		if len(rest) != 1 {
			return usagef("prepare takes one language code, e.g. 'redress i18n prepare zh-Hant'")
		}
		file, n, err := translate.Prepare(*dir, rest[0])
		if err != nil {
			return err
		}
		if *out == "" {
			_, err = stdout.Write(file)
			return err
		}
		if err := os.WriteFile(*out, file, 0o644); err != nil {
			return fmt.Errorf("write the work file: %w", err)
		}
		fmt.Fprintf(stderr, "%s: %d message(s) to translate; then run: redress i18n merge %s\n", *out, n, *out)
		return nil
	case "merge":
		if len(rest) != 1 {
			return usagef("merge takes one work file, e.g. 'redress i18n merge fr-work.toml'")
		}
		res, err := translate.Merge(*dir, rest[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: merged %d message(s) into %s", res.Lang, len(res.Merged), strings.Join(res.Files, ", "))
		if len(res.Skipped) > 0 {
			fmt.Fprintf(stdout, "; %d left empty (still to do)", len(res.Skipped))
		}
		fmt.Fprintln(stdout)
		return nil
	case "stamp":
		if len(rest) < 1 {
			return usagef("stamp takes a language code and, optionally, message IDs")
		}
		ids := rest[1:]
		if *stale {
			if len(ids) > 0 {
				return usagef("stamp --stale takes no message IDs: it stamps every stale and unrecorded translation")
			}
			reports, err := translate.Status(*dir)
			if err != nil {
				return err
			}
			for _, r := range reports {
				if r.Lang == rest[0] {
					ids = append(append(ids, r.Stale...), r.Unrecorded...)
				}
			}
			if len(ids) == 0 {
				fmt.Fprintf(stdout, "%s: nothing stale or unrecorded to stamp\n", rest[0])
				return nil
			}
		}
		ids, err := translate.Stamp(*dir, rest[0], ids)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %d translation(s) recorded as made from the current English\n", rest[0], len(ids))
		return nil
	}
	return usagef("unknown i18n command %q (run 'redress i18n -h')", verb)
}

// i18nStatus prints a table of every language, then what is stale and
// broken; it fails (errLint: exit 1) when a translation is broken or a
// catalog cannot be read.
func i18nStatus(dir string, stdout io.Writer) error {
	_, probs, err := translate.Load(dir)
	if err != nil {
		return err
	}
	reports, err := translate.Status(dir)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "language\tmessages\ttranslated\tmissing\tstale\tbroken\tunrecorded\t")
	bad := false
	for _, r := range reports {
		state := "complete"
		if !r.Complete() {
			state = ""
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n", r.Lang, r.Total, r.Translated, len(r.Missing), len(r.Stale), len(r.Broken), len(r.Unrecorded), state)
	}
	tw.Flush()
	for _, r := range reports {
		if len(r.Missing) > 0 {
			fmt.Fprintf(stdout, "\n%s: %d missing (English is shown for them): %s\n", r.Lang, len(r.Missing), list(r.Missing, 10))
		}
		if len(r.Stale) > 0 {
			fmt.Fprintf(stdout, "\n%s: %d stale (the English changed since they were translated): %s\n", r.Lang, len(r.Stale), list(r.Stale, 20))
		}
		if len(r.Unrecorded) > 0 {
			fmt.Fprintf(stdout, "\n%s: %d with no record of the English they were made from (check them, then 'redress i18n stamp %s'): %s\n", r.Lang, len(r.Unrecorded), r.Lang, list(r.Unrecorded, 10))
		}
		if len(r.Broken) > 0 {
			bad = true
			fmt.Fprintf(stdout, "\n%s: %d broken:\n", r.Lang, len(r.Broken))
			for _, p := range r.Broken {
				fmt.Fprintln(stdout, "  "+p.String())
			}
		}
		if len(r.Missing)+len(r.Stale)+len(r.Broken) > 0 {
			fmt.Fprintf(stdout, "  to work on them: redress i18n prepare %s -o %s-work.toml\n", r.Lang, r.Lang)
		}
	}
	shown := map[string]bool{}
	for _, r := range reports {
		for _, p := range r.Broken {
			shown[p.String()] = true
		}
	}
	var other []string
	for _, p := range probs {
		if !p.Warning && !shown[p.String()] {
			other = append(other, p.String())
		}
	}
	if len(other) > 0 {
		bad = true
		fmt.Fprintf(stdout, "\nthe catalogs have errors ('redress lint --locales %s' checks them):\n  %s\n", dir, strings.Join(other, "\n  "))
	}
	if bad {
		return errLint
	}
	return nil
}

// list writes up to n IDs, then how many more.
func list(ids []string, n int) string {
	if len(ids) <= n {
		return strings.Join(ids, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(ids[:n], ", "), len(ids)-n)
}
