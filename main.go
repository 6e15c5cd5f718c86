// Command redress is a legal-information chat bot for people attacked
// online under PRC law. It is the one wiring point of the project:
//
//	redress chat    talk to Redress in this terminal (no token, no network)
//	redress serve   run the Telegram bot
//	redress lint    check flow files and catalogs together
//	redress i18n    the translators' tools: status, prepare, merge, stamp
//	redress flow    draw the flow (graph) and run authors' scenario tests (test)
//
// Run `redress help` for the flags of each.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing/fstest"

	"github.com/redress-legal/redress/data"
	"github.com/redress-legal/redress/flows"
	"github.com/redress-legal/redress/locales"
	"github.com/redress-legal/redress/papers"
)

const usage = `Redress — legal information for people attacked online (PRC law). Not a lawyer.

Usage:
  redress chat  [--db PATH] [--lang CODE] [--flow FILE] [--locales DIR] [--docs DIR]   talk to Redress in this terminal
  redress serve [flags]                                    run the Telegram bot (redress serve -h)
  redress lint  [FLOW.yaml|DIR ...] [--locales DIR]        check flows and catalogs; exits 1 on any error
  redress stats [--db PATH] [--weeks N]                    the statistics for your group: counts only, per week
  redress i18n  status | prepare LANG | merge FILE | stamp LANG   translators' tools (redress i18n -h)
  redress flow graph [--lang CODE] [--format mermaid|dot]  draw the flow (redress flow graph -h)
  redress flow test  [SCENARIO.yaml|DIR ...]               run scenario tests; exits 1 when one fails
  redress config check [--config FILE] [serve flags]       print serve's effective configuration (secrets redacted); exits 1 on any problem
  redress backup [--db PATH] FILE                          a consistent copy of the database while serve runs (its key is not in it)

Every flag of chat and serve can also be set by an environment variable,
REDRESS_ and the flag's name in upper snake case (--token-file:
REDRESS_TOKEN_FILE), and by a key of the same name in a TOML file named by
--config or $REDRESS_CONFIG. Precedence: flag > environment > file > default.

Environment:
  REDRESS_KEY        base64 32-byte key for encryption at rest (default: a key file beside the database)
  REDRESS_DB         database file (default: %s)
  REDRESS_CONFIG     config file (TOML; see docs/operating.md)
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one subcommand and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintf(stderr, usage, defaultDBPath())
		return 2
	}
	var err error
	switch args[0] {
	case "chat":
		err = runChat(ctx, args[1:], stdin, stdout, stderr)
	case "serve":
		err = runServe(ctx, args[1:], stdout, stderr)
	case "lint":
		err = runLint(args[1:], stdout, stderr)
	case "stats":
		err = runStats(ctx, args[1:], stdout)
	case "i18n":
		err = runI18n(args[1:], stdout, stderr)
	case "flow":
		err = runFlow(args[1:], stdout, stderr)
	case "config":
		err = runConfig(args[1:], stdout, stderr)
	case "backup":
		err = runBackup(ctx, args[1:], stdout)
	case "help", "-h", "--help":
		fmt.Fprintf(stdout, usage, defaultDBPath())
		return 0
	default:
		fmt.Fprintf(stderr, "redress: unknown command %q\n\n", args[0])
		fmt.Fprintf(stderr, usage, defaultDBPath())
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errConfig):
		return 1
	case errors.As(err, new(*problemsError)):
		for _, p := range err.(*problemsError).lines { // every problem, one line each
			fmt.Fprintf(stderr, "redress %s: %s\n", args[0], p)
		}
		return 2
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "redress %s: %v\n", args[0], err)
		return 2
	case errors.Is(err, errLint), errors.Is(err, errFlowTest):
		return 1
	}
	fmt.Fprintf(stderr, "redress: %v\n", err)
	return 1
}

// errLint says lint found problems (it has printed them): exit 1.
var errLint = errors.New("lint found errors")

// defaultDBPath is the database in the user's data directory:
// $XDG_DATA_HOME/redress/redress.db, else ~/.local/share/redress/redress.db.
func defaultDBPath() string {
	if p := os.Getenv("REDRESS_DB"); p != "" {
		return p
	}
	dir := os.Getenv("XDG_DATA_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "redress.db"
		}
		dir = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(dir, "redress", "redress.db")
}

// openStore opens the SQLite store at path with its encryption key: from
// $REDRESS_KEY, else from the key file beside the database (created with
// mode 0600 on first start).
func openStore(ctx context.Context, path string, opts ...data.Option) (*data.DB, error) {
	return openStoreKey(ctx, path, keyOf(path, ""), opts...)
}

// keyPath is the key file used for the database at path: redress.db → redress.key.
func keyPath(dbPath string) string {
	ext := filepath.Ext(dbPath)
	return dbPath[:len(dbPath)-len(ext)] + ".key"
}

// localizer adapts the catalogs to the flows.Localizer the transports use;
// its Distressed is their Config.Distress.
type localizer struct{ cat *locales.Catalog }

func (l localizer) Distressed(text string) bool { return l.cat.Distressed(text) }

func (l localizer) Match(code string) string { return l.cat.Match(code) }
func (l localizer) Languages() []string      { return l.cat.Languages() }
func (l localizer) Text(lang string, m flows.Message) string {
	params, cloned := m.Params, false
	for k, v := range m.Params {
		if id, ok := v.(flows.Label); ok { // a label named in a message: "choose “不知道”"
			if !cloned {
				params, cloned = maps.Clone(m.Params), true // the message's own map is not ours to change
			}
			params[k] = l.cat.Text(lang, string(id), nil)
		}
	}
	if id, ok := m.Params["id"].(string); ok && m.Kind == flows.KindSource {
		var cites []string // a stored message may hold them as []any
		switch x := m.Params["cites"].(type) {
		case []string:
			cites = x
		case []any:
			for _, v := range x {
				if s, ok := v.(string); ok {
					cites = append(cites, s)
				}
			}
		}
		return l.cat.SourceEntry(lang, m.ID, id, cites) // the full name, and the short names cited
	}
	return l.cat.Render(lang, m.ID, params, m.Cite, m.Unconfirmed)
}

// newLocalizer loads the embedded catalogs and, when dir is not empty, the
// *.toml catalogs in dir over them: a file of the same name replaces the
// built-in one, other files add messages (for a flow of your own).
func newLocalizer(dir string) (localizer, error) {
	fsys, err := catalogFS(dir)
	if err != nil {
		return localizer{}, err
	}
	cat, err := locales.LoadFS(fsys)
	if err != nil {
		return localizer{}, fmt.Errorf("catalogs: %w", err)
	}
	return localizer{cat}, nil
}

// catalogFS is the built-in catalogs overlaid with the *.toml files (and
// the distress.*.txt phrase files) in dir.
func catalogFS(dir string) (fs.FS, error) {
	if dir == "" {
		return locales.Files, nil
	}
	merged := fstest.MapFS{}
	for _, src := range []fs.FS{locales.Files, os.DirFS(dir)} {
		names, err := fs.Glob(src, "*.toml")
		if err != nil {
			return nil, fmt.Errorf("catalogs: %w", err)
		}
		phrases, err := fs.Glob(src, locales.DistressFile)
		if err != nil {
			return nil, fmt.Errorf("distress phrases: %w", err)
		}
		names = append(names, phrases...)
		for _, n := range names {
			b, err := fs.ReadFile(src, n)
			if err != nil {
				return nil, fmt.Errorf("catalogs: %w", err)
			}
			merged[n] = &fstest.MapFile{Data: b, Mode: 0o444}
		}
	}
	return merged, nil
}

// loadFlow loads a flow file, or the embedded default when path is empty.
func loadFlow(path string) (*flows.Flow, error) {
	if path == "" {
		return flows.LoadDefault()
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read flow: %w", err)
	}
	return flows.Parse(path, b)
}

// loadPapers loads the document templates from dir, or the built-in ones
// when dir is empty, checked against f. With a flow of one's own
// (ownFlow) the built-in templates may not fit it: the set is then nil
// (no documents) rather than an error; templates given in dir must fit.
func loadPapers(dir string, f *flows.Flow, ownFlow bool) (*papers.Set, error) {
	if dir != "" {
		s, err := papers.Load(f, os.DirFS(dir), filepath.Clean(dir))
		if err != nil {
			return nil, fmt.Errorf("document templates:\n%w", err)
		}
		return s, nil
	}
	s, err := papers.LoadDefault(f)
	if err != nil {
		if ownFlow {
			return nil, nil
		}
		return nil, fmt.Errorf("document templates:\n%w", err)
	}
	return s, nil
}
