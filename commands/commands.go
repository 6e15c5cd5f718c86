// Package commands is the conversation layer every transport uses, above
// the engine: one parser for commands ("/lang", "/lang@RedressBot zh"),
// and one place that decides what each command and menu does — help,
// language, privacy, delete with its confirmation, and the engine's own
// (start, back, restart, sos). A transport only parses its updates, asks
// this package (or, through Env.Step, the engine), renders the Outcome and
// persists it:
//
//	parse → decide (Env.Text, Env.Choose, Env.Step, Env.Reask) → render → persist
//
// A menu is a question (flows.Question whose Node is a menu name such as
// MenuLang): buttons on Telegram, a numbered list in the terminal. The menu
// waiting for an answer is kept in the session state (flows.State.Menu),
// not in a transport's memory. Erasing a user's data is a request
// (Outcome.Erase) that the transport carries out in its own transaction.
//
// The package imports no project package but flows.
package commands

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/redress-legal/redress/flows"
)

// Name is a command's name: lower case, without the slash.
type Name string

// The commands every transport understands.
const (
	Start   Name = "start"   // begin, or continue where the user was
	Help    Name = "help"    // what the bot does, and the current question's help
	Back    Name = "back"    // undo the last answer
	Restart Name = "restart" // start over
	SOS     Name = "sos"     // emergency help, at any time
	Lang    Name = "lang"    // choose the language (a menu, or "/lang zh")
	Privacy Name = "privacy" // what is stored and for how long
	Delete  Name = "delete"  // erase everything, after a confirmation menu
	Report  Name = "report"  // the summary of the assessment again, with its menu
	// Evidence ("/evidence"), the evidence log, is declared in evidence.go.
	// Documents asks for the documents to file (package papers), as files.
	Documents Name = "documents"
)

// aliases are other names typed for a command.
var aliases = map[Name]Name{"language": Lang, "docs": Documents}

// engineInputs are the commands the engine answers.
var engineInputs = map[Name]flows.InputKind{
	Start:   flows.InStart,
	Back:    flows.InBack,
	Restart: flows.InRestart,
	SOS:     flows.InCrisis,
}

// Command is one parsed command.
type Command struct {
	Name Name   // lower case, aliases resolved; possibly a name no transport knows
	Arg  string // the rest of the text after the command word, trimmed
	Bot  string // the bot named after "@" ("/help@RedressBot"), as typed; "" if none
}

// Parse reads a command: "/" followed by letters, digits or "_", then
// optionally "@botname", then optionally an argument after a space or a
// line break. ok is false for text that is not a command.
func Parse(text string) (c Command, ok bool) {
	t := strings.TrimSpace(text)
	if !strings.HasPrefix(t, "/") || len(t) < 2 {
		return Command{}, false
	}
	word, arg := t, ""
	if i := strings.IndexAny(t, " \t\n"); i >= 0 {
		word, arg = t[:i], strings.TrimSpace(t[i+1:])
	}
	word, bot, _ := strings.Cut(word[1:], "@")
	word = strings.ToLower(word)
	if word == "" {
		return Command{}, false
	}
	for _, r := range word {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return Command{}, false
		}
	}
	name := Name(word)
	if a, found := aliases[name]; found {
		name = a
	}
	return Command{Name: name, Arg: arg, Bot: bot}, true
}

// Bypasses reports whether a command is never held back by a flood limit:
// a person in danger, or wanting their data gone, must always get through.
func (c Command) Bypasses() bool { return c.Name == SOS || c.Name == Delete }

// The menus, as the Node of their question. They start with "!", which no
// flow node ID can.
const (
	MenuLang   = "!lang" // keys: language codes
	MenuDelete = "!del"  // keys: KeyYes, KeyNo
	// MenuRestart confirms /restart half-way through (keys: KeyYes, KeyNo):
	// the answers given would be lost, and /back cannot bring them back.
	MenuRestart = "!rst"
	MenuReport  = "!rep" // keys: a part ID, flows.PartSources or KeyFull; "<key>.<page>" for a later page
)

// KeyFull is the report menu's entry for the whole report as a file.
const KeyFull = "full"

// The answers of the delete menu.
const (
	KeyYes = "y"
	KeyNo  = "n"
)

// IsMenu reports whether node is one of this package's menus rather than
// a node of the flow.
func IsMenu(node string) bool {
	return node == MenuLang || node == MenuDelete || node == MenuRestart || node == MenuReport || node == MenuHandoff || node == MenuConsent
}

