package locales

import (
	"bufio"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"
	"unicode"
)

// Distress recognises messages that say the person is in danger or
// thinking of suicide or self-harm, typed in their own words. Its phrases
// are data, one file per language (distress.<lang>.txt beside the
// catalogs); every language's phrases are tried on every message, since
// people mix languages and a false alarm costs only one message.
// A Distress is immutable and safe for concurrent use.
type Distress struct {
	phrases    []phrase // an alarm
	exceptions []phrase // harmless phrases containing an alarm ("dying to know"): ignored
}

// phrase is a phrase as tokens; gap marks "..." (up to maxGap tokens).
type phrase []string

const (
	gap    = "\x00..."
	broken = "\x00|" // punctuation: no phrase matches across it
	maxGap = 3
)

// DistressFile is the name pattern of the phrase files.
const DistressFile = "distress.*.txt"

// Distressed reports whether text says the person may be in danger or
// thinking of suicide or self-harm.
func (d *Distress) Distressed(text string) bool {
	if d == nil {
		return false
	}
	toks := tokens(text)
	for _, e := range d.exceptions {
		for i := 0; i < len(toks); i++ {
			if n := e.matchAt(toks, i); n > 0 {
				for j := i; j < i+n; j++ {
					toks[j] = broken
				}
			}
		}
	}
	for _, p := range d.phrases {
		for i := range toks {
			if p.matchAt(toks, i) > 0 {
				return true
			}
		}
	}
	return false
}

// Len is the number of phrases and exceptions loaded.
func (d *Distress) Len() (phrases, exceptions int) { return len(d.phrases), len(d.exceptions) }

// matchAt returns how many tokens p matches at toks[i:], 0 when it does not.
func (p phrase) matchAt(toks []string, i int) int {
	var m func(pi, ti int) int
	m = func(pi, ti int) int {
		if pi == len(p) {
			return ti
		}
		if p[pi] == gap {
			for g := 0; g <= maxGap && ti+g <= len(toks); g++ {
				if g > 0 && toks[ti+g-1] == broken {
					break
				}
				if end := m(pi+1, ti+g); end >= 0 {
					return end
				}
			}
			return -1
		}
		if ti < len(toks) && toks[ti] == p[pi] {
			return m(pi+1, ti+1)
		}
		return -1
	}
	if end := m(0, i); end > i {
		return end - i
	}
	return 0
}

// tokens splits text into lower-case words of letters and digits, each
// Chinese (or other unspaced script's) character its own token; a
// punctuation mark is a break; apostrophes vanish (can't = cant) and
// full-width letters become ASCII.
func tokens(text string) []string {
	var out []string
	var word strings.Builder
	flush := func() {
		if word.Len() > 0 {
			out = append(out, word.String())
			word.Reset()
		}
	}
	for _, r := range text {
		if r >= 0xFF01 && r <= 0xFF5E { // full-width ASCII
			r -= 0xFEE0
		}
		r = unicode.ToLower(r)
		switch {
		case strings.ContainsRune("'’‘`´", r):
			// can't, don’t: one word
		case unicode.Is(unicode.Han, r) || unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Thai):
			flush()
			out = append(out, string(r))
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			word.WriteRune(r)
		case unicode.IsSpace(r) || strings.ContainsRune("-‐–—_/~*\"“”「」『』()（）", r):
			flush()
		default:
			flush()
			if len(out) > 0 && out[len(out)-1] != broken {
				out = append(out, broken)
			}
		}
	}
	flush()
	return out
}

// parsePhrase reads one line of a phrase file; "..." is a gap.
func parsePhrase(line string) phrase {
	var p phrase
	for i, part := range strings.Split(line, "...") {
		if i > 0 {
			p = append(p, gap)
		}
		for _, t := range tokens(part) {
			if t != broken {
				p = append(p, t)
			}
		}
	}
	return p
}

// CheckDistress reads every distress.<lang>.txt at the top of fsys and
// reports every problem: a file for a language without a catalog, a line
// that holds no words, a phrase so short that it would go off on ordinary
// messages, a catalog language without phrases (warnings). langs are the
// languages with a catalog.
func CheckDistress(fsys fs.FS, langs []string) (*Distress, Problems) {
	d := &Distress{}
	var probs Problems
	names, _ := fs.Glob(fsys, DistressFile)
	sort.Strings(names)
	have := map[string]bool{}
	for _, name := range names {
		lang := strings.TrimSuffix(strings.TrimPrefix(name, "distress."), ".txt")
		have[lang] = true
		if len(langs) > 0 && !slices.Contains(langs, lang) {
			probs = append(probs, Problem{File: name, Msg: fmt.Sprintf("there is no catalog for the language %q (name the file distress.<language>.txt after a catalog's language)", lang)})
		}
		f, err := fsys.Open(name)
		if err != nil {
			probs = append(probs, Problem{File: name, Msg: "cannot read: " + err.Error()})
			continue
		}
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			exc := strings.HasPrefix(line, "!")
			p := parsePhrase(strings.TrimPrefix(line, "!"))
			words := 0
			for _, t := range p {
				if t != gap {
					words++
				}
			}
			switch {
			case words == 0:
				probs = append(probs, Problem{File: name, Line: n, Msg: "this line holds no words: write a phrase, or start a comment with #"})
				continue
			case p[0] == gap || p[len(p)-1] == gap:
				probs = append(probs, Problem{File: name, Line: n, Msg: `"..." stands between two words; it cannot start or end a phrase`})
				continue
			case !exc && words == 1 && len([]rune(p[0])) < 2:
				probs = append(probs, Problem{File: name, Line: n, Msg: fmt.Sprintf("%q is too short: a single character would go off on ordinary messages; write a phrase", line), Warning: true})
			}
			if exc {
				d.exceptions = append(d.exceptions, p)
			} else {
				d.phrases = append(d.phrases, p)
			}
		}
		if err := sc.Err(); err != nil {
			probs = append(probs, Problem{File: name, Msg: "cannot read: " + err.Error()})
		}
		f.Close()
	}
	for _, l := range langs {
		if !have[l] {
			probs = append(probs, Problem{File: "distress." + l + ".txt", Msg: fmt.Sprintf("there are no distress phrases for %s: a person in danger who writes so in %s gets no crisis help unless they use /sos", l, l), Warning: true})
		}
	}
	return d, probs
}
