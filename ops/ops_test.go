package ops_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redress-legal/redress/ops"
)

func fetch(t *testing.T, h http.Handler, method, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	b, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(b)
}

// TestReadyz: /readyz answers 200 while every check holds, 503 naming each
// one that fails; /healthz answers 200 all the same.
func TestReadyz(t *testing.T) {
	var dbErr, tgErr error
	h := ops.Handler(ops.Config{Ready: []ops.Check{
		{Name: "database", Run: func(context.Context) error { return dbErr }},
		{Name: "telegram", Run: func(context.Context) error { return tgErr }},
	}})
	if code, body := fetch(t, h, "GET", "/readyz"); code != 200 || strings.TrimSpace(body) != "ready" {
		t.Errorf("all checks hold: %d %q", code, body)
	}
	dbErr = errors.New("disk full")
	tgErr = errors.New("Telegram not reached")
	code, body := fetch(t, h, "GET", "/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "database: disk full") || !strings.Contains(body, "telegram: Telegram not reached") {
		t.Errorf("two checks fail: %d %q", code, body)
	}
	if code, _ := fetch(t, h, "GET", "/healthz"); code != 200 {
		t.Errorf("/healthz: %d while the process is up", code)
	}
	if code, _ := fetch(t, h, "POST", "/healthz"); code != http.StatusMethodNotAllowed {
		t.Errorf("POST /healthz: %d, want 405", code)
	}
}

// TestMetricsExposition: what the bot reports is exposed under the
// documented names; the store's gauges are read at each scrape, and one
// that fails is left out rather than failing the scrape.
func TestMetricsExposition(t *testing.T) {
	m := ops.NewMetrics()
	m.Update("message")
	m.Update("message")
	m.Update("callback_query")
	m.Handled(3 * time.Millisecond)
	m.APICall("sendMessage", 200)
	m.APICall("sendMessage", 429)
	m.APICall("getUpdates", 0)
	m.Retry("sendMessage")
	m.Started()
	m.Completed("result")
	m.Handoff("requested")
	m.Handoff("relayed")
	m.Handoff("relayed")
	depth := int64(4)
	h := ops.Handler(ops.Config{Metrics: m, Gauges: []ops.Gauge{
		{Name: "redress_outbox_depth", Help: "h", Read: func(context.Context) (int64, error) { return depth, nil }},
		{Name: "redress_sessions_active", Help: "h", Read: func(context.Context) (int64, error) { return 0, errors.New("busy") }},
	}})
	code, body := fetch(t, h, "GET", "/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d", code)
	}
	for _, w := range []string{
		`redress_updates_total{kind="message"} 2`,
		`redress_updates_total{kind="callback_query"} 1`,
		`redress_update_duration_seconds_bucket{le="0.005"} 1`,
		`redress_update_duration_seconds_count 1`,
		`redress_telegram_calls_total{code="200",method="sendMessage"} 1`,
		`redress_telegram_calls_total{code="429",method="sendMessage"} 1`,
		`redress_telegram_calls_total{code="0",method="getUpdates"} 1`,
		`redress_telegram_rate_limited_total 1`,
		`redress_retries_total{what="sendMessage"} 1`,
		`redress_conversations_started_total 1`,
		`redress_conversations_completed_total{outcome="result"} 1`,
		`redress_handoffs_total{event="requested"} 1`,
		`redress_handoffs_total{event="relayed"} 2`,
		"redress_outbox_depth 4",
		"go_goroutines ",
	} {
		if !strings.Contains(body, w) {
			t.Errorf("/metrics lacks %q", w)
		}
	}
	if strings.Contains(body, "redress_sessions_active ") {
		t.Error("a gauge whose read failed was exposed")
	}
	depth = 9
	if _, body := fetch(t, h, "GET", "/metrics"); !strings.Contains(body, "redress_outbox_depth 9") {
		t.Error("the gauge was not read again at the next scrape")
	}
}

// TestAddress: a port alone listens on loopback; a host given is kept; a
// mistake is refused.
func TestAddress(t *testing.T) {
	for in, want := range map[string]string{
		"9464":           "127.0.0.1:9464",
		":9464":          "127.0.0.1:9464",
		"127.0.0.1:9464": "127.0.0.1:9464",
		"[::1]:9464":     "[::1]:9464",
		"0.0.0.0:9464":   "0.0.0.0:9464",
	} {
		if got, err := ops.Address(in); err != nil || got != want {
			t.Errorf("Address(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"nowhere", "host:port", ":99999", ""} {
		if got, err := ops.Address(bad); err == nil {
			t.Errorf("Address(%q) = %q, want an error", bad, got)
		}
	}
}

// TestServeListensAndStops: Serve listens at once (an address in use is an
// error then, not later) and stops when its context ends.
func TestServeListensAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	wait, err := ops.Serve(ctx, ops.Config{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	done := make(chan struct{})
	go func() { wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the admin listener did not stop with its context")
	}
	ln := httptest.NewServer(http.NotFoundHandler())
	defer ln.Close()
	if _, err := ops.Serve(context.Background(), ops.Config{Addr: strings.TrimPrefix(ln.URL, "http://")}); err == nil {
		t.Error("Serve on an address in use did not fail")
	}
}

// BenchmarkCountsPerUpdate is what the metrics add to one update's
// handling under load: the update counted, its handling time observed, and
// the six Bot API calls an answered button makes on average counted.
func BenchmarkCountsPerUpdate(b *testing.B) {
	m := ops.NewMetrics()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.Update("callback_query")
			m.Handled(2 * time.Millisecond)
			for range 3 {
				m.APICall("sendMessage", 200)
				m.APICall("editMessageText", 200)
			}
		}
	})
}
