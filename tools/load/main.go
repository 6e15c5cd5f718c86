// Command load is Redress's load tool: a fake Telegram Bot API on loopback
// that a bot under test polls, driving concurrent scripted users closed-loop
// through whole conversations. It reports updates per second, latency from a
// user's update becoming available to the bot's answer (p50/p95/p99), errors,
// duplicate, lost and out-of-order replies, and the bot's CPU time and peak
// memory (/proc), as a table and as one JSON line.
//
//	load --script bench/scripts/questionnaire.txt -c 100 --duration 30s \
//	     --cmd './redress serve --db /tmp/bench.db'
//
// With --cmd the tool starts the bot itself, with TELEGRAM_API_URL and
// TELEGRAM_BOT_TOKEN set for it, and measures its start-up (launch to the
// first getUpdates). With --pid it measures a bot started otherwise. See
// docs/PERFORMANCE.md.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/redress-legal/redress/tools/load/tgfake"
)

// gcPercent is this tool's GOGC unless the environment sets one: its live
// heap is small and its garbage plentiful, so the default would collect
// very often on the cores it shares with the bot.
const gcPercent = 400

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "load:", err)
		}
		os.Exit(1)
	}
}

// options are the command line.
type options struct {
	name, note, listen, token, script, cmd, logFile, jsonFile, lang, cpuProfile string
	pid, users, conversations                                                   int
	duration, warmup, stepTimeout, think, readyTimeout                          time.Duration
	startupOnly                                                                 bool
	chatBase, firstUpdate                                                       int64
	faults                                                                      tgfake.Faults
}

// Report is the JSON line of one run.
type Report struct {
	Name       string    `json:"name"`
	Note       string    `json:"note,omitempty"`
	Time       time.Time `json:"time"`
	Users      int       `json:"users"`
	Script     string    `json:"script"`
	StartupMS  float64   `json:"startup_ms,omitempty"`
	ReadyRSSMB float64   `json:"ready_rss_mb,omitempty"`
	CPUSeconds float64   `json:"cpu_s,omitempty"` // from the end of the warm-up to the end of the run
	CPUPerKUpd float64   `json:"cpu_ms_per_1k_updates,omitempty"`
	PeakRSSMB  float64   `json:"peak_rss_mb,omitempty"`
	LoadCPU    float64   `json:"loadtool_cpu_s"` // this tool's own CPU time during the run (same machine)
	Errors     int       `json:"errors"`
	*tgfake.Result
	Faults tgfake.Faults `json:"faults"`
}

