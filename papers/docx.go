package papers

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A minimal WordprocessingML package (ECMA-376, the .docx format): the
// parts Word, WPS Office and LibreOffice need to open a document, and no
// more. A4 portrait, Chinese text in 宋体 (SimSun) with 黑体 (SimHei) for the
// title, Latin text in Times New Roman; the font table gives each Chinese
// font its Latin name, its GB2312 character set and its family, so a
// program without the font substitutes a Chinese serif (LibreOffice's
// Noto Serif CJK SC or Source Han Serif SC; Word and WPS on macOS, Songti
// SC) instead of drawing boxes.

// Page geometry in twentieths of a point: A4 (210 × 297 mm), margins of
// 2.54 cm top and bottom and 3.17 cm left and right (Word's default for a
// Chinese A4 document, which courts' and police samples use).
const (
	pageW      = 11906
	pageH      = 16838
	marginTB   = 1440
	marginLR   = 1800
	bodySize   = 24 // half-points: 12 pt, 小四
	titleSize  = 36 // 18 pt, 小二
	noticeSize = 20 // 10 pt
	tableSize  = 20 // 10 pt: six columns on a portrait page
	hashSize   = 16 // 8 pt: a SHA-256 in hex is 64 characters
)

// docxTime is the time stamped on every part, so the same document is the
// same bytes whenever it is made.
var docxTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// writeDOCX returns doc as a .docx file.
func writeDOCX(doc *Document) ([]byte, error) {
	var body bytes.Buffer
	for _, b := range doc.Blocks {
		writeBlock(&body, b)
	}
	parts := []struct{ name, data string }{
		{"[Content_Types].xml", contentTypes},
		{"_rels/.rels", rootRels},
		{"docProps/core.xml", coreProps(doc)},
		{"docProps/app.xml", appProps},
		{"word/_rels/document.xml.rels", documentRels},
		{"word/document.xml", documentXML(body.String(), doc.Lang)},
		{"word/styles.xml", stylesXML(doc.Lang)},
		{"word/settings.xml", settingsXML},
		{"word/fontTable.xml", fontTableXML},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate, Modified: docxTime})
		if err != nil {
			return nil, fmt.Errorf("docx %s: %w", p.name, err)
		}
		if _, err := w.Write([]byte(p.data)); err != nil {
			return nil, fmt.Errorf("docx %s: %w", p.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("docx: %w", err)
	}
	return buf.Bytes(), nil
}

// esc escapes text for XML; characters XML cannot hold become U+FFFD.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// runs writes text as runs with properties rpr: line breaks as w:br, tabs
// as w:tab.
func runs(w *bytes.Buffer, text, rpr string) {
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			w.WriteString("<w:r>" + rpr + "<w:br/></w:r>")
		}
		for j, piece := range strings.Split(line, "\t") {
			if j > 0 {
				w.WriteString("<w:r>" + rpr + "<w:tab/></w:r>")
			}
			if piece == "" {
				continue
			}
			w.WriteString("<w:r>" + rpr + `<w:t xml:space="preserve">` + esc(piece) + "</w:t></w:r>")
		}
	}
}

// para writes one paragraph with paragraph properties ppr.
func para(w *bytes.Buffer, ppr, rpr, text string) {
	w.WriteString("<w:p>")
	if ppr != "" || rpr != "" {
		w.WriteString("<w:pPr>" + ppr)
		if rpr != "" {
			w.WriteString(rpr) // the paragraph mark's own run properties
		}
		w.WriteString("</w:pPr>")
	}
	runs(w, text, rpr)
	w.WriteString("</w:p>")
}

const (
	indent2    = `<w:ind w:firstLineChars="200" w:firstLine="480"/>` // two characters, as Chinese paragraphs are set
	noticeRun  = `<w:rPr><w:color w:val="595959"/><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr>`
	keepNext   = `<w:keepNext/>`
	spaceAfter = `<w:spacing w:before="240" w:after="240"/>`
)

