package commands

// The hand-off's case: what a case card says (Card), how a case is named
// (NewID, ValidID), what a typed contact way may be (Contact). The
// transports post the card and relay; the store keeps the case
// (flows.HandoffStore).
//
// A card carries only what the person agreed to share: their language,
// the findings of the assessment in one line each (offences, the
// public-prosecution finding, first steps, with their numbers and dates),
// the nearest deadline, and how to contact them. Never their free-text
// answers, their evidence, or their Telegram name; a contact way only when
// they typed it for this purpose.

import (
	"crypto/rand"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/redress-legal/redress/flows"
)

// The catalog messages of a card.
const (
	MsgCardTitle      = "handoff.card.title"      // the card's first line: the case ID and the person's language
	MsgCardUnfinished = "handoff.card.unfinished" // the person has not finished the questions
	MsgCardFindings   = "handoff.card.findings"   // heading above the findings
	MsgCardViaBot     = "handoff.card.via_bot"    // the person is to be contacted through the bot only
	MsgCardContact    = "handoff.card.contact"    // the contact way the person typed and agreed to share
	MsgCardHow        = "handoff.card.how"        // how volunteers claim, answer and close
)

// cardMessages are the catalog messages of a card with their parameters (in Messages).
var cardMessages = map[string][]string{
	MsgCardTitle:      {"case", "lang"},
	MsgCardUnfinished: {},
	MsgCardFindings:   {},
	MsgCardViaBot:     {"case"},
	MsgCardContact:    {"contact"},
	MsgCardHow:        {"case"},
}

// idAlphabet has no letters or digits that read alike (0/O, 1/I/L).
const idAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// IDLen is the length of a case ID: 31^6, about 887 million IDs.
const IDLen = 6

// NewID returns a new random case ID, such as "K7Q2MX": short to type after
// /reply, and saying nothing of the person or their chat.
func NewID() string {
	b := make([]byte, IDLen)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b)
}

// ValidID reports whether s has the form of a case ID (any case).
func ValidID(s string) bool {
	if len(s) != IDLen {
		return false
	}
	for _, r := range strings.ToUpper(s) {
		if !strings.ContainsRune(idAlphabet, r) {
			return false
		}
	}
	return true
}

// MaxContact is the longest contact way a person may type, in characters.
const MaxContact = 100

// Contact reads a typed contact way (a phone number, an email address, a
// Telegram username): one line of at most MaxContact characters. ok is
// false for anything else.
func Contact(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || utf8.RuneCountInString(s) > MaxContact || strings.ContainsAny(s, "\r\n") {
		return "", false
	}
	return s, true
}

// Card is the case card of the person in state st, as posted to the
// volunteers' chat: its messages, in any language a localizer renders
// them in. id is the case ID ("" in the preview shown before consent),
// langName the person's language named in itself, contact the contact way
// they agreed to share ("": through the bot only).
func Card(f *flows.Flow, st flows.State, now time.Time, id, langName, contact string) []flows.Message {
	shown := id
	if shown == "" {
		shown = "……"
	}
	out := []flows.Message{{ID: MsgCardTitle, Params: map[string]any{"case": shown, "lang": langName}}}
	findings := summaryFindings(f, st, now)
	if findings == nil {
		out = append(out, flows.Message{ID: MsgCardUnfinished})
	} else {
		out = append(out, flows.Message{ID: MsgCardFindings, Kind: flows.KindHeading})
		out = append(out, findings...)
	}
	if contact != "" {
		out = append(out, flows.Message{ID: MsgCardContact, Params: map[string]any{"contact": contact}})
	} else {
		out = append(out, flows.Message{ID: MsgCardViaBot, Params: map[string]any{"case": shown}})
	}
	return append(out, flows.Message{ID: MsgCardHow, Params: map[string]any{"case": shown}})
}

// summaryFindings are the lines of the person's summary a volunteer needs:
// the findings (offences, public prosecution, first steps) and the lines
// that carry figures or dates (the nearest deadline), without citations.
// A line whose parameters hold a free-text answer is left out. nil when
// the conversation has no report yet.
func summaryFindings(f *flows.Flow, st flows.State, now time.Time) []flows.Message {
	rep, ok := flows.Assess(f, st, now)
	if !ok {
		return nil
	}
	free := map[string]bool{}
	for _, a := range st.Answers {
		if a.Text != "" {
			free[a.Text] = true
		}
	}
	out := []flows.Message{}
	for _, m := range rep.Summary {
		if m.Kind != flows.KindFinding && len(m.Params) == 0 || m.Kind == flows.KindHeading {
			continue
		}
		if holdsFreeText(m, free) {
			continue
		}
		m.Cite, m.Kind = nil, flows.KindFinding
		out = append(out, m)
	}
	return out
}

func holdsFreeText(m flows.Message, free map[string]bool) bool {
	for _, v := range m.Params {
		if s, ok := v.(string); ok && free[s] {
			return true
		}
	}
	return false
}
