// Package tgfake is a fake Telegram Bot API for load, crash and fault tests
// of Telegram bots on loopback: it serves getUpdates with Telegram's offset
// and long-polling semantics, accepts the calls a text bot makes (in
// multipart/form-data, JSON or urlencoded bodies), keeps each chat's
// messages and keyboards so that scripted users can read and press them,
// records every call per chat, and injects faults (429 with retry_after,
// 500, stalls) on a share of calls.
//
// It is built for throughput: per chat it keeps hashes of the calls, not
// their text, unless Config.KeepText asks for full records.
package tgfake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// Faults says which share of the bot's calls fail, and how. Shares are
// between 0 and 1. getUpdates is spared unless GetUpdates is set.
type Faults struct {
	Rate429    float64       `json:"rate_429"`    // share answered 429 Too Many Requests
	RetryAfter int           `json:"retry_after"` // retry_after seconds given with a 429 (default 1)
	Rate500    float64       `json:"rate_500"`    // share answered 500 Internal Server Error (not applied)
	RateStall  float64       `json:"rate_stall"`  // share held for Stall before being answered normally
	Stall      time.Duration `json:"stall_ns"`    // how long a stalled call is held (default 2s)
	GetUpdates bool          `json:"get_updates"` // also fault getUpdates
	Seed       uint64        `json:"seed"`        // random seed (0: a fixed default, for reproducible runs)
}

// Config configures a Server.
type Config struct {
	Token string // the bot token the bot must use; "" accepts any
	// BotID and BotUsername describe the bot in getMe and in messages it sends.
	BotID       int64
	BotUsername string
	Faults      Faults
	// MaxPollWait caps the long-polling wait of getUpdates (default 50s).
	MaxPollWait time.Duration
	// FirstUpdateID is the ID of the first update (default 1). A bot keeps
	// the IDs it processed, so a run against a database used before must
	// start above them, as Telegram's IDs keep increasing.
	FirstUpdateID int64
	// KeepText keeps the full text of every call per chat (tests); off, only
	// hashes are kept, which is enough to compare transcripts.
	KeepText bool
}

// Button is one inline keyboard button.
type Button struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data,omitempty"`
	URL          string `json:"url,omitempty"`
}

// Call is one accepted call of the bot to a chat, as recorded.
type Call struct {
	Seq       int64     // global order of acceptance
	At        time.Time // when the request arrived
	Method    string
	MessageID int      // the message created (sendMessage) or targeted (edits)
	Text      string   // only with Config.KeepText
	Keyboard  []Button // flattened; only with Config.KeepText
	Hash      uint64   // of the method, message ID, text and keyboard
}

// Stats are the server's counters.
type Stats struct {
	Calls        map[string]int64 `json:"calls"` // accepted calls by method
	Injected429  int64            `json:"injected_429"`
	Injected500  int64            `json:"injected_500"`
	Stalled      int64            `json:"stalled"`
	RateViolate  int64            `json:"retry_after_ignored"` // calls for a chat while its retry_after was running
	BadRequests  int64            `json:"bad_requests"`        // calls refused with 4xx (not injected)
	Redelivered  int64            `json:"redelivered"`         // updates returned by getUpdates more than once
	DupAnswers   int64            `json:"duplicate_answers"`   // answerCallbackQuery for a query already answered
	UnknownChats int64            `json:"unknown_chats"`       // calls naming a chat that never wrote to the bot
}

// Server is the fake Bot API. Create it with New and serve it with Start.
type Server struct {
	cfg  Config
	seed maphash.Seed

	seq   atomic.Int64
	polls atomic.Int64

	qmu     sync.Mutex
	queue   []*pending // unconfirmed updates, by ID
	nextID  int64
	wake    chan struct{}
	webhook string
	polled  chan struct{} // closed at the first getUpdates
	pollOne sync.Once

	cmu   sync.Mutex
	chats map[int64]*Chat

	rmu sync.Mutex
	rnd *rand.Rand

	smu   sync.Mutex
	stats Stats

	cbmu    sync.Mutex
	cbState map[string]*callback

	kbmu    sync.Mutex
	kbCache map[string]parsedKeyboard

	srv *fasthttp.Server
	ln  net.Listener

	botJSON json.RawMessage // the bot as a User, encoded once

	fmu      sync.Mutex
	files    map[string]*file // file_id -> a file users sent (files.go)
	nextFile int
}

