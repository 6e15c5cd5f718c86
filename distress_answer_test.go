package main

import (
	"slices"
	"testing"
	"time"

	"github.com/redress-legal/redress/commands"
	"github.com/redress-legal/redress/flows"
)

// TestBereavedCanSayHowTheyDied: a relative asked how the person died
// answers in words that are also words of distress. The option's own text
// ("自杀") and the words the flow lists for it ("he killed himself",
// "我说了是自杀") are the answer, without the crisis help; distress about
// oneself in the same message ("他自杀了，我也不想活了") still brings the
// help first.
func TestBereavedCanSayHowTheyDied(t *testing.T) {
	env, now := typedEnv(t)
	for _, in := range []string{"自杀", "我说了是自杀", "he killed himself", "She took her own life.", "他是跳楼的"} {
		st := reach(t, env, "q4_death", now)
		out := env.Text(st, "zh-Hans", in, now)
		if out.Reply.Urgent || out.State.Answers["q4_death"].Choice != "suicide" {
			t.Errorf("%q: urgent=%v, answer %+v", in, out.Reply.Urgent, out.State.Answers["q4_death"])
		}
	}
	for _, in := range []string{"他自杀了，我也不想活了", "he killed himself and I want to die too", "我也不想活了"} {
		st := reach(t, env, "q4_death", now)
		if out := env.Text(st, "zh-Hans", in, now); !out.Reply.Urgent || out.State.Node != "q4_death" {
			t.Errorf("%q: no crisis help first (urgent=%v, at %s)", in, out.Reply.Urgent, out.State.Node)
		}
	}
}

// TestTypedWordsAnswer: answers typed in words rather than numbers — an
// option's label or part of it, the words the flow lists for an option —
// in English and Chinese; and what must not be taken as an answer.
func TestTypedWordsAnswer(t *testing.T) {
	env, now := typedEnv(t)
	for _, c := range []struct {
		node, in string
		want     []string // the option keys chosen; none: not an answer
		urgent   bool     // the crisis help is shown
	}{
		{"q0_danger", "是", []string{"danger"}, true},
		{"q0_danger", "yes", []string{"danger"}, true},
		{"q0_danger", "救命", []string{"danger"}, true},
		{"q0_danger", "没事", []string{"no"}, false},
		{"q0_danger", "no", []string{"no"}, false},
		{"q0_danger", "no, but she said she wants to die", []string{"selfharm"}, true}, // the option that brings the help
		{"q0_danger", "没有，但是我女儿说她想死", []string{"selfharm"}, true},
		{"q0_danger", "现在没有，但我怕他会找到我家来", []string{"threat"}, false},
		{"q1_platforms", "微信", []string{"wechat"}, false},
		{"q1_platforms", "B站", []string{"bilibili"}, false},
		{"q1_platforms", "微博和微信群", []string{"weibo", "wechat"}, false},
		{"q1_platforms", "a QQ group", []string{"qq"}, false},
		{"q1_platforms", "TikTok and Weibo", []string{"weibo", "douyin"}, false},
		{"q2_truth", "not sure", []string{"unsure"}, false},
		{"q2_truth", "不确定", []string{"unsure"}, false},
		{"q3_mutual", "有，双方互相骂了", []string{"yes"}, false},
		{"q3_mutual", "我也骂了他", []string{"yes"}, false},
		{"q3_mutual", "没有", []string{"no"}, false},
		{"q3_identity", "只知道账号", []string{"account"}, false},
		{"q3_identity", "我不知道是谁", []string{"nobody"}, false}, // not "知道是谁" (known)
		{"q3_identity", "I don't know who it is", []string{}, false},
		{"q0_who", "本人", nil, false}, // adult or minor: not guessed (asked which)
		{"q0_who", "know", nil, false},
		{"q0_who", "my daughter", []string{"child"}, false},
		{"q0_who", "我的店被人造谣", []string{"org"}, false},
		{"q0_who", "I'm not sure", nil, false},
		// said by new users (issue 10 §5): describing what happened, in words
		{"q1_what", "前男友把我的私密照发给我微信好友，还威胁要发更多", []string{"intimate", "threat"}, false},
		{"q1_what", "私密照片，还有威胁", []string{"intimate", "threat"}, false},
		{"q1_what", "有人造谣说我跟老板睡了", []string{"false_claims"}, false},
		{"q1_what", "they threatened to kill me", nil, true},
		{"q1_platforms", "Facebook同微信", []string{"wechat", "overseas"}, false},
		{"q2_truth", "全是假的", []string{"false_facts"}, false},
		{"q2_truth", "just mockery", []string{"abuse_only"}, false},
		{"q3_relation", "陌生人，不知道是谁", []string{"stranger"}, false},
		{"q3_relation", "前男友", []string{"ex"}, false},
		{"q3_relation", "her classmates", []string{"school"}, false},
		{"q3_relation", "we had a row in the comments", []string{"quarrel"}, false},
		{"q0_kin", "his sister", []string{"sibling"}, false},
		{"q4_harm", "很害怕，天天睡不着", []string{"distress"}, false},
		{"q6_done", "截了图", []string{"saved"}, false},
		{"q6_done", "screenshots and told the teacher", []string{"saved", "school"}, false},
		{"q7_goals", "删除，惩罚", []string{"stop", "punish"}, false},
		{"q7_goals", "make it stop and get the photo deleted", []string{"stop"}, false},
	} {
		st := reach(t, env, c.node, now)
		out := env.Text(st, "en", c.in, now)
		got := out.State.Answers[c.node]
		keys := got.Choices
		if got.Choice != "" {
			keys = []string{got.Choice}
		}
		// the crisis help: for typed distress, or for the option leading to it
		crisis := out.Reply.Urgent || out.State.Crisis
		if crisis != c.urgent || !slices.Equal(keys, c.want) {
			t.Errorf("%s %q: crisis help=%v, answer %v; want %v, %v", c.node, c.in, crisis, keys, c.urgent, c.want)
		}
	}
}

