package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redress-legal/redress/bot"
	"github.com/redress-legal/redress/commands"
	"github.com/redress-legal/redress/data"
	"github.com/redress-legal/redress/flows"
	"github.com/redress-legal/redress/ops"
	"github.com/redress-legal/redress/papers"
)

const serveUsage = `Usage: redress serve [flags]

Runs Redress as a Telegram bot. The token comes from $TELEGRAM_BOT_TOKEN or
--token-file; $TELEGRAM_API_URL points at another Bot API server (a local
one, or a fake in tests). Long polling unless --webhook-url is given.
SIGINT or SIGTERM finish the work in progress and the replies due, then exit 0.

Flags:
`

// serveFlags are the settings of redress serve. Each is a flag, an
// environment variable and a config-file key (config.go).
type serveFlags struct {
	tokenFile, dbPath, keyFile, flowPath, locDir, papersDir, pprofAddr *string
	adminAddr                                                          *string
	webhookURL, listen, secret, secretFile                             *string
	logLevel, logFormat, retention                                     *string
	orgName, orgHours                                                  *string
	orgContact                                                         listFlag
	workers                                                            *int
	lockWait                                                           *time.Duration
	adminIDs, hoLang                                                   *string
	hoChat                                                             *int64
}

// newServeFlags defines the flags of redress serve (and of redress config
// check, which checks them).
func newServeFlags(name string) (*flag.FlagSet, *serveFlags) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), serveUsage)
		fs.PrintDefaults()
	}
	f := &serveFlags{
		tokenFile:  fs.String("token-file", "", "file holding the bot token (default: $TELEGRAM_BOT_TOKEN, else $CREDENTIALS_DIRECTORY/token)"),
		dbPath:     fs.String("db", defaultDBPath(), "database file"),
		keyFile:    fs.String("key-file", "", "file holding the raw 32-byte encryption key (default: $REDRESS_KEY in base64, else $CREDENTIALS_DIRECTORY/key, else the .key file beside the database, created 0600)"),
		flowPath:   fs.String("flow", "", "flow file (default: the built-in flow)"),
		locDir:     fs.String("locales", "", "directory of extra catalogs (*.toml) for your own flow; same-named files replace the built-in ones"),
		papersDir:  fs.String("papers", "", "directory of document templates (*.yaml) for /documents (default: the built-in ones)"),
		pprofAddr:  fs.String("pprof", "", "serve net/http/pprof on this loopback address (e.g. 127.0.0.1:6060); off by default"),
		adminAddr:  fs.String("admin-listen", "", "serve /healthz, /readyz and /metrics on this address (a port alone, :9464, listens on loopback); off by default"),
		webhookURL: fs.String("webhook-url", "", "public HTTPS URL Telegram posts updates to (default: long polling)"),
		listen:     fs.String("listen", "127.0.0.1:8443", "address the webhook server listens on, behind your reverse proxy"),
		secret:     fs.String("webhook-secret", "", "webhook secret token (default: $TELEGRAM_WEBHOOK_SECRET, else $CREDENTIALS_DIRECTORY/webhook-secret, else a random one each start)"),
		secretFile: fs.String("webhook-secret-file", "", "file holding the webhook secret token"),
		logLevel:   fs.String("log-level", "info", "debug, info, warn or error"),
		logFormat:  fs.String("log-format", "text", "text (key=value lines) or json (one object a line)"),
		retention:  fs.String("retention", "90d", "delete conversations idle longer than this (e.g. 90d, 720h)"),
		orgName:    fs.String("org-name", "", "your organisation's name, shown to users with its contact lines under the summary and in 'Who can help'"),
		orgHours:   fs.String("org-hours", "", "your organisation's office hours, shown with its contact lines (e.g. 'Mon-Fri 9:00-18:00')"),
		workers:    fs.Int("workers", 8, "updates handled at once, each of another chat"),
		lockWait:   fs.Duration("lock-wait", 30*time.Second, "how long to wait for another redress serve on the same --db to exit before giving up"),
		adminIDs:   fs.String("admin-ids", "", "comma-separated Telegram user IDs that may read /stats (counts only)"),
		hoChat:     fs.Int64("handoff-chat", 0, "ID of the volunteers' group that consented cases are handed to (negative, e.g. -1001234567890); 0: no hand-off"),
		hoLang:     fs.String("handoff-lang", "", "language of the case cards and of the bot in the volunteers' group (default: the first catalog language)"),
	}
	fs.Var(&f.orgContact, "org-contact", "a contact line of your organisation (its hotline, an address, a link); repeat for several")
	return fs, f
}

