package papers_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/redress-legal/redress/commands"
	"github.com/redress-legal/redress/flows"
	"github.com/redress-legal/redress/internal/docxtext"
	"github.com/redress-legal/redress/papers"
)

var update = flag.Bool("update", false, "rewrite golden files (review the diff; never in CI)")

// scenarioDir holds the flow's scripted cases, shared with its golden transcripts.
const scenarioDir = "../flows/testdata/scenarios"

// load returns the default flow and the built-in templates, loaded once
// (compiling the flow is most of a test's time under the race detector).
func load(t testing.TB) (*flows.Flow, *papers.Set) {
	t.Helper()
	loadOnce.Do(func() {
		loaded.f, loaded.err = flows.LoadDefault()
		if loaded.err == nil {
			loaded.s, loaded.err = papers.LoadDefault(loaded.f)
		}
	})
	if loaded.err != nil {
		t.Fatalf("flow and templates: %v", loaded.err)
	}
	return loaded.f, loaded.s
}

var (
	loadOnce sync.Once
	loaded   struct {
		f   *flows.Flow
		s   *papers.Set
		err error
	}
)

// played caches the scenarios played: each is played once per run.
var played sync.Map // name → playedCase

type playedCase struct {
	st  flows.State
	rep *flows.Report
}

// play runs a scenario script through the engine and returns the final
// state and its assessment (nil when it has none). The state is the
// caller's to change.
func play(t testing.TB, f *flows.Flow, name string) (flows.State, *flows.Report) {
	t.Helper()
	if c, ok := played.Load(name); ok {
		pc := c.(playedCase)
		return cloneState(pc.st), pc.rep
	}
	st, rep := playScript(t, f, name)
	played.Store(name, playedCase{st, rep})
	return cloneState(st), rep
}

// cloneState copies a state's answers, so that a test may change them.
func cloneState(st flows.State) flows.State {
	answers := make(map[string]flows.Answer, len(st.Answers))
	for k, v := range st.Answers {
		answers[k] = v
	}
	st.Answers = answers
	return st
}

// playScript plays a scenario script through the engine.
func playScript(t testing.TB, f *flows.Flow, name string) (flows.State, *flows.Report) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(scenarioDir, name+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, flows.China)
	var inputs []string
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "# now:"); ok {
			d, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(rest), flows.China)
			if err != nil {
				t.Fatal(err)
			}
			now = d.Add(10 * time.Hour)
			continue
		}
		if line != "" && !strings.HasPrefix(line, "#") {
			inputs = append(inputs, line)
		}
	}
	st, _ := flows.Step(f, flows.State{}, flows.Input{Kind: flows.InStart, Now: now})
	for _, in := range inputs {
		st, _ = flows.Step(f, st, commands.Input(in, now))
	}
	rep, _ := flows.Assess(f, st, now)
	return st, rep
}

// generate makes the documents of a scenario in lang, with evidence.
func generate(t testing.TB, name, lang string, ev []flows.EvidenceItem) papers.Files {
	t.Helper()
	f, s := load(t)
	st, rep := play(t, f, name)
	files, err := s.Generate(papers.Input{State: st, Report: rep, Evidence: ev, Lang: lang})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// ids lists the IDs of documents.
func ids(docs []papers.Document) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.ID
	}
	return out
}