// The catalog messages of this package; the catalogs (locales/ui.*.toml)
// hold their texts.
const (
	MsgLangChoose     = "cmd.lang.choose"      // the language menu's question
	MsgLangSet        = "cmd.lang.set"         // the language was changed
	MsgLanguageName   = "ui.language_name"     // a language's own name, on its menu entry
	MsgDeleteYes      = "cmd.delete.yes"       // delete menu: yes, erase everything
	MsgDeleteNo       = "cmd.delete.no"        // delete menu: no, keep it
	MsgDeleteKept     = "cmd.delete.kept"      // nothing was erased
	MsgRestartConfirm = "cmd.restart.confirm"  // /restart half-way: start again and forget the answers?
	MsgRestartYes     = "cmd.restart.yes"      // restart menu: yes, start again
	MsgRestartNo      = "cmd.restart.no"       // restart menu: no, go on
	MsgUnknownCommand = "cmd.unknown_command"  // a command no one knows
	MsgWhichOf        = "cmd.which_of"         // a typed answer that fits two options: which one?
	MsgReportMenu     = "cmd.report.menu"      // the question of the menu under the summary
	MsgReportSources  = "cmd.report.sources"   // report menu: the sources, with their full titles
	MsgReportFull     = "cmd.report.full"      // report menu: the whole report as a file
	MsgReportNotYet   = "cmd.report.not_yet"   // /report before the last question
	MsgReportGone     = "cmd.report.gone"      // a report button whose report is gone (started again, erased)
	MsgDocsNotYet     = "cmd.docs.not_yet"     // /documents before the last question
	MsgReportDocs     = "cmd.report.documents" // report menu: the documents to file
	MsgDocsReady      = "cmd.docs.ready"       // the documents follow: what they are, and to check them first
	MsgDocsNone       = "cmd.docs.none"        // no document applies to the answers
	MsgDocsFailed     = "cmd.docs.failed"      // the documents could not be made
	MsgDocsCaption    = "cmd.docs.caption"     // one document's line: its name, and to check it first
	MsgDocsGuide      = "cmd.docs.guide"       // the guide's line: what it explains
)

// Messages lists the catalog messages this package shows with the
// parameters each may use, so the checker can verify the catalogs. The
// transports' Texts are listed by the transports.
var Messages = map[string][]string{
	MsgLangChoose:     {},
	MsgLangSet:        {},
	MsgLanguageName:   {},
	MsgDeleteYes:      {},
	MsgDeleteNo:       {},
	MsgDeleteKept:     {},
	MsgRestartConfirm: {"n"},
	MsgRestartYes:     {},
	MsgRestartNo:      {},
	MsgUnknownCommand: {"command"},
	MsgWhichOf:        {"a", "b", "na", "nb"},
	MsgReportMenu:     {},
	MsgReportSources:  {},
	MsgReportFull:     {},
	MsgReportNotYet:   {},
	MsgReportGone:     {},
	MsgDocsNotYet:     {},
	MsgReportDocs:     {},
	MsgDocsReady:      {"count"},
	MsgDocsNone:       {},
	MsgDocsFailed:     {},
	MsgDocsCaption:    {"name"},
	MsgDocsGuide:      {},

	MsgHumanEntry:       {},
	MsgHandoffOffer:     {},
	MsgHandoffViaBot:    {},
	MsgHandoffTyped:     {},
	MsgHandoffNo:        {},
	MsgHandoffAskTyped:  {},
	MsgHandoffBadTyped:  {"max"},
	MsgHandoffConsent:   {},
	MsgHandoffWarn:      {"contact"},
	MsgHandoffAsk:       {},
	MsgHandoffSend:      {},
	MsgHandoffDont:      {},
	MsgHandoffSent:      {"case"},
	MsgHandoffNotSent:   {},
	MsgHandoffAlready:   {"case"},
	MsgHandoffNoCase:    {},
	MsgHandoffClosedYou: {},
}

func init() {
	for id, ps := range cardMessages {
		Messages[id] = ps
	}
}

// Texts are the message IDs of the sentences whose facts differ by
// transport (where the data is kept, what /delete can remove, the
// commands there are), given by each transport.
type Texts struct {
	Help          string         // /help: what the bot does and its commands
	Privacy       string         // /privacy: what is stored and for how long
	PrivacyParams map[string]any // the parameters of Privacy
	DeleteConfirm string         // /delete: the confirmation menu's question
	DeleteDone    string         // after erasing
	EvidenceHow   string         // /evidence: how to add a file, a link or a note there
	// Human answers /human where there is no volunteers' chat: how to
	// reach people (12348, legal aid, the operator's contact lines).
	Human string
}

