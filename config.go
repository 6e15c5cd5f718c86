package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/redress-legal/redress/flows"
)

// Configuration in one place (issue 12 §1). Every flag of a command can
// also be set by an environment variable — REDRESS_ and the flag's name in
// upper snake case (--token-file: REDRESS_TOKEN_FILE) — and by a key of the
// same name in a TOML file named by --config (or $REDRESS_CONFIG). One
// precedence, for every setting: flag > environment > file > default. A
// flag added to a command gets its variable and its key with no extra
// work: configure walks the flag set.

// envPrefix starts the environment variable of every flag.
const envPrefix = "REDRESS_"

// envName is the environment variable that sets the flag name.
func envName(name string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// repeatable is a flag.Value that collects one value per use (--org-contact
// A --org-contact B); a list in the file or lines in the variable set it
// once per item.
type repeatable interface {
	flag.Value
	repeatable()
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, "; ") }
func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}
func (l *listFlag) repeatable() {}

// settings is a command's flag set after configure: where each value came
// from, and every problem found on the way.
type settings struct {
	fs       *flag.FlagSet
	file     string            // the config file read ("" if none)
	source   map[string]string // flag name → "flag", "env REDRESS_X", "FILE:LINE" or "default"
	problems []string          // one line each, in the order found
}

// problemf records a problem with the setting name, saying where its value
// came from when that was not the command line.
func (s *settings) problemf(name, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if src := s.source[name]; name != "" && src != "" && src != "flag" && src != "default" {
		msg += " (set by " + src + ")"
	}
	s.problems = append(s.problems, msg)
}

// configure parses args into fs (adding its --config flag), then gives
// each flag not on the command line its value from the environment, else
// from the config file. Mistakes on the command line itself (an unknown
// flag, an argument) are returned at once as a usageError, as before;
// mistakes in the environment and the file are collected in problems.
func configure(fs *flag.FlagSet, args []string, stdout io.Writer) (*settings, error) {
	cfgFlag := fs.String("config", "", "TOML `file` of settings: each key is a flag's name (default: $REDRESS_CONFIG)")
	if err := parseFlags(fs, args, stdout); err != nil {
		return nil, err
	}
	s := &settings{fs: fs, source: map[string]string{}}
	fs.Visit(func(f *flag.Flag) { s.source[f.Name] = "flag" })
	s.file = *cfgFlag
	if s.file == "" {
		s.file = os.Getenv(envPrefix + "CONFIG")
		if s.file != "" {
			s.source["config"] = "env " + envPrefix + "CONFIG"
			_ = fs.Set("config", s.file)
		}
	}
	file := s.readFile()
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name == "config" || s.source[f.Name] == "flag" {
			return
		}
		if v := os.Getenv(envName(f.Name)); v != "" { // empty: as if unset
			s.source[f.Name] = "env " + envName(f.Name)
			items := []string{v}
			if _, ok := f.Value.(repeatable); ok {
				items = strings.Split(strings.TrimRight(v, "\n"), "\n")
			}
			for _, it := range items {
				if err := set(fs, f, it); err != nil {
					s.problemf("", "%s=%q: %v", envName(f.Name), v, err)
				}
			}
			return
		}
		if e, ok := file[f.Name]; ok {
			s.source[f.Name] = e.where
			for _, it := range e.items(f.Value) {
				if err := set(fs, f, it); err != nil {
					s.problemf("", "%s: %s: %v", e.where, f.Name, err)
				}
			}
			return
		}
		s.source[f.Name] = "default"
	})
	return s, nil
}

// set gives flag f the value v. A value the flag cannot take leaves it at
// its default (the flag package would leave a zero) and is described in
// words: what kind of value the flag wants.
func set(fs *flag.FlagSet, f *flag.Flag, v string) error {
	err := fs.Set(f.Name, v)
	if err == nil {
		return nil
	}
	if _, ok := f.Value.(repeatable); !ok {
		_ = f.Value.Set(f.DefValue)
	}
	want := "a valid value"
	if g, ok := f.Value.(flag.Getter); ok {
		switch g.Get().(type) {
		case int, int64, uint, uint64:
			want = "a whole number"
		case bool:
			want = "true or false"
		case float64:
			want = "a number"
		case time.Duration:
			want = "a duration such as 30s or 2m"
		}
	}
	return fmt.Errorf("%q is not %s", v, want)
}

// fileEntry is one key of the config file and the line it is on.
type fileEntry struct {
	where string // FILE:LINE
	value any
}

