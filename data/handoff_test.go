package data_test

import (
	"bytes"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/redress-legal/redress/data"
	"github.com/redress-legal/redress/flows"
)

// TestHandoffCaseLifecycle: a case created with the update that asked for
// it, its card's message ID learnt from the delivery, claimed, and erased
// with the person by /delete — the person's chat ID is never in the file
// in clear, the counts stay.
func TestHandoffCaseLifecycle(t *testing.T) {
	ctx := t.Context()
	db, path := openTemp(t)
	const person, group = int64(987654321987), int64(-100555)
	card := flows.Outgoing{Chat: group, Method: "sendMessage", Payload: []byte("card"), Case: "K7Q2MX"}
	c := flows.Commit{UpdateID: 1, Chat: person, Session: flows.Session{Key: "tg:987654321987"},
		Outbox: []flows.Outgoing{{Method: "sendMessage", Payload: []byte("sent")}},
		Relay:  []flows.Outgoing{card},
		Case:   &flows.CaseChange{Op: flows.CaseCreate, Case: flows.Case{ID: "K7Q2MX", Chat: person, Lang: "zh-Hans"}},
		Counts: []flows.Count{{Kind: "handoff", Value: "requested"}}}
	if err := db.Commit(ctx, c); err != nil {
		t.Fatal(err)
	}
	got, err := db.Case(ctx, "K7Q2MX")
	if err != nil || got.Chat != person || got.Lang != "zh-Hans" || got.Status != flows.CaseOpen {
		t.Fatalf("case = %+v, %v", got, err)
	}
	rows, err := db.PendingFor(ctx, group, 0, 0)
	if err != nil || len(rows) != 1 || string(rows[0].Payload) != "card" {
		t.Fatalf("the card is not pending for the group: %v, %v", rows, err)
	}
	if msgs, _ := db.CaseMessages(ctx, "K7Q2MX"); len(msgs) != 0 {
		t.Errorf("a message ID before delivery: %v", msgs)
	}
	if err := db.Delivered(ctx, group, flows.Delivery{Row: rows[0].ID, MessageID: 41}); err != nil {
		t.Fatal(err)
	}
	if msgs, err := db.CaseMessages(ctx, "K7Q2MX"); err != nil || len(msgs) != 1 || msgs[0] != 41 {
		t.Fatalf("case messages = %v, %v; want [41]", msgs, err)
	}
	got.Status, got.Volunteer, got.VolunteerID = flows.CaseClaimed, "Ana", 5150
	if err := db.Commit(ctx, flows.Commit{UpdateID: 2, Chat: group, Case: &flows.CaseChange{Op: flows.CaseUpdate, Case: got},
		Counts: []flows.Count{{Kind: "handoff", Value: "claimed"}}}); err != nil {
		t.Fatal(err)
	}
	if got, err := db.Case(ctx, "K7Q2MX"); err != nil || got.Status != flows.CaseClaimed || got.Volunteer != "Ana" || got.VolunteerID != 5150 {
		t.Fatalf("claimed case = %+v, %v", got, err)
	}
	if ids, err := db.CasesOf(ctx, person); err != nil || len(ids) != 1 || ids[0] != "K7Q2MX" {
		t.Fatalf("cases of the person = %v, %v", ids, err)
	}

	// /delete: the case and its messages' record go; the counts stay.
	if err := db.Commit(ctx, flows.Commit{UpdateID: 3, Chat: person, Delete: true, Session: flows.Session{Key: "tg:987654321987"},
		Relay: []flows.Outgoing{{Chat: group, Method: "editMessageText", Payload: []byte("erased")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Case(ctx, "K7Q2MX"); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("case after /delete: %v", err)
	}
	if msgs, _ := db.CaseMessages(ctx, "K7Q2MX"); len(msgs) != 0 {
		t.Errorf("case messages after /delete: %v", msgs)
	}
	if rows, _ := db.PendingFor(ctx, group, 0, 0); len(rows) != 1 || rows[0].Method != "editMessageText" {
		t.Errorf("the group's edit is not pending after /delete: %v", rows)
	}
	stats, err := db.Stats(ctx, time.Now().AddDate(0, 0, -7))
	if err != nil || len(stats) != 2 {
		t.Fatalf("stats after /delete = %v, %v; want the two counters", stats, err)
	}
	for _, r := range stats {
		if r.Kind != "handoff" || r.N != 1 || r.Week != flows.Week(time.Now()) {
			t.Errorf("counter %+v", r)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"987654321987", "K7Q2MX", "Ana"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("the database file holds %q", secret)
		}
	}
}

// TestCountsAddUpPerWeekAndOutliveRetention: counters of one week add up,
// another week has its own, and retention, which erases idle sessions and
// old cases, keeps them.
func TestCountsAddUpPerWeekAndOutliveRetention(t *testing.T) {
	ctx := t.Context()
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, flows.China)
	clock := now
	db, _ := openTemp(t, data.WithClock(func() time.Time { return clock }))
	commit := func(id int64, cs ...flows.Count) {
		t.Helper()
		if err := db.Commit(ctx, flows.Commit{UpdateID: id, Chat: id, Session: flows.Session{Key: "tg:" + string(rune('a'+id))}, Counts: cs,
			Case: &flows.CaseChange{Op: flows.CaseCreate, Case: flows.Case{ID: "CASE0" + string(rune('A'+id)), Chat: id}}}); err != nil {
			t.Fatal(err)
		}
	}
	commit(1, flows.Count{Kind: "started", Value: "en"})
	commit(2, flows.Count{Kind: "started", Value: "en"}, flows.Count{Kind: "started", Value: "zh-Hans"})
	clock = now.AddDate(0, 0, 7)
	commit(3, flows.Count{Kind: "started", Value: "en"})
	trimmed, err := db.Trim(ctx, clock.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if trimmed.Sessions != 3 || trimmed.Cases != 3 {
		t.Errorf("trimmed %+v; want the 3 sessions and 3 cases", trimmed)
	}
	rows, err := db.Stats(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	want := []flows.StatsRow{
		{Week: "2026-W48", Kind: "started", Value: "en", N: 2},
		{Week: "2026-W48", Kind: "started", Value: "zh-Hans", N: 1},
		{Week: "2026-W49", Kind: "started", Value: "en", N: 1},
	}
	if len(rows) != len(want) {
		t.Fatalf("stats = %+v, want %+v", rows, want)
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, rows[i], want[i])
		}
	}
	if rows, _ := db.Stats(ctx, clock); len(rows) != 1 {
		t.Errorf("stats since the second week = %+v, want its one counter", rows)
	}
}

// TestCaseMessageDeliveredAfterRestart: a card still in the outbox when
// the process stopped has its message ID remembered when it is delivered
// after the restart, so /delete can still edit it.
func TestCaseMessageDeliveredAfterRestart(t *testing.T) {
	ctx := t.Context()
	path := t.TempDir() + "/r.db"
	db, err := data.Open(ctx, path, data.WithKey(testKey))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Commit(ctx, flows.Commit{UpdateID: 1, Chat: 7,
		Case:  &flows.CaseChange{Op: flows.CaseCreate, Case: flows.Case{ID: "ABCDEF", Chat: 7}},
		Relay: []flows.Outgoing{{Chat: -100, Method: "sendMessage", Payload: []byte("card"), Case: "ABCDEF"}, {Chat: -100, Method: "sendMessage", Payload: []byte("other")}}}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = data.Open(ctx, path, data.WithKey(testKey))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.PendingFor(ctx, -100, 0, 0)
	if err != nil || len(rows) != 2 {
		t.Fatalf("pending = %v, %v", rows, err)
	}
	if err := db.Delivered(ctx, -100, flows.Delivery{Row: rows[0].ID, MessageID: 77}, flows.Delivery{Row: rows[1].ID, MessageID: 78}); err != nil {
		t.Fatal(err)
	}
	if msgs, err := db.CaseMessages(ctx, "ABCDEF"); err != nil || len(msgs) != 1 || msgs[0] != 77 {
		t.Errorf("case messages = %v, %v; want [77] (the other message is no case's)", msgs, err)
	}
}