// serveConfig is redress serve's configuration, checked.
type serveConfig struct {
	token     string
	tokenFrom string // where the token came from, for config check
	secret    string // the webhook secret ("" : a random one)
	secretSrc string
	key       keySource
	level     slog.Level
	json      bool
	keep      time.Duration
	adminAddr string
	org       commands.Org
	admins    []int64 // --admin-ids
	flow      *flows.Flow
	loc       localizer
	papers    *papers.Set // nil: the built-in templates do not fit an own flow; /documents is off
}

// check reads and checks every setting, recording each problem (one line
// each) in s rather than stopping at the first.
func (f *serveFlags) check(s *settings) serveConfig {
	var c serveConfig
	if err := c.level.UnmarshalText([]byte(*f.logLevel)); err != nil {
		s.problemf("log-level", "--log-level %q is not a level: use debug, info, warn or error", *f.logLevel)
	}
	switch *f.logFormat {
	case "text":
	case "json":
		c.json = true
	default:
		s.problemf("log-format", "--log-format %q: use text or json", *f.logFormat)
	}
	keep, err := parseRetention(*f.retention)
	if err != nil {
		s.problemf("retention", "--retention %v", err)
	}
	c.keep = keep
	if *f.workers < 1 {
		s.problemf("workers", "--workers %d: at least 1 update must be handled at a time", *f.workers)
	}
	if *f.lockWait < 0 {
		s.problemf("lock-wait", "--lock-wait %s: a wait cannot be negative", *f.lockWait)
	}
	if *f.adminAddr != "" {
		addr, err := adminAddress(*f.adminAddr)
		if err != nil {
			s.problemf("admin-listen", "--admin-listen %v", err)
		}
		c.adminAddr = addr
	}
	if c.admins, err = parseIDs(*f.adminIDs); err != nil {
		s.problemf("admin-ids", "--admin-ids %v", err)
	}
	if *f.hoChat > 0 {
		s.problemf("handoff-chat", "--handoff-chat %d: a group's ID is negative (add the bot to the group and read the ID from a message there)", *f.hoChat)
	}
	if u := *f.webhookURL; u != "" && !strings.HasPrefix(u, "https://") {
		s.problemf("webhook-url", "--webhook-url %q: Telegram posts only to https:// URLs", u)
	}
	c.org = commands.Org{Name: strings.TrimSpace(*f.orgName), Contact: f.orgContact, Hours: strings.TrimSpace(*f.orgHours)}
	switch {
	case c.org.Name == "" && (len(c.org.Contact) > 0 || c.org.Hours != ""):
		s.problemf("org-name", "--org-contact or --org-hours without --org-name: users must be told whose lines they are")
	case c.org.Name != "" && len(c.org.Contact) == 0:
		s.problemf("org-contact", "--org-name without --org-contact: give users at least one way to reach you (a hotline, an address, a link)")
	}
	if *f.secret != "" && *f.secretFile != "" {
		s.problemf("webhook-secret", "--webhook-secret and --webhook-secret-file both given: use one")
	}
	c.token, c.tokenFrom, err = readSecret(*f.tokenFile, "TELEGRAM_BOT_TOKEN", "token")
	switch {
	case err != nil:
		s.problemf("token-file", "--token-file: %v: give a readable file holding the bot token", err)
	case c.token == "" && *f.tokenFile != "":
		s.problemf("token-file", "--token-file %s is empty: put the token BotFather gave you in it", *f.tokenFile)
	case c.token == "":
		s.problemf("", "no bot token: set TELEGRAM_BOT_TOKEN or pass --token-file FILE (BotFather gives you a token)")
	}
	c.secret, c.secretSrc = *f.secret, "--webhook-secret"
	if c.secret == "" {
		if c.secret, c.secretSrc, err = readSecret(*f.secretFile, "TELEGRAM_WEBHOOK_SECRET", "webhook-secret"); err != nil {
			s.problemf("webhook-secret-file", "--webhook-secret-file: %v", err)
		}
	}
	c.key = keyOf(*f.dbPath, *f.keyFile)
	if c.key.err != nil {
		s.problemf("key-file", "encryption key: %v", c.key.err)
	}
	if c.flow, err = loadFlow(*f.flowPath); err != nil {
		s.problemf("flow", "--flow: %v", err)
	}
	if c.loc, err = newLocalizer(*f.locDir); err != nil {
		s.problemf("locales", "--locales: %v", err)
	}
	if c.flow != nil {
		if c.papers, err = loadPapers(*f.papersDir, c.flow, *f.flowPath != ""); err != nil {
			s.problemf("papers", "--papers: %v", err)
		}
	}
	return c
}