func parse(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.name, "name", "bot", "label of the bot in the report")
	fs.StringVar(&o.note, "note", "", "free text copied into the JSON line (a commit, the machine's load)")
	fs.StringVar(&o.listen, "listen", "127.0.0.1:0", "loopback `address` the fake Bot API listens on")
	fs.StringVar(&o.token, "token", "123456:LOAD-TEST", "bot token the bot must use")
	fs.StringVar(&o.script, "script", "", "script `file` every user follows (required unless --startup-only)")
	fs.StringVar(&o.cmd, "cmd", "", "shell `command` that starts the bot; TELEGRAM_API_URL and TELEGRAM_BOT_TOKEN are set for it")
	fs.IntVar(&o.pid, "pid", 0, "process ID of a bot started otherwise, for CPU and memory")
	fs.StringVar(&o.logFile, "log", "", "`file` for the bot's output (with --cmd; default: discarded)")
	fs.StringVar(&o.jsonFile, "json", "", "append the JSON line to this `file` too")
	fs.IntVar(&o.users, "c", 100, "concurrent users (chats)")
	fs.IntVar(&o.conversations, "conversations", 0, "conversations per user (0: as many as fit in --duration)")
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "how long to drive the bot")
	fs.DurationVar(&o.warmup, "warmup", 3*time.Second, "time before measuring starts")
	fs.DurationVar(&o.stepTimeout, "step-timeout", 30*time.Second, "a step not answered by then fails its conversation")
	fs.DurationVar(&o.think, "think", 0, "pause of a user between a reply and its next input")
	fs.DurationVar(&o.readyTimeout, "ready-timeout", 60*time.Second, "how long the bot may take to first call getUpdates")
	fs.BoolVar(&o.startupOnly, "startup-only", false, "start the bot (--cmd), measure start-up and memory, stop it")
	fs.Int64Var(&o.chatBase, "chat-base", (time.Now().Unix()-1_700_000_000)*100_000,
		"chat IDs start after this (default: from the clock, so that every run talks to new users, even on a database used before)")
	fs.Int64Var(&o.firstUpdate, "first-update-id", (time.Now().Unix()-1_700_000_000)*100_000,
		"ID of the first update (default: from the clock, so that runs against the same database keep increasing, as on Telegram)")
	fs.StringVar(&o.lang, "lang", "en", "users' language_code")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write this tool's own CPU profile to `file`")
	fs.Float64Var(&o.faults.Rate429, "fault-429", 0, "share of calls answered 429 with retry_after")
	fs.IntVar(&o.faults.RetryAfter, "retry-after", 1, "retry_after `seconds` of an injected 429")
	fs.Float64Var(&o.faults.Rate500, "fault-500", 0, "share of calls answered 500")
	fs.Float64Var(&o.faults.RateStall, "fault-stall", 0, "share of calls held for --stall before the answer")
	fs.DurationVar(&o.faults.Stall, "stall", 2*time.Second, "how long a stalled call is held")
	fs.BoolVar(&o.faults.GetUpdates, "fault-getupdates", false, "fault getUpdates too")
	fs.Uint64Var(&o.faults.Seed, "seed", 0, "random seed of the faults (0: fixed default)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.script == "" && !o.startupOnly {
		return o, errors.New("--script is required")
	}
	if o.startupOnly && o.cmd == "" {
		return o, errors.New("--startup-only needs --cmd")
	}
	host, _, err := net.SplitHostPort(o.listen)
	if err != nil {
		return o, fmt.Errorf("--listen: %w", err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return o, fmt.Errorf("--listen %s: only loopback addresses are allowed", o.listen)
	}
	if o.users < 1 || o.users > 10000 {
		return o, errors.New("-c must be between 1 and 10000")
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	var script *tgfake.Script
	if o.script != "" {
		data, err := os.ReadFile(o.script)
		if err != nil {
			return fmt.Errorf("script: %w", err)
		}
		if script, err = tgfake.ParseScript(o.script, data); err != nil {
			return err
		}
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	srv := tgfake.New(tgfake.Config{Token: o.token, Faults: o.faults, FirstUpdateID: o.firstUpdate})
	base, err := srv.Start(o.listen)
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Fprintf(stderr, "load: fake Bot API at %s\n", base)

	rep := Report{Name: o.name, Note: o.note, Time: time.Now().UTC(), Users: o.users, Faults: o.faults}
	pid := o.pid
	var bot *exec.Cmd
	launched := time.Now()
	if o.cmd != "" {
		bot, err = launch(o, base)
		if err != nil {
			return err
		}
		pid = bot.Process.Pid
	}
	exited := make(chan error, 1)
	if bot != nil {
		go func() { exited <- bot.Wait() }()
		defer func() {
			if bot != nil {
				stopBot(bot, exited, stderr)
			}
		}()
	}
	select {
	case <-srv.Polled():
		if bot != nil {
			rep.StartupMS = float64(time.Since(launched).Microseconds()) / 1000
		}
	case err := <-exited:
		bot = nil
		return fmt.Errorf("the bot exited before polling: %v (see --log)", err)
	case <-time.After(o.readyTimeout):
		return fmt.Errorf("the bot did not call getUpdates within %s", o.readyTimeout)
	case <-ctx.Done():
		return ctx.Err()
	}
	var ready procSample
	if pid > 0 {
		if ready, err = readProc(pid); err != nil {
			fmt.Fprintln(stderr, "load: cannot read the bot's /proc:", err)
		}
		rep.ReadyRSSMB = mb(ready.RSS)
	}
	if o.startupOnly {
		rep.PeakRSSMB = mb(ready.HWM)
		return emit(o, rep, stdout)
	}
	// CPU is counted from the end of the warm-up, like the updates.
	measured := make(chan procSample, 1)
	go func() {
		time.Sleep(o.warmup)
		var s procSample
		if pid > 0 {
			s, _ = readProc(pid)
		}
		measured <- s
	}()
	self0, _ := readProc(os.Getpid())
	res, err := tgfake.RunLoad(ctx, srv, tgfake.LoadConfig{
		Users: o.users, Script: script, Duration: o.duration, Conversations: o.conversations,
		Warmup: o.warmup, StepTimeout: o.stepTimeout, Think: o.think, ChatBase: o.chatBase, Lang: o.lang,
	})
	if err != nil {
		return err
	}
	rep.Result = &res
	rep.Script = res.Script
	if self1, err := readProc(os.Getpid()); err == nil && self0.Valid {
		rep.LoadCPU = (self1.CPU - self0.CPU).Seconds()
	}
	rep.Errors = res.ErrorCount()
	before := <-measured
	if pid > 0 && before.Valid {
		if after, err := readProc(pid); err == nil {
			rep.CPUSeconds = (after.CPU - before.CPU).Seconds()
			rep.PeakRSSMB = mb(after.HWM)
			if res.Steps > 0 {
				rep.CPUPerKUpd = rep.CPUSeconds * 1000 * 1000 / float64(res.Steps)
			}
		} else {
			fmt.Fprintln(stderr, "load: cannot read the bot's /proc after the run:", err)
		}
	}
	select {
	case err := <-exited:
		bot = nil
		return fmt.Errorf("the bot exited during the run: %v", err)
	default:
	}
	return emit(o, rep, stdout)
}

func mb(b int64) float64 { return float64(b*10/(1<<20)) / 10 }

// launch starts the bot in its own process group, with the fake's URL and
// token in its environment.
func launch(o options, base string) (*exec.Cmd, error) {
	cmd := exec.Command("/bin/sh", "-c", "exec "+o.cmd)
	cmd.Env = append(os.Environ(), "TELEGRAM_API_URL="+base, "TELEGRAM_BOT_TOKEN="+o.token)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if o.logFile != "" {
		f, err := os.OpenFile(o.logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, fmt.Errorf("--log: %w", err)
		}
		cmd.Stdout, cmd.Stderr = f, f
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the bot: %w", err)
	}
	return cmd, nil
}

// stopBot asks the bot's process group to stop (SIGTERM) and kills it
// when it has not exited 20 seconds later.
func stopBot(cmd *exec.Cmd, exited <-chan error, stderr io.Writer) {
	pgid := cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-exited:
		return
	case <-time.After(20 * time.Second):
	}
	fmt.Fprintln(stderr, "load: the bot did not stop within 20s of SIGTERM; killing it")
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
	}
}