// Env is what decisions need besides the state: the flow, the engine, the
// languages and the transport's texts.
type Env struct {
	Flow  *flows.Flow
	Loc   flows.Localizer
	Texts Texts
	// Typed says that menus are answered by typing (the terminal): a line
	// typed while a menu waits answers it. Otherwise (Telegram) menus are
	// answered with buttons, and typed text closes the waiting menu and is
	// taken as usual.
	Typed bool
	// Distress reports whether typed text says the person may be in
	// danger or thinking of suicide or self-harm (the phrases of package
	// locales, wired in main); such text brings the crisis help first, at
	// any question, in any menu and after the assessment. nil: none does.
	Distress func(text string) bool
	// Handoff says the operator has a volunteers' chat: /human offers to
	// send the person's case to it (handoff.go). Otherwise /human
	// shows Texts.Human.
	Handoff bool
	// Documents says the transport can make the documents to file: the
	// menu under the summary offers them (KeyDocuments), as /documents does.
	Documents bool
	// Engine is the engine; nil: flows.Step. Tests replace it.
	Engine func(*flows.Flow, flows.State, flows.Input) (flows.State, flows.Reply)
	// EvidenceLog keeps the users' evidence logs (evidence.go); nil: the
	// transport offers no evidence log (/evidence is unknown, the report
	// menu has no entry for it).
	EvidenceLog flows.EvidenceStore
	// Files opens the files named in "/evidence add PATH" (the terminal);
	// nil where files are sent rather than named (Telegram).
	Files FileOpener
	// MaxFileSize is the most bytes of a file the evidence log hashes; a
	// larger one is refused with a notice. 0: no limit.
	MaxFileSize int64
	// Org is the organisation running the bot, whose lines the report
	// shows (org.go); zero: none.
	Org Org
}

// The events of this package's outcomes, besides the engine's.
const (
	EvHelp     flows.Event = "help"      // the general help (and the question's, if any)
	EvMenu     flows.Event = "menu"      // a menu was shown
	EvLang     flows.Event = "lang"      // the language was changed
	EvPrivacy  flows.Event = "privacy"   // the privacy notice was shown
	EvErase    flows.Event = "deleted"   // everything of the user is to be erased
	EvKept     flows.Event = "kept"      // the user chose not to erase
	EvStale    flows.Event = "stale"     // an answer to a menu that is not valid (any more)
	EvNotice   flows.Event = "notice"    // not an answer: a notice, then the question again
	EvNoChange flows.Event = "unchanged" // nothing to do
	EvDistress flows.Event = "distress"  // typed words of distress: the crisis help, then the question again
	EvSummary  flows.Event = "summary"   // the summary of the report, with its menu
	EvPart     flows.Event = "part"      // a part of the report (Outcome.Show)
	EvDocs     flows.Event = "documents" // the documents to file (Outcome.Docs)
)

// Show is a part of the report to show, asked for from the report menu:
// the transport renders it (a message of its own, a page of it, a file).
type Show struct {
	Report *flows.Report
	// Part is a part ID, flows.PartSources, or KeyFull for the whole
	// report as a file.
	Part string
	// Page is the page of the part asked for, from 0: a transport that
	// splits long parts into pages offers the next one ("More").
	Page int
}

// Outcome is what one input does: the state to store, what to show, and
// whether to erase the user's data first.
type Outcome struct {
	// State is the state to store; Changed is false when it is the state
	// given (nothing to store). State.Lang is the language to show it in.
	State   flows.State
	Changed bool
	// Result is what became of an answered menu (the language set, nothing
	// erased): Telegram shows it in place of the menu's message, the
	// terminal prints it. nil when no menu was answered.
	Result *flows.Message
	// Reply is what to show next: messages and the question, which may be
	// a menu (IsMenu(Reply.Question.Node)).
	Reply flows.Reply
	// Erase asks the transport to delete everything stored of the user, in
	// the same transaction as the rest of the outcome, before Reply is shown.
	Erase bool
	// Show is a part of the report to show after Reply; nil when none.
	Show *Show
	// Evidence asks the transport to carry out a request of the evidence
	// log with Env.Evidence (it needs a context and the user's key), and
	// show that outcome instead of this one. nil when none.
	Evidence *EvidenceRequest
	// Docs asks the transport to make the documents to file from this
	// assessment (package papers) and deliver them after Reply; nil when
	// none are asked for.
	Docs *flows.Report
	// Handoff is what to do with the person's hand-off case, in the same
	// transaction; nil: nothing.
	Handoff *HandoffAct
	// Counts are events for the operator's statistics (counts only,
	// naming no one), committed with the outcome.
	Counts []flows.Count
	Event  flows.Event
}

