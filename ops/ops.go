// Package ops is the operator's admin listener (redress serve
// --admin-listen): /healthz, /readyz and /metrics in the Prometheus text
// format, through the official client library. It counts what the bot
// does — updates by kind, handling latency, Bot API calls by method and
// status, 429s, retries, conversations started and completed, outcomes,
// the hand-off's events —
// and reads the outbox depth and the active sessions from the store at
// scrape time. It is never given message content, user or chat
// identifiers, so no metric can hold them.
//
// The package imports no project package: the bot reports through
// Metrics (which satisfies bot.Metrics), and the store and Telegram are
// reached through the small functions of Config, wired in main.
package ops

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the bot's counters in a Prometheus registry of its own.
// Its methods are those of bot.Metrics; each is safe for concurrent use
// and never blocks.
type Metrics struct {
	reg       *prometheus.Registry
	updates   *prometheus.CounterVec
	handled   prometheus.Histogram
	calls     *prometheus.CounterVec
	limited   prometheus.Counter
	retries   *prometheus.CounterVec
	started   prometheus.Counter
	completed *prometheus.CounterVec
	handoffs  *prometheus.CounterVec

	// The counters of the hot path, looked up once: WithLabelValues hashes
	// its labels on every call, several times per update under load.
	byKind map[string]prometheus.Counter // read-only after NewMetrics
	mu     sync.RWMutex
	byCall map[callKey]prometheus.Counter
}

// callKey is the labels of one Bot API calls counter.
type callKey struct {
	method string
	code   int
}

// NewMetrics makes the registry with the bot's metrics and the Go
// runtime's and process's own.
func NewMetrics() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.updates = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "redress_updates_total", Help: "Telegram updates received, by kind (message, edited_message, callback_query, other).",
	}, []string{"kind"})
	m.handled = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "redress_update_duration_seconds",
		Help:    "Time to handle one update: decide the step and commit it with its replies (sending is not included).",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	})
	m.calls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "redress_telegram_calls_total", Help: "Bot API calls by method and HTTP status code (0: no answer: network error or timeout).",
	}, []string{"method", "code"})
	m.limited = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "redress_telegram_rate_limited_total", Help: "Bot API calls answered 429 Too Many Requests.",
	})
	m.retries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "redress_retries_total", Help: "Failed steps tried again: a Bot API call (by method) or the handling of an update (update).",
	}, []string{"what"})
	m.started = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "redress_conversations_started_total", Help: "Conversations begun (a new user, or one who erased theirs).",
	})
	m.completed = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "redress_conversations_completed_total", Help: "Conversations that reached an outcome, by the flow's outcome node.",
	}, []string{"outcome"})
	m.handoffs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "redress_handoffs_total", Help: "Hand-off steps committed, by event (requested, claimed, relayed, replied, closed, erased).",
	}, []string{"event"})
	m.byKind = map[string]prometheus.Counter{}
	for _, k := range []string{"message", "edited_message", "callback_query", "other"} {
		m.byKind[k] = m.updates.WithLabelValues(k)
	}
	m.byCall = map[callKey]prometheus.Counter{}
	m.reg.MustRegister(m.updates, m.handled, m.calls, m.limited, m.retries, m.started, m.completed, m.handoffs,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Update counts an update by kind.
func (m *Metrics) Update(kind string) {
	if c, ok := m.byKind[kind]; ok {
		c.Inc()
		return
	}
	m.updates.WithLabelValues(kind).Inc()
}

// Handled observes the time one update took to handle.
func (m *Metrics) Handled(d time.Duration) { m.handled.Observe(d.Seconds()) }

// APICall counts a Bot API call by method and status code (0: no answer).
func (m *Metrics) APICall(method string, code int) {
	k := callKey{method, code}
	m.mu.RLock()
	c, ok := m.byCall[k]
	m.mu.RUnlock()
	if !ok {
		c = m.calls.WithLabelValues(method, strconv.Itoa(code))
		m.mu.Lock()
		m.byCall[k] = c
		m.mu.Unlock()
	}
	c.Inc()
	if code == http.StatusTooManyRequests {
		m.limited.Inc()
	}
}

// Retry counts a step tried again.
func (m *Metrics) Retry(what string) { m.retries.WithLabelValues(what).Inc() }

// Started counts a conversation begun.
func (m *Metrics) Started() { m.started.Inc() }

// Completed counts a conversation that reached the outcome node named.
func (m *Metrics) Completed(outcome string) { m.completed.WithLabelValues(outcome).Inc() }

// Handoff counts a step of the hand-off to volunteers, by event.
func (m *Metrics) Handoff(event string) { m.handoffs.WithLabelValues(event).Inc() }

// Gauge is a value read from the store when /metrics is scraped.
type Gauge struct {
	Name, Help string
	Read       func(ctx context.Context) (int64, error)
}

// gauges reads its Gauges at each scrape; a read that fails is left out
// of that scrape (and logged), so a slow or broken store cannot hang it.
type gauges struct {
	gs    []Gauge
	descs []*prometheus.Desc
	log   *slog.Logger
}

func (g *gauges) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range g.descs {
		ch <- d
	}
}

