package bot

import (
	"testing"
	"time"

	"github.com/redress-legal/redress/flows"
)

func TestSessionCache(t *testing.T) {
	t0 := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	c := newSessionCache(2, time.Minute)
	c.put(flows.Session{Key: "a", Rev: 1}, t0)
	c.put(flows.Session{Key: "b", Rev: 4}, t0.Add(time.Second))
	if s, ok := c.get("a", t0.Add(2*time.Second)); !ok || s.Rev != 1 {
		t.Fatalf("get(a) = %+v, %v", s, ok)
	}
	// "a" was used last: a third session pushes out "b".
	c.put(flows.Session{Key: "c", Rev: 1}, t0.Add(3*time.Second))
	if _, ok := c.get("b", t0.Add(3*time.Second)); ok {
		t.Error("the least recently used session is still cached beyond the maximum")
	}
	c.put(flows.Session{Key: "a", Rev: 2}, t0.Add(4*time.Second))
	if s, _ := c.get("a", t0.Add(4*time.Second)); s.Rev != 2 {
		t.Errorf("get(a) after a new commit: rev %d, want 2", s.Rev)
	}
	c.drop("a")
	if _, ok := c.get("a", t0.Add(4*time.Second)); ok {
		t.Error("a dropped session is still cached")
	}
	// Older than the TTL: gone on get, and on prune without a get.
	if _, ok := c.get("c", t0.Add(3*time.Second+time.Minute+time.Millisecond)); ok {
		t.Error("a session older than the TTL is returned")
	}
	c.put(flows.Session{Key: "d", Rev: 1}, t0)
	c.prune(t0.Add(2 * time.Minute))
	if n := c.len(); n != 0 {
		t.Errorf("%d sessions cached after prune, want 0", n)
	}
}
