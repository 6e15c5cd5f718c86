// Package telegramtest is a fake Telegram Bot API for tests: an HTTP server
// that speaks the parts of the Bot API Redress uses, keeps the chats' state
// (message IDs, texts, inline keyboards, open callback queries), records
// every call, and lets a test play the users (texts, button presses,
// stickers, photos, files with their bytes, edits, group messages, channel
// posts) and the network
// (429 with retry_after, 403, 5xx, slow or lost responses).
//
// It reads requests the way Telegram does: multipart/form-data (what
// go-telegram/bot sends), JSON and URL-encoded forms. getUpdates has the
// real offset and long-poll semantics: an update is forgotten only when a
// later getUpdates asks for an offset above it, and a poll waits until an
// update arrives or its timeout passes. With a webhook set, updates are
// posted to it one at a time and forgotten only on a 2xx answer.
//
// It checks what Telegram checks where a bug of ours would hide: HTML that
// does not parse, texts over 4096 characters, callback data over 64 bytes,
// edits of unknown messages, edits that change nothing, callback queries
// answered twice.
package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
)

// BotID and BotUsername are what getMe returns.
const (
	BotID       = 7000001
	BotUsername = "RedressTestBot"
)

// Call is one request the bot made, in the order received.
type Call struct {
	Method string
	Params map[string]string // form values; JSON-valued parameters as JSON text
	Status int               // the HTTP status answered: 200, or the error code
	Result int               // the message_id of a message sent, else 0
	chat   int64             // the chat of a call without chat_id (answerCallbackQuery)
}

// Chat returns the call's chat_id parameter.
// For answerCallbackQuery it is the chat of the button pressed.
func (c Call) Chat() int64 { return c.chat }

// Text returns the call's text parameter as sent (HTML when parse_mode is HTML).
func (c Call) Text() string { return c.Params["text"] }

// PlainText returns the text as the user sees it: tags removed, entities decoded.
func (c Call) PlainText() string {
	if strings.EqualFold(c.Params["parse_mode"], "HTML") {
		t, _ := parseHTML(c.Params["text"])
		return t
	}
	return c.Params["text"]
}

// MessageID returns the call's message_id parameter (edits).
func (c Call) MessageID() int {
	id, _ := strconv.Atoi(c.Params["message_id"])
	return id
}

// Keyboard returns the inline keyboard of the call's reply_markup, row by row.
func (c Call) Keyboard() [][]Button { return parseKeyboard(c.Params["reply_markup"]) }

// Buttons returns the keyboard's buttons in order.
func (c Call) Buttons() []Button { return slices.Concat(c.Keyboard()...) }

// OK reports whether the call succeeded.
func (c Call) OK() bool { return c.Status == http.StatusOK }

// Button is one inline keyboard button.
type Button struct {
	Text string `json:"text"`
	Data string `json:"callback_data"`
}

// User is a Telegram user the test plays.
type User struct {
	ID           int64
	FirstName    string
	LanguageCode string
}

func (u User) json() map[string]any {
	m := map[string]any{"id": u.ID, "is_bot": false, "first_name": cmp(u.FirstName, "Test")}
	if u.LanguageCode != "" {
		m["language_code"] = u.LanguageCode
	}
	return m
}

