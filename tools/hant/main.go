// Command hant writes the Traditional Chinese (zh-Hant) catalogs from the
// Simplified Chinese (zh-Hans) ones, keeping mainland vocabulary: the law
// applied is the mainland's, so its terms stay as the law names them, only
// in Traditional characters (诽谤罪 → 誹謗罪, never a Taiwanese or Hong Kong
// word). Run it from the repository's root after any change to a zh-Hans
// catalog:
//
//	go run ./tools/hant           write the zh-Hant files
//	go run ./tools/hant -check    exit 1 if they are not what it would write
//
// The conversion is OpenCC's s2t (Simplified to Traditional, characters and
// phrases, no regional vocabulary), then the fixes in fixes.tsv (a wrong
// character choice, or a whole message such as the language's own name),
// then the terms of the glossary (docs/glossary.tsv), which always win.
// It writes, for every locales/<name>.zh-Hans.toml, <name>.zh-Hant.toml;
// distress.zh-Hant.txt and its test corpus; and hashes/zh-Hant.toml, the
// zh-Hans hashes (a zh-Hant message is as current as the zh-Hans one it
// comes from).
package main

import (
	"bytes"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/longbridgeapp/opencc"
	"github.com/redress-legal/redress/translate"
)

//go:embed fixes.tsv
var fixesTSV string

func main() {
	dir := flag.String("locales", "locales", "catalog `directory`")
	glossary := flag.String("glossary", filepath.Join("docs", "glossary.tsv"), "the glossary `file` (TSV)")
	check := flag.Bool("check", false, "write nothing; exit 1 when a zh-Hant file differs from what would be written")
	flag.Parse()
	if err := run(*dir, *glossary, *check); err != nil {
		fmt.Fprintln(os.Stderr, "hant:", err)
		os.Exit(1)
	}
}

func run(dir, glossary string, check bool) error {
	files, err := Generate(dir, glossary)
	if err != nil {
		return err
	}
	var stale []string
	for _, name := range sortedKeys(files) {
		path := filepath.Join(dir, name)
		old, err := os.ReadFile(path)
		if err == nil && bytes.Equal(old, files[name]) {
			continue
		}
		if check {
			stale = append(stale, path)
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		fmt.Println("wrote", path)
	}
	if len(stale) > 0 {
		return fmt.Errorf("not generated from the current zh-Hans files (run: go run ./tools/hant): %s", strings.Join(stale, ", "))
	}
	return nil
}

// Term is a glossary entry: a mainland legal term in both scripts.
type Term struct {
	Term, Simplified, Traditional, English, Meaning, Source string
}

// ReadGlossary reads the glossary TSV: a header line, then term,
// Simplified, Traditional, English, meaning, source per line.
func ReadGlossary(path string) ([]Term, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("glossary: %w", err)
	}
	var terms []Term
	for i, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		if i == 0 || strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 6 {
			return nil, fmt.Errorf("%s:%d: want 6 tab-separated fields (term, Simplified, Traditional, English, meaning, source), got %d", path, i+1, len(f))
		}
		terms = append(terms, Term{f[0], f[1], f[2], f[3], f[4], f[5]})
	}
	return terms, nil
}

// fix is a line of fixes.tsv: a phrase OpenCC writes wrongly and the
// right one, or (From starting with @) a message ID and its whole text.
type fix struct{ From, To string }

func readFixes() ([]fix, error) {
	var out []fix
	for i, line := range strings.Split(fixesTSV, "\n") {
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			return nil, fmt.Errorf("fixes.tsv:%d: want 3 tab-separated fields (wrong, right, why)", i+1)
		}
		out = append(out, fix{f[0], f[1]})
	}
	return out, nil
}

// Generate returns the zh-Hant files (names relative to dir) made from the
// zh-Hans ones in dir.
func Generate(dir, glossary string) (map[string][]byte, error) {
	conv, err := newConverter(glossary)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	names, err := filepath.Glob(filepath.Join(dir, "*.zh-Hans.toml"))
	if err != nil || len(names) == 0 {
		return nil, fmt.Errorf("no zh-Hans catalogs (*.zh-Hans.toml) in %s", dir)
	}
	for _, path := range names {
		name := filepath.Base(path)
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		body := dropHeader(string(b))
		text, err := conv.convert(body)
		if err != nil {
			return nil, fmt.Errorf("convert %s: %w", name, err)
		}
		text = conv.messages(text)
		text = quoteMessages(text)
		head := fmt.Sprintf("# Redress — 繁體中文（中國內地法律用語）。由 %s 自動生成：go run ./tools/hant\n# 不要直接修改本文件：修改 %s，或 tools/hant/fixes.tsv、docs/glossary.tsv，再重新生成。\n\n", name, name)
		out[strings.Replace(name, ".zh-Hans.", ".zh-Hant.", 1)] = []byte(head + text)
	}
	for _, pair := range [][2]string{
		{"distress.zh-Hans.txt", "distress.zh-Hant.txt"},
		{filepath.Join("testdata", "distress", "zh-Hans.txt"), filepath.Join("testdata", "distress", "zh-Hant.txt")},
	} {
		b, err := os.ReadFile(filepath.Join(dir, pair[0]))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", pair[0], err)
		}
		text, err := conv.convert(string(b))
		if err != nil {
			return nil, fmt.Errorf("convert %s: %w", pair[0], err)
		}
		text = withTaiwanForms(text)
		out[pair[1]] = []byte("# 由 " + filepath.ToSlash(pair[0]) + " 自動生成（go run ./tools/hant）；不要直接修改。\n" + text)
	}
	hashes, err := translate.ReadHashes(dir, "zh-Hans")
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "hant")
	if err != nil {
		return nil, fmt.Errorf("hashes: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := translate.WriteHashes(tmp, "zh-Hant", hashes); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(tmp, translate.HashDir, "zh-Hant.toml"))
	if err != nil {
		return nil, fmt.Errorf("hashes: %w", err)
	}
	out[filepath.Join(translate.HashDir, "zh-Hant.toml")] = b
	return out, nil
}

// taiwanForms are the characters OpenCC's s2t writes in a form Hong Kong
// prints and Taiwan does not (OpenCC TWVariants): 活着 / 活著.
var taiwanForms = strings.NewReplacer("着", "著", "裏", "裡", "峯", "峰", "牀", "床", "啓", "啟", "麪", "麵", "污", "汙", "泄", "洩")

// withTaiwanForms follows each line of a distress file (a phrase, or a
// corpus line) that holds such a character with the same line in
// Taiwan's forms: a person types the forms they know, and both must
// bring the crisis help.
func withTaiwanForms(text string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		out = append(out, l)
		if tw := taiwanForms.Replace(l); tw != l && !strings.HasPrefix(strings.TrimSpace(l), "#") {
			out = append(out, tw)
		}
	}
	return strings.Join(out, "\n")
}

