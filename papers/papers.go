// Package papers makes the documents a person attacked online files —
// the criminal complaint to the police, the private-prosecution complaint
// and the application for police help with evidence, the requests for
// reconsideration and for procuratorate supervision, the notice to the
// platform, the application for a personal safety protection order, and
// the evidence list — from the answers of a finished conversation, the
// assessment's facts and the user's evidence log, as .docx files, with a
// guide to each in the user's language.
//
// The documents are data: templates/*.yaml hold every sentence, the
// condition under which each document (and each paragraph) applies,
// written as the flow's own conditions over its answers and facts, and
// the guide. A lawyer changes the wording there, without Go; Check reports
// each problem as file:line (templates/README.md explains the format).
//
// The package imports no project package but flows, and knows no
// transport: the chat and the bot ask it for the files and deliver them.
package papers

import (
	"strings"
)

// Kind says how a block of a document is set.
type Kind string

// The kinds of block.
const (
	KindTitle     Kind = "title"     // the document's title, centred
	KindSubtitle  Kind = "subtitle"  // a line under the title, centred
	KindHeading   Kind = "h"         // a heading of a part (请求事项, 事实与理由)
	KindPara      Kind = "p"         // a paragraph, first line indented two characters
	KindItem      Kind = "item"      // a numbered paragraph: （一）, （二）… within its heading
	KindLine      Kind = "line"      // a line without indent (parties, 此致's addressee)
	KindRight     Kind = "right"     // a line set right (signature, date)
	KindBullet    Kind = "bullet"    // a point of a list (the guide)
	KindNotice    Kind = "notice"    // the note that the document was prepared by a tool
	KindTable     Kind = "table"     // a table (the evidence list)
	KindPageBreak Kind = "pagebreak" // a new page (the guide: one page per document)
)

// Block is one block of a document.
type Block struct {
	Kind   Kind
	Text   string
	Rows   [][]string // KindTable: the header row, then the rows
	Widths []int      // KindTable: each column's share of the width, per mille
}

// Document is one generated document.
type Document struct {
	ID    string // the template's ID: complaint, private, ...
	File  string // the file name: 01-criminal-complaint.docx
	Title string // the document's title as filed (刑事控告书)
	// Name is what the document is called in the user's language, for a
	// caption or a list (the title itself for a Chinese reader).
	Name   string
	Lang   string // the language of its text
	Blocks []Block
	DOCX   []byte // the file
}

// Text is the document as plain text: one block a paragraph, tables as
// rows of cells separated by " | ". The golden files hold it.
func (d *Document) Text() string {
	var b strings.Builder
	for _, bl := range d.Blocks {
		switch bl.Kind {
		case KindPageBreak:
			b.WriteString("----\n\n")
			continue
		case KindTable:
			for _, r := range bl.Rows {
				b.WriteString(strings.Join(r, " | "))
				b.WriteString("\n")
			}
		case KindBullet:
			b.WriteString("• " + bl.Text + "\n")
		default:
			b.WriteString(bl.Text + "\n")
		}
		b.WriteString("\n")
	}
	return b.String()
}