func cmp(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Fault is an injected failure or delay of one call.
type Fault struct {
	Status      int           // HTTP status and error_code answered instead of the result; 0: none
	RetryAfter  int           // parameters.retry_after, for 429
	Description string        // the error description; a default per status when empty
	Delay       time.Duration // wait this long before answering (after doing the call when Status is 0)
	// Lost makes the call take effect but the response never arrive: the
	// connection is closed, as when a network fails after Telegram got it.
	Lost bool
	// Result replaces the result of a call that succeeds (e.g. true for an
	// edit, as Telegram answers for inline messages).
	Result any
}

type fault struct {
	method string
	left   int
	f      Fault
}

// Message is the fake's record of a message the bot sent.
type Message struct {
	ID       int
	Chat     int64
	Text     string // as the user sees it (a document's caption)
	HTML     string // as sent
	Keyboard [][]Button
	Deleted  bool
	// Document and File are the name and content of a file sent with
	// sendDocument; empty for a text message.
	Document string
	File     []byte
}

type update struct {
	id  int64
	raw []byte
}

// Server is the fake Bot API. Create it with New; it stops with the test.
type Server struct {
	// URL is the base URL to give the bot (TELEGRAM_API_URL).
	URL string
	// Token is the token the bot must use; requests with another get 401.
	Token string

	srv *httptest.Server

	mu         sync.Mutex
	changed    chan struct{} // closed and replaced on every change
	calls      []Call
	byChat     map[int64][]Call // the calls of each chat, in order
	queue      []update         // not yet confirmed, ascending IDs
	all        map[int64][]byte
	nextUpdate int64
	nextMsg    map[int64]int
	chatTypes  map[int64]string
	msgs       map[int64]map[int]*Message
	queries    map[string]int64 // open callback query → chat
	nextQuery  int
	faults     []*fault
	blocked    map[int64]bool
	commands   map[string][]map[string]string
	pollSeq    int
	webhookURL string
	secret     string
	pushing    bool
	closed     bool
	files      map[string]fakeFile // file_id -> the file users sent (files.go)
	nextFile   int
}

// New starts a fake Bot API on 127.0.0.1 accepting token; it is closed
// when the test ends.
func New(tb cleaner, token string) *Server {
	s := NewServer(token)
	tb.Cleanup(s.Close)
	return s
}

// cleaner is the part of testing.TB that New needs.
type cleaner interface{ Cleanup(func()) }

// NewServer starts a fake Bot API on 127.0.0.1; Close stops it.
func NewServer(token string) *Server {
	s := &Server{
		Token:      token,
		changed:    make(chan struct{}),
		all:        map[int64][]byte{},
		nextUpdate: 100000,
		nextMsg:    map[int64]int{},
		chatTypes:  map[int64]string{},
		msgs:       map[int64]map[int]*Message{},
		queries:    map[string]int64{},
		blocked:    map[int64]bool{},
		commands:   map[string][]map[string]string{},
		byChat:     map[int64][]Call{},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close stops the server, ending the long polls in progress.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	s.notify()
	s.mu.Unlock()
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// notify wakes everything waiting for a change; the caller holds s.mu.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Wait blocks until cond, called with every call recorded so far, holds,
// or ctx ends (then it returns ctx's error).
func (s *Server) Wait(ctx context.Context, cond func(calls []Call) bool) error {
	for {
		s.mu.Lock()
		ok := cond(s.calls)
		ch := s.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("telegramtest: waiting: %w", ctx.Err())
		case <-ch:
		}
	}
}

// WaitChat is Wait for the calls to one chat (cheaper with many chats).
func (s *Server) WaitChat(ctx context.Context, chat int64, cond func(calls []Call) bool) error {
	for {
		s.mu.Lock()
		ok := cond(s.byChat[chat])
		ch := s.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("telegramtest: waiting: %w", ctx.Err())
		case <-ch:
		}
	}
}

// Calls returns every call recorded, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// CallsTo returns the successful calls of method to chat, in order.
func (s *Server) CallsTo(chat int64, method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Filter(s.byChat[chat], chat, method)
}

// Filter returns the successful calls of method (any when "") to chat (any
// when 0), in order.
func Filter(calls []Call, chat int64, method string) []Call {
	var out []Call
	for _, c := range calls {
		if c.OK() && (method == "" || c.Method == method) && (chat == 0 || c.Chat() == chat) {
			out = append(out, c)
		}
	}
	return out
}

// Messages returns the bot's messages in chat that were not deleted, in order.
func (s *Server) Messages(chat int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.msgs[chat] {
		if !m.Deleted {
			out = append(out, *m)
		}
	}
	slices.SortFunc(out, func(a, b Message) int { return a.ID - b.ID })
	return out
}

// Message returns the bot's message id in chat.
func (s *Server) Message(chat int64, id int) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.msgs[chat][id]
	if !ok {
		return Message{}, false
	}
	return *m, true
}

// Commands returns the command menu set for a language code ("" for the
// default), as command → description.
func (s *Server) Commands(lang string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	for _, c := range s.commands[lang] {
		out[c["command"]] = c["description"]
	}
	return out
}

