package commands

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redress-legal/redress/flows"
)

// The evidence log: /evidence lists what the user added and says how to
// add more; "/evidence add PATH description" (the terminal), a file sent
// (Telegram), "/evidence link URL ...", "/evidence note TEXT" and
// "/evidence remove N" change it. Env.Text and Env.Choose only read the
// command into an EvidenceRequest (Outcome.Evidence); the transport hands
// it to Env.Evidence with a context and the user's key, which does the
// work through the store (Env.EvidenceLog) and, for a path, the
// transport's FileOpener. File bytes are hashed as they stream past and
// never kept.

// Evidence is the evidence-log command.
const Evidence Name = "evidence"

// KeyEvidence is the report menu's entry for the evidence log.
const KeyEvidence = "elog"

// FactIntimateImages is the flow fact that says the case involves intimate
// images: the evidence log then warns, each time, never to upload them.
const FactIntimateImages = "intimate_images"

// EvidenceOp is what an evidence request does.
type EvidenceOp string

// The evidence requests.
const (
	EvList   EvidenceOp = "list"   // the log, and how to add to it
	EvFile   EvidenceOp = "file"   // add a file: File (received) or Path (to open)
	EvLink   EvidenceOp = "link"   // add a link
	EvNote   EvidenceOp = "note"   // add a note
	EvRemove EvidenceOp = "remove" // mark item Seq removed
)

// EvidenceRequest is what the evidence log is asked to do: read from
// "/evidence ..." by Env.Text, from the report menu by Env.Choose, or made
// by a transport for a file the user sent. Env.Evidence carries it out.
type EvidenceRequest struct {
	Op          EvidenceOp
	Path        string // EvFile: a file to open with Env.Files (the terminal)
	File        *File  // EvFile: a file the transport received (Telegram)
	URL         string // EvLink
	Description string // the user's words (EvNote: the note)
	Counts      flows.EvidenceCounts
	Seq         int   // EvRemove
	UpdateID    int64 // the update that brought the request (see flows.EvidenceItem.UpdateID)
	// Menu: asked from the report menu; where menus are typed, the menu is
	// shown again under the log.
	Menu bool
}

// File is a file handed to the evidence log: its exact bytes, streamed,
// and what the transport knows of it.
type File struct {
	Body io.Reader // the bytes as received; read once, to the end
	Name string    // the name it came with; "" if none
	MIME string    // its media type, as given or sniffed; "" if unknown
}

// FileOpener opens a file the user names by its path ("/evidence add
// PATH" in the terminal). The transport implements it: this package does
// no I/O of its own.
type FileOpener interface {
	// OpenFile opens the file at path for reading. Close the File's Body
	// if it is an io.Closer.
	OpenFile(ctx context.Context, path string) (File, error)
}

// Messages of the evidence log, besides the transports' EvidenceHow.
const (
	MsgEvidenceList           = "cmd.evidence.list"             // heading of the log
	MsgEvidenceEmpty          = "cmd.evidence.empty"            // the log is empty
	MsgEvidenceItemFile       = "cmd.evidence.item.file"        // a file in the list
	MsgEvidenceItemLink       = "cmd.evidence.item.link"        // a link in the list
	MsgEvidenceItemNote       = "cmd.evidence.item.note"        // a note in the list
	MsgEvidenceAddedFile      = "cmd.evidence.added.file"       // a file was recorded
	MsgEvidenceAddedLink      = "cmd.evidence.added.link"       // a link was recorded
	MsgEvidenceAddedNote      = "cmd.evidence.added.note"       // a note was recorded
	MsgEvidenceCounts         = "cmd.evidence.counts"           // the counts given, and when seen
	MsgEvidenceNotNotary      = "cmd.evidence.not_notary"       // not notarisation; stronger preservation
	MsgEvidenceNotNotaryShort = "cmd.evidence.not_notary_short" // the same, in one sentence
	MsgEvidenceIntimate       = "cmd.evidence.intimate"         // never upload intimate images
	MsgEvidenceRemoved        = "cmd.evidence.removed"          // an item was marked removed
	MsgEvidenceNoItem         = "cmd.evidence.no_item"          // remove: no such item
	MsgEvidenceUsage          = "cmd.evidence.usage"            // a request not understood
	MsgEvidenceBadLink        = "cmd.evidence.bad_link"         // a link that is not one
	MsgEvidenceBadCount       = "cmd.evidence.bad_count"        // a count or date not understood
	MsgEvidenceNoNote         = "cmd.evidence.no_note"          // a note without text
	MsgEvidenceUnreadable     = "cmd.evidence.unreadable"       // a path that cannot be read
	MsgEvidenceTooLarge       = "cmd.evidence.too_large"        // a file above the size limit
	MsgEvidenceSendFile       = "cmd.evidence.send_file"        // "/evidence add" where files are sent instead
	MsgReportEvidence         = "cmd.report.evidence"           // report menu: the evidence log
	MsgEvidenceCountViews     = "cmd.evidence.count.views"      // a count: views
	MsgEvidenceCountRepost    = "cmd.evidence.count.reposts"    // a count: reposts
	MsgEvidenceCountComms     = "cmd.evidence.count.comments"   // a count: comments
	MsgEvidenceCountLikes     = "cmd.evidence.count.likes"      // a count: likes
	// MsgEvidencePlatform + "." + a flows.Platforms key: the platform's name.
	MsgEvidencePlatform = "cmd.evidence.platform"
)

