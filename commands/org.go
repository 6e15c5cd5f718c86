package commands

import (
	"slices"
	"strings"
	"time"

	"github.com/redress-legal/redress/flows"
)

// Org is the organisation that runs the bot, as its operator configured
// it (redress serve --org-name, --org-contact, --org-hours). Its lines are
// the operator's own text, shown as given: after the summary's help line,
// and first under the report's "Who can help" part (OrgPart). The flow
// never holds them, so one flow serves every organisation.
type Org struct {
	Name    string   // the organisation's name
	Contact []string // its contact lines: a hotline, an address, a link
	Hours   string   // its office hours, free text; "" if not given
}

// OrgPart is the ID of the report part where the organisation's entry is
// shown first ("Who can help" in the built-in flow).
const OrgPart = "help"

// The catalog messages of the organisation's lines.
const (
	MsgOrgSummary      = "org.summary"       // after the summary's help line
	MsgOrgSummaryHours = "org.summary_hours" // the same, with office hours
	MsgOrgContact      = "org.contact"       // its entry under "Who can help"
	MsgOrgHours        = "org.hours"         // its office hours, under that entry
)

func init() {
	Messages[MsgOrgSummary] = []string{"name", "contact"}
	Messages[MsgOrgSummaryHours] = []string{"name", "contact", "hours"}
	Messages[MsgOrgContact] = []string{"name", "contact"}
	Messages[MsgOrgHours] = []string{"hours"}
}

// Empty reports whether no organisation is configured.
func (o Org) Empty() bool { return o.Name == "" }

// contact is the contact lines on one line.
func (o Org) contact() string { return strings.Join(o.Contact, " / ") }

// addTo puts the organisation's lines into a report: one line after the
// summary, and its entry (with its hours) at the top of OrgPart (after a
// heading, should the part open with one: a part's first section heading
// is left out for its title).
func (o Org) addTo(rep *flows.Report) {
	if o.Empty() {
		return
	}
	params := map[string]any{"name": o.Name, "contact": o.contact()}
	rep.Summary = o.after(rep.Summary)
	for i, p := range rep.Parts {
		if p.ID != OrgPart {
			continue
		}
		entry := []flows.Message{{ID: MsgOrgContact, Kind: flows.KindFinding, Params: params}}
		if o.Hours != "" {
			entry = append(entry, flows.Message{ID: MsgOrgHours, Kind: flows.KindFinding, Params: map[string]any{"hours": o.Hours}})
		}
		at := 0
		if len(p.Messages) > 0 && p.Messages[0].Kind == flows.KindHeading {
			at = 1
		}
		rep.Parts[i].Messages = slices.Insert(slices.Clone(p.Messages), at, entry...)
	}
}

// after returns summary with the organisation's line appended (summary
// itself when none is configured).
func (o Org) after(summary []flows.Message) []flows.Message {
	if o.Empty() {
		return summary
	}
	line := flows.Message{ID: MsgOrgSummary, Params: map[string]any{"name": o.Name, "contact": o.contact()}}
	if o.Hours != "" {
		line = flows.Message{ID: MsgOrgSummaryHours, Params: map[string]any{"name": o.Name, "contact": o.contact(), "hours": o.Hours}}
	}
	return append(slices.Clone(summary), line)
}

// assess is flows.Assess with the organisation's lines added: the one way
// this package computes a report.
func (e *Env) assess(st flows.State, now time.Time) (*flows.Report, bool) {
	rep, ok := flows.Assess(e.Flow, st, now)
	if ok {
		e.Org.addTo(rep)
	}
	return rep, ok
}
