// Package flowstest holds what tests of stores and transports share: an
// in-memory store with the exact semantics of the SQLite store, and the
// conformance suites every store implementation runs (RunStoreSuite for
// flows.Store, RunOutboxSuite for the transport's outbox store).
//
// It imports only flows, where the store contract (flows.Store,
// flows.OutboxStore) is declared.
package flowstest

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/redress-legal/redress/flows"
)

// OutboxStore is what RunOutboxSuite checks: flows.OutboxStore, the
// contract declared once in flows, plus Pending, with which the suite looks
// at the whole outbox (transports do not need it).
type OutboxStore interface {
	flows.OutboxStore
	// Pending returns up to limit undelivered outbox rows, oldest first.
	Pending(ctx context.Context, limit int) ([]flows.Outgoing, error)
}

// ErrChatMismatch is returned by Commit when an outbox row names a chat
// other than the commit's, and by Delivered when the row belongs to
// another chat.
var ErrChatMismatch = flows.ErrChatMismatch

// ErrInvalid is returned for arguments no store accepts: an empty session
// key, a negative revision or update ID.
var ErrInvalid = flows.ErrInvalid

var (
	_ flows.Store         = (*MemStore)(nil)
	_ flows.OutboxStore   = (*MemStore)(nil)
	_ flows.EvidenceStore = (*MemStore)(nil)
	_ OutboxStore         = (*MemStore)(nil)
	_ EvidenceStore       = (*MemStore)(nil)
)

// MemStore is an in-memory flows.Store and OutboxStore, safe for concurrent
// use, with the same semantics as the SQLite store in package data. States
// are kept as JSON, so what round-trips here round-trips there.
//
// Semantics shared with data.DB (and checked by the suites):
//   - Put and Commit stamp Session.Updated with the store's clock; the
//     caller's Updated is ignored.
//   - Commit with UpdateID 0 records no update (no duplicate detection);
//     with an empty Session.Key it stores no session.
//   - Commit checks, in order: arguments, duplicate update, revision.
//   - Outbox rows go to Commit.Chat; a row whose Chat is set to another chat
//     fails the whole commit with ErrChatMismatch.
//   - Pending with limit <= 0 returns every pending row.
//   - Delivered of a row that no longer exists (delivered before, dropped by
//     Inactive or a delete) does nothing and returns nil.
//   - RecentSent lists message IDs in the order they were recorded.
type MemStore struct {
	mu       sync.Mutex
	now      func() time.Time
	fault    func(method string) error
	sessions map[string]memSession
	updates  map[int64]time.Time // update ID → when it was committed
	outbox   []flows.Outgoing    // ordered by ID
	nextID   int64
	sent     map[int64][]memSent
	chats    map[int64]bool                  // chat -> inactive; only chats ever marked inactive
	evidence map[string][]flows.EvidenceItem // session key -> log, in Seq order
}

type memSession struct {
	rev     int64
	updated time.Time
	state   []byte // JSON, like the SQLite store's plaintext
}

type memSent struct {
	messageID int64
	at        time.Time
}

// NewMemStore returns an empty store using the real clock.
func NewMemStore() *MemStore {
	return &MemStore{
		now:      time.Now,
		sessions: map[string]memSession{},
		updates:  map[int64]time.Time{},
		sent:     map[int64][]memSent{},
		chats:    map[int64]bool{},
		evidence: map[string][]flows.EvidenceItem{},
	}
}

// SetClock replaces the clock that stamps sessions and sent messages.
func (m *MemStore) SetClock(now func() time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.now = now
}

// SetFault installs a hook called at the start of every store method with
// the method's name ("Get", "Commit", ...); a non-nil error it returns is
// returned by the method, which then changes nothing. Nil removes the hook.
func (m *MemStore) SetFault(fault func(method string) error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fault = fault
}

// IsInactive reports whether chat is marked inactive.
func (m *MemStore) IsInactive(chat int64) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.chats[chat]
}

// Keys lists the stored session keys, sorted.
func (m *MemStore) Keys() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	keys := make([]string, 0, len(m.sessions))
	for k := range m.sessions {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// begin locks the store and runs the context and fault checks; on success
// the caller must unlock.
func (m *MemStore) begin(ctx context.Context, method string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: %s: %w", method, err)
	}
	m.mu.Lock()
	if m.fault != nil {
		if err := m.fault(method); err != nil {
			m.mu.Unlock()
			return err
		}
	}
	return nil
}

// stamp returns the clock's time as the SQLite store stores it: UTC,
// nanosecond precision, no monotonic reading.
func (m *MemStore) stamp() time.Time {
	return time.Unix(0, m.now().UnixNano()).UTC()
}

