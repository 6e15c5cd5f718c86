package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/redress-legal/redress/commands"
	"github.com/redress-legal/redress/flows"
	"github.com/redress-legal/redress/papers"
	"github.com/redress-legal/redress/report"
)

// MaxMessageLen is the longest text Telegram accepts in one message. We
// measure the HTML we send in UTF-16 code units, which is never less than
// what Telegram counts (the visible text after entity parsing), so a text
// within this bound is always accepted.
const MaxMessageLen = 4096

// escapeHTML escapes the three characters Telegram's HTML parse mode
// reserves. Quotes need no escaping outside attributes, and leaving them
// alone keeps texts short.
func escapeHTML(s string) string {
	if !strings.ContainsAny(s, "<>&") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// plainFromHTML undoes what this package produces (escapes and the <b> and
// <i> tags), for the fallback resend when Telegram refuses our HTML.
func plainFromHTML(s string) string {
	r := strings.NewReplacer("<b>", "", "</b>", "", "<i>", "", "</i>", "",
		"&lt;", "<", "&gt;", ">", "&amp;", "&")
	return r.Replace(s)
}

// textLen is the length Telegram would at most count for s.
func textLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// para is one paragraph to show: plain text and whether it is a heading.
type para struct {
	text  string
	bold  bool
	style string // "i" for a line in italics; "" otherwise
}

func (p para) html() string {
	t := escapeHTML(p.text)
	switch {
	case p.bold:
		return "<b>" + t + "</b>"
	case p.style == "i":
		return "<i>" + t + "</i>"
	}
	return t
}

// overhead is the length the paragraph's tags add to its escaped text.
func (p para) overhead() int {
	if p.bold || p.style != "" {
		return 7
	}
	return 0
}

// pack joins paragraphs into as few messages as possible, each at most
// limit long, breaking only between paragraphs. A paragraph too long for
// one message is cut at line breaks, else at spaces, else between runes;
// tags and escapes are never cut, because cutting happens on plain text.
func pack(ps []para, limit int) []string {
	var out []string
	var cur strings.Builder
	curLen := 0
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
			curLen = 0
		}
	}
	add := func(h string) {
		n := textLen(h)
		if curLen > 0 && curLen+2+n > limit {
			flush()
		}
		if curLen > 0 {
			cur.WriteString("\n\n")
			curLen += 2
		}
		cur.WriteString(h)
		curLen += n
	}
	for _, p := range ps {
		if strings.TrimSpace(p.text) == "" {
			continue
		}
		h := p.html()
		if textLen(h) <= limit {
			add(h)
			continue
		}
		for _, piece := range cut(p.text, limit-p.overhead()) {
			add(para{text: piece, bold: p.bold, style: p.style}.html())
		}
	}
	flush()
	return out
}

// cut splits plain text into pieces whose escaped form is at most limit long.
func cut(s string, limit int) []string {
	var out []string
	for s != "" {
		if textLen(escapeHTML(s)) <= limit {
			out = append(out, s)
			break
		}
		// The longest prefix that fits, in bytes.
		end, n := 0, 0
		for i, r := range s {
			w := textLen(escapeHTML(string(r)))
			if n+w > limit {
				break
			}
			n += w
			end = i + utf8.RuneLen(r)
		}
		if end == 0 { // limit below one rune: cannot happen with Telegram's limit
			_, sz := utf8.DecodeRuneInString(s)
			end = sz
		}
		at := end
		if i := strings.LastIndex(s[:end], "\n"); i > end/2 {
			at = i + 1
		} else if i := strings.LastIndexAny(s[:end], " \t"); i > end/2 {
			at = i + 1
		}
		piece := strings.TrimRight(s[:at], " \t\n")
		if piece != "" {
			out = append(out, piece)
		}
		s = strings.TrimLeft(s[at:], " \t\n")
	}
	return out
}

// Callback data is "v1:<node>:<key>", at most 64 bytes. Node IDs and option
// keys are short snake_case names, so the separators and the keys below,
// which start with '!', cannot clash with them.
const (
	cbPrefix  = "v1:"
	cbDone    = "!d" // finish a multi node
	cbUnknown = "!u" // "I don't know"
	// The menus of package commands are questions whose node starts with
	// "!" too: v1:!lang:<code>, v1:!del:y.
	maxCBData = 64
)

