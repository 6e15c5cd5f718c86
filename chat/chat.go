// Package chat is the terminal transport: the same conversation as the
// Telegram bot, read from standard input and written as plain text, on the
// same engine and the same session store. It is the embedded default of
// `redress chat`: no token, no network.
//
// Commands and menus (/help, /lang, /privacy, /delete, ...) are decided by
// package commands, as for the bot; this package parses lines, renders what
// commands and the engine reply, and persists the state. Like bot, it
// depends only on flows and commands; the catalogs reach it through a
// flows.Localizer.
package chat

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/redress-legal/redress/commands"
	"github.com/redress-legal/redress/flows"
	"github.com/redress-legal/redress/report"
)

// MaxLine is the longest input line read; longer lines are discarded whole
// with a notice, so a pasted 10 MB text never reaches the engine or the store.
const MaxLine = 64 << 10

// Messages lists the catalog messages this package shows, with the
// parameters each may use, so the checker can verify the catalogs.
var Messages = map[string][]string{
	"chat.hint.choice":    {},
	"chat.hint.multi":     {},
	"chat.hint.number":    {},
	"chat.hint.date":      {},
	"chat.hint.text":      {},
	"chat.hint.period":    {},
	"chat.hint.unknown":   {"label"},
	"chat.help":           {},
	"chat.delete.confirm": {},
	"chat.delete.done":    {},
	"chat.bye":            {},
	"chat.line_too_long":  {},
	"chat.privacy":        {"path", "days", "reports"},
	"chat.report.saved":   {"path"},
	"chat.report.failed":  {},
	"chat.human":          {},
}

// Config is what a chat needs.
type Config struct {
	Flow  *flows.Flow
	Store flows.Store
	Loc   flows.Localizer
	// Distress reports whether a typed line says the person may be in
	// danger or thinking of suicide or self-harm: it gets the crisis help,
	// then the question again. nil: only /sos and the flow's options do.
	Distress func(text string) bool
	// Key is the session key, e.g. "local:default".
	Key string
	// Lang is a language code given by the user (--lang); empty keeps the
	// session's language, or uses Env for a new session.
	Lang string
	// Env is the language of the environment (e.g. $LANG), for new sessions.
	Env string
	In  io.Reader
	Out io.Writer
	// Script is set when the input is a script rather than a person at a
	// terminal: each input line is echoed into the output, as a transcript
	// does (free-text answers are not: they can be sensitive), and blank
	// lines and lines starting with "#" are skipped as comments.
	Script bool
	// Prompt is written before each input when non-empty (interactive use).
	Prompt string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// ReportDir is where the full report is written as an HTML file (made
	// with mode 0700 when missing); "" is the current directory.
	ReportDir string
	// DBPath and RetentionDays are shown by /privacy.
	DBPath        string
	RetentionDays int
}

type session struct {
	cfg  Config
	env  *commands.Env
	sess flows.Session
	// reply is the engine's last reply: its question is the one being asked
	// (a menu of commands is shown over it, not in its place).
	reply flows.Reply
}

// Run holds a conversation until the input ends or the user types /quit.
// Progress is stored after every step, so quitting and starting again
// resumes where the user was.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &session{cfg: cfg, env: &commands.Env{Flow: cfg.Flow, Loc: cfg.Loc, Typed: true, Distress: cfg.Distress, Texts: commands.Texts{
		Help:          "chat.help",
		Privacy:       "chat.privacy",
		PrivacyParams: map[string]any{"path": cfg.DBPath, "days": int64(cfg.RetentionDays), "reports": cfg.ReportDir},
		DeleteConfirm: "chat.delete.confirm",
		DeleteDone:    "chat.delete.done",
		Human:         "chat.human",
	}}}
	sess, err := cfg.Store.Get(ctx, cfg.Key)
	switch {
	case errors.Is(err, flows.ErrNotFound):
		sess = flows.Session{Key: cfg.Key}
		sess.State.Lang = cfg.Loc.Match(cfg.Env)
	case err != nil:
		return fmt.Errorf("load session: %w", err)
	}
	if cfg.Lang != "" {
		sess.State.Lang = cfg.Loc.Match(cfg.Lang)
	}
	s.sess = sess
	if err := s.apply(ctx, s.env.Step(s.sess.State, s.lang(), flows.Input{Kind: flows.InStart, Now: cfg.Now()})); err != nil {
		return err
	}
	r := bufio.NewReaderSize(cfg.In, 4096)
	for {
		if err := ctx.Err(); err != nil {
			return nil
		}
		if cfg.Prompt != "" {
			fmt.Fprint(cfg.Out, cfg.Prompt)
		}
		line, tooLong, err := readLine(r)
		if err == io.EOF && line == "" && !tooLong {
			return nil
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("read input: %w", err)
		}
		if tooLong {
			s.echo("(…)")
			s.say("chat.line_too_long", nil)
			s.show(s.question(), true)
			continue
		}
		if cfg.Script && (strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#")) {
			continue
		}
		s.echo(line)
		quit, err := s.handle(ctx, line)
		if err != nil {
			return err
		}
		if quit {
			return nil
		}
		if err == nil && errors.Is(ctx.Err(), context.Canceled) {
			return nil
		}
	}
}

