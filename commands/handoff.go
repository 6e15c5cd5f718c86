package commands

import (
	"slices"
	"strings"
	"time"

	"github.com/redress-legal/redress/flows"
)

// The hand-off to a volunteer of the operator's group (card.go):
// /human (or the report menu's entry) offers it; the person chooses how
// they are to be contacted (through the bot only, or a contact way they
// type), sees exactly what will be shared and agrees, or not. The case
// then waits for a volunteer; once one has claimed it, what the person
// types goes to them (Env.TextCase) until either side closes it (/close).

// The hand-off's commands.
const (
	Human Name = "human" // ask for a volunteer of the operator's group
	Close Name = "close" // end the conversation with the volunteer
)

// The hand-off's menus.
const (
	MenuHandoff = "!ho" // how to be contacted; keys: KeyViaBot, KeyTyped, KeyNo
	MenuConsent = "!hc" // send the card as shown? keys: KeyYes, KeyNo
)

// The answers of the hand-off menu, and the report menu's hand-off entry.
const (
	KeyViaBot = "bot"
	KeyTyped  = "typed"
	KeyHuman  = "human"
)

// The hand-off's catalog messages.
const (
	MsgHumanEntry       = "cmd.human.entry"        // report menu: ask a volunteer to contact me
	MsgHandoffOffer     = "cmd.handoff.offer"      // what a hand-off is, and the question how to be contacted
	MsgHandoffViaBot    = "cmd.handoff.via_bot"    // menu: only through this bot
	MsgHandoffTyped     = "cmd.handoff.typed"      // menu: a phone, email or username I type
	MsgHandoffNo        = "cmd.handoff.no"         // menu: no, thanks
	MsgHandoffAskTyped  = "cmd.handoff.ask_typed"  // asks for the contact way
	MsgHandoffBadTyped  = "cmd.handoff.bad_typed"  // the contact way typed is not one line of at most 100 characters
	MsgHandoffConsent   = "cmd.handoff.consent"    // above the card: exactly this is shared
	MsgHandoffWarn      = "cmd.handoff.warn"       // the contact way typed will be visible to the group
	MsgHandoffAsk       = "cmd.handoff.ask"        // send it?
	MsgHandoffSend      = "cmd.handoff.send"       // consent menu: yes, send it
	MsgHandoffDont      = "cmd.handoff.dont"       // consent menu: no, don't send
	MsgHandoffSent      = "cmd.handoff.sent"       // the card was sent; we will tell you when a volunteer takes it
	MsgHandoffNotSent   = "cmd.handoff.not_sent"   // nothing was sent
	MsgHandoffAlready   = "cmd.handoff.already"    // a case is open already
	MsgHandoffNoCase    = "cmd.handoff.no_case"    // /close without an open case
	MsgHandoffClosedYou = "cmd.handoff.closed_you" // the person closed the case
)

// The events of the hand-off.
const (
	EvHandoff flows.Event = "handoff" // a hand-off menu or message was shown
	EvRelay   flows.Event = "relay"   // typed text goes to the volunteer
	EvOpened  flows.Event = "opened"  // the case was sent to the volunteers
	EvClosed  flows.Event = "closed"  // the person closed the case
)

// ActKind is what a HandoffAct does.
type ActKind int

// The hand-off acts of an outcome.
const (
	ActOpen  ActKind = iota + 1 // send the case card to the volunteers' chat
	ActRelay                    // relay Text to the volunteer who claimed the case
	ActClose                    // close the case
)

// HandoffAct is what an outcome does to the person's hand-off case; the
// transport carries it out in the outcome's transaction.
type HandoffAct struct {
	Kind    ActKind
	Case    string // the case ID
	Contact string // ActOpen: the contact way the person agreed to share; "" for the bot only
	Text    string // ActRelay: what the person typed
}

