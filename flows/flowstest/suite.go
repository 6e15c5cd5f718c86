package flowstest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/redress-legal/redress/flows"
)

// SampleState returns a State that uses every field and every kind of
// answer; text is stored in a free-text answer, the draft and the history,
// so a test can look for it (a canary) in raw storage.
func SampleState(text string) flows.State {
	n0, big, neg := int64(0), int64(math.MaxInt64), int64(-42)
	return flows.State{
		Flow:    "cyberviolence",
		Version: 3,
		Node:    "evidence_kinds",
		Lang:    "zh-Hans",
		Answers: map[string]flows.Answer{
			"platform":  {Choice: "weibo"},
			"harms":     {Choices: []string{"insult", "doxxing", "threat"}},
			"views":     {Number: &big},
			"reposts":   {Number: &n0},
			"offset":    {Number: &neg},
			"first_saw": {Date: "2025-02-28"},
			"account":   {Text: text},
			"story":     {Text: "多行\n文本 \"quoted\" <b>&amp;</b> \u2028 emoji 🙂 nul\x00 tab\t"},
			"reported":  {Unknown: true},
		},
		History: []string{"danger", "platform", "harms", "views", "reposts", "first_saw", "account", text},
		Draft:   []string{"screenshots", text},
		Done:    true,
	}
}

func ctxT(t *testing.T) context.Context {
	t.Helper()
	return t.Context()
}

func mustPut(t *testing.T, st flows.Store, s flows.Session) flows.Session {
	t.Helper()
	got, err := st.Put(ctxT(t), s)
	if err != nil {
		t.Fatalf("Put(%q, rev %d): %v", s.Key, s.Rev, err)
	}
	return got
}

func mustGet(t *testing.T, st interface {
	Get(context.Context, string) (flows.Session, error)
}, key string) flows.Session {
	t.Helper()
	got, err := st.Get(ctxT(t), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return got
}

func wantMissing(t *testing.T, st interface {
	Get(context.Context, string) (flows.Session, error)
}, key string) {
	t.Helper()
	if _, err := st.Get(ctxT(t), key); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("Get(%q) error = %v, want ErrNotFound", key, err)
	}
}

// sameSession fails unless got and want agree in key, revision, time and
// state (exactly, by reflect.DeepEqual).
func sameSession(t *testing.T, got, want flows.Session) {
	t.Helper()
	if got.Key != want.Key || got.Rev != want.Rev || !got.Updated.Equal(want.Updated) {
		t.Fatalf("session = {%q rev %d at %v}, want {%q rev %d at %v}",
			got.Key, got.Rev, got.Updated, want.Key, want.Rev, want.Updated)
	}
	if !reflect.DeepEqual(got.State, want.State) {
		t.Fatalf("state did not round-trip:\n got %#v\nwant %#v", got.State, want.State)
	}
}

// pause lets the wall clock move on, so that times taken before and after
// it differ at any storage precision the suites accept (1ms).
func pause() { time.Sleep(5 * time.Millisecond) }

