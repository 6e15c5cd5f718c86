//go:build linux || darwin || freebsd || netbsd || openbsd

package tgfake

import (
	"errors"
	"net"
	"syscall"
	"time"
)

// watchConn returns a channel closed when the peer of conn closes it or
// resets it, and stop, which ends the watch; stop must be called before
// anything reads conn again. It peeks (MSG_PEEK), so nothing the client
// sends meanwhile is taken from the server; a client that sends data
// before the answer (pipelining) ends the watch without closing the
// channel.
func watchConn(conn net.Conn) (<-chan struct{}, func()) {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return watchConnFallback(conn)
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return watchConnFallback(conn)
	}
	gone := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		var buf [1]byte
		closed := false
		err := raw.Read(func(fd uintptr) bool {
			n, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
			if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EINTR) {
				return false // wait until readable
			}
			closed = n == 0 || err != nil // EOF or reset; n > 0: data, not gone
			return true
		})
		if err == nil && closed {
			close(gone)
		}
	}()
	stop := func() {
		_ = conn.SetReadDeadline(time.Unix(1, 0)) // wakes the read above
		<-exited
		_ = conn.SetReadDeadline(time.Time{}) // fasthttp sets its own before reading
	}
	return gone, stop
}