// runServe runs the Telegram bot until ctx ends or a signal comes.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, f := newServeFlags("serve")
	s, err := configure(fs, args, stdout)
	if err != nil {
		return err
	}
	c := f.check(s)
	if err := s.err(); err != nil {
		return err
	}
	log := newLogger(stderr, c.level, c.json)
	tuneGC()
	if c.papers == nil {
		log.Warn("the built-in document templates do not fit this flow: /documents is off (use --papers DIR)")
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	// One process serves a database at a time: two would both deliver the
	// outbox (data.Lock). A restart that begins while the old process is
	// still exiting waits for it.
	if err := os.MkdirAll(filepath.Dir(*f.dbPath), 0o700); err != nil {
		return fmt.Errorf("serve: create data directory: %w", err)
	}
	release, err := data.Lock(ctx, *f.dbPath, *f.lockWait, func(holder int) {
		log.Warn("another redress process is serving this database; waiting for it to exit", "pid", holder, "wait_s", f.lockWait.Seconds())
	})
	if err != nil && ctx.Err() != nil {
		return nil // stopped while waiting: a clean exit
	}
	if errors.Is(err, data.ErrLocked) {
		return fmt.Errorf("serve: the database %s is %w: stop it, or give this one another --db", *f.dbPath, err)
	}
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer release()
	// The log of sent messages serves /delete only: it is kept as long as
	// Telegram lets the bot delete them, not for the whole retention period.
	db, err := openStoreKey(ctx, *f.dbPath, c.key, data.WithSentWindow(bot.DeleteWindow))
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer db.Close()
	if *f.pprofAddr != "" {
		stopPprof, err := servePprof(*f.pprofAddr, log)
		if err != nil {
			return fmt.Errorf("serve: --pprof: %w", err)
		}
		defer stopPprof()
	}

	// The counters are kept only when someone can read them.
	var metrics *ops.Metrics
	var counted bot.Metrics
	if c.adminAddr != "" {
		metrics = ops.NewMetrics()
		counted = metrics
	}
	b, err := bot.New(bot.Config{
		Token:     c.token,
		APIURL:    os.Getenv("TELEGRAM_API_URL"),
		Store:     db,
		Evidence:  db,
		Papers:    c.papers,
		Flow:      c.flow,
		Localizer: c.loc,
		Distress:  c.loc.Distressed,
		Logger:    log,
		Workers:   *f.workers,
		Retention: c.keep,
		Org:       c.org,
		Metrics:   counted,

		HandoffChat: *f.hoChat,
		HandoffLang: handoffLang(c.loc, *f.hoLang),
		Cases:       db,
		AdminIDs:    c.admins,
		Stats:       db,
	})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}

	if c.adminAddr != "" {
		actx, stopAdmin := context.WithCancel(context.WithoutCancel(ctx))
		wait, err := ops.Serve(actx, adminConfig(c.adminAddr, metrics, db, b, log))
		if err != nil {
			stopAdmin()
			return fmt.Errorf("serve: --admin-listen: %w", err)
		}
		defer func() { // after the bot has drained, so /readyz answers to the end
			stopAdmin()
			wait()
		}()
	}

	// Retention runs beside the bot and stops with it.
	rctx, stopRetention := context.WithCancel(context.WithoutCancel(ctx))
	retained := make(chan struct{})
	go func() {
		defer close(retained)
		db.RunRetention(rctx, time.Hour, c.keep, log)
	}()
	defer func() {
		stopRetention()
		<-retained
	}()

	if *f.webhookURL == "" {
		return b.Run(ctx)
	}
	sec := c.secret
	if sec == "" {
		// Telegram is told the secret at every start, so a fresh one works.
		buf := make([]byte, 32)
		if _, err := rand.Read(buf); err != nil {
			return fmt.Errorf("serve: webhook secret: %w", err)
		}
		sec = hex.EncodeToString(buf)
	}
	return b.RunWebhook(ctx, bot.WebhookConfig{URL: *f.webhookURL, Secret: sec, Listen: *f.listen})
}

