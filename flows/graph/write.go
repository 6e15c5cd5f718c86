package graph

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/redress-legal/redress/flows"
)

// Mermaid styles: outcomes green, the crisis path red, notes and branches quiet.
var mermaidClasses = []string{
	"classDef outcome fill:#e3f2e6,stroke:#2e7d32,stroke-width:2px,color:#1b3d1f",
	"classDef crisis fill:#fde7e7,stroke:#c62828,stroke-width:2px,color:#5c1010",
	"classDef info fill:#eef3fb,stroke:#8aa4cc,color:#1f2d44",
	"classDef branch fill:#f4f4f4,stroke:#9e9e9e,color:#333",
}

// sosNode is the extra node that says /sos reaches the crisis help from anywhere.
const sosNode = "sos_anywhere"

// mermaid writes the picture as a Mermaid flowchart, top to bottom.
func (p *picture) mermaid() string {
	var b strings.Builder
	b.WriteString("flowchart TD\n")
	fmt.Fprintf(&b, "  %%%% The flow %s, drawn by `redress flow graph`: edit the flow file, not this picture.\n", p.flowID)
	ids := map[string]string{}
	for _, n := range p.nodes {
		ids[n.id] = mermaidID(n.id)
	}
	for _, n := range p.nodes {
		label := mermaidText(n.label)
		var shape string
		switch n.typ {
		case flows.Branch:
			shape = "{\"" + label + "\"}"
		case flows.Info:
			shape = "(\"" + label + "\")"
		case flows.Outcome:
			shape = "[[\"" + label + "\"]]"
		default:
			shape = "[\"" + label + "\"]"
		}
		fmt.Fprintf(&b, "  %s%s\n", ids[n.id], shape)
	}
	var crisisLinks []string
	link := 0
	if p.sos != "" {
		fmt.Fprintf(&b, "  %s([\"/sos\"]) -.-> %s\n", sosNode, ids[p.sos])
		crisisLinks = append(crisisLinks, strconv.Itoa(link))
		link++
	}
	for _, e := range p.edges {
		to, ok := ids[e.to]
		if !ok {
			to = mermaidID(e.to)
		}
		if e.label == "" {
			fmt.Fprintf(&b, "  %s --> %s\n", ids[e.from], to)
		} else {
			fmt.Fprintf(&b, "  %s -->|\"%s\"| %s\n", ids[e.from], mermaidText(e.label), to)
		}
		if e.crisis {
			crisisLinks = append(crisisLinks, strconv.Itoa(link))
		}
		link++
	}
	for _, c := range mermaidClasses {
		fmt.Fprintf(&b, "  %s\n", c)
	}
	for _, cl := range []class{outcome, crisis, info, branch} {
		var members []string
		for _, n := range p.nodes {
			if n.class == cl {
				members = append(members, ids[n.id])
			}
		}
		if cl == crisis && p.sos != "" {
			members = append(members, sosNode)
		}
		if len(members) > 0 {
			fmt.Fprintf(&b, "  class %s %s\n", strings.Join(members, ","), cl)
		}
	}
	if len(crisisLinks) > 0 {
		fmt.Fprintf(&b, "  linkStyle %s stroke:#c62828,stroke-width:2px\n", strings.Join(crisisLinks, ","))
	}
	return b.String()
}

// mermaidID keeps a node ID usable in Mermaid, where "end" is a keyword.
func mermaidID(id string) string {
	if strings.EqualFold(id, "end") || strings.EqualFold(id, "graph") || strings.EqualFold(id, "subgraph") {
		return id + "_"
	}
	return id
}

// mermaidText escapes a label for a quoted Mermaid string: quotes, angle
// brackets (read as HTML), bars (edge-label delimiters) and backticks
// (Markdown strings) are written as entity codes.
func mermaidText(s string) string {
	return strings.NewReplacer(
		`#`, "#35;",
		`"`, "#quot;",
		`<`, "#lt;",
		`>`, "#gt;",
		`|`, "#124;",
		"`", "#96;",
	).Replace(s)
}

// dot writes the picture as a Graphviz digraph.
func (p *picture) dot() string {
	var b strings.Builder
	fmt.Fprintf(&b, "// The flow %s, drawn by `redress flow graph --format dot`; render with: dot -Tsvg\n", p.flowID)
	fmt.Fprintf(&b, "digraph %s {\n", strconv.Quote(p.flowID))
	b.WriteString("  rankdir=TB;\n  node [fontname=\"sans-serif\", fontsize=11, shape=box, style=\"rounded\"];\n  edge [fontname=\"sans-serif\", fontsize=9];\n")
	for _, n := range p.nodes {
		attrs := []string{"label=" + strconv.Quote(n.label)}
		switch n.typ {
		case flows.Branch:
			attrs = append(attrs, "shape=diamond", "style=\"\"")
		case flows.Info:
			attrs = append(attrs, "shape=note", "style=\"\"")
		case flows.Outcome:
			attrs = append(attrs, "shape=doubleoctagon", "style=\"\"")
		}
		switch n.class {
		case outcome:
			attrs = append(attrs, "color=\"#2e7d32\"", "penwidth=2")
		case crisis:
			attrs = append(attrs, "color=\"#c62828\"", "fontcolor=\"#c62828\"", "penwidth=2")
		case info, branch:
			attrs = append(attrs, "color=\"#8a8a8a\"")
		}
		fmt.Fprintf(&b, "  %s [%s];\n", strconv.Quote(n.id), strings.Join(attrs, ", "))
	}
	if p.sos != "" {
		fmt.Fprintf(&b, "  %s [label=\"/sos\", shape=oval, color=\"#c62828\", fontcolor=\"#c62828\"];\n", strconv.Quote(sosNode))
		fmt.Fprintf(&b, "  %s -> %s [style=dashed, color=\"#c62828\"];\n", strconv.Quote(sosNode), strconv.Quote(p.sos))
	}
	for _, e := range p.edges {
		var attrs []string
		if e.label != "" {
			attrs = append(attrs, "label="+strconv.Quote(e.label))
		}
		if e.cond {
			attrs = append(attrs, "fontname=\"monospace\"")
		}
		if e.crisis {
			attrs = append(attrs, "color=\"#c62828\"", "penwidth=2")
		}
		line := fmt.Sprintf("  %s -> %s", strconv.Quote(e.from), strconv.Quote(e.to))
		if len(attrs) > 0 {
			line += " [" + strings.Join(attrs, ", ") + "]"
		}
		b.WriteString(line + ";\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// Markers around the picture embedded in a Markdown document.
const (
	BeginMarker = "<!-- flow-graph:begin (go test . -run TestFlowGraphInDocs -update rewrites this block) -->"
	EndMarker   = "<!-- flow-graph:end -->"
)

// Embed replaces the fenced Mermaid block between BeginMarker and
// EndMarker in doc with mermaid; ok is false when doc has no such markers.
func Embed(doc, mermaid string) (out string, ok bool) {
	before, rest, found := strings.Cut(doc, BeginMarker)
	if !found {
		return doc, false
	}
	_, after, found := strings.Cut(rest, EndMarker)
	if !found {
		return doc, false
	}
	return before + BeginMarker + "\n```mermaid\n" + mermaid + "```\n" + EndMarker + after, true
}