// RunStoreSuite checks that the flows.Store returned by open behaves as the
// contract says. open is called once per subtest and must return an empty
// store that stamps times with the real clock.
func RunStoreSuite(t *testing.T, open func(t *testing.T) flows.Store) {
	t.Run("GetMissing", func(t *testing.T) {
		st := open(t)
		wantMissing(t, st, "tg:1")
		wantMissing(t, st, "")
	})

	t.Run("PutNewGet", func(t *testing.T) {
		st := open(t)
		before := time.Now()
		in := flows.Session{Key: "tg:1", State: flows.State{Flow: "f", Version: 1, Node: "start"}}
		got := mustPut(t, st, in)
		if got.Rev != 1 || got.Key != "tg:1" {
			t.Fatalf("Put new = {%q rev %d}, want {tg:1 rev 1}", got.Key, got.Rev)
		}
		if got.Updated.Before(before.Add(-time.Second)) || got.Updated.After(time.Now().Add(time.Second)) {
			t.Fatalf("Put stamped Updated %v, want about %v", got.Updated, before)
		}
		if !reflect.DeepEqual(got.State, in.State) {
			t.Fatalf("Put returned state %#v, want %#v", got.State, in.State)
		}
		sameSession(t, mustGet(t, st, "tg:1"), got)
	})

	t.Run("PutIgnoresCallerUpdated", func(t *testing.T) {
		st := open(t)
		old := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
		got := mustPut(t, st, flows.Session{Key: "k", Updated: old, State: flows.State{Node: "a"}})
		if !got.Updated.After(old) {
			t.Fatalf("Put kept the caller's Updated %v", got.Updated)
		}
	})

	t.Run("PutSequence", func(t *testing.T) {
		st := open(t)
		s := mustPut(t, st, flows.Session{Key: "tg:1", State: flows.State{Node: "a"}})
		for i := 2; i <= 5; i++ {
			s.State.Node = fmt.Sprintf("n%d", i)
			s = mustPut(t, st, s)
			if s.Rev != int64(i) {
				t.Fatalf("Put #%d returned rev %d", i, s.Rev)
			}
		}
		sameSession(t, mustGet(t, st, "tg:1"), s)
	})

	t.Run("ConflictStale", func(t *testing.T) {
		st := open(t)
		s1 := mustPut(t, st, flows.Session{Key: "tg:1", State: flows.State{Node: "a"}})
		s2 := s1
		s2.State.Node = "b"
		s2 = mustPut(t, st, s2)
		stale := s1
		stale.State.Node = "stale"
		if _, err := st.Put(ctxT(t), stale); !errors.Is(err, flows.ErrConflict) {
			t.Fatalf("Put with stale rev: error %v, want ErrConflict", err)
		}
		ahead := s2
		ahead.Rev = 7
		if _, err := st.Put(ctxT(t), ahead); !errors.Is(err, flows.ErrConflict) {
			t.Fatalf("Put with a future rev: error %v, want ErrConflict", err)
		}
		sameSession(t, mustGet(t, st, "tg:1"), s2)
	})

	t.Run("ConflictNewExisting", func(t *testing.T) {
		st := open(t)
		s1 := mustPut(t, st, flows.Session{Key: "tg:1", State: flows.State{Node: "a"}})
		if _, err := st.Put(ctxT(t), flows.Session{Key: "tg:1", State: flows.State{Node: "b"}}); !errors.Is(err, flows.ErrConflict) {
			t.Fatalf("Put rev 0 over an existing session: error %v, want ErrConflict", err)
		}
		sameSession(t, mustGet(t, st, "tg:1"), s1)
	})

	t.Run("ConflictMissingWithRev", func(t *testing.T) {
		st := open(t)
		if _, err := st.Put(ctxT(t), flows.Session{Key: "tg:1", Rev: 3}); !errors.Is(err, flows.ErrConflict) {
			t.Fatalf("Put rev 3 of a missing session: error %v, want ErrConflict", err)
		}
		wantMissing(t, st, "tg:1")
	})

	t.Run("InvalidPut", func(t *testing.T) {
		st := open(t)
		if _, err := st.Put(ctxT(t), flows.Session{Key: ""}); err == nil {
			t.Fatal("Put with an empty key succeeded")
		}
		if _, err := st.Put(ctxT(t), flows.Session{Key: "k", Rev: -1}); err == nil {
			t.Fatal("Put with a negative revision succeeded")
		}
		wantMissing(t, st, "")
		wantMissing(t, st, "k")
	})

	t.Run("RoundTrip", func(t *testing.T) {
		st := open(t)
		full := SampleState("canary-free-text")
		s := mustPut(t, st, flows.Session{Key: "tg:1", State: full})
		got := mustGet(t, st, "tg:1")
		sameSession(t, got, s)

		// A smaller state replaces the whole value: nothing of the old stays.
		small := flows.State{Flow: "f", Node: "n"}
		s.State = small
		s = mustPut(t, st, s)
		sameSession(t, mustGet(t, st, "tg:1"), s)

		// A zero state round-trips too.
		s.State = flows.State{}
		s = mustPut(t, st, s)
		sameSession(t, mustGet(t, st, "tg:1"), s)
	})

	t.Run("KeysIndependent", func(t *testing.T) {
		st := open(t)
		keys := []string{"tg:1", "tg:10", "tg:-100123", "local:default", "local:名字 with space", "TG:1"}
		want := map[string]flows.Session{}
		for i, k := range keys {
			want[k] = mustPut(t, st, flows.Session{Key: k, State: flows.State{Node: fmt.Sprint("n", i)}})
		}
		s := want["tg:1"]
		s.State.Node = "changed"
		want["tg:1"] = mustPut(t, st, s)
		for _, k := range keys {
			sameSession(t, mustGet(t, st, k), want[k])
		}
	})

	t.Run("Delete", func(t *testing.T) {
		st := open(t)
		mustPut(t, st, flows.Session{Key: "tg:1", State: SampleState("x")})
		other := mustPut(t, st, flows.Session{Key: "tg:10", State: flows.State{Node: "keep"}})
		if err := st.Delete(ctxT(t), "tg:1"); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		wantMissing(t, st, "tg:1")
		if err := st.Delete(ctxT(t), "tg:1"); err != nil {
			t.Fatalf("Delete again: %v", err)
		}
		if err := st.Delete(ctxT(t), "never-stored"); err != nil {
			t.Fatalf("Delete of a missing key: %v", err)
		}
		sameSession(t, mustGet(t, st, "tg:10"), other)
		// The key starts over at revision 1.
		if s := mustPut(t, st, flows.Session{Key: "tg:1", State: flows.State{Node: "again"}}); s.Rev != 1 {
			t.Fatalf("Put after Delete: rev %d, want 1", s.Rev)
		}
	})

	t.Run("PurgeIdle", func(t *testing.T) {
		st := open(t)
		mustPut(t, st, flows.Session{Key: "idle", State: flows.State{Node: "a"}})
		b := mustPut(t, st, flows.Session{Key: "touched", State: flows.State{Node: "a"}})
		pause()
		cutoff := time.Now()
		pause()
		b.State.Node = "b"
		b = mustPut(t, st, b)
		c := mustPut(t, st, flows.Session{Key: "fresh", State: flows.State{Node: "c"}})

		if n, err := st.PurgeIdle(ctxT(t), cutoff.Add(-time.Hour)); err != nil || n != 0 {
			t.Fatalf("PurgeIdle(an hour before) = %d, %v; want 0, nil", n, err)
		}
		n, err := st.PurgeIdle(ctxT(t), cutoff)
		if err != nil || n != 1 {
			t.Fatalf("PurgeIdle = %d, %v; want 1, nil", n, err)
		}
		wantMissing(t, st, "idle")
		sameSession(t, mustGet(t, st, "touched"), b)
		sameSession(t, mustGet(t, st, "fresh"), c)
		if n, err := st.PurgeIdle(ctxT(t), cutoff); err != nil || n != 0 {
			t.Fatalf("PurgeIdle again = %d, %v; want 0, nil", n, err)
		}
		if n, err := st.PurgeIdle(ctxT(t), time.Now().Add(time.Hour)); err != nil || n != 2 {
			t.Fatalf("PurgeIdle(an hour ahead) = %d, %v; want 2, nil", n, err)
		}
	})

	t.Run("PurgeIdleExtremes", func(t *testing.T) {
		st := open(t)
		mustPut(t, st, flows.Session{Key: "k", State: flows.State{Node: "a"}})
		if n, err := st.PurgeIdle(ctxT(t), time.Time{}); err != nil || n != 0 {
			t.Fatalf("PurgeIdle(zero time) = %d, %v; want 0, nil", n, err)
		}
		if n, err := st.PurgeIdle(ctxT(t), time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil || n != 1 {
			t.Fatalf("PurgeIdle(year 9999) = %d, %v; want 1, nil", n, err)
		}
	})

	t.Run("CanceledContext", func(t *testing.T) {
		st := open(t)
		ctx, cancel := context.WithCancel(ctxT(t))
		cancel()
		if _, err := st.Put(ctx, flows.Session{Key: "k"}); err == nil {
			t.Fatal("Put with a canceled context succeeded")
		}
		if _, err := st.Get(ctx, "k"); err == nil || errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("Get with a canceled context: error %v, want the context's", err)
		}
		wantMissing(t, st, "k")
	})

	t.Run("ConcurrentPutsOneWinnerPerRevision", func(t *testing.T) {
		st := open(t)
		const workers, rounds = 12, 8
		s := mustPut(t, st, flows.Session{Key: "tg:1", State: flows.State{Node: "start"}})
		for round := range rounds {
			var (
				wg      sync.WaitGroup
				mu      sync.Mutex
				winners []flows.Session
				errs    []error
			)
			startGate := make(chan struct{})
			for w := range workers {
				wg.Go(func() {
					next := s
					next.State = flows.State{Node: fmt.Sprintf("r%d-w%d", round, w)}
					<-startGate
					got, err := st.Put(context.Background(), next)
					mu.Lock()
					defer mu.Unlock()
					if err == nil {
						winners = append(winners, got)
					} else if !errors.Is(err, flows.ErrConflict) {
						errs = append(errs, err)
					}
				})
			}
			close(startGate)
			wg.Wait()
			if len(errs) > 0 {
				t.Fatalf("round %d: unexpected errors: %v", round, errs)
			}
			if len(winners) != 1 {
				t.Fatalf("round %d: %d Puts on rev %d succeeded, want exactly 1", round, len(winners), s.Rev)
			}
			if winners[0].Rev != s.Rev+1 {
				t.Fatalf("round %d: winner has rev %d, want %d", round, winners[0].Rev, s.Rev+1)
			}
			s = winners[0]
			sameSession(t, mustGet(t, st, "tg:1"), s)
		}
	})

	t.Run("ConcurrentIncrements", func(t *testing.T) {
		st := open(t)
		const workers, each = 8, 10
		zero := int64(0)
		mustPut(t, st, flows.Session{Key: "counter", State: flows.State{
			Answers: map[string]flows.Answer{"n": {Number: &zero}},
		}})
		var wg sync.WaitGroup
		errc := make(chan error, workers)
		for range workers {
			wg.Go(func() {
				ctx := context.Background()
				for done := 0; done < each; {
					s, err := st.Get(ctx, "counter")
					if err != nil {
						errc <- err
						return
					}
					n := *s.State.Answers["n"].Number + 1
					s.State.Answers = map[string]flows.Answer{"n": {Number: &n}}
					switch _, err := st.Put(ctx, s); {
					case err == nil:
						done++
					case !errors.Is(err, flows.ErrConflict):
						errc <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			t.Fatalf("increment: %v", err)
		}
		s := mustGet(t, st, "counter")
		if got := *s.State.Answers["n"].Number; got != workers*each || s.Rev != workers*each+1 {
			t.Fatalf("counter = %d at rev %d, want %d at rev %d", got, s.Rev, workers*each, workers*each+1)
		}
	})
}