func callbackData(node, key string) string { return cbPrefix + node + ":" + key }

// parseCallback splits callback data into node and key; ok is false for
// data this version of the bot did not produce.
func parseCallback(data string) (node, key string, ok bool) {
	rest, found := strings.CutPrefix(data, cbPrefix)
	if !found {
		return "", "", false
	}
	node, key, found = strings.Cut(rest, ":")
	if !found || node == "" || key == "" {
		return "", "", false
	}
	return node, key, true
}

// inlineKeyboard is Telegram's InlineKeyboardMarkup. We use our own type
// rather than models.InlineKeyboardMarkup because tgbot's button always
// serialises an empty "copy_text" object, which Telegram has rejected
// (BUTTON_COPY_TEXT_INVALID); ours sends only what it sets.
type inlineKeyboard struct {
	InlineKeyboard [][]button `json:"inline_keyboard"`
}

type button struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data"`
}

// noKeyboard removes the buttons of a message when sent with an edit.
func noKeyboard() *inlineKeyboard { return &inlineKeyboard{InlineKeyboard: [][]button{}} }

// keyboard builds the buttons of a question: one option per row (labels
// are sentences), a check mark on ticked options of a multi node, then
// "Done" for multi and "I don't know" when offered. It returns nil when the
// question has no buttons; such questions are answered by typing.
func (b *Bot) keyboard(lang string, q *flows.Question) *inlineKeyboard {
	if q == nil {
		return nil
	}
	var rows [][]button
	add := func(label, key string) {
		data := callbackData(q.Node, key)
		if len(data) > maxCBData {
			b.log.Error("callback data too long; button left out", "node", q.Node, "key", key)
			return
		}
		rows = append(rows, []button{{Text: label, CallbackData: data}})
	}
	for _, c := range q.Choices {
		l := lang
		if c.Lang != "" {
			l = c.Lang // the language menu names each language in itself
		}
		label := b.text(l, c.Label, nil)
		if q.Type == flows.Multi && c.Selected {
			label = "✓ " + label
		}
		add(label, c.Key)
	}
	if q.Type == flows.Multi {
		add(b.text(lang, MsgMultiDone, nil), cbDone)
	}
	if q.Unknown != "" {
		add(b.text(lang, q.Unknown, nil), cbUnknown)
	}
	if len(rows) == 0 {
		return nil
	}
	return &inlineKeyboard{InlineKeyboard: rows}
}

// text renders one catalog message as plain text.
func (b *Bot) text(lang, id string, params map[string]any) string {
	return b.loc.Text(lang, flows.Message{ID: id, Params: params})
}

// paragraphs renders engine messages, headings in bold.
func (b *Bot) paragraphs(lang string, msgs []flows.Message) []para {
	ps := make([]para, 0, len(msgs))
	for _, m := range msgs {
		ps = append(ps, para{text: b.loc.Text(lang, m), bold: m.Kind == flows.KindHeading})
	}
	return ps
}

// reply queues what the engine wants shown: the messages before the
// question packed into as few Telegram messages as fit, then the question
// as its own message carrying the keyboard. skipQuestion leaves the
// question out (its keyboard is being edited in place instead).
func (b *Bot) reply(o *outbox, lang string, r flows.Reply, skipQuestion bool) {
	msgs := r.Messages
	var question []flows.Message
	if n := len(msgs); n > 0 && msgs[n-1].Kind == flows.KindQuestion {
		question, msgs = msgs[n-1:], msgs[:n-1]
	}
	kb := b.keyboard(lang, r.Question)
	body := pack(b.paragraphs(lang, msgs), MaxMessageLen)
	if skipQuestion {
		o.send(body, nil)
		return
	}
	if len(question) == 0 {
		// No question message: the buttons, if any, go on the last message.
		o.send(body, kb)
		return
	}
	o.send(body, nil)
	o.send(pack(b.paragraphs(lang, question), MaxMessageLen), kb)
}