type pending struct {
	id        int64
	raw       []byte
	at        time.Time
	delivered int
}

type callback struct {
	chat     int64
	answered bool
}

// New makes a Server.
func New(cfg Config) *Server {
	if cfg.BotID == 0 {
		cfg.BotID = 7000000001
	}
	if cfg.BotUsername == "" {
		cfg.BotUsername = "load_test_bot"
	}
	if cfg.MaxPollWait <= 0 {
		cfg.MaxPollWait = 50 * time.Second
	}
	if cfg.Faults.RetryAfter <= 0 {
		cfg.Faults.RetryAfter = 1
	}
	if cfg.Faults.Stall <= 0 {
		cfg.Faults.Stall = 2 * time.Second
	}
	seed := cfg.Faults.Seed
	if seed == 0 {
		seed = 20260514
	}
	s := &Server{
		cfg:     cfg,
		seed:    maphash.MakeSeed(),
		nextID:  max(cfg.FirstUpdateID, 1),
		wake:    make(chan struct{}),
		polled:  make(chan struct{}),
		chats:   map[int64]*Chat{},
		rnd:     rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		stats:   Stats{Calls: map[string]int64{}},
		cbState: map[string]*callback{},
		kbCache: map[string]parsedKeyboard{},
	}
	s.botJSON, _ = json.Marshal(s.botUser())
	return s
}

// Start serves on addr (e.g. "127.0.0.1:0") and returns the base URL to
// give the bot as its API URL.
func (s *Server) Start(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("tgfake: listen: %w", err)
	}
	s.ln = ln
	// fasthttp rather than net/http: the tool shares the cores with the bot
	// it measures, and net/http's server machinery was most of what the
	// tool still spent per update (see the README).
	s.srv = &fasthttp.Server{
		Handler: s.serve,
		// Long polls and stalled calls block their handler: hundreds may be
		// blocked at once, each on its own connection (the default
		// Concurrency, 256k, and no MaxConnsPerIP allow that).
		Concurrency: 256 * 1024,
		// No ReadTimeout, no IdleTimeout: keep-alive connections idle between
		// polls as long as the client likes (closing them races with a client
		// reusing them), and no read deadline is set per request. A client on
		// loopback that stalls mid-request only holds its own goroutine;
		// Close closes idle connections and ends blocked calls.
		MaxRequestBodySize:           maxBody,
		DisablePreParseMultipartForm: true, // readParams reads the fields it needs
		NoDefaultServerHeader:        true, // as net/http: no Server header
	}
	go func() { _ = s.srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), nil
}

// Close stops the server started by Start.
func (s *Server) Close() error {
	if s.srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.srv.ShutdownWithContext(ctx); err != nil {
		return fmt.Errorf("tgfake: close: %w", err)
	}
	return nil
}

// Polled is closed when the bot first calls getUpdates: it is then ready.
func (s *Server) Polled() <-chan struct{} { return s.polled }

// Polls returns how many getUpdates calls have arrived so far; a restarted
// bot is ready once the count moves past the value read before its start.
func (s *Server) Polls() int64 { return s.polls.Load() }

// RegisterCallback makes callback query id (of a button in chat) known,
// so that the bot may answer it; PressData does this itself.
func (s *Server) RegisterCallback(id string, chat int64) {
	s.cbmu.Lock()
	s.cbState[id] = &callback{chat: chat}
	s.cbmu.Unlock()
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.smu.Lock()
	defer s.smu.Unlock()
	st := s.stats
	st.Calls = make(map[string]int64, len(s.stats.Calls))
	for k, v := range s.stats.Calls {
		st.Calls[k] = v
	}
	return st
}

func (s *Server) count(f func(*Stats)) {
	s.smu.Lock()
	f(&s.stats)
	s.smu.Unlock()
}

// Webhook returns the URL the bot registered with setWebhook ("" if none).
func (s *Server) Webhook() string {
	s.qmu.Lock()
	defer s.qmu.Unlock()
	return s.webhook
}