// KeyDocuments is the report menu's entry for the documents to file.
const KeyDocuments = "docs"

// documents asks the transport for the documents to file of the
// assessment (Outcome.Docs); before the last answer it says they come
// after it, and asks the question again.
func (e *Env) documents(st flows.State, lang string, now time.Time) Outcome {
	rep, ok := flows.Assess(e.Flow, st, now)
	if !ok {
		return e.Reask(st, lang, flows.Message{ID: MsgDocsNotYet}, now)
	}
	st.Lang = lang
	return Outcome{State: st, Docs: rep, Event: EvDocs}
}

// Language is the language to talk to a user in: the one in their state,
// else the best match for the language code of their app or environment.
func (e *Env) Language(st flows.State, code string) string {
	if st.Lang != "" && slices.Contains(e.Loc.Languages(), st.Lang) {
		return st.Lang
	}
	return e.Loc.Match(code)
}

// Step runs the engine: the one way transports and this package reach it.
// The state stored keeps the language the user is spoken to in, and any
// menu left waiting is closed.
func (e *Env) Step(st flows.State, lang string, in flows.Input) Outcome {
	step := e.Engine
	if step == nil {
		step = flows.Step
	}
	st.Lang, st.Menu = lang, ""
	st2, r := step(e.Flow, st, in)
	if st2.Lang == "" {
		st2.Lang = lang
	}
	st2.Menu = ""
	// A hand-off case outlives /restart; a contact way typed for a
	// hand-off not yet agreed to is dropped with its menu.
	st2.Case, st2.Contact = st.Case, ""
	out := Outcome{State: st2, Changed: true, Reply: r, Event: r.Event, Counts: e.counts(r, st2, in.Now)}
	if r.Done {
		if rep, ok := e.assess(st2, in.Now); ok {
			// The engine's reply holds the summary; the organisation's
			// line follows it, as in rep.Summary.
			out.Reply.Messages = e.Org.after(out.Reply.Messages)
			e.withMenu(&out, rep)
		}
	}
	return out
}

// withMenu puts the report menu under out's reply and keeps it waiting.
func (e *Env) withMenu(out *Outcome, rep *flows.Report) {
	q := &flows.Question{Node: MenuReport, Type: flows.Choice}
	for _, p := range rep.Parts {
		q.Choices = append(q.Choices, flows.ChoiceItem{Key: p.ID, Label: p.Title})
	}
	if len(rep.Sources) > 0 {
		q.Choices = append(q.Choices, flows.ChoiceItem{Key: flows.PartSources, Label: MsgReportSources})
	}
	q.Choices = append(q.Choices, flows.ChoiceItem{Key: KeyFull, Label: MsgReportFull})
	if e.Documents {
		q.Choices = append(q.Choices, flows.ChoiceItem{Key: KeyDocuments, Label: MsgReportDocs})
	}
	if e.EvidenceLog != nil {
		q.Choices = append(q.Choices, flows.ChoiceItem{Key: KeyEvidence, Label: MsgReportEvidence})
	}
	if e.Handoff {
		q.Choices = append(q.Choices, flows.ChoiceItem{Key: KeyHuman, Label: MsgHumanEntry})
	}
	out.Reply.Messages = append(slices.Clone(out.Reply.Messages), flows.Message{ID: MsgReportMenu, Kind: flows.KindQuestion})
	out.Reply.Question = q
	out.State.Menu = "report"
	out.Changed = true
}

// menuLabel is the number (from 1) of the menu entry a typed line names by
// its label in any language — the whole label, a part of it, or the one
// label holding the line — else 0.
func (e *Env) menuLabel(items []flows.ChoiceItem, t string) int {
	t = labelFold(t)
	if utf8.RuneCountInString(t) < 2 {
		return 0
	}
	phrases := make([][]string, len(items))
	for i, it := range items {
		phrases[i] = e.labelPhrases(it.Label)
		if slices.Contains(phrases[i], t) {
			return i + 1
		}
	}
	within, around := named(t, phrases)
	switch {
	case len(within) == 1:
		return within[0] + 1
	case len(within) == 0 && len(around) == 1:
		return around[0] + 1
	}
	return 0
}