// Get returns the session stored under key, or flows.ErrNotFound.
func (m *MemStore) Get(ctx context.Context, key string) (flows.Session, error) {
	if err := m.begin(ctx, "Get"); err != nil {
		return flows.Session{}, err
	}
	defer m.mu.Unlock()
	ms, ok := m.sessions[key]
	if !ok {
		return flows.Session{}, fmt.Errorf("memstore: get %q: %w", key, flows.ErrNotFound)
	}
	var st flows.State
	if err := json.Unmarshal(ms.state, &st); err != nil {
		return flows.Session{}, fmt.Errorf("memstore: get %q: decode state: %w", key, err)
	}
	return flows.Session{Key: key, State: st, Rev: ms.rev, Updated: ms.updated}, nil
}

// Put stores s if the stored revision equals s.Rev (0: none stored) and
// returns it with its new revision and time; otherwise flows.ErrConflict.
func (m *MemStore) Put(ctx context.Context, s flows.Session) (flows.Session, error) {
	if err := m.begin(ctx, "Put"); err != nil {
		return flows.Session{}, err
	}
	defer m.mu.Unlock()
	if err := s.Check(); err != nil {
		return flows.Session{}, fmt.Errorf("memstore: put: %w", err)
	}
	out, err := m.cas(s)
	if err != nil {
		return flows.Session{}, fmt.Errorf("memstore: put %q: %w", s.Key, err)
	}
	return out, nil
}

// cas compare-and-swaps s; the caller holds the lock.
func (m *MemStore) cas(s flows.Session) (flows.Session, error) {
	cur, ok := m.sessions[s.Key]
	if (!ok && s.Rev != 0) || (ok && cur.rev != s.Rev) {
		return flows.Session{}, flows.ErrConflict
	}
	data, err := json.Marshal(s.State)
	if err != nil {
		return flows.Session{}, fmt.Errorf("encode state: %w", err)
	}
	s.Rev++
	s.Updated = m.stamp()
	m.sessions[s.Key] = memSession{rev: s.Rev, updated: s.Updated, state: data}
	return s, nil
}

// Delete removes the session stored under key and its evidence log.
// Deleting nothing is not an error.
func (m *MemStore) Delete(ctx context.Context, key string) error {
	if err := m.begin(ctx, "Delete"); err != nil {
		return err
	}
	defer m.mu.Unlock()
	delete(m.sessions, key)
	delete(m.evidence, key)
	return nil
}

// PurgeIdle removes the sessions last updated before before and says how
// many, then the evidence logs left without a session and not changed
// since before.
func (m *MemStore) PurgeIdle(ctx context.Context, before time.Time) (int, error) {
	if err := m.begin(ctx, "PurgeIdle"); err != nil {
		return 0, err
	}
	defer m.mu.Unlock()
	n := 0
	for k, s := range m.sessions {
		if s.updated.Before(before) {
			delete(m.sessions, k)
			n++
		}
	}
	m.purgeEvidence(before)
	return n, nil
}

// Commit applies c atomically: it records the update, compare-and-swaps
// the session (or deletes everything of the key and chat) and appends the
// outbox rows, setting the ID of each c.Outbox row in place. It returns flows.ErrDuplicate or flows.ErrConflict having
// changed nothing.
func (m *MemStore) Commit(ctx context.Context, c flows.Commit) error {
	if err := m.begin(ctx, "Commit"); err != nil {
		return err
	}
	defer m.mu.Unlock()
	if err := c.Check(); err != nil {
		return fmt.Errorf("memstore: commit update %d: %w", c.UpdateID, err)
	}
	if at, seen := m.updates[c.UpdateID]; c.UpdateID != 0 && seen && m.stamp().Sub(at) <= flows.DuplicateWindow {
		return fmt.Errorf("memstore: commit update %d: %w", c.UpdateID, flows.ErrDuplicate)
	}
	if c.Delete {
		delete(m.sessions, c.Session.Key)
		delete(m.evidence, c.Session.Key)
		m.dropOutbox(c.Chat)
		delete(m.sent, c.Chat)
		delete(m.chats, c.Chat)
	} else {
		if c.Session.Key != "" {
			if _, err := m.cas(c.Session); err != nil {
				return fmt.Errorf("memstore: commit update %d: session %q: %w", c.UpdateID, c.Session.Key, err)
			}
		}
		if _, ok := m.chats[c.Chat]; ok {
			m.chats[c.Chat] = false
		}
	}
	if c.UpdateID != 0 {
		m.updates[c.UpdateID] = m.stamp()
	}
	for i, o := range c.Outbox {
		m.nextID++
		c.Outbox[i].ID = m.nextID
		m.outbox = append(m.outbox, flows.Outgoing{
			ID:      m.nextID,
			Chat:    c.Chat,
			Method:  o.Method,
			Payload: clone(o.Payload),
		})
	}
	// Rows for other chats (a hand-off's relays) go to their own chat.
	// Counters and cases are kept by the SQLite store only.
	for i, o := range c.Relay {
		m.nextID++
		c.Relay[i].ID = m.nextID
		m.outbox = append(m.outbox, flows.Outgoing{ID: m.nextID, Chat: o.Chat, Method: o.Method, Payload: clone(o.Payload)})
	}
	return nil
}

