package tgfake

import (
	"context"
	"encoding/json"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Chat is one private chat between a fake user and the bot.
type Chat struct {
	ID   int64
	Lang string

	mu           sync.Mutex
	nextMsg      int            // message IDs count up per chat, both sides
	msgs         map[int]*msg   // the bot's messages
	calls        []Call         // accepted calls, in order
	hashes       []uint64       // hashes of calls compacted by Forget
	sends        int            // sendMessage calls accepted
	answers      int            // sendMessage calls that are not a repeat of the one before
	lastSend     uint64         // hash of the last sendMessage
	limitedUntil time.Time      // a 429's retry_after runs until then
	notify       chan struct{}  // closed and replaced on every accepted call
	sent         chan struct{}  // closed and replaced on every accepted sendMessage
	lastKB       int            // the latest bot message with buttons
	userMsgs     map[int]string // with KeepText: what the user sent, by message ID
}

// msg is the current state of one message the bot sent.
type msg struct {
	origin   uint64 // hash of the message as first sent: edits name their target by it
	textHash uint64
	kbHash   uint64
	text     string   // kept while it has buttons (a callback carries it)
	kb       []Button // flattened buttons; nil when none
	kbRaw    json.RawMessage
	deleted  bool
}

// chat returns the chat with id, creating it when create is set; nil when
// it does not exist and create is false.
func (s *Server) chat(id int64, create bool) *Chat {
	s.cmu.Lock()
	defer s.cmu.Unlock()
	c := s.chats[id]
	if c == nil && create {
		c = &Chat{ID: id, Lang: "en", msgs: map[int]*msg{}, notify: make(chan struct{}), sent: make(chan struct{})}
		s.chats[id] = c
	}
	return c
}

// Chat returns the chat with id, or nil.
func (s *Server) Chat(id int64) *Chat { return s.chat(id, false) }

// Forget drops a finished chat's messages and compacts its calls to their
// hashes, which is all CompareTranscripts needs; with Config.KeepText it
// keeps everything.
func (s *Server) Forget(id int64) {
	if c := s.chat(id, false); c != nil {
		c.mu.Lock()
		if !s.cfg.KeepText { // tests keep everything: a late edit is still checked
			c.msgs = nil
			for _, call := range c.calls {
				c.hashes = append(c.hashes, call.Hash)
			}
			c.calls = nil
		}
		c.mu.Unlock()
	}
}

// callHashes returns the hashes of all the chat's calls; the caller holds c.mu.
func (c *Chat) callHashes() []uint64 {
	hs := make([]uint64, 0, len(c.hashes)+len(c.calls))
	hs = append(hs, c.hashes...)
	for _, call := range c.calls {
		hs = append(hs, call.Hash)
	}
	return hs
}

func (s *Server) hash(parts ...string) uint64 {
	var h maphash.Hash
	h.SetSeed(s.seed)
	for _, p := range parts {
		h.WriteString(p)
		h.WriteByte(0)
	}
	return h.Sum64()
}

// callHash is s.hash(method, target in hex, text, kbHash in hex), without
// building the strings.
func (s *Server) callHash(method string, target uint64, text string, kbHash uint64) uint64 {
	var h maphash.Hash
	h.SetSeed(s.seed)
	var num [16]byte
	h.WriteString(method)
	h.WriteByte(0)
	h.Write(strconv.AppendUint(num[:0], target, 16))
	h.WriteByte(0)
	h.WriteString(text)
	h.WriteByte(0)
	h.Write(strconv.AppendUint(num[:0], kbHash, 16))
	h.WriteByte(0)
	return h.Sum64()
}

// record appends an accepted call to the chat; the caller holds c.mu.
// target identifies the message an edit changes (its origin hash), so that
// transcripts compare equal whatever the message IDs.
func (s *Server) record(c *Chat, at time.Time, method string, msgID int, target uint64, text string, kb []Button, kbHash uint64) uint64 {
	call := Call{
		Seq: s.seq.Add(1), At: at, Method: method, MessageID: msgID,
		Hash: s.callHash(method, target, text, kbHash),
	}
	if s.cfg.KeepText {
		call.Text, call.Keyboard = text, kb
	}
	c.calls = append(c.calls, call)
	if method == "sendMessage" {
		c.sends++
		if call.Hash != c.lastSend {
			c.answers++
		}
		c.lastSend = call.Hash
		close(c.sent)
		c.sent = make(chan struct{})
	}
	close(c.notify)
	c.notify = make(chan struct{})
	s.count(func(st *Stats) { st.Calls[method]++ })
	return call.Hash
}

// parsedKeyboard is a reply_markup read before.
type parsedKeyboard struct {
	kb   []Button // shared: never changed in place
	hash uint64
}

// maxKeyboards bounds the cache of keyboards read; a bot sends a few
// distinct ones again and again.
const maxKeyboards = 4096

// parseKeyboard reads reply_markup; it returns the flattened inline buttons
// (nil for none or for another kind of markup) and a hash of the markup.
// Markups read before come from a cache.
func (s *Server) parseKeyboard(raw string) ([]Button, uint64, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, 0, nil
	}
	s.kbmu.Lock()
	pk, ok := s.kbCache[raw]
	s.kbmu.Unlock()
	if ok {
		return pk.kb, pk.hash, nil
	}
	kb, hash, err := s.readKeyboard(raw)
	if err == nil {
		s.kbmu.Lock()
		if len(s.kbCache) < maxKeyboards {
			s.kbCache[raw] = parsedKeyboard{kb: kb, hash: hash}
		}
		s.kbmu.Unlock()
	}
	return kb, hash, err
}

