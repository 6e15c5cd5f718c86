// Package graph draws a flow as a picture an author can read: every node
// with its question in one short line of the chosen language, every edge
// labelled with the options or the condition that takes it, outcomes and
// the crisis path styled apart. It renders Mermaid (shown by code-hosting
// sites) and Graphviz DOT. It is pure: the text of messages comes from a
// function the caller gives, so it imports nothing but flows.
package graph

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/redress-legal/redress/flows"
)

// Text returns the text of a message ID in the chosen language ("" or the
// ID itself when there is none).
type Text func(id string) string

// Format is an output format of Render.
type Format string

// The formats Render writes.
const (
	Mermaid Format = "mermaid"
	DOT     Format = "dot"
)

// Formats lists the formats Render accepts.
var Formats = []Format{Mermaid, DOT}

// Longest is how wide a question or a condition may be in a label, in
// columns (a Chinese character takes two); longer ones end in "…".
const Longest = 60

// optionWidth is how wide each option is in a label that lists several.
const optionWidth = 28

// moreOptions is how many option labels an edge lists before "+N".
const moreOptions = 3

// Render draws f in format, with message text from text.
func Render(f *flows.Flow, format Format, text Text) (string, error) {
	g := build(f, text)
	switch format {
	case Mermaid:
		return g.mermaid(), nil
	case DOT:
		return g.dot(), nil
	}
	return "", fmt.Errorf("unknown graph format %q (choose %s or %s)", format, Mermaid, DOT)
}

// class is how a node is styled.
type class string

const (
	plain   class = ""
	info    class = "info"
	branch  class = "branch"
	outcome class = "outcome"
	crisis  class = "crisis"
)

type node struct {
	id    string
	label string
	typ   flows.NodeType
	class class
}

type edge struct {
	from, to string
	label    string
	cond     bool // the label is a condition as the author wrote it
	crisis   bool // the edge leads into the crisis path
}

type picture struct {
	flowID string
	sos    string // the crisis node /sos shows from anywhere
	nodes  []node
	edges  []edge
}

// build turns the flow into nodes and labelled edges, in file order.
func build(f *flows.Flow, text Text) *picture {
	if text == nil {
		text = func(id string) string { return id }
	}
	crisisPath := crisisNodes(f)
	p := &picture{flowID: f.ID, sos: f.Crisis}
	for _, id := range f.Order {
		n := f.Nodes[id]
		nd := node{id: id, typ: n.Type, label: nodeLabel(n, text)}
		switch {
		case crisisPath[id]:
			nd.class = crisis
		case n.Type == flows.Outcome:
			nd.class = outcome
		case n.Type == flows.Info:
			nd.class = info
		case n.Type == flows.Branch:
			nd.class = branch
		}
		p.nodes = append(p.nodes, nd)
		for _, e := range nodeEdges(n, text) {
			e.crisis = crisisPath[e.to] && !crisisPath[id]
			if !slices.Contains(p.edges, e) {
				p.edges = append(p.edges, e)
			}
		}
	}
	return p
}

// nodeEdges lists where n leads: the options that carry their own next
// (grouped by where they lead), each route with its condition, and the
// default next ("else" when routes come first).
func nodeEdges(n *flows.Node, text Text) []edge {
	var out []edge
	fallthroughOpts := []string{} // options that leave by the routes and next
	byTarget := map[string][]string{}
	var targets []string
	if n.Type == flows.Choice {
		for _, o := range n.Options {
			if o.Next == "" {
				fallthroughOpts = append(fallthroughOpts, shortTo(text(o.Label), optionWidth))
				continue
			}
			if _, ok := byTarget[o.Next]; !ok {
				targets = append(targets, o.Next)
			}
			byTarget[o.Next] = append(byTarget[o.Next], shortTo(text(o.Label), optionWidth))
		}
	}
	for _, to := range targets {
		out = append(out, edge{from: n.ID, to: to, label: optionList(byTarget[to])})
	}
	if n.Type == flows.Choice && len(fallthroughOpts) == 0 {
		return out // every option leads somewhere itself: routes and next are never used
	}
	for _, r := range n.Routes {
		out = append(out, edge{from: n.ID, to: r.To, label: short(r.When.Src), cond: true})
	}
	if n.Next != "" {
		label := ""
		switch {
		case len(n.Routes) > 0:
			label = "else"
		case len(targets) > 0:
			label = optionList(fallthroughOpts)
		}
		out = append(out, edge{from: n.ID, to: n.Next, label: label})
	}
	return out
}