// dropHeader removes a catalog's leading comment lines (they describe the
// Simplified file).
func dropHeader(s string) string {
	lines := strings.Split(s, "\n")
	i := 0
	for i < len(lines) && (strings.HasPrefix(lines[i], "#") || strings.TrimSpace(lines[i]) == "") {
		i++
	}
	return strings.Join(lines[i:], "\n")
}

// converter is s2t, the fixes and the glossary.
type converter struct {
	cc       *opencc.OpenCC
	phrases  *strings.Replacer
	messages func(string) string
}

func newConverter(glossary string) (*converter, error) {
	cc, err := opencc.New("s2t")
	if err != nil {
		return nil, fmt.Errorf("OpenCC s2t: %w", err)
	}
	terms, err := ReadGlossary(glossary)
	if err != nil {
		return nil, err
	}
	fixes, err := readFixes()
	if err != nil {
		return nil, err
	}
	c := &converter{cc: cc}
	var pairs []string
	whole := map[string]string{}
	for _, f := range fixes {
		if id, ok := strings.CutPrefix(f.From, "@"); ok {
			whole[id] = f.To
			continue
		}
		pairs = append(pairs, f.From, f.To)
	}
	// The glossary wins: whatever s2t makes of a term becomes its listed form.
	for _, t := range terms {
		got, err := cc.Convert(t.Simplified)
		if err != nil {
			return nil, fmt.Errorf("convert %s: %w", t.Simplified, err)
		}
		if got != t.Traditional {
			pairs = append(pairs, got, t.Traditional)
		}
	}
	c.phrases = strings.NewReplacer(pairs...)
	c.messages = func(text string) string { return setWhole(text, whole) }
	return c, nil
}

func (c *converter) convert(s string) (string, error) {
	out, err := c.cc.Convert(s)
	if err != nil {
		return "", err
	}
	return c.phrases.Replace(out), nil
}

var header = regexp.MustCompile(`^\s*\[\s*"?([^\]"]+)"?\s*\]`)

// setWhole replaces the text (other) of the messages named in whole.
func setWhole(text string, whole map[string]string) string {
	lines := strings.Split(text, "\n")
	id := ""
	for i, l := range lines {
		if m := header.FindStringSubmatch(l); m != nil {
			id = m[1]
			continue
		}
		if to, ok := whole[id]; ok && strings.HasPrefix(strings.TrimSpace(l), "other =") {
			lines[i] = "other = " + fmt.Sprintf("%q", to)
		}
	}
	return strings.Join(lines, "\n")
}

// hantQuotes are the quotation marks of Traditional Chinese running text:
// “…” becomes 「…」 and the quote within a quote ‘…’ becomes 『…』.
var hantQuotes = map[rune]rune{'“': '「', '”': '」', '‘': '『', '’': '』'}

// quoteMessages gives the texts (other = "…") of a catalog the quotation
// marks of Traditional Chinese. Descriptions are English and keep theirs;
// so does what is inside a placeholder or a template action ({{…}}) and
// inside a title in 《》, which is quoted as the document names itself.
func quoteMessages(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "other =") {
			lines[i] = hantQuote(l)
		}
	}
	return strings.Join(lines, "\n")
}

// hantQuote replaces the quotation marks of s outside {{…}} and 《…》.
func hantQuote(s string) string {
	var b strings.Builder
	action, title := false, 0
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case action:
			if r == '}' && i+1 < len(rs) && rs[i+1] == '}' {
				action = false
				b.WriteString("}}")
				i++
				continue
			}
		case r == '{' && i+1 < len(rs) && rs[i+1] == '{':
			action = true
			b.WriteString("{{")
			i++
			continue
		case r == '《':
			title++
		case r == '》' && title > 0:
			title--
		case title == 0:
			if q, ok := hantQuotes[r]; ok {
				r = q
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