// readLine reads one line, discarding the rest of a line longer than MaxLine.
func readLine(r *bufio.Reader) (string, bool, error) {
	var b []byte
	tooLong := false
	for {
		chunk, isPrefix, err := r.ReadLine()
		if !tooLong {
			b = append(b, chunk...)
			if len(b) > MaxLine {
				tooLong, b = true, nil
			}
		}
		if err != nil {
			return string(b), tooLong, err
		}
		if !isPrefix {
			return strings.TrimSuffix(string(b), "\r"), tooLong, nil
		}
	}
}

func (s *session) lang() string { return s.sess.State.Lang }

func (s *session) text(id string, params map[string]any) string {
	return s.cfg.Loc.Text(s.lang(), flows.Message{ID: id, Params: params})
}

func (s *session) say(id string, params map[string]any) {
	fmt.Fprintln(s.cfg.Out, s.text(id, params))
	fmt.Fprintln(s.cfg.Out)
}

func (s *session) echo(line string) {
	if !s.cfg.Script {
		return
	}
	if q := s.reply.Question; q != nil && q.Type == flows.Text && s.sess.State.Menu == "" && !strings.HasPrefix(strings.TrimSpace(line), "/") {
		line = fmt.Sprintf("(%d characters)", utf8.RuneCountInString(line))
	}
	fmt.Fprintf(s.cfg.Out, "> %s\n\n", line)
}

// handle acts on one input line and says whether the user quit.
func (s *session) handle(ctx context.Context, line string) (bool, error) {
	if c, ok := commands.Parse(line); ok && s.sess.State.Menu == "" {
		switch c.Name {
		case "quit", "exit", "q":
			s.say("chat.bye", nil)
			return true, nil
		}
	}
	return false, s.apply(ctx, s.env.Text(s.sess.State, s.lang(), line, s.cfg.Now()))
}

// apply persists an outcome (erasing first when it asks to), then shows
// it: the state is saved before anything is shown, so what the user saw is
// never lost.
func (s *session) apply(ctx context.Context, out commands.Outcome) error {
	if out.Erase {
		if err := s.cfg.Store.Delete(ctx, s.cfg.Key); err != nil {
			return fmt.Errorf("delete session: %w", err)
		}
		// The report files hold the same answers, unencrypted: they go too.
		if s.cfg.ReportDir != "" {
			if err := os.RemoveAll(s.cfg.ReportDir); err != nil {
				return fmt.Errorf("delete report files: %w", err)
			}
		}
		// Nothing is stored until the next step; the language stays.
		s.sess = flows.Session{Key: s.cfg.Key, State: out.State}
		s.reply = flows.Reply{}
	} else if out.Changed {
		next := s.sess
		next.State = out.State
		saved, err := s.cfg.Store.Put(ctx, next)
		if err != nil {
			return fmt.Errorf("save session: %w", err)
		}
		s.sess = saved
	}
	if out.Result != nil {
		s.say(out.Result.ID, out.Result.Params)
	}
	menu := out.Reply.Question != nil && commands.IsMenu(out.Reply.Question.Node)
	if !menu && (out.Reply.Question != nil || out.Erase) {
		s.reply = out.Reply
	}
	if out.Show != nil {
		s.showPart(out.Show)
	}
	s.render(out.Reply)
	if out.Reply.Question == nil && out.Result != nil {
		s.show(s.question(), true) // the question the menu was shown over
	}
	return nil
}

