package flows

import (
	"context"
	"fmt"
	"time"
)

// The hand-off of a case to a volunteer of the operator's group (package
// handoff decides what a case card says; the stores keep cases; the
// transports relay). What a store keeps of a case is what is needed to
// relay messages and to find the case again: never what the person wrote.

// Count is one event counted for the operator's statistics: a kind (such
// as "started") and a value (a language, an outcome, a finding). It names
// no user, no chat and no time but the week it is counted in.
type Count struct {
	Kind  string
	Value string
}

// CaseStatus is where a hand-off case is.
type CaseStatus int

// The statuses of a case.
const (
	CaseOpen    CaseStatus = iota // sent to the volunteers' chat, not yet claimed
	CaseClaimed                   // a volunteer took it: messages are relayed
	CaseClosed                    // closed by the person or the volunteer: nothing is relayed
)

// Case is a hand-off case: a person who asked a volunteer of the
// operator's group to contact them, with their consent.
type Case struct {
	ID   string // short, random, non-identifying ("K7Q2MX")
	Chat int64  // the person's chat, to relay to: stored encrypted
	Lang string // the person's language
	// Status is open, claimed or closed.
	Status CaseStatus
	// Volunteer is the first name of the volunteer who claimed the case,
	// as the person is shown it; VolunteerID their user ID, so that only
	// they answer through the bot. Both stored encrypted.
	Volunteer   string
	VolunteerID int64
	Created     time.Time
}

// CaseOp is what an update does to a case.
type CaseOp int

// The operations of CaseChange.
const (
	CaseCreate CaseOp = iota + 1 // store a new case (Status open)
	CaseUpdate                   // store the case's new status and volunteer
)

// CaseChange is a change to a case, committed with the update that made it.
type CaseChange struct {
	Op   CaseOp
	Case Case
}

// HandoffStore keeps hand-off cases; changes come with Commit (Commit.Case,
// Commit.Relay, Outgoing.Case).
type HandoffStore interface {
	// Case returns the case with id, or ErrNotFound.
	Case(ctx context.Context, id string) (Case, error)
	// CasesOf lists the IDs of the cases of a person's chat, open or closed.
	CasesOf(ctx context.Context, chat int64) ([]string, error)
	// CaseMessages lists the IDs of the messages sent to the volunteers'
	// chat for case id (rows with Outgoing.Case), the card first.
	CaseMessages(ctx context.Context, id string) ([]int64, error)
}

// StatsRow is one counter of the statistics: how many events of a kind
// and value were counted in a week ("2026-W48").
type StatsRow struct {
	Week  string
	Kind  string
	Value string
	N     int64
}

// StatsStore reads the statistics that Commit.Counts added.
type StatsStore interface {
	// Stats returns the counters of the weeks from since on, by week, kind and value.
	Stats(ctx context.Context, since time.Time) ([]StatsRow, error)
}

// Week is the ISO week t falls in (China time), as counters are kept: "2026-W48".
func Week(t time.Time) string {
	y, w := t.In(China).ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}