// The statistics' kinds (flows.Count.Kind), and the values of KindHandoff.
const (
	CountStarted   = "started"   // a conversation began; value: its language
	CountCompleted = "completed" // a conversation reached an outcome; value: the outcome node
	CountFinding   = "finding"   // a finding applies at the outcome; value: "<section>/<finding>"
	CountHandoff   = "handoff"   // value: HandoffRequested, HandoffClaimed or HandoffClosed
	// The values of CountHandoff.
	HandoffRequested = "requested"
	HandoffClaimed   = "claimed"
	HandoffClosed    = "closed"
)

// human answers /human: the hand-off menu, or, where there is no
// volunteers' chat, how to reach people (Texts.Human).
func (e *Env) human(st flows.State, lang string) Outcome {
	switch {
	case !e.Handoff:
		return e.show(st, lang, flows.Reply{Messages: []flows.Message{{ID: e.Texts.Human, Kind: flows.KindNotice}}}, EvHandoff)
	case st.Case != "":
		return e.show(st, lang, flows.Reply{Messages: []flows.Message{{ID: MsgHandoffAlready, Kind: flows.KindNotice, Params: map[string]any{"case": st.Case}}}}, EvHandoff)
	}
	st.Contact = ""
	out := e.menu(st, lang, "handoff", flows.Reply{
		Messages: []flows.Message{{ID: MsgHandoffOffer, Kind: flows.KindQuestion}},
		Question: &flows.Question{Node: MenuHandoff, Type: flows.Choice, Choices: []flows.ChoiceItem{
			{Key: KeyViaBot, Label: MsgHandoffViaBot}, {Key: KeyTyped, Label: MsgHandoffTyped}, {Key: KeyNo, Label: MsgHandoffNo},
		}},
	})
	out.Event = EvHandoff
	return out
}

// chooseHandoff answers the hand-off menus.
func (e *Env) chooseHandoff(st flows.State, lang, menu, key string, now time.Time) Outcome {
	if !e.Handoff || st.Case != "" {
		return e.human(st, lang)
	}
	switch {
	case menu == MenuHandoff && key == KeyViaBot:
		st.Contact = ""
		return e.consent(st, lang, now)
	case menu == MenuHandoff && key == KeyTyped:
		st.Menu = "contact"
		return Outcome{State: st, Changed: true, Event: EvHandoff,
			Reply: flows.Reply{Messages: []flows.Message{{ID: MsgHandoffAskTyped, Kind: flows.KindQuestion}}}}
	case menu == MenuConsent && key == KeyYes:
		id := NewID()
		act := &HandoffAct{Kind: ActOpen, Case: id, Contact: st.Contact}
		st.Case, st.Contact = id, ""
		return Outcome{State: st, Changed: true, Event: EvOpened, Handoff: act,
			Counts: []flows.Count{{Kind: CountHandoff, Value: HandoffRequested}},
			Result: &flows.Message{ID: MsgHandoffSent, Kind: flows.KindNotice, Params: map[string]any{"case": id}}}
	}
	st.Contact = ""
	return Outcome{State: st, Changed: true, Event: EvKept, Result: &flows.Message{ID: MsgHandoffNotSent, Kind: flows.KindNotice}}
}

// consent shows exactly what the volunteers will see, and asks whether
// to send it.
func (e *Env) consent(st flows.State, lang string, now time.Time) Outcome {
	st.Menu = "consent"
	msgs := []flows.Message{{ID: MsgHandoffConsent, Kind: flows.KindNotice}}
	name := e.Loc.Text(lang, flows.Message{ID: MsgLanguageName})
	msgs = append(msgs, Card(e.Flow, st, now, "", name, st.Contact)...)
	if st.Contact != "" {
		msgs = append(msgs, flows.Message{ID: MsgHandoffWarn, Kind: flows.KindNotice, Params: map[string]any{"contact": st.Contact}})
	}
	msgs = append(msgs, flows.Message{ID: MsgHandoffAsk, Kind: flows.KindQuestion})
	return Outcome{State: st, Changed: true, Event: EvHandoff, Reply: flows.Reply{Messages: msgs,
		Question: &flows.Question{Node: MenuConsent, Type: flows.Choice, Choices: []flows.ChoiceItem{
			{Key: KeyYes, Label: MsgHandoffSend}, {Key: KeyNo, Label: MsgHandoffDont},
		}}}}
}

