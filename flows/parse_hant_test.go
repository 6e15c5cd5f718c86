package flows_test

import (
	"testing"
	"time"

	"github.com/redress-legal/redress/flows"
)

// Numbers, dates and "I don't know" typed in Traditional characters read
// as in Simplified: the zh-Hant catalog's own examples (1.2萬) work.
func TestReadTraditional(t *testing.T) {
	for in, want := range map[string]int64{"1.2萬": 12000, "大約一萬兩千": 12000, "兩萬": 20000, "一億": 100000000, "三千多個": 3000, "約8000次瀏覽": 8000} {
		got, ok := flows.ReadNumber(in)
		if !ok || int64(got.Value) != want {
			t.Errorf("ReadNumber(%q) = %+v, %v; want %d", in, got, ok, want)
		}
	}
	now := time.Date(2026, 11, 25, 22, 30, 0, 0, flows.China) // a Wednesday
	for in, want := range map[string]string{"上週六": "2026-11-21", "兩週前": "2026-11-11", "2026年11月14號": "2026-11-14", "三個月前": "2026-08-25"} {
		got, ok := flows.ReadDate(in, now)
		if !ok || got.Day.Format(time.DateOnly) != want {
			t.Errorf("ReadDate(%q) = %v, %v; want %s", in, got.Day.Format(time.DateOnly), ok, want)
		}
	}
	f := loadMini(t)
	for _, w := range []string{"不確定", "記不清了", "說不清"} {
		st, _ := run(t, f, "2", "1")
		st, r := flows.Step(f, st, flows.Input{Kind: flows.InText, Text: w, Now: now})
		if a, ok := st.Answers["views"]; !ok || !a.Unknown {
			t.Errorf("%q = %v, want \"I don't know\"", w, ids(r))
		}
	}
}