// notice queues one transport message in lang.
func (b *Bot) notice(o *outbox, lang, id string, params map[string]any, kb *inlineKeyboard) {
	o.send(pack([]para{{text: b.text(lang, id, params)}}, MaxMessageLen), kb)
}

// decide renders what the conversation layer (or the engine through it)
// decided as the calls of one update: the one place every outcome passes,
// so faults are logged once. A button press gets its callback answered
// and, when it answered a menu, the menu's message shows the result.
func (b *Bot) decide(out commands.Outcome, p press) decision {
	if len(out.Reply.Faults) > 0 {
		b.log.Error("flow expression failed", "faults", len(out.Reply.Faults), "event", out.Event)
	}
	d := decision{event: string(out.Event), del: out.Erase, counts: out.Counts, act: out.Handoff, actState: out.State}
	if out.Changed && !out.Erase {
		d.state = &out.State
	}
	lang := out.State.Lang
	d.out.answer(p.callbackID, "")
	r := out.Reply
	result := ""
	if out.Result != nil {
		result = escapeHTML(b.loc.Text(lang, *out.Result))
	}
	switch {
	case out.Result != nil && p.msgID != 0 && textLen(result) <= MaxMessageLen:
		d.out.editText(p.msgID, result)
	case out.Result != nil && p.msgID != 0: // too long to replace the menu: a message of its own
		d.out.editKeyboard(p.msgID, nil)
		r.Messages = append([]flows.Message{*out.Result}, r.Messages...)
	case out.Result != nil: // a menu answered without a button ("/lang zh")
		r.Messages = append([]flows.Message{*out.Result}, r.Messages...)
	case out.Event == commands.EvStale:
		d.out.editKeyboard(p.msgID, nil)
	}
	b.reply(&d.out, lang, r, false)
	if out.Show != nil {
		b.showPart(&d.out, lang, out.Show)
	}
	return d
}

// MaxPartLen is the longest message a part of the report is sent in; a
// longer part is split into pages, each ending with a "More" button.
const MaxPartLen = 3000

// showPart queues a part of the report as a message of its own (one page
// of it, with "More" when pages follow), or the whole report as an HTML
// file. The pages are the same whenever the part is asked for, so "More"
// is stateless like every other button.
func (b *Bot) showPart(o *outbox, lang string, sh *commands.Show) {
	if sh.Part == commands.KeyFull {
		data, err := report.HTML(b.loc, lang, sh.Report)
		if err != nil {
			b.log.Error("render report file", "err", err)
			b.notice(o, lang, MsgError, nil, nil)
			return
		}
		o.sendDocument(report.FileName(sh.Report), data, escapeHTML(b.text(lang, MsgReportCaption, nil)))
		return
	}
	p, ok := sh.Report.Part(sh.Part)
	if !ok {
		return
	}
	measure := func(m flows.Message) int {
		return textLen(para{text: b.loc.Text(lang, m), bold: m.Kind == flows.KindHeading}.html())
	}
	title := flows.Message{ID: p.Title, Kind: flows.KindHeading}
	pages := report.Pages(p.Messages, measure, 2, MaxPartLen-measure(title)-2)
	if sh.Page >= len(pages) {
		return
	}
	msgs := append([]flows.Message{title}, pages[sh.Page]...)
	var kb *inlineKeyboard
	if sh.Page+1 < len(pages) {
		kb = &inlineKeyboard{InlineKeyboard: [][]button{{{Text: b.text(lang, MsgReportMore, nil), CallbackData: callbackData(commands.MenuReport, sh.Part+"."+strconv.Itoa(sh.Page+1))}}}}
	}
	o.send(pack(b.paragraphs(lang, msgs), MaxMessageLen), kb)
}

