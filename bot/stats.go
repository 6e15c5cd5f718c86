package bot

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redress-legal/redress/commands"
	"github.com/redress-legal/redress/flows"
)

// cmdStats is /stats: the operator's statistics, for Config.AdminIDs only
// (anyone else gets the unknown-command answer).
const cmdStats commands.Name = "stats"

// StatsWeeks is how many weeks /stats shows, this one included.
const StatsWeeks = 8

// stats answers an admin's /stats: counts only, per week, newest first.
func (b *Bot) stats(ctx context.Context, lang string, now time.Time) (decision, error) {
	d := decision{event: "stats"}
	if b.cfg.Stats == nil {
		b.notice(&d.out, lang, MsgStatsNone, nil, nil)
		return d, nil
	}
	rows, err := b.cfg.Stats.Stats(ctx, now.AddDate(0, 0, -7*(StatsWeeks-1)))
	if err != nil {
		return d, fmt.Errorf("stats: %w", err)
	}
	ps := []para{{text: b.text(lang, MsgStatsTitle, map[string]any{"weeks": int64(StatsWeeks)}), bold: true}}
	if len(rows) == 0 {
		ps = append(ps, para{text: b.text(lang, MsgStatsNone, nil)})
	}
	for _, w := range StatsByWeek(rows) {
		ps = append(ps, para{text: b.text(lang, MsgStatsWeek, map[string]any{"week": w.Week, "started": w.Total(commands.CountStarted), "completed": w.Total(commands.CountCompleted)}), bold: true})
		h := w.Values[commands.CountHandoff]
		ps = append(ps, para{text: b.text(lang, MsgStatsHandoffs, map[string]any{"requested": h[commands.HandoffRequested], "claimed": h[commands.HandoffClaimed], "closed": h[commands.HandoffClosed]})})
		for _, k := range []struct{ kind, msg string }{
			{commands.CountStarted, MsgStatsLangs}, {commands.CountCompleted, MsgStatsOutcomes}, {commands.CountFinding, MsgStatsFindings},
		} {
			if list := w.List(k.kind); list != "" {
				ps = append(ps, para{text: b.text(lang, k.msg, map[string]any{"list": list})})
			}
		}
	}
	ps = append(ps, para{text: b.text(lang, MsgStatsNoPrivacy, nil), style: "i"})
	d.out.send(pack(ps, MaxMessageLen), nil)
	return d, nil
}

// WeekStats are the counters of one week, by kind and value.
type WeekStats struct {
	Week   string
	Values map[string]map[string]int64
}

// Total is the sum of the counters of kind.
func (w WeekStats) Total(kind string) int64 {
	var n int64
	for _, v := range w.Values[kind] {
		n += v
	}
	return n
}

// List is the counters of kind as "value n, value n", largest first.
func (w WeekStats) List(kind string) string {
	type kv struct {
		v string
		n int64
	}
	var l []kv
	for v, n := range w.Values[kind] {
		l = append(l, kv{v, n})
	}
	sort.Slice(l, func(i, j int) bool { return l[i].n > l[j].n || l[i].n == l[j].n && l[i].v < l[j].v })
	parts := make([]string, len(l))
	for i, x := range l {
		parts[i] = x.v + " " + strconv.FormatInt(x.n, 10)
	}
	return strings.Join(parts, ", ")
}

// StatsByWeek groups counters by week, newest first.
func StatsByWeek(rows []flows.StatsRow) []WeekStats {
	var out []WeekStats
	idx := map[string]int{}
	for _, r := range rows {
		i, ok := idx[r.Week]
		if !ok {
			i = len(out)
			idx[r.Week] = i
			out = append(out, WeekStats{Week: r.Week, Values: map[string]map[string]int64{}})
		}
		if out[i].Values[r.Kind] == nil {
			out[i].Values[r.Kind] = map[string]int64{}
		}
		out[i].Values[r.Kind][r.Value] += r.N
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Week > out[j].Week })
	return out
}