// emit prints the table and the JSON line (and appends it to --json).
func emit(o options, rep Report, stdout io.Writer) error {
	line, err := json.Marshal(rep)
	if err != nil {
		return fmt.Errorf("encode report: %w", err)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	if rep.Result != nil {
		r := rep.Result
		fmt.Fprintln(tw, "bot\tusers\tupdates\tupd/s\tp50 ms\tp95 ms\tp99 ms\tmax ms\terrors\tdup\tlost\tooo\tcpu s\tpeak RSS MB\tstart-up ms\t")
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.0f\t%.1f\t%.1f\t%.1f\t%.1f\t%d\t%d\t%d\t%d\t%.2f\t%.1f\t%.0f\t\n",
			rep.Name, rep.Users, r.Steps, r.UpdatesPerSec, r.Latency.P50, r.Latency.P95, r.Latency.P99, r.Latency.Max,
			rep.Errors, r.Duplicates, r.Lost, r.OutOfOrder, rep.CPUSeconds, rep.PeakRSSMB, rep.StartupMS)
	} else {
		fmt.Fprintln(tw, "bot\tstart-up ms\tRSS at ready MB\tpeak RSS MB\t")
		fmt.Fprintf(tw, "%s\t%.0f\t%.1f\t%.1f\t\n", rep.Name, rep.StartupMS, rep.ReadyRSSMB, rep.PeakRSSMB)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("print: %w", err)
	}
	if rep.Result != nil {
		r := rep.Result
		var calls []string
		for k, v := range r.Server.Calls {
			calls = append(calls, fmt.Sprintf("%s=%d", k, v))
		}
		sort.Strings(calls)
		fmt.Fprintf(stdout, "conversations %d completed, %d failed (%d timeouts, %d without the button pressed); diverged chats %d, unexpected calls %d\n",
			r.Conversations, r.Failed, r.Timeouts, r.NoKeyboard, r.Diverged, r.Unexpected)
		fmt.Fprintf(stdout, "load tool CPU %.2f s (it shares the machine with the bot)\n", rep.LoadCPU)
		fmt.Fprintf(stdout, "calls: %s; 4xx %d, injected 429 %d / 500 %d / stalls %d, retry_after ignored %d, updates re-delivered %d\n",
			strings.Join(calls, " "), r.Server.BadRequests, r.Server.Injected429, r.Server.Injected500, r.Server.Stalled,
			r.Server.RateViolate, r.Server.Redelivered)
		for _, e := range r.Errors {
			fmt.Fprintln(stdout, "  error:", e)
		}
	}
	fmt.Fprintf(stdout, "%s\n", line)
	if o.jsonFile != "" {
		f, err := os.OpenFile(o.jsonFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("--json: %w", err)
		}
		defer f.Close()
		if _, err := fmt.Fprintf(f, "%s\n", line); err != nil {
			return fmt.Errorf("--json: %w", err)
		}
	}
	return nil
}
