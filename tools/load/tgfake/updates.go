package tgfake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// PushRaw makes an update available to getUpdates. build receives the
// update ID and returns the update's JSON; it may return anything, even
// invalid JSON, to test how a bot copes. It returns the update ID and the
// moment the update became available.
func (s *Server) PushRaw(build func(id int64) []byte) (int64, time.Time) {
	s.qmu.Lock()
	id := s.nextID
	s.nextID++
	at := time.Now()
	s.queue = append(s.queue, &pending{id: id, raw: build(id), at: at})
	close(s.wake)
	s.wake = make(chan struct{})
	s.qmu.Unlock()
	return id, at
}

// Pending returns how many updates the bot has not confirmed yet.
func (s *Server) Pending() int {
	s.qmu.Lock()
	defer s.qmu.Unlock()
	return len(s.queue)
}

// NextUpdateID returns the ID the next pushed update will get.
func (s *Server) NextUpdateID() int64 {
	s.qmu.Lock()
	defer s.qmu.Unlock()
	return s.nextID
}

// getUpdates serves long polling: updates below offset are confirmed and
// forgotten; the rest are returned (again, if they were before), up to
// limit; with none, the call waits up to timeout seconds for one.
func (s *Server) getUpdates(ctx context.Context, p params) (any, error) {
	s.pollOne.Do(func() { close(s.polled) })
	s.polls.Add(1)
	offset, _ := p.int64("offset")
	limit, ok := p.int64("limit")
	if !ok || limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := p.int64("timeout")
	wait := min(time.Duration(max(timeout, 0))*time.Second, s.cfg.MaxPollWait)
	deadline := time.Now().Add(wait)
	for {
		s.qmu.Lock()
		if s.webhook != "" {
			s.qmu.Unlock()
			return nil, &apiErr{code: 409, desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
		}
		if offset < 0 {
			offset = max(s.nextID+offset, 1)
		}
		drop := 0
		for drop < len(s.queue) && s.queue[drop].id < offset {
			drop++
		}
		if drop > 0 {
			clear(s.queue[:drop])
			s.queue = s.queue[drop:]
		}
		n := min(int(limit), len(s.queue))
		if n > 0 {
			out := make([]json.RawMessage, n)
			redelivered := 0
			for i, u := range s.queue[:n] {
				out[i] = u.raw
				if u.delivered > 0 {
					redelivered++
				}
				u.delivered++
			}
			s.qmu.Unlock()
			if redelivered > 0 {
				s.count(func(st *Stats) { st.Redelivered += int64(redelivered) })
			}
			return rawList(out), nil
		}
		ch := s.wake
		s.qmu.Unlock()
		left := time.Until(deadline)
		if left <= 0 {
			return []any{}, nil
		}
		t := time.NewTimer(left)
		select {
		case <-ch:
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, errors.New("client went away")
		}
		t.Stop()
	}
}

// rawList marshals as a JSON array of raw values, even invalid ones: a
// fake that serves a malformed update must not fix it on the way out.
type rawList []json.RawMessage

// MarshalJSON writes the list as it is.
func (l rawList) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('[')
	for i, r := range l {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(r)
	}
	b.WriteByte(']')
	return []byte(b.String()), nil
}

// user is the fake user of a private chat.
func user(c *Chat) map[string]any {
	return map[string]any{"id": c.ID, "is_bot": false, "first_name": "User", "language_code": c.Lang}
}

func chatJSON(c *Chat) map[string]any {
	return map[string]any{"id": c.ID, "type": "private", "first_name": "User"}
}

// SendText makes the user of chat id send text (a command gets its
// bot_command entity, as Telegram adds). It returns the update ID and when
// it became available.
func (s *Server) SendText(id int64, lang, text string) (int64, time.Time) {
	c := s.chat(id, true)
	c.mu.Lock()
	if lang != "" {
		c.Lang = lang
	}
	c.nextMsg++
	msgID := c.nextMsg
	if s.cfg.KeepText {
		if c.userMsgs == nil {
			c.userMsgs = map[int]string{}
		}
		c.userMsgs[msgID] = text
	}
	m := map[string]any{
		"message_id": msgID, "date": time.Now().Unix(), "chat": chatJSON(c), "from": user(c), "text": text,
	}
	c.mu.Unlock()
	if strings.HasPrefix(text, "/") {
		word, _, _ := strings.Cut(text, " ")
		m["entities"] = []any{map[string]any{"type": "bot_command", "offset": 0, "length": utf16Len(word)}}
	}
	return s.PushRaw(func(uid int64) []byte {
		data, _ := json.Marshal(map[string]any{"update_id": uid, "message": m})
		return data
	})
}

// ErrNoKeyboard is returned by Press when the chat has no message with
// buttons, or fewer buttons than asked for.
var ErrNoKeyboard = errors.New("no such button")

// Press makes the user of chat id press button n (1-based, counting across
// rows) of the latest message with buttons, as a callback_query update.
func (s *Server) Press(id int64, n int) (int64, time.Time, error) {
	c := s.chat(id, false)
	if c == nil {
		return 0, time.Time{}, fmt.Errorf("chat %d: %w", id, ErrNoKeyboard)
	}
	msgID, text, kb, ok := c.Keyboard()
	if !ok || n < 1 || n > len(kb) {
		return 0, time.Time{}, fmt.Errorf("chat %d: button %d: %w", id, n, ErrNoKeyboard)
	}
	uid, at := s.PressData(id, msgID, text, kb, kb[n-1].CallbackData)
	return uid, at, nil
}

// PressData makes the user of chat id press a button with the given data on
// message msgID (which had the text and buttons given), even a stale one.
func (s *Server) PressData(id int64, msgID int, text string, kb []Button, data string) (int64, time.Time) {
	c := s.chat(id, true)
	c.mu.Lock()
	cm := map[string]any{
		"message_id": msgID, "date": time.Now().Unix(), "chat": chatJSON(c), "from": s.botUser(), "text": text,
	}
	if len(kb) > 0 {
		rows := make([][]Button, len(kb))
		for i, b := range kb {
			rows[i] = []Button{b}
		}
		cm["reply_markup"] = map[string]any{"inline_keyboard": rows}
	}
	from := user(c)
	c.mu.Unlock()
	var cbID string
	uid, at := s.PushRaw(func(uid int64) []byte {
		cbID = strconv.FormatInt(id, 10) + "-" + strconv.FormatInt(uid, 10)
		q := map[string]any{
			"id": cbID, "from": from, "message": cm, "chat_instance": "ci" + strconv.FormatInt(id, 10), "data": data,
		}
		out, _ := json.Marshal(map[string]any{"update_id": uid, "callback_query": q})
		s.cbmu.Lock()
		s.cbState[cbID] = &callback{chat: id}
		s.cbmu.Unlock()
		return out
	})
	return uid, at
}

// Register makes chat id known, as if its user had written before, so that
// the bot may send to it.
func (s *Server) Register(id int64, lang string) *Chat {
	c := s.chat(id, true)
	if lang != "" {
		c.mu.Lock()
		c.Lang = lang
		c.mu.Unlock()
	}
	return c
}
