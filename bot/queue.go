package bot

import (
	"context"
	"sync"
)

// job is one update waiting to be handled. done is called exactly once:
// with true when the update is settled (committed, a duplicate, or
// deliberately ignored) and may be confirmed to Telegram; with false when
// it was not handled (shutdown) and must be delivered again.
type job struct {
	id   int64
	chat int64
	run  func(ctx context.Context) bool
	done func(ok bool)
}

// scheduler runs jobs strictly in order within a chat and concurrently
// across chats, with at most `workers` jobs running at once. Each chat has
// its own FIFO; a chat with work is in the ready list or being run, never
// both, so one chat's jobs never overlap. After a job a chat with more work
// goes to the back of the ready list: a busy chat cannot starve the others.
//
// We do not use go-telegram/bot's dispatch: it runs every handler in its own
// goroutine (30 messages of one chat ran 27 at once, out of order), and its
// WithNotAsyncHandlers serialises all chats behind one another.
type scheduler struct {
	mu      sync.Mutex
	cond    *sync.Cond
	queues  map[int64][]job
	ready   []int64
	closed  bool // no more jobs accepted
	stopped bool // workers exit; queued jobs are failed
	pending int  // jobs accepted and not yet done
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

func newScheduler(ctx context.Context, workers int) *scheduler {
	ctx, cancel := context.WithCancel(ctx)
	s := &scheduler{queues: map[int64][]job{}, cancel: cancel}
	s.cond = sync.NewCond(&s.mu)
	for range workers {
		s.wg.Add(1)
		go s.work(ctx)
	}
	return s
}

// submit queues j behind the chat's earlier jobs. It reports false, without
// calling j.done, when the scheduler no longer accepts work.
func (s *scheduler) submit(j job) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.pending++
	q, busy := s.queues[j.chat]
	s.queues[j.chat] = append(q, j)
	if !busy {
		s.ready = append(s.ready, j.chat)
		s.cond.Broadcast()
	}
	return true
}

func (s *scheduler) work(ctx context.Context) {
	defer s.wg.Done()
	for {
		s.mu.Lock()
		for len(s.ready) == 0 && !s.stopped {
			s.cond.Wait()
		}
		if s.stopped {
			s.mu.Unlock()
			return
		}
		chat := s.ready[0]
		s.ready = s.ready[1:]
		j := s.queues[chat][0]
		s.mu.Unlock()

		ok := j.run(ctx)

		s.mu.Lock()
		q := s.queues[chat][1:]
		if len(q) == 0 {
			delete(s.queues, chat)
		} else {
			s.queues[chat] = q
			s.ready = append(s.ready, chat)
		}
		s.pending--
		s.cond.Broadcast()
		s.mu.Unlock()
		j.done(ok)
	}
}

// drain stops accepting jobs and waits until every accepted job is done or
// ctx ends; then it stops the workers, fails the jobs still queued and
// waits for the running ones to return.
func (s *scheduler) drain(ctx context.Context) {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	stop := context.AfterFunc(ctx, func() {
		s.mu.Lock()
		s.stopped = true
		s.cond.Broadcast()
		s.mu.Unlock()
		s.cancel() // running jobs give up: they are not confirmed
	})
	defer stop()
	s.mu.Lock()
	for s.pending > 0 && !s.stopped {
		s.cond.Wait()
	}
	s.stopped = true
	s.cond.Broadcast()
	s.mu.Unlock()
	s.wg.Wait()
	s.cancel()
	// Whatever is still queued was never run.
	s.mu.Lock()
	var left []job
	for _, q := range s.queues {
		left = append(left, q...)
	}
	s.queues = map[int64][]job{}
	s.ready = nil
	s.pending = 0
	s.mu.Unlock()
	for _, j := range left {
		j.done(false)
	}
}
