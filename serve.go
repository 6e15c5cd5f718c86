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
	"github.com/redress-legal/redress/data"
)

const serveUsage = `Usage: redress serve [flags]

Runs Redress as a Telegram bot. The token comes from $TELEGRAM_BOT_TOKEN or
--token-file; $TELEGRAM_API_URL points at another Bot API server (a local
one, or a fake in tests). Long polling unless --webhook-url is given.
SIGINT or SIGTERM finish the work in progress and the replies due, then exit 0.

Flags:
`

// runServe runs the Telegram bot until ctx ends or a signal comes.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), serveUsage)
		fs.PrintDefaults()
	}
	var (
		tokenFile  = fs.String("token-file", "", "file holding the bot token (default: $TELEGRAM_BOT_TOKEN)")
		dbPath     = fs.String("db", defaultDBPath(), "database file")
		flowPath   = fs.String("flow", "", "flow file (default: the built-in flow)")
		locDir     = fs.String("locales", "", "directory of extra catalogs (*.toml) for your own flow; same-named files replace the built-in ones")
		pprofAddr  = fs.String("pprof", "", "serve net/http/pprof on this loopback address (e.g. 127.0.0.1:6060); off by default")
		webhookURL = fs.String("webhook-url", "", "public HTTPS URL Telegram posts updates to (default: long polling)")
		listen     = fs.String("listen", "127.0.0.1:8443", "address the webhook server listens on, behind your reverse proxy")
		secret     = fs.String("webhook-secret", "", "webhook secret token (default: $TELEGRAM_WEBHOOK_SECRET, else a random one each start)")
		secretFile = fs.String("webhook-secret-file", "", "file holding the webhook secret token")
		logLevel   = fs.String("log-level", "info", "debug, info, warn or error")
		retention  = fs.String("retention", "90d", "delete conversations idle longer than this (e.g. 90d, 720h)")
		workers    = fs.Int("workers", 8, "updates handled at once, each of another chat")
		lockWait   = fs.Duration("lock-wait", 30*time.Second, "how long to wait for another redress serve on the same --db to exit before giving up")
		adminIDs   = fs.String("admin-ids", "", "comma-separated Telegram user IDs that may read /stats (counts only)")
		hoChat     = fs.Int64("handoff-chat", 0, "ID of the volunteers' group that consented cases are handed to (negative, e.g. -1001234567890); 0: no hand-off")
		hoLang     = fs.String("handoff-lang", "", "language of the case cards and of the bot in the volunteers' group (default: the first catalog, en)")
	)
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return usagef("--log-level %q is not a level: use debug, info, warn or error", *logLevel)
	}
	keep, err := parseRetention(*retention)
	if err != nil {
		return usagef("--retention %v", err)
	}
	if *workers < 1 {
		return usagef("--workers %d: at least 1 update must be handled at a time", *workers)
	}
	if *lockWait < 0 {
		return usagef("--lock-wait %s: a wait cannot be negative", *lockWait)
	}
	admins, err := parseIDs(*adminIDs)
	if err != nil {
		return usagef("--admin-ids %v", err)
	}
	if *hoChat > 0 {
		return usagef("--handoff-chat %d: a group's ID is negative (add the bot to the group and read the ID from a message there)", *hoChat)
	}
	if *secret != "" && *secretFile != "" {
		return usagef("--webhook-secret and --webhook-secret-file both given: use one")
	}
	token, err := readSecret(*tokenFile, "TELEGRAM_BOT_TOKEN")
	if err != nil {
		return usagef("--token-file: %v: give a readable file holding the bot token", err)
	}
	if token == "" {
		if *tokenFile != "" {
			return usagef("--token-file %s is empty: put the token BotFather gave you in it", *tokenFile)
		}
		return usagef("no bot token: set TELEGRAM_BOT_TOKEN or pass --token-file FILE (BotFather gives you a token)")
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	tuneGC()

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	flow, err := loadFlow(*flowPath)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	loc, err := newLocalizer(*locDir)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	// One process serves a database at a time: two would both deliver the
	// outbox (data.Lock). A restart that begins while the old process is
	// still exiting waits for it.
	if err := os.MkdirAll(filepath.Dir(*dbPath), 0o700); err != nil {
		return fmt.Errorf("serve: create data directory: %w", err)
	}
	release, err := data.Lock(ctx, *dbPath, *lockWait, func(holder int) {
		log.Warn("another redress process is serving this database; waiting for it to exit", "pid", holder, "wait_s", lockWait.Seconds())
	})
	if err != nil && ctx.Err() != nil {
		return nil // stopped while waiting: a clean exit
	}
	if errors.Is(err, data.ErrLocked) {
		return fmt.Errorf("serve: the database %s is %w: stop it, or give this one another --db", *dbPath, err)
	}
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer release()
	// The log of sent messages serves /delete only: it is kept as long as
	// Telegram lets the bot delete them, not for the whole retention period.
	db, err := openStore(ctx, *dbPath, data.WithSentWindow(bot.DeleteWindow))
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer db.Close()
	if *pprofAddr != "" {
		stopPprof, err := servePprof(*pprofAddr, log)
		if err != nil {
			return fmt.Errorf("serve: --pprof: %w", err)
		}
		defer stopPprof()
	}

	b, err := bot.New(bot.Config{
		Token:     token,
		APIURL:    os.Getenv("TELEGRAM_API_URL"),
		Store:     db,
		Flow:      flow,
		Localizer: loc,
		Distress:  loc.Distressed,
		Logger:    log,
		Workers:   *workers,
		Retention: keep,

		HandoffChat: *hoChat,
		HandoffLang: handoffLang(loc, *hoLang),
		Cases:       db,
		AdminIDs:    admins,
		Stats:       db,
	})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}

	// Retention runs beside the bot and stops with it.
	rctx, stopRetention := context.WithCancel(context.WithoutCancel(ctx))
	retained := make(chan struct{})
	go func() {
		defer close(retained)
		db.RunRetention(rctx, time.Hour, keep, log)
	}()
	defer func() {
		stopRetention()
		<-retained
	}()

	if *webhookURL == "" {
		return b.Run(ctx)
	}
	sec := *secret
	if sec == "" {
		if sec, err = readSecret(*secretFile, "TELEGRAM_WEBHOOK_SECRET"); err != nil {
			return fmt.Errorf("serve: webhook secret: %w", err)
		}
	}
	if sec == "" {
		// Telegram is told the secret at every start, so a fresh one works.
		buf := make([]byte, 32)
		if _, err := rand.Read(buf); err != nil {
			return fmt.Errorf("serve: webhook secret: %w", err)
		}
		sec = hex.EncodeToString(buf)
	}
	return b.RunWebhook(ctx, bot.WebhookConfig{URL: *webhookURL, Secret: sec, Listen: *listen})
}

// readSecret reads a secret from a file, else from an environment variable.
func readSecret(file, env string) (string, error) {
	if file == "" {
		return strings.TrimSpace(os.Getenv(env)), nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", file, err)
	}
	return strings.TrimSpace(string(b)), nil
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