// TestWhichDocuments: each document appears only for the cases that need
// it — a criminal complaint only where the police can act, the private
// prosecution only for insult or defamation over the threshold, a
// protection order only against a family member or a former partner,
// nothing at all for lawful criticism or a conversation paused at the
// crisis help.
func TestWhichDocuments(t *testing.T) {
	want := map[string][]string{
		"t1":                {"complaint", "private", "assistance", "platform", "evidence"},
		"filed":             {"complaint", "assistance", "platform", "evidence"}, // the private prosecution is filed already
		"t3":                {"complaint", "platform", "evidence"},
		"t7":                nil,
		"t7_company":        nil,
		"t9":                {"complaint", "private", "assistance", "platform", "evidence"},
		"anxiety_only":      {"platform", "evidence"},
		"bereaved":          {"complaint", "private", "assistance", "platform", "evidence"},
		"company_rumour":    {"platform", "evidence"},
		"criticism_money":   {"complaint", "platform", "evidence"},
		"groups":            {"platform", "evidence"},
		"intimate_ex":       {"complaint", "platform", "protection", "evidence"}, // obscene material: a public offence
		"harm_anxiety":      {"platform", "evidence"},
		"harm_psychiatric":  {"complaint", "private", "assistance", "platform", "evidence"},
		"livestream":        {"complaint", "private", "assistance", "platform", "evidence"},
		"minor_images":      {"complaint", "platform", "evidence"},
		"minor_perps":       {"platform", "evidence"},
		"negative_official": {"platform", "evidence"},
		"notified":          {"complaint", "private", "assistance", "platform", "evidence"},
		"old_anonymous":     {"platform", "evidence"},
		"old_case":          {"platform", "protection", "evidence"},
		"quarrel":           {"platform", "evidence"},
		"romance_dispute":   {"complaint", "private", "assistance", "platform", "protection", "evidence"},
		"safety":            nil,
	}
	f, s := load(t)
	names, _ := filepath.Glob(filepath.Join(scenarioDir, "*.txt"))
	if len(names) != len(want) {
		t.Errorf("%d scenarios, %d expectations: add the new scenario's documents here", len(names), len(want))
	}
	for _, n := range names {
		name := strings.TrimSuffix(filepath.Base(n), ".txt")
		st, rep := play(t, f, name)
		files, err := s.Generate(papers.Input{State: st, Report: rep, Lang: "en"})
		if rep == nil {
			if !errors.Is(err, papers.ErrNotDone) {
				t.Errorf("%s: no assessment, yet Generate said %v", name, err)
			}
			if want[name] != nil {
				t.Errorf("%s: expected documents, but the conversation has no assessment", name)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := ids(files.Docs); !slices.Equal(got, want[name]) {
			t.Errorf("%s: documents %v, want %v", name, got, want[name])
		}
		if (files.Guide != nil) != (len(files.Docs) > 0) {
			t.Errorf("%s: an English reader gets a guide exactly when there are documents (%d documents, guide %v)", name, len(files.Docs), files.Guide != nil)
		}
	}
}

// refused is T1 after the police refused to open a case.
func refused(t *testing.T) (flows.State, *flows.Report) {
	f, _ := load(t)
	st, rep := play(t, f, "t1")
	st.Answers["q6_done"] = flows.Answer{Choices: []string{"platform_report", "police"}}
	st.Answers["q6_police"] = flows.Answer{Choice: "refused"}
	return st, rep
}

// TestAfterRefusal: a refusal brings the reconsideration (to the police)
// and the supervision request (to the procuratorate), each with the public
// prosecution criterion and the facts that show it.
func TestAfterRefusal(t *testing.T) {
	_, s := load(t)
	st, rep := refused(t)
	files, err := s.Generate(papers.Input{State: st, Report: rep, Lang: "zh-Hans"})
	if err != nil {
		t.Fatal(err)
	}
	got := ids(files.Docs)
	for _, id := range []string{"reconsideration", "supervision"} {
		if !slices.Contains(got, id) {
			t.Fatalf("after a refusal, %s is missing: %v", id, got)
		}
	}
	for _, d := range files.Docs {
		text := d.Text()
		switch d.ID {
		case "reconsideration":
			mustContain(t, d.File, text, "复议申请书", "撤销被申请人作出的", "第一百七十九条", "随意以普通公众为侵害对象", "12,000次")
		case "supervision":
			mustContain(t, d.File, text, "立案监督申请书", "第一百一十三条", "不予立案决定", "第十二条", "12,000次")
		}
	}
	st.Answers["q6_police"] = flows.Answer{Choice: "penalised"}
	files, _ = s.Generate(papers.Input{State: st, Report: rep, Lang: "zh-Hans"})
	if got := ids(files.Docs); slices.Contains(got, "reconsideration") || slices.Contains(got, "supervision") {
		t.Errorf("the police penalised the poster: no reconsideration or supervision, got %v", got)
	}
}

func mustContain(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

// TestT1Complaint: the criminal complaint of the shared example holds the
// user's facts (platforms, dates, counts, harm), the offence and its
// articles, the public-prosecution request under Criminal Law 246 ¶2 with
// the S-07 item 12 criterion and its facts, and asks for a receipt and a
// written refusal; it names no perpetrator it does not know.
func TestT1Complaint(t *testing.T) {
	files := generate(t, "t1", "zh-Hans", nil)
	if files.Guide != nil {
		t.Error("a Chinese reader gets no English guide")
	}
	d := files.Docs[0]
	if d.ID != "complaint" || d.File != "01-criminal-complaint.docx" || d.Name != "刑事控告书" {
		t.Fatalf("first document: %s %s %s", d.ID, d.File, d.Name)
	}
	mustContain(t, "complaint", d.Text(),
		"刑事控告书", "新浪微博、微信", "2026年11月2日", "2026年11月14日", "12,000次", "【群聊数量】个群聊", "20,000人",
		"失去工作", "涉嫌诽谤罪", "《中华人民共和国刑法》（以下简称《刑法》）", "《刑法》第二百四十六条",
		"第二百四十六条第二款", "严重危害社会秩序", "公诉案件立案侦查", "第十二条", "随意以普通公众为侵害对象",
		"受案回执", "不予立案通知书", "真实身份不详", "【身份证号】", "最近一次发生在2026年11月14日，且至今仍在持续",
		"提交前请咨询律师或拨打12348")
	for _, no := range []string{"涉嫌侮辱罪", "侵犯公民个人信息罪", "敲诈勒索罪", "<no value>"} {
		if strings.Contains(d.Text(), no) {
			t.Errorf("the complaint says %q, which T1's answers do not support", no)
		}
	}
}

// TestStillGoingOn: "since September" (no latest day) is written as still
// going on, not as a last act on the day of the conversation.
func TestStillGoingOn(t *testing.T) {
	f, s := load(t)
	st, _ := play(t, f, "t1")
	st.Answers["q6_when"] = flows.Answer{Date: "2026-09-01", Until: "2026-11-27", Ongoing: true}
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, flows.China)
	rep, ok := flows.Assess(f, st, now)
	if !ok {
		t.Fatal("no assessment")
	}
	files, err := s.Generate(papers.Input{State: st, Report: rep, Lang: "zh-Hans"})
	if err != nil {
		t.Fatal(err)
	}
	text := files.Docs[0].Text()
	mustContain(t, "complaint", text, "自2026年9月1日起", "至今仍在持续")
	if strings.Contains(text, "最近一次发生在2026年11月27日") {
		t.Errorf("the complaint names the day of the conversation as the last act:\n%s", text)
	}
}

// evidence is a small log: a screenshot, a link with counts, and a removed file.
func evidence() []flows.EvidenceItem {
	at := time.Date(2026, 11, 20, 6, 3, 0, 0, time.UTC)
	return []flows.EvidenceItem{
		{Seq: 1, Kind: flows.EvidenceFile, SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", FileName: "weibo-post.png",
			Received: at, Description: "造谣微博截图", Platform: "weibo"},
		{Seq: 2, Kind: flows.EvidenceLink, URL: "https://weibo.com/1234/abcd", Received: at.Add(time.Hour), Platform: "weibo",
			Counts: flows.EvidenceCounts{Views: 12000, Reposts: 800, SeenAt: at}},
		{Seq: 3, Kind: flows.EvidenceFile, SHA256: "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752", FileName: "wrong.png",
			Received: at, Removed: at.Add(2 * time.Hour)},
	}
}

// TestEvidenceList: the evidence list lists the active items with their
// source, what their figures show, when they were received and the
// SHA-256 of files; removed items are not listed; with no evidence, the
// evidence the assessment says to gather are rows to fill in.
func TestEvidenceList(t *testing.T) {
	files := generate(t, "t1", "en", evidence())
	d := files.Docs[len(files.Docs)-1]
	if d.ID != "evidence" {
		t.Fatalf("last document is %s", d.ID)
	}
	text := d.Text()
	mustContain(t, "evidence list", text,
		"1 | 造谣微博截图 | 电子数据（本人保存的截图、录屏或文件）（新浪微博） | 【证明内容】 | 2026年11月20日 14:03 | 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		"2 | https://weibo.com/1234/abcd | 网络链接（新浪微博） | 截至2026年11月20日，浏览12,000次，转发800次 | 2026年11月20日 15:03 | 无（非文件）")
	if strings.Contains(text, "60303ae22b998861") || strings.Contains(text, "wrong.png") || strings.Contains(text, "\n3 | ") {
		t.Errorf("a removed item is listed:\n%s", text)
	}
	if strings.Contains(text, "解除劳动合同通知") {
		t.Errorf("with evidence logged, the rows to gather are not listed:\n%s", text)
	}
	empty := generate(t, "t1", "en", nil)
	mustContain(t, "evidence list without evidence", empty.Docs[len(empty.Docs)-1].Text(),
		"1 | 虚假信息的完整截图和录屏", "解除劳动合同通知", "【待填】")
}

// TestGolden compares the documents of the shared examples (T1, T3, T7,
// T9), in both languages, with the golden files: the Chinese documents,
// and for English readers the English guide.
func TestGolden(t *testing.T) {
	for _, name := range []string{"t1", "t3", "t7", "t9"} {
		for _, lang := range []string{"en", "zh-Hans"} {
			files := generate(t, name, lang, evidence())
			var b strings.Builder
			for _, d := range files.Docs {
				b.WriteString("=== " + d.File + " — " + d.Name + "\n\n" + d.Text())
			}
			if files.Guide != nil {
				b.WriteString("=== " + files.Guide.File + " — " + files.Guide.Name + "\n\n" + files.Guide.Text())
			}
			if len(files.Docs) == 0 {
				b.WriteString("(no documents)\n")
			}
			path := filepath.Join("testdata", "golden", name+"."+lang+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./papers -run TestGolden -update, and review the files)", err)
			}
			if b.String() != string(want) {
				t.Errorf("%s differs from %s (run go test ./papers -run TestGolden -update and review the diff)", name+"/"+lang, path)
			}
		}
	}
}

// TestDOCXReadBack: every document of every scenario, and the guide,
// converts with a real .docx reader, and its text holds every paragraph
// and every table cell the document was made of, in Chinese as written.
func TestDOCXReadBack(t *testing.T) {
	f, s := load(t)
	names, _ := filepath.Glob(filepath.Join(scenarioDir, "*.txt"))
	all := map[string]papers.Document{}
	for _, n := range names {
		name := strings.TrimSuffix(filepath.Base(n), ".txt")
		if testing.Short() && name != "t1" {
			continue
		}
		st, rep := play(t, f, name)
		if rep == nil {
			continue
		}
		files, err := s.Generate(papers.Input{State: st, Report: rep, Evidence: evidence(), Lang: "en"})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range files.Docs {
			all[name+"/"+d.File] = d
		}
		if files.Guide != nil {
			all[name+"/"+files.Guide.File] = *files.Guide
		}
	}
	docx := map[string][]byte{}
	for k, d := range all {
		docx[k] = d.DOCX
	}
	texts := docxtext.Read(t, docx)
	if len(texts) != len(all) || len(all) == 0 {
		t.Fatalf("%d documents, %d read back", len(all), len(texts))
	}
	for k, d := range all {
		text := texts[k]
		for _, b := range d.Blocks {
			parts := []string{b.Text}
			for _, r := range b.Rows {
				parts = append(parts, r...)
			}
			for _, p := range parts {
				for _, line := range strings.Split(p, "\n") {
					if !strings.Contains(text, line) {
						t.Errorf("%s: the reader's text lacks %q", k, line)
					}
				}
			}
		}
	}
}

// TestDOCXPackage: a .docx is a complete WordprocessingML package — the
// parts Word needs, A4 portrait, Chinese fonts named with their Latin
// names — and the same input makes the same bytes.
func TestDOCXPackage(t *testing.T) {
	files := generate(t, "t1", "en", evidence())
	d := files.Docs[0]
	zr, err := zip.NewReader(bytes.NewReader(d.DOCX), int64(len(d.DOCX)))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string]string{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		parts[zf.Name] = string(b)
	}
	if zr.File[0].Name != "[Content_Types].xml" {
		t.Errorf("first part %s: [Content_Types].xml comes first", zr.File[0].Name)
	}
	for _, p := range []string{"_rels/.rels", "word/document.xml", "word/styles.xml", "word/_rels/document.xml.rels", "word/fontTable.xml"} {
		if parts[p] == "" {
			t.Errorf("part %s missing", p)
		}
	}
	mustContain(t, "document.xml", parts["word/document.xml"], `<w:pgSz w:w="11906" w:h="16838"/>`)
	mustContain(t, "styles.xml", parts["word/styles.xml"], `w:eastAsia="宋体"`, `w:eastAsia="黑体"`, `w:eastAsia="zh-CN"`)
	mustContain(t, "fontTable.xml", parts["word/fontTable.xml"], `<w:altName w:val="SimSun"/>`, `<w:charset w:val="86"/>`)
	again := generate(t, "t1", "en", evidence())
	if !bytes.Equal(again.Docs[0].DOCX, d.DOCX) {
		t.Error("the same answers made different bytes")
	}
}

// TestCheckReportsProblems: template errors are reported as file:line in
// the flow checker's words.
func TestCheckReportsProblems(t *testing.T) {
	f, _ := load(t)
	common, err := papers.Templates.ReadFile("templates/common.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc := `id: x
file: 09-test
title: 测试
when: "crim_contnet"
guide:
  en: {name: Test, purpose: p, where: w, fill: [f]}
body:
  - p: "{{.q4_veiws}}次"
  - p: "{{if has .q1_what \"flase_claims\"}}x{{end}}"
  - line: "{{labels \"q6_start\"}}"
  - p: 无条件
    when: "q3_relation == 'strnager'"
  - bogus: 1
  - p: "{{count \"q4_veiws\" \"次\"}}"
  - p: "{{count \"q4_views\"}}"
victim:
  chld: 被害人
`
	fsys := fstest.MapFS{"common.yaml": {Data: common}, "09-test.yaml": {Data: []byte(doc)}}
	_, probs := papers.Check(f, fsys, "my")
	got := probs.Error()
	for _, want := range []string{
		`my/09-test.yaml:4: the document's condition: the condition "crim_contnet" does not work: unknown name crim_contnet — did you mean "crim_content"?`,
		`my/09-test.yaml:8: block 1 of the body: {{.q4_veiws}}: "q4_veiws" is not a question with an answer, nor a fact`,
		`my/09-test.yaml:9: block 2 of the body: has .q1_what "flase_claims": "flase_claims" is not an option of q1_what`,
		`my/09-test.yaml:10: block 3 of the body: labels "q6_start": common.yaml has no labels for q6_start`,
		`my/09-test.yaml:12: block 4 of the body:`,
		`"strnager" is not an option of q3_relation — did you mean "stranger"?`,
		`my/09-test.yaml:13: block 5 of the body has an unknown key "bogus"`,
		`my/09-test.yaml:14: block 6 of the body: count "q4_veiws": q4_veiws is not a question with an answer`,
		`my/09-test.yaml:15: block 7 of the body: count: write {{count "q4_views" "次"}}`,
		`my/09-test.yaml:17: victim: "chld" is not an option of q0_who`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}
}

// BenchmarkGenerateT1 measures making the shared example's documents and
// guide (what one /documents costs the bot).
func BenchmarkGenerateT1(b *testing.B) {
	f, s := load(b)
	st, rep := play(b, f, "t1")
	in := papers.Input{State: st, Report: rep, Evidence: evidence(), Lang: "en"}
	for b.Loop() {
		if _, err := s.Generate(in); err != nil {
			b.Fatal(err)
		}
	}
}
