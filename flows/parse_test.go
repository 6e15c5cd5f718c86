package flows_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redress-legal/redress/flows"
)

// TestReadNumber: every way people type a count, in English and Chinese.
func TestReadNumber(t *testing.T) {
	type r = flows.NumberReading
	for _, c := range []struct {
		in   string
		want r
	}{
		{"5000", r{Value: 5000, Plain: true}},
		{"8,000", r{Value: 8000, Plain: true}},
		{"8 000", r{Value: 8000, Plain: true}},
		{"８０００", r{Value: 8000, Plain: true}},
		{"0", r{Value: 0, Plain: true}},
		{"8k", r{Value: 8000}},
		{"8K", r{Value: 8000}},
		{"1.2k", r{Value: 1200}},
		{"1.2万", r{Value: 12000}},
		{"1.2w", r{Value: 12000}},
		{"8千", r{Value: 8000}},
		{"八千", r{Value: 8000}},
		{"一万二", r{Value: 12000}},
		{"一万二千", r{Value: 12000}},
		{"1万2", r{Value: 12000}},
		{"三千五", r{Value: 3500}},
		{"两百五", r{Value: 250}},
		{"一百零五", r{Value: 105}},
		{"十二", r{Value: 12}},
		{"二十", r{Value: 20}},
		{"两万", r{Value: 20000}},
		{"十万", r{Value: 100000}},
		{"1200万", r{Value: 12000000}},
		{"2 million", r{Value: 2000000}},
		{"约8000", r{Value: 8000}},
		{"大约8000次", r{Value: 8000}},
		{"8000左右", r{Value: 8000}},
		{"about 200", r{Value: 200}},
		{"around 200 views", r{Value: 200}},
		{"~200", r{Value: 200}},
		{"200ish", r{Value: 200}},
		{"大概3千多", r{Value: 3000, AtLeast: true}},
		{"一千多", r{Value: 1000, AtLeast: true}},
		// a number inside a sentence, said back
		{"around 300 people saw it", r{Value: 300}},
		{"it was seen 12,000 times", r{Value: 12000}},
		{"我看到有800多条转发", r{Value: 800, AtLeast: true}},
		{"大概一百幾個人", r{Value: 100, AtLeast: true}},
		{"一百几", r{Value: 100, AtLeast: true}},
		{"一千多个", r{Value: 1000, AtLeast: true}},
		{"1000多", r{Value: 1000, AtLeast: true}},
		{"两万多次", r{Value: 20000, AtLeast: true}},
		{"over 5k", r{Value: 5000, AtLeast: true}},
		{"more than 5000", r{Value: 5000, AtLeast: true}},
		{"at least 300", r{Value: 300, AtLeast: true}},
		{"5000+", r{Value: 5000, AtLeast: true}},
		{"超过5000", r{Value: 5000, AtLeast: true}},
		{"5000以上", r{Value: 5000, AtLeast: true}},
		{"十几个", r{Value: 10, AtLeast: true}},
		{"二十几", r{Value: 20, AtLeast: true}},
		{"上千", r{Value: 1000, AtLeast: true}},
		{"几十个", r{Vague: true}},
		{"几百", r{Vague: true}},
		{"好几千", r{Vague: true}},
		{"a few dozen", r{Vague: true}},
		{"dozens", r{Vague: true}},
		{"hundreds", r{Vague: true}},
		{"很多", r{Vague: true}},
		{"a lot", r{Vague: true}},
		// ranges: at least the lower end; hedges change nothing
		{"三四个吧", r{Value: 3, AtLeast: true}},
		{"七八个", r{Value: 7, AtLeast: true}},
		{"两三千", r{Value: 2000, AtLeast: true}},
		{"三四十", r{Value: 30, AtLeast: true}},
		{"一两个", r{Value: 1, AtLeast: true}},
		{"100多万", r{Value: 1000000, AtLeast: true}},
		{"一百多万", r{Value: 1000000, AtLeast: true}},
		{"10多万次", r{Value: 100000, AtLeast: true}},
		{"3-4", r{Value: 3, AtLeast: true}},
		{"3 or 4", r{Value: 3, AtLeast: true}},
		{"20-30k", r{Value: 20000, AtLeast: true}},
		{"2000到3000", r{Value: 2000, AtLeast: true}},
		{"500吧", r{Value: 500, Plain: true}},
		{"好像是2000", r{Value: 2000, Plain: true}},
		{"I think 200", r{Value: 200, Plain: true}},
		{"at least 20,000", r{Value: 20000, AtLeast: true}},
	} {
		got, ok := flows.ReadNumber(c.in)
		if !ok || got != c.want {
			t.Errorf("ReadNumber(%q) = %+v, %v; want %+v", c.in, got, ok, c.want)
		}
	}
	for _, in := range []string{"", "abc", "-5", "1e5", "NaN", "inf", "0x10", "万", "一二", "四三", "4-3", "five thousand apples", "2026-05-14", "1.2.3"} {
		if got, ok := flows.ReadNumber(in); ok {
			t.Errorf("ReadNumber(%q) = %+v, want no number", in, got)
		}
	}
}

