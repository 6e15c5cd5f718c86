//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package tgfake

import "net"

// watchConn cannot watch a connection on this system.
func watchConn(conn net.Conn) (<-chan struct{}, func()) { return watchConnFallback(conn) }