// optionList joins option labels, naming at most moreOptions and counting the rest.
func optionList(labels []string) string {
	if len(labels) <= moreOptions {
		return strings.Join(labels, " / ")
	}
	return strings.Join(labels[:moreOptions-1], " / ") + fmt.Sprintf(" / +%d", len(labels)-moreOptions+1)
}

// nodeLabel is the node's ID and, for a question, its question in one
// short line; for an info node or an outcome, its first message.
func nodeLabel(n *flows.Node, text Text) string {
	var msg string
	switch {
	case n.Type.Asks():
		msg = n.Ask.ID
	case len(n.Say) > 0 && (n.Type == flows.Info || n.Type == flows.Outcome):
		msg = n.Say[0].ID
	}
	if msg == "" {
		return n.ID
	}
	t := text(msg)
	if t == "" || t == msg {
		return n.ID
	}
	return n.ID + " · " + question(t)
}

// question shortens a message to one line: the whole text when it is
// short, else its first sentence that asks something, else its start.
func question(t string) string {
	t = strings.Join(strings.Fields(t), " ")
	if width(t) <= Longest {
		return t
	}
	start := 0
	for i, r := range t {
		if strings.ContainsRune(".。!！", r) {
			start = i + utf8.RuneLen(r)
			continue
		}
		if r == '?' || r == '？' {
			return short(strings.TrimSpace(t[start : i+utf8.RuneLen(r)]))
		}
	}
	return short(t)
}

// short puts s on one line at most Longest columns wide.
func short(s string) string { return shortTo(s, Longest) }

// shortTo puts s on one line at most w columns wide, ending in "…" when cut.
func shortTo(s string, w int) string {
	s = strings.Join(strings.Fields(s), " ")
	if width(s) <= w {
		return s
	}
	var b strings.Builder
	used := 0
	for _, r := range s {
		if used+runeWidth(r) > w-1 {
			break
		}
		b.WriteRune(r)
		used += runeWidth(r)
	}
	return strings.TrimSpace(b.String()) + "…"
}

// width is how many columns s takes: two for a wide (CJK) character.
func width(s string) int {
	n := 0
	for _, r := range s {
		n += runeWidth(r)
	}
	return n
}

func runeWidth(r rune) int {
	if unicode.Is(unicode.Han, r) || unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Hangul) || r >= 0x3000 && r <= 0x303f || r >= 0xff00 && r <= 0xffef {
		return 2
	}
	return 1
}

// crisisNodes is the crisis path: the crisis node and the nodes only it
// leads to (those the conversation cannot reach from the start without
// passing through the crisis help).
func crisisNodes(f *flows.Flow) map[string]bool {
	if f.Crisis == "" {
		return map[string]bool{}
	}
	main := reach(f, f.Start, f.Crisis)
	out := map[string]bool{}
	for id := range reach(f, f.Crisis, "") {
		if !main[id] {
			out[id] = true
		}
	}
	out[f.Crisis] = true
	return out
}

// reach is every node reachable from start without entering avoid.
func reach(f *flows.Flow, start, avoid string) map[string]bool {
	seen := map[string]bool{}
	stack := []string{start}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := f.Nodes[id]
		if n == nil || seen[id] || id == avoid {
			continue
		}
		seen[id] = true
		for _, e := range nodeEdges(n, func(string) string { return "" }) {
			stack = append(stack, e.to)
		}
	}
	return seen
}
