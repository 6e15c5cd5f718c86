package flows

import "time"

// State is where one user is in one flow. It is a small JSON value that
// stores persist as a whole; the engine never mutates a State it was given.
type State struct {
	Flow    string            `json:"flow"`
	Version int               `json:"version"`
	Node    string            `json:"node"`
	Lang    string            `json:"lang,omitempty"`
	Answers map[string]Answer `json:"answers,omitempty"`
	// History lists the ask nodes answered, in order; /back pops it.
	History []string `json:"history,omitempty"`
	// Draft holds the options ticked so far on a multi node.
	Draft []string `json:"draft,omitempty"`
	Done  bool     `json:"done,omitempty"`
	// Menu is a menu of the conversation layer (package commands) waiting
	// for an answer, such as "lang" or "delete"; empty when none is. The
	// engine carries it along unchanged.
	Menu string `json:"menu,omitempty"`
	// Alarmed is the question at which typed words last brought the crisis
	// help (Input.Distress): the next such text there is taken as the
	// answer when it is one, so a person describing a threat, or how a
	// relative died, is not asked forever.
	Alarmed string `json:"alarmed,omitempty"`
	// Crisis says the crisis help was shown in this conversation (/sos, the
	// option, or typed words): flow conditions read it as crisis_shown, so
	// the assessment can bring the crisis lines back.
	Crisis bool `json:"crisis,omitempty"`
	// Ended is the day the outcome was reached (YYYY-MM-DD, China time):
	// its report is computed as of that day whenever it is shown again.
	Ended string `json:"ended,omitempty"`
	// Case is the hand-off case this user opened (package commands), while
	// it may be open; Contact the contact way they typed for it, until it
	// is sent or dropped. The engine carries both along unchanged.
	Case    string `json:"case,omitempty"`
	Contact string `json:"contact,omitempty"`
}

// Started reports whether the state belongs to a conversation in progress.
func (s State) Started() bool { return s.Node != "" }

// Answer is the user's answer to one ask node. Exactly one field is set,
// or Unknown when the user chose "I don't know".
type Answer struct {
	Choice  string   `json:"c,omitempty"`
	Choices []string `json:"m,omitempty"`
	Number  *int64   `json:"n,omitempty"`
	Date    string   `json:"d,omitempty"` // YYYY-MM-DD; a period's first day
	Until   string   `json:"e,omitempty"` // YYYY-MM-DD: a period's latest day
	Ongoing bool     `json:"o,omitempty"` // a period still going on
	Text    string   `json:"t,omitempty"`
	Unknown bool     `json:"u,omitempty"`
	// AtLeast: the number was given as a lower bound ("over 5,000",
	// "两万多", "3-4"); reports show it as "at least".
	AtLeast bool `json:"ge,omitempty"`
}

// AtLeast is a parameter value the user gave as a lower bound: a report
// says "at least 20,000", and transports render it so (LowerBound).
type AtLeast int64

// LowerBound is the number itself.
func (a AtLeast) LowerBound() int64 { return int64(a) }

// InputKind says what the user did.
type InputKind string

// The inputs a transport can give the engine.
const (
	InStart   InputKind = "start"   // begin, or resume and repeat the current question
	InText    InputKind = "text"    // typed text: an answer, or an option number
	InChoose  InputKind = "choose"  // pressed the option Key of Node
	InToggle  InputKind = "toggle"  // ticked or unticked option Key of multi Node
	InDone    InputKind = "done"    // finished a multi Node
	InUnknown InputKind = "unknown" // pressed "I don't know" on Node
	InBack    InputKind = "back"    // undo the last answer
	InRestart InputKind = "restart" // start over, forgetting all answers
	InCrisis  InputKind = "crisis"  // show the crisis help, then ask again
	InHelp    InputKind = "help"    // show the help for the current question
	InRepeat  InputKind = "repeat"  // ask the current question again (e.g. after /lang)
	InOther   InputKind = "other"   // something that is not text: sticker, photo, ...
)

// Input is one thing the user did, with the time it happened. The engine
// reads no clock: Now is the only time it knows.
type Input struct {
	Kind InputKind
	Text string
	Node string // the node a button belonged to (stale-button check)
	Key  string
	Now  time.Time
	// Distress says the text may tell of danger, suicide or self-harm (the
	// conversation layer decides, by phrases the engine does not know): the
	// crisis help is shown first and the question asked again; the text is
	// not taken as an answer, but at a free-text question where it already
	// brought the help (State.Alarmed).
	Distress bool
}

// Reply is what the engine wants the user to see, as message IDs.
type Reply struct {
	Messages []Message
	// Question describes the input expected next; nil when the flow ended.
	Question *Question
	Done     bool // an outcome was reached
	Urgent   bool // crisis information is in Messages
	// Event says what happened; transports branch on it (a toggle edits a
	// keyboard in place, an invalid button press is a pop-up) and log it.
	Event Event
	// Faults lists expressions that failed to evaluate. A checked flow should
	// never produce any; tests assert there are none.
	Faults []string `json:"faults,omitempty"`
}

// Event is what one step did with an input.
type Event string

// The events of Reply.Event.
const (
	EvStarted  Event = "started"  // a new conversation began
	EvMigrated Event = "migrated" // the flow changed and the user's place was gone: started again
	EvRestart  Event = "restart"  // started over on request
	EvBack     Event = "back"     // the last answer was undone
	EvCrisis   Event = "crisis"   // the crisis help was shown
	EvHelp     Event = "help"     // the current question's help was shown
	EvEnded    Event = "ended"    // input after the outcome
	EvResumed  Event = "resumed"  // the current question was asked again
	EvInvalid  Event = "invalid"  // not an answer: re-asked with a notice
	EvStale    Event = "stale"    // a button of an earlier question
	EvToggled  Event = "toggled"  // an option of a multi question ticked or unticked
	EvAnswered Event = "answered" // the question was answered
	EvFault    Event = "fault"    // an expression failed (a flow the checker should have refused)
)