func (s *Server) readKeyboard(raw string) ([]Button, uint64, error) {
	var m struct {
		InlineKeyboard [][]Button `json:"inline_keyboard"`
	}
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, 0, badRequest("can't parse reply keyboard markup JSON object")
	}
	var flat []Button
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if b.Text == "" {
				return nil, 0, badRequest("text buttons are unallowed in the inline keyboard")
			}
			if len(b.CallbackData) > 64 {
				return nil, 0, badRequest("BUTTON_DATA_INVALID")
			}
			flat = append(flat, b)
		}
	}
	if len(flat) == 0 {
		return nil, 0, nil
	}
	parts := make([]string, 0, 2*len(flat))
	for _, b := range flat {
		parts = append(parts, b.Text, b.CallbackData)
	}
	return flat, s.hash(parts...), nil
}

// chatFor resolves chat_id to a chat that exists.
func (s *Server) chatFor(p params) (*Chat, error) {
	id, ok := p.int64("chat_id")
	if !ok {
		return nil, badRequest("chat_id is empty")
	}
	c := s.chat(id, false)
	if c == nil {
		s.count(func(st *Stats) { st.UnknownChats++ })
		return nil, badRequest("chat not found")
	}
	return c, nil
}

func checkText(text string) error {
	if strings.TrimSpace(text) == "" {
		return badRequest("message text is empty")
	}
	if utf16Len(text) > 4096*2 { // HTML markup counts little; Telegram counts the visible text
		return badRequest("message is too long")
	}
	return nil
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// messageJSON is the answer to a call that returns a Message.
func (s *Server) messageJSON(c *Chat, id int, at time.Time, text string, kbRaw json.RawMessage) okBody {
	b := newOK(len(okPrefix) + 200 + len(s.botJSON) + 2*len(text) + len(kbRaw))
	b = appendMessageOut(b, c, id, at, s.botJSON, text, kbRaw)
	return okBody(append(b, '}'))
}

func (s *Server) sendMessage(p params, at time.Time) (any, error) {
	c, err := s.chatFor(p)
	if err != nil {
		return nil, err
	}
	text := p["text"]
	if err := checkText(text); err != nil {
		return nil, err
	}
	kb, kbHash, err := s.parseKeyboard(p["reply_markup"])
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nextMsg++
	id := c.nextMsg
	m := &msg{textHash: s.hash(text), kbHash: kbHash}
	var kbRaw json.RawMessage
	if kb != nil {
		m.text, m.kb = text, kb
		kbRaw = json.RawMessage(p["reply_markup"])
		m.kbRaw = kbRaw
		c.lastKB = id
	}
	m.origin = s.record(c, at, "sendMessage", id, 0, text, kb, kbHash)
	if c.msgs != nil {
		c.msgs[id] = m
	}
	return s.messageJSON(c, id, at, text, kbRaw), nil
}

// sendDocument serves sendDocument: a file (as a multipart file part) with
// an optional caption. It is recorded like a message without buttons.
func (s *Server) sendDocument(p params, at time.Time) (any, error) {
	c, err := s.chatFor(p)
	if err != nil {
		return nil, err
	}
	if p["document"] == "" {
		return nil, badRequest("there is no document in the request")
	}
	caption := p["caption"]
	if len([]rune(caption)) > 1024 {
		return nil, badRequest("message caption is too long")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nextMsg++
	id := c.nextMsg
	m := &msg{textHash: s.hash(caption)}
	m.origin = s.record(c, at, "sendDocument", id, 0, caption, nil, 0)
	if c.msgs != nil {
		c.msgs[id] = m
	}
	return s.messageJSON(c, id, at, caption, nil), nil
}

// editMessage serves editMessageText (withText) and editMessageReplyMarkup.
// Like Telegram it refuses an edit that changes nothing.
func (s *Server) editMessage(p params, at time.Time, method string, withText bool) (any, error) {
	if _, ok := p["inline_message_id"]; ok {
		return nil, badRequest("inline messages are not supported by this fake")
	}
	c, err := s.chatFor(p)
	if err != nil {
		return nil, err
	}
	id64, ok := p.int64("message_id")
	if !ok {
		return nil, badRequest("message_id is empty")
	}
	id := int(id64)
	text := p["text"]
	if withText {
		if err := checkText(text); err != nil {
			return nil, err
		}
	}
	kb, kbHash, err := s.parseKeyboard(p["reply_markup"])
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var m *msg
	if c.msgs != nil {
		m = c.msgs[id]
		if m == nil || m.deleted {
			return nil, badRequest("message to edit not found")
		}
		th := m.textHash
		if withText {
			th = s.hash(text)
		}
		if th == m.textHash && kbHash == m.kbHash {
			return nil, badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
		}
		m.textHash, m.kbHash = th, kbHash
		if withText {
			m.text = text
		}
		m.kb = kb
		if kb == nil {
			m.text, m.kbRaw = "", nil
			if c.lastKB == id {
				c.lastKB = 0
				for mid, o := range c.msgs {
					if o.kb != nil && mid > c.lastKB {
						c.lastKB = mid
					}
				}
			}
		} else {
			m.kbRaw = json.RawMessage(p["reply_markup"])
			if id > c.lastKB {
				c.lastKB = id
			}
		}
	}
	target := uint64(id)
	if m != nil {
		target = m.origin
	}
	s.record(c, at, method, id, target, text, kb, kbHash)
	if m == nil {
		return true, nil
	}
	return s.messageJSON(c, id, at, m.text, m.kbRaw), nil
}

func (s *Server) answerCallback(p params, at time.Time) (any, error) {
	id := p["callback_query_id"]
	s.cbmu.Lock()
	cb := s.cbState[id]
	dup := cb != nil && cb.answered
	if cb != nil {
		cb.answered = true
	}
	s.cbmu.Unlock()
	if cb == nil {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	if dup {
		s.count(func(st *Stats) { st.DupAnswers++ })
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	c := s.chat(cb.chat, false)
	if c == nil {
		return true, nil
	}
	c.mu.Lock()
	s.record(c, at, "answerCallbackQuery", 0, 0, p["text"], nil, 0)
	c.mu.Unlock()
	return true, nil
}

func (s *Server) deleteMessages(p params, at time.Time, method string) (any, error) {
	c, err := s.chatFor(p)
	if err != nil {
		return nil, err
	}
	var ids []int
	if method == "deletemessage" {
		id, ok := p.int64("message_id")
		if !ok {
			return nil, badRequest("message_id is empty")
		}
		ids = []int{int(id)}
	} else if err := json.Unmarshal([]byte(p["message_ids"]), &ids); err != nil || len(ids) == 0 || len(ids) > 100 {
		return nil, badRequest("message_ids must be a list of 1 to 100 identifiers")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var target uint64
	for _, id := range ids {
		if c.msgs != nil {
			if m := c.msgs[id]; m != nil {
				m.deleted, m.kb, m.text = true, nil, ""
				target ^= m.origin
			}
		}
		delete(c.userMsgs, id)
	}
	name := "deleteMessages"
	if method == "deletemessage" {
		name = "deleteMessage"
	}
	s.record(c, at, name, ids[0], target, strconv.Itoa(len(ids)), nil, 0)
	return true, nil
}

// Calls returns a copy of the calls accepted for chat.
func (c *Chat) Calls() []Call {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.calls)
}

// UserMessages returns what the user sent, by message ID (Config.KeepText).
func (c *Chat) UserMessages() map[int]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[int]string, len(c.userMsgs))
	for k, v := range c.userMsgs {
		out[k] = v
	}
	return out
}

// Sends returns how many sendMessage calls the chat has received.
func (c *Chat) Sends() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sends
}

// Keyboard returns the message ID, text and buttons of the latest message
// in the chat that still has buttons; ok is false when there is none.
func (c *Chat) Keyboard() (id int, text string, kb []Button, ok bool) {
	return c.keyboard(true)
}

// keyboard is Keyboard; without clone, kb is the message's own (read only).
func (c *Chat) keyboard(clone bool) (id int, text string, kb []Button, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lastKB == 0 || c.msgs == nil {
		return 0, "", nil, false
	}
	m := c.msgs[c.lastKB]
	if m == nil || m.kb == nil {
		return 0, "", nil, false
	}
	if clone {
		return c.lastKB, m.text, slices.Clone(m.kb), true
	}
	return c.lastKB, m.text, m.kb, true
}

// WaitFor blocks until cond holds for the chat's calls, ctx ends or d
// passes; it reports whether cond held. cond gets the calls and the number
// of answers so far (sendMessage calls that are not a repeat of the one
// just before: a repeat is a duplicate, not an answer); it runs with the
// chat locked.
func (c *Chat) WaitFor(ctx context.Context, d time.Duration, cond func(calls []Call, answers int) bool) bool {
	return c.waitFor(ctx, d, false, cond)
}

// waitFor is WaitFor; with sendsOnly, cond is checked again only after a
// sendMessage (a step that waits for messages need not wake for the calls
// before them: their times are in the calls).
func (c *Chat) waitFor(ctx context.Context, d time.Duration, sendsOnly bool, cond func(calls []Call, answers int) bool) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		c.mu.Lock()
		ok := cond(c.calls, c.answers)
		ch := c.notify
		if sendsOnly {
			ch = c.sent
		}
		c.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-ch:
		case <-t.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
}
