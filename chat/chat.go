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
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/redress-legal/redress/commands"
	"github.com/redress-legal/redress/flows"
	"github.com/redress-legal/redress/papers"
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
	"chat.script_new":     {},
	"chat.privacy":        {"path", "days", "reports", "documents"},
	"chat.docs.saved":     {"path"},
	"chat.report.saved":   {"path"},
	"chat.report.failed":  {},
	"chat.evidence.how":   {},
	"chat.human":          {},
}

// Config is what a chat needs.
type Config struct {
	Flow  *flows.Flow
	Store flows.Store
	// Evidence keeps the evidence log (/evidence); nil: none is offered.
	// It is the same store as Store, whose Delete erases the log with the
	// session (flowstest.RunEvidenceSuite checks both do).
	Evidence flows.EvidenceStore
	Loc      flows.Localizer
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
	// Org is the organisation running this terminal chat, shown in the
	// summary and under "Who can help"; zero: none.
	Org commands.Org
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// ReportDir is where the full report is written as an HTML file (made
	// with mode 0700 when missing); "" is the current directory.
	ReportDir string
	// Papers makes the documents to file (/documents); nil: none can be made.
	Papers *papers.Set
	// DocsDir is where the documents are written as .docx files (made with
	// mode 0700 when missing); "" is the current directory.
	DocsDir string
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
	s := &session{cfg: cfg, env: &commands.Env{Flow: cfg.Flow, Loc: cfg.Loc, Typed: true, Distress: cfg.Distress, Org: cfg.Org, Texts: commands.Texts{
		Help:          "chat.help",
		Privacy:       "chat.privacy",
		PrivacyParams: map[string]any{"path": cfg.DBPath, "days": int64(cfg.RetentionDays), "reports": cfg.ReportDir, "documents": cfg.DocsDir},
		DeleteConfirm: "chat.delete.confirm",
		DeleteDone:    "chat.delete.done",
		EvidenceHow:   "chat.evidence.how",
		Human:         "chat.human",
	}, Documents: cfg.Papers != nil}}
	if cfg.Evidence != nil {
		s.env.EvidenceLog, s.env.Files = cfg.Evidence, localFiles{}
	}
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
	r := bufio.NewReaderSize(cfg.In, 4096)
	next := func() (string, bool, error) { return readLine(r) }
	// A script whose first line is an answer, run on a finished assessment,
	// is a new case (a scripted scenario run twice): it starts a new
	// conversation instead of answering "your assessment is complete" to
	// every line. A script that starts with a command (/report, /documents)
	// still reaches the finished one.
	fresh := false
	if cfg.Script && sess.State.Done {
		first, tooLong, err := skipComments(r)
		next = once(first, tooLong, err, next)
		if _, cmd := commands.Parse(first); (first != "" || tooLong) && !cmd {
			sess.State, fresh = flows.State{Lang: sess.State.Lang}, true
		}
	}
	s.sess = sess
	if fresh {
		s.say("chat.script_new", nil)
	}
	if err := s.apply(ctx, s.env.Step(s.sess.State, s.lang(), flows.Input{Kind: flows.InStart, Now: cfg.Now()})); err != nil {
		return err
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil
		}
		if cfg.Prompt != "" {
			fmt.Fprint(cfg.Out, cfg.Prompt)
		}
		line, tooLong, err := next()
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
		if cfg.Script && scriptComment(line) {
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

// skipComments reads a script up to its first line that counts (not blank,
// not a # comment).
func skipComments(r *bufio.Reader) (string, bool, error) {
	for {
		line, tooLong, err := readLine(r)
		if tooLong || err != nil || !scriptComment(line) {
			return line, tooLong, err
		}
	}
}

// scriptComment reports whether a line of a script is blank or a # comment:
// not input.
func scriptComment(line string) bool {
	t := strings.TrimSpace(line)
	return t == "" || strings.HasPrefix(t, "#")
}

// once returns a reader of lines that gives the line already read first,
// then the lines of next.
func once(line string, tooLong bool, err error, next func() (string, bool, error)) func() (string, bool, error) {
	used := false
	return func() (string, bool, error) {
		if used {
			return next()
		}
		used = true
		return line, tooLong, err
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
	if c, ok := commands.Parse(line); ok && c.Name == commands.Evidence && s.cfg.Evidence != nil {
		line = evidenceEcho(c)
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
	now := s.cfg.Now()
	out := s.env.Text(s.sess.State, s.lang(), line, now)
	if out.Evidence != nil {
		var err error
		if out, err = s.env.Evidence(ctx, s.cfg.Key, out.State, out.State.Lang, *out.Evidence, now); err != nil {
			return false, err
		}
	}
	return false, s.apply(ctx, out)
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
		if err := RemoveDocuments(s.cfg.DocsDir); err != nil {
			return fmt.Errorf("delete documents: %w", err)
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
	if out.Docs != nil {
		s.documents(ctx, out.State, out.Docs)
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

// evidenceEcho is an /evidence line as a transcript shows it: the command,
// the request and the number of an item, never a path, link, description
// or note, which can be sensitive.
func evidenceEcho(c commands.Command) string {
	fields := strings.Fields(c.Arg)
	keep := 0
	if len(fields) > 0 && !strings.Contains(fields[0], ".") && !strings.Contains(fields[0], "/") {
		keep = 1
		if len(fields) == 2 && strings.Trim(fields[1], "0123456789") == "" {
			keep = 2 // "/evidence remove 2"
		}
	}
	line := strings.TrimSpace("/" + string(c.Name) + " " + strings.Join(fields[:keep], " "))
	if rest := strings.Join(fields[keep:], " "); rest != "" {
		line += fmt.Sprintf(" (%d characters)", utf8.RuneCountInString(rest))
	}
	return line
}

// localFiles opens the files named in "/evidence add PATH" on this
// computer: the transport's side of commands.FileOpener. The bytes are
// streamed into the hash, never copied.
type localFiles struct{}

// OpenFile opens the regular file at path ("~/" is the home directory)
// and gives its name and media type (by extension, else sniffed).
func (localFiles) OpenFile(ctx context.Context, path string) (commands.File, error) {
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		home, err := os.UserHomeDir()
		if err != nil {
			return commands.File{}, fmt.Errorf("home directory: %w", err)
		}
		path = filepath.Join(home, rest)
	}
	f, err := os.Open(path)
	if err != nil {
		return commands.File{}, fmt.Errorf("open evidence file: %w", err)
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return commands.File{}, fmt.Errorf("open evidence file: not a regular file (%v)", err)
	}
	r := bufio.NewReader(f)
	typ := mime.TypeByExtension(strings.ToLower(filepath.Ext(path)))
	if typ == "" {
		head, _ := r.Peek(512)
		typ = http.DetectContentType(head)
	}
	return commands.File{Body: readCloser{r, f}, Name: filepath.Base(path), MIME: typ}, nil
}

// readCloser reads through a buffer and closes the file under it.
type readCloser struct {
	io.Reader
	io.Closer
}

// documents writes the documents to file of the assessment rep as .docx
// files in DocsDir (and, for a reader of another language than Chinese,
// the guide to them), replacing those written before, and lists them.
func (s *session) documents(ctx context.Context, st flows.State, rep *flows.Report) {
	files, err := s.makeDocuments(ctx, st, rep)
	if err != nil {
		s.say(commands.MsgDocsFailed, nil)
		return
	}
	if len(files.Docs) == 0 {
		s.say(commands.MsgDocsNone, nil)
		return
	}
	all := files.Docs
	if files.Guide != nil {
		all = append([]papers.Document{*files.Guide}, all...)
	}
	dir, err := writeDocuments(s.cfg.DocsDir, all)
	if err != nil {
		s.say(commands.MsgDocsFailed, nil)
		return
	}
	// The count is of the documents to file, listed under it; the English
	// guide is not one of them: it follows on its own line, as on Telegram.
	s.say(commands.MsgDocsReady, map[string]any{"count": int64(len(files.Docs))})
	fmt.Fprintln(s.cfg.Out, s.text("chat.docs.saved", map[string]any{"path": dir}))
	for _, d := range files.Docs {
		fmt.Fprintf(s.cfg.Out, "  • %s — %s\n", d.File, commands.DocName(s.cfg.Loc, s.lang(), d.ID, d.Name))
	}
	if g := files.Guide; g != nil {
		fmt.Fprintln(s.cfg.Out)
		fmt.Fprintln(s.cfg.Out, s.text(commands.MsgDocsGuide, nil))
		fmt.Fprintf(s.cfg.Out, "  • %s — %s\n", g.File, commands.DocName(s.cfg.Loc, s.lang(), g.ID, g.Name))
	}
	fmt.Fprintln(s.cfg.Out)
}

// makeDocuments makes the documents of rep with the user's evidence log,
// when the store keeps one.
func (s *session) makeDocuments(ctx context.Context, st flows.State, rep *flows.Report) (papers.Files, error) {
	if s.cfg.Papers == nil {
		return papers.Files{}, errors.New("no document templates")
	}
	var items []flows.EvidenceItem
	if es, ok := s.cfg.Store.(flows.EvidenceStore); ok {
		var err error
		if items, err = es.ListEvidence(ctx, s.cfg.Key); err != nil {
			return papers.Files{}, fmt.Errorf("evidence log: %w", err)
		}
	}
	return s.cfg.Papers.Generate(papers.Input{State: st, Report: rep, Evidence: items, Lang: s.lang()})
}

// writeDocuments writes docs into dir, readable by the user alone, removes
// the documents of an earlier request that no longer apply, and returns
// the directory's absolute path.
func writeDocuments(dir string, docs []papers.Document) (string, error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", fmt.Errorf("documents directory: %w", err)
		}
	}
	keep := map[string]bool{}
	for _, d := range docs {
		keep[d.File] = true
		if err := os.WriteFile(filepath.Join(dir, d.File), d.DOCX, 0o600); err != nil {
			return "", fmt.Errorf("write document: %w", err)
		}
	}
	old, _ := filepath.Glob(filepath.Join(dir, DocumentPattern))
	for _, p := range old {
		if !keep[filepath.Base(p)] {
			if err := os.Remove(p); err != nil {
				return "", fmt.Errorf("remove an old document: %w", err)
			}
		}
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return dir, nil
}

// DocumentPattern matches the names of the document files Redress writes
// (01-criminal-complaint.docx); nothing else in a documents folder is
// ever removed.
const DocumentPattern = "[0-9][0-9]-*.docx"

// RemoveDocuments removes the document files in dir, and dir itself when
// that leaves it empty: /delete, and retention.
func RemoveDocuments(dir string) error {
	if dir == "" {
		return nil
	}
	files, err := filepath.Glob(filepath.Join(dir, DocumentPattern))
	if err != nil {
		return err
	}
	for _, p := range files {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	_ = os.Remove(dir) // only when empty: a folder of the user's own stays
	return nil
}