// MessageKind tells a transport how to present a message.
type MessageKind string

// Message kinds.
const (
	KindText     MessageKind = ""         // a paragraph
	KindHeading  MessageKind = "heading"  // a section title
	KindFinding  MessageKind = "finding"  // a point of the assessment
	KindQuestion MessageKind = "question" // the question asked
	KindNotice   MessageKind = "notice"   // an engine notice (invalid answer, stale button, ...)
)

// Message is one catalog message with its parameters and citations.
// Params hold int64, float64, string, []string or time.Time values.
type Message struct {
	ID          string         `json:"id"`
	Kind        MessageKind    `json:"kind,omitempty"`
	Params      map[string]any `json:"params,omitempty"`
	Cite        []string       `json:"cite,omitempty"`
	Unconfirmed bool           `json:"unconfirmed,omitempty"`
}

// Question is the answer the engine waits for.
type Question struct {
	Node    string
	Type    NodeType
	Choices []ChoiceItem
	Min     *int64
	Max     *int64
	Unknown string // label message ID of the "I don't know" answer, if offered
}

// ChoiceItem is one option as shown to the user.
type ChoiceItem struct {
	Key      string
	Label    string // message ID
	Selected bool   // multi: ticked in the draft
	// Lang is the language Label is rendered in when it is not the user's:
	// the language menu names each language in itself.
	Lang string
}

// Engine message IDs: every catalog must hold them.
const (
	MsgInvalidChoice = "engine.invalid.choice"
	MsgInvalidMulti  = "engine.invalid.multi"
	// MsgInvalidExclusive: "none of these" typed together with other options.
	MsgInvalidExclusive = "engine.invalid.exclusive"
	MsgInvalidNumber    = "engine.invalid.number"
	MsgInvalidDate      = "engine.invalid.date"
	MsgFutureDate       = "engine.invalid.future_date"
	MsgInvalidText      = "engine.invalid.text"
	MsgTextTooLong      = "engine.invalid.text_too_long"
	MsgNotText          = "engine.not_text"
	MsgStale            = "engine.stale"
	MsgBackAtStart      = "engine.back_at_start"
	MsgBack             = "engine.back"
	MsgRestarted        = "engine.restarted"
	MsgFlowChanged      = "engine.flow_changed"
	MsgEnded            = "engine.ended"
	MsgNoHelp           = "engine.no_help"
	MsgCrisisResume     = "engine.crisis_resume"
	MsgResumed          = "engine.resumed"
	MsgVagueNumber      = "engine.invalid.vague_number"   // "几十个": asks for a best guess
	MsgAmbiguousDate    = "engine.invalid.ambiguous_date" // 06/07/2026: which of the two?
	MsgTookNumber       = "engine.took.number"            // "8k", "约8000": the number taken
	MsgTookAtLeast      = "engine.took.at_least"          // "一千多": the lower bound taken
	MsgTookDate         = "engine.took.date"              // "yesterday", "11月14日": the date taken
	MsgTookMonth        = "engine.took.month"             // "June 2026": the first of the month taken
	MsgTookPeriod       = "engine.took.period"            // "9月初到11月14日": the two days taken
	MsgTookOngoing      = "engine.took.ongoing"           // "since early September": from that day until today
	MsgTookStillGoing   = "engine.took.still_going"       // "9月初到11月14日，还在继续": both days, and still going on
)

// Label is a message parameter that is itself a message, such as an
// option's label ("choose “{{.unknown}}”"): the transport's Localizer shows
// it in the user's language.
type Label string

// EngineMessages lists the engine's own message IDs with the parameters
// each template may use, so the checker can verify the catalogs.
var EngineMessages = map[string][]string{
	MsgInvalidChoice:    {"count", "unknown"},
	MsgInvalidExclusive: {"option"},
	MsgInvalidMulti:     {"count"},
	MsgInvalidNumber:    {"min", "max", "unknown"},
	MsgInvalidDate:      {"unknown"},
	MsgFutureDate:       {},
	MsgInvalidText:      {"min"},
	MsgTextTooLong:      {"max"},
	MsgNotText:          {},
	MsgStale:            {},
	MsgBackAtStart:      {},
	MsgBack:             {},
	MsgRestarted:        {},
	MsgFlowChanged:      {},
	MsgEnded:            {},
	MsgNoHelp:           {},
	MsgCrisisResume:     {},
	MsgResumed:          {},
	MsgVagueNumber:      {"unknown"},
	MsgAmbiguousDate:    {"a", "b"},
	MsgTookNumber:       {"n"},
	MsgTookAtLeast:      {"n"},
	MsgTookDate:         {"date"},
	MsgTookMonth:        {"date"},
	MsgTookPeriod:       {"from", "to"},
	MsgTookOngoing:      {"from", "to"},
	MsgTookStillGoing:   {"from", "to"},
}

// Localizer turns message IDs into text in a language. Transports use it;
// main wires the catalogs in.
type Localizer interface {
	// Match returns the supported language for a user's language code.
	Match(code string) string
	// Languages lists the supported languages, source language first.
	Languages() []string
	// Text renders one message: template, parameters and citations.
	Text(lang string, m Message) string
}