// apiResponse is the Bot API's answer envelope.
type apiResponse struct {
	OK          bool            `json:"ok"`
	Result      any             `json:"result,omitempty"`
	ErrorCode   int             `json:"error_code,omitempty"`
	Description string          `json:"description,omitempty"`
	Parameters  *responseParams `json:"parameters,omitempty"`
}

type responseParams struct {
	RetryAfter int `json:"retry_after,omitempty"`
}

// apiErr is an error answer.
type apiErr struct {
	code       int
	desc       string
	retryAfter int
}

func (e *apiErr) Error() string { return strconv.Itoa(e.code) + " " + e.desc }

func badRequest(desc string) *apiErr { return &apiErr{code: 400, desc: "Bad Request: " + desc} }

// serve serves /bot<token>/<method>, and the files users sent at
// /file/bot<token>/<file_path>.
func (s *Server) serve(rc *fasthttp.RequestCtx) {
	if strings.HasPrefix(string(rc.Path()), "/file/bot") {
		s.serveFile(rc)
		return
	}
	cl := call{rc: rc}
	defer cl.end()
	rest, ok := strings.CutPrefix(string(rc.Path()), "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || method == "" {
		writeJSON(rc, 404, apiResponse{ErrorCode: 404, Description: "Not Found"})
		return
	}
	if s.cfg.Token != "" && token != s.cfg.Token {
		writeJSON(rc, 401, apiResponse{ErrorCode: 401, Description: "Unauthorized"})
		return
	}
	p, err := readParams(&rc.Request)
	if err != nil {
		s.count(func(st *Stats) { st.BadRequests++ })
		writeJSON(rc, 400, apiResponse{ErrorCode: 400, Description: "Bad Request: " + err.Error()})
		return
	}
	at := time.Now()
	method = lowerMethod(method)
	if method != "getupdates" || s.faults().GetUpdates {
		if e := s.inject(&cl, p, at); e != nil {
			writeErr(rc, e)
			return
		}
	}
	var res any
	switch method {
	case "getupdates":
		res, err = s.getUpdates(&cl, p)
	case "getme":
		res = s.botUser()
	case "deletewebhook":
		s.qmu.Lock()
		s.webhook = ""
		if p.bool("drop_pending_updates") {
			s.queue = nil
		}
		s.qmu.Unlock()
		res = true
	case "setwebhook":
		s.qmu.Lock()
		s.webhook = p["url"]
		s.qmu.Unlock()
		res = true
	case "getwebhookinfo":
		s.qmu.Lock()
		res = map[string]any{"url": s.webhook, "has_custom_certificate": false, "pending_update_count": len(s.queue)}
		s.qmu.Unlock()
	case "sendmessage":
		res, err = s.sendMessage(p, at)
	case "senddocument":
		res, err = s.sendDocument(p, at)
	case "editmessagetext":
		res, err = s.editMessage(p, at, "editMessageText", true)
	case "editmessagereplymarkup":
		res, err = s.editMessage(p, at, "editMessageReplyMarkup", false)
	case "answercallbackquery":
		res, err = s.answerCallback(p, at)
	case "deletemessage", "deletemessages":
		res, err = s.deleteMessages(p, at, method)
	case "setmycommands", "deletemycommands", "sendchataction", "setmydescription", "setmyshortdescription", "setchatmenubutton", "close", "logout":
		res = true
		s.count(func(st *Stats) { st.Calls[method]++ })
	case "getmycommands":
		res = []any{}
	case "getfile":
		res, err = s.getFile(p)
	default:
		err = &apiErr{code: 404, desc: "Not Found: method not found"}
	}
	if err != nil {
		var e *apiErr
		if !errors.As(err, &e) {
			e = badRequest(err.Error())
		}
		if e.code >= 400 && e.code < 500 && e.code != 429 && e.code != 409 {
			s.count(func(st *Stats) { st.BadRequests++ })
		}
		writeErr(rc, e)
		return
	}
	switch r := res.(type) {
	case okBody:
		writeBody(rc, 200, r)
	case bool:
		if r {
			writeBody(rc, 200, okTrue)
			return
		}
		writeJSON(rc, 200, apiResponse{OK: true, Result: r})
	default:
		writeJSON(rc, 200, apiResponse{OK: true, Result: res})
	}
}

