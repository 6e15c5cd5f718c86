package commands

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/redress-legal/redress/flows"
)

// This file reads a typed line as the options it names, for people who
// answer in words rather than with the options' numbers: "微信" where the
// option reads "微信（朋友圈、群聊）", "not sure" for "I am not sure", "he
// killed himself" where the flow lists those words for "Suicide".

// Read is the answer a typed line gives the current question, as Text
// reads it, without distress detection, commands or menus: an option's
// label, the words a flow lists for an option, the line as the engine
// reads it, else the options it names by label. Scenario runners use it to
// answer as a person types.
func (e *Env) Read(st flows.State, text string, now time.Time) flows.Input {
	t := strings.TrimSpace(text)
	if in, ok := e.byLabel(st, t); ok {
		in.Now = now
		return in
	}
	if in, _, ok := e.byWords(st, t); ok {
		in.Now = now
		return in
	}
	typed := flows.Input{Kind: flows.InText, Text: text, Now: now}
	if _, r := flows.Step(e.Flow, st, typed); r.Event == flows.EvInvalid {
		if in, ok := e.byLabels(st, t); ok {
			in.Now = now
			return in
		}
	}
	return typed
}

// byWords reads a line that holds the words a flow lists for one of the
// current question's options (Option.Words, in any language) as that
// option; for a multi question, as every option whose words it holds.
// Words are what the flow's authors chose, so they count before the
// engine reads the line, and before distress detection, as an option's
// own label does.
//
// rest is the line without the words found (each replaced by a full stop),
// for distress detection to read what else it says: "he killed himself"
// answers how a relative died, "he killed himself and I want to die too"
// still brings the crisis help.
func (e *Env) byWords(st flows.State, t string) (in flows.Input, rest string, ok bool) {
	n := e.current(st)
	if n == nil {
		return flows.Input{}, t, false
	}
	t = labelFold(t)
	var found []int
	var said []string // the words found
	for i, o := range n.Options {
		if o.Words == "" {
			continue
		}
		hit := false
		for _, p := range e.wordPhrases(o.Words) {
			if p == t || holds(t, p) {
				hit = true
				said = append(said, p)
			}
		}
		if hit {
			found = append(found, i)
		}
	}
	if n.Type == flows.Multi && len(found) > 0 {
		// "微博和微信群": the labels named beside the words count too
		for i, o := range n.Options {
			if slices.Contains(found, i) {
				continue
			}
			if holdsAny(t, e.labelPhrases(o.Label)) {
				found = append(found, i)
			}
		}
		slices.Sort(found)
	}
	in, ok = chosen(n, found)
	if !ok {
		return flows.Input{}, t, false // not an answer: the whole line is read for distress
	}
	rest = t
	for _, p := range said {
		rest = strings.ReplaceAll(rest, p, "。")
	}
	return in, rest, true
}

// byLabels reads a line the engine refused as the options it names by
// their labels, in any language: the labels it holds ("微博和微信"), or
// else the one label that holds it ("not sure" in "I am not sure"; "没有"
// in "都没有"). Two options where one is wanted is no answer.
func (e *Env) byLabels(st flows.State, t string) (flows.Input, bool) {
	n := e.current(st)
	if n == nil {
		return flows.Input{}, false
	}
	t = labelFold(t)
	if utf8.RuneCountInString(t) < 2 {
		return flows.Input{}, false
	}
	within, around := named(t, e.optionPhrases(n, false))
	if len(within) > 0 {
		return chosen(n, within)
	}
	if len(around) == 1 {
		return chosen(n, around)
	}
	return flows.Input{}, false
}

// labelParts is a label and its parts, folded: "Weibo (微博)" is also
// "weibo" and "微博"; "WeChat (微信): chats, groups…" also "wechat" and
// "微信".
func labelParts(label string) []string {
	parts := []string{labelFold(label)}
	for _, p := range strings.FieldsFunc(label, func(r rune) bool { return strings.ContainsRune("()（）:：", r) }) {
		if p = labelFold(p); p != "" && p != parts[0] {
			parts = append(parts, p)
		}
	}
	return parts
}

// candidates are the options of a choice question a typed line may mean,
// by their words or their labels, when it names more than one.
func (e *Env) candidates(st flows.State, t string) []int {
	n := e.current(st)
	if n == nil || n.Type != flows.Choice {
		return nil
	}
	within, around := named(labelFold(t), e.optionPhrases(n, true))
	out := append(within, around...)
	slices.Sort(out)
	return slices.Compact(out)
}

// labelWithin reads a line that holds the label of exactly one of the
// current choice question's options ("我说了是自杀" holds "自杀") as that
// option.
func (e *Env) labelWithin(st flows.State, t string) (flows.Input, bool) {
	n := e.current(st)
	if n == nil || n.Type != flows.Choice {
		return flows.Input{}, false
	}
	within, _ := named(labelFold(t), e.optionPhrases(n, false))
	return chosen(n, within)
}

