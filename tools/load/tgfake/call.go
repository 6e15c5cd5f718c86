package tgfake

import (
	"net"

	"github.com/valyala/fasthttp"
)

// call is one request being served, for the waits of long polls and
// stalls: besides the server's shutdown (rc.Done), they end when the client
// goes away, as net/http's request context did. A bot killed in the middle
// of a long poll must not have that poll take the next update.
type call struct {
	rc       *fasthttp.RequestCtx
	goneCh   <-chan struct{}
	stop     func()
	watching bool
}

// gone returns a channel closed when the client closes the connection;
// the first call starts watching it (nil: the connection cannot be watched).
func (c *call) gone() <-chan struct{} {
	if !c.watching {
		c.watching = true
		if conn := c.rc.Conn(); conn != nil {
			c.goneCh, c.stop = watchConn(conn)
		}
	}
	return c.goneCh
}

// end stops watching the connection: fasthttp reads it again after the
// handler returns.
func (c *call) end() {
	if c.stop != nil {
		c.stop()
		c.stop = nil
	}
}

// watchConnFallback cannot tell when the peer leaves: the wait then ends
// only on its own or at shutdown.
func watchConnFallback(net.Conn) (<-chan struct{}, func()) { return nil, nil }
