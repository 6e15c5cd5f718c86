package tgfake

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// LoadConfig says how scripted users drive a bot.
type LoadConfig struct {
	Users  int     // concurrent users, each in its own chat (closed loop)
	Script *Script // what every user does
	// Duration bounds the run; Conversations bounds the conversations each
	// user has (0: as many as fit in Duration). A user starts a new chat for
	// every conversation.
	Duration      time.Duration
	Conversations int
	Warmup        time.Duration // steps that start before this are not measured
	StepTimeout   time.Duration // a step not answered by then fails its conversation (default 30s)
	Think         time.Duration // pause between a reply and the next input
	ChatBase      int64         // chat IDs are ChatBase+1, +2, ... (default 1_000_000_000)
	Lang          string        // the users' language_code (default "en")
	Settle        time.Duration // wait for late calls before checking transcripts (default 1s)
	// Stop, when closed, lets every user finish the conversation it is in
	// and start no other.
	Stop <-chan struct{}
	// OneChat keeps each user in one chat for all its conversations (for a
	// script that begins with /restart), as a person who starts over
	// would. Its transcript is then every conversation's calls in turn:
	// RunLoad counts the conversations but leaves comparing transcripts
	// to the caller.
	OneChat bool
	// Prelude, with OneChat, runs once in each chat before its first
	// conversation (say, /start for a script that begins with /restart);
	// it is part of that conversation.
	Prelude *Script
}

