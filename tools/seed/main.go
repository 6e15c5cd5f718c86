// Command seed fills a Redress database with stored sessions, for measuring
// start-up time and memory with many users (docs/PERFORMANCE.md):
//
//	go run ./tools/seed --db /tmp/million.db --sessions 1000000
//
// It uses only the data package's public API (data.Open, DB.Put), so the
// rows are exactly what `redress serve` writes: encrypted states under the
// key from $REDRESS_KEY or the key file beside the database, as serve finds
// it. Sessions are Telegram chats ("tg:<id>", ids from --chat-base) halfway
// through the benchmark questionnaire, last active within the past 30 days.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/redress-legal/redress/data"
	"github.com/redress-legal/redress/flows"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	dbPath := fs.String("db", "", "database `file` to fill (created if missing)")
	n := fs.Int("sessions", 1_000_000, "how many sessions to store")
	base := fs.Int64("chat-base", 5_000_000_000, "chat IDs are chat-base+1 ... chat-base+sessions")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dbPath == "" {
		return errors.New("--db is required")
	}
	if *n < 0 || *n > 50_000_000 {
		return errors.New("--sessions must be between 0 and 50,000,000")
	}
	key, err := loadKey(*dbPath)
	if err != nil {
		return err
	}
	now := time.Now()
	rnd := rand.New(rand.NewPCG(1, 2))
	var stamp time.Time
	db, err := data.Open(ctx, *dbPath, data.WithKey(key), data.WithClock(func() time.Time {
		if stamp.IsZero() {
			return time.Now()
		}
		return stamp
	}))
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	for i := 1; i <= *n; i++ {
		if i%50_000 == 0 {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			rate := float64(i) / time.Since(start).Seconds()
			fmt.Fprintf(os.Stderr, "seed: %d sessions (%.0f/s)\n", i, rate)
		}
		stamp = now.Add(-time.Duration(rnd.Int64N(int64(30 * 24 * time.Hour))))
		st := flows.State{
			Flow: "bench", Version: 1, Node: "q4_when", Lang: "en",
			Answers: map[string]flows.Answer{
				"q1_what": {Choice: "lies"}, "q2_where": {Choice: "weibo"}, "q3_public": {Choice: "yes"},
			},
			History: []string{"q1_what", "q2_where", "q3_public"},
		}
		if i%7 == 0 { // some finished, with a free-text answer
			st.Node, st.Done = "result", true
			st.Answers["q4_when"] = flows.Answer{Choice: "week"}
			st.Answers["q5_evidence"] = flows.Answer{Choice: "no"}
			st.Answers["q6_story"] = flows.Answer{Text: "seeded description " + strconv.Itoa(i)}
		}
		key := "tg:" + strconv.FormatInt(*base+int64(i), 10)
		if _, err := db.Put(ctx, flows.Session{Key: key, State: st}); err != nil {
			return fmt.Errorf("session %d: %w", i, err)
		}
	}
	fmt.Fprintf(os.Stderr, "seed: %d sessions in %s\n", *n, time.Since(start).Round(time.Millisecond))
	return nil
}

// loadKey finds the key the way `redress serve` does: $REDRESS_KEY, else
// the key file beside the database (redress.db → redress.key), created with
// mode 0600 if missing.
func loadKey(dbPath string) ([]byte, error) {
	if v := os.Getenv("REDRESS_KEY"); v != "" {
		return data.KeyFromEnv(v)
	}
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	ext := filepath.Ext(dbPath)
	return data.LoadOrCreateKey(dbPath[:len(dbPath)-len(ext)] + ".key")
}
