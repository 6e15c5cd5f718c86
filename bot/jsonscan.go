package bot

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
)

// A few readers of JSON that look at one part of a document without
// decoding the rest: the update_id of an update the poller already has,
// the message_id of a sent message, the envelope of a Bot API answer. Each
// returns ok=false whenever the document is not plainly what it expects,
// and its callers then decode with encoding/json, so that what they read
// is always what encoding/json would read.

// peekUpdateID reads the update_id of a raw update without decoding it.
func peekUpdateID(raw []byte) (id int64, ok bool) { return peekInt(raw, "update_id") }

// peekInt reads the positive integer under key (lower case ASCII) at the
// top level of the object raw: a single pass that skips the values of the
// other keys. ok is false when the key is not plainly there once.
func peekInt(raw []byte, key string) (id int64, ok bool) {
	found := false
	ok = scanObject(raw, func(k []byte, v []byte) bool {
		switch {
		case string(k) == key:
			if found {
				return false // twice: leave it to the decoder
			}
			n := 0
			for n < len(v) && n < 19 && v[n] >= '0' && v[n] <= '9' {
				n++
			}
			if n == 0 || n != len(v) {
				return false
			}
			x, err := strconv.ParseInt(string(v), 10, 64)
			if err != nil || x <= 0 {
				return false
			}
			id, found = x, true
		case bytes.EqualFold(k, []byte(key)) || bytes.IndexByte(k, '\\') >= 0:
			return false // a key encoding/json might take for key
		}
		return true
	})
	if !ok || !found {
		return 0, false
	}
	return id, true
}

// scanObject calls fn with each key (without quotes, undecoded) and raw
// value of the top-level object raw, in order, until fn returns false. It
// reports whether raw was an object whose structure it could follow and fn
// never refused.
func scanObject(raw []byte, fn func(key, value []byte) bool) bool {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return false
	}
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		return skipSpace(raw, i+1) == len(raw)
	}
	for ; ; i = skipSpace(raw, i+1) {
		if i >= len(raw) || raw[i] != '"' {
			return false
		}
		end := skipString(raw, i)
		if end < 0 {
			return false
		}
		key := raw[i+1 : end-1]
		i = skipSpace(raw, end)
		if i >= len(raw) || raw[i] != ':' {
			return false
		}
		i = skipSpace(raw, i+1)
		vend := skipValue(raw, i)
		if vend < 0 || !fn(key, raw[i:vend]) {
			return false
		}
		i = skipSpace(raw, vend)
		switch {
		case i < len(raw) && raw[i] == ',':
			continue
		case i < len(raw) && raw[i] == '}':
			return skipSpace(raw, i+1) == len(raw)
		}
		return false
	}
}

// splitArray returns the elements of the JSON array raw, undecoded.
func splitArray(raw []byte) ([]json.RawMessage, bool) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '[' {
		return nil, false
	}
	var out []json.RawMessage
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == ']' {
		return out, skipSpace(raw, i+1) == len(raw)
	}
	for ; ; i = skipSpace(raw, i+1) {
		end := skipValue(raw, i)
		if end < 0 {
			return nil, false
		}
		out = append(out, raw[i:end:end])
		i = skipSpace(raw, end)
		switch {
		case i < len(raw) && raw[i] == ',':
			continue
		case i < len(raw) && raw[i] == ']':
			return out, skipSpace(raw, i+1) == len(raw)
		}
		return nil, false
	}
}

// envelope is the answer of the Bot API to any method.
type envelope struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter      int   `json:"retry_after"`
		MigrateToChatID int64 `json:"migrate_to_chat_id"`
	} `json:"parameters"`
}

// errUndecodable is an answer that is not a Bot API envelope.
var errUndecodable = errors.New("undecodable response")

// readEnvelope reads a Bot API answer. The common answer, {"ok":true,
// "result":...}, is read without decoding or validating the result (the
// caller decodes what it uses of it: each new update, a message_id);
// anything else goes through encoding/json.
func readEnvelope(data []byte) (envelope, error) {
	var e envelope
	okTrue, other := false, false
	fast := scanObject(data, func(k, v []byte) bool {
		switch string(k) {
		case "ok":
			okTrue = string(v) == "true"
			return okTrue
		case "result":
			e.Result = v
			return true
		}
		other = true
		return false
	})
	if fast && okTrue && !other && e.Result != nil {
		e.OK = true
		return e, nil
	}
	e = envelope{}
	if err := json.Unmarshal(data, &e); err != nil {
		return e, errUndecodable
	}
	return e, nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] (a
// quote), or -1.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

// skipValue returns the index after the JSON value starting at b[i], or
// -1. It checks the nesting of brackets and strings, not the rest.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				if i = skipString(b, i); i < 0 {
					return -1
				}
				i--
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return -1
	}
	start := i
	for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\t' && b[i] != '\n' && b[i] != '\r' {
		i++
	}
	if i == start {
		return -1
	}
	return i
}
