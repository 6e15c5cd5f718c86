package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat;
// it is 100 on every Linux architecture Go supports.
const clockTicks = 100

// procSample is what /proc says about a process at one moment.
type procSample struct {
	CPU   time.Duration // user + system time so far
	RSS   int64         // resident set size now, bytes (VmRSS)
	HWM   int64         // peak resident set size, bytes (VmHWM)
	Valid bool
}

// readProc reads the CPU time and memory of process pid.
func readProc(pid int) (procSample, error) {
	var s procSample
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s, fmt.Errorf("read stat: %w", err)
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return s, fmt.Errorf("stat of %d: no command name", pid)
	}
	f := strings.Fields(string(stat[i+1:]))
	// After the name: state is field 3, utime 14 and stime 15 (1-based).
	if len(f) < 13 {
		return s, fmt.Errorf("stat of %d: %d fields", pid, len(f))
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return s, fmt.Errorf("stat of %d: bad times", pid)
	}
	s.CPU = time.Duration(ut+st) * time.Second / clockTicks
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, fmt.Errorf("read status: %w", err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch k {
		case "VmRSS":
			s.RSS = kb(v)
		case "VmHWM":
			s.HWM = kb(v)
		}
	}
	s.Valid = true
	return s, nil
}

// kb parses "  12345 kB" into bytes.
func kb(v string) int64 {
	f := strings.Fields(v)
	if len(f) == 0 {
		return 0
	}
	n, _ := strconv.ParseInt(f[0], 10, 64)
	return n * 1024
}
