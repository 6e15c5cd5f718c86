package locales_test

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/redress-legal/redress/locales"
)

// TestDistressCorpus runs the shipped phrases over the corpus of each
// language (testdata/distress/<lang>.txt): every "+" line must bring the
// crisis help, no "-" line may.
func TestDistressCorpus(t *testing.T) {
	c := mustLoad(t)
	for _, lang := range c.Languages() {
		path := filepath.Join("testdata", "distress", lang+".txt")
		f, err := os.Open(path)
		if err != nil {
			t.Fatalf("every language needs a distress corpus: %v", err)
		}
		defer f.Close()
		pos, neg := 0, 0
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			line := sc.Text()
			want, text := false, ""
			switch {
			case strings.HasPrefix(line, "+ "):
				want, text = true, line[2:]
				pos++
			case strings.HasPrefix(line, "- "):
				text = line[2:]
				neg++
			default:
				continue
			}
			if got := c.Distressed(text); got != want {
				t.Errorf("%s:%d: Distressed(%q) = %v, want %v", path, n, text, got, want)
			}
		}
		if pos < 40 || neg < 40 {
			t.Errorf("%s: %d positives and %d negatives; the corpus needs at least 40 of each", path, pos, neg)
		}
	}
}

func TestDistressPhraseSyntax(t *testing.T) {
	fsys := fstest.MapFS{
		"distress.en.txt": {Data: []byte("# comment\nwant to ... die\n!dying to know\nim dying\n...\n... die\nx\n")},
	}
	d, probs := locales.CheckDistress(fsys, []string{"en", "zh-Hans"})
	for _, want := range []string{
		"distress.en.txt:5: this line holds no words",
		`distress.en.txt:6: "..." stands between two words`,
		`distress.en.txt:7: warning: "x" is too short`,
		"distress.zh-Hans.txt: warning: there are no distress phrases for zh-Hans",
	} {
		if !strings.Contains(probs.Error(), want) {
			t.Errorf("problems lack %q:\n%s", want, probs.Error())
		}
	}
	for text, want := range map[string]bool{
		"I want to die":                    true,
		"I want to just fucking die":       true,
		"I want to go to bed and die":      false, // more than three words between
		"I want to. Die":                   false, // across a full stop
		"I'm dying to know":                false,
		"I'm dying to know, and I'm dying": true,
		"I’M   DYING!":                     true,
		"x marks the spot":                 true, // a warning, but it counts
	} {
		if got := d.Distressed(text); got != want {
			t.Errorf("Distressed(%q) = %v, want %v", text, got, want)
		}
	}
	if _, probs := locales.CheckDistress(fstest.MapFS{"distress.fr.txt": {Data: []byte("je veux mourir\n")}}, []string{"en"}); !strings.Contains(probs.Error(), `no catalog for the language "fr"`) {
		t.Errorf("a file for a language without a catalog is not reported: %v", probs)
	}
}