// Pending returns how many updates are not yet confirmed by the bot.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// Fail makes the next n calls of method (every method when "") fail or
// slow down as f says. Faults apply in the order they were added.
func (s *Server) Fail(method string, n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{method: method, left: n, f: f})
}

// ClearFaults removes the faults not yet used up.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// UpdateIDs lists the IDs of every update injected, in order.
func (s *Server) UpdateIDs() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]int64, 0, len(s.all))
	for id := range s.all {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Block makes the user of chat block the bot: sends to it get 403.
func (s *Server) Block(chat int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked[chat] = true
}

// Webhook returns the webhook URL set, if any.
func (s *Server) Webhook() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhookURL
}

// --- the users' side -------------------------------------------------

// RenumberUpdates makes the next injected update carry ID next+1, as
// Telegram does after a week without updates (it picks a random ID, which
// may be lower than every ID before).
func (s *Server) RenumberUpdates(next int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextUpdate = next
}

// inject queues an update built by fill, which gets the update ID.
func (s *Server) inject(fill func(id int64) map[string]any) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextUpdate++
	id := s.nextUpdate
	u := fill(id)
	u["update_id"] = id
	raw, err := json.Marshal(u)
	if err != nil {
		panic(err)
	}
	s.all[id] = raw
	s.queue = append(s.queue, update{id: id, raw: raw})
	s.notify()
	return id
}

// message builds a message from u in chat; the caller holds s.mu.
func (s *Server) message(chat int64, chatType string, u *User, fields map[string]any) map[string]any {
	s.chatTypes[chat] = chatType
	s.nextMsg[chat]++
	m := map[string]any{
		"message_id": s.nextMsg[chat],
		"date":       time.Now().Unix(),
		"chat":       map[string]any{"id": chat, "type": chatType},
	}
	if chatType == "private" && u != nil {
		m["chat"].(map[string]any)["first_name"] = cmp(u.FirstName, "Test")
	} else {
		m["chat"].(map[string]any)["title"] = "Test group"
	}
	if u != nil {
		m["from"] = u.json()
	}
	for k, v := range fields {
		m[k] = v
	}
	return m
}

// SendText injects a text message from u in their private chat.
func (s *Server) SendText(u User, text string) int64 {
	return s.inject(func(int64) map[string]any {
		return map[string]any{"message": s.message(u.ID, "private", &u, map[string]any{"text": text})}
	})
}

// SendCommand injects a command (e.g. "/start") with its entity, as Telegram sends it.
func (s *Server) SendCommand(u User, cmd string) int64 {
	word, _, _ := strings.Cut(cmd, " ")
	return s.inject(func(int64) map[string]any {
		return map[string]any{"message": s.message(u.ID, "private", &u, map[string]any{
			"text":     cmd,
			"entities": []map[string]any{{"type": "bot_command", "offset": 0, "length": len(utf16.Encode([]rune(word)))}},
		})}
	})
}

// SendSticker injects a sticker from u.
func (s *Server) SendSticker(u User) int64 {
	return s.inject(func(int64) map[string]any {
		return map[string]any{"message": s.message(u.ID, "private", &u, map[string]any{"sticker": map[string]any{
			"file_id": "CAACAgIAAxkBAAEBsticker", "file_unique_id": "AgADsticker", "type": "regular",
			"width": 512, "height": 512, "is_animated": false, "is_video": false, "emoji": "😀",
		}})}
	})
}

// SendPhoto injects a photo with a caption from u.
func (s *Server) SendPhoto(u User, caption string) int64 {
	return s.inject(func(int64) map[string]any {
		f := map[string]any{"photo": []map[string]any{{"file_id": "AgACphoto", "file_unique_id": "AQADphoto", "width": 800, "height": 600}}}
		if caption != "" {
			f["caption"] = caption
		}
		return map[string]any{"message": s.message(u.ID, "private", &u, f)}
	})
}

// SendVoice injects a voice message from u.
func (s *Server) SendVoice(u User) int64 {
	return s.inject(func(int64) map[string]any {
		return map[string]any{"message": s.message(u.ID, "private", &u, map[string]any{
			"voice": map[string]any{"file_id": "AwACvoice", "file_unique_id": "AgADvoice", "duration": 3},
		})}
	})
}

