package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redress-legal/redress/bot"
	"github.com/redress-legal/redress/bot/telegramtest"
	"github.com/redress-legal/redress/flows"
)

// storedText commits an outbox row for chat directly into the store, as a
// previous run (or anything but this bot's handler) would have left it.
func storedText(t *testing.T, h *harness, update, chat int64, text string) {
	t.Helper()
	p, err := json.Marshal(map[string]any{"text": text})
	if err != nil {
		t.Fatal(err)
	}
	err = h.store.Commit(context.Background(), flows.Commit{UpdateID: update, Chat: chat,
		Outbox: []flows.Outgoing{{Method: "sendMessage", Payload: p}}})
	if err != nil {
		t.Fatal(err)
	}
}

// slowScan holds the first PendingChats until first is closed.
type slowScan struct {
	bot.Store
	first chan struct{}
	once  sync.Once
}

func (s *slowScan) PendingChats(ctx context.Context) ([]int64, error) {
	s.once.Do(func() { <-s.first })
	return s.Store.PendingChats(ctx)
}

// TestLeftoverRowsGoFirst: replies left in the outbox by an earlier run are
// delivered before the replies to a new update of the same chat, even when
// that update is committed before the sender has looked at the store.
func TestLeftoverRowsGoFirst(t *testing.T) {
	h := newHarness(t)
	e := &echo{perChat: map[string]int{}}
	const chat = 701
	for i := 1; i <= 3; i++ {
		storedText(t, h, int64(900+i), chat, fmt.Sprintf("old-%d", i))
	}
	// The first look at the store is slow: the new update is handled first.
	slow := &slowScan{Store: h.store, first: make(chan struct{})}
	h.api.SendText(telegramtest.User{ID: chat}, "701-new")
	h.start(func(c *bot.Config) { c.Step, c.Store = e.step, slow })
	h.eventually("the new update to be committed", func() bool { return h.api.Pending() == 0 })
	close(slow.first)
	h.settled()
	var got []string
	for _, c := range h.api.CallsTo(chat, "sendMessage") {
		got = append(got, c.PlainText())
	}
	want := []string{"old-1", "old-2", "old-3", "echo {t=701-new}"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("chat got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestRowsNotHandedOverAreFound: rows that reach the store other than
// through this bot's handler (another process, a store that does not
// report row IDs) are found by the periodic scan and delivered in order.
func TestRowsNotHandedOverAreFound(t *testing.T) {
	h := newHarness(t)
	h.start(nil)
	const chat = 702
	// Wait until the bot polls: it is running and has scanned the store.
	h.eventually("the first poll", func() bool { return len(h.api.Calls()) > 0 })
	for i := 1; i <= 3; i++ {
		storedText(t, h, int64(950+i), chat, fmt.Sprintf("late-%d", i))
	}
	h.settled()
	var got []string
	for _, c := range h.api.CallsTo(chat, "sendMessage") {
		got = append(got, c.PlainText())
	}
	if want := "late-1 late-2 late-3"; strings.Join(got, " ") != want {
		t.Errorf("chat got %q, want %q", strings.Join(got, " "), want)
	}
}

// TestStoreReadFailureIsRetried: while the store cannot list the outbox at
// start, nothing is delivered (leftovers must go first); once it can, the
// leftovers and then the new replies arrive, in order.
func TestStoreReadFailureIsRetried(t *testing.T) {
	h := newHarness(t)
	e := &echo{perChat: map[string]int{}}
	const chat = 703
	storedText(t, h, 990, chat, "old")
	var mu sync.Mutex
	failing := true
	h.store.SetFault(func(method string) error {
		mu.Lock()
		defer mu.Unlock()
		if failing && (method == "PendingChats" || method == "PendingFor") {
			return fmt.Errorf("disk I/O error")
		}
		return nil
	})
	h.api.SendText(telegramtest.User{ID: chat}, "703-new")
	h.start(func(c *bot.Config) { c.Step = e.step })
	h.eventually("the update to be committed", func() bool { return h.api.Pending() == 0 })
	if n := len(h.api.CallsTo(chat, "sendMessage")); n != 0 {
		t.Fatalf("%d messages sent before the store could be read", n)
	}
	mu.Lock()
	failing = false
	mu.Unlock()
	h.settled()
	var got []string
	for _, c := range h.api.CallsTo(chat, "sendMessage") {
		got = append(got, c.PlainText())
	}
	if want := "old|echo {t=703-new}"; strings.Join(got, "|") != want {
		t.Errorf("chat got %q, want %q", strings.Join(got, "|"), want)
	}
}

// slowHandOver holds every Commit of chat for a while after the store has
// it, before the bot can hand its rows to the sender: the scans that run
// meanwhile see the rows in the store first.
type slowHandOver struct {
	bot.Store
	chat int64
	hold time.Duration
}

func (s *slowHandOver) Commit(ctx context.Context, c flows.Commit) error {
	err := s.Store.Commit(ctx, c)
	if err == nil && c.Chat == s.chat {
		time.Sleep(s.hold)
	}
	return err
}

// TestRowsSeenInTheStoreBeforeTheHandOverGoOnce: a scan (every 20 ms here)
// that finds a commit's rows in the store before the handler has handed
// them over must not make them go twice.
func TestRowsSeenInTheStoreBeforeTheHandOverGoOnce(t *testing.T) {
	h := newHarness(t)
	e := &echo{perChat: map[string]int{}}
	const chat = 704
	slow := &slowHandOver{Store: h.store, chat: chat, hold: 150 * time.Millisecond}
	h.start(func(c *bot.Config) { c.Step, c.Store = e.step, slow })
	for i := 1; i <= 3; i++ {
		h.api.SendText(telegramtest.User{ID: chat}, fmt.Sprintf("704-%d", i))
	}
	h.settled()
	var got []string
	for _, c := range h.api.CallsTo(chat, "sendMessage") {
		got = append(got, c.PlainText())
	}
	if want := "echo {t=704-1}|echo {t=704-2}|echo {t=704-3}"; strings.Join(got, "|") != want {
		t.Errorf("chat got %q, want %q", strings.Join(got, "|"), want)
	}
}
