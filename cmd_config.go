package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

const configUsage = `Usage: redress config check [--config FILE] [serve flags]

Reads the settings of redress serve exactly as serve would — flags, then
REDRESS_* environment variables, then the config file, then defaults —
checks every one (the token and key can be read, the flow and catalogs
load, values are valid) and prints the effective configuration as a
config file, each line with where its value came from. Secrets (the token,
the webhook secret, the key) are never printed. Exits 1 on any problem,
one line each on stderr.

Flags: those of redress serve (redress serve -h).
`

// runConfig is `redress config check`.
func runConfig(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "check" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(stdout, configUsage)
			return flag.ErrHelp
		}
		return usagef("say 'redress config check' (run 'redress config -h')")
	}
	fs, f := newServeFlags("serve")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), configUsage)
		fs.PrintDefaults()
	}
	s, err := configure(fs, args[1:], stdout)
	if err != nil {
		return err
	}
	c := f.check(s)
	printConfig(stdout, s, c)
	if len(s.problems) > 0 {
		for _, p := range s.problems {
			fmt.Fprintf(stderr, "redress config check: %s\n", p)
		}
		return errConfig
	}
	return nil
}

// errConfig says config check found problems (it has printed them): exit 1.
var errConfig = errors.New("configuration has problems")

// printConfig writes the effective configuration as a TOML config file:
// every flag with its value and, in a comment, where it came from; then
// where the secrets come from, never what they are.
func printConfig(w io.Writer, s *settings, c serveConfig) {
	fmt.Fprintln(w, "# redress serve: effective configuration (secrets redacted)")
	if s.file != "" {
		fmt.Fprintf(w, "# config file: %s\n", s.file)
	}
	var names []string
	s.fs.VisitAll(func(fl *flag.Flag) {
		if fl.Name != "config" {
			names = append(names, fl.Name)
		}
	})
	sort.Strings(names)
	width := 0
	lines := make([]string, len(names))
	for i, n := range names {
		lines[i] = n + " = " + tomlValue(s.fs.Lookup(n), secretFlag(n))
		width = max(width, len(lines[i]))
	}
	for i, n := range names {
		fmt.Fprintf(w, "%-*s  # %s\n", width, lines[i], s.source[n])
	}
	fmt.Fprintln(w)
	token := "none"
	if c.token != "" {
		token = "set, from " + c.tokenFrom
	}
	fmt.Fprintf(w, "# bot token: %s\n", token)
	secret := "a random one at each start"
	if c.secret != "" {
		secret = "set, from " + c.secretSrc
	}
	fmt.Fprintf(w, "# webhook secret: %s\n", secret)
	fmt.Fprintf(w, "# encryption key: %s\n", c.key)
	if c.adminAddr != "" {
		fmt.Fprintf(w, "# admin listener: http://%s/healthz, /readyz, /metrics\n", c.adminAddr)
	}
}

// tomlValue writes a flag's value as a TOML value; a secret's as
// "(redacted)" when it is set.
func tomlValue(fl *flag.Flag, secret bool) string {
	v := fl.Value.String()
	if secret && v != "" {
		return strconv.Quote("(redacted)")
	}
	if l, ok := fl.Value.(*listFlag); ok {
		q := make([]string, len(*l))
		for i, x := range *l {
			q[i] = strconv.Quote(x)
		}
		return "[" + strings.Join(q, ", ") + "]"
	}
	if g, ok := fl.Value.(flag.Getter); ok {
		switch g.Get().(type) {
		case bool, int, int64, uint, uint64, float64:
			return v
		}
	}
	return strconv.Quote(v)
}