// EditText injects an edit by u of their message messageID.
func (s *Server) EditText(u User, messageID int, text string) int64 {
	return s.inject(func(int64) map[string]any {
		s.chatTypes[u.ID] = "private"
		return map[string]any{"edited_message": map[string]any{
			"message_id": messageID, "date": time.Now().Unix() - 60, "edit_date": time.Now().Unix(),
			"chat": map[string]any{"id": u.ID, "type": "private"}, "from": u.json(), "text": text,
		}}
	})
}

// GroupText injects a message from u in group (a negative chat ID).
func (s *Server) GroupText(group int64, u User, text string) int64 {
	return s.inject(func(int64) map[string]any {
		return map[string]any{"message": s.message(group, "supergroup", &u, map[string]any{"text": text})}
	})
}

// ChannelPost injects a post in channel.
func (s *Server) ChannelPost(channel int64, text string) int64 {
	return s.inject(func(int64) map[string]any {
		m := s.message(channel, "channel", nil, map[string]any{"text": text})
		m["sender_chat"] = map[string]any{"id": channel, "type": "channel", "title": "Test channel"}
		return map[string]any{"channel_post": m}
	})
}

// InjectRaw queues an arbitrary update; its update_id is set by the fake.
func (s *Server) InjectRaw(u map[string]any) int64 {
	return s.inject(func(int64) map[string]any { return u })
}

// Redeliver queues update id again, as Telegram does when it did not see
// the bot confirm it: the bot must recognise it as a duplicate.
func (s *Server) Redeliver(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	raw, ok := s.all[id]
	if !ok {
		panic(fmt.Sprintf("telegramtest: no update %d", id))
	}
	i, _ := slices.BinarySearchFunc(s.queue, id, func(u update, id int64) int { return int(u.id - id) })
	if i < len(s.queue) && s.queue[i].id == id {
		return
	}
	s.queue = slices.Insert(s.queue, i, update{id: id, raw: raw})
	s.notify()
}

// Press injects u pressing the button with data on the bot's message
// messageID; the callback carries the message as the user sees it now. A
// deleted or unknown message comes as an inaccessible message, as in Telegram.
func (s *Server) Press(u User, messageID int, data string) int64 {
	return s.PressIn(u.ID, u, messageID, data)
}

// PressIn injects u pressing the button with data on the bot's message
// messageID in chat: their private chat (chat == u.ID), or a group (a
// negative chat ID) where u is a member, such as a volunteers' group.
func (s *Server) PressIn(chat int64, u User, messageID int, data string) int64 {
	return s.inject(func(int64) map[string]any {
		s.nextQuery++
		qid := fmt.Sprintf("q%d", s.nextQuery)
		s.queries[qid] = chat
		q := map[string]any{"id": qid, "from": u.json(), "chat_instance": "ci" + strconv.FormatInt(chat, 10), "data": data}
		chatJSON := map[string]any{"id": chat, "type": "private", "first_name": cmp(u.FirstName, "Test")}
		if chat != u.ID {
			chatJSON = map[string]any{"id": chat, "type": "supergroup", "title": "Test group"}
		}
		if m, ok := s.msgs[chat][messageID]; ok && !m.Deleted {
			msg := map[string]any{
				"message_id": m.ID, "date": time.Now().Unix(),
				"chat": chatJSON,
				"from": map[string]any{"id": BotID, "is_bot": true, "first_name": "Redress", "username": BotUsername},
				"text": m.Text,
			}
			if len(m.Keyboard) > 0 {
				msg["reply_markup"] = map[string]any{"inline_keyboard": m.Keyboard}
			}
			q["message"] = msg
		} else {
			q["message"] = map[string]any{"message_id": messageID, "date": 0, "chat": chatJSON}
		}
		return map[string]any{"callback_query": q}
	})
}