// TestReadDate: every way people type a date, relative to a Wednesday.
func TestReadDate(t *testing.T) {
	now := time.Date(2026, 11, 25, 22, 30, 0, 0, flows.China) // a Wednesday
	day := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, flows.China) }
	type r = flows.DateReading
	for _, c := range []struct {
		in   string
		want r
	}{
		{"2026-11-14", r{Day: day(2026, 11, 14), Exact: true}},
		{"2026/11/14", r{Day: day(2026, 11, 14), Exact: true}},
		{"2026.11.14", r{Day: day(2026, 11, 14), Exact: true}},
		{"14 Nov 2026", r{Day: day(2026, 11, 14), Exact: true}},
		{"14th November 2026", r{Day: day(2026, 11, 14), Exact: true}},
		{"Nov 14, 2026", r{Day: day(2026, 11, 14), Exact: true}},
		{"November 14 2026", r{Day: day(2026, 11, 14), Exact: true}},
		{"2026年11月14日", r{Day: day(2026, 11, 14), Exact: true}},
		{"2026年11月14号", r{Day: day(2026, 11, 14), Exact: true}},
		{"２０２６年１１月１４日", r{Day: day(2026, 11, 14), Exact: true}},
		{"June 2026", r{Day: day(2026, 6, 1), MonthOnly: true}},
		{"jun 2026", r{Day: day(2026, 6, 1), MonthOnly: true}},
		{"2026年6月", r{Day: day(2026, 6, 1), MonthOnly: true}},
		{"2026-06", r{Day: day(2026, 6, 1), MonthOnly: true}},
		{"11月14日", r{Day: day(2026, 11, 14)}},
		{"11月14号", r{Day: day(2026, 11, 14)}},
		{"12月14日", r{Day: day(2025, 12, 14)}}, // no year: the most recent past one
		{"Nov 14", r{Day: day(2026, 11, 14)}},
		{"14 December", r{Day: day(2025, 12, 14)}},
		{"6月", r{Day: day(2026, 6, 1), MonthOnly: true}},
		{"today", r{Day: day(2026, 11, 25)}},
		{"yesterday", r{Day: day(2026, 11, 24)}},
		{"yesterday evening", r{Day: day(2026, 11, 24)}},
		{"last night", r{Day: day(2026, 11, 24)}},
		{"昨天", r{Day: day(2026, 11, 24)}},
		{"昨天晚上", r{Day: day(2026, 11, 24)}},
		{"昨晚", r{Day: day(2026, 11, 24)}},
		{"前天", r{Day: day(2026, 11, 23)}},
		{"前天下午", r{Day: day(2026, 11, 23)}},
		{"last Friday", r{Day: day(2026, 11, 20)}},
		{"last Wednesday", r{Day: day(2026, 11, 18)}},
		{"on Tuesday", r{Day: day(2026, 11, 24)}},
		{"上周六", r{Day: day(2026, 11, 21)}},
		{"上星期一", r{Day: day(2026, 11, 16)}},
		{"上周日", r{Day: day(2026, 11, 22)}},
		{"周一", r{Day: day(2026, 11, 23)}},
		{"周六", r{Day: day(2026, 11, 21)}},
		{"3 weeks ago", r{Day: day(2026, 11, 4)}},
		{"three weeks ago", r{Day: day(2026, 11, 4)}},
		{"a month ago", r{Day: day(2026, 10, 25)}},
		{"2 days ago", r{Day: day(2026, 11, 23)}},
		{"half a year ago", r{Day: day(2026, 5, 25)}},
		{"两周前", r{Day: day(2026, 11, 11)}},
		{"3天前", r{Day: day(2026, 11, 22)}},
		{"三个月前", r{Day: day(2026, 8, 25)}},
		{"半年前", r{Day: day(2026, 5, 25)}},
		{"半个月前", r{Day: day(2026, 11, 10)}},
		{"一年前", r{Day: day(2025, 11, 25)}},
		{"大概两周前", r{Day: day(2026, 11, 11)}},
		{"06/07/2026", r{Day: day(2026, 7, 6), Other: day(2026, 6, 7), Ambiguous: true}},
		{"14/11/2026", r{Day: day(2026, 11, 14)}},
		{"11/14/2026", r{Day: day(2026, 11, 14)}},
		{"07/07/2026", r{Day: day(2026, 7, 7)}},
		// parts of a month, and months relative to now
		{"early September", r{Day: day(2026, 9, 5)}},
		{"mid-October", r{Day: day(2026, 10, 15)}},
		{"end of October 2025", r{Day: day(2025, 10, 31)}},
		{"the beginning of June", r{Day: day(2026, 6, 1)}},
		{"late february", r{Day: day(2026, 2, 25)}},
		{"9月初", r{Day: day(2026, 9, 1)}},
		{"9月中旬", r{Day: day(2026, 9, 15)}},
		{"10月底", r{Day: day(2026, 10, 31)}},
		{"2025年12月下旬", r{Day: day(2025, 12, 25)}},
		{"上个月底", r{Day: day(2026, 10, 31)}},
		{"last month", r{Day: day(2026, 10, 1), MonthOnly: true}},
		// Chinese numerals in dates, 今年/去年, "more than" and "a few"
		{"九月初", r{Day: day(2026, 9, 1)}},
		{"十月底", r{Day: day(2026, 10, 31)}},
		{"十一月十四日", r{Day: day(2026, 11, 14)}}, // no year: the most recent past one
		{"十一月十四号", r{Day: day(2026, 11, 14)}},
		{"二〇二五年十二月三十一日", r{Day: day(2025, 12, 31), Exact: true}},
		{"去年十二月", r{Day: day(2025, 12, 1), MonthOnly: true}},
		{"今年3月5日", r{Day: day(2026, 3, 5), Exact: true}},
		{"一个多月前", r{Day: day(2026, 10, 11)}},
		{"一个半月前", r{Day: day(2026, 10, 11)}},
		{"两年多前", r{Day: day(2024, 5, 25)}},
		{"十多天前", r{Day: day(2026, 11, 15)}},
		{"前几天", r{Day: day(2026, 11, 22)}},
		{"a few days ago", r{Day: day(2026, 11, 22)}},
		{"上个月", r{Day: day(2026, 10, 1), MonthOnly: true}},
		{"this month", r{Day: day(2026, 11, 1), MonthOnly: true}},
		{"end of this month", r{Day: day(2026, 11, 25)}}, // not after today
	} {
		got, ok := flows.ReadDate(c.in, now)
		if !ok || !got.Day.Equal(c.want.Day) || !got.Other.Equal(c.want.Other) || got.Exact != c.want.Exact || got.MonthOnly != c.want.MonthOnly || got.Ambiguous != c.want.Ambiguous {
			t.Errorf("ReadDate(%q) = %+v, %v; want %+v", c.in, got, ok, c.want)
		}
	}
	for _, in := range []string{"", "soon", "2026-02-30", "13/13/2026", "32 Nov 2026", "上周八", "Nov 2026 14 15", "1e5"} {
		if got, ok := flows.ReadDate(in, now); ok {
			t.Errorf("ReadDate(%q) = %+v, want no date", in, got)
		}
	}
	// The engine reads no clock: without Now, nothing relative.
	for _, in := range []string{"yesterday", "昨天", "11月14日", "3 weeks ago"} {
		if _, ok := flows.ReadDate(in, time.Time{}); ok {
			t.Errorf("ReadDate(%q) without now: ok", in)
		}
	}
	// China time: 23:30 UTC on the 24th is already the 25th in China.
	if got, _ := flows.ReadDate("yesterday", time.Date(2026, 11, 24, 23, 30, 0, 0, time.UTC)); !got.Day.Equal(day(2026, 11, 24)) {
		t.Errorf("yesterday at 07:30 China time on the 25th = %v", got.Day)
	}
}

