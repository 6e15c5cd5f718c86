package bot

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// defaultHTTPClient is the client for Bot API calls when Config.HTTPClient
// is nil: a 30 s timeout per call and enough idle keep-alive connections
// that every send worker and the poller keep their own (net/http keeps 2
// per host by default, so under load most calls dialled anew).
func defaultHTTPClient(sendWorkers int) *http.Client {
	tr := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   30 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          sendWorkers + 16,
		MaxIdleConnsPerHost:   sendWorkers + 16, // senders, the poller, start-up calls
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{Timeout: 30 * time.Second, Transport: tr}
}

// bufferedClient sends each request body in one piece. go-telegram/bot
// streams its multipart bodies through a pipe, which net/http sends with
// chunked transfer encoding, flushing every chunk to the socket: a dozen
// small writes per call on both sides of the connection. Reading the pipe
// into memory first gives the request a Content-Length and one write.
type bufferedClient struct{ hc *http.Client }

// maxBufferedBody bounds what bufferedClient reads into memory; the calls
// we make are a few KB.
const maxBufferedBody = 8 << 20

// Do reads the body of req into memory when its length is unknown, then
// sends it.
func (c bufferedClient) Do(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody || req.ContentLength > 0 {
		return c.hc.Do(req)
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, maxBufferedBody+1))
	req.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	if len(body) > maxBufferedBody {
		return nil, fmt.Errorf("request body over %d bytes", maxBufferedBody)
	}
	req.ContentLength = int64(len(body))
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return c.hc.Do(req)
}