// init adds the evidence log's messages to Messages, which the checker
// verifies the catalogs against.
func init() {
	for id, params := range map[string][]string{
		MsgEvidenceList:           {},
		MsgEvidenceEmpty:          {},
		MsgEvidenceItemFile:       {"n", "hash", "size", "name", "time", "desc", "removed"},
		MsgEvidenceItemLink:       {"n", "platform", "url", "counts", "time", "desc", "removed"},
		MsgEvidenceItemNote:       {"n", "time", "desc", "removed"},
		MsgEvidenceAddedFile:      {"n", "hash", "size", "name", "time"},
		MsgEvidenceAddedLink:      {"n", "platform", "counts", "time"},
		MsgEvidenceAddedNote:      {"n", "time"},
		MsgEvidenceCounts:         {"list", "seen"},
		MsgEvidenceNotNotary:      {},
		MsgEvidenceNotNotaryShort: {},
		MsgEvidenceIntimate:       {},
		MsgEvidenceRemoved:        {"n"},
		MsgEvidenceNoItem:         {"n", "count"},
		MsgEvidenceUsage:          {},
		MsgEvidenceBadLink:        {"link"},
		MsgEvidenceBadCount:       {"word"},
		MsgEvidenceNoNote:         {},
		MsgEvidenceUnreadable:     {"path"},
		MsgEvidenceTooLarge:       {"mb"},
		MsgEvidenceSendFile:       {},
		MsgReportEvidence:         {},
		MsgEvidenceCountViews:     {"n"},
		MsgEvidenceCountRepost:    {"n"},
		MsgEvidenceCountComms:     {"n"},
		MsgEvidenceCountLikes:     {"n"},
	} {
		Messages[id] = params
	}
	for _, p := range flows.Platforms {
		Messages[MsgEvidencePlatform+"."+p] = []string{}
	}
}

// The events of the evidence log.
const (
	EvEvidence        flows.Event = "evidence"         // the log was shown, or a request was not understood
	EvEvidenceAdded   flows.Event = "evidence_added"   // an item was recorded
	EvEvidenceRemoved flows.Event = "evidence_removed" // an item was marked removed
)

// evidenceWords are the words after /evidence that name a request, in
// the languages users type.
var evidenceWords = map[string]EvidenceOp{
	"add": EvFile, "file": EvFile, "添加": EvFile, "文件": EvFile,
	"link": EvLink, "url": EvLink, "链接": EvLink, "网址": EvLink,
	"note": EvNote, "备注": EvNote, "笔记": EvNote, "记录": EvNote, "描述": EvNote,
	"remove": EvRemove, "rm": EvRemove, "删除": EvRemove, "移除": EvRemove,
	"list": EvList, "列表": EvList,
	// Traditional characters, as zh-Hant readers type them
	"鏈接": EvLink, "網址": EvLink, "備註": EvNote, "備注": EvNote, "筆記": EvNote, "記錄": EvNote, "刪除": EvRemove,
}