func writeErr(rc *fasthttp.RequestCtx, e *apiErr) {
	resp := apiResponse{ErrorCode: e.code, Description: e.desc}
	if e.retryAfter > 0 {
		resp.Parameters = &responseParams{RetryAfter: e.retryAfter}
	}
	writeJSON(rc, e.code, resp)
}

func writeJSON(rc *fasthttp.RequestCtx, code int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		code, data = 500, []byte(`{"ok":false,"error_code":500,"description":"encode"}`)
	}
	writeBody(rc, code, data)
}

// lowerMethod is strings.ToLower(method), without an allocation for the
// methods bots call most.
func lowerMethod(method string) string {
	switch method {
	case "getUpdates":
		return "getupdates"
	case "sendMessage":
		return "sendmessage"
	case "editMessageText":
		return "editmessagetext"
	case "editMessageReplyMarkup":
		return "editmessagereplymarkup"
	case "answerCallbackQuery":
		return "answercallbackquery"
	}
	return strings.ToLower(method)
}

// SetFaults changes the faults injected from now on.
func (s *Server) SetFaults(f Faults) {
	if f.RetryAfter <= 0 {
		f.RetryAfter = 1
	}
	if f.Stall <= 0 {
		f.Stall = 2 * time.Second
	}
	s.rmu.Lock()
	s.cfg.Faults = f
	if f.Seed != 0 {
		s.rnd = rand.New(rand.NewPCG(f.Seed, f.Seed^0x9e3779b97f4a7c15))
	}
	s.rmu.Unlock()
}

func (s *Server) faults() Faults {
	s.rmu.Lock()
	defer s.rmu.Unlock()
	return s.cfg.Faults
}

// inject decides whether this call is faulted. A chat answered 429 keeps
// getting 429 until its retry_after has passed, like Telegram; such calls
// are counted as violations.
func (s *Server) inject(cl *call, p params, at time.Time) *apiErr {
	f := s.faults()
	chatID, hasChat := p.int64("chat_id")
	if !hasChat {
		if id, ok := p["callback_query_id"]; ok {
			s.cbmu.Lock()
			if cb := s.cbState[id]; cb != nil {
				chatID, hasChat = cb.chat, true
			}
			s.cbmu.Unlock()
		}
	}
	if hasChat {
		if c := s.chat(chatID, false); c != nil {
			c.mu.Lock()
			until := c.limitedUntil
			c.mu.Unlock()
			if at.Before(until) {
				s.count(func(st *Stats) { st.RateViolate++ })
				left := int(until.Sub(at)/time.Second) + 1
				return &apiErr{code: 429, desc: "Too Many Requests: retry after " + strconv.Itoa(left), retryAfter: left}
			}
		}
	}
	if f.Rate429 <= 0 && f.Rate500 <= 0 && f.RateStall <= 0 {
		return nil
	}
	s.rmu.Lock()
	x := s.rnd.Float64()
	s.rmu.Unlock()
	switch {
	case x < f.Rate429:
		s.count(func(st *Stats) { st.Injected429++ })
		if hasChat {
			if c := s.chat(chatID, false); c != nil {
				c.mu.Lock()
				c.limitedUntil = at.Add(time.Duration(f.RetryAfter) * time.Second)
				c.mu.Unlock()
			}
		}
		return &apiErr{code: 429, desc: "Too Many Requests: retry after " + strconv.Itoa(f.RetryAfter), retryAfter: f.RetryAfter}
	case x < f.Rate429+f.Rate500:
		s.count(func(st *Stats) { st.Injected500++ })
		return &apiErr{code: 500, desc: "Internal Server Error"}
	case x < f.Rate429+f.Rate500+f.RateStall:
		s.count(func(st *Stats) { st.Stalled++ })
		t := time.NewTimer(f.Stall)
		defer t.Stop()
		select {
		case <-t.C:
		case <-cl.rc.Done(): // the server is shutting down
		case <-cl.gone():
		}
	}
	return nil
}

func (s *Server) botUser() map[string]any {
	return map[string]any{
		"id": s.cfg.BotID, "is_bot": true, "first_name": "Load Test Bot", "username": s.cfg.BotUsername,
		"can_join_groups": false, "can_read_all_group_messages": false, "supports_inline_queries": false,
	}
}
