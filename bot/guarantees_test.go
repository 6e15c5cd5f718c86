package bot_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redress-legal/redress/bot"
	"github.com/redress-legal/redress/bot/telegramtest"
	"github.com/redress-legal/redress/flows"
)

// echo is an engine that answers every text with itself, so that the order
// of replies shows the order of handling. It records how many updates ran
// at once, overall and per chat (the chat is the text's prefix).
type echo struct {
	mu        sync.Mutex
	active    int
	maxActive int
	perChat   map[string]int
	overlap   bool
}

func (e *echo) step(_ *flows.Flow, s flows.State, in flows.Input) (flows.State, flows.Reply) {
	chat, _, _ := strings.Cut(in.Text, "-")
	e.mu.Lock()
	e.active++
	e.maxActive = max(e.maxActive, e.active)
	e.perChat[chat]++
	if e.perChat[chat] > 1 {
		e.overlap = true
	}
	e.mu.Unlock()
	time.Sleep(time.Millisecond) // give a wrongly concurrent chat the chance to show it
	e.mu.Lock()
	e.active--
	e.perChat[chat]--
	e.mu.Unlock()
	s.Flow, s.Node = "echo", "echo"
	return s, flows.Reply{Event: "echo", Messages: []flows.Message{{ID: "echo", Params: map[string]any{"t": in.Text}}}}
}