// TestTypedAnswersInTheEngine: what the engine records and says back for
// each form typed at each kind of question of the mini flow (views: a
// number with "I don't know"; reposts: one without; last: a date with it).
func TestTypedAnswersInTheEngine(t *testing.T) {
	f := loadMini(t)
	wed := time.Date(2026, 11, 25, 22, 30, 0, 0, flows.China)
	to := map[string][]string{"views": {"2", "1"}, "reposts": {"2", "1", "10"}, "last": {"2", "1", "10", "10"}, "what": {"2"}}
	for _, c := range []struct {
		node, in string
		want     string // the answer recorded ("unknown", a number, a date, a choice list); "" when refused
		notice   string // the message ID said back, if any
		param    any    // its first parameter of note
	}{
		{"views", "8,000", "8000", "", nil},
		{"views", "8k", "8000", flows.MsgTookNumber, int64(8000)},
		{"views", "1.2万", "12000", flows.MsgTookNumber, int64(12000)},
		{"views", "一万二", "12000", flows.MsgTookNumber, int64(12000)},
		{"views", "约8000", "8000", flows.MsgTookNumber, int64(8000)},
		{"views", "about 200", "200", flows.MsgTookNumber, int64(200)},
		{"views", "一千多", "1000", flows.MsgTookAtLeast, int64(1000)},
		{"views", "大概3千多", "3000", flows.MsgTookAtLeast, int64(3000)},
		{"views", "over 5k", "5000", flows.MsgTookAtLeast, int64(5000)},
		{"views", "几十个", "", flows.MsgVagueNumber, flows.Label("mini.unknown")},
		{"views", "a few dozen", "", flows.MsgVagueNumber, flows.Label("mini.unknown")},
		{"views", "lots of them", "", flows.MsgVagueNumber, flows.Label("mini.unknown")},
		{"views", "banana", "", flows.MsgInvalidNumber, flows.Label("mini.unknown")},
		{"reposts", "banana", "", flows.MsgInvalidNumber, nil}, // no "I don't know" to name
		{"reposts", "不知道", "", flows.MsgInvalidNumber, nil},
		{"reposts", "几十个", "", flows.MsgVagueNumber, nil},
		{"last", "2026-11-14", "2026-11-14", "", nil},
		{"last", "14 Nov 2026", "2026-11-14", "", nil},
		{"last", "Nov 14, 2026", "2026-11-14", "", nil},
		{"last", "2026年11月14日", "2026-11-14", "", nil},
		{"last", "June 2026", "2026-06-01", flows.MsgTookMonth, day(2026, 6, 1)},
		{"last", "2026年6月", "2026-06-01", flows.MsgTookMonth, day(2026, 6, 1)},
		{"last", "11月14日", "2026-11-14", flows.MsgTookDate, day(2026, 11, 14)},
		{"last", "12月14号", "2025-12-14", flows.MsgTookDate, day(2025, 12, 14)},
		{"last", "yesterday", "2026-11-24", flows.MsgTookDate, day(2026, 11, 24)},
		{"last", "昨天晚上", "2026-11-24", flows.MsgTookDate, day(2026, 11, 24)},
		{"last", "前天", "2026-11-23", flows.MsgTookDate, day(2026, 11, 23)},
		{"last", "last Friday", "2026-11-20", flows.MsgTookDate, day(2026, 11, 20)},
		{"last", "上周六", "2026-11-21", flows.MsgTookDate, day(2026, 11, 21)},
		{"last", "3 weeks ago", "2026-11-04", flows.MsgTookDate, day(2026, 11, 4)},
		{"last", "两周前", "2026-11-11", flows.MsgTookDate, day(2026, 11, 11)},
		{"last", "半年前", "2026-05-25", flows.MsgTookDate, day(2026, 5, 25)},
		{"last", "06/07/2026", "", flows.MsgAmbiguousDate, day(2026, 7, 6)},
		{"last", "14/11/2026", "2026-11-14", flows.MsgTookDate, day(2026, 11, 14)},
		{"last", "03/04/2026", "", flows.MsgAmbiguousDate, day(2026, 4, 3)},
		{"last", "12/01/2026", "2026-01-12", flows.MsgTookDate, day(2026, 1, 12)}, // 1 Dec is still to come: only 12 Jan can be meant
		{"last", "2026-12-01", "", flows.MsgFutureDate, nil},
		{"last", "soon", "", flows.MsgInvalidDate, flows.Label("mini.unknown")},
		{"what", "1 2", "false abuse", "", nil},
		{"what", "1,2", "false abuse", "", nil},
		{"what", "1，2", "false abuse", "", nil},
		{"what", "1、2", "false abuse", "", nil},
		{"what", "1 and 2", "false abuse", "", nil},
		{"what", "1和2", "false abuse", "", nil},
		{"what", "1 & 2", "false abuse", "", nil},
		{"what", "1 and 3", "", flows.MsgInvalidExclusive, nil}, // "none of these" cannot be combined
	} {
		st, _ := flows.Step(f, flows.State{}, flows.Input{Kind: flows.InStart, Now: wed})
		for _, in := range to[c.node] {
			st, _ = flows.Step(f, st, flows.Input{Kind: flows.InText, Text: in, Now: wed})
		}
		if st.Node != c.node {
			t.Fatalf("at %q, want %q", st.Node, c.node)
		}
		st2, r := flows.Step(f, st, flows.Input{Kind: flows.InText, Text: c.in, Now: wed})
		got := ""
		if a, ok := st2.Answers[c.node]; ok {
			switch {
			case a.Unknown:
				got = "unknown"
			case a.Number != nil:
				got = fmt.Sprint(*a.Number)
			case a.Date != "":
				got = a.Date
			default:
				got = strings.Join(a.Choices, " ")
			}
		}
		if got != c.want {
			t.Errorf("%s: %q recorded %q, want %q (%v)", c.node, c.in, got, c.want, ids(r))
		}
		var notice *flows.Message
		for i, m := range r.Messages {
			if m.Kind == flows.KindNotice {
				notice = &r.Messages[i]
				break
			}
		}
		switch {
		case c.notice == "" && notice != nil:
			t.Errorf("%s: %q said %s, want nothing", c.node, c.in, notice.ID)
		case c.notice != "" && (notice == nil || notice.ID != c.notice):
			t.Errorf("%s: %q said %v, want %s", c.node, c.in, ids(r), c.notice)
		case c.notice != "" && c.param != nil:
			var p any
			for _, k := range []string{"n", "date", "a", "unknown"} {
				if v, ok := notice.Params[k]; ok {
					p = v
					break
				}
			}
			if tm, ok := c.param.(time.Time); ok {
				if pt, _ := p.(time.Time); !pt.Equal(tm) {
					t.Errorf("%s: %q: %s params %v, want %v", c.node, c.in, c.notice, notice.Params, c.param)
				}
			} else if p != c.param {
				t.Errorf("%s: %q: %s params %v, want %v", c.node, c.in, c.notice, notice.Params, c.param)
			}
		case c.notice != "" && c.param == nil:
			if _, ok := notice.Params["unknown"]; ok {
				t.Errorf("%s: %q: %s names an \"I don't know\" the question does not offer: %v", c.node, c.in, c.notice, notice.Params)
			}
		}
	}
}