// showPart prints a part of the report whole (a terminal has no length
// limit), or writes the whole report to an HTML file and prints its path.
func (s *session) showPart(sh *commands.Show) {
	if sh.Part != commands.KeyFull {
		if p, ok := sh.Report.Part(sh.Part); ok {
			title := flows.Message{ID: p.Title, Kind: flows.KindHeading}
			s.render(flows.Reply{Messages: append([]flows.Message{title}, p.Messages...)})
		}
		return
	}
	path, err := s.writeReport(sh.Report)
	if err != nil {
		s.say("chat.report.failed", nil)
		return
	}
	s.say("chat.report.saved", map[string]any{"path": path})
}

// writeReport writes the whole report as an HTML file in ReportDir,
// readable by the user alone, and returns its path.
func (s *session) writeReport(rep *flows.Report) (string, error) {
	b, err := report.HTML(s.cfg.Loc, s.lang(), rep)
	if err != nil {
		return "", err
	}
	dir := s.cfg.ReportDir
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", fmt.Errorf("report directory: %w", err)
		}
	}
	path := filepath.Join(dir, report.FileName(rep))
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return "", fmt.Errorf("write report: %w", err)
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return path, nil
}

// question is the question being asked, unless a menu waits.
func (s *session) question() *flows.Question {
	if s.sess.State.Menu != "" {
		return nil
	}
	return s.reply.Question
}

func (s *session) render(r flows.Reply) {
	out := s.cfg.Out
	inSources := false
	for _, m := range r.Messages {
		if m.Kind == flows.KindQuestion {
			continue // shown with its choices below
		}
		if inSources && m.Kind != flows.KindSource {
			fmt.Fprintln(out)
		}
		inSources = m.Kind == flows.KindSource
		text := s.cfg.Loc.Text(s.lang(), m)
		switch m.Kind {
		case flows.KindHeading:
			fmt.Fprintf(out, "== %s ==\n\n", text)
		case flows.KindFinding:
			fmt.Fprintf(out, "• %s\n\n", text)
		case flows.KindSource:
			fmt.Fprintf(out, "  • %s\n", text)
		default:
			fmt.Fprintf(out, "%s\n\n", text)
		}
	}
	if inSources {
		fmt.Fprintln(out)
	}
	if r.Question != nil {
		for _, m := range r.Messages {
			if m.Kind == flows.KindQuestion {
				fmt.Fprintf(out, "%s\n", s.cfg.Loc.Text(s.lang(), m))
			}
		}
		s.showChoices(r.Question)
	}
}

// show prints the question q of the engine's last reply again, with its
// options and how to answer; with again, the question text first.
func (s *session) show(q *flows.Question, again bool) {
	if q == nil {
		return
	}
	if again {
		for _, m := range s.reply.Messages {
			if m.Kind == flows.KindQuestion {
				fmt.Fprintf(s.cfg.Out, "%s\n", s.cfg.Loc.Text(s.lang(), m))
			}
		}
	}
	s.showChoices(q)
}

// showChoices prints the answer options of q and how to answer.
func (s *session) showChoices(q *flows.Question) {
	out := s.cfg.Out
	for i, c := range q.Choices {
		lang := s.lang()
		if c.Lang != "" {
			lang = c.Lang
		}
		fmt.Fprintf(out, "[%d] %s\n", i+1, s.cfg.Loc.Text(lang, flows.Message{ID: c.Label}))
	}
	if q.Unknown != "" {
		fmt.Fprintf(out, "[?] %s\n", s.text(q.Unknown, nil))
	}
	hint := map[flows.NodeType]string{flows.Choice: "chat.hint.choice", flows.Multi: "chat.hint.multi",
		flows.Number: "chat.hint.number", flows.Date: "chat.hint.date", flows.Period: "chat.hint.period", flows.Text: "chat.hint.text"}[q.Type]
	fmt.Fprintf(out, "(%s)\n", s.text(hint, nil))
	if q.Unknown != "" {
		fmt.Fprintf(out, "(%s)\n", s.text("chat.hint.unknown", map[string]any{"label": s.text(q.Unknown, nil)}))
	}
	fmt.Fprintln(out)
}
