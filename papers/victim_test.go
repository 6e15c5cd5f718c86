package papers_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/redress-legal/redress/flows"
	"github.com/redress-legal/redress/papers"
)

// docsAs generates the Chinese documents of scenario name, with answers
// changed by set.
func docsAs(t *testing.T, name string, set map[string]flows.Answer) map[string]string {
	t.Helper()
	f, s := load(t)
	st, rep := play(t, f, name)
	for k, v := range set {
		st.Answers[k] = v
	}
	files, err := s.Generate(papers.Input{State: st, Report: rep, Lang: "zh-Hans"})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, d := range files.Docs {
		out[d.ID] = d.Text()
	}
	return out
}

// filerAttacked is the filer named as the one attacked: "侮辱控告人",
// "公开申请人的", "有关自诉人的", "侵犯了通知人的"…
var filerAttacked = regexp.MustCompile(`(针对|侮辱|诽谤|公开|有关|威胁|骚扰|跟踪|传播|滋扰|侵犯了|侵害|损害|接触|向)(控告人|自诉人|申请人|通知人)`)

// TestVictimWho: when the one talking is not the one attacked — a parent
// for a child, a relative for someone who died, a helper for an adult —
// the documents name the one attacked 被害人 and say once who files for
// them; a helper's adult friend signs the private prosecution, the
// application and the notice themselves.
func TestVictimWho(t *testing.T) {
	self := docsAs(t, "t1", nil)
	mustContain(t, "t1 complaint", self["complaint"], "针对控告人实施了以下行为", "控告人失去工作或录用机会")
	if strings.Contains(self["complaint"], "被害人：【被害人姓名】") {
		t.Error("the victim filing for themselves: no 被害人 line")
	}

	for _, c := range []struct {
		name, scenario string
		set            map[string]flows.Answer
		wants          map[string][]string
		filerSigns     []string // documents the victim signs as the filer
	}{
		{"parent", "t1", map[string]flows.Answer{"q0_who": {Choice: "child"}}, map[string][]string{
			"complaint": {"针对被害人实施了以下行为", "控告人系被害人之【母/父/其他监护人】（法定代理人）", "被害人失去工作或录用机会", "（未成年人）", "证明控告人与被害人关系的材料"},
			"private":   {"自诉人系被害人之【母/父/其他监护人】（法定代理人），依法代为告诉", "有关被害人的虚假信息"},
			"platform":  {"作为其监护人发出本通知", "《中华人民共和国未成年人保护法》第七十七条", "通知人作为被害人的监护人", "侵犯了被害人的名誉权"},
		}, nil},
		{"minor", "minor_images", nil, map[string][]string{
			"complaint": {"法定代理人：【姓名】，系控告人之【父亲/母亲/其他监护人】", "传播控告人的私密照片"},
			"platform":  {"通知人系未成年人", "《中华人民共和国未成年人保护法》第七十七条"},
		}, []string{"complaint", "platform", "evidence"}},
		{"bereaved", "bereaved", nil, map[string][]string{
			"complaint": {"针对被害人实施了以下行为", "被害人：【被害人姓名】", "死亡日期：【____年__月__日】", "控告人系被害人的【父亲/母亲】（近亲属）", "被害人的死亡证明"},
			"private":   {"自诉人系被害人的【父亲/母亲】（近亲属），依法代为告诉", "死亡日期"},
			"platform":  {"通知人系被害人的【父亲/母亲】（近亲属）", "第九百九十四条", "侵害了已故被害人的"},
			"evidence":  {"已故被害人【被害人姓名】的近亲属"},
		}, nil},
		{"helper", "t1", map[string]flows.Answer{"q0_who": {Choice: "other_adult"}}, map[string][]string{
			"complaint": {"针对被害人实施了以下行为", "控告人系被害人的【关系】，经被害人同意代为控告"},
			"private":   {"应由被害人本人作为自诉人", "有关自诉人的虚假信息"},
			"platform":  {"以被害人本人的名义发出", "侵犯了通知人的名誉权"},
		}, []string{"private", "assistance", "platform", "protection"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			docs := docsAs(t, c.scenario, c.set)
			for id, wants := range c.wants {
				if _, ok := docs[id]; !ok {
					t.Errorf("no %s", id)
					continue
				}
				mustContain(t, c.name+" "+id, docs[id], wants...)
			}
			for id, text := range docs {
				if slicesContains(c.filerSigns, id) {
					continue
				}
				if m := filerAttacked.FindAllString(text, -1); len(m) > 0 {
					t.Errorf("%s %s names the filer as the one attacked: %v\n%s", c.name, id, m, text)
				}
			}
		})
	}
}

func slicesContains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// TestAtLeastCounts: a count typed as a lower bound ("1万多") says 以上 in
// every document; an exact one does not.
func TestAtLeastCounts(t *testing.T) {
	n := int64(12000)
	docs := docsAs(t, "t1", map[string]flows.Answer{"q4_views": {Number: &n, AtLeast: true}})
	for _, id := range []string{"complaint", "private", "platform"} {
		mustContain(t, id, docs[id], "12,000次以上")
	}
	mustContain(t, "complaint", docs["complaint"], "增至12,000次以上", "同一信息被浏览12,000次以上")
	for id, text := range docs {
		if regexp.MustCompile(`12,000次[^以]`).MatchString(text) {
			t.Errorf("%s says 12,000次 without 以上:\n%s", id, text)
		}
	}
	exact := docsAs(t, "t1", nil)
	if strings.Contains(exact["complaint"], "12,000次以上") {
		t.Error("an exact count says 以上")
	}
}

// TestProtectionGrounds: the Anti-Domestic Violence Law for family
// members; for a former partner the Women's Rights Law Art. 29, the
// Anti-DV Law only "if they lived together".
func TestProtectionGrounds(t *testing.T) {
	ex := docsAs(t, "romance_dispute", nil)["protection"]
	mustContain(t, "ex", ex, "《中华人民共和国妇女权益保障法》第二十九条", "第三十七条（如曾共同生活）")
	fam := docsAs(t, "romance_dispute", map[string]flows.Answer{"q3_relation": {Choice: "family"}})["protection"]
	mustContain(t, "family", fam, "《中华人民共和国反家庭暴力法》第二十三条", "第一条、第三条")
	if strings.Contains(fam, "妇女权益保障法") || strings.Contains(fam, "如曾共同生活") {
		t.Errorf("family: %s", fam)
	}
}

// TestDocumentWording: the documents' own phrasing, not the options'
// labels, and each fact once.
func TestDocumentWording(t *testing.T) {
	for id, text := range docsAs(t, "t1", nil) {
		for _, no := range []string{"失去工作、录用机会或学业", "本人或家人照片", "涉及性方面的话题", "{{", "<no value>"} {
			if strings.Contains(text, no) {
				t.Errorf("%s says %q", id, no)
			}
		}
		if strings.Count(text, "涉性") > 1 {
			t.Errorf("%s states the sexual content twice", id)
		}
		mustContain(t, id, text, "提交前请咨询律师或拨打12348")
	}
}
