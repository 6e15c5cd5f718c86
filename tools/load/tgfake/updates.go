package tgfake

import (
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
func (s *Server) getUpdates(cl *call, p params) (any, error) {
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
			size := len(okPrefix) + 3
			for _, u := range s.queue[:n] {
				size += len(u.raw) + 1
			}
			out := append(newOK(size), '[')
			redelivered := 0
			for i, u := range s.queue[:n] {
				if i > 0 {
					out = append(out, ',')
				}
				out = append(out, u.raw...)
				if u.delivered > 0 {
					redelivered++
				}
				u.delivered++
			}
			s.qmu.Unlock()
			if redelivered > 0 {
				s.count(func(st *Stats) { st.Redelivered += int64(redelivered) })
			}
			// The updates go out as they were pushed, even invalid ones: a
			// fake that serves a malformed update must not fix it on the way.
			return okBody(append(out, "]}"...)), nil
		}
		ch := s.wake
		s.qmu.Unlock()
		left := time.Until(deadline)
		if left <= 0 {
			return okBody(`{"ok":true,"result":[]}`), nil
		}
		t := time.NewTimer(left)
		select {
		case <-ch:
		case <-t.C:
		case <-cl.rc.Done(): // the server is shutting down
			t.Stop()
			return nil, errors.New("client went away")
		case <-cl.gone():
			t.Stop()
			return nil, errors.New("client went away")
		}
		t.Stop()
	}
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
	// The update without its ID, which PushRaw gives: keys in the order
	// encoding/json writes a map's.
	b := make([]byte, 0, 256+2*len(text))
	b = append(b, `{"message":{"chat":`...)
	b = appendChat(b, c)
	b = append(b, `,"date":`...)
	b = strconv.AppendInt(b, time.Now().Unix(), 10)
	if strings.HasPrefix(text, "/") {
		word, _, _ := strings.Cut(text, " ")
		b = append(b, `,"entities":[{"length":`...)
		b = strconv.AppendInt(b, int64(utf16Len(word)), 10)
		b = append(b, `,"offset":0,"type":"bot_command"}]`...)
	}
	b = append(b, `,"from":`...)
	b = appendUser(b, c)
	b = append(b, `,"message_id":`...)
	b = strconv.AppendInt(b, int64(msgID), 10)
	b = append(b, `,"text":`...)
	b = appendJSONString(b, text)
	b = append(b, `},"update_id":`...)
	c.mu.Unlock()
	return s.PushRaw(func(uid int64) []byte {
		return append(strconv.AppendInt(b, uid, 10), '}')
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
	msgID, text, kb, ok := c.keyboard(false)
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
	// The update is assembled in the order encoding/json writes a map's
	// keys; the callback query's ID holds the update ID, which PushRaw gives.
	b := make([]byte, 0, 512+2*len(text)+64*len(kb))
	b = append(b, `{"callback_query":{"chat_instance":"ci`...)
	b = strconv.AppendInt(b, id, 10)
	b = append(b, `","data":`...)
	b = appendJSONString(b, data)
	b = append(b, `,"from":`...)
	c.mu.Lock()
	b = appendUser(b, c)
	b = append(b, `,"id":"`...)
	b = strconv.AppendInt(b, id, 10)
	b = append(b, '-')
	idAt := len(b) // the update ID goes here
	b = append(b, `","message":{"chat":`...)
	b = appendChat(b, c)
	c.mu.Unlock()
	b = append(b, `,"date":`...)
	b = strconv.AppendInt(b, time.Now().Unix(), 10)
	b = append(b, `,"from":`...)
	b = append(b, s.botJSON...)
	b = append(b, `,"message_id":`...)
	b = strconv.AppendInt(b, int64(msgID), 10)
	if len(kb) > 0 {
		b = append(b, `,"reply_markup":`...)
		b = appendKeyboard(b, kb)
	}
	b = append(b, `,"text":`...)
	b = appendJSONString(b, text)
	b = append(b, `}},"update_id":`...)
	head, tail := b[:idAt], b[idAt:]
	prefix := strconv.FormatInt(id, 10) + "-"
	uid, at := s.PushRaw(func(uid int64) []byte {
		out := make([]byte, 0, len(b)+40)
		out = append(out, head...)
		out = strconv.AppendInt(out, uid, 10)
		out = append(out, tail...)
		out = strconv.AppendInt(out, uid, 10)
		s.cbmu.Lock()
		s.cbState[prefix+strconv.FormatInt(uid, 10)] = &callback{chat: id}
		s.cbmu.Unlock()
		return append(out, '}')
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
