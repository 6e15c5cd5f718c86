// Package flows is the domain of Redress: the flow format, its loader and
// checker, the pure conversation engine and the session types. It imports
// nothing from the rest of the project and knows nothing of Telegram, SQLite
// or message catalogs: every sentence is a message ID, rendered by a transport.
package flows

import (
	"github.com/expr-lang/expr/vm"
)

// NodeType says what a node does when the conversation reaches it.
type NodeType string

// The node types a flow file may use.
const (
	Choice  NodeType = "choice"  // ask: pick one option
	Multi   NodeType = "multi"   // ask: pick one or more options
	Number  NodeType = "number"  // ask: a whole number
	Date    NodeType = "date"    // ask: a calendar date
	Period  NodeType = "period"  // ask: when it began and the latest day, in one answer ("2026-09-05 to 2026-11-14", "since September")
	Text    NodeType = "text"    // ask: free text
	Info    NodeType = "info"    // show messages, then continue
	Branch  NodeType = "branch"  // no message: choose the next node by condition
	Outcome NodeType = "outcome" // end: show messages and assessment sections
)

// Asks reports whether the node waits for an answer from the user.
func (t NodeType) Asks() bool {
	switch t {
	case Choice, Multi, Number, Date, Period, Text:
		return true
	}
	return false
}

// Pos is a position in a flow file, printed as file:line.
type Pos struct {
	File string
	Line int
}

// Flow is a loaded, checked and compiled flow. Build one with Load or Parse;
// a Flow is immutable and safe for concurrent use.
type Flow struct {
	ID       string
	Version  int
	Title    string // message ID
	Start    string // node ID
	Crisis   string // node ID of the crisis node, reachable from anywhere
	Intro    []MsgRef
	Footer   []MsgRef // shown at the end of every outcome
	Sources  map[string]Source
	Facts    []*Fact
	Nodes    map[string]*Node
	Order    []string // node IDs in file order
	Sections map[string]*Section
	Pos      Pos

	sample map[string]any // typed zero environment used to compile and run expressions
}

// Source is a legal source that citations may name, e.g. S-02.
type Source struct {
	ID    string
	Label string // message ID of its full name
	Pos   Pos
}

// Fact is a named value derived from the answers by an expression.
// Facts are evaluated in order; a fact may use the facts above it.
type Fact struct {
	ID   string
	Expr *Expr
	Pos  Pos
}

// Node is one step of a conversation.
type Node struct {
	ID       string
	Type     NodeType
	Say      []MsgRef // messages shown when the node is reached
	Ask      MsgRef   // the question (ask nodes)
	AskAs    []MsgRef // the question put another way to some users: the first whose when holds replaces Ask
	Help     string   // message ID shown by /help at this node
	Invalid  string   // message ID shown when an answer is not valid
	Options  []Option
	Min, Max *int64 // number bounds
	Unknown  string // label message ID of an "I don't know" option (number, date, choice)
	MaxLen   int    // text: most characters accepted
	MinLen   int    // text: fewest characters accepted
	// From and To name the two dates a period answer gives, as
	// expressions see them (e.g. q6_start, q6_last); a single day is both.
	From, To string
	// Ongoing names the truth value, as expressions see it, that a period
	// answer says it is still going on ("since September", "…至今"); optional.
	Ongoing  string
	Routes   []Route
	Next     string
	Sections []string // outcome: assessment sections shown, in order
	// Summary is what an outcome shows first, after the last answer: the
	// verdict, the first steps, the nearest deadline, help. An outcome with
	// a summary shows its sections on demand, grouped in Parts.
	Summary []SummaryItem
	Parts   []Part // outcome: the parts of the report offered under the summary
	Pos     Pos
}

// SummaryItem is one entry of an outcome's summary: a message, a heading,
// the short lines of findings picked from sections, or the nearest deadline.
type SummaryItem struct {
	Msg     *MsgRef  // a message shown as it is
	Heading string   // a heading (message ID)
	Pick    []string // sections whose findings that apply and have a short line are listed, in order
	Max     int      // Pick: at most this many lines (0: all)
	Cite    bool     // Pick: show the picked finding's first citation
	Nearest []string // sections: the one finding that applies with the earliest due date, not past
	When    *Expr    // Pick, Nearest: shown only when this holds (nil: always)
	Pos     Pos
}

// Part is a part of an outcome's report offered on demand (a button, a
// menu entry): a title and the sections it shows.
type Part struct {
	ID       string
	Title    string // message ID: the heading and the menu entry
	Sections []string
	Pos      Pos
}

// Option is one answer a choice or multi node offers.
type Option struct {
	Key       string
	Label     string // message ID
	Next      string // choice only: overrides routes and next
	Exclusive bool   // multi only: cannot be combined with other options
	// Words is the message ID of other words people type for this option,
	// separated by "|" ("killed himself | took his own life | 自杀"); a
	// typed line holding them answers with the option. Optional.
	Words string
	Pos   Pos
}

// Route sends the conversation to To when When holds.
type Route struct {
	When *Expr
	To   string
	Pos  Pos
}

// MsgRef is a message shown to the user: a catalog ID, optional parameters
// computed from the answers, an optional condition, and citations.
type MsgRef struct {
	ID          string
	Params      map[string]*Expr
	When        *Expr
	Cite        []string
	CitePos     Pos // where the citations are written
	Unconfirmed bool
	Pos         Pos
}

// Section is a part of the assessment: a heading and the findings that apply.
type Section struct {
	ID       string
	Title    string // message ID
	Empty    string // message ID shown when no finding applies (optional)
	Findings []*Finding
	Pos      Pos
}

// Finding is one rule of the assessment: when its condition holds, its
// message is shown with its citations. Rank orders findings in a section
// (higher first); equal ranks keep file order.
type Finding struct {
	ID   string
	Msg  MsgRef
	Rank *Expr
	// Short is the message ID of the finding in one line, for an
	// outcome's summary (it uses the finding's parameters); "" if none.
	Short string
	// Due is the date a deadline finding falls on, for the summary's
	// nearest deadline; nil for other findings.
	Due *Expr
	// Topic names what the finding's short line is about (e.g. the
	// threshold for serious defamation met); of several findings of one
	// topic, the summary picks only the first that applies.
	Topic string
	Pos   Pos
}

// Expr is a compiled expression with its source text.
type Expr struct {
	Src  string
	Pos  Pos
	prog *vm.Program
}
