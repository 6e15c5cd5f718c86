// Package chat is the terminal transport: the same conversation as the
// Telegram bot, read from standard input and written as plain text, on the
// same engine and the same session store. It is the embedded default of
// `redress chat`: no token, no network.
//
// Like bot, it depends only on flows; the catalogs reach it through a
// flows.Localizer.
package chat

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/redress-legal/redress/flows"
)

// MaxLine is the longest input line read; longer lines are discarded whole
// with a notice, so a pasted 10 MB text never reaches the engine or the store.
const MaxLine = 64 << 10

// Messages lists the catalog messages this package shows, with the
// parameters each may use, so the checker can verify the catalogs.
var Messages = map[string][]string{
	"chat.hint.choice":     {},
	"chat.hint.multi":      {},
	"chat.hint.number":     {},
	"chat.hint.date":       {},
	"chat.hint.text":       {},
	"chat.hint.unknown":    {"label"},
	"chat.help":            {},
	"chat.lang.ask":        {},
	"chat.lang.done":       {},
	"chat.delete.confirm":  {},
	"chat.delete.done":     {},
	"chat.delete.kept":     {},
	"chat.unknown_command": {"command"},
	"chat.bye":             {},
	"chat.line_too_long":   {},
	"chat.privacy":         {"path", "days"},
	"ui.language_name":     {},
}

// Config is what a chat needs.
type Config struct {
	Flow  *flows.Flow
	Store flows.Store
	Loc   flows.Localizer
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
	// DBPath and RetentionDays are shown by /privacy.
	DBPath        string
	RetentionDays int
}

type session struct {
	cfg   Config
	sess  flows.Session
	reply flows.Reply
	// mode is a pending chat-level question: "" (none), "lang", "delete".
	mode string
}

// Run holds a conversation until the input ends or the user types /quit.
// Progress is stored after every step, so quitting and starting again
// resumes where the user was.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &session{cfg: cfg}
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
	if err := s.step(ctx, flows.Input{Kind: flows.InStart}); err != nil {
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
			s.show(s.reply.Question, true)
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
	if q := s.reply.Question; q != nil && q.Type == flows.Text && s.mode == "" && !strings.HasPrefix(strings.TrimSpace(line), "/") {
		line = fmt.Sprintf("(%d characters)", utf8.RuneCountInString(line))
	}
	fmt.Fprintf(s.cfg.Out, "> %s\n\n", line)
}

// handle acts on one input line and says whether the user quit.
func (s *session) handle(ctx context.Context, line string) (bool, error) {
	t := strings.TrimSpace(line)
	switch s.mode {
	case "lang":
		s.mode = ""
		langs := s.cfg.Loc.Languages()
		if i, err := strconv.Atoi(t); err == nil && i >= 1 && i <= len(langs) {
			return false, s.setLang(ctx, langs[i-1])
		}
		if t != "" && !strings.HasPrefix(t, "/") {
			return false, s.setLang(ctx, s.cfg.Loc.Match(t))
		}
	case "delete":
		s.mode = ""
		if strings.EqualFold(t, "yes") || t == "是" || t == "确认" {
			return false, s.erase(ctx)
		}
		s.say("chat.delete.kept", nil)
		s.show(s.reply.Question, true)
		return false, nil
	}
	cmd, arg, _ := strings.Cut(strings.ToLower(t), " ")
	switch cmd {
	case "/quit", "/exit", "/q":
		s.say("chat.bye", nil)
		return true, nil
	case "/lang", "/language":
		if arg != "" {
			return false, s.setLang(ctx, s.cfg.Loc.Match(arg))
		}
		s.mode = "lang"
		fmt.Fprintln(s.cfg.Out, s.text("chat.lang.ask", nil))
		for i, l := range s.cfg.Loc.Languages() {
			fmt.Fprintf(s.cfg.Out, "[%d] %s\n", i+1, s.cfg.Loc.Text(l, flows.Message{ID: "ui.language_name"}))
		}
		fmt.Fprintln(s.cfg.Out)
		return false, nil
	case "/delete":
		s.mode = "delete"
		s.say("chat.delete.confirm", nil)
		return false, nil
	case "/privacy":
		s.say("chat.privacy", map[string]any{"path": s.cfg.DBPath, "days": int64(s.cfg.RetentionDays)})
		return false, nil
	case "/help":
		s.say("chat.help", nil)
	}
	in := flows.TextInput(line, s.cfg.Now())
	if in.Kind == flows.InText && strings.HasPrefix(t, "/") && len(t) > 1 {
		s.say("chat.unknown_command", map[string]any{"command": firstWord(t)})
		s.show(s.reply.Question, true)
		return false, nil
	}
	return false, s.step(ctx, in)
}

func firstWord(s string) string {
	w, _, _ := strings.Cut(s, " ")
	if utf8.RuneCountInString(w) > 40 {
		w = string([]rune(w)[:40]) + "…"
	}
	return w
}

func (s *session) setLang(ctx context.Context, lang string) error {
	s.sess.State.Lang = lang
	s.say("chat.lang.done", nil)
	return s.step(ctx, flows.Input{Kind: flows.InRepeat})
}

func (s *session) erase(ctx context.Context) error {
	if err := s.cfg.Store.Delete(ctx, s.cfg.Key); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	s.sess = flows.Session{Key: s.cfg.Key, State: flows.State{Lang: s.lang()}}
	s.reply = flows.Reply{}
	s.say("chat.delete.done", nil)
	return nil
}

// step runs the engine, stores the new state, then shows the reply: the
// state is saved before anything is shown, so what the user saw is never lost.
func (s *session) step(ctx context.Context, in flows.Input) error {
	in.Now = s.cfg.Now()
	st, r := flows.Step(s.cfg.Flow, s.sess.State, in)
	next := s.sess
	next.State = st
	saved, err := s.cfg.Store.Put(ctx, next)
	if err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	s.sess = saved
	s.reply = r
	s.render(r)
	return nil
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
			fmt.Fprintf(out, "  %s: %s\n", m.Params["id"], text)
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
		s.show(r.Question, false)
	}
}

// show prints the answer options of q and how to answer; with again, the
// question text is printed first too.
func (s *session) show(q *flows.Question, again bool) {
	if q == nil {
		return
	}
	out := s.cfg.Out
	if again {
		for _, m := range s.reply.Messages {
			if m.Kind == flows.KindQuestion {
				fmt.Fprintf(out, "%s\n", s.cfg.Loc.Text(s.lang(), m))
			}
		}
	}
	for i, c := range q.Choices {
		fmt.Fprintf(out, "[%d] %s\n", i+1, s.text(c.Label, nil))
	}
	if q.Unknown != "" {
		fmt.Fprintf(out, "[?] %s\n", s.text(q.Unknown, nil))
	}
	hint := map[flows.NodeType]string{flows.Choice: "chat.hint.choice", flows.Multi: "chat.hint.multi",
		flows.Number: "chat.hint.number", flows.Date: "chat.hint.date", flows.Text: "chat.hint.text"}[q.Type]
	fmt.Fprintf(out, "(%s)\n", s.text(hint, nil))
	if q.Unknown != "" {
		fmt.Fprintf(out, "(%s)\n", s.text("chat.hint.unknown", map[string]any{"label": s.text(q.Unknown, nil)}))
	}
	fmt.Fprintln(out)
}
