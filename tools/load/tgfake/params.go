package tgfake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
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
func readParams(r *http.Request) (params, error) {
	p := params{}
	for k, v := range r.URL.Query() {
		if len(v) > 0 {
			p[k] = v[0]
		}
	}
	if r.Body == nil {
		return p, nil
	}
	ct := r.Header.Get("Content-Type")
	mt, mtParams, _ := mime.ParseMediaType(ct)
	body := http.MaxBytesReader(nil, r.Body, maxBody)
	switch mt {
	case "multipart/form-data":
		if mtParams["boundary"] == "" {
			return nil, errors.New("multipart body without a boundary")
		}
		if err := r.ParseMultipartForm(maxBody); err != nil {
			if errors.Is(err, io.EOF) { // no parts at all: go-telegram/bot's getMe
				return p, nil
			}
			return nil, fmt.Errorf("multipart body: %w", err)
		}
		for k, v := range r.MultipartForm.Value {
			if len(v) > 0 {
				p[k] = v[0]
			}
		}
	case "application/x-www-form-urlencoded":
		data, err := io.ReadAll(body)
		if err != nil {
			return nil, fmt.Errorf("read body: %w", err)
		}
		if err := p.addForm(data); err != nil {
			return nil, err
		}
	default: // application/json, or no content type with a JSON body
		data, err := io.ReadAll(body)
		if err != nil {
			return nil, fmt.Errorf("read body: %w", err)
		}
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
		var m map[string]json.RawMessage
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("json body: %w", err)
		}
		for k, raw := range m {
			if len(raw) > 0 && raw[0] == '"' {
				var s string
				if err := json.Unmarshal(raw, &s); err != nil {
					return nil, fmt.Errorf("json body: field %s: %w", k, err)
				}
				p[k] = s
				continue
			}
			if string(raw) == "null" {
				continue
			}
			p[k] = string(raw)
		}
	}
	return p, nil
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
