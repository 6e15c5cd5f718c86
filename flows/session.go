package flows

import (
	"context"
	"errors"
	"fmt"
	"time"
)

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
}

// Started reports whether the state belongs to a conversation in progress.
func (s State) Started() bool { return s.Node != "" }

// Answer is the user's answer to one ask node. Exactly one field is set,
// or Unknown when the user chose "I don't know".
type Answer struct {
	Choice  string   `json:"c,omitempty"`
	Choices []string `json:"m,omitempty"`
	Number  *int64   `json:"n,omitempty"`
	Date    string   `json:"d,omitempty"` // YYYY-MM-DD
	Text    string   `json:"t,omitempty"`
	Unknown bool     `json:"u,omitempty"`
}

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
}

// Reply is what the engine wants the user to see, as message IDs.
type Reply struct {
	Messages []Message
	// Question describes the input expected next; nil when the flow ended.
	Question *Question
	Done     bool // an outcome was reached
	Urgent   bool // crisis information is in Messages
	// Event names what happened, for logs and tests: "answered", "invalid",
	// "stale", "back", "restart", "crisis", "ended", "resumed", "migrated", ...
	Event string
	// Faults lists expressions that failed to evaluate. A checked flow should
	// never produce any; tests assert there are none.
	Faults []string `json:"faults,omitempty"`
}

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
}

// Engine message IDs: every catalog must hold them.
const (
	MsgInvalidChoice = "engine.invalid.choice"
	MsgInvalidMulti  = "engine.invalid.multi"
	MsgInvalidNumber = "engine.invalid.number"
	MsgInvalidDate   = "engine.invalid.date"
	MsgFutureDate    = "engine.invalid.future_date"
	MsgInvalidText   = "engine.invalid.text"
	MsgTextTooLong   = "engine.invalid.text_too_long"
	MsgNotText       = "engine.not_text"
	MsgStale         = "engine.stale"
	MsgBackAtStart   = "engine.back_at_start"
	MsgBack          = "engine.back"
	MsgRestarted     = "engine.restarted"
	MsgFlowChanged   = "engine.flow_changed"
	MsgEnded         = "engine.ended"
	MsgNoHelp        = "engine.no_help"
	MsgCrisisResume  = "engine.crisis_resume"
	MsgMultiDone     = "engine.multi_done"
	MsgResumed       = "engine.resumed"
)

// EngineMessages lists the engine's own message IDs with the parameters
// each template may use, so the checker can verify the catalogs.
var EngineMessages = map[string][]string{
	MsgInvalidChoice: {"count"},
	MsgInvalidMulti:  {"count"},
	MsgInvalidNumber: {"min", "max"},
	MsgInvalidDate:   {},
	MsgFutureDate:    {},
	MsgInvalidText:   {"min"},
	MsgTextTooLong:   {"max"},
	MsgNotText:       {},
	MsgStale:         {},
	MsgBackAtStart:   {},
	MsgBack:          {},
	MsgRestarted:     {},
	MsgFlowChanged:   {},
	MsgEnded:         {},
	MsgNoHelp:        {},
	MsgCrisisResume:  {},
	MsgMultiDone:     {},
	MsgResumed:       {},
}

// Session is a stored conversation: the State of one user under a key such
// as "tg:12345" or "local:default", with a revision for compare-and-swap.
type Session struct {
	Key     string
	State   State
	Rev     int64 // 0 for a session never stored
	Updated time.Time
}

// DuplicateWindow is how long an update ID counts as already processed.
// Telegram re-delivers an unconfirmed update only while it keeps it (24
// hours), and after a week without updates it picks the next ID at random,
// so an old ID may come back as a new update: outside this window it is one.
const DuplicateWindow = 48 * time.Hour

// Errors stores return.
var (
	// ErrInvalid: arguments no store accepts (an empty session key, a
	// negative revision or update ID).
	ErrInvalid = errors.New("invalid argument")
	// ErrChatMismatch: an outbox row names a chat other than its commit's,
	// or a delivery names the wrong chat for its row.
	ErrChatMismatch = errors.New("outbox row belongs to another chat")

	ErrNotFound  = errors.New("session not found")
	ErrConflict  = errors.New("session changed concurrently")
	ErrDuplicate = errors.New("update already processed")
)

// Store keeps sessions. Implementations must pass flowstest.RunStoreSuite.
type Store interface {
	// Get returns the session stored under key, or ErrNotFound.
	Get(ctx context.Context, key string) (Session, error)
	// Put stores s if the stored revision equals s.Rev (0: none stored yet)
	// and returns it with its new revision; otherwise ErrConflict.
	Put(ctx context.Context, s Session) (Session, error)
	// Delete removes everything stored for key. Deleting nothing is not an error.
	Delete(ctx context.Context, key string) error
	// PurgeIdle removes the sessions not updated since before, and says how many.
	PurgeIdle(ctx context.Context, before time.Time) (int, error)
}

// Outgoing is one call to a transport's API (a message to send, a keyboard
// to edit, ...) waiting in the outbox, in delivery order per chat.
type Outgoing struct {
	ID      int64  // assigned by the store; increasing in commit order
	Chat    int64  // the transport's chat ID
	Method  string // the API method, e.g. "sendMessage"
	Payload []byte // the method's parameters, transport-specific JSON
}

// Delivery says that the transport has made the call of one outbox row
// (or given it up for good), and the ID of the message it sent, if any.
type Delivery struct {
	Row       int64 // the outbox row's ID
	MessageID int64 // the transport's ID of the message sent; 0 if none
}

// Commit is the effect of one incoming update, applied atomically: the
// update is recorded, the session compare-and-swapped on its revision and
// the replies appended to the outbox — all or nothing.
type Commit struct {
	// UpdateID is unique per transport; committing it twice returns
	// ErrDuplicate and changes nothing.
	UpdateID int64
	// Session is stored with compare-and-swap on Session.Rev (the revision
	// that was read; 0 when none existed). Ignored when Delete is set.
	Session Session
	// Delete removes everything stored for Session.Key and Chat (session,
	// pending outbox rows, the log of sent messages) before Outbox is added.
	Delete bool
	// Chat is the transport chat the outbox rows go to; a commit marks it active.
	Chat   int64
	Outbox []Outgoing
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

// Check reports a session no store accepts (ErrInvalid): every store
// applies the same rules, so they live here.
func (s Session) Check() error {
	if s.Key == "" {
		return fmt.Errorf("empty session key: %w", ErrInvalid)
	}
	if s.Rev < 0 {
		return fmt.Errorf("negative revision %d: %w", s.Rev, ErrInvalid)
	}
	return nil
}

// Check reports a commit no store accepts: a negative update ID or
// revision (ErrInvalid), or an outbox row for another chat (ErrChatMismatch).
func (c Commit) Check() error {
	if c.UpdateID < 0 {
		return fmt.Errorf("negative update id: %w", ErrInvalid)
	}
	if !c.Delete && c.Session.Key != "" && c.Session.Rev < 0 {
		return fmt.Errorf("negative revision %d: %w", c.Session.Rev, ErrInvalid)
	}
	for _, o := range c.Outbox {
		if o.Chat != 0 && o.Chat != c.Chat {
			return fmt.Errorf("row for chat %d in a commit for chat %d: %w", o.Chat, c.Chat, ErrChatMismatch)
		}
	}
	return nil
}