func day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, flows.China) }

// TestDontKnowTypedAsWords: where the question offers "I don't know",
// these are it; where it does not, they are not an answer.
func TestDontKnowTypedAsWords(t *testing.T) {
	f := loadMini(t)
	words := []string{"不知道", "不清楚", "不确定", "我也不太清楚", "don't know", "I don’t know", "not sure", "idk", "IDK", "?", "？", "No idea",
		"唔知", "我唔知", "唔知道呀", "真係唔清楚", "唔記得喇", "唔肯定"} // Cantonese, in Traditional characters
	for _, w := range words {
		for node, path := range map[string][]string{"views": {"2", "1"}, "last": {"2", "1", "10", "10"}} {
			st, _ := run(t, f, path...)
			st, r := flows.Step(f, st, flows.Input{Kind: flows.InText, Text: w, Now: now})
			if a, ok := st.Answers[node]; !ok || !a.Unknown {
				t.Errorf("%s: %q = %v, want \"I don't know\"", node, w, ids(r))
			}
		}
		st, _ := run(t, f, "2", "1")
		st, _ = flows.Step(f, st, flows.Input{Kind: flows.InText, Text: "100", Now: now})
		if st.Node != "reposts" {
			t.Fatalf("at %s", st.Node)
		}
		if st2, _ := flows.Step(f, st, flows.Input{Kind: flows.InText, Text: w, Now: now}); st2.Node != "reposts" {
			t.Errorf("reposts offers no \"I don't know\", yet %q answered it", w)
		}
	}
	// A number in the sentence wins over the doubt.
	st, _ := run(t, f, "2", "1")
	st, _ = flows.Step(f, st, flows.Input{Kind: flows.InText, Text: "not sure, about 5000", Now: now})
	if a := st.Answers["views"]; a.Unknown {
		t.Errorf("\"not sure, about 5000\" = %+v", a)
	}
}