// PressButton presses the button with data on the newest message of u's
// chat that has it. It reports false when no message has such a button.
func (s *Server) PressButton(u User, data string) (int64, bool) {
	s.mu.Lock()
	var found *Message
	for _, m := range s.msgs[u.ID] {
		if m.Deleted || (found != nil && m.ID < found.ID) {
			continue
		}
		for _, b := range slices.Concat(m.Keyboard...) {
			if b.Data == data {
				found = m
			}
		}
	}
	s.mu.Unlock()
	if found == nil {
		return 0, false
	}
	return s.Press(u, found.ID, data), true
}

// --- the bot's side --------------------------------------------------

type apiResult struct {
	OK          bool           `json:"ok"`
	Result      any            `json:"result,omitempty"`
	ErrorCode   int            `json:"error_code,omitempty"`
	Description string         `json:"description,omitempty"`
	Parameters  map[string]int `json:"parameters,omitempty"`
}

type apiErr struct {
	code int
	desc string
}

// Error returns the description Telegram would give.
func (e *apiErr) Error() string { return e.desc }

func badRequest(format string, args ...any) *apiErr {
	return &apiErr{code: 400, desc: "Bad Request: " + fmt.Sprintf(format, args...)}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/file/bot") {
		s.serveFile(w, r)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 {
		writeJSON(w, 404, apiResult{ErrorCode: 404, Description: "Not Found"})
		return
	}
	params, err := readParams(r)
	call := Call{Method: method, Params: params}
	if err != nil {
		s.finish(w, r, call, nil, &apiErr{code: 400, desc: "Bad Request: " + err.Error()}, Fault{})
		return
	}
	if s.Token != "" && token != s.Token {
		s.finish(w, r, call, nil, &apiErr{code: 401, desc: "Unauthorized"}, Fault{})
		return
	}
	if method == "answerCallbackQuery" {
		s.mu.Lock()
		call.chat = s.queries[params["callback_query_id"]]
		s.mu.Unlock()
	}
	f := s.takeFault(method)
	if f.Status != 0 {
		if f.Delay > 0 {
			sleepCtx(r.Context(), f.Delay)
		}
		desc := f.Description
		if desc == "" {
			desc = map[int]string{
				429: fmt.Sprintf("Too Many Requests: retry after %d", f.RetryAfter),
				403: "Forbidden: bot was blocked by the user",
				500: "Internal Server Error",
				502: "Bad Gateway",
			}[f.Status]
		}
		res := apiResult{ErrorCode: f.Status, Description: desc}
		if f.RetryAfter > 0 {
			res.Parameters = map[string]int{"retry_after": f.RetryAfter}
		}
		call.Status = f.Status
		s.record(call)
		writeJSON(w, f.Status, res)
		return
	}
	var result any
	if method == "getUpdates" {
		result, err = s.getUpdates(r.Context(), params)
	} else {
		result, err = s.do(method, params)
	}
	s.finish(w, r, call, result, err, f)
}

// finish records the call and answers it.
func (s *Server) finish(w http.ResponseWriter, r *http.Request, call Call, result any, err error, f Fault) {
	var ae *apiErr
	switch {
	case err == nil:
		call.Status = 200
		if m, ok := result.(map[string]any); ok {
			if id, ok := m["message_id"].(int); ok && (call.Method == "sendMessage" || call.Method == "sendDocument") {
				call.Result = id
			}
		}
	case errors.As(err, &ae):
		call.Status = ae.code
	default:
		call.Status = 500
	}
	if call.Method != "getUpdates" || call.Status != 200 {
		s.record(call)
	} else {
		s.recordPoll(call)
	}
	if f.Delay > 0 {
		sleepCtx(r.Context(), f.Delay)
	}
	if f.Lost {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
	}
	if err != nil {
		code := call.Status
		writeJSON(w, code, apiResult{ErrorCode: code, Description: err.Error()})
		return
	}
	if f.Result != nil {
		result = f.Result
	}
	writeJSON(w, 200, apiResult{OK: true, Result: result})
}