// readSecret reads a secret from a file; else from an environment
// variable; else from the systemd credential of that name
// ($CREDENTIALS_DIRECTORY/credential, LoadCredential=), if there is one.
// from says where it came from, for config check; never the secret.
func readSecret(file, env, credential string) (secret, from string, err error) {
	if file == "" {
		if v := strings.TrimSpace(os.Getenv(env)); v != "" {
			return v, "$" + env, nil
		}
		dir := os.Getenv("CREDENTIALS_DIRECTORY")
		if dir == "" {
			return "", "", nil
		}
		file = filepath.Join(dir, credential)
		if _, err := os.Stat(file); err != nil {
			return "", "", nil
		}
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", "", fmt.Errorf("read %s: %w", file, err)
	}
	return strings.TrimSpace(string(b)), "file " + file, nil
}

// parseRetention reads "90d" (days) or a Go duration such as "720h".
func parseRetention(s string) (time.Duration, error) {
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, fmt.Errorf("%q is not a number of days", s)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("%q is neither days (90d) nor a duration (720h)", s)
		}
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q must be positive", s)
	}
	return d, nil
}

// newLogger is the log of redress serve on w: text (key=value) lines, or
// one JSON object a line, at level and above. What any line may hold is
// said in docs/SECURITY.md: IDs, events, timings, errors — never what a
// user wrote or was told.
func newLogger(w io.Writer, level slog.Level, json bool) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if json {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// adminAddress is ops.Address: a port alone listens on loopback.
var adminAddress = ops.Address

// activeWindow is how recently a session must have changed to count as
// active in redress_sessions_active.
const activeWindow = 24 * time.Hour

// adminConfig wires the admin listener: the bot's counters, the store's
// gauges, and readiness (the database takes a write, Telegram was reached).
func adminConfig(addr string, m *ops.Metrics, db *data.DB, b *bot.Bot, log *slog.Logger) ops.Config {
	return ops.Config{
		Addr:    addr,
		Metrics: m,
		Logger:  log,
		Gauges: []ops.Gauge{
			{Name: "redress_outbox_depth", Help: "Replies waiting to be sent to Telegram.", Read: db.OutboxDepth},
			{Name: "redress_sessions_active", Help: "Conversations that changed in the last 24 hours.", Read: func(ctx context.Context) (int64, error) {
				return db.SessionsSince(ctx, time.Now().Add(-activeWindow))
			}},
		},
		Ready: []ops.Check{
			{Name: "database", Run: db.CheckWritable},
			{Name: "telegram", Run: b.CheckTelegram},
		},
	}
}

// tuneGC lets the heap grow by 150% between collections, not Go's 100%,
// unless GOGC is set: the bot's live heap is a few MB, so the extra room
// costs about 2 MB of peak memory at 100 chats and saves collections
// (docs/PERFORMANCE.md).
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(150)
	}
}

// parseIDs reads a comma-separated list of Telegram user IDs.
func parseIDs(s string) ([]int64, error) {
	var ids []int64
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("%q is not a Telegram user ID (a positive number; @userinfobot tells you yours)", f)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// handoffLang is the catalog language for code ("zh" → "zh-Hans"); "" stays "".
func handoffLang(loc localizer, code string) string {
	if code == "" {
		return ""
	}
	return loc.Match(code)
}