func writeBlock(w *bytes.Buffer, b Block) {
	switch b.Kind {
	case KindTitle:
		para(w, `<w:pStyle w:val="Title"/>`, "", b.Text)
	case KindSubtitle:
		para(w, `<w:jc w:val="center"/>`+spaceAfter, "", b.Text)
	case KindHeading:
		para(w, `<w:pStyle w:val="Heading1"/>`, "", b.Text)
	case KindPara, KindItem:
		para(w, indent2, "", b.Text)
	case KindLine:
		para(w, "", "", b.Text)
	case KindRight:
		para(w, `<w:jc w:val="right"/>`, "", b.Text)
	case KindNotice:
		para(w, `<w:spacing w:before="360"/>`, noticeRun, b.Text)
	case KindBullet:
		para(w, `<w:ind w:left="420" w:hanging="420"/>`, "", "•\t"+b.Text)
	case KindPageBreak:
		w.WriteString(`<w:p><w:r><w:br w:type="page"/></w:r></w:p>`)
	case KindTable:
		writeTable(w, b.Rows, b.Widths)
	}
}

// writeTable writes rows as a table with borders; the first row is the
// header, repeated on every page. widths are the columns' shares of the
// text width, in per mille; equal when nil.
func writeTable(w *bytes.Buffer, rows [][]string, widths []int) {
	if len(rows) == 0 {
		return
	}
	cols := len(rows[0])
	text := pageW - 2*marginLR
	tw := make([]int, cols)
	for i := range tw {
		if len(widths) == cols {
			tw[i] = text * widths[i] / 1000
		} else {
			tw[i] = text / cols
		}
	}
	w.WriteString(`<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="` + strconv.Itoa(text) + `" w:type="dxa"/><w:tblLayout w:type="fixed"/>`)
	w.WriteString(`<w:tblBorders>`)
	for _, side := range []string{"top", "left", "bottom", "right", "insideH", "insideV"} {
		w.WriteString(`<w:` + side + ` w:val="single" w:sz="4" w:space="0" w:color="000000"/>`)
	}
	w.WriteString(`</w:tblBorders><w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid>`)
	for _, x := range tw {
		w.WriteString(`<w:gridCol w:w="` + strconv.Itoa(x) + `"/>`)
	}
	w.WriteString(`</w:tblGrid>`)
	for r, row := range rows {
		w.WriteString("<w:tr>")
		if r == 0 {
			w.WriteString(`<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>`)
		} else {
			w.WriteString(`<w:trPr><w:cantSplit/></w:trPr>`)
		}
		for c := 0; c < cols; c++ {
			cell := ""
			if c < len(row) {
				cell = row[c]
			}
			size := tableSize
			if r > 0 && isHash(cell) {
				size = hashSize
			}
			rpr := `<w:rPr><w:sz w:val="` + strconv.Itoa(size) + `"/><w:szCs w:val="` + strconv.Itoa(size) + `"/></w:rPr>`
			if r == 0 {
				rpr = `<w:rPr><w:b/><w:bCs/><w:sz w:val="` + strconv.Itoa(size) + `"/><w:szCs w:val="` + strconv.Itoa(size) + `"/></w:rPr>`
			}
			w.WriteString(`<w:tc><w:tcPr><w:tcW w:w="` + strconv.Itoa(tw[c]) + `" w:type="dxa"/></w:tcPr>`)
			ppr := `<w:spacing w:before="0" w:after="0" w:line="276" w:lineRule="auto"/>`
			if r == 0 {
				ppr += `<w:jc w:val="center"/>`
			} else {
				ppr += `<w:jc w:val="left"/>` // not justified: a narrow cell would spread its characters apart
			}
			para(w, ppr, rpr, cell)
			w.WriteString("</w:tc>")
		}
		w.WriteString("</w:tr>")
	}
	w.WriteString("</w:tbl>")
	// Word requires a paragraph between a table and the end of the body
	// or the next table.
	w.WriteString("<w:p/>")
}

// isHash reports whether s is a SHA-256 in hex (64 hex digits), set smaller
// so that it fits its column in two lines.
func isHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}

const contentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
	`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
	`<Default Extension="xml" ContentType="application/xml"/>` +
	`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
	`<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>` +
	`<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>` +
	`<Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"/>` +
	`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
	`<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>` +
	`</Types>`

const rootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>` +
	`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
	`<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>` +
	`</Relationships>`

const documentRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
	`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>` +
	`<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable" Target="fontTable.xml"/>` +
	`</Relationships>`

