package main

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redress-legal/redress/flows"
)

// TestWordsFitWhoIsTalking: a question put to everyone must read right for
// each person it is put to. q9_public asks whether the attack also affects
// other people; its option about children must speak of the *other* people
// targeted, or a minor attacked, or a parent whose child is the target,
// ticks it for the child the whole conversation is about.
func TestWordsFitWhoIsTalking(t *testing.T) {
	_, loc := e2eFlow(t)
	for lang, other := range map[string]string{"en": "other", "zh-Hans": "其他", "zh-Hant": "其他"} {
		if s := loc.Text(lang, flows.Message{ID: "q.q9_public.opt.minors"}); !strings.Contains(s, other) {
			t.Errorf("%s: q9_public's option %q does not say the children are among the *other* people targeted", lang, s)
		}
	}
}

// speaksOfTheVictimAsYou: English phrases that make the person talking the
// one whose reputation, privacy or images are at stake ("give your name"
// to a hotline is the caller's own).
var speaksOfTheVictimAsYou = map[string]*regexp.Regexp{
	"en":      regexp.MustCompile(`\byour (reputation|privacy|portrait|honour|photos)\b|\bimages show you\b`),
	"zh-Hans": regexp.MustCompile(`你的(名誉|隐私|肖像|荣誉|照片)|替你恢复名誉|你本人`),
}

// TestReportSpeaksToWhoIsTalking: after a death the relative is the "you"
// of the assessment, never the deceased (docs/legal/rules.md, "A deceased
// victim"). Random walks of bereaved relatives, every finding of the
// summary and the parts in English and Chinese: none speaks of the
// reputation, privacy or images as the relative's own. (For a parent or a
// helper the flow's findings for the living person attacked, victim_self,
// still say "you" of that person, as the outcome's note explains.)
func TestReportSpeaksToWhoIsTalking(t *testing.T) {
	f, loc := e2eFlow(t)
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, flows.China)
	rnd := rand.New(rand.NewPCG(6, 6))
	seen := map[string]bool{}
	for w := 0; w < 400; w++ {
		who := "bereaved"
		st, r := flows.Step(f, flows.State{}, flows.Input{Kind: flows.InStart, Now: now})
		for steps := 0; r.Question != nil && steps < 200; steps++ {
			in := flows.Input{Kind: flows.InText, Text: randomAnswer(rnd, r.Question), Now: now}
			switch {
			case r.Question.Node == "q0_danger":
				in = flows.Input{Kind: flows.InChoose, Node: "q0_danger", Key: "no", Now: now}
			case r.Question.Node == "q0_who":
				in = flows.Input{Kind: flows.InChoose, Node: "q0_who", Key: who, Now: now}
			case in.Text == "?":
				in = flows.Input{Kind: flows.InUnknown, Node: r.Question.Node, Now: now}
			}
			st, r = flows.Step(f, st, in)
		}
		rep, ok := flows.Assess(f, st, now)
		if !ok {
			continue
		}
		msgs := rep.Summary
		for _, p := range rep.Parts {
			msgs = append(msgs, p.Messages...)
		}
		for _, m := range msgs {
			for lang, re := range speaksOfTheVictimAsYou {
				if s := loc.Text(lang, m); re.MatchString(s) && !seen[lang+m.ID] {
					seen[lang+m.ID] = true
					t.Errorf("%s (%s, %s, asked by %s): %q", m.ID, lang, st.Node, who, s)
				}
			}
		}
	}
}

// TestChineseAtLeastHasNoStraySpaces: a count the person gave as a lower
// bound ("一千多") is shown as ui.at_least ("至少1,000"); in Chinese the
// sentence around it must not leave spaces on either side ("被转发了 至少800
// 次"). Every message of the flow with a count parameter is rendered with
// such a count.
func TestChineseAtLeastHasNoStraySpaces(t *testing.T) {
	f, loc := e2eFlow(t)
	stray := regexp.MustCompile(`\s至少|至少[0-9,]+\s`)
	check := func(where string, m flows.MsgRef) {
		params := map[string]any{}
		counts := false
		for name, e := range m.Params {
			if n := f.Nodes[e.Src]; n != nil && n.Type == flows.Number {
				params[name], counts = flows.AtLeast(800), true
			} else {
				params[name] = int64(800)
			}
		}
		if !counts {
			return
		}
		for _, lang := range []string{"zh-Hans", "zh-Hant"} {
			if s := loc.Text(lang, flows.Message{ID: m.ID, Params: params}); stray.MatchString(s) {
				t.Errorf("%s %s (%s): a stray space beside an at-least count: %q", where, m.ID, lang, s)
			}
		}
	}
	checked := 0
	for _, s := range f.Sections {
		for _, fd := range s.Findings {
			check("finding "+s.ID+"."+fd.ID, fd.Msg)
			if fd.Short != "" {
				check("short line of "+s.ID+"."+fd.ID, flows.MsgRef{ID: fd.Short, Params: fd.Msg.Params})
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no findings checked")
	}
}