// renderPress renders what a press of a flow question's button did: the
// callback answered, the keyboard kept (a ticked box), an alert (Done with
// nothing ticked), or the question edited to show the answer given under
// it, then the reply.
func (b *Bot) renderPress(out commands.Outcome, p press, node string) decision {
	if len(out.Reply.Faults) > 0 {
		b.log.Error("flow expression failed", "faults", len(out.Reply.Faults), "event", out.Event)
	}
	st2, r := out.State, out.Reply
	d := decision{state: &st2, event: string(r.Event), counts: out.Counts}
	lang := st2.Lang
	switch r.Event {
	case flows.EvToggled:
		d.out.answer(p.callbackID, "")
		d.out.editKeyboard(p.msgID, b.keyboard(lang, r.Question))
		b.reply(&d.out, lang, r, true)
	case flows.EvInvalid:
		// A button that is not a valid answer now (Done with nothing
		// ticked): say why in a pop-up; the question is still there.
		alert := ""
		for _, m := range r.Messages {
			if m.Kind == flows.KindNotice {
				alert = truncate(b.loc.Text(lang, m), 200)
				break
			}
		}
		d.out.answer(p.callbackID, alert)
	case flows.EvAnswered:
		d.out.answer(p.callbackID, "")
		if p.msgText != "" {
			line := b.text(lang, MsgAnswer, map[string]any{"answer": b.answerLabel(lang, node, st2.Answers[node])})
			edited := para{text: p.msgText}.html() + "\n\n" + para{text: line, style: "i"}.html()
			if textLen(edited) <= MaxMessageLen {
				d.out.editText(p.msgID, edited)
			} else {
				d.out.editKeyboard(p.msgID, nil)
			}
		} else {
			d.out.editKeyboard(p.msgID, nil)
		}
		b.reply(&d.out, lang, r, false)
	default: // stale, ended, started, ...: these buttons are dead
		d.out.answer(p.callbackID, "")
		d.out.editKeyboard(p.msgID, nil)
		b.reply(&d.out, lang, r, false)
	}
	return d
}

// answerLabel renders the answer just given to node, as shown under it.
func (b *Bot) answerLabel(lang, node string, a flows.Answer) string {
	n := b.flow.Nodes[node]
	if n == nil {
		return ""
	}
	if a.Unknown {
		return b.text(lang, n.Unknown, nil)
	}
	keys := a.Choices
	if a.Choice != "" {
		keys = []string{a.Choice}
	}
	var labels []string
	for _, k := range keys {
		for _, o := range n.Options {
			if o.Key == k {
				labels = append(labels, b.text(lang, o.Label, nil))
			}
		}
	}
	return strings.Join(labels, ", ")
}

// documents queues the documents to file of the assessment rep (with the
// evidence log, when the store keeps one) as .docx files, each with a
// one-line caption, after a message saying what they are; a reader of
// another language than Chinese gets the guide to them first.
func (b *Bot) documents(ctx context.Context, o *outbox, key string, st flows.State, rep *flows.Report) {
	lang := st.Lang
	files, err := b.makeDocuments(ctx, key, st, rep)
	if err != nil {
		b.log.Error("documents", "err", err)
		b.notice(o, lang, commands.MsgDocsFailed, nil, nil)
		return
	}
	if len(files.Docs) == 0 {
		b.notice(o, lang, commands.MsgDocsNone, nil, nil)
		return
	}
	b.notice(o, lang, commands.MsgDocsReady, map[string]any{"count": int64(len(files.Docs))}, nil)
	if g := files.Guide; g != nil {
		o.sendDocument(g.File, g.DOCX, escapeHTML(b.text(lang, commands.MsgDocsGuide, nil)))
	}
	for _, d := range files.Docs {
		o.sendDocument(d.File, d.DOCX, escapeHTML(b.text(lang, commands.MsgDocsCaption, map[string]any{"name": commands.DocName(b.loc, lang, d.ID, d.Name)})))
	}
}

// makeDocuments makes the documents of rep.
func (b *Bot) makeDocuments(ctx context.Context, key string, st flows.State, rep *flows.Report) (papers.Files, error) {
	if b.cfg.Papers == nil {
		return papers.Files{}, errors.New("no document templates")
	}
	var items []flows.EvidenceItem
	if es, ok := b.store.(flows.EvidenceStore); ok {
		var err error
		if items, err = es.ListEvidence(ctx, key); err != nil {
			return papers.Files{}, fmt.Errorf("evidence log: %w", err)
		}
	}
	return b.cfg.Papers.Generate(papers.Input{State: st, Report: rep, Evidence: items, Lang: st.Lang})
}