// countWords name the counts of a link ("views=12000", "转发：300").
var countWords = map[string]string{
	"views": "views", "view": "views", "reads": "views", "plays": "views", "阅读": "views", "浏览": "views", "播放": "views", "阅读量": "views", "浏览量": "views", "播放量": "views",
	"reposts": "reposts", "repost": "reposts", "shares": "reposts", "share": "reposts", "转发": "reposts", "分享": "reposts", "转发量": "reposts",
	"comments": "comments", "comment": "comments", "评论": "comments", "评论数": "comments",
	"likes": "likes", "like": "likes", "赞": "likes", "点赞": "likes", "点赞数": "likes",
	"seen": "seen", "date": "seen", "看到": "seen", "日期": "seen", "时间": "seen",
	// Traditional characters: the zh-Hant help shows 閱讀=12000 轉發=300
	"閱讀": "views", "瀏覽": "views", "閱讀量": "views", "瀏覽量": "views",
	"轉發": "reposts", "轉發量": "reposts",
	"評論": "comments", "評論數": "comments",
	"贊": "likes", "讚": "likes", "點贊": "likes", "點讚": "likes", "點贊數": "likes", "點讚數": "likes",
	"時間": "seen",
}

// evidenceCommand reads "/evidence ..." into a request (ok), or answers
// what it cannot read.
func (e *Env) evidenceCommand(st flows.State, lang, arg string, now time.Time) Outcome {
	req, notice := parseEvidence(arg, now)
	if notice != nil {
		return e.show(st, lang, flows.Reply{Messages: []flows.Message{*notice, e.how()}}, EvEvidence)
	}
	st.Lang = lang
	return Outcome{State: st, Evidence: &req, Event: EvEvidence}
}

// parseEvidence reads the argument of /evidence.
func parseEvidence(arg string, now time.Time) (EvidenceRequest, *flows.Message) {
	word, rest := cutWord(arg)
	if word == "" {
		return EvidenceRequest{Op: EvList}, nil
	}
	op, ok := evidenceWords[strings.ToLower(word)]
	if !ok && looksLikeLink(word) {
		op, rest, ok = EvLink, arg, true // "/evidence https://..."
	}
	if !ok {
		return EvidenceRequest{}, &flows.Message{ID: MsgEvidenceUsage, Kind: flows.KindNotice}
	}
	req := EvidenceRequest{Op: op}
	switch op {
	case EvFile:
		req.Path, req.Description = cutPath(rest)
		if req.Path == "" {
			return EvidenceRequest{}, &flows.Message{ID: MsgEvidenceUsage, Kind: flows.KindNotice}
		}
	case EvLink:
		link, rest := cutWord(rest)
		if !looksLikeLink(link) {
			return EvidenceRequest{}, &flows.Message{ID: MsgEvidenceBadLink, Kind: flows.KindNotice, Params: map[string]any{"link": shorten(link, 60)}}
		}
		req.URL = link
		counts, desc, bad := readCounts(rest, now)
		if bad != "" {
			return EvidenceRequest{}, &flows.Message{ID: MsgEvidenceBadCount, Kind: flows.KindNotice, Params: map[string]any{"word": shorten(bad, 40)}}
		}
		req.Counts, req.Description = counts, desc
	case EvNote:
		req.Description = strings.TrimSpace(rest)
		if req.Description == "" {
			return EvidenceRequest{}, &flows.Message{ID: MsgEvidenceNoNote, Kind: flows.KindNotice}
		}
	case EvRemove:
		n, err := strconv.Atoi(strings.TrimPrefix(toASCII(strings.TrimSpace(rest)), "#"))
		if err != nil || n < 1 {
			return EvidenceRequest{}, &flows.Message{ID: MsgEvidenceUsage, Kind: flows.KindNotice}
		}
		req.Seq = n
	}
	return req, nil
}

// cutWord splits s at its first run of spaces.
func cutWord(s string) (word, rest string) {
	s = strings.TrimSpace(s)
	i := strings.IndexAny(s, " \t\n\u3000")
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i:])
}

// cutPath reads a path, quoted when it holds spaces ("/my files/a.png"),
// then the description.
func cutPath(s string) (path, rest string) {
	s = strings.TrimSpace(s)
	for _, q := range [][2]string{{`"`, `"`}, {`'`, `'`}, {"“", "”"}} {
		if body, ok := strings.CutPrefix(s, q[0]); ok {
			if path, rest, ok := strings.Cut(body, q[1]); ok {
				return path, strings.TrimSpace(rest)
			}
		}
	}
	return cutWord(s)
}

