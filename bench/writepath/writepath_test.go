// Package writepath measures the SQLite write path of one update through
// the data package's public API — the ceiling of a single writer, whatever
// the transport does (docs/PERFORMANCE.md):
//
//	go test -run '^$' -bench . -benchtime 3000x ./bench/writepath
package writepath

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/redress-legal/redress/data"
	"github.com/redress-legal/redress/flows"
)

// BenchmarkUpdate is one button press as `redress serve` stores it: a
// commit (update ID, session compare-and-swap, three outbox rows: answer
// the callback, edit the question, send the next one), then the three
// deliveries recorded one by one.
func BenchmarkUpdate(b *testing.B) {
	ctx := context.Background()
	db, err := data.Open(ctx, filepath.Join(b.TempDir(), "w.db"), data.WithKey(make([]byte, 32)))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	st := flows.State{Flow: "bench", Version: 1, Node: "q3_public", Lang: "en",
		Answers: map[string]flows.Answer{"q1_what": {Choice: "lies"}, "q2_where": {Choice: "weibo"}}, History: []string{"q1_what", "q2_where"}}
	payload := []byte(`{"text":"Question 3 of 6. Can anyone see the posts?","html":true,"keyboard":{"inline_keyboard":[[{"text":"Yes","callback_data":"v1:q3_public:yes"}],[{"text":"No","callback_data":"v1:q3_public:no"}]]}}`)
	revs := map[int64]int64{}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		chat := int64(i % 100)
		out := []flows.Outgoing{{Method: "answerCallbackQuery", Payload: payload}, {Method: "editMessageText", Payload: payload}, {Method: "sendMessage", Payload: payload}}
		s := flows.Session{Key: "tg:" + strconv.FormatInt(chat, 10), State: st, Rev: revs[chat]}
		if err := db.Commit(ctx, flows.Commit{UpdateID: int64(i + 1), Chat: chat, Session: s, Outbox: out}); err != nil {
			b.Fatal(err)
		}
		revs[chat]++
		for k, o := range out {
			if o.ID == 0 {
				b.Fatal("Commit did not set the outbox row IDs")
			}
			msgID := int64(0)
			if k == 2 {
				msgID = int64(i + 1)
			}
			if err := db.Delivered(ctx, chat, flows.Delivery{Row: o.ID, MessageID: msgID}); err != nil {
				b.Fatal(err)
			}
		}
	}
}