// dropOutbox removes the pending rows of chat; the caller holds the lock.
func (m *MemStore) dropOutbox(chat int64) {
	kept := m.outbox[:0]
	for _, o := range m.outbox {
		if o.Chat != chat {
			kept = append(kept, o)
		}
	}
	clear(m.outbox[len(kept):])
	m.outbox = kept
}

// Pending returns up to limit undelivered outbox rows (all if limit <= 0),
// oldest first.
func (m *MemStore) Pending(ctx context.Context, limit int) ([]flows.Outgoing, error) {
	if err := m.begin(ctx, "Pending"); err != nil {
		return nil, err
	}
	defer m.mu.Unlock()
	n := len(m.outbox)
	if limit > 0 && limit < n {
		n = limit
	}
	out := make([]flows.Outgoing, n)
	for i := range out {
		o := m.outbox[i]
		o.Payload = clone(o.Payload)
		out[i] = o
	}
	return out, nil
}

// PendingChats lists the chats that have undelivered outbox rows, in
// ascending order.
func (m *MemStore) PendingChats(ctx context.Context) ([]int64, error) {
	if err := m.begin(ctx, "PendingChats"); err != nil {
		return nil, err
	}
	defer m.mu.Unlock()
	seen := map[int64]bool{}
	var chats []int64
	for _, o := range m.outbox {
		if !seen[o.Chat] {
			seen[o.Chat] = true
			chats = append(chats, o.Chat)
		}
	}
	sort.Slice(chats, func(i, j int) bool { return chats[i] < chats[j] })
	return chats, nil
}

// PendingFor returns up to limit undelivered outbox rows of chat with an
// ID above after (all if limit <= 0), oldest first.
func (m *MemStore) PendingFor(ctx context.Context, chat, after int64, limit int) ([]flows.Outgoing, error) {
	if err := m.begin(ctx, "PendingFor"); err != nil {
		return nil, err
	}
	defer m.mu.Unlock()
	var out []flows.Outgoing
	for _, o := range m.outbox {
		if o.Chat != chat || o.ID <= after {
			continue
		}
		if limit > 0 && len(out) == limit {
			break
		}
		o.Payload = clone(o.Payload)
		out = append(out, o)
	}
	return out, nil
}

// Delivered removes the outbox rows of chat that ds name and records each
// non-zero message ID as sent to chat now, all or nothing. A row that no
// longer exists is not an error; a row of another chat fails the call.
func (m *MemStore) Delivered(ctx context.Context, chat int64, ds ...flows.Delivery) error {
	if err := m.begin(ctx, "Delivered"); err != nil {
		return err
	}
	defer m.mu.Unlock()
	find := func(id int64) int {
		i := sort.Search(len(m.outbox), func(i int) bool { return m.outbox[i].ID >= id })
		if i == len(m.outbox) || m.outbox[i].ID != id {
			return -1
		}
		return i
	}
	for _, d := range ds {
		if i := find(d.Row); i >= 0 && m.outbox[i].Chat != chat {
			return fmt.Errorf("memstore: delivered row %d: chat %d, not %d: %w", d.Row, m.outbox[i].Chat, chat, ErrChatMismatch)
		}
	}
	for _, d := range ds {
		i := find(d.Row)
		if i < 0 {
			continue
		}
		m.outbox = append(m.outbox[:i], m.outbox[i+1:]...)
		if d.MessageID != 0 {
			m.sent[chat] = append(m.sent[chat], memSent{messageID: d.MessageID, at: m.stamp()})
		}
	}
	return nil
}

// Inactive marks chat as unreachable and drops its pending outbox rows.
func (m *MemStore) Inactive(ctx context.Context, chat int64) error {
	if err := m.begin(ctx, "Inactive"); err != nil {
		return err
	}
	defer m.mu.Unlock()
	m.chats[chat] = true
	m.dropOutbox(chat)
	return nil
}

// LastUpdateID returns the highest update ID committed within
// flows.DuplicateWindow (0 if none).
func (m *MemStore) LastUpdateID(ctx context.Context) (int64, error) {
	if err := m.begin(ctx, "LastUpdateID"); err != nil {
		return 0, err
	}
	defer m.mu.Unlock()
	var last int64
	for id, at := range m.updates {
		if m.stamp().Sub(at) <= flows.DuplicateWindow {
			last = max(last, id)
		}
	}
	return last, nil
}

// RecentSent lists the message IDs recorded for chat at or after since, in
// the order they were recorded.
func (m *MemStore) RecentSent(ctx context.Context, chat int64, since time.Time) ([]int64, error) {
	if err := m.begin(ctx, "RecentSent"); err != nil {
		return nil, err
	}
	defer m.mu.Unlock()
	var ids []int64
	for _, s := range m.sent[chat] {
		if !s.at.Before(since) {
			ids = append(ids, s.messageID)
		}
	}
	return ids, nil
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}