func (s *Server) record(c Call) {
	if c.chat == 0 {
		c.chat, _ = strconv.ParseInt(c.Params["chat_id"], 10, 64)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
	if c.chat != 0 {
		s.byChat[c.chat] = append(s.byChat[c.chat], c)
	}
	s.notify()
}

// recordPoll records a getUpdates call; empty polls are recorded too, but
// tests rarely look at them.
func (s *Server) recordPoll(c Call) { s.record(c) }

func (s *Server) takeFault(method string) Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.method == "" || f.method == method {
			f.left--
			if f.left <= 0 {
				s.faults = slices.Delete(s.faults, i, i+1)
			}
			return f.f
		}
	}
	return Fault{}
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// readParams reads the parameters of a request in any of the encodings the
// Bot API accepts, plus the query string.
func readParams(r *http.Request) (map[string]string, error) {
	out := map[string]string{}
	for k, v := range r.URL.Query() {
		out[k] = v[0]
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			if errors.Is(err, io.EOF) { // go-telegram/bot sends an empty body for methods without parameters
				return out, nil
			}
			return out, fmt.Errorf("multipart: %w", err)
		}
		for k, v := range r.MultipartForm.Value {
			out[k] = v[0]
		}
		for k, fh := range r.MultipartForm.File {
			// A file's name and content, for sendDocument's tests.
			f, err := fh[0].Open()
			if err != nil {
				return out, fmt.Errorf("multipart file: %w", err)
			}
			b, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				return out, fmt.Errorf("multipart file: %w", err)
			}
			out[k], out[k+"#name"] = string(b), fh[0].Filename
		}
	case "application/json":
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return out, err
		}
		if len(bytes.TrimSpace(body)) == 0 {
			return out, nil
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(body, &m); err != nil {
			return out, fmt.Errorf("json: %w", err)
		}
		for k, v := range m {
			var str string
			if json.Unmarshal(v, &str) == nil {
				out[k] = str
			} else {
				out[k] = string(v)
			}
		}
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return out, err
		}
		for k, v := range r.PostForm {
			out[k] = v[0]
		}
	}
	return out, nil
}

func parseKeyboard(markup string) [][]Button {
	if markup == "" {
		return nil
	}
	var m struct {
		InlineKeyboard [][]Button `json:"inline_keyboard"`
	}
	if json.Unmarshal([]byte(markup), &m) != nil {
		return nil
	}
	if len(m.InlineKeyboard) == 0 {
		return nil
	}
	return m.InlineKeyboard
}

// checkKeyboard validates reply_markup as Telegram does for what we use.
func checkKeyboard(markup string) ([][]Button, *apiErr) {
	if markup == "" {
		return nil, nil
	}
	var m struct {
		InlineKeyboard [][]map[string]any `json:"inline_keyboard"`
	}
	if err := json.Unmarshal([]byte(markup), &m); err != nil {
		return nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if ct, ok := b["copy_text"].(map[string]any); ok && ct["text"] == "" {
				return nil, badRequest("BUTTON_COPY_TEXT_INVALID")
			}
			data, _ := b["callback_data"].(string)
			if text, _ := b["text"].(string); text == "" {
				return nil, badRequest("can't parse inline keyboard button: Text must be non-empty")
			}
			if data == "" {
				return nil, badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
			}
			if len(data) > 64 {
				return nil, badRequest("BUTTON_DATA_INVALID")
			}
		}
	}
	return parseKeyboard(markup), nil
}

