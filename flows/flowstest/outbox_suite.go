package flowstest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/redress-legal/redress/flows"
)

func mustCommit(t *testing.T, st OutboxStore, c flows.Commit) {
	t.Helper()
	if err := st.Commit(ctxT(t), c); err != nil {
		t.Fatalf("Commit(update %d): %v", c.UpdateID, err)
	}
}

func mustPending(t *testing.T, st OutboxStore, limit int) []flows.Outgoing {
	t.Helper()
	rows, err := st.Pending(ctxT(t), limit)
	if err != nil {
		t.Fatalf("Pending(%d): %v", limit, err)
	}
	for i := 1; i < len(rows); i++ {
		if rows[i].ID <= rows[i-1].ID {
			t.Fatalf("Pending: IDs not increasing: %d after %d", rows[i].ID, rows[i-1].ID)
		}
	}
	return rows
}

func mustLast(t *testing.T, st OutboxStore) int64 {
	t.Helper()
	id, err := st.LastUpdateID(ctxT(t))
	if err != nil {
		t.Fatalf("LastUpdateID: %v", err)
	}
	return id
}

func mustSent(t *testing.T, st OutboxStore, chat int64, since time.Time) []int64 {
	t.Helper()
	ids, err := st.RecentSent(ctxT(t), chat, since)
	if err != nil {
		t.Fatalf("RecentSent(%d): %v", chat, err)
	}
	return ids
}

func mustPendingChats(t *testing.T, st OutboxStore) []int64 {
	t.Helper()
	chats, err := st.PendingChats(ctxT(t))
	if err != nil {
		t.Fatalf("PendingChats: %v", err)
	}
	return chats
}

func mustPendingFor(t *testing.T, st OutboxStore, chat, after int64, limit int) []flows.Outgoing {
	t.Helper()
	rows, err := st.PendingFor(ctxT(t), chat, after, limit)
	if err != nil {
		t.Fatalf("PendingFor(%d, %d, %d): %v", chat, after, limit, err)
	}
	return rows
}

func mustDelivered(t *testing.T, st OutboxStore, id, chat, messageID int64) {
	t.Helper()
	if err := st.Delivered(ctxT(t), chat, flows.Delivery{Row: id, MessageID: messageID}); err != nil {
		t.Fatalf("Delivered(%d, %d, %d): %v", id, chat, messageID, err)
	}
}

// msg is an outbox row whose payload names it, for readable comparisons.
func msg(text string) flows.Outgoing {
	return flows.Outgoing{Method: "sendMessage", Payload: []byte(`{"text":"` + text + `"}`)}
}

// rowKey describes a pending row without its ID.
type rowKey struct {
	Chat    int64
	Method  string
	Payload string
}

func keysOf(rows []flows.Outgoing) []rowKey {
	out := make([]rowKey, len(rows))
	for i, r := range rows {
		out[i] = rowKey{r.Chat, r.Method, string(r.Payload)}
	}
	return out
}

func wantRows(t *testing.T, got []flows.Outgoing, want ...rowKey) {
	t.Helper()
	if g := keysOf(got); !slices.Equal(g, want) {
		t.Fatalf("pending rows:\n got %v\nwant %v", g, want)
	}
}

func row(chat int64, text string) rowKey {
	m := msg(text)
	return rowKey{chat, m.Method, string(m.Payload)}
}

// tgSession is the session a Telegram chat would use.
func tgSession(chat, rev int64, node string) flows.Session {
	return flows.Session{Key: fmt.Sprintf("tg:%d", chat), Rev: rev, State: flows.State{Flow: "f", Node: node}}
}

