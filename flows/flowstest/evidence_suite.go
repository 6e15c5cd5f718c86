package flowstest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/redress-legal/redress/flows"
)

// SampleEvidence returns one item of each kind, every field set, with
// text in the description, URL and file name, so a test can look for it
// (a canary) in raw storage.
func SampleEvidence(text string, received time.Time) []flows.EvidenceItem {
	return []flows.EvidenceItem{
		{Kind: flows.EvidenceFile, SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Size: 4,
			MIME: "image/png", FileName: text + ".png", Received: received, Description: "截图 " + text, UpdateID: 7001},
		{Kind: flows.EvidenceLink, Received: received.Add(time.Minute), Description: "the post " + text,
			URL: "https://weibo.com/123/" + text, Platform: flows.PlatformWeibo,
			Counts: flows.EvidenceCounts{Views: 12000, Reposts: 300, Comments: 45, Likes: 6, SeenAt: received.Add(-24 * time.Hour)}},
		{Kind: flows.EvidenceNote, Received: received.Add(2 * time.Minute), Description: "多行\n描述 " + text},
	}
}

// RunEvidenceSuite runs the conformance tests of the evidence log (and of
// its erasure with the session) against stores made by open, each new and
// empty.
func RunEvidenceSuite(t *testing.T, open func(t *testing.T) EvidenceStore) {
	t0 := time.Date(2026, 11, 30, 8, 15, 30, 123456789, time.UTC)

	add := func(t *testing.T, st EvidenceStore, key string, it flows.EvidenceItem) flows.EvidenceItem {
		t.Helper()
		got, err := st.AddEvidence(ctxT(t), key, it)
		if err != nil {
			t.Fatalf("AddEvidence(%q): %v", key, err)
		}
		return got
	}
	list := func(t *testing.T, st EvidenceStore, key string) []flows.EvidenceItem {
		t.Helper()
		got, err := st.ListEvidence(ctxT(t), key)
		if err != nil {
			t.Fatalf("ListEvidence(%q): %v", key, err)
		}
		return got
	}

	t.Run("AddListRoundTripInOrder", func(t *testing.T) {
		st := open(t)
		var want []flows.EvidenceItem
		for i, it := range SampleEvidence("canary", t0) {
			got := add(t, st, "tg:1", it)
			it.Seq = i + 1
			if !reflect.DeepEqual(got, it) {
				t.Fatalf("AddEvidence returned\n%+v\nwant\n%+v", got, it)
			}
			want = append(want, it)
		}
		// Another user's log is numbered on its own.
		other := add(t, st, "tg:2", flows.EvidenceItem{Kind: flows.EvidenceNote, Received: t0, Description: "x"})
		if other.Seq != 1 {
			t.Errorf("first item of another log has Seq %d, want 1", other.Seq)
		}
		got := list(t, st, "tg:1")
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("ListEvidence =\n%+v\nwant\n%+v", got, want)
		}
		if got := list(t, st, "tg:3"); len(got) != 0 {
			t.Errorf("ListEvidence of an empty log = %v, want none", got)
		}
		for _, it := range got {
			if !it.Active() {
				t.Errorf("item %d is not active", it.Seq)
			}
		}
	})

	t.Run("TimesAreUTCNanoseconds", func(t *testing.T) {
		st := open(t)
		local := time.Date(2026, 12, 1, 9, 0, 0, 987654321, flows.China)
		got := add(t, st, "local:default", flows.EvidenceItem{Kind: flows.EvidenceNote, Received: local,
			Counts: flows.EvidenceCounts{SeenAt: local}})
		l := list(t, st, "local:default")
		for _, it := range []flows.EvidenceItem{got, l[0]} {
			if it.Received.Location() != time.UTC || !it.Received.Equal(local) || it.Received.Nanosecond() != 987654321 {
				t.Errorf("Received = %v, want %v in UTC", it.Received, local)
			}
			if !it.Counts.SeenAt.Equal(local) || it.Counts.SeenAt.Location() != time.UTC {
				t.Errorf("SeenAt = %v, want %v in UTC", it.Counts.SeenAt, local)
			}
		}
	})

	t.Run("RemoveIsRecordedNotErased", func(t *testing.T) {
		st := open(t)
		for _, it := range SampleEvidence("x", t0) {
			add(t, st, "tg:1", it)
		}
		at := t0.Add(time.Hour)
		if err := st.RemoveEvidence(ctxT(t), "tg:1", 2, at); err != nil {
			t.Fatalf("RemoveEvidence: %v", err)
		}
		if err := st.RemoveEvidence(ctxT(t), "tg:1", 2, at.Add(time.Hour)); err != nil {
			t.Fatalf("RemoveEvidence again: %v", err)
		}
		got := list(t, st, "tg:1")
		if len(got) != 3 {
			t.Fatalf("after a removal the log has %d items, want all 3", len(got))
		}
		if got[1].Active() || !got[1].Removed.Equal(at) {
			t.Errorf("item 2 Removed = %v, want %v (the first removal)", got[1].Removed, at)
		}
		if got[1].URL == "" || got[1].Description == "" {
			t.Error("a removed item lost its fields")
		}
		if !got[0].Active() || !got[2].Active() {
			t.Error("removing item 2 removed another")
		}
		// Numbering goes on after a removal: a number is never given twice.
		if n := add(t, st, "tg:1", flows.EvidenceItem{Kind: flows.EvidenceNote, Received: t0}); n.Seq != 4 {
			t.Errorf("item added after a removal has Seq %d, want 4", n.Seq)
		}
		for _, seq := range []int{0, 5, -1} {
			if err := st.RemoveEvidence(ctxT(t), "tg:1", seq, at); !errors.Is(err, flows.ErrNotFound) {
				t.Errorf("RemoveEvidence(%d) = %v, want ErrNotFound", seq, err)
			}
		}
		if err := st.RemoveEvidence(ctxT(t), "tg:2", 1, at); !errors.Is(err, flows.ErrNotFound) {
			t.Errorf("RemoveEvidence of another user's item = %v, want ErrNotFound", err)
		}
	})

	t.Run("SameUpdateRecordedOnce", func(t *testing.T) {
		st := open(t)
		it := flows.EvidenceItem{Kind: flows.EvidenceFile, SHA256: "ab", Size: 2, Received: t0, UpdateID: 555}
		first := add(t, st, "tg:1", it)
		// The update delivered again (the process died before it was
		// committed): downloaded and hashed again, a moment later.
		again := it
		again.Received = t0.Add(time.Minute)
		if got := add(t, st, "tg:1", again); !reflect.DeepEqual(got, first) {
			t.Errorf("re-delivered update returned %+v, want the first item %+v", got, first)
		}
		// Another chat's update with the same ID, and no update ID at all, are new items.
		if got := add(t, st, "tg:2", it); got.Seq != 1 {
			t.Errorf("another log: Seq %d, want 1", got.Seq)
		}
		noID := it
		noID.UpdateID = 0
		add(t, st, "tg:1", noID)
		add(t, st, "tg:1", noID)
		// Telegram reuses IDs after a long silence: outside the window it is a new update.
		late := it
		late.Received = t0.Add(flows.DuplicateWindow + time.Hour)
		add(t, st, "tg:1", late)
		if got := list(t, st, "tg:1"); len(got) != 4 {
			t.Errorf("log has %d items, want 4 (one per update, two without an ID, one late reuse)", len(got))
		}
	})

	t.Run("InvalidArguments", func(t *testing.T) {
		st := open(t)
		if _, err := st.AddEvidence(ctxT(t), "", flows.EvidenceItem{Kind: flows.EvidenceNote, Received: t0}); !errors.Is(err, flows.ErrInvalid) {
			t.Errorf("empty key: %v, want ErrInvalid", err)
		}
		if _, err := st.AddEvidence(ctxT(t), "tg:1", flows.EvidenceItem{Kind: "photo", Received: t0}); !errors.Is(err, flows.ErrInvalid) {
			t.Errorf("unknown kind: %v, want ErrInvalid", err)
		}
		if got := list(t, st, "tg:1"); len(got) != 0 {
			t.Errorf("refused items were recorded: %v", got)
		}
	})

	t.Run("DeleteErasesTheLog", func(t *testing.T) {
		st := open(t)
		mustPut(t, st, flows.Session{Key: "local:default", State: SampleState("x")})
		for _, it := range SampleEvidence("x", t0) {
			add(t, st, "local:default", it)
			add(t, st, "local:other", it)
		}
		if err := st.Delete(ctxT(t), "local:default"); err != nil {
			t.Fatal(err)
		}
		if got := list(t, st, "local:default"); len(got) != 0 {
			t.Errorf("after Delete the log has %d items, want none", len(got))
		}
		if got := list(t, st, "local:other"); len(got) != 3 {
			t.Errorf("Delete of one user erased another's log: %d items left, want 3", len(got))
		}
		// A log is numbered from 1 again after it was erased.
		if n := add(t, st, "local:default", flows.EvidenceItem{Kind: flows.EvidenceNote, Received: t0}); n.Seq != 1 {
			t.Errorf("first item after Delete has Seq %d, want 1", n.Seq)
		}
	})

	t.Run("DeleteCommitErasesTheLog", func(t *testing.T) {
		st := open(t)
		if err := st.Commit(ctxT(t), flows.Commit{UpdateID: 1, Chat: 10, Session: tgSession(10, 0, "q1")}); err != nil {
			t.Fatal(err)
		}
		for _, it := range SampleEvidence("x", t0) {
			add(t, st, "tg:10", it)
			add(t, st, "tg:11", it)
		}
		if err := st.Commit(ctxT(t), flows.Commit{UpdateID: 2, Chat: 10, Session: flows.Session{Key: "tg:10"}, Delete: true}); err != nil {
			t.Fatal(err)
		}
		if got := list(t, st, "tg:10"); len(got) != 0 {
			t.Errorf("after the delete commit the log has %d items, want none", len(got))
		}
		if got := list(t, st, "tg:11"); len(got) != 3 {
			t.Errorf("the delete commit erased another chat's log: %d items left", len(got))
		}
	})

	t.Run("RetentionWithTheSession", func(t *testing.T) {
		st := open(t)
		now := time.Now()
		old := now.Add(-100 * 24 * time.Hour)
		mustPut(t, st, flows.Session{Key: "tg:1", State: SampleState("x")}) // active session, old log
		add(t, st, "tg:1", flows.EvidenceItem{Kind: flows.EvidenceNote, Received: old})
		add(t, st, "tg:2", flows.EvidenceItem{Kind: flows.EvidenceNote, Received: old}) // no session, idle
		add(t, st, "tg:3", flows.EvidenceItem{Kind: flows.EvidenceNote, Received: old}) // no session, removed lately
		if err := st.RemoveEvidence(ctxT(t), "tg:3", 1, now.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := st.PurgeIdle(ctxT(t), now.Add(-90*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if n := len(list(t, st, "tg:1")); n != 1 {
			t.Errorf("the log of a live session was purged (%d items left)", n)
		}
		if n := len(list(t, st, "tg:2")); n != 0 {
			t.Errorf("an idle log without a session was kept (%d items)", n)
		}
		if n := len(list(t, st, "tg:3")); n != 1 {
			t.Errorf("a log changed lately was purged (%d items left)", n)
		}
		// Once the session is idle too, its log goes with it.
		if _, err := st.PurgeIdle(ctxT(t), now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"tg:1", "tg:3"} {
			if n := len(list(t, st, k)); n != 0 {
				t.Errorf("%s: %d items left after its session was purged", k, n)
			}
		}
	})
}