// looksLikeLink reports whether s is a web address: a URL with a host
// that has a dot, with or without its scheme.
func looksLikeLink(s string) bool {
	if s == "" || strings.ContainsAny(s, " \t\n") {
		return false
	}
	u := s
	if !strings.Contains(u, "://") {
		u = "https://" + u
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") {
		return false
	}
	h := p.Hostname()
	return strings.Contains(h, ".") && !strings.HasPrefix(h, ".") && !strings.HasSuffix(h, ".")
}

// readCounts reads the "name=value" words of s (views=12000,
// reposts=300, comments=45, likes=6, seen=2026-11-30; also ":" and the
// Chinese names, and numbers such as 1.2万); the other words are the
// description. Counts given without a date were seen now. bad is the
// first such word whose value cannot be read.
func readCounts(s string, now time.Time) (c flows.EvidenceCounts, desc, bad string) {
	var words []string
	for _, w := range strings.Fields(s) {
		name, value, ok := cutAny(w, "=", "＝", ":", "：")
		kind := countWords[strings.ToLower(name)]
		if !ok || kind == "" {
			words = append(words, w)
			continue
		}
		if kind == "seen" {
			d, ok := flows.ParseDate(value, now)
			if !ok {
				return flows.EvidenceCounts{}, "", w
			}
			c.SeenAt = d
			continue
		}
		n, ok := flows.ParseNumber(value)
		if !ok {
			return flows.EvidenceCounts{}, "", w
		}
		switch kind {
		case "views":
			c.Views = n
		case "reposts":
			c.Reposts = n
		case "comments":
			c.Comments = n
		case "likes":
			c.Likes = n
		}
	}
	if c.SeenAt.IsZero() && (c.Views|c.Reposts|c.Comments|c.Likes) != 0 {
		c.SeenAt = now
	}
	return c, strings.Join(words, " "), ""
}

// cutAny cuts s at the first of seps found in it.
func cutAny(s string, seps ...string) (before, after string, ok bool) {
	best := -1
	sep := ""
	for _, x := range seps {
		if i := strings.Index(s, x); i > 0 && (best < 0 || i < best) {
			best, sep = i, x
		}
	}
	if best < 0 {
		return s, "", false
	}
	return s[:best], s[best+len(sep):], true
}

// how is the transport's sentence on how to add evidence.
func (e *Env) how() flows.Message {
	return flows.Message{ID: e.Texts.EvidenceHow, Kind: flows.KindNotice}
}

// Evidence carries out an evidence request for the user whose session key
// is key: it reads, adds to or marks the log in e.EvidenceLog, opening a
// path with e.Files, and says what it did. The state is not changed (a
// menu typed again stays waiting). An error is a failure of the store; a
// file that cannot be read, or a request not understood, is answered.
func (e *Env) Evidence(ctx context.Context, key string, st flows.State, lang string, req EvidenceRequest, now time.Time) (Outcome, error) {
	st.Lang = lang
	if e.EvidenceLog == nil {
		return e.show(st, lang, flows.Reply{Messages: []flows.Message{{ID: MsgUnknownCommand, Kind: flows.KindNotice, Params: map[string]any{"command": "/" + string(Evidence)}}}}, EvStale), nil
	}
	items, err := e.EvidenceLog.ListEvidence(ctx, key)
	if err != nil {
		return Outcome{}, fmt.Errorf("evidence log: %w", err)
	}
	var msgs []flows.Message
	ev := EvEvidence
	switch req.Op {
	case EvList:
		msgs = e.evidenceList(lang, st, items, now)
	case EvFile, EvLink, EvNote:
		it, notice, err := e.evidenceItem(ctx, req, now)
		if err != nil {
			return Outcome{}, err
		}
		if notice != nil {
			msgs = []flows.Message{*notice}
			if e.warnIntimate(st, items, req, now) {
				msgs = append(msgs, flows.Message{ID: MsgEvidenceIntimate, Kind: flows.KindNotice})
			}
			break
		}
		added, err := e.EvidenceLog.AddEvidence(ctx, key, it)
		if err != nil {
			return Outcome{}, fmt.Errorf("evidence log: %w", err)
		}
		// What came before this item: for an update delivered again, the
		// log read above already holds it, and the answer must not change.
		before := slices.DeleteFunc(slices.Clone(items), func(x flows.EvidenceItem) bool { return x.Seq >= added.Seq })
		msgs = append(msgs, e.confirm(lang, added))
		if e.warnIntimate(st, before, req, now) {
			msgs = append(msgs, flows.Message{ID: MsgEvidenceIntimate, Kind: flows.KindNotice})
		}
		// The whole explanation with the first item, a reminder after.
		notary := MsgEvidenceNotNotary
		if len(before) > 0 {
			notary = MsgEvidenceNotNotaryShort
		}
		msgs = append(msgs, flows.Message{ID: notary, Kind: flows.KindNotice})
		ev = EvEvidenceAdded
	case EvRemove:
		err := e.EvidenceLog.RemoveEvidence(ctx, key, req.Seq, now)
		switch {
		case errors.Is(err, flows.ErrNotFound):
			msgs = []flows.Message{{ID: MsgEvidenceNoItem, Kind: flows.KindNotice, Params: map[string]any{"n": int64(req.Seq), "count": int64(len(items))}}}
		case err != nil:
			return Outcome{}, fmt.Errorf("evidence log: %w", err)
		default:
			msgs = []flows.Message{{ID: MsgEvidenceRemoved, Kind: flows.KindNotice, Params: map[string]any{"n": int64(req.Seq)}}}
			ev = EvEvidenceRemoved
		}
	default:
		msgs = []flows.Message{{ID: MsgEvidenceUsage, Kind: flows.KindNotice}, e.how()}
	}
	out := e.show(st, lang, flows.Reply{Messages: msgs}, ev)
	if req.Menu && e.Typed {
		if rep, ok := flows.Assess(e.Flow, st, now); ok {
			e.withMenu(&out, rep)
			out.Reply.Messages = slices.Concat(msgs, out.Reply.Messages[len(out.Reply.Messages)-1:])
		}
	}
	return out, nil
}

