package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/redress-legal/redress/bot"
	"github.com/redress-legal/redress/commands"
)

const statsUsage = `Usage: redress stats [--db PATH] [--weeks N]

Prints the statistics of a Redress database for the group that runs it:
conversations started (by language) and completed (by outcome), the
findings of the assessments (by section), hand-offs requested, claimed and
closed, per ISO week (China time), newest first. Counts only: nothing in
them identifies a person, and /delete and retention leave them alone.
The same counts are sent to the admins of the bot with /stats.

Flags:
`

// runStats prints the statistics of a database.
func runStats(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("stats", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), statsUsage)
		fs.PrintDefaults()
	}
	dbPath := fs.String("db", defaultDBPath(), "database file")
	weeks := fs.Int("weeks", bot.StatsWeeks, "how many weeks to show, this one included; 0: all")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if *weeks < 0 {
		return usagef("--weeks %d: give a number of weeks, or 0 for all", *weeks)
	}
	if _, err := os.Stat(*dbPath); err != nil {
		return usagef("--db %s: %v", *dbPath, err)
	}
	db, err := openStore(ctx, *dbPath)
	if err != nil {
		return fmt.Errorf("stats: %w", err)
	}
	defer db.Close()
	since := time.Time{}
	if *weeks > 0 {
		since = time.Now().AddDate(0, 0, -7*(*weeks-1))
	}
	rows, err := db.Stats(ctx, since)
	if err != nil {
		return fmt.Errorf("stats: %w", err)
	}
	fmt.Fprintln(stdout, "Redress statistics: counts only, nothing that identifies a person.")
	if len(rows) == 0 {
		fmt.Fprintln(stdout, "Nothing counted yet.")
	}
	for _, w := range bot.StatsByWeek(rows) {
		h := w.Values[commands.CountHandoff]
		fmt.Fprintf(stdout, "\nWeek %s: %d conversations started, %d completed\n", w.Week, w.Total(commands.CountStarted), w.Total(commands.CountCompleted))
		fmt.Fprintf(stdout, "  hand-offs: %d requested, %d claimed, %d closed\n", h[commands.HandoffRequested], h[commands.HandoffClaimed], h[commands.HandoffClosed])
		for _, k := range []struct{ kind, name string }{
			{commands.CountStarted, "languages"}, {commands.CountCompleted, "outcomes"}, {commands.CountFinding, "findings (section/finding)"},
		} {
			if list := w.List(k.kind); list != "" {
				fmt.Fprintf(stdout, "  %s: %s\n", k.name, list)
			}
		}
	}
	return nil
}
