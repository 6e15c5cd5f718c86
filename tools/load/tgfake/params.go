package tgfake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/valyala/fasthttp"
)

// maxBody bounds a request body; Bot API calls of a text bot are far smaller.
const maxBody = 8 << 20

// params are the parameters of one Bot API call, whatever the encoding:
// strings as they are, anything else (numbers, objects, booleans) as its
// JSON text, which is also how multipart and urlencoded bodies carry them.
type params map[string]string

// readParams reads a call's parameters from the query string and from a
// multipart/form-data, application/json or application/x-www-form-urlencoded
// body. go-telegram/bot sends multipart; grammY and Telegraf send JSON.
// (fasthttp has read the whole body, chunked or not, up to maxBody.)
func readParams(r *fasthttp.Request) (params, error) {
	p := params{}
	addQuery(p, r)
	data := r.Body()
	if len(data) == 0 {
		return p, nil
	}
	ct := string(r.Header.ContentType())
	var mt string
	var mtParams map[string]string
	switch ct { // the common spellings, without parsing them every time
	case "application/json", "application/json; charset=utf-8", "application/json;charset=utf-8":
		mt = "application/json"
	case "application/x-www-form-urlencoded":
		mt = ct
	default:
		mt, mtParams, _ = mime.ParseMediaType(ct)
	}
	switch mt {
	case "multipart/form-data":
		if mtParams["boundary"] == "" {
			return nil, errors.New("multipart body without a boundary")
		}
		if err := p.addMultipart(bytes.NewReader(data), mtParams["boundary"]); err != nil {
			return nil, err
		}
		return p, nil
	}
	if mt == "application/x-www-form-urlencoded" {
		if err := p.addForm(data); err != nil {
			return nil, err
		}
		return p, nil
	}
	// application/json, or no content type with a JSON body
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return p, nil
	}
	if mt != "application/json" && data[0] != '{' {
		if err := p.addForm(data); err != nil {
			return nil, err
		}
		return p, nil
	}
	if len(p) == 0 && p.addJSONFast(data) {
		return p, nil
	}
	clear(p) // a fast attempt that gave up may have left some
	addQuery(p, r)
	if err := p.addJSON(data); err != nil {
		return nil, err
	}
	return p, nil
}

// addQuery adds the parameters of the query string, the first value of
// each, as net/http's URL.Query read them.
func addQuery(p params, r *fasthttp.Request) {
	q := r.URI().QueryString()
	if len(q) == 0 {
		return
	}
	vals, _ := url.ParseQuery(string(q))
	for k, v := range vals {
		if len(v) > 0 {
			p[k] = v[0]
		}
	}
}

// addJSON reads a JSON object body into p: strings unquoted, null
// skipped, any other value as its JSON text.
func (p params) addJSON(data []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("json body: %w", err)
	}
	for k, raw := range m {
		if len(raw) > 0 && raw[0] == '"' {
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return fmt.Errorf("json body: field %s: %w", k, err)
			}
			p[k] = s
			continue
		}
		if string(raw) == "null" {
			continue
		}
		p[k] = string(raw)
	}
	return nil
}

// bodyPool holds the buffers multipart fields are read into; the
// parameters are copied out of them.
var bodyPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putBody(b *bytes.Buffer) {
	if b.Cap() <= 64<<10 {
		bodyPool.Put(b)
	}
}

// addMultipart reads the fields of a multipart/form-data body as
// Request.ParseMultipartForm did (files are not parameters), without
// building a multipart.Form.
func (p params) addMultipart(body io.Reader, boundary string) error {
	mr := multipart.NewReader(io.LimitReader(body, maxBody), boundary)
	buf := bodyPool.Get().(*bytes.Buffer)
	defer putBody(buf)
	var fields [][2]string
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			if errors.Is(err, io.EOF) { // no parts at all: go-telegram/bot's getMe
				return nil
			}
			return fmt.Errorf("multipart body: %w", err)
		}
		name := part.FormName()
		if name == "" {
			continue // NextPart skips what is left of it
		}
		if part.FileName() != "" {
			// A file (sendDocument): its presence is recorded, not its bytes.
			fields = append(fields, [2]string{name, "(file)"})
			continue
		}
		buf.Reset()
		if _, err := buf.ReadFrom(part); err != nil {
			return fmt.Errorf("multipart body: %w", err)
		}
		fields = append(fields, [2]string{name, buf.String()})
	}
	// The first value of a field wins, over the query string's too.
	for i, f := range fields {
		first := true
		for _, g := range fields[:i] {
			if g[0] == f[0] {
				first = false
				break
			}
		}
		if first {
			p[f[0]] = f[1]
		}
	}
	return nil
}

func (p params) addForm(data []byte) error {
	vals, err := parseQuery(string(data))
	if err != nil {
		return fmt.Errorf("urlencoded body: %w", err)
	}
	for k, v := range vals {
		p[k] = v
	}
	return nil
}

func parseQuery(s string) (map[string]string, error) {
	out := map[string]string{}
	for s != "" {
		var kv string
		kv, s, _ = strings.Cut(s, "&")
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		k, err := queryUnescape(k)
		if err != nil {
			return nil, err
		}
		v, err = queryUnescape(v)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

func queryUnescape(s string) (string, error) {
	if !strings.ContainsAny(s, "%+") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b.WriteByte(' ')
		case '%':
			if i+2 >= len(s) {
				return "", fmt.Errorf("bad escape in %q", s)
			}
			n, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return "", fmt.Errorf("bad escape in %q: %w", s, err)
			}
			b.WriteByte(byte(n))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// int64 returns the integer parameter name; ok is false when it is absent
// or not an integer.
func (p params) int64(name string) (int64, bool) {
	v, ok := p[name]
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	return n, err == nil
}

// bool returns the boolean parameter name (false when absent).
func (p params) bool(name string) bool {
	v := strings.TrimSpace(p[name])
	return v == "true" || v == "1"
}