// menuBack puts the report's menu back under an outcome that leaves a
// finished conversation without one (the crisis help, a cancelled
// /delete), when menus are typed: a number typed next then chooses a part,
// as the user expects, and the menu says so. On Telegram the buttons under
// the summary keep working, so nothing is added there.
func (e *Env) menuBack(out Outcome, now time.Time) Outcome {
	if !e.Typed || !out.State.Done || out.State.Menu != "" || out.Erase || out.Reply.Question != nil {
		return out
	}
	rep, ok := e.assess(out.State, now)
	if !ok {
		return out
	}
	e.withMenu(&out, rep)
	return out
}

// report shows the summary of the report again, with its menu.
func (e *Env) report(st flows.State, lang string, now time.Time) Outcome {
	rep, ok := e.assess(st, now)
	if !ok {
		return e.Reask(st, lang, flows.Message{ID: MsgReportNotYet}, now)
	}
	st.Lang = lang
	out := Outcome{State: st, Reply: flows.Reply{Messages: rep.Summary}, Event: EvSummary}
	e.withMenu(&out, rep)
	return out
}

// Reask answers input that is not an answer with notice in place of the
// engine's generic "please answer in text", then asks the question again
// (or starts the conversation for a new user).
func (e *Env) Reask(st flows.State, lang string, notice flows.Message, now time.Time) Outcome {
	out := e.Step(st, lang, flows.Input{Kind: flows.InOther, Now: now})
	notice.Kind = flows.KindNotice
	r := &out.Reply
	if i := slices.IndexFunc(r.Messages, func(m flows.Message) bool { return m.ID == flows.MsgNotText }); i >= 0 {
		r.Messages = slices.Clone(r.Messages)
		r.Messages[i] = notice
	} else {
		r.Messages = append([]flows.Message{notice}, r.Messages...)
	}
	out.Event = EvNotice
	return out
}

// Input is a typed line as the engine alone reads it: an engine command
// (/start, /back, /restart, /sos, /help), "?" for "I don't know", or text
// to answer the question with; any other command is text to it. Tests and
// tools that drive flows.Step without a transport use it; a transport uses
// Env.Text, which also decides the other commands and the menus.
func Input(text string, now time.Time) flows.Input {
	t := strings.TrimSpace(text)
	if c, ok := Parse(t); ok {
		if kind, ok := engineInputs[c.Name]; ok {
			return flows.Input{Kind: kind, Now: now}
		}
		if c.Name == Help {
			return flows.Input{Kind: flows.InHelp, Now: now}
		}
	}
	if t == "?" || t == "？" {
		return flows.Input{Kind: flows.InUnknown, Now: now}
	}
	return flows.Input{Kind: flows.InText, Text: text, Now: now}
}

// Text decides what a typed line does: words of distress (the crisis
// help, then the question again), a command, the answer to a waiting menu
// (when menus are typed), "?" for "I don't know", or an answer.
func (e *Env) Text(st flows.State, lang, text string, now time.Time) Outcome {
	t := strings.TrimSpace(text)
	// An option's own text is that option, whatever words it holds ("自杀"
	// where a bereaved relative is asked how the person died), and so are
	// the words the flow lists for it ("he killed himself").
	label, isLabel := e.byLabel(st, t)
	words, rest, isWords := e.byWords(st, t)
	if !isLabel && !strings.HasPrefix(t, "/") && e.Distress != nil && e.Distress(rest) {
		// Said again at the question where the crisis help was just shown,
		// and naming one of its options ("我说了是自杀"): that is the answer.
		if in, ok := e.labelWithin(st, t); ok && st.Alarmed == st.Node {
			in.Now = now
			return e.Step(st, lang, in)
		}
		out := e.Step(st, lang, flows.Input{Kind: flows.InText, Text: text, Now: now, Distress: true})
		if out.Reply.Urgent {
			out.Event = EvDistress
		}
		return e.menuBack(out, now)
	}
	if st.Menu == "contact" && !strings.HasPrefix(t, "/") {
		return e.typedContact(st, lang, t, now)
	}
	if e.Typed && st.Done && st.Menu == "" {
		// After the last answer the report's menu is what a typed number
		// answers, even when it was not the last thing shown (after the
		// crisis help, say).
		if _, ok := e.assess(st, now); ok {
			st.Menu = MenuReport
		}
	}
	if st.Menu != "" && e.Typed {
		if out, ok := e.typedMenu(st, lang, t, now); ok {
			return out
		}
		st.Menu = ""
	}
	if c, ok := Parse(t); ok {
		return e.Command(st, lang, c, now)
	}
	if t == "?" || t == "？" {
		return e.Step(st, lang, flows.Input{Kind: flows.InUnknown, Now: now})
	}
	if isLabel {
		label.Now = now
		return e.Step(st, lang, label)
	}
	if isWords {
		words.Now = now
		return e.Step(st, lang, words)
	}
	out := e.Step(st, lang, flows.Input{Kind: flows.InText, Text: text, Now: now})
	if out.Event == flows.EvInvalid {
		// Not an answer as typed: the options it names in words, if any.
		if in, ok := e.byLabels(st, t); ok {
			in.Now = now
			return e.Step(st, lang, in)
		}
		// Two options it could mean ("本人" for an adult or a minor): ask
		// which, naming just those two.
		if c := e.candidates(st, t); len(c) == 2 {
			n := e.Flow.Nodes[st.Node]
			return e.Reask(st, lang, flows.Message{ID: MsgWhichOf, Params: map[string]any{
				"na": int64(c[0] + 1), "a": flows.Label(n.Options[c[0]].Label),
				"nb": int64(c[1] + 1), "b": flows.Label(n.Options[c[1]].Label),
			}}, now)
		}
	}
	return out
}