// evidenceItem makes the item a request adds: a file hashed as it is read,
// a link with its platform, or a note. notice answers a request that
// cannot be carried out (a path that cannot be read, a file too large).
func (e *Env) evidenceItem(ctx context.Context, req EvidenceRequest, now time.Time) (flows.EvidenceItem, *flows.Message, error) {
	it := flows.EvidenceItem{Kind: flows.EvidenceKind(req.Op), Received: now.UTC(), Description: strings.TrimSpace(req.Description), UpdateID: req.UpdateID}
	switch req.Op {
	case EvLink:
		it.URL, it.Platform, it.Counts = req.URL, flows.PlatformOf(req.URL), req.Counts
		return it, nil, nil
	case EvNote:
		return it, nil, nil
	}
	f := req.File
	if f == nil {
		if e.Files == nil {
			return it, &flows.Message{ID: MsgEvidenceSendFile, Kind: flows.KindNotice}, nil
		}
		opened, err := e.Files.OpenFile(ctx, req.Path)
		if err != nil {
			return it, &flows.Message{ID: MsgEvidenceUnreadable, Kind: flows.KindNotice, Params: map[string]any{"path": req.Path}}, nil
		}
		if c, ok := opened.Body.(io.Closer); ok {
			defer c.Close()
		}
		f = &opened
	}
	h := sha256.New()
	body := f.Body
	if e.MaxFileSize > 0 {
		body = io.LimitReader(body, e.MaxFileSize+1)
	}
	n, err := io.Copy(h, body)
	if err != nil {
		if req.File != nil {
			return it, nil, fmt.Errorf("read the file received: %w", err)
		}
		return it, &flows.Message{ID: MsgEvidenceUnreadable, Kind: flows.KindNotice, Params: map[string]any{"path": req.Path}}, nil
	}
	if e.MaxFileSize > 0 && n > e.MaxFileSize {
		return it, &flows.Message{ID: MsgEvidenceTooLarge, Kind: flows.KindNotice, Params: map[string]any{"mb": e.MaxFileSize >> 20}}, nil
	}
	it.SHA256, it.Size, it.FileName, it.MIME = hex.EncodeToString(h.Sum(nil)), n, f.Name, f.MIME
	return it, nil, nil
}

// warnIntimate says whether a file or the log (with its how-to) comes
// with the warning never to upload intimate images: before the first
// file, and every time in a case that involves them.
func (e *Env) warnIntimate(st flows.State, items []flows.EvidenceItem, req EvidenceRequest, now time.Time) bool {
	if req.Op != EvFile && req.Op != EvList {
		return false // a link or a note is what the warning asks for
	}
	if e.Flow.FactHolds(st, FactIntimateImages, now) {
		return true
	}
	return !slices.ContainsFunc(items, func(it flows.EvidenceItem) bool { return it.Kind == flows.EvidenceFile })
}