// typedEnv is the conversation layer over the shipped flow and catalogs,
// as the terminal chat has it.
func typedEnv(t *testing.T) (*commands.Env, time.Time) {
	t.Helper()
	flow, _ := e2eFlow(t)
	loc, err := newLocalizer("")
	if err != nil {
		t.Fatal(err)
	}
	return &commands.Env{Flow: flow, Loc: loc, Typed: true, Distress: loc.Distressed}, time.Date(2026, 12, 2, 10, 0, 0, 0, flows.China)
}

// reach answers the shipped flow until node is asked: a bereaved relative
// for q4_death, a quarrel for q3_mutual, a stranger's account otherwise.
func reach(t *testing.T, env *commands.Env, node string, now time.Time) flows.State {
	t.Helper()
	st := env.Step(flows.State{}, "zh-Hans", flows.Input{Kind: flows.InStart, Now: now}).State
	for i := 0; i < 40 && st.Node != node; i++ {
		in := "1"
		switch st.Node {
		case "q0_danger":
			in = "4"
		case "q0_who":
			in = map[string]string{"q4_death": "6", "q0_kin": "6"}[node]
			if in == "" {
				in = "1"
			}
		case "q6_when":
			in = "2026-11-01 to 2026-11-20"
		case "q3_relation":
			in = map[string]string{"q3_mutual": "11", "q3_identity": "9"}[node]
			if in == "" {
				in = "1"
			}
		case "q4_views":
			in = "8000"
		case "q4_harm":
			in = "8"
		}
		st = env.Text(st, "zh-Hans", in, now).State
	}
	if st.Node != node {
		t.Fatalf("never reached %s (at %s)", node, st.Node)
	}
	return st
}

// TestTypedAnswerThatFitsTwoOptions: a typed answer that could mean two
// options is asked back naming just those two, in the user's language.
func TestTypedAnswerThatFitsTwoOptions(t *testing.T) {
	env, now := typedEnv(t)
	for _, c := range []struct{ in, lang, a, b string }{
		{"我自己，26岁", "zh-Hans", "self_adult", "self_minor"},
		{"it's me", "en", "self_adult", "self_minor"},
		{"my brother died", "en", "other_adult", "bereaved"},
	} {
		st := reach(t, env, "q0_who", now)
		out := env.Text(st, c.lang, c.in, now)
		if len(out.Reply.Messages) == 0 || out.Reply.Messages[0].ID != commands.MsgWhichOf || out.State.Node != "q0_who" {
			t.Errorf("%q: %+v", c.in, out.Reply.Messages)
			continue
		}
		p := out.Reply.Messages[0].Params
		n := func(key string) int64 {
			for i, o := range env.Flow.Nodes["q0_who"].Options {
				if o.Key == key {
					return int64(i + 1)
				}
			}
			return 0
		}
		if p["na"] != n(c.a) || p["nb"] != n(c.b) {
			t.Errorf("%q asks between %v and %v, want %s and %s", c.in, p["na"], p["nb"], c.a, c.b)
		}
	}
}
