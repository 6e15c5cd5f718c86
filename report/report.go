// Package report renders the assessment of a finished conversation
// (flows.Report) for reading outside the chat: the whole report as one
// self-contained HTML file (inline CSS, no external resource, readable on a
// phone, printable), and a part split into pages for transports whose
// messages have a length limit. It knows no transport and imports no
// project package but flows; text comes from a flows.Localizer.
package report

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"

	"github.com/redress-legal/redress/flows"
)

// The catalog messages of the report file.
const (
	MsgTitle    = "report.title"    // the file's title
	MsgDate     = "report.date"     // "based on your answers, as of {{.date}}"
	MsgContents = "report.contents" // heading of the list of parts
	MsgSummary  = "report.summary"  // heading of the summary
)

// Messages lists the catalog messages this package shows with their
// parameters, so the checker can verify the catalogs.
var Messages = map[string][]string{MsgTitle: {}, MsgDate: {"date"}, MsgContents: {}, MsgSummary: {}}

// FileName is the name of the report file: redress-report-2026-11-27.html.
func FileName(rep *flows.Report) string {
	return "redress-report-" + rep.Date.Format("2006-01-02") + ".html"
}

// Pages splits the messages of a part into pages whose measured length,
// with sep between messages, is at most limit; a page holds at least one
// message (a longer single message is the transport's to cut). The split
// depends only on the messages, so page n is the same whenever asked for.
func Pages(msgs []flows.Message, measure func(flows.Message) int, sep, limit int) [][]flows.Message {
	var pages [][]flows.Message
	var cur []flows.Message
	n := 0
	for i, m := range msgs {
		w := measure(m)
		// A heading never ends a page: it goes with what follows it.
		if len(cur) > 0 && n+sep+w > limit || len(cur) > 0 && m.Kind == flows.KindHeading && i+1 < len(msgs) && n+sep+w+sep+measure(msgs[i+1]) > limit {
			pages = append(pages, cur)
			cur, n = nil, 0
		}
		if len(cur) > 0 {
			n += sep
		}
		cur = append(cur, m)
		n += w
	}
	if len(cur) > 0 {
		pages = append(pages, cur)
	}
	return pages
}

// section is a part of the file: an anchor, a title and its paragraphs.
type section struct {
	ID    string
	Title string
	Paras []para
}

// para is a paragraph: a heading, a point of a list, or text.
type para struct {
	Kind string // "h", "li", "src" or "p"
	Text string
}

// HTML renders the whole report in lang as one HTML document: UTF-8,
// inline CSS, no script, image, font or link to anything outside it, every
// text escaped by html/template.
func HTML(loc flows.Localizer, lang string, rep *flows.Report) ([]byte, error) {
	text := func(m flows.Message) string { return loc.Text(lang, m) }
	paras := func(msgs []flows.Message) []para {
		out := make([]para, 0, len(msgs))
		for _, m := range msgs {
			k := "p"
			switch m.Kind {
			case flows.KindHeading:
				k = "h"
			case flows.KindFinding:
				k = "li"
			case flows.KindSource:
				k = "src"
			}
			out = append(out, para{Kind: k, Text: text(m)})
		}
		return out
	}
	d := struct {
		Lang, Title, Date, Contents string
		Summary                     section
		Intro                       []para
		Parts                       []section
		Footer                      []para
	}{
		Lang:     lang,
		Title:    text(flows.Message{ID: MsgTitle}),
		Date:     text(flows.Message{ID: MsgDate, Params: map[string]any{"date": rep.Date}}),
		Contents: text(flows.Message{ID: MsgContents}),
		Summary:  section{ID: "summary", Title: text(flows.Message{ID: MsgSummary}), Paras: paras(rep.Summary)},
		Intro:    paras(rep.Intro),
		Footer:   paras(rep.Footer),
	}
	for _, p := range rep.Parts {
		d.Parts = append(d.Parts, section{ID: p.ID, Title: text(flows.Message{ID: p.Title}), Paras: paras(p.Messages)})
	}
	if p, ok := rep.Part(flows.PartSources); ok {
		d.Parts = append(d.Parts, section{ID: p.ID, Title: text(flows.Message{ID: p.Title}), Paras: paras(p.Messages)})
	}
	var b bytes.Buffer
	if err := page.Execute(&b, d); err != nil {
		return nil, fmt.Errorf("render report: %w", err)
	}
	return b.Bytes(), nil
}

// grouped turns paragraphs into blocks, so consecutive points form one list.
func grouped(ps []para) [][]para {
	var out [][]para
	for _, p := range ps {
		if n := len(out); n > 0 && out[n-1][0].Kind == p.Kind && (p.Kind == "li" || p.Kind == "src") {
			out[n-1] = append(out[n-1], p)
			continue
		}
		out = append(out, []para{p})
	}
	return out
}

var page = template.Must(template.New("report").Funcs(template.FuncMap{"grouped": grouped}).Parse(strings.TrimSpace(`
<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{.Title}}</title>
<style>
body{font-family:-apple-system,"Segoe UI","PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",sans-serif;line-height:1.6;color:#1a1a1a;background:#fff;max-width:42em;margin:0 auto;padding:1em 1.1em 3em;font-size:17px}
h1{font-size:1.45em;line-height:1.3;margin:.4em 0 .2em}
h2{font-size:1.2em;margin:1.8em 0 .5em;padding-top:.6em;border-top:2px solid #2b5d8a;color:#1f4466}
h3{font-size:1.02em;margin:1.2em 0 .3em}
p,li{margin:.45em 0}
ul{padding-left:1.2em}
.date{color:#555;margin-top:0}
.summary{background:#f3f7fb;border-left:4px solid #2b5d8a;padding:.6em 1em;margin:1em 0}
nav ol{padding-left:1.4em;margin:.3em 0}
a{color:#1f4466}
.sources li{font-size:.92em}
footer{margin-top:2em;padding-top:.8em;border-top:1px solid #ccc;color:#333}
@media print{body{max-width:none;font-size:11pt;padding:0}nav{display:none}h2{break-after:avoid}li,p{break-inside:avoid}a{color:inherit;text-decoration:none}.summary{background:none}}
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p class="date">{{.Date}}</p>
<section class="summary" id="{{.Summary.ID}}">
<h2 style="border:0;margin-top:.2em;padding:0">{{.Summary.Title}}</h2>
{{template "paras" .Summary.Paras}}
</section>
<nav><h3>{{.Contents}}</h3><ol>{{range .Parts}}<li><a href="#{{.ID}}">{{.Title}}</a></li>{{end}}</ol></nav>
{{template "paras" .Intro}}
{{range .Parts}}<section id="{{.ID}}"{{if eq .ID "sources"}} class="sources"{{end}}>
<h2>{{.Title}}</h2>
{{template "paras" .Paras}}
</section>
{{end}}<footer>{{template "paras" .Footer}}</footer>
</body>
</html>
{{define "paras"}}{{range grouped .}}{{$k := (index . 0).Kind}}{{if eq $k "h"}}<h3>{{(index . 0).Text}}</h3>
{{else if eq $k "p"}}<p>{{(index . 0).Text}}</p>
{{else}}<ul>{{range .}}<li>{{.Text}}</li>{{end}}</ul>
{{end}}{{end}}{{end}}
`)))