const appProps = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>Redress</Application></Properties>`

// coreProps names the document's title and language; no author: the file
// says nothing of who made it beyond what its text says.
func coreProps(doc *Document) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
		`<dc:title>` + esc(doc.Title) + `</dc:title><dc:language>` + esc(docLang(doc.Lang)) + `</dc:language>` +
		`<dcterms:created xsi:type="dcterms:W3CDTF">` + docxTime.Format(time.RFC3339) + `</dcterms:created>` +
		`</cp:coreProperties>`
}

// docLang is the document's language as Word tags it.
func docLang(lang string) string {
	if lang == "zh-Hans" {
		return "zh-CN"
	}
	return lang
}

const settingsXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
	`<w:defaultTabStop w:val="420"/><w:characterSpacingControl w:val="compressPunctuation"/>` +
	`<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>` +
	`</w:settings>`

// fontTableXML declares the fonts used: the Chinese ones by their Chinese
// names as Chinese Word writes them, with the Latin name (altName), the
// GB2312 character set (86) and the family, which is what other programs
// substitute by.
const fontTableXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
	`<w:font w:name="Times New Roman"><w:panose1 w:val="02020603050405020304"/><w:charset w:val="00"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>` +
	`<w:font w:name="宋体"><w:altName w:val="SimSun"/><w:panose1 w:val="02010600030101010101"/><w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>` +
	`<w:font w:name="黑体"><w:altName w:val="SimHei"/><w:panose1 w:val="02010609060101010101"/><w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>` +
	`</w:fonts>`

func documentXML(body, lang string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>` +
		body +
		`<w:sectPr><w:pgSz w:w="` + strconv.Itoa(pageW) + `" w:h="` + strconv.Itoa(pageH) + `"/>` +
		`<w:pgMar w:top="` + strconv.Itoa(marginTB) + `" w:right="` + strconv.Itoa(marginLR) + `" w:bottom="` + strconv.Itoa(marginTB) + `" w:left="` + strconv.Itoa(marginLR) + `" w:header="851" w:footer="992" w:gutter="0"/>` +
		`<w:cols w:space="425"/></w:sectPr>` +
		`</w:body></w:document>`
}

// stylesXML: the defaults (fonts, size, 1.5 line spacing) and the few
// styles the blocks use. lang is the text's language, for spelling and
// line breaking.
func stylesXML(lang string) string {
	fonts := `<w:rFonts w:ascii="Times New Roman" w:eastAsia="宋体" w:hAnsi="Times New Roman" w:cs="Times New Roman" w:hint="eastAsia"/>`
	langTag := `<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>`
	if lang != "zh-Hans" {
		fonts = `<w:rFonts w:ascii="Times New Roman" w:eastAsia="宋体" w:hAnsi="Times New Roman" w:cs="Times New Roman"/>`
	}
	size := strconv.Itoa(bodySize)
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
		`<w:docDefaults><w:rPrDefault><w:rPr>` + fonts + `<w:sz w:val="` + size + `"/><w:szCs w:val="` + size + `"/>` + langTag + `</w:rPr></w:rPrDefault>` +
		`<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="360" w:lineRule="auto"/><w:jc w:val="both"/></w:pPr></w:pPrDefault></w:docDefaults>` +
		`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>` +
		`<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>` +
		`<w:pPr><w:keepNext/><w:spacing w:before="240" w:after="360"/><w:jc w:val="center"/><w:outlineLvl w:val="0"/></w:pPr>` +
		`<w:rPr><w:rFonts w:ascii="Times New Roman" w:eastAsia="黑体" w:hAnsi="Times New Roman" w:hint="eastAsia"/><w:b/><w:bCs/><w:sz w:val="` + strconv.Itoa(titleSize) + `"/><w:szCs w:val="` + strconv.Itoa(titleSize) + `"/></w:rPr></w:style>` +
		`<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>` +
		`<w:pPr>` + keepNext + `<w:spacing w:before="200" w:after="60"/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:b/><w:bCs/></w:rPr></w:style>` +
		`<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>` +
		`<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:basedOn w:val="TableNormal"/></w:style>` +
		`</w:styles>`
}
