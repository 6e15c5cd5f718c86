package commands_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redress-legal/redress/commands"
	"github.com/redress-legal/redress/flows"
	"github.com/redress-legal/redress/flows/flowstest"
)

// memFiles is a FileOpener over files held in memory.
type memFiles map[string][]byte

func (m memFiles) OpenFile(_ context.Context, path string) (commands.File, error) {
	b, ok := m[path]
	if !ok {
		return commands.File{}, errors.New("no such file")
	}
	return commands.File{Body: bytes.NewReader(b), Name: path[strings.LastIndex(path, "/")+1:], MIME: "image/png"}, nil
}

func evidenceEnv(t *testing.T, f *flows.Flow, typed bool) (*commands.Env, *flowstest.MemStore) {
	t.Helper()
	store := flowstest.NewMemStore()
	return &commands.Env{Flow: f, Loc: idLoc{}, Typed: typed, EvidenceLog: store, Texts: commands.Texts{
		Help: "t.help", Privacy: "t.privacy", DeleteConfirm: "t.delete.confirm", DeleteDone: "t.delete.done", EvidenceHow: "t.evidence.how"}}, store
}

func defaultFlow(t *testing.T) *flows.Flow {
	t.Helper()
	f, err := flows.LoadFS(os.DirFS("../flows"), "defs/cyberviolence.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// say types line and carries out the evidence request it makes, as a
// transport does.
func say(t *testing.T, e *commands.Env, st flows.State, line string) commands.Outcome {
	t.Helper()
	out := e.Text(st, "en", line, now)
	if out.Evidence != nil {
		var err error
		if out, err = e.Evidence(t.Context(), "local:test", out.State, "en", *out.Evidence, now); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
	}
	return out
}

// TestEvidenceConversation: a whole conversation with the log, as a user
// would type it: the stored rows, in order, with the hash of the bytes
// read, a removal recorded, and what each answer says.
func TestEvidenceConversation(t *testing.T) {
	e, store := evidenceEnv(t, defaultFlow(t), true)
	png := []byte("\x89PNG fake screenshot bytes")
	e.Files = memFiles{"/home/me/shot 1.png": png}
	st := e.Step(flows.State{}, "en", flows.Input{Kind: flows.InStart, Now: now}).State

	out := say(t, e, st, "/evidence")
	if got := ids(out.Reply); !slices.Equal(got, []string{commands.MsgEvidenceEmpty, "t.evidence.how", commands.MsgEvidenceIntimate, commands.MsgEvidenceNotNotary}) {
		t.Errorf("/evidence on an empty log = %v", got)
	}
	if out.Changed || out.Reply.Question != nil {
		t.Errorf("/evidence changed the state or asked: %+v", out)
	}

	out = say(t, e, st, `/evidence add "/home/me/shot 1.png" the post, at 9 pm`)
	sum := sha256.Sum256(png)
	hash := hex.EncodeToString(sum[:])
	if got := ids(out.Reply); !slices.Equal(got, []string{commands.MsgEvidenceAddedFile, commands.MsgEvidenceIntimate, commands.MsgEvidenceNotNotary}) {
		t.Errorf("first file = %v", got)
	}
	if p := out.Reply.Messages[0].Params; p["hash"] != hash || p["size"] != int64(len(png)) || p["time"] != "2026-11-27 10:00:00" {
		t.Errorf("confirmation params = %v, want the full hash %s and the China time", p, hash)
	}

	out = say(t, e, st, "/evidence link weibo.com/123/abc 阅读=1.2万 转发：300 comments=45 看到=2026-11-20 the post itself")
	if got := ids(out.Reply); !slices.Equal(got, []string{commands.MsgEvidenceAddedLink, commands.MsgEvidenceNotNotaryShort}) {
		t.Errorf("link = %v", got)
	}
	say(t, e, st, "/evidence note they threatened me in a private message")
	say(t, e, st, "/evidence https://v.douyin.com/xyz/ likes=5")
	out = say(t, e, st, "/evidence remove 2")
	if out.Event != commands.EvEvidenceRemoved {
		t.Errorf("remove: event %q", out.Event)
	}
	out = say(t, e, st, "/evidence remove 9")
	if got := ids(out.Reply); !slices.Equal(got, []string{commands.MsgEvidenceNoItem}) || out.Reply.Messages[0].Params["count"] != int64(4) {
		t.Errorf("remove 9 = %v %v", got, out.Reply.Messages)
	}

	items, err := store.ListEvidence(t.Context(), "local:test")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 4 {
		t.Fatalf("%d items, want 4: %+v", len(items), items)
	}
	f, l, n, l2 := items[0], items[1], items[2], items[3]
	if f.Kind != flows.EvidenceFile || f.SHA256 != hash || f.Size != int64(len(png)) || f.FileName != "shot 1.png" || f.Description != "the post, at 9 pm" || !f.Received.Equal(now) {
		t.Errorf("file = %+v", f)
	}
	if l.Kind != flows.EvidenceLink || l.URL != "weibo.com/123/abc" || l.Platform != flows.PlatformWeibo || l.Counts.Views != 12000 ||
		l.Counts.Reposts != 300 || l.Counts.Comments != 45 || !l.Counts.SeenAt.Equal(time.Date(2026, 11, 20, 0, 0, 0, 0, flows.China)) ||
		l.Description != "the post itself" || l.Active() || !l.Removed.Equal(now) {
		t.Errorf("link = %+v", l)
	}
	if n.Kind != flows.EvidenceNote || n.Description != "they threatened me in a private message" {
		t.Errorf("note = %+v", n)
	}
	// Counts given without a day were seen now.
	if l2.Platform != flows.PlatformDouyin || l2.Counts.Likes != 5 || !l2.Counts.SeenAt.Equal(now) {
		t.Errorf("bare link = %+v", l2)
	}

	out = say(t, e, st, "/evidence")
	got := ids(out.Reply)
	want := []string{commands.MsgEvidenceList, commands.MsgEvidenceItemFile, commands.MsgEvidenceItemLink, commands.MsgEvidenceItemNote,
		commands.MsgEvidenceItemLink, "t.evidence.how", commands.MsgEvidenceNotNotary}
	if !slices.Equal(got, want) {
		t.Errorf("list = %v\nwant %v", got, want)
	}
	if p := out.Reply.Messages[2].Params; p["removed"] != "2026-11-27 10:00:00" || p["platform"] != "en:cmd.evidence.platform.weibo" || p["n"] != int64(2) {
		t.Errorf("removed link line = %v", p)
	}
	if p := out.Reply.Messages[1].Params; p["hash"] != hash[:12]+"…" || p["removed"] != "" {
		t.Errorf("file line = %v", p)
	}
}

// TestEvidenceInTraditionalCharacters: the words of /evidence typed in
// Traditional characters, as the zh-Hant help shows them (閱讀=12000
// 轉發=300), are read as the Simplified ones.
func TestEvidenceInTraditionalCharacters(t *testing.T) {
	e, store := evidenceEnv(t, defaultFlow(t), true)
	st := e.Step(flows.State{}, "en", flows.Input{Kind: flows.InStart, Now: now}).State
	say(t, e, st, "/evidence link weibo.com/1 閱讀=1.2萬 轉發：300 評論=45 點讚=7 看到=2026-11-20 帖子本身")
	say(t, e, st, "/evidence 鏈接 weibo.com/2 瀏覽量=5000")
	say(t, e, st, "/evidence 備註 他私信威脅我")
	say(t, e, st, "/evidence 刪除 2")
	items, err := store.ListEvidence(t.Context(), "local:test")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 3 {
		t.Fatalf("%d items, want 3: %+v", len(items), items)
	}
	if l := items[0]; l.Counts.Views != 12000 || l.Counts.Reposts != 300 || l.Counts.Comments != 45 || l.Counts.Likes != 7 ||
		!l.Counts.SeenAt.Equal(time.Date(2026, 11, 20, 0, 0, 0, 0, flows.China)) || l.Description != "帖子本身" {
		t.Errorf("link = %+v", l)
	}
	if l := items[1]; l.URL != "weibo.com/2" || l.Counts.Views != 5000 || l.Active() {
		t.Errorf("second link (removed) = %+v", l)
	}
	if n := items[2]; n.Kind != flows.EvidenceNote || n.Description != "他私信威脅我" {
		t.Errorf("note = %+v", n)
	}
}

// TestEvidenceRequestsNotUnderstood: what cannot be read is answered, and
// nothing is recorded.
func TestEvidenceRequestsNotUnderstood(t *testing.T) {
	e, store := evidenceEnv(t, defaultFlow(t), true)
	e.Files = memFiles{}
	st := e.Step(flows.State{}, "en", flows.Input{Kind: flows.InStart, Now: now}).State
	for line, want := range map[string]string{
		"/evidence frobnicate":                      commands.MsgEvidenceUsage,
		"/evidence add":                             commands.MsgEvidenceUsage,
		"/evidence remove two":                      commands.MsgEvidenceUsage,
		"/evidence note   ":                         commands.MsgEvidenceNoNote,
		"/evidence link not-a-link":                 commands.MsgEvidenceBadLink,
		"/evidence link ftp://x.example/a":          commands.MsgEvidenceBadLink,
		"/evidence link weibo.com/1 views=lots":     commands.MsgEvidenceBadCount,
		"/evidence link weibo.com/1 seen=someday":   commands.MsgEvidenceBadCount,
		"/evidence add /nowhere/x.png a screenshot": commands.MsgEvidenceUnreadable,
	} {
		out := say(t, e, st, line)
		if len(out.Reply.Messages) == 0 || out.Reply.Messages[0].ID != want {
			t.Errorf("%q = %v, want %s first", line, ids(out.Reply), want)
		}
	}
	// Where files are sent, not named (Telegram), "/evidence add" says how.
	e.Files = nil
	if out := say(t, e, st, "/evidence add x.png"); ids(out.Reply)[0] != commands.MsgEvidenceSendFile {
		t.Errorf("/evidence add without a FileOpener = %v", ids(out.Reply))
	}
	if items, _ := store.ListEvidence(t.Context(), "local:test"); len(items) != 0 {
		t.Errorf("recorded: %+v", items)
	}
}

// TestEvidenceLimitAndIntimateCase: a file over MaxFileSize is refused;
// in a case with intimate images, every file and the list warn again.
func TestEvidenceLimitAndIntimateCase(t *testing.T) {
	f := defaultFlow(t)
	e, store := evidenceEnv(t, f, false)
	e.MaxFileSize = 10
	st := flows.State{Flow: f.ID, Version: f.Version, Node: "q1_platforms", Answers: map[string]flows.Answer{"q1_what": {Choices: []string{"intimate"}}}}
	big := commands.EvidenceRequest{Op: commands.EvFile, File: &commands.File{Body: bytes.NewReader(make([]byte, 11))}}
	out, err := e.Evidence(t.Context(), "tg:1", st, "en", big, now)
	if err != nil || ids(out.Reply)[0] != commands.MsgEvidenceTooLarge {
		t.Fatalf("11 bytes over a limit of 10: %v %v", err, ids(out.Reply))
	}
	for i := range 2 {
		ok := commands.EvidenceRequest{Op: commands.EvFile, UpdateID: 100 + int64(i), File: &commands.File{Body: bytes.NewReader(make([]byte, 10))}}
		out, err := e.Evidence(t.Context(), "tg:1", st, "en", ok, now)
		if err != nil || !slices.Contains(ids(out.Reply), commands.MsgEvidenceIntimate) {
			t.Errorf("file %d of an intimate-images case: %v %v", i+1, err, ids(out.Reply))
		}
	}
	if items, _ := store.ListEvidence(t.Context(), "tg:1"); len(items) != 2 {
		t.Errorf("%d items, want 2", len(items))
	}
	// A note is what the warning asks for: it does not repeat it.
	out, err = e.Evidence(t.Context(), "tg:1", st, "en", commands.EvidenceRequest{Op: commands.EvNote, Description: "photos of me on a forum"}, now)
	if err != nil || slices.Contains(ids(out.Reply), commands.MsgEvidenceIntimate) {
		t.Errorf("a note in an intimate-images case: %v %v", err, ids(out.Reply))
	}
	out, _ = e.Evidence(t.Context(), "tg:1", st, "en", commands.EvidenceRequest{Op: commands.EvList}, now)
	if !slices.Contains(ids(out.Reply), commands.MsgEvidenceIntimate) {
		t.Errorf("the list of an intimate-images case does not warn: %v", ids(out.Reply))
	}
	// Without intimate images, the warning comes only before the first file.
	st.Answers["q1_what"] = flows.Answer{Choices: []string{"abuse"}}
	out, _ = e.Evidence(t.Context(), "tg:1", st, "en", commands.EvidenceRequest{Op: commands.EvList}, now)
	if slices.Contains(ids(out.Reply), commands.MsgEvidenceIntimate) {
		t.Errorf("the list warns again after files were added: %v", ids(out.Reply))
	}
}

// TestEvidenceInTheReportMenu: the report menu ends with the evidence log;
// choosing it (typed) shows the log, then the menu again.
func TestEvidenceInTheReportMenu(t *testing.T) {
	e, _ := evidenceEnv(t, defaultFlow(t), true)
	b, err := os.ReadFile("../flows/testdata/scenarios/t1.txt")
	if err != nil {
		t.Fatal(err)
	}
	st := e.Step(flows.State{}, "en", flows.Input{Kind: flows.InStart, Now: now}).State
	var out commands.Outcome
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = e.Text(st, "en", line, now)
		st = out.State
	}
	q := out.Reply.Question
	if q == nil || q.Node != commands.MenuReport || q.Choices[len(q.Choices)-1].Key != commands.KeyEvidence {
		t.Fatalf("the report menu does not end with the evidence log: %+v", q)
	}
	out = say(t, e, st, strconv.Itoa(len(q.Choices)))
	got := ids(out.Reply)
	if got[0] != commands.MsgEvidenceEmpty || got[len(got)-1] != commands.MsgReportMenu || out.State.Menu != "report" {
		t.Errorf("choosing the evidence log = %v (menu %q)", got, out.State.Menu)
	}
	// Without an evidence log, the menu has no such entry and /evidence is unknown.
	e.EvidenceLog = nil
	out = e.Text(st, "en", "/report", now)
	if q := out.Reply.Question; q == nil || slices.ContainsFunc(q.Choices, func(c flows.ChoiceItem) bool { return c.Key == commands.KeyEvidence }) {
		t.Errorf("menu without an evidence log: %+v", q)
	}
	if out := e.Text(st, "en", "/evidence", now); out.Evidence != nil || ids(out.Reply)[0] != commands.MsgUnknownCommand {
		t.Errorf("/evidence without an evidence log = %v", ids(out.Reply))
	}
}

// BenchmarkEvidenceFile hashes and records a 20 MB file, the largest
// Telegram gives a bot: the bytes stream through the hash, so memory per
// file stays small whatever its size.
func BenchmarkEvidenceFile(b *testing.B) {
	e := &commands.Env{Loc: idLoc{}, EvidenceLog: flowstest.NewMemStore(), MaxFileSize: 20 << 20}
	data := make([]byte, 20<<20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		req := commands.EvidenceRequest{Op: commands.EvFile, File: &commands.File{Body: bytes.NewReader(data)}}
		if _, err := e.Evidence(context.Background(), "tg:"+strconv.Itoa(i), flows.State{}, "en", req, now); err != nil {
			b.Fatal(err)
		}
	}
}