// Percentiles summarises latencies in milliseconds.
type Percentiles struct {
	N    int     `json:"n"`
	P50  float64 `json:"p50"`
	P95  float64 `json:"p95"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// Result is what a load run measured.
type Result struct {
	Users         int           `json:"users"`
	Script        string        `json:"script"`
	Window        time.Duration `json:"-"`
	WindowSeconds float64       `json:"window_s"`
	Steps         int64         `json:"updates"` // user updates answered in the window
	UpdatesPerSec float64       `json:"updates_per_s"`
	Conversations int           `json:"conversations"` // completed, all of them
	Failed        int           `json:"failed_conversations"`
	Latency       Percentiles   `json:"latency_ms"`     // update available → the step's last expected message
	FirstReply    Percentiles   `json:"first_reply_ms"` // update available → the first call in answer
	Timeouts      int           `json:"timeouts"`
	NoKeyboard    int           `json:"no_keyboard"`
	// Transcript checks over completed conversations, against the most
	// common transcript of the script.
	Diverged   int      `json:"diverged_chats"`
	OutOfOrder int      `json:"out_of_order_chats"`
	Duplicates int      `json:"duplicate_calls"`
	Lost       int      `json:"lost_calls"`
	Unexpected int      `json:"unexpected_calls"`
	Server     Stats    `json:"server"`
	Errors     []string `json:"errors,omitempty"` // the first few failures, for a human
}

// ErrorCount is every failure a user would notice.
func (r Result) ErrorCount() int {
	return r.Failed + r.Diverged + r.Duplicates + r.Lost + r.Unexpected
}

type userResult struct {
	done, first []time.Duration
	steps       int64
	completed   []int64
	failed      int
	timeouts    int
	noKB        int
	errs        []string
}

// RunLoad drives cfg.Users scripted users against the bot polling s, until
// each has had cfg.Conversations conversations or cfg.Duration has passed,
// and checks every completed conversation's transcript.
func RunLoad(ctx context.Context, s *Server, cfg LoadConfig) (Result, error) {
	if cfg.Users <= 0 || cfg.Script == nil || len(cfg.Script.Steps) == 0 {
		return Result{}, errors.New("tgfake: load needs users and a script")
	}
	if cfg.Duration <= 0 && cfg.Conversations <= 0 {
		return Result{}, errors.New("tgfake: load needs a duration or a number of conversations")
	}
	if cfg.Duration <= 0 {
		cfg.Duration = 24 * time.Hour
	}
	if cfg.StepTimeout <= 0 {
		cfg.StepTimeout = 30 * time.Second
	}
	if cfg.ChatBase == 0 {
		cfg.ChatBase = 1_000_000_000
	}
	if cfg.Lang == "" {
		cfg.Lang = "en"
	}
	if cfg.Settle <= 0 {
		cfg.Settle = time.Second
	}
	start := time.Now()
	measureFrom := start.Add(cfg.Warmup)
	deadline := start.Add(cfg.Duration)
	runCtx, cancel := context.WithDeadline(ctx, deadline.Add(cfg.StepTimeout))
	defer cancel()
	var nextChat atomic.Int64
	nextChat.Store(cfg.ChatBase)
	results := make([]userResult, cfg.Users)
	var wg sync.WaitGroup
	for i := range cfg.Users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = runUser(runCtx, s, cfg, &nextChat, measureFrom, deadline)
		}()
	}
	wg.Wait()
	end := time.Now()
	if end.After(deadline) {
		end = deadline
	}
	// Late calls (a duplicate, a reply to nobody) show in the transcripts.
	if !sleepCtx(ctx, cfg.Settle) {
		return Result{}, ctx.Err()
	}
	res := Result{Users: cfg.Users, Script: cfg.Script.Name}
	var done, first []time.Duration
	var chats []int64
	for _, u := range results {
		done = append(done, u.done...)
		first = append(first, u.first...)
		res.Steps += u.steps
		chats = append(chats, u.completed...)
		res.Failed += u.failed
		res.Timeouts += u.timeouts
		res.NoKeyboard += u.noKB
		for _, e := range u.errs {
			if len(res.Errors) < 10 {
				res.Errors = append(res.Errors, e)
			}
		}
	}
	res.Conversations = len(chats)
	res.Window = end.Sub(measureFrom)
	if res.Window > 0 {
		res.WindowSeconds = res.Window.Seconds()
		res.UpdatesPerSec = float64(res.Steps) / res.Window.Seconds()
	}
	res.Latency = percentiles(done)
	res.FirstReply = percentiles(first)
	if !cfg.OneChat {
		cmp := CompareTranscripts(s, chats)
		res.Diverged, res.OutOfOrder, res.Duplicates, res.Lost, res.Unexpected = cmp.Diverged, cmp.OutOfOrder, cmp.Duplicates, cmp.Lost, cmp.Unexpected
	}
	res.Server = s.Stats()
	return res, nil
}

func runUser(ctx context.Context, s *Server, cfg LoadConfig, nextChat *atomic.Int64, measureFrom, deadline time.Time) userResult {
	var r userResult
	fail := func(format string, args ...any) {
		r.failed++
		if len(r.errs) < 3 {
			r.errs = append(r.errs, fmt.Sprintf(format, args...))
		}
	}
	var id int64
	var c *Chat
	for conv := 0; cfg.Conversations == 0 || conv < cfg.Conversations; conv++ {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return r
		}
		select {
		case <-cfg.Stop:
			return r
		default:
		}
		if c == nil || !cfg.OneChat {
			id = nextChat.Add(1)
			c = s.Register(id, cfg.Lang)
		}
		ok := true
		steps := cfg.Script.Steps
		if cfg.OneChat && conv == 0 && cfg.Prelude != nil {
			steps = append(slices.Clip(cfg.Prelude.Steps), steps...)
		}
		for _, st := range steps {
			if time.Now().After(deadline) || ctx.Err() != nil {
				return r // an unfinished conversation is neither counted nor checked
			}
			c.mu.Lock()
			answers, ncalls, lastSend := c.answers, len(c.calls), c.lastSend
			c.mu.Unlock()
			var at time.Time
			if st.Press > 0 {
				var err error
				if _, at, err = s.Press(id, st.Press); err != nil {
					r.noKB++
					fail("chat %d, %s:%d: %v", id, cfg.Script.Name, st.Line, err)
					ok = false
					break
				}
			} else {
				_, at = s.SendText(id, cfg.Lang, st.Text)
			}
			var doneAt, firstAt time.Time
			answered := c.waitFor(ctx, cfg.StepTimeout, st.Expect > 0, func(calls []Call, n int) bool {
				if firstAt.IsZero() && len(calls) > ncalls {
					firstAt = calls[ncalls].At
				}
				if st.Expect == 0 {
					if len(calls) > ncalls {
						doneAt = calls[ncalls].At
						return true
					}
					return false
				}
				if n < answers+st.Expect {
					return false
				}
				seen, prev := 0, lastSend
				for _, call := range calls[ncalls:] {
					if call.Method != "sendMessage" {
						continue
					}
					if call.Hash != prev {
						seen++
						if seen == st.Expect {
							doneAt = call.At
							break
						}
					}
					prev = call.Hash
				}
				return true
			})
			if !answered {
				if ctx.Err() == nil || time.Now().Before(deadline) {
					r.timeouts++
					fail("chat %d, %s:%d (%s): no answer within %s", id, cfg.Script.Name, st.Line, st, cfg.StepTimeout)
				}
				ok = false
				break
			}
			if !at.Before(measureFrom) && !doneAt.After(deadline) {
				r.steps++
				r.done = append(r.done, doneAt.Sub(at))
				r.first = append(r.first, firstAt.Sub(at))
			}
			if cfg.Think > 0 && !sleepCtx(ctx, cfg.Think) {
				return r
			}
		}
		if ok {
			r.completed = append(r.completed, id)
		}
		if !cfg.OneChat {
			s.Forget(id)
		}
	}
	return r
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func percentiles(ds []time.Duration) Percentiles {
	if len(ds) == 0 {
		return Percentiles{}
	}
	slices.Sort(ds)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	at := func(q float64) float64 {
		i := int(q*float64(len(ds))+0.5) - 1
		return ms(ds[min(max(i, 0), len(ds)-1)])
	}
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return Percentiles{
		N: len(ds), P50: at(0.50), P95: at(0.95), P99: at(0.99), Max: ms(ds[len(ds)-1]),
		Mean: ms(sum / time.Duration(len(ds))),
	}
}

// Comparison is how transcripts differ from the most common one.
type Comparison struct {
	Reference  []uint64 // the most common transcript's call hashes
	Chats      int      // transcripts compared
	Diverged   int      // chats whose transcript differs from the reference
	OutOfOrder int      // chats with the reference's calls in another order
	Duplicates int      // calls beyond the reference's count of the same call
	Lost       int      // reference calls missing
	Unexpected int      // calls the reference does not have at all
	Examples   []int64  // a few diverging chats
}

// CompareTranscripts compares the calls of the given chats (which ran the
// same script) with the most common transcript among them.
func CompareTranscripts(s *Server, chats []int64) Comparison {
	var cmp Comparison
	type entry struct {
		n     int
		calls []uint64
	}
	seqs := make(map[int64][]uint64, len(chats))
	counts := map[uint64]*entry{}
	for _, id := range chats {
		c := s.Chat(id)
		if c == nil {
			continue
		}
		c.mu.Lock()
		hs := c.callHashes()
		c.mu.Unlock()
		seqs[id] = hs
		k := s.hash(fmt.Sprint(hs))
		e := counts[k]
		if e == nil {
			e = &entry{calls: hs}
			counts[k] = e
		}
		e.n++
	}
	var best *entry
	for _, e := range counts {
		if best == nil || e.n > best.n {
			best = e
		}
	}
	if best == nil {
		return cmp
	}
	cmp.Reference, cmp.Chats = best.calls, len(seqs)
	ref := map[uint64]int{}
	for _, h := range best.calls {
		ref[h]++
	}
	for _, id := range chats {
		hs, ok := seqs[id]
		if !ok || slices.Equal(hs, best.calls) {
			continue
		}
		cmp.Diverged++
		if len(cmp.Examples) < 5 {
			cmp.Examples = append(cmp.Examples, id)
		}
		got := map[uint64]int{}
		for _, h := range hs {
			got[h]++
		}
		same := len(hs) == len(best.calls)
		for h, n := range got {
			want := ref[h]
			switch {
			case want == 0:
				cmp.Unexpected += n
				same = false
			case n > want:
				cmp.Duplicates += n - want
				same = false
			}
		}
		for h, want := range ref {
			if n := got[h]; n < want {
				cmp.Lost += want - n
				same = false
			}
		}
		if same {
			cmp.OutOfOrder++
		}
	}
	return cmp
}