// RunOutboxSuite checks that the OutboxStore returned by open behaves as
// the contract says (flows.Commit and the methods of OutboxStore). open is
// called once per subtest and must return an empty store that stamps times
// with the real clock.
func RunOutboxSuite(t *testing.T, open func(t *testing.T) OutboxStore) {
	t.Run("Empty", func(t *testing.T) {
		st := open(t)
		if id := mustLast(t, st); id != 0 {
			t.Fatalf("LastUpdateID of an empty store = %d", id)
		}
		if rows := mustPending(t, st, 10); len(rows) != 0 {
			t.Fatalf("Pending of an empty store = %v", rows)
		}
		if ids := mustSent(t, st, 1, time.Time{}); len(ids) != 0 {
			t.Fatalf("RecentSent of an empty store = %v", ids)
		}
		wantMissing(t, st, "tg:1")
	})

	t.Run("Commit", func(t *testing.T) {
		st := open(t)
		s := tgSession(1, 0, "q1")
		s.State = SampleState("commit")
		mustCommit(t, st, flows.Commit{UpdateID: 100, Session: s, Chat: 1, Outbox: []flows.Outgoing{msg("a"), msg("b")}})
		got := mustGet(t, st, "tg:1")
		if got.Rev != 1 {
			t.Fatalf("rev after first commit = %d, want 1", got.Rev)
		}
		s.Rev = 1
		sameSession(t, got, flows.Session{Key: s.Key, Rev: 1, Updated: got.Updated, State: s.State})
		rows := mustPending(t, st, 0)
		wantRows(t, rows, row(1, "a"), row(1, "b"))
		if rows[0].ID <= 0 {
			t.Fatalf("first outbox ID = %d, want > 0", rows[0].ID)
		}
		if id := mustLast(t, st); id != 100 {
			t.Fatalf("LastUpdateID = %d, want 100", id)
		}
		mustCommit(t, st, flows.Commit{UpdateID: 101, Session: tgSession(1, 1, "q2"), Chat: 1, Outbox: []flows.Outgoing{msg("c")}})
		if got := mustGet(t, st, "tg:1"); got.Rev != 2 || got.State.Node != "q2" {
			t.Fatalf("after second commit: rev %d node %q, want rev 2 node q2", got.Rev, got.State.Node)
		}
		wantRows(t, mustPending(t, st, 0), row(1, "a"), row(1, "b"), row(1, "c"))
	})

	t.Run("CommitStampsUpdated", func(t *testing.T) {
		st := open(t)
		before := time.Now()
		s := tgSession(1, 0, "q1")
		s.Updated = time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
		mustCommit(t, st, flows.Commit{UpdateID: 1, Session: s, Chat: 1})
		got := mustGet(t, st, "tg:1")
		if got.Updated.Before(before.Add(-time.Second)) || got.Updated.After(time.Now().Add(time.Second)) {
			t.Fatalf("Commit stamped Updated %v, want about %v", got.Updated, before)
		}
	})

	t.Run("Duplicate", func(t *testing.T) {
		st := open(t)
		mustCommit(t, st, flows.Commit{UpdateID: 7, Session: tgSession(1, 0, "q1"), Chat: 1, Outbox: []flows.Outgoing{msg("a")}})
		before := mustGet(t, st, "tg:1")
		rows := mustPending(t, st, 0)
		// Same update again, with a revision that would otherwise succeed.
		err := st.Commit(ctxT(t), flows.Commit{UpdateID: 7, Session: tgSession(1, 1, "q2"), Chat: 1, Outbox: []flows.Outgoing{msg("again")}})
		if !errors.Is(err, flows.ErrDuplicate) {
			t.Fatalf("re-committing update 7: error %v, want ErrDuplicate", err)
		}
		// With a stale revision too: the duplicate is reported, not the conflict.
		err = st.Commit(ctxT(t), flows.Commit{UpdateID: 7, Session: tgSession(1, 0, "q2"), Chat: 1})
		if !errors.Is(err, flows.ErrDuplicate) {
			t.Fatalf("re-committing update 7 with a stale rev: error %v, want ErrDuplicate", err)
		}
		// A duplicate delete changes nothing either.
		err = st.Commit(ctxT(t), flows.Commit{UpdateID: 7, Delete: true, Session: tgSession(1, 0, ""), Chat: 1})
		if !errors.Is(err, flows.ErrDuplicate) {
			t.Fatalf("re-committing update 7 as a delete: error %v, want ErrDuplicate", err)
		}
		sameSession(t, mustGet(t, st, "tg:1"), before)
		if got := mustPending(t, st, 0); !slices.EqualFunc(got, rows, sameRow) {
			t.Fatalf("outbox changed by a duplicate: %v, was %v", got, rows)
		}
		if id := mustLast(t, st); id != 7 {
			t.Fatalf("LastUpdateID = %d, want 7", id)
		}
	})

	t.Run("ConflictAllOrNothing", func(t *testing.T) {
		st := open(t)
		mustCommit(t, st, flows.Commit{UpdateID: 1, Session: tgSession(1, 0, "q1"), Chat: 1, Outbox: []flows.Outgoing{msg("a")}})
		mustCommit(t, st, flows.Commit{UpdateID: 2, Session: tgSession(1, 1, "q2"), Chat: 1})
		before := mustGet(t, st, "tg:1")

		for _, rev := range []int64{0, 1, 5} {
			err := st.Commit(ctxT(t), flows.Commit{UpdateID: 3, Session: tgSession(1, rev, "lost"), Chat: 1, Outbox: []flows.Outgoing{msg("lost")}})
			if !errors.Is(err, flows.ErrConflict) {
				t.Fatalf("commit with rev %d (stored 2): error %v, want ErrConflict", rev, err)
			}
		}
		sameSession(t, mustGet(t, st, "tg:1"), before)
		wantRows(t, mustPending(t, st, 0), row(1, "a"))
		if id := mustLast(t, st); id != 2 {
			t.Fatalf("LastUpdateID after conflicts = %d, want 2 (update 3 must not be recorded)", id)
		}
		// The update was not recorded: retrying it on the fresh revision works.
		mustCommit(t, st, flows.Commit{UpdateID: 3, Session: tgSession(1, 2, "q3"), Chat: 1, Outbox: []flows.Outgoing{msg("b")}})
		wantRows(t, mustPending(t, st, 0), row(1, "a"), row(1, "b"))
		if id := mustLast(t, st); id != 3 {
			t.Fatalf("LastUpdateID = %d, want 3", id)
		}
	})

	t.Run("ConflictMissingSession", func(t *testing.T) {
		st := open(t)
		err := st.Commit(ctxT(t), flows.Commit{UpdateID: 1, Session: tgSession(1, 4, "q"), Chat: 1, Outbox: []flows.Outgoing{msg("x")}})
		if !errors.Is(err, flows.ErrConflict) {
			t.Fatalf("commit rev 4 of a missing session: error %v, want ErrConflict", err)
		}
		wantMissing(t, st, "tg:1")
		wantRows(t, mustPending(t, st, 0))
		if id := mustLast(t, st); id != 0 {
			t.Fatalf("LastUpdateID = %d, want 0", id)
		}
	})

	t.Run("InvalidCommit", func(t *testing.T) {
		st := open(t)
		bad := []flows.Commit{
			{UpdateID: -1, Session: tgSession(1, 0, "q"), Chat: 1},
			{UpdateID: 1, Session: tgSession(1, -1, "q"), Chat: 1},
			{UpdateID: 1, Session: tgSession(1, 0, "q"), Chat: 1, Outbox: []flows.Outgoing{msg("a"), {Chat: 2, Method: "sendMessage"}}},
		}
		for i, c := range bad {
			if err := st.Commit(ctxT(t), c); err == nil {
				t.Fatalf("invalid commit #%d succeeded", i)
			}
		}
		wantMissing(t, st, "tg:1")
		wantRows(t, mustPending(t, st, 0))
		if id := mustLast(t, st); id != 0 {
			t.Fatalf("LastUpdateID = %d, want 0", id)
		}
		// A row that names the commit's own chat is fine.
		mustCommit(t, st, flows.Commit{UpdateID: 1, Session: tgSession(1, 0, "q"), Chat: 1, Outbox: []flows.Outgoing{{Chat: 1, Method: "sendMessage", Payload: msg("a").Payload}}})
		wantRows(t, mustPending(t, st, 0), row(1, "a"))
	})

	t.Run("LastUpdateIDIsMax", func(t *testing.T) {
		st := open(t)
		for i, id := range []int64{10, 5, 12, 11} {
			mustCommit(t, st, flows.Commit{UpdateID: id, Chat: int64(i + 1)})
		}
		if id := mustLast(t, st); id != 12 {
			t.Fatalf("LastUpdateID = %d, want 12", id)
		}
		if err := st.Commit(ctxT(t), flows.Commit{UpdateID: 5, Chat: 9}); !errors.Is(err, flows.ErrDuplicate) {
			t.Fatalf("old update 5 again: error %v, want ErrDuplicate", err)
		}
	})

	t.Run("UpdateIDZeroIsNotRecorded", func(t *testing.T) {
		st := open(t)
		mustCommit(t, st, flows.Commit{Session: flows.Session{Key: "local:a"}, Outbox: []flows.Outgoing{msg("a")}})
		mustCommit(t, st, flows.Commit{Session: flows.Session{Key: "local:a", Rev: 1}, Outbox: []flows.Outgoing{msg("b")}})
		if id := mustLast(t, st); id != 0 {
			t.Fatalf("LastUpdateID = %d, want 0", id)
		}
		if s := mustGet(t, st, "local:a"); s.Rev != 2 {
			t.Fatalf("rev = %d, want 2", s.Rev)
		}
		wantRows(t, mustPending(t, st, 0), row(0, "a"), row(0, "b"))
	})

	t.Run("CommitWithoutSession", func(t *testing.T) {
		st := open(t)
		mustCommit(t, st, flows.Commit{UpdateID: 1, Chat: 5, Outbox: []flows.Outgoing{msg("privacy")}})
		wantMissing(t, st, "")
		wantRows(t, mustPending(t, st, 0), row(5, "privacy"))
		if id := mustLast(t, st); id != 1 {
			t.Fatalf("LastUpdateID = %d, want 1", id)
		}
	})

	t.Run("PayloadRoundTrip", func(t *testing.T) {
		st := open(t)
		big := bytes.Repeat([]byte("0123456789abcdef"), 64<<10/16)
		bin := []byte{0, 1, 2, 0xff, 0xfe, '\n', 0}
		outs := []flows.Outgoing{
			{Method: "sendMessage", Payload: big},
			{Method: "sendDocument", Payload: bin},
			{Method: "deleteMessage", Payload: nil},
			{Method: "", Payload: []byte("{}")},
		}
		mustCommit(t, st, flows.Commit{UpdateID: 1, Chat: -1001234567890, Outbox: outs})
		rows := mustPending(t, st, 0)
		if len(rows) != len(outs) {
			t.Fatalf("Pending returned %d rows, want %d", len(rows), len(outs))
		}
		for i, r := range rows {
			if r.Chat != -1001234567890 || r.Method != outs[i].Method || !bytes.Equal(r.Payload, outs[i].Payload) {
				t.Fatalf("row %d = {chat %d, %q, %d bytes}, want {chat -1001234567890, %q, %d bytes}",
					i, r.Chat, r.Method, len(r.Payload), outs[i].Method, len(outs[i].Payload))
			}
		}
		// The store keeps its own copy: changing the returned slice changes nothing.
		rows[1].Payload[0] = 'X'
		if again := mustPending(t, st, 0); !bytes.Equal(again[1].Payload, bin) {
			t.Fatal("Pending returned the store's own payload buffer")
		}
	})

	t.Run("PendingOrderAcrossChats", func(t *testing.T) {
		st := open(t)
		mustCommit(t, st, flows.Commit{UpdateID: 1, Session: tgSession(1, 0, "q"), Chat: 1, Outbox: []flows.Outgoing{msg("1a"), msg("1b")}})
		mustCommit(t, st, flows.Commit{UpdateID: 2, Session: tgSession(2, 0, "q"), Chat: 2, Outbox: []flows.Outgoing{msg("2a")}})
		mustCommit(t, st, flows.Commit{UpdateID: 3, Session: tgSession(1, 1, "q"), Chat: 1, Outbox: []flows.Outgoing{msg("1c")}})
		mustCommit(t, st, flows.Commit{UpdateID: 4, Session: tgSession(3, 0, "q"), Chat: 3, Outbox: []flows.Outgoing{msg("3a")}})
		all := mustPending(t, st, 0)
		wantRows(t, all, row(1, "1a"), row(1, "1b"), row(2, "2a"), row(1, "1c"), row(3, "3a"))
		wantRows(t, mustPending(t, st, 2), row(1, "1a"), row(1, "1b"))
		wantRows(t, mustPending(t, st, -1), keysOf(all)...)
		wantRows(t, mustPending(t, st, 100), keysOf(all)...)

		// Delivering from the middle keeps the order of the rest.
		mustDelivered(t, st, all[2].ID, 2, 900)
		wantRows(t, mustPending(t, st, 0), row(1, "1a"), row(1, "1b"), row(1, "1c"), row(3, "3a"))
	})

	t.Run("IDsNeverReused", func(t *testing.T) {
		st := open(t)
		mustCommit(t, st, flows.Commit{UpdateID: 1, Chat: 1, Outbox: []flows.Outgoing{msg("a"), msg("b")}})
		rows := mustPending(t, st, 0)
		last := rows[len(rows)-1].ID
		for _, r := range rows {
			mustDelivered(t, st, r.ID, r.Chat, 0)
		}
		if err := st.Inactive(ctxT(t), 1); err != nil {
			t.Fatal(err)
		}
		mustCommit(t, st, flows.Commit{UpdateID: 2, Chat: 1, Outbox: []flows.Outgoing{msg("c")}})
		mustCommit(t, st, flows.Commit{UpdateID: 3, Chat: 1, Delete: true, Outbox: []flows.Outgoing{msg("d")}})
		rows = mustPending(t, st, 0)
		wantRows(t, rows, row(1, "d"))
		if rows[0].ID <= last+1 {
			t.Fatalf("outbox ID %d after IDs up to %d were used: IDs must never be reused", rows[0].ID, last+1)
		}
	})

	t.Run("Delivered", func(t *testing.T) {
		st := open(t)
		mustCommit(t, st, flows.Commit{UpdateID: 1, Chat: 1, Outbox: []flows.Outgoing{msg("a"), msg("b"), msg("c")}})
		mustCommit(t, st, flows.Commit{UpdateID: 2, Chat: 2, Outbox: []flows.Outgoing{msg("x")}})
		rows := mustPending(t, st, 0)

		mustDelivered(t, st, rows[0].ID, 1, 501)
		mustDelivered(t, st, rows[1].ID, 1, 0) // no message ID: nothing to remember
		wantRows(t, mustPending(t, st, 0), row(1, "c"), row(2, "x"))
		if ids := mustSent(t, st, 1, time.Time{}); !slices.Equal(ids, []int64{501}) {
			t.Fatalf("RecentSent(1) = %v, want [501]", ids)
		}

		// Again, or a row that never existed: nothing happens, nothing is recorded.
		mustDelivered(t, st, rows[0].ID, 1, 777)
		mustDelivered(t, st, rows[len(rows)-1].ID+1000, 1, 778)
		if ids := mustSent(t, st, 1, time.Time{}); !slices.Equal(ids, []int64{501}) {
			t.Fatalf("RecentSent(1) after stale deliveries = %v, want [501]", ids)
		}

		// The wrong chat is an error and changes nothing.
		if err := st.Delivered(ctxT(t), 2, flows.Delivery{Row: rows[2].ID, MessageID: 600}); err == nil {
			t.Fatal("Delivered with the wrong chat succeeded")
		}
		wantRows(t, mustPending(t, st, 0), row(1, "c"), row(2, "x"))
		if ids := mustSent(t, st, 2, time.Time{}); len(ids) != 0 {
			t.Fatalf("RecentSent(2) = %v, want none", ids)
		}

		mustDelivered(t, st, rows[2].ID, 1, 503)
		mustDelivered(t, st, rows[3].ID, 2, 601)
		if ids := mustSent(t, st, 1, time.Time{}); !slices.Equal(ids, []int64{501, 503}) {
			t.Fatalf("RecentSent(1) = %v, want [501 503]", ids)
		}
		if ids := mustSent(t, st, 2, time.Time{}); !slices.Equal(ids, []int64{601}) {
			t.Fatalf("RecentSent(2) = %v, want [601]", ids)
		}
		wantRows(t, mustPending(t, st, 0))
	})

	t.Run("DeliveredSeveral", func(t *testing.T) {
		st := open(t)
		mustCommit(t, st, flows.Commit{UpdateID: 1, Chat: 1, Outbox: []flows.Outgoing{msg("a"), msg("b"), msg("c"), msg("d")}})
		mustCommit(t, st, flows.Commit{UpdateID: 2, Chat: 2, Outbox: []flows.Outgoing{msg("x")}})
		rows := mustPending(t, st, 0)
		ctx := ctxT(t)

		// Nothing to record is no call at all.
		if err := st.Delivered(ctx, 1); err != nil {
			t.Fatalf("Delivered with no rows: %v", err)
		}
		// Several rows at once, one of them gone already: the others go.
		mustDelivered(t, st, rows[0].ID, 1, 0)
		if err := st.Delivered(ctx, 1, flows.Delivery{Row: rows[0].ID, MessageID: 700},
			flows.Delivery{Row: rows[1].ID}, flows.Delivery{Row: rows[2].ID, MessageID: 702}); err != nil {
			t.Fatalf("Delivered(three rows): %v", err)
		}
		wantRows(t, mustPending(t, st, 0), row(1, "d"), row(2, "x"))
		if ids := mustSent(t, st, 1, time.Time{}); !slices.Equal(ids, []int64{702}) {
			t.Fatalf("RecentSent(1) = %v, want [702] (a row gone before records nothing)", ids)
		}

		// All or nothing: a row of another chat among them changes nothing.
		if err := st.Delivered(ctx, 1, flows.Delivery{Row: rows[3].ID, MessageID: 703},
			flows.Delivery{Row: rows[4].ID, MessageID: 704}); !errors.Is(err, flows.ErrChatMismatch) {
			t.Fatalf("Delivered with a row of another chat: %v, want ErrChatMismatch", err)
		}
		wantRows(t, mustPending(t, st, 0), row(1, "d"), row(2, "x"))
		if ids := mustSent(t, st, 1, time.Time{}); !slices.Equal(ids, []int64{702}) {
			t.Fatalf("RecentSent(1) after a refused call = %v, want [702]", ids)
		}
	})

	t.Run("RecentSentSince", func(t *testing.T) {
		st := open(t)
		mustCommit(t, st, flows.Commit{UpdateID: 1, Chat: 1, Outbox: []flows.Outgoing{msg("a"), msg("b"), msg("c")}})
		rows := mustPending(t, st, 0)
		mustDelivered(t, st, rows[0].ID, 1, 11)
		pause()
		cutoff := time.Now()
		pause()
		mustDelivered(t, st, rows[1].ID, 1, 12)
		mustDelivered(t, st, rows[2].ID, 1, 13)
		if ids := mustSent(t, st, 1, cutoff); !slices.Equal(ids, []int64{12, 13}) {
			t.Fatalf("RecentSent(since cutoff) = %v, want [12 13]", ids)
		}
		if ids := mustSent(t, st, 1, time.Now().Add(time.Hour)); len(ids) != 0 {
			t.Fatalf("RecentSent(an hour ahead) = %v, want none", ids)
		}
		if ids := mustSent(t, st, 1, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)); len(ids) != 0 {
			t.Fatalf("RecentSent(year 9999) = %v, want none", ids)
		}
		if ids := mustSent(t, st, 2, time.Time{}); len(ids) != 0 {
			t.Fatalf("RecentSent of another chat = %v, want none", ids)
		}
	})

	t.Run("Inactive", func(t *testing.T) {
		st := open(t)
		mustCommit(t, st, flows.Commit{UpdateID: 1, Session: tgSession(1, 0, "q"), Chat: 1, Outbox: []flows.Outgoing{msg("1a")}})
		mustCommit(t, st, flows.Commit{UpdateID: 2, Session: tgSession(2, 0, "q"), Chat: 2, Outbox: []flows.Outgoing{msg("2a")}})
		mustCommit(t, st, flows.Commit{UpdateID: 3, Session: tgSession(1, 1, "q"), Chat: 1, Outbox: []flows.Outgoing{msg("1b")}})
		rows := mustPending(t, st, 0)
		mustDelivered(t, st, rows[0].ID, 1, 42)
		if err := st.Inactive(ctxT(t), 1); err != nil {
			t.Fatalf("Inactive: %v", err)
		}
		wantRows(t, mustPending(t, st, 0), row(2, "2a"))
		// The session and the sent log stay; only pending rows go.
		if s := mustGet(t, st, "tg:1"); s.Rev != 2 {
			t.Fatalf("session after Inactive: rev %d, want 2", s.Rev)
		}
		if ids := mustSent(t, st, 1, time.Time{}); !slices.Equal(ids, []int64{42}) {
			t.Fatalf("RecentSent(1) after Inactive = %v, want [42]", ids)
		}
		// Delivering a dropped row is not an error.
		mustDelivered(t, st, rows[2].ID, 1, 43)
		// Idempotent, and a chat never seen can be marked too.
		if err := st.Inactive(ctxT(t), 1); err != nil {
			t.Fatalf("Inactive again: %v", err)
		}
		if err := st.Inactive(ctxT(t), 99); err != nil {
			t.Fatalf("Inactive(unknown chat): %v", err)
		}
		// The user comes back: a commit works and its rows are delivered.
		mustCommit(t, st, flows.Commit{UpdateID: 4, Session: tgSession(1, 2, "q"), Chat: 1, Outbox: []flows.Outgoing{msg("1c")}})
		wantRows(t, mustPending(t, st, 0), row(2, "2a"), row(1, "1c"))
	})

	t.Run("DeleteCommit", func(t *testing.T) {
		st := open(t)
		mustCommit(t, st, flows.Commit{UpdateID: 1, Session: tgSession(1, 0, "q"), Chat: 1, Outbox: []flows.Outgoing{msg("1a"), msg("1b")}})
		mustCommit(t, st, flows.Commit{UpdateID: 2, Session: tgSession(2, 0, "q"), Chat: 2, Outbox: []flows.Outgoing{msg("2a"), msg("2b")}})
		rows := mustPending(t, st, 0)
		mustDelivered(t, st, rows[0].ID, 1, 31)
		mustDelivered(t, st, rows[2].ID, 2, 41)
		other := mustGet(t, st, "tg:2")

		// Delete ignores the revision: a stale one does not stop it.
		mustCommit(t, st, flows.Commit{UpdateID: 3, Delete: true, Session: tgSession(1, 0, ""), Chat: 1,
			Outbox: []flows.Outgoing{{Method: "deleteMessage", Payload: []byte("31")}, msg("deleted")}})
		wantMissing(t, st, "tg:1")
		if ids := mustSent(t, st, 1, time.Time{}); len(ids) != 0 {
			t.Fatalf("RecentSent(1) after delete = %v, want none", ids)
		}
		wantRows(t, mustPending(t, st, 0), row(2, "2b"), rowKey{1, "deleteMessage", "31"}, row(1, "deleted"))
		sameSession(t, mustGet(t, st, "tg:2"), other)
		if ids := mustSent(t, st, 2, time.Time{}); !slices.Equal(ids, []int64{41}) {
			t.Fatalf("RecentSent(2) = %v, want [41]", ids)
		}
		if id := mustLast(t, st); id != 3 {
			t.Fatalf("LastUpdateID = %d, want 3", id)
		}
		if err := st.Commit(ctxT(t), flows.Commit{UpdateID: 3, Delete: true, Session: tgSession(1, 0, ""), Chat: 1}); !errors.Is(err, flows.ErrDuplicate) {
			t.Fatalf("delete commit again: error %v, want ErrDuplicate", err)
		}
		// Deleting what is not there works, and the user can start over.
		mustCommit(t, st, flows.Commit{UpdateID: 4, Delete: true, Session: tgSession(1, 0, ""), Chat: 1})
		mustCommit(t, st, flows.Commit{UpdateID: 5, Session: tgSession(1, 0, "start"), Chat: 1})
		if s := mustGet(t, st, "tg:1"); s.Rev != 1 {
			t.Fatalf("rev after starting over = %d, want 1", s.Rev)
		}
	})

	t.Run("ConcurrentCommitsDifferentChats", func(t *testing.T) {
		st := open(t)
		const chats, each = 20, 5
		var wg sync.WaitGroup
		errc := make(chan error, chats)
		for c := range int64(chats) {
			chat := c + 1
			wg.Go(func() {
				for i := range int64(each) {
					err := st.Commit(context.Background(), flows.Commit{
						UpdateID: chat*1000 + i,
						Session:  tgSession(chat, i, fmt.Sprint("q", i)),
						Chat:     chat,
						Outbox:   []flows.Outgoing{msg(fmt.Sprintf("%d-%d", chat, i))},
					})
					if err != nil {
						errc <- fmt.Errorf("chat %d commit %d: %w", chat, i, err)
						return
					}
				}
			})
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			t.Fatal(err)
		}
		rows := mustPending(t, st, 0)
		if len(rows) != chats*each {
			t.Fatalf("Pending has %d rows, want %d", len(rows), chats*each)
		}
		next := map[int64]int{}
		for _, r := range rows {
			want := fmt.Sprintf(`{"text":"%d-%d"}`, r.Chat, next[r.Chat])
			if string(r.Payload) != want {
				t.Fatalf("chat %d: row %s out of order, want %s", r.Chat, r.Payload, want)
			}
			next[r.Chat]++
		}
		for c := int64(1); c <= chats; c++ {
			if s := mustGet(t, st, fmt.Sprintf("tg:%d", c)); s.Rev != each {
				t.Fatalf("chat %d at rev %d, want %d", c, s.Rev, each)
			}
		}
		if id := mustLast(t, st); id != chats*1000+each-1 {
			t.Fatalf("LastUpdateID = %d, want %d", id, chats*1000+each-1)
		}
	})

	t.Run("ConcurrentCommitsSameSession", func(t *testing.T) {
		st := open(t)
		mustCommit(t, st, flows.Commit{UpdateID: 1, Session: tgSession(1, 0, "q"), Chat: 1})
		const workers = 12
		var (
			wg        sync.WaitGroup
			mu        sync.Mutex
			won       []int64
			conflicts int
			other     []error
		)
		gate := make(chan struct{})
		for w := range int64(workers) {
			wg.Go(func() {
				<-gate
				err := st.Commit(context.Background(), flows.Commit{
					UpdateID: 100 + w, Session: tgSession(1, 1, fmt.Sprint("w", w)), Chat: 1,
					Outbox: []flows.Outgoing{msg(fmt.Sprint("w", w))},
				})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					won = append(won, w)
				case errors.Is(err, flows.ErrConflict):
					conflicts++
				default:
					other = append(other, err)
				}
			})
		}
		close(gate)
		wg.Wait()
		if len(other) > 0 {
			t.Fatalf("unexpected errors: %v", other)
		}
		if len(won) != 1 || conflicts != workers-1 {
			t.Fatalf("%d commits won and %d conflicted, want 1 and %d", len(won), conflicts, workers-1)
		}
		w := won[0]
		if s := mustGet(t, st, "tg:1"); s.Rev != 2 || s.State.Node != fmt.Sprint("w", w) {
			t.Fatalf("session = rev %d node %q, want rev 2 node w%d", s.Rev, s.State.Node, w)
		}
		wantRows(t, mustPending(t, st, 0), row(1, fmt.Sprint("w", w)))
		if id := mustLast(t, st); id != 100+w {
			t.Fatalf("LastUpdateID = %d, want the winner's %d", id, 100+w)
		}
	})

	t.Run("CommitSetsRowIDs", func(t *testing.T) {
		st := open(t)
		mustCommit(t, st, flows.Commit{UpdateID: 1, Session: tgSession(1, 0, "q1"), Chat: 1, Outbox: []flows.Outgoing{msg("x")}})
		out := []flows.Outgoing{msg("a"), msg("b"), msg("c")}
		mustCommit(t, st, flows.Commit{UpdateID: 2, Session: tgSession(2, 0, "q1"), Chat: 2, Outbox: out})
		pending := mustPending(t, st, 0)
		if len(pending) != 4 {
			t.Fatalf("%d rows pending, want 4", len(pending))
		}
		for i, o := range out {
			if o.ID != pending[i+1].ID {
				t.Fatalf("Commit set row %d's ID to %d; the store holds it as %d", i, o.ID, pending[i+1].ID)
			}
		}
		// A commit that fails leaves nothing behind, whatever IDs it set.
		lost := []flows.Outgoing{msg("lost")}
		if err := st.Commit(ctxT(t), flows.Commit{UpdateID: 2, Session: tgSession(2, 1, "q2"), Chat: 2, Outbox: lost}); !errors.Is(err, flows.ErrDuplicate) {
			t.Fatalf("duplicate commit: %v", err)
		}
		if got := mustPending(t, st, 0); len(got) != 4 {
			t.Fatalf("%d rows pending after a duplicate, want 4", len(got))
		}
	})

	t.Run("PendingChatsAndPendingFor", func(t *testing.T) {
		st := open(t)
		if chats := mustPendingChats(t, st); len(chats) != 0 {
			t.Fatalf("PendingChats of an empty store = %v", chats)
		}
		for i, chat := range []int64{30, 10, 30, 20, 10, 30} {
			mustCommit(t, st, flows.Commit{UpdateID: int64(i + 1), Chat: chat, Outbox: []flows.Outgoing{msg(fmt.Sprint(chat, "-", i))}})
		}
		if chats := mustPendingChats(t, st); !slices.Equal(chats, []int64{10, 20, 30}) {
			t.Fatalf("PendingChats = %v, want [10 20 30]", chats)
		}
		all := mustPending(t, st, 0)
		of := func(chat int64) []flows.Outgoing {
			var rows []flows.Outgoing
			for _, r := range all {
				if r.Chat == chat {
					rows = append(rows, r)
				}
			}
			return rows
		}
		got := mustPendingFor(t, st, 30, 0, 0)
		if !slices.EqualFunc(got, of(30), sameRow) {
			t.Fatalf("PendingFor(30) = %v, want %v", got, of(30))
		}
		if got := mustPendingFor(t, st, 30, 0, 2); !slices.EqualFunc(got, of(30)[:2], sameRow) {
			t.Fatalf("PendingFor(30, limit 2) = %v, want %v", got, of(30)[:2])
		}
		if got := mustPendingFor(t, st, 30, of(30)[0].ID, 0); !slices.EqualFunc(got, of(30)[1:], sameRow) {
			t.Fatalf("PendingFor(30, after the first) = %v, want %v", got, of(30)[1:])
		}
		if got := mustPendingFor(t, st, 99, 0, 0); len(got) != 0 {
			t.Fatalf("PendingFor of a chat without rows = %v", got)
		}
		for _, r := range of(20) {
			mustDelivered(t, st, r.ID, 20, 0)
		}
		if err := st.Inactive(ctxT(t), 10); err != nil {
			t.Fatal(err)
		}
		if chats := mustPendingChats(t, st); !slices.Equal(chats, []int64{30}) {
			t.Fatalf("PendingChats after delivering chat 20 and blocking chat 10 = %v, want [30]", chats)
		}
	})
}

func sameRow(a, b flows.Outgoing) bool {
	return a.ID == b.ID && a.Chat == b.Chat && a.Method == b.Method && bytes.Equal(a.Payload, b.Payload)
}