func (s *Server) getUpdates(ctx context.Context, p map[string]string) (any, error) {
	offset, _ := strconv.ParseInt(p["offset"], 10, 64)
	limit, _ := strconv.Atoi(p["limit"])
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(p["timeout"])
	deadline := time.Now().Add(time.Duration(timeout) * time.Second)

	s.mu.Lock()
	if s.webhookURL != "" {
		s.mu.Unlock()
		return nil, &apiErr{code: 409, desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
	}
	s.pollSeq++
	seq := s.pollSeq
	s.notify() // ends an earlier poll still waiting: only one may poll
	if offset > 0 {
		i := 0
		for i < len(s.queue) && s.queue[i].id < offset {
			i++
		}
		if i > 0 {
			s.queue = slices.Delete(s.queue, 0, i)
			s.notify()
		}
	}
	for {
		var out []json.RawMessage
		for _, u := range s.queue {
			if u.id >= offset && len(out) < limit {
				out = append(out, u.raw)
			}
		}
		if len(out) > 0 || time.Now().After(deadline) || s.closed {
			s.mu.Unlock()
			if out == nil {
				out = []json.RawMessage{}
			}
			return out, nil
		}
		if s.pollSeq != seq {
			s.mu.Unlock()
			return nil, &apiErr{code: 409, desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
		}
		ch := s.changed
		s.mu.Unlock()
		t := time.NewTimer(time.Until(deadline))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, &apiErr{code: 499, desc: "client went away"}
		case <-ch:
		case <-t.C:
		}
		t.Stop()
		s.mu.Lock()
	}
}

// do carries out every method but getUpdates.
func (s *Server) do(method string, p map[string]string) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.notify()
	chat, _ := strconv.ParseInt(p["chat_id"], 10, 64)
	switch method {
	case "getMe":
		return map[string]any{"id": BotID, "is_bot": true, "first_name": "Redress", "username": BotUsername,
			"can_join_groups": false, "can_read_all_group_messages": false, "supports_inline_queries": false}, nil
	case "setMyCommands":
		var cmds []map[string]string
		if err := json.Unmarshal([]byte(p["commands"]), &cmds); err != nil {
			return nil, badRequest("can't parse commands")
		}
		for _, c := range cmds {
			if d := c["description"]; d == "" || len([]rune(d)) > 256 {
				return nil, badRequest("command description must be 1-256 characters")
			}
		}
		s.commands[p["language_code"]] = cmds
		return true, nil
	case "setWebhook":
		s.webhookURL, s.secret = p["url"], p["secret_token"]
		if s.webhookURL != "" && !s.pushing {
			s.pushing = true
			go s.push()
		}
		return true, nil
	case "deleteWebhook":
		s.webhookURL, s.secret = "", ""
		if p["drop_pending_updates"] == "true" {
			s.queue = nil
		}
		return true, nil
	case "getWebhookInfo":
		return map[string]any{"url": s.webhookURL, "has_custom_certificate": false, "pending_update_count": len(s.queue)}, nil
	case "getFile":
		return s.getFile(p["file_id"])
	case "sendMessage":
		if s.blocked[chat] {
			return nil, &apiErr{code: 403, desc: "Forbidden: bot was blocked by the user"}
		}
		if chat == 0 {
			return nil, badRequest("chat not found")
		}
		plain, err := s.checkText(p)
		if err != nil {
			return nil, err
		}
		kb, kerr := checkKeyboard(p["reply_markup"])
		if kerr != nil {
			return nil, kerr
		}
		s.nextMsg[chat]++
		id := s.nextMsg[chat]
		if s.msgs[chat] == nil {
			s.msgs[chat] = map[int]*Message{}
		}
		s.msgs[chat][id] = &Message{ID: id, Chat: chat, Text: plain, HTML: p["text"], Keyboard: kb}
		return s.messageJSON(s.msgs[chat][id]), nil
	case "sendDocument":
		if s.blocked[chat] {
			return nil, &apiErr{code: 403, desc: "Forbidden: bot was blocked by the user"}
		}
		if chat == 0 {
			return nil, badRequest("chat not found")
		}
		if p["document"] == "" || p["document#name"] == "" {
			return nil, badRequest("there is no document in the request")
		}
		if len([]rune(p["caption"])) > 1024 {
			return nil, badRequest("message caption is too long")
		}
		s.nextMsg[chat]++
		id := s.nextMsg[chat]
		if s.msgs[chat] == nil {
			s.msgs[chat] = map[int]*Message{}
		}
		s.msgs[chat][id] = &Message{ID: id, Chat: chat, Text: p["caption"], HTML: p["caption"], Document: p["document#name"], File: []byte(p["document"])}
		return s.messageJSON(s.msgs[chat][id]), nil
	case "editMessageText", "editMessageReplyMarkup":
		if s.blocked[chat] {
			return nil, &apiErr{code: 403, desc: "Forbidden: bot was blocked by the user"}
		}
		id, _ := strconv.Atoi(p["message_id"])
		m, ok := s.msgs[chat][id]
		if !ok || m.Deleted {
			return nil, badRequest("message to edit not found")
		}
		kb, kerr := checkKeyboard(p["reply_markup"])
		if kerr != nil {
			return nil, kerr
		}
		text, html := m.Text, m.HTML
		if method == "editMessageText" {
			plain, err := s.checkText(p)
			if err != nil {
				return nil, err
			}
			text, html = plain, p["text"]
		}
		if text == m.Text && slices.EqualFunc(kb, m.Keyboard, slices.Equal) {
			return nil, badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
		}
		m.Text, m.HTML, m.Keyboard = text, html, kb
		return s.messageJSON(m), nil
	case "answerCallbackQuery":
		id := p["callback_query_id"]
		if _, ok := s.queries[id]; !ok {
			return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
		}
		if len([]rune(p["text"])) > 200 {
			return nil, badRequest("MESSAGE_TOO_LONG")
		}
		delete(s.queries, id)
		return true, nil
	case "deleteMessage", "deleteMessages":
		var ids []int
		if method == "deleteMessage" {
			id, _ := strconv.Atoi(p["message_id"])
			ids = []int{id}
		} else if err := json.Unmarshal([]byte(p["message_ids"]), &ids); err != nil || len(ids) == 0 || len(ids) > 100 {
			return nil, badRequest("message identifiers are invalid")
		}
		for _, id := range ids {
			if m, ok := s.msgs[chat][id]; ok {
				m.Deleted = true
			}
		}
		return true, nil
	case "leaveChat":
		return true, nil
	}
	return nil, &apiErr{code: 404, desc: "Not Found: method not found"}
}