// evidenceList is the log, item by item, then how to add to it.
func (e *Env) evidenceList(lang string, st flows.State, items []flows.EvidenceItem, now time.Time) []flows.Message {
	var msgs []flows.Message
	if len(items) == 0 {
		msgs = append(msgs, flows.Message{ID: MsgEvidenceEmpty, Kind: flows.KindNotice})
	} else {
		msgs = append(msgs, flows.Message{ID: MsgEvidenceList, Kind: flows.KindHeading})
		for _, it := range items {
			msgs = append(msgs, e.itemLine(lang, it))
		}
	}
	msgs = append(msgs, e.how())
	if e.warnIntimate(st, items, EvidenceRequest{Op: EvList}, now) {
		msgs = append(msgs, flows.Message{ID: MsgEvidenceIntimate, Kind: flows.KindNotice})
	}
	return append(msgs, flows.Message{ID: MsgEvidenceNotNotary, Kind: flows.KindNotice})
}

// ChinaTime is how the evidence log shows a time: China time (UTC+8),
// to the second; the messages label it.
func ChinaTime(t time.Time) string { return t.In(flows.China).Format("2006-01-02 15:04:05") }

// shortHash is the start of a hash, enough to tell items apart in a list.
func shortHash(h string) string {
	if len(h) <= 12 {
		return h
	}
	return h[:12] + "…"
}

// itemLine is one item of the list.
func (e *Env) itemLine(lang string, it flows.EvidenceItem) flows.Message {
	p := map[string]any{"n": int64(it.Seq), "time": ChinaTime(it.Received), "desc": shorten(it.Description, 300), "removed": ""}
	if !it.Active() {
		p["removed"] = ChinaTime(it.Removed)
	}
	id := MsgEvidenceItemNote
	switch it.Kind {
	case flows.EvidenceFile:
		id = MsgEvidenceItemFile
		p["hash"], p["size"], p["name"] = shortHash(it.SHA256), it.Size, shorten(it.FileName, 60)
	case flows.EvidenceLink:
		id = MsgEvidenceItemLink
		p["platform"], p["url"], p["counts"] = e.platformName(lang, it.Platform), shorten(it.URL, 200), e.seenCounts(lang, it.Counts)
	}
	return flows.Message{ID: id, Kind: flows.KindNotice, Params: p}
}

// confirm says an item was recorded, with its hash and time.
func (e *Env) confirm(lang string, it flows.EvidenceItem) flows.Message {
	p := map[string]any{"n": int64(it.Seq), "time": ChinaTime(it.Received)}
	id := MsgEvidenceAddedNote
	switch it.Kind {
	case flows.EvidenceFile:
		id = MsgEvidenceAddedFile
		p["hash"], p["size"], p["name"] = it.SHA256, it.Size, shorten(it.FileName, 60)
	case flows.EvidenceLink:
		id = MsgEvidenceAddedLink
		p["platform"], p["counts"] = e.platformName(lang, it.Platform), e.seenCounts(lang, it.Counts)
	}
	return flows.Message{ID: id, Kind: flows.KindNotice, Params: p}
}

// platformName is a platform's name in lang.
func (e *Env) platformName(lang, key string) string {
	if key == "" {
		key = flows.PlatformOther
	}
	return e.Loc.Text(lang, flows.Message{ID: MsgEvidencePlatform + "." + key})
}

// seenCounts renders the counts the user saw and when, or "" when none was given.
func (e *Env) seenCounts(lang string, c flows.EvidenceCounts) string {
	var list []string
	for _, x := range []struct {
		id string
		n  int64
	}{{MsgEvidenceCountViews, c.Views}, {MsgEvidenceCountRepost, c.Reposts}, {MsgEvidenceCountComms, c.Comments}, {MsgEvidenceCountLikes, c.Likes}} {
		if x.n != 0 {
			list = append(list, e.Loc.Text(lang, flows.Message{ID: x.id, Params: map[string]any{"n": x.n}}))
		}
	}
	if len(list) == 0 {
		return ""
	}
	var seen time.Time
	if !c.SeenAt.IsZero() {
		seen = c.SeenAt.In(flows.China)
	}
	return e.Loc.Text(lang, flows.Message{ID: MsgEvidenceCounts, Params: map[string]any{"list": list, "seen": seen}})
}
