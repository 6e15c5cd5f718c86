package flows

import (
	"slices"
	"time"
)

// Report is the assessment of a conversation that reached an outcome, as
// message IDs: the summary shown after the last answer, and the parts of
// the report shown on demand (a button, a menu entry, the full report).
// It is computed from the state alone, so it can be shown again at any time.
type Report struct {
	Node string    // the outcome node
	Date time.Time // the day the report is as of (China time)
	// Summary is what the outcome shows after the last answer.
	Summary []Message
	// Intro is the outcome's own messages, which open the full report.
	Intro []Message
	// Parts are the parts that have something to show, in the flow's order.
	Parts []ReportPart
	// Sources is a heading and the full name of every source the summary
	// and the parts cite (KindSource messages), in order of first citation.
	Sources []Message
	// Footer is the flow's footer: not advice, human help.
	Footer []Message
	// Faults lists expressions that failed (a flow the checker should have refused).
	Faults []string
}

// ReportPart is one part of a report: its title and its sections'
// headings and findings. The first section's heading is left out: the
// part's title, which every transport shows above the part, stands for
// it, so a part never opens with two headings ("Deadlines", "Deadlines").
type ReportPart struct {
	ID       string
	Title    string // message ID
	Messages []Message
}

// PartSources is the ID of the part listing the sources (Report.Sources),
// which every report with parts offers; no flow part may use it.
const PartSources = "sources"

// Part returns the part with id, and whether there is one. PartSources is
// the list of sources under its heading.
func (r *Report) Part(id string) (ReportPart, bool) {
	if id == PartSources && len(r.Sources) > 0 {
		return ReportPart{ID: PartSources, Title: r.Sources[0].ID, Messages: r.Sources[1:]}, true
	}
	for _, p := range r.Parts {
		if p.ID == id {
			return p, true
		}
	}
	return ReportPart{}, false
}

// Assess computes the report of a state that reached an outcome with a
// summary, as of the day it was reached (st.Ended; now when unknown). ok
// is false when the state has no such report: the conversation is not
// over, or its outcome shows everything at once.
func Assess(f *Flow, st State, now time.Time) (rep *Report, ok bool) {
	if !st.Done || st.Flow != f.ID {
		return nil, false
	}
	n := f.Nodes[st.Node]
	if n == nil || n.Type != Outcome || len(n.Summary) == 0 {
		return nil, false
	}
	if t, err := time.ParseInLocation(time.DateOnly, st.Ended, China); err == nil {
		now = t.Add(12 * time.Hour)
	}
	env := f.env(st, now)
	r := &Reply{}
	rep = &Report{Node: n.ID, Date: Day(now)}
	rep.Summary = f.summary(n, env, r)
	f.emit(r, n.Say, env)
	rep.Intro, r.Messages = r.Messages, nil
	all := slices.Clone(rep.Summary)
	for _, p := range n.Parts {
		var msgs []Message
		for _, sid := range p.Sections {
			msgs = append(msgs, f.section(sid, env, r, nil)...)
		}
		if len(msgs) == 0 {
			continue
		}
		if msgs[0].Kind == KindHeading {
			msgs = msgs[1:]
		}
		rep.Parts = append(rep.Parts, ReportPart{ID: p.ID, Title: p.Title, Messages: msgs})
		all = append(all, msgs...)
	}
	rep.Sources = f.sourceList(all)
	f.emit(r, f.Footer, env)
	rep.Footer = r.Messages
	rep.Faults = r.Faults
	return rep, true
}

// summary renders an outcome's summary.
func (f *Flow) summary(n *Node, env map[string]any, r *Reply) []Message {
	var out []Message
	today, _ := env["today"].(time.Time)
	topics := map[string]bool{} // of several findings of one topic, the summary shows the first
	cited := map[string]bool{}  // sources the summary has cited
	for _, it := range n.Summary {
		if it.When != nil && !f.holds(it.When, env, r) {
			continue
		}
		switch {
		case it.Msg != nil:
			if f.holds(it.Msg.When, env, r) {
				out = append(out, f.messageR(*it.Msg, env, r))
			}
		case it.Heading != "":
			out = append(out, Message{ID: it.Heading, Kind: KindHeading})
		case len(it.Pick) > 0:
			picked := 0
			for _, sid := range it.Pick {
				for _, h := range f.hits(sid, env, r, nil) {
					if h.fd.Topic != "" && topics[h.fd.Topic] {
						continue
					}
					if h.fd.Short == "" || it.Max > 0 && picked >= it.Max || slices.ContainsFunc(out, func(m Message) bool { return m.ID == h.fd.Short }) {
						continue // several findings may share one short line: it is shown once
					}
					m := Message{ID: h.fd.Short, Kind: KindFinding, Params: h.m.Params, Unconfirmed: h.m.Unconfirmed}
					// The summary cites each source once, on the first line
					// that relies on it: the parts cite it in full.
					if it.Cite && len(h.m.Cite) > 0 && !cited[citeSource(h.m.Cite[0])] {
						m.Cite = h.m.Cite[:1]
						cited[citeSource(h.m.Cite[0])] = true
					}
					out = append(out, m)
					picked++
					if h.fd.Topic != "" {
						topics[h.fd.Topic] = true
					}
				}
			}
		case len(it.Nearest) > 0:
			var best *hit
			var bestDue time.Time
			for _, sid := range it.Nearest {
				for _, h := range f.hits(sid, env, r, nil) {
					if h.fd.Due == nil || h.fd.Short == "" {
						continue
					}
					v, err := h.fd.Due.eval(env)
					if err != nil {
						r.fault(err)
						continue
					}
					due, ok := v.(time.Time)
					if !ok || due.IsZero() || !today.IsZero() && due.Before(today) {
						continue
					}
					if best == nil || due.Before(bestDue) {
						h := h
						best, bestDue = &h, due
					}
				}
			}
			if best != nil {
				out = append(out, Message{ID: best.fd.Short, Params: best.m.Params})
			}
		}
	}
	return out
}

// FindingRef names one finding of the assessment that applies: its
// section and its ID, as the flow file names them (no answer, no text).
type FindingRef struct {
	Section string
	ID      string
}

// Findings lists the findings that apply to a state that reached an
// outcome with parts, section by section in the outcome's order (the
// statistics and a hand-off case card use them); nil when Assess has no
// report for it.
func Findings(f *Flow, st State, now time.Time) []FindingRef {
	if !st.Done || st.Flow != f.ID {
		return nil
	}
	n := f.Nodes[st.Node]
	if n == nil || n.Type != Outcome || len(n.Summary) == 0 {
		return nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, st.Ended, China); err == nil {
		now = t.Add(12 * time.Hour)
	}
	env := f.env(st, now)
	r := &Reply{}
	var out []FindingRef
	for _, p := range n.Parts {
		for _, sid := range p.Sections {
			for _, h := range f.hits(sid, env, r, nil) {
				out = append(out, FindingRef{Section: sid, ID: h.fd.ID})
			}
		}
	}
	return out
}
