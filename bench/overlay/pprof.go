//go:build redress_pprof

// This file is not part of Redress. bench/run.sh adds it to the main
// package with `go build -tags redress_pprof -overlay`, so that the
// benchmarked binary serves net/http/pprof on $REDRESS_PPROF (a loopback
// address) until `redress serve --pprof` exists (docs/HELPERS.md).
package main

import (
	"net"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof on the default mux
	"os"
)

func init() {
	addr := os.Getenv("REDRESS_PPROF")
	if addr == "" {
		return
	}
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return
	}
	go func() { _ = http.ListenAndServe(addr, nil) }()
}