// items is the entry's value as the strings to give the flag: one per item
// of a list for a repeatable flag, a list joined by commas otherwise.
func (e fileEntry) items(v flag.Value) []string {
	list, ok := e.value.([]any)
	if !ok {
		return []string{scalar(e.value)}
	}
	var out []string
	for _, x := range list {
		out = append(out, scalar(x))
	}
	if _, ok := v.(repeatable); ok {
		return out
	}
	return []string{strings.Join(out, ",")}
}

// scalar writes a TOML value the way it would be typed after the flag.
func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// readFile reads the config file into its entries, recording a problem for
// each key that is no flag of the command, each section, and a syntax
// error (with its line).
func (s *settings) readFile() map[string]fileEntry {
	if s.file == "" {
		return nil
	}
	b, err := os.ReadFile(s.file)
	if err != nil {
		s.problemf("config", "--config: %v", err)
		return nil
	}
	var raw map[string]any
	if _, err := toml.Decode(string(b), &raw); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			s.problemf("", "%s:%d: %s", s.file, pe.Position.Line, pe.Message)
		} else {
			s.problemf("", "%s: %v", s.file, err)
		}
		return nil
	}
	lines := keyLines(b)
	names := make([]string, 0, len(raw))
	for k := range raw {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return lines[names[i]] < lines[names[j]] })
	var flagNames []string
	s.fs.VisitAll(func(f *flag.Flag) { flagNames = append(flagNames, f.Name) })
	out := map[string]fileEntry{}
	for _, k := range names {
		where := fmt.Sprintf("%s:%d", s.file, lines[k])
		switch v := raw[k]; {
		case k == "config":
			s.problemf("", "%s: config: a config file cannot name another one", where)
		case isTable(v):
			s.problemf("", "%s: [%s]: sections are not used; write each setting as name = value at the top", where, k)
		case s.fs.Lookup(k) == nil && serveSetting(k):
			// serve's file, read by chat or backup: the setting is not theirs.
		case s.fs.Lookup(k) == nil:
			hint := ""
			if near := flows.Nearest(k, flagNames); near != "" {
				hint = fmt.Sprintf(" (did you mean %q?)", near)
			}
			s.problemf("", "%s: unknown setting %q%s; the keys are the flags of 'redress %s -h'", where, k, hint, s.fs.Name())
		default:
			out[k] = fileEntry{where: where, value: v}
		}
	}
	return out
}

// serveSetting reports whether name is a setting of redress serve: the
// one config file serves every command, each taking the keys it has.
func serveSetting(name string) bool {
	fs, _ := newServeFlags("serve")
	return fs.Lookup(name) != nil
}

// isTable reports whether a decoded TOML value is a table or an array of tables.
func isTable(v any) bool {
	switch v.(type) {
	case map[string]any, []map[string]any:
		return true
	}
	return false
}

// keyLines finds the line of each top-level key of a TOML file: the first
// line that starts with it, bare or quoted, followed by "=" (the decoder
// gives no positions for keys that parsed).
func keyLines(b []byte) map[string]int {
	lines := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		l := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(l, "[") { // a section: [name] or [[name]]
			key := strings.Trim(strings.TrimSpace(strings.Trim(l, "[]")), `"'`)
			if _, seen := lines[key]; !seen {
				lines[key] = n
			}
			continue
		}
		key, _, ok := strings.Cut(l, "=")
		if !ok || strings.HasPrefix(l, "#") {
			continue
		}
		key = strings.Trim(strings.TrimSpace(key), `"'`)
		if _, seen := lines[key]; !seen {
			lines[key] = n
		}
	}
	return lines
}

// problemsError is a command's configuration problems, found all at once:
// run prints one line each and exits 2.
type problemsError struct{ lines []string }

func (e *problemsError) Error() string        { return strings.Join(e.lines, "; ") }
func (e *problemsError) Is(target error) bool { return target == errUsage }

// err is nil when there are no problems, else a *problemsError.
func (s *settings) err() error {
	if len(s.problems) == 0 {
		return nil
	}
	return &problemsError{lines: s.problems}
}

// secretFlag reports whether a flag's value is itself a secret (never
// printed): a token or secret given inline rather than as a file.
func secretFlag(name string) bool {
	if strings.HasSuffix(name, "-file") || strings.HasSuffix(name, "-dir") {
		return false
	}
	return strings.Contains(name, "secret") || strings.Contains(name, "token") || strings.Contains(name, "password") || name == "key"
}