func (g *gauges) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for i, gg := range g.gs {
		v, err := gg.Read(ctx)
		if err != nil {
			g.log.Warn("metrics: gauge not read", "gauge", gg.Name, "err", err)
			continue
		}
		ch <- prometheus.MustNewConstMetric(g.descs[i], prometheus.GaugeValue, float64(v))
	}
}

// Check is one readiness condition: nil when it holds.
type Check struct {
	Name string
	Run  func(ctx context.Context) error
}

// Config is what the admin listener serves.
type Config struct {
	Addr    string // where to listen; see Address
	Metrics *Metrics
	Gauges  []Gauge // read at each scrape of /metrics
	Ready   []Check // all must hold for /readyz to answer 200
	Logger  *slog.Logger
}

// Address makes an --admin-listen value an address to listen on: a port
// alone (":9464" or "9464") listens on loopback; a host given is used as
// given (put a firewall or an authenticating proxy before anything else).
func Address(s string) (string, error) {
	if _, err := strconv.Atoi(s); err == nil {
		s = ":" + s
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "", fmt.Errorf("%q: want HOST:PORT or a port: %w", s, err)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return "", fmt.Errorf("%q: %q is not a port number", s, port)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}

// Handler serves /healthz, /readyz and /metrics.
func Handler(cfg Config) http.Handler {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	reg := prometheus.NewRegistry()
	if cfg.Metrics != nil {
		reg = cfg.Metrics.reg
	}
	if len(cfg.Gauges) > 0 {
		g := &gauges{gs: cfg.Gauges, log: log}
		for _, gg := range cfg.Gauges {
			g.descs = append(g.descs, prometheus.NewDesc(gg.Name, gg.Help, nil, nil))
		}
		reg.MustRegister(g)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		var failed []string
		for _, c := range cfg.Ready {
			ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
			err := c.Run(ctx)
			cancel()
			if err != nil {
				failed = append(failed, c.Name+": "+err.Error())
			}
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if len(failed) > 0 {
			log.Warn("not ready", "problems", strings.Join(failed, "; "))
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, strings.Join(failed, "\n"))
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}))
	return mux
}

// Serve listens on cfg.Addr and serves Handler(cfg) until ctx ends; it
// returns once listening, with a function that waits for the server to
// stop. An address that cannot be listened on is an error at once.
func Serve(ctx context.Context, cfg Config) (wait func(), err error) {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("admin listener: %w", err)
	}
	srv := &http.Server{Handler: Handler(cfg), ReadHeaderTimeout: 5 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) && cfg.Logger != nil {
			cfg.Logger.Error("admin listener stopped", "err", err)
		}
	}()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if cfg.Logger != nil {
		cfg.Logger.Info("admin listener: /healthz /readyz /metrics", "addr", ln.Addr().String())
	}
	return func() { <-done }, nil
}
