package flows_test

import (
	"slices"
	"testing"

	"github.com/redress-legal/redress/commands"
	"github.com/redress-legal/redress/flows"
)

// TestNoticeCountReferBackOnlyToACountGiven: the views at the time of the
// platform report are asked as "the item you counted earlier" only when a
// count was given at q4_views; after "I don't know" there the question
// must not refer back to a number the person never gave.
func TestNoticeCountReferBackOnlyToACountGiven(t *testing.T) {
	f := loadDefault(t)
	for views, want := range map[string]string{"9000": "q.q6_notice_then.ask", "?": "q.q6_notice_then.ask_fresh"} {
		sc := readScript(t, "testdata/scenarios/notified.txt")
		st, r := flows.Step(f, flows.State{}, flows.Input{Kind: flows.InStart, Now: sc.now})
		var asked []string
		for i := 0; i < len(sc.inputs) && !st.Done; {
			in, node := sc.inputs[i], ""
			if r.Question != nil {
				node = r.Question.Node
			}
			switch {
			case node == "q4_views":
				in, i = views, i+1
			case slices.Contains([]string{"q4_reposts", "q4_total_views", "q6_notice_now"}, node):
				in = "?" // asked only without a view count: not in the script
			default:
				i++
			}
			st, r = flows.Step(f, st, commands.Input(in, sc.now))
			if r.Question != nil && r.Question.Node == "q6_notice_then" {
				for _, m := range r.Messages {
					if m.Kind == flows.KindQuestion {
						asked = append(asked, m.ID)
					}
				}
			}
		}
		if !slices.Contains(asked, want) || len(asked) != 1 {
			t.Errorf("q4_views answered %q: q6_notice_then asked as %v, want [%s]", views, asked, want)
		}
	}
}