// checkText validates a message text as Telegram does and returns it as
// the user sees it.
func (s *Server) checkText(p map[string]string) (string, *apiErr) {
	text := p["text"]
	plain := text
	if strings.EqualFold(p["parse_mode"], "HTML") {
		var err error
		if plain, err = parseHTML(text); err != nil {
			return "", badRequest("can't parse entities: %v", err)
		}
	}
	if strings.TrimSpace(plain) == "" {
		return "", badRequest("message text is empty")
	}
	if n := len(utf16.Encode([]rune(plain))); n > 4096 {
		return "", badRequest("message is too long")
	}
	return plain, nil
}

func (s *Server) messageJSON(m *Message) map[string]any {
	out := map[string]any{
		"message_id": m.ID, "date": time.Now().Unix(), "text": m.Text,
		"chat": map[string]any{"id": m.Chat, "type": cmp(s.chatTypes[m.Chat], "private")},
		"from": map[string]any{"id": BotID, "is_bot": true, "first_name": "Redress", "username": BotUsername},
	}
	if len(m.Keyboard) > 0 {
		out["reply_markup"] = map[string]any{"inline_keyboard": m.Keyboard}
	}
	return out
}

// push posts queued updates to the webhook one at a time, in order,
// forgetting each only on a 2xx answer, as Telegram does.
func (s *Server) push() {
	hc := &http.Client{Timeout: 30 * time.Second}
	for {
		s.mu.Lock()
		for !s.closed && s.webhookURL != "" && len(s.queue) == 0 {
			ch := s.changed
			s.mu.Unlock()
			<-ch
			s.mu.Lock()
		}
		if s.closed || s.webhookURL == "" {
			s.pushing = false
			s.mu.Unlock()
			return
		}
		u, url, secret := s.queue[0], s.webhookURL, s.secret
		s.mu.Unlock()
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(u.raw))
		req.Header.Set("Content-Type", "application/json")
		if secret != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		}
		resp, err := hc.Do(req)
		ok := err == nil && resp.StatusCode/100 == 2
		if resp != nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		s.mu.Lock()
		s.calls = append(s.calls, Call{Method: "webhook", Params: map[string]string{"update_id": strconv.FormatInt(u.id, 10)}, Status: status(resp, err)})
		if ok && len(s.queue) > 0 && s.queue[0].id == u.id {
			s.queue = s.queue[1:]
		}
		s.notify()
		s.mu.Unlock()
		if !ok {
			time.Sleep(20 * time.Millisecond)
		}
	}
}

func status(resp *http.Response, err error) int {
	if err != nil || resp == nil {
		return 0
	}
	return resp.StatusCode
}