// byLabel reads a line that is the text of one of the current question's
// options ("No", "不知道"), in any language, as that option.
func (e *Env) byLabel(st flows.State, t string) (flows.Input, bool) {
	if e.Flow == nil || e.Loc == nil || st.Done || st.Flow != e.Flow.ID || st.Version != e.Flow.Version {
		return flows.Input{}, false
	}
	n := e.Flow.Nodes[st.Node]
	if n == nil || len(n.Options) == 0 && n.Unknown == "" {
		return flows.Input{}, false
	}
	t = labelFold(t)
	if t == "" {
		return flows.Input{}, false
	}
	for _, l := range e.Loc.Languages() {
		for i, o := range n.Options {
			if labelFold(e.Loc.Text(l, flows.Message{ID: o.Label})) == t {
				return flows.Input{Kind: flows.InText, Text: strconv.Itoa(i + 1)}, true
			}
		}
		if n.Unknown != "" && labelFold(e.Loc.Text(l, flows.Message{ID: n.Unknown})) == t {
			return flows.Input{Kind: flows.InUnknown}, true
		}
	}
	return flows.Input{}, false
}

// labelFold is a label or a typed line as compared: lower case, without
// surrounding spaces, quotes and end punctuation.
func labelFold(s string) string {
	return strings.ToLower(strings.Trim(s, " \t\n\"'“”‘’「」.。!！"))
}

// typedMenu reads a typed line as the answer to the waiting menu. ok is
// false when it is not one (a command, say): the menu is closed and the
// line taken as usual.
func (e *Env) typedMenu(st flows.State, lang, t string, now time.Time) (Outcome, bool) {
	switch st.Menu {
	case "lang":
		if strings.HasPrefix(t, "/") || t == "" {
			return Outcome{}, false
		}
		langs := e.Loc.Languages()
		if i, err := strconv.Atoi(t); err == nil && i >= 1 && i <= len(langs) {
			return e.Choose(st, lang, MenuLang, langs[i-1], now), true
		}
		return e.Choose(st, lang, MenuLang, e.Loc.Match(t), now), true
	case "report":
		if strings.HasPrefix(t, "/") || t == "" {
			return Outcome{}, false
		}
		rep, ok := e.assess(st, now)
		if !ok {
			return Outcome{}, false
		}
		out := Outcome{}
		e.withMenu(&out, rep)
		keys := out.Reply.Question.Choices
		i, err := strconv.Atoi(toASCII(t))
		if err != nil {
			i = e.menuLabel(keys, t) // "期限", "sources"
		}
		if i < 1 || i > len(keys) {
			// Not a menu entry: the menu again, after a word on how to choose.
			out = e.report(st, lang, now)
			out.Reply.Messages = append([]flows.Message{{ID: flows.MsgInvalidChoice, Kind: flows.KindNotice, Params: map[string]any{"count": int64(len(keys))}}}, out.Reply.Messages[len(out.Reply.Messages)-1:]...)
			out.Event = EvStale
			return out, true
		}
		return e.Choose(st, lang, MenuReport, keys[i-1].Key, now), true
	case "delete", "restart":
		menu, yes := MenuDelete, deleteWords
		if st.Menu == "restart" {
			menu, yes = MenuRestart, restartWords
		}
		key := KeyNo
		if slices.Contains(yes, strings.Trim(strings.ToLower(t), " .。!！")) {
			key = KeyYes
		}
		return e.Choose(st, lang, menu, key, now), true
	}
	return Outcome{}, false
}

