package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redress-legal/redress/locales"
)

const (
	localesDir   = "../../locales"
	glossaryFile = "../../docs/glossary.tsv"
)

// The committed zh-Hant files are exactly what the tool makes of the
// committed zh-Hans ones: after a change to zh-Hans, run go run ./tools/hant.
func TestZhHantIsGeneratedFromZhHans(t *testing.T) {
	files, err := Generate(localesDir, glossaryFile)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(localesDir, name))
		if err != nil {
			t.Errorf("%v: run go run ./tools/hant", err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("locales/%s is not what go run ./tools/hant writes from the zh-Hans files: run it and review the diff", name)
		}
	}
}

// Every glossary term a zh-Hans message uses appears, as the glossary
// writes it, in the zh-Hant message; and the conversion's known errors
// appear nowhere.
func TestZhHantUsesTheGlossary(t *testing.T) {
	terms, err := ReadGlossary(glossaryFile)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := locales.LoadFS(os.DirFS(localesDir))
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]int{}
	for _, id := range cat.IDs("zh-Hans") {
		hans, _ := cat.Message("zh-Hans", id)
		hant, ok := cat.Message("zh-Hant", id)
		if !ok {
			t.Errorf("zh-Hant has no %s", id)
			continue
		}
		for _, term := range terms {
			want := strings.Count(hans.Forms["other"], term.Simplified)
			if want == 0 {
				continue
			}
			used[term.Simplified]++
			if got := strings.Count(hant.Forms["other"], term.Traditional); got < want {
				t.Errorf("%s: zh-Hans uses %s %d time(s), zh-Hant has %s %d time(s): %s", id, term.Simplified, want, term.Traditional, got, hant.Forms["other"])
			}
		}
		for _, wrong := range []string{"被髮", "鍊接", "蔘與", "爲", "簡體中文", "網路", "資訊", "個資", "霸凌", "平臺", "回復", "啓"} {
			if strings.Contains(hant.Forms["other"], wrong) {
				t.Errorf("%s: zh-Hant has %q: %s", id, wrong, hant.Forms["other"])
			}
		}
		if q := hantQuote(hant.Forms["other"]); q != hant.Forms["other"] {
			t.Errorf("%s: zh-Hant quotes with “” or ‘’ outside a title or a placeholder (want 「」 and 『』): %s", id, hant.Forms["other"])
		}
	}
	for _, term := range []string{"诽谤罪", "侮辱罪", "自诉", "公诉", "情节严重", "立案监督", "治安管理处罚法", "人身安全保护令", "公安机关", "检察院", "人民法院"} {
		if used[term] == 0 {
			t.Errorf("no zh-Hans message uses %s: is the glossary check reading the catalogs?", term)
		}
	}
	if got := cat.Text("zh-Hant", "ui.language_name", nil); got != "繁體中文" {
		t.Errorf("zh-Hant names itself %q", got)
	}
}

// The glossary's own rows are consistent: each Traditional form is the
// Simplified one in Traditional characters, and docs/TRANSLATING.md lists
// every term.
func TestGlossary(t *testing.T) {
	terms, err := ReadGlossary(glossaryFile)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../../docs/TRANSLATING.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, term := range terms {
		if len([]rune(term.Simplified)) != len([]rune(term.Traditional)) {
			t.Errorf("%s → %s: a Traditional form has as many characters as the Simplified one (same words, other script)", term.Simplified, term.Traditional)
		}
		row := "| " + term.Term + " | " + term.Simplified + " | " + term.Traditional + " | " + term.English + " |"
		if !strings.Contains(string(doc), row) {
			t.Errorf("docs/TRANSLATING.md's glossary lacks the row starting %q", row)
		}
	}
}

func TestHantQuote(t *testing.T) {
	for in, want := range map[string]string{
		`other = "可以選擇“{{.unknown}}”。"`:             `other = "可以選擇「{{.unknown}}」。"`,
		`other = "他說“他們叫我‘騙子’”"`:                    `other = "他說「他們叫我『騙子』」"`,
		`other = "《關於“開盒”的通知》和“開盒”"`:                `other = "《關於“開盒”的通知》和「開盒」"`,
		`other = "{{if eq .x "“"}}“{{.x}}”{{end}}"`: `other = "{{if eq .x "“"}}「{{.x}}」{{end}}"`,
		`other = "沒有引號"`:                            `other = "沒有引號"`,
	} {
		if got := hantQuote(in); got != want {
			t.Errorf("hantQuote(%s) = %s, want %s", in, got, want)
		}
	}
	in := "[\"x\"]\ndescription = \"Choose “I don't know”\"\nother = \"選“不知道”\""
	want := "[\"x\"]\ndescription = \"Choose “I don't know”\"\nother = \"選「不知道」\""
	if got := quoteMessages(in); got != want {
		t.Errorf("quoteMessages: got %q, want %q (descriptions are English and keep their quotes)", got, want)
	}
}

func TestWithTaiwanForms(t *testing.T) {
	got := withTaiwanForms("# 活着\n活着沒有意義\n不想活了")
	if want := "# 活着\n活着沒有意義\n活著沒有意義\n不想活了"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
