package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/redress-legal/redress/chat"
	"github.com/redress-legal/redress/commands"
	"github.com/redress-legal/redress/flows"
)

// runChat is `redress chat`: the terminal conversation on the local store.
func runChat(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	dbPath := fs.String("db", defaultDBPath(), "database `file` (sessions are kept here, encrypted)")
	lang := fs.String("lang", "", "language `code` (en, zh-Hans, zh-CN, ...); default: the session's, else $LANG")
	flowPath := fs.String("flow", "", "flow `file` to use instead of the built-in one")
	locDir := fs.String("locales", "", "`directory` of extra catalogs (*.toml) for your own flow; same-named files replace the built-in ones")
	user := fs.String("user", "default", "local session `name` (several people can keep separate sessions)")
	retention := fs.String("retention", "90d", "erase sessions idle longer than this (e.g. 90d, 720h)")
	docs := fs.String("docs", "", "`directory` the documents to file (/documents) are written to; default: documents/<user> beside the database")
	papersDir := fs.String("papers", "", "`directory` of document templates (*.yaml) to use instead of the built-in ones")
	today := fs.String("today", "", "pretend today is this `date` (YYYY-MM-DD), for reproducible scripted transcripts")
	orgName := fs.String("org-name", "", "your organisation's `name`, shown with its contact lines under the summary and in 'Who can help'")
	orgHours := fs.String("org-hours", "", "your organisation's office `hours`, shown with its contact lines")
	var orgContact listFlag
	fs.Var(&orgContact, "org-contact", "a contact `line` of your organisation (hotline, address, link); repeat for several")
	s, err := configure(fs, args, stdout)
	if err != nil {
		return err
	}
	org := commands.Org{Name: strings.TrimSpace(*orgName), Contact: orgContact, Hours: strings.TrimSpace(*orgHours)}
	if org.Name != "" && len(org.Contact) == 0 {
		s.problemf("org-contact", "--org-name without --org-contact: give users at least one way to reach you")
	}
	if err := s.err(); err != nil {
		return err
	}
	keep, err := parseRetention(*retention)
	if err != nil {
		return usagef("--retention %v", err)
	}
	clock := time.Now
	if *today != "" {
		d, err := time.ParseInLocation(time.DateOnly, *today, flows.China)
		if err != nil {
			return usagef("--today %q is not a date: write it as YYYY-MM-DD", *today)
		}
		clock = func() time.Time { return d.Add(12 * time.Hour) }
	}
	f, err := loadFlow(*flowPath)
	if err != nil {
		return fmt.Errorf("flow: %w", err)
	}
	loc, err := newLocalizer(*locDir)
	if err != nil {
		return err
	}
	set, err := loadPapers(*papersDir, f, *flowPath != "")
	if err != nil {
		return err
	}
	if set == nil {
		fmt.Fprintln(stderr, "redress chat: the built-in document templates do not fit this flow; /documents is off (use --papers DIR)")
	}
	docsPath := *docs
	if docsPath == "" {
		docsPath = docsDir(*dbPath, *user)
	}
	db, err := openStore(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.PurgeIdle(ctx, time.Now().Add(-keep)); err != nil {
		return fmt.Errorf("retention: %w", err)
	}
	if err := purgeReports(filepath.Join(filepath.Dir(*dbPath), "reports"), time.Now().Add(-keep)); err != nil {
		return fmt.Errorf("retention: %w", err)
	}
	if err := purgeDocuments(filepath.Join(filepath.Dir(*dbPath), "documents"), docsPath, time.Now().Add(-keep)); err != nil {
		return fmt.Errorf("retention: %w", err)
	}
	interactive := false
	if file, ok := stdin.(*os.File); ok {
		interactive = term.IsTerminal(int(file.Fd()))
	}
	cfg := chat.Config{
		Flow: f, Store: db, Evidence: db, Loc: loc, Distress: loc.Distressed,
		Key:  "local:" + *user,
		Lang: *lang, Env: envLang(),
		In: stdin, Out: stdout,
		Script:        !interactive,
		DBPath:        *dbPath,
		ReportDir:     reportDir(*dbPath, *user),
		Papers:        set,
		DocsDir:       docsPath,
		RetentionDays: int(keep / (24 * time.Hour)),
		Now:           clock,
		Org:           org,
	}
	if interactive {
		cfg.Prompt = "> "
	}
	return chat.Run(ctx, cfg)
}

// envLang is the user's language from the environment, as POSIX sets it.
func envLang() string {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if s := os.Getenv(v); s != "" && s != "C" && s != "POSIX" {
			return s
		}
	}
	return ""
}

// reportDir is where the terminal chat writes the full reports of one
// local user: reports/<user> beside the database, so /delete can erase
// that user's files and no one else's.
func reportDir(dbPath, user string) string {
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, user)
	if name == "" {
		name = "_"
	}
	return filepath.Join(filepath.Dir(dbPath), "reports", name)
}

// purgeReports removes report files not written since before (the same
// retention as the sessions), and folders left empty.
func purgeReports(dir string, before time.Time) error {
	users, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("report files: %w", err)
	}
	for _, u := range users {
		if !u.IsDir() {
			continue
		}
		sub := filepath.Join(dir, u.Name())
		files, err := os.ReadDir(sub)
		if err != nil {
			return fmt.Errorf("report files: %w", err)
		}
		left := 0
		for _, f := range files {
			info, err := f.Info()
			if err != nil || f.IsDir() || !info.ModTime().Before(before) {
				left++
				continue
			}
			if err := os.Remove(filepath.Join(sub, f.Name())); err != nil {
				return fmt.Errorf("report files: %w", err)
			}
		}
		if left == 0 {
			_ = os.Remove(sub)
		}
	}
	return nil
}

// docsDir is where the terminal chat writes the documents to file of one
// local user: documents/<user> beside the database, like reportDir.
func docsDir(dbPath, user string) string {
	return filepath.Join(filepath.Dir(dbPath), "documents", filepath.Base(reportDir(dbPath, user)))
}

// purgeDocuments removes the document files not written since before:
// those of every local user under root (documents/<user>), and those in
// dir (--docs). Nothing but the files Redress writes is removed.
func purgeDocuments(root, dir string, before time.Time) error {
	dirs := []string{dir}
	users, err := os.ReadDir(root)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("documents: %w", err)
	}
	for _, u := range users {
		if u.IsDir() {
			dirs = append(dirs, filepath.Join(root, u.Name()))
		}
	}
	for _, d := range dirs {
		files, _ := filepath.Glob(filepath.Join(d, chat.DocumentPattern))
		left := 0
		for _, p := range files {
			info, err := os.Stat(p)
			if err != nil || !info.ModTime().Before(before) {
				left++
				continue
			}
			if err := os.Remove(p); err != nil {
				return fmt.Errorf("documents: %w", err)
			}
		}
		if left == 0 && len(files) > 0 {
			_ = os.Remove(d) // only when empty
		}
	}
	return nil
}