// TestReadPeriod: when it happened, typed in one line: one day, two days,
// or a start that is still going on, in English and Chinese.
func TestReadPeriod(t *testing.T) {
	now := time.Date(2026, 11, 25, 22, 30, 0, 0, flows.China) // a Wednesday
	day := func(y, m, d int) string {
		return time.Date(y, time.Month(m), d, 0, 0, 0, 0, flows.China).Format(time.DateOnly)
	}
	for _, c := range []struct {
		in, from, to    string
		single, ongoing bool
	}{
		{"2026-11-14", day(2026, 11, 14), day(2026, 11, 14), true, false},
		{"2026-09-05 to 2026-11-14", day(2026, 9, 5), day(2026, 11, 14), false, false},
		{"2026-09-05 - 2026-11-14", day(2026, 9, 5), day(2026, 11, 14), false, false},
		{"2026-09-05-2026-11-14", day(2026, 9, 5), day(2026, 11, 14), false, false},
		{"2026-09-05~2026-11-14", day(2026, 9, 5), day(2026, 11, 14), false, false},
		{"from June to August", day(2026, 6, 1), day(2026, 8, 1), false, false},
		{"between 3 Sept 2026 and 10 Oct 2026", day(2026, 9, 3), day(2026, 10, 10), false, false},
		{"early September until November 14", day(2026, 9, 5), day(2026, 11, 14), false, false},
		{"9月初到11月14日", day(2026, 9, 1), day(2026, 11, 14), false, false},
		{"2026年9月5日至2026年11月14日", day(2026, 9, 5), day(2026, 11, 14), false, false},
		{"11月2日到14日", day(2026, 11, 2), day(2026, 11, 14), false, false},
		{"从10月30日到11月20日", day(2026, 10, 30), day(2026, 11, 20), false, false},
		{"since early September", day(2026, 9, 5), day(2026, 11, 25), false, true},
		{"since 2026-09-05", day(2026, 9, 5), day(2026, 11, 25), false, true},
		{"2026-09-05 until now", day(2026, 9, 5), day(2026, 11, 25), false, true},
		{"September, still going on", day(2026, 9, 1), day(2026, 11, 25), false, true},
		{"2026-09-05 至今", day(2026, 9, 5), day(2026, 11, 25), false, true},
		{"从9月开始", day(2026, 9, 1), day(2026, 11, 25), false, true},
		{"上个月开始，现在还在继续", day(2026, 10, 1), day(2026, 11, 25), false, true},
		{"三周前到现在", day(2026, 11, 4), day(2026, 11, 25), false, true},
		// a range still going on: the latest day known is kept
		{"2026-09-05 to 2026-11-14, still going on", day(2026, 9, 5), day(2026, 11, 14), false, true},
		{"2 Nov 2026 to Nov 14 and it's still going on", day(2026, 11, 2), day(2026, 11, 14), false, true},
		{"9月初到11月14日，现在还在继续", day(2026, 9, 1), day(2026, 11, 14), false, true},
		{"2026年11月2日 到 11月14日，还在继续", day(2026, 11, 2), day(2026, 11, 14), false, true},
		// several words for "still going on", one after another
		{"9月初开始，到现在还在发", day(2026, 9, 1), day(2026, 11, 25), false, true},
		{"从上个月开始一直在发", day(2026, 10, 1), day(2026, 11, 25), false, true},
		{"since September and it's still happening", day(2026, 9, 1), day(2026, 11, 25), false, true},
		{"2026-09-05 to 2026-11-14, still ongoing", day(2026, 9, 5), day(2026, 11, 14), false, true},
		{"九月初开始的，现在还在", day(2026, 9, 1), day(2026, 11, 25), false, true},
		{"九月份开始", day(2026, 9, 1), day(2026, 11, 25), false, true},
		{"started about 3 weeks ago, still going", day(2026, 11, 4), day(2026, 11, 25), false, true},
		{"it started in September and is still going on", day(2026, 9, 1), day(2026, 11, 25), false, true},
		{"from September till today", day(2026, 9, 1), day(2026, 11, 25), false, true},
		// Traditional characters and Cantonese
		{"上個月開始，還在繼續", day(2026, 10, 1), day(2026, 11, 25), false, true},
		{"上個月開始，現在仲有", day(2026, 10, 1), day(2026, 11, 25), false, true},
		{"last month", day(2026, 10, 1), day(2026, 10, 1), true, false},
	} {
		got, ok := flows.ReadPeriod(c.in, now)
		if !ok || got.From.Day.Format(time.DateOnly) != c.from || got.To.Day.Format(time.DateOnly) != c.to || got.Single != c.single || got.Ongoing != c.ongoing {
			t.Errorf("ReadPeriod(%q) = %s..%s single=%v ongoing=%v, %v; want %s..%s single=%v ongoing=%v",
				c.in, got.From.Day.Format(time.DateOnly), got.To.Day.Format(time.DateOnly), got.Single, got.Ongoing, ok, c.from, c.to, c.single, c.ongoing)
		}
	}
	for _, in := range []string{"", "soon", "since", "to 2026-11-14 to", "until now", "a while", "2026-02-30 to 2026-03-01"} {
		if got, ok := flows.ReadPeriod(in, now); ok {
			t.Errorf("ReadPeriod(%q) = %+v, want no period", in, got)
		}
	}
}