// TestOrderPerChat sends 30 messages in each of 20 chats at once: each chat
// gets its 30 replies in order, one chat's updates never run at the same
// time, and no more run at once than the configured workers.
func TestOrderPerChat(t *testing.T) {
	h := newHarness(t)
	e := &echo{perChat: map[string]int{}}
	const workers, chats, msgs = 4, 20, 30
	for i := 1; i <= msgs; i++ {
		for c := 1; c <= chats; c++ {
			h.api.SendText(telegramtest.User{ID: int64(c)}, fmt.Sprintf("%d-%d", c, i))
		}
	}
	h.start(func(c *bot.Config) { c.Step, c.Workers = e.step, workers })
	h.settled()
	for c := 1; c <= chats; c++ {
		var got []string
		for _, call := range h.api.CallsTo(int64(c), "sendMessage") {
			got = append(got, call.PlainText())
		}
		var want []string
		for i := 1; i <= msgs; i++ {
			want = append(want, fmt.Sprintf("echo {t=%d-%d}", c, i))
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("chat %d got replies\n%s\nwant\n%s", c, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	if e.overlap {
		t.Error("two updates of one chat were handled at the same time")
	}
	if e.maxActive > workers {
		t.Errorf("%d updates ran at once, more than the %d workers", e.maxActive, workers)
	}
}

// TestDuplicatesChangeNothing re-delivers every update of a finished case:
// the bot sends nothing more and the session does not move.
func TestDuplicatesChangeNothing(t *testing.T) {
	h := newHarness(t)
	h.start(nil)
	u := telegramtest.User{ID: 601, LanguageCode: "en"}
	walk(h, u)
	h.settled()
	before := len(telegramtest.Filter(h.api.Calls(), u.ID, ""))
	sess, err := h.store.Get(context.Background(), bot.SessionKey(u.ID))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range h.api.UpdateIDs() {
		h.api.Redeliver(id)
	}
	h.settled()
	if after := telegramtest.Filter(h.api.Calls(), u.ID, ""); len(after) != before {
		t.Errorf("re-delivered updates made %d more calls:\n%s", len(after)-before, transcript(after[before:], u.ID))
	}
	again, err := h.store.Get(context.Background(), bot.SessionKey(u.ID))
	if err != nil {
		t.Fatal(err)
	}
	if again.Rev != sess.Rev {
		t.Errorf("re-delivered updates moved the session from revision %d to %d", sess.Rev, again.Rev)
	}
	diff(t, "transcript", transcript(h.api.Calls(), u.ID), wantEnglish)
}

// TestFaultsAreRetried injects 429s with retry_after, 5xx errors and slow
// responses: the user sees exactly the same conversation.
func TestFaultsAreRetried(t *testing.T) {
	h := newHarness(t)
	h.api.Fail("sendMessage", 2, telegramtest.Fault{Status: 429, RetryAfter: 1})
	h.api.Fail("editMessageText", 3, telegramtest.Fault{Status: 500})
	h.api.Fail("answerCallbackQuery", 1, telegramtest.Fault{Status: 502})
	h.api.Fail("editMessageReplyMarkup", 2, telegramtest.Fault{Delay: 200 * time.Millisecond})
	h.api.Fail("getUpdates", 2, telegramtest.Fault{Status: 500})
	h.api.Fail("editMessageText", 1, telegramtest.Fault{Result: true}) // ok, but not a Message
	h.start(nil)
	u := telegramtest.User{ID: 602, LanguageCode: "en"}
	walk(h, u)
	h.settled()
	diff(t, "transcript", transcript(h.api.Calls(), u.ID), wantEnglish)
	status := map[int]int{}
	for _, c := range h.api.Calls() {
		status[c.Status]++
	}
	if status[429] != 2 || status[500] != 5 || status[502] != 1 {
		t.Errorf("faults not all injected: %v", status)
	}
	if status[400] != 0 {
		t.Errorf("%d calls refused: a call that had succeeded was repeated", status[400])
	}
}

// TestLostResponseRepeatsOneMessage: Telegram took a message but the answer
// never came. The sender cannot know and sends it again: that one message
// is repeated, nothing else.
func TestLostResponseRepeatsOneMessage(t *testing.T) {
	h := newHarness(t)
	h.api.Fail("sendMessage", 1, telegramtest.Fault{Lost: true})
	h.start(nil)
	u := telegramtest.User{ID: 603, LanguageCode: "en"}
	walk(h, u)
	h.settled()
	got := transcript(h.api.Calls(), u.ID)
	lines := strings.Split(got, "\n")
	if len(lines) < 2 || lines[0] != lines[1] {
		t.Fatalf("want the first message repeated once, got:\n%s", got)
	}
	// walk waited for message IDs that the repeat shifted by one.
	want := strings.NewReplacer("~ #3 ", "~ #4 ", "~kb #4 ", "~kb #5 ", "~ #4 ", "~ #5 ").Replace(wantEnglish)
	diff(t, "transcript without the repeat", strings.Join(lines[1:], "\n"), want)
}

// TestBlockedChat: a user blocked the bot. The chat is marked inactive at
// the first 403, its other replies dropped, and nothing is retried; other
// chats are not held up.
func TestBlockedChat(t *testing.T) {
	h := newHarness(t)
	h.start(nil)
	blocked := telegramtest.User{ID: 604, LanguageCode: "en"}
	h.api.Block(blocked.ID)
	h.api.SendCommand(blocked, "/start") // two messages to send: intro and question
	u := telegramtest.User{ID: 605, LanguageCode: "en"}
	walk(h, u)
	h.settled()
	diff(t, "transcript", transcript(h.api.Calls(), u.ID), wantEnglish)
	if !h.store.IsInactive(blocked.ID) {
		t.Error("blocked chat not marked inactive")
	}
	tries := 0
	for _, c := range h.api.Calls() {
		if c.Chat() == blocked.ID {
			tries++
		}
	}
	if tries != 1 {
		t.Errorf("%d calls to the blocked chat, want the 1 that found out", tries)
	}
}

// TestRestartLosesNothing stops the bot twice in the middle of a case: once
// while the store refuses commits (the update is not confirmed to Telegram
// and comes again), once while Telegram fails every send (the replies stay
// in the outbox). Each time a new bot on the same store finishes the work:
// the user sees the whole case exactly once.
func TestRestartLosesNothing(t *testing.T) {
	h := newHarness(t)
	short := func(c *bot.Config) { c.DrainTimeout = 300 * time.Millisecond }
	u := telegramtest.User{ID: 606, LanguageCode: "en"}

	// 1. The outbox cannot be delivered when the bot stops.
	h.api.Fail("sendMessage", 1<<30, telegramtest.Fault{Status: 500})
	h.start(short)
	h.api.SendCommand(u, "/start")
	h.eventually("the start to be committed", func() bool { return h.api.Pending() == 0 })
	h.stop()
	h.api.ClearFaults()
	h.start(short)
	h.waitFor(u, "t.danger.ask")
	h.press(u, "v1:danger:safe")
	h.waitFor(u, "t.what.ask")

	// 2. The store fails while an update is in progress.
	var failed atomic.Int32
	h.store.SetFault(func(method string) error {
		if method == "Commit" {
			failed.Add(1)
			return errors.New("disk I/O error")
		}
		return nil
	})
	h.press(u, "v1:what:lies")
	h.eventually("a failed commit", func() bool { return failed.Load() > 0 })
	h.stop()
	if h.api.Pending() == 0 {
		t.Fatal("an update that was never committed was confirmed to Telegram")
	}
	h.store.SetFault(nil)
	h.start(nil)
	h.waitCount(u, "editMessageReplyMarkup", 1)
	h.press(u, "v1:what:abuse")
	h.waitCount(u, "editMessageReplyMarkup", 2)
	h.press(u, "v1:what:!d")
	h.waitFor(u, "t.views.ask")
	h.api.SendText(u, "6 000")
	h.waitFor(u, "t.story.ask")
	h.api.SendText(u, secretStory)
	h.waitFor(u, "t.done")
	h.settled()
	diff(t, "transcript", transcript(h.api.Calls(), u.ID), wantEnglish)
}

// TestHundredChats runs 100 users through whole cases at once, half in
// Chinese: every chat sees exactly its conversation, with no error logged.
func TestHundredChats(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
	h := newHarness(t)
	h.start(nil)
	var wg sync.WaitGroup
	for i := range 100 {
		u := telegramtest.User{ID: int64(1000 + i), LanguageCode: "en"}
		if i%2 == 1 {
			u.LanguageCode = "zh-CN"
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			walk(h, u)
		}()
	}
	wg.Wait()
	h.settled()
	calls := h.api.Calls()
	for i := range 100 {
		id := int64(1000 + i)
		want := wantEnglish
		if i%2 == 1 {
			want = inChinese(wantEnglish)
		}
		diff(t, "chat "+strconv.Itoa(i), transcript(calls, id), want)
	}
	for _, c := range calls {
		if !c.OK() && c.Method != "getUpdates" {
			t.Errorf("call failed: %s %d", c.Method, c.Status)
		}
	}
	if strings.Contains(h.logs.String(), "level=ERROR") {
		t.Errorf("errors logged:\n%s", h.logs.String())
	}
}

// TestRefusedHTMLIsSentAsPlainText: should Telegram ever refuse our HTML,
// the message goes out as plain text rather than being lost.
func TestRefusedHTMLIsSentAsPlainText(t *testing.T) {
	h := newHarness(t)
	h.api.Fail("sendMessage", 1, telegramtest.Fault{Status: 400, Description: "Bad Request: can't parse entities: unsupported start tag"})
	h.start(nil)
	u := telegramtest.User{ID: 607, LanguageCode: "en"}
	begin(h, u)
	h.settled()
	sends := h.api.CallsTo(u.ID, "sendMessage")
	if len(sends) != 2 || sends[0].PlainText() != "t.intro" || sends[0].Params["parse_mode"] != "" {
		t.Errorf("want the intro resent without parse_mode, got:\n%s", transcriptAll(h.api.Calls()))
	}
}

// recordingStore remembers, for each Delivered call, the rows it recorded
// (method and edited message), as the commits put them in the outbox.
type recordingStore struct {
	bot.Store
	mu      sync.Mutex
	rows    map[int64]string // outbox row → method, and #message for edits
	batches [][]string
}

func (s *recordingStore) Commit(ctx context.Context, c flows.Commit) error {
	if err := s.Store.Commit(ctx, c); err != nil {
		return err
	}
	s.mu.Lock()
	for _, r := range c.Outbox {
		var p struct {
			MessageID int `json:"message_id"`
		}
		if len(r.Payload) > 2 { // two bytes of format and flags, then the body
			_ = json.Unmarshal(r.Payload[2:], &p)
		}
		desc := r.Method
		if p.MessageID != 0 {
			desc += fmt.Sprintf(" #%d", p.MessageID)
		}
		s.rows[r.ID] = desc
	}
	s.mu.Unlock()
	return nil
}

func (s *recordingStore) Delivered(ctx context.Context, chat int64, ds ...flows.Delivery) error {
	if err := s.Store.Delivered(ctx, chat, ds...); err != nil {
		return err
	}
	s.mu.Lock()
	var b []string
	for _, d := range ds {
		b = append(b, s.rows[d.Row])
	}
	s.batches = append(s.batches, b)
	s.mu.Unlock()
	return nil
}

// TestInvisibleCallsRecordedWithTheNext: the calls whose repetition nobody
// can see (answering a button, an edit, a deletion) are recorded together
// with the call that follows them; a message is recorded before the next
// call is made, so a crash can still repeat at most one message; and two
// edits of one message are never held together (made again, the first
// would undo the second).
func TestInvisibleCallsRecordedWithTheNext(t *testing.T) {
	h := newHarness(t)
	st := &recordingStore{Store: h.store, rows: map[int64]string{}}
	h.start(func(c *bot.Config) { c.Store = st })
	u := telegramtest.User{ID: 611, LanguageCode: "en"}
	walk(h, u)
	h.settled()
	h.stop()

	rows := 0
	for _, b := range st.batches {
		rows += len(b)
		edited := map[string]bool{}
		for i, r := range b {
			if r == "sendMessage" && i != len(b)-1 {
				t.Errorf("a message recorded together with a call made after it: %v", b)
			}
			if strings.HasPrefix(r, "edit") {
				msg := r[strings.IndexByte(r, '#'):]
				if edited[msg] {
					t.Errorf("two edits of message %s held together: %v", msg, b)
				}
				edited[msg] = true
			}
		}
	}
	if calls := len(telegramtest.Filter(h.api.Calls(), u.ID, "")); rows != calls {
		t.Errorf("%d rows recorded, %d calls made", rows, calls)
	}
	// The first press: its answer and edit are recorded with the next question.
	if len(st.batches) < 3 || strings.Join(st.batches[2], "+") != "answerCallbackQuery+editMessageText #3+sendMessage" {
		t.Errorf("Delivered calls: %q; want the third to hold the first press's three calls", st.batches)
	}
	if len(st.batches) >= rows {
		t.Errorf("%d Delivered calls for %d rows: nothing was held", len(st.batches), rows)
	}
}

// TestHeldCallsRepeatUnseen: the bot stops after it made a press's answer,
// edit and next question but before it could record them. The next bot
// makes the three again: Telegram refuses the answer and the edit, and
// the user sees the question twice, the one repeat allowed, and nothing else.
func TestHeldCallsRepeatUnseen(t *testing.T) {
	h := newHarness(t)
	u := telegramtest.User{ID: 612, LanguageCode: "en"}
	h.start(func(c *bot.Config) { c.DrainTimeout = 300 * time.Millisecond })
	h.api.SendCommand(u, "/start")
	h.waitFor(u, "t.danger.ask")
	h.settled()
	var refused atomic.Int32
	h.store.SetFault(func(method string) error {
		if method == "Delivered" {
			refused.Add(1)
			return errors.New("disk I/O error")
		}
		return nil
	})
	h.press(u, "v1:danger:safe")
	h.waitFor(u, "t.what.ask")
	h.eventually("a refused record", func() bool { return refused.Load() > 0 })
	h.stop()
	h.store.SetFault(nil)

	h.start(nil)
	h.waitCount(u, "sendMessage", 4) // the question again
	h.settled()
	got := transcript(h.api.Calls(), u.ID)
	want := `> t.intro
> t.danger.ask [t.danger.now | t.danger.safe]
ack
~ #3 t.danger.ask / tg.answer {answer=t.danger.safe}
> t.what.ask [t.what.lies | t.what.abuse | t.what.none | tg.multi.done]
> t.what.ask [t.what.lies | t.what.abuse | t.what.none | tg.multi.done]
`
	diff(t, "transcript", got, want)
	var refusedCalls []string
	for _, c := range h.api.Calls() {
		if !c.OK() && (c.Chat() == u.ID || c.Method == "answerCallbackQuery") {
			refusedCalls = append(refusedCalls, c.Method)
		}
	}
	if strings.Join(refusedCalls, " ") != "answerCallbackQuery editMessageText" {
		t.Errorf("refused calls after the restart: %v, want the answer and the edit made again", refusedCalls)
	}
}

// countingStore counts the session reads.
type countingStore struct {
	bot.Store
	gets atomic.Int32
}

func (s *countingStore) Get(ctx context.Context, key string) (flows.Session, error) {
	s.gets.Add(1)
	return s.Store.Get(ctx, key)
}

// TestSessionReadOnceWhileActive: a chat in the middle of its case has its
// session read from the store once; a session changed behind the bot's back
// (here: removed, as retention would) is not overwritten from memory, the
// commit conflicts and the store is read again; after the cache's time a
// session is read again too.
func TestSessionReadOnceWhileActive(t *testing.T) {
	h := newHarness(t)
	st := &countingStore{Store: h.store}
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	h.start(func(c *bot.Config) { c.Store = st; c.Now = clock })
	u := telegramtest.User{ID: 613, LanguageCode: "en"}
	walk(h, u)
	h.settled()
	if n := st.gets.Load(); n != 1 {
		t.Errorf("%d session reads for one whole case, want 1", n)
	}

	// Behind the bot's back, the session goes.
	if err := h.store.Delete(context.Background(), bot.SessionKey(u.ID)); err != nil {
		t.Fatal(err)
	}
	h.api.SendCommand(u, "/back")
	h.waitCount(u, "sendMessage", 7)
	h.settled()
	if n := st.gets.Load(); n != 2 {
		t.Errorf("%d session reads after the session changed in the store, want 2", n)
	}
	s, err := h.store.Get(context.Background(), bot.SessionKey(u.ID))
	if err != nil || s.Rev != 1 {
		t.Errorf("session after the conflict: rev %d, %v; want a new session (rev 1), not the old one written back", s.Rev, err)
	}

	// Six minutes later the session is read again.
	mu.Lock()
	now = now.Add(6 * time.Minute)
	mu.Unlock()
	h.api.SendCommand(u, "/back")
	h.waitCount(u, "sendMessage", 8)
	h.settled()
	if n := st.gets.Load(); n != 3 {
		t.Errorf("%d session reads after six idle minutes, want 3", n)
	}
}