// deleteWords confirm the delete menu when typed: its number, and "yes"
// or "delete" in each language (Simplified and Traditional); anything else
// keeps the data. restartWords confirm the restart menu the same way.
// Each menu has its own: "restart" typed at the delete menu erases nothing.
var (
	deleteWords  = []string{"1", "yes", "y", "delete", "delete everything", "delete it", "是", "是的", "确认", "確認", "确定", "確定", "删除", "刪除", "删掉", "刪掉", "确认删除", "確認刪除"}
	restartWords = []string{"1", "yes", "y", "restart", "start over", "start again", "是", "是的", "确认", "確認", "确定", "確定", "重新开始", "重新開始", "重来", "重來"}
)

// Command decides what a command does.
func (e *Env) Command(st flows.State, lang string, c Command, now time.Time) Outcome {
	if c.Name == Restart && st.Started() && !st.Done && len(st.History) > 0 {
		// Half-way, starting again loses every answer: ask first. After
		// the assessment "/restart to start a new one" is what it offers.
		return e.menu(st, lang, "restart", flows.Reply{
			Messages: []flows.Message{{ID: MsgRestartConfirm, Kind: flows.KindQuestion, Params: map[string]any{"n": int64(len(st.History))}}},
			Question: &flows.Question{Node: MenuRestart, Type: flows.Choice, Choices: []flows.ChoiceItem{
				{Key: KeyYes, Label: MsgRestartYes}, {Key: KeyNo, Label: MsgRestartNo},
			}},
		})
	}
	if kind, ok := engineInputs[c.Name]; ok {
		return e.menuBack(e.Step(st, lang, flows.Input{Kind: kind, Now: now}), now)
	}
	switch c.Name {
	case Help:
		help := flows.Message{ID: e.Texts.Help, Kind: flows.KindNotice}
		if !st.Started() || st.Done {
			return e.show(st, lang, flows.Reply{Messages: []flows.Message{help}}, EvHelp)
		}
		// The general help, then the question's own help if it has one
		// (not the engine's "there is no extra explanation": the general
		// help was the explanation), then the question again.
		out := e.Step(st, lang, flows.Input{Kind: flows.InHelp, Now: now})
		msgs := slices.DeleteFunc(slices.Clone(out.Reply.Messages), func(m flows.Message) bool { return m.ID == flows.MsgNoHelp })
		out.Reply.Messages = append([]flows.Message{help}, msgs...)
		out.Event = EvHelp
		return out
	case Lang:
		if c.Arg != "" {
			return e.Choose(st, lang, MenuLang, e.Loc.Match(c.Arg), now)
		}
		return e.menu(st, lang, "lang", e.langMenu())
	case Report:
		return e.report(st, lang, now)
	case Evidence:
		if e.EvidenceLog != nil {
			return e.evidenceCommand(st, lang, c.Arg, now)
		}
	case Documents:
		return e.menuBack(e.documents(st, lang, now), now)
	case Human:
		return e.human(st, lang)
	case Close:
		return e.closeCase(st, lang)
	case Privacy:
		return e.show(st, lang, flows.Reply{Messages: []flows.Message{{ID: e.Texts.Privacy, Kind: flows.KindNotice, Params: e.Texts.PrivacyParams}}}, EvPrivacy)
	case Delete:
		return e.menu(st, lang, "delete", flows.Reply{
			Messages: []flows.Message{{ID: e.Texts.DeleteConfirm, Kind: flows.KindQuestion}},
			Question: &flows.Question{Node: MenuDelete, Type: flows.Choice, Choices: []flows.ChoiceItem{
				{Key: KeyYes, Label: MsgDeleteYes}, {Key: KeyNo, Label: MsgDeleteNo},
			}},
		})
	}
	return e.Reask(st, lang, flows.Message{ID: MsgUnknownCommand, Params: map[string]any{"command": "/" + shorten(string(c.Name), 40)}}, now)
}

// langMenu is the language menu: every language, named in itself.
func (e *Env) langMenu() flows.Reply {
	q := &flows.Question{Node: MenuLang, Type: flows.Choice}
	for _, l := range e.Loc.Languages() {
		q.Choices = append(q.Choices, flows.ChoiceItem{Key: l, Label: MsgLanguageName, Lang: l})
	}
	return flows.Reply{Messages: []flows.Message{{ID: MsgLangChoose, Kind: flows.KindQuestion}}, Question: q}
}

// menu shows a menu and keeps it waiting in the state.
func (e *Env) menu(st flows.State, lang, name string, r flows.Reply) Outcome {
	st.Lang, st.Menu = lang, name
	return Outcome{State: st, Changed: true, Reply: r, Event: EvMenu}
}

