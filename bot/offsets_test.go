package bot

import (
	"testing"
	"time"
)

// TestOffsets checks the poll loop's bookkeeping on its own: the offset is
// the lowest update in flight, else one past the highest taken; an update
// is taken once; a long confirmed silence forgets the highest ID
// (Telegram may renumber).
func TestOffsets(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	o := newOffsets(t0)
	if off, confirms := o.next(t0); off != 0 || !confirms {
		t.Fatalf("first next = %d, %v", off, confirms)
	}
	for _, id := range []int64{10, 11, 12} {
		if !o.take(id, t0) {
			t.Fatalf("take(%d) refused", id)
		}
	}
	if o.take(11, t0) || !o.known(12) || o.known(13) {
		t.Fatal("an update taken twice, or known wrong")
	}
	o.settled(11, true)
	o.settled(10, false) // shutdown: stays in flight
	if n, moved := o.pending(); n != 2 || !moved {
		t.Fatalf("pending = %d, %v", n, moved)
	}
	select {
	case <-o.progress:
	default:
		t.Fatal("no progress signal")
	}
	if off, confirms := o.next(t0); off != 10 || confirms {
		t.Fatalf("next with 10 in flight = %d, %v", off, confirms)
	}
	if _, moved := o.pending(); moved {
		t.Fatal("next did not reset moved")
	}
	o.settled(10, true)
	o.settled(12, true)
	off, confirms := o.next(t0)
	if off != 13 || !confirms {
		t.Fatalf("next when all settled = %d, %v", off, confirms)
	}
	// Not yet confirmed: the silence does not reset highest.
	if off, _ := o.next(t0.Add(renumberAfter + time.Second)); off != 13 {
		t.Fatalf("reset before confirmation: %d", off)
	}
	o.answered(confirms)
	if off, _ := o.next(t0.Add(renumberAfter + time.Second)); off != 0 {
		t.Fatalf("after a confirmed silence next = %d, want 0", off)
	}
	if !o.take(3, t0) {
		t.Fatal("a renumbered low ID was refused")
	}
}
