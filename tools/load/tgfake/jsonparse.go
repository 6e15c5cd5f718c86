package tgfake

import (
	"encoding/json"
	"unicode/utf8"
)

// addJSONFast reads a JSON object body into p (which must be empty) the
// way the general path does (strings unquoted, null skipped, any other
// value as its JSON text, the last of duplicate keys winning), without a
// map of raw messages and a decoder per value. It reports false, leaving
// p in any state, on anything it does not handle plainly (escaped or
// non-ASCII keys, invalid UTF-8, surrogate escapes, malformed JSON): the
// general path then decides, and reports the error if there is one.
func (p params) addJSONFast(data []byte) bool {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return false
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return skipSpace(data, i+1) == len(data)
	}
	for {
		// key
		if i >= len(data) || data[i] != '"' {
			return false
		}
		ks := i + 1
		i = ks
		for i < len(data) && data[i] != '"' {
			if c := data[i]; c < 0x20 || c == '\\' || c >= utf8.RuneSelf {
				return false
			}
			i++
		}
		if i >= len(data) {
			return false
		}
		key := data[ks:i]
		i = skipSpace(data, i+1)
		if i >= len(data) || data[i] != ':' {
			return false
		}
		i = skipSpace(data, i+1)
		if i >= len(data) {
			return false
		}
		// value
		vs := i
		switch c := data[i]; {
		case c == '"':
			var s string
			var ok bool
			if s, i, ok = scanString(data, i); !ok {
				return false
			}
			p[string(key)] = s
		case c == '{' || c == '[':
			if i = skipComposite(data, i); i < 0 || !json.Valid(data[vs:i]) {
				return false
			}
			p[string(key)] = string(data[vs:i])
		case c == 't' || c == 'f' || c == 'n':
			lit := "null"
			if c == 't' {
				lit = "true"
			} else if c == 'f' {
				lit = "false"
			}
			if len(data)-i < len(lit) || string(data[i:i+len(lit)]) != lit {
				return false
			}
			i += len(lit)
			if c == 'n' {
				delete(p, string(key)) // a later null replaces an earlier value, then is skipped
			} else {
				p[string(key)] = lit
			}
		case c == '-' || (c >= '0' && c <= '9'):
			if i = scanNumber(data, i); i < 0 {
				return false
			}
			p[string(key)] = string(data[vs:i])
		default:
			return false
		}
		i = skipSpace(data, i)
		if i >= len(data) {
			return false
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return skipSpace(data, i+1) == len(data)
		default:
			return false
		}
	}
}

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// scanString reads the JSON string starting at data[i] (a quote) and
// returns it unquoted and the index after it; ok is false for anything
// left to encoding/json (invalid UTF-8, surrogates, bad escapes).
func scanString(data []byte, i int) (string, int, bool) {
	start := i + 1
	i = start
	plain, ascii := true, true
	for {
		if i >= len(data) {
			return "", 0, false
		}
		c := data[i]
		if c == '"' {
			break
		}
		switch {
		case c < 0x20:
			return "", 0, false
		case c == '\\':
			plain = false
			i++ // the escaped character cannot end the string
			if i >= len(data) {
				return "", 0, false
			}
		case c >= utf8.RuneSelf:
			ascii = false
		}
		i++
	}
	raw := data[start:i]
	end := i + 1
	if !ascii && !utf8.Valid(raw) {
		return "", 0, false // encoding/json would replace the bad bytes
	}
	if plain {
		return string(raw), end, true
	}
	out := make([]byte, 0, len(raw))
	for j := 0; j < len(raw); j++ {
		c := raw[j]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		j++
		switch raw[j] {
		case '"', '\\', '/':
			out = append(out, raw[j])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			if j+4 >= len(raw) {
				return "", 0, false
			}
			r := 0
			for _, h := range raw[j+1 : j+5] {
				switch {
				case h >= '0' && h <= '9':
					r = r<<4 | int(h-'0')
				case h >= 'a' && h <= 'f':
					r = r<<4 | int(h-'a'+10)
				case h >= 'A' && h <= 'F':
					r = r<<4 | int(h-'A'+10)
				default:
					return "", 0, false
				}
			}
			if r >= 0xD800 && r < 0xE000 {
				return "", 0, false // surrogates: encoding/json's rules
			}
			out = utf8.AppendRune(out, rune(r))
			j += 4
		default:
			return "", 0, false
		}
	}
	return string(out), end, true
}

// skipComposite returns the index after the object or array starting at
// data[i], matching brackets outside strings, or -1; validity is checked
// by the caller.
func skipComposite(data []byte, i int) int {
	depth := 0
	for ; i < len(data); i++ {
		switch data[i] {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1
			}
		case '"':
			for i++; i < len(data) && data[i] != '"'; i++ {
				if data[i] == '\\' {
					i++
				}
			}
			if i >= len(data) {
				return -1
			}
		}
	}
	return -1
}

// scanNumber returns the index after the JSON number starting at data[i],
// or -1 when it is not one.
func scanNumber(data []byte, i int) int {
	digits := func(i int) int {
		j := i
		for j < len(data) && data[j] >= '0' && data[j] <= '9' {
			j++
		}
		return j
	}
	if data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && data[i] >= '1' && data[i] <= '9':
		i = digits(i)
	default:
		return -1
	}
	if i < len(data) && data[i] == '.' {
		j := digits(i + 1)
		if j == i+1 {
			return -1
		}
		i = j
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		j := digits(i)
		if j == i {
			return -1
		}
		i = j
	}
	return i
}