// show shows r and leaves the state alone.
func (e *Env) show(st flows.State, lang string, r flows.Reply, ev flows.Event) Outcome {
	st.Lang = lang
	return Outcome{State: st, Reply: r, Event: ev}
}

// Choose decides what the answer key to menu does, typed or pressed. A
// button of a menu is honoured even when another menu (or none) waits in
// the state: its message names the menu it belongs to, and the user
// pressed it.
func (e *Env) Choose(st flows.State, lang, menu, key string, now time.Time) Outcome {
	was := st.Menu
	st.Lang, st.Menu = lang, ""
	changed := was != ""
	switch menu {
	case MenuLang:
		if !slices.Contains(e.Loc.Languages(), key) {
			return Outcome{State: st, Changed: changed, Event: EvStale}
		}
		st.Lang = key
		out := Outcome{State: st, Changed: true, Result: &flows.Message{ID: MsgLangSet, Kind: flows.KindNotice}, Event: EvLang}
		if st.Started() && !st.Done {
			next := e.Step(st, key, flows.Input{Kind: flows.InRepeat, Now: now})
			out.State, out.Reply = next.State, next.Reply
		}
		if st.Done {
			// After the assessment: the summary and its menu again, in
			// the new language, rather than the last question.
			if rep := e.report(st, key, now); rep.Event == EvSummary {
				out.State, out.Reply, out.Show = rep.State, rep.Reply, rep.Show
			}
		}
		return out
	case MenuReport:
		if key == KeyEvidence && e.EvidenceLog != nil {
			return Outcome{State: st, Changed: changed, Evidence: &EvidenceRequest{Op: EvList, Menu: true}, Event: EvEvidence}
		}
		if key == KeyDocuments && e.Documents {
			out := e.Command(st, lang, Command{Name: Documents}, now)
			out.Changed = out.Changed || changed
			return out
		}
		if key == KeyHuman {
			return e.human(st, lang)
		}
		return e.choosePart(st, lang, was, key, now)
	case MenuHandoff, MenuConsent:
		return e.chooseHandoff(st, lang, menu, key, now)
	case MenuRestart:
		if key != KeyYes {
			// Go on: the question again, where they were.
			out := e.Step(st, lang, flows.Input{Kind: flows.InRepeat, Now: now})
			out.Changed = true
			return out
		}
		return e.Step(st, lang, flows.Input{Kind: flows.InRestart, Now: now})
	case MenuDelete:
		if key != KeyYes {
			return e.menuBack(Outcome{State: st, Changed: changed, Result: &flows.Message{ID: MsgDeleteKept, Kind: flows.KindNotice}, Event: EvKept}, now)
		}
		return Outcome{State: flows.State{Lang: lang}, Changed: true, Erase: true, Event: EvErase,
			Reply: flows.Reply{Messages: []flows.Message{{ID: e.Texts.DeleteDone, Kind: flows.KindNotice}}}}
	}
	return Outcome{State: st, Changed: changed, Event: EvStale}
}

// choosePart shows a part of the report (key "<part>" or "<part>.<page>"),
// the sources, or the whole report as a file. The report is computed from
// the state, so the buttons under an old summary keep working for as long
// as that conversation's answers are kept. When menus are typed, the menu
// is shown again under the part.
func (e *Env) choosePart(st flows.State, lang, was, key string, now time.Time) Outcome {
	rep, ok := e.assess(st, now)
	if !ok {
		st.Menu = was
		return Outcome{State: st, Changed: false, Result: &flows.Message{ID: MsgReportGone, Kind: flows.KindNotice}, Event: EvStale}
	}
	part, page := key, 0
	if p, n, found := strings.Cut(key, "."); found {
		v, err := strconv.Atoi(n)
		if err != nil || v < 0 {
			return Outcome{State: st, Changed: was != "", Event: EvStale}
		}
		part, page = p, v
	}
	if _, ok := rep.Part(part); !ok && part != KeyFull {
		return Outcome{State: st, Changed: was != "", Result: &flows.Message{ID: MsgReportGone, Kind: flows.KindNotice}, Event: EvStale}
	}
	out := Outcome{State: st, Changed: was != "", Show: &Show{Report: rep, Part: part, Page: page}, Event: EvPart}
	if e.Typed {
		e.withMenu(&out, rep)
		out.Reply.Messages = out.Reply.Messages[len(out.Reply.Messages)-1:]
	}
	return out
}

// toASCII turns full-width digits (１２) into ASCII ones.
func toASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return '0' + (r - '０')
		}
		return r
	}, s)
}

// shorten cuts s to n runes, marking the cut.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