// optionPhrases are, for each option of n, its label as labelParts reads
// it in every language, and with words, the words the flow lists for it.
func (e *Env) optionPhrases(n *flows.Node, words bool) [][]string {
	out := make([][]string, len(n.Options))
	for i, o := range n.Options {
		out[i] = e.labelPhrases(o.Label)
		if words {
			out[i] = append(out[i], e.wordPhrases(o.Words)...)
		}
	}
	return out
}

// labelPhrases is a label in every language, with its parts (labelParts).
func (e *Env) labelPhrases(id string) []string {
	var out []string
	for _, l := range e.Loc.Languages() {
		out = append(out, labelParts(e.Loc.Text(l, flows.Message{ID: id}))...)
	}
	return out
}

// wordPhrases are the words of a words message (Option.Words) in every
// language, folded; none for "".
func (e *Env) wordPhrases(id string) []string {
	if id == "" {
		return nil
	}
	var out []string
	for _, l := range e.Loc.Languages() {
		for _, p := range strings.Split(e.Loc.Text(l, flows.Message{ID: id}), "|") {
			if p = labelFold(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// named finds what a folded line names among entries given as phrases:
// within, the entries one of whose phrases the line holds; around, those
// with a phrase that holds the line (a line of two characters or more).
func named(t string, phrases [][]string) (within, around []int) {
	long := utf8.RuneCountInString(t) >= 2
	for i, ps := range phrases {
		if holdsAny(t, ps) {
			within = append(within, i)
		}
		if long && slices.ContainsFunc(ps, func(p string) bool { return holds(p, t) }) {
			around = append(around, i)
		}
	}
	return within, around
}

// current is the question waiting for an answer, when it offers options.
func (e *Env) current(st flows.State) *flows.Node {
	if e.Flow == nil || e.Loc == nil || st.Done || st.Menu != "" || st.Flow != e.Flow.ID || st.Version != e.Flow.Version {
		return nil
	}
	n := e.Flow.Nodes[st.Node]
	if n == nil || (n.Type != flows.Choice && n.Type != flows.Multi) {
		return nil
	}
	return n
}

// chosen is the answer naming the options at indexes: one for a choice
// question, one or more for a multi question.
func chosen(n *flows.Node, idx []int) (flows.Input, bool) {
	if len(idx) == 0 || (n.Type == flows.Choice && len(idx) > 1) {
		return flows.Input{}, false
	}
	nums := make([]string, len(idx))
	for i, k := range idx {
		nums[i] = strconv.Itoa(k + 1)
	}
	return flows.Input{Kind: flows.InText, Text: strings.Join(nums, " ")}, true
}

// holdsAny reports whether text holds one of the phrases (see holds).
func holdsAny(text string, phrases []string) bool {
	for _, p := range phrases {
		if holds(text, labelFold(p)) {
			return true
		}
	}
	return false
}

// holds reports whether text holds phrase (two characters or more): as a
// whole word where the phrase begins or ends with a letter or digit of an
// alphabet ("no" is not in "know"), anywhere for Chinese.
func holds(text, phrase string) bool {
	if utf8.RuneCountInString(phrase) < 2 {
		return false
	}
	for i := 0; ; {
		j := strings.Index(text[i:], phrase)
		if j < 0 {
			return false
		}
		j += i
		before, _ := utf8.DecodeLastRuneInString(text[:j])
		after, _ := utf8.DecodeRuneInString(text[j+len(phrase):])
		first, _ := utf8.DecodeRuneInString(phrase)
		last, _ := utf8.DecodeLastRuneInString(phrase)
		if !(wordRune(first) && wordRune(before)) && !(wordRune(last) && wordRune(after)) && !negated(text[:j]) {
			return true
		}
		i = j + 1
	}
}

// negated reports whether what comes before a phrase negates it: "不" or
// "没" right before it (不知道是谁 is not 知道是谁), "not", "don't",
// "didn't" or "no" as the word before.
func negated(before string) bool {
	if r, _ := utf8.DecodeLastRuneInString(before); strings.ContainsRune("不没未无非别", r) {
		return true
	}
	f := strings.Fields(before)
	if len(f) == 0 {
		return false
	}
	switch strings.Trim(f[len(f)-1], ",.;:!?'’") {
	case "not", "dont", "don't", "don’t", "didnt", "didn't", "didn’t", "no", "never", "isnt", "isn't", "wasnt", "wasn't":
		return true
	}
	return false
}

// wordRune is a letter or digit of an alphabet: words of these are
// separated by spaces, unlike Chinese.
func wordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r)) && !unicode.Is(unicode.Han, r)
}