// typedContact reads the contact way typed after KeyTyped.
func (e *Env) typedContact(st flows.State, lang, t string, now time.Time) Outcome {
	c, ok := Contact(t)
	if !ok {
		return Outcome{State: st, Changed: false, Event: EvHandoff, Reply: flows.Reply{Messages: []flows.Message{
			{ID: MsgHandoffBadTyped, Kind: flows.KindNotice, Params: map[string]any{"max": int64(MaxContact)}},
			{ID: MsgHandoffAskTyped, Kind: flows.KindQuestion},
		}}}
	}
	st.Contact = c
	return e.consent(st, lang, now)
}

// closeCase answers the person's /close.
func (e *Env) closeCase(st flows.State, lang string) Outcome {
	if st.Case == "" {
		return e.show(st, lang, flows.Reply{Messages: []flows.Message{{ID: MsgHandoffNoCase, Kind: flows.KindNotice}}}, EvHandoff)
	}
	act := &HandoffAct{Kind: ActClose, Case: st.Case}
	st.Case, st.Lang = "", lang
	return Outcome{State: st, Changed: true, Event: EvClosed, Handoff: act,
		Reply: flows.Reply{Messages: []flows.Message{{ID: MsgHandoffClosedYou, Kind: flows.KindNotice}}}}
}

// TextCase decides a typed line of a person with a hand-off case
// (st.Case), given the case as the store has it (found false: it is gone).
// While a volunteer has the case, text that is not a command goes to them
// (words of distress bring the crisis help too); a case closed or gone is
// forgotten; otherwise the line is taken as Text takes it.
func (e *Env) TextCase(st flows.State, lang, text string, now time.Time, c flows.Case, found bool) Outcome {
	if !found || c.Status == flows.CaseClosed || c.ID != st.Case {
		st.Case = ""
		out := e.Text(st, lang, text, now)
		out.Changed = true
		return out
	}
	t := strings.TrimSpace(text)
	if c.Status != flows.CaseClaimed || strings.HasPrefix(t, "/") || st.Menu == "contact" || t == "" {
		return e.Text(st, lang, text, now)
	}
	act := &HandoffAct{Kind: ActRelay, Case: c.ID, Text: text}
	if e.Distress != nil && e.Distress(t) {
		out := e.Text(st, lang, text, now)
		out.Handoff = act
		return out
	}
	st.Lang = lang
	// Changed: a conversation carried on with a volunteer keeps the
	// session from counting as idle (retention).
	return Outcome{State: st, Changed: true, Event: EvRelay, Handoff: act}
}

// CountedSections are the sections of the flow whose findings the
// statistics count: the offences (the flow's modules), the lesser layers
// and money demands, the public-prosecution finding and the routes. The
// evidence, deadlines, contacts and the like follow from those and are
// not counted. A flow of other section IDs has its outcomes counted, and
// the findings of these sections only.
var CountedSections = []string{"offences", "money", "lower_layers", "prosecution", "routes", "company", "lawful"}

// counts are the statistics of an engine step: a conversation started (in
// its language), or completed (its outcome and the findings that apply).
func (e *Env) counts(r flows.Reply, st flows.State, now time.Time) []flows.Count {
	switch {
	case r.Event == flows.EvStarted || r.Event == flows.EvRestart || r.Event == flows.EvMigrated:
		return []flows.Count{{Kind: CountStarted, Value: st.Lang}}
	case r.Done && r.Event == flows.EvAnswered:
		cs := []flows.Count{{Kind: CountCompleted, Value: st.Node}}
		for _, f := range flows.Findings(e.Flow, st, now) {
			if slices.Contains(CountedSections, f.Section) {
				cs = append(cs, flows.Count{Kind: CountFinding, Value: f.Section + "/" + f.ID})
			}
		}
		return cs
	}
	return nil
}
