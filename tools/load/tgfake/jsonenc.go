package tgfake

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/valyala/fasthttp"
)

// The fake's hot answers and updates are assembled by hand: the same bytes
// encoding/json would write for the maps and structs they used to be
// (keys of maps sorted, fields of structs in order, HTML characters
// escaped), without reflection and without re-validating stored JSON on
// every write. jsonenc_test.go checks them against encoding/json.

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string exactly as encoding/json
// writes it (with HTML escaping, invalid UTF-8 replaced by U+FFFD).
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendChat appends the private chat of c as a Chat (the caller holds c.mu).
func appendChat(b []byte, c *Chat) []byte {
	b = append(b, `{"first_name":"User","id":`...)
	b = strconv.AppendInt(b, c.ID, 10)
	return append(b, `,"type":"private"}`...)
}

// appendUser appends the user of c as a User (the caller holds c.mu).
func appendUser(b []byte, c *Chat) []byte {
	b = append(b, `{"first_name":"User","id":`...)
	b = strconv.AppendInt(b, c.ID, 10)
	b = append(b, `,"is_bot":false,"language_code":`...)
	b = appendJSONString(b, c.Lang)
	return append(b, '}')
}

// appendKeyboard appends kb as an inline keyboard markup, one button a row.
func appendKeyboard(b []byte, kb []Button) []byte {
	b = append(b, `{"inline_keyboard":[`...)
	for i, btn := range kb {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `[{"text":`...)
		b = appendJSONString(b, btn.Text)
		if btn.CallbackData != "" {
			b = append(b, `,"callback_data":`...)
			b = appendJSONString(b, btn.CallbackData)
		}
		if btn.URL != "" {
			b = append(b, `,"url":`...)
			b = appendJSONString(b, btn.URL)
		}
		b = append(b, `}]`...)
	}
	return append(b, `]}`...)
}

// appendMessageOut appends a Message as the Bot API returns it for a call
// of the bot (from is the bot, encoded once; kbRaw is the markup as the
// bot sent it, already checked to be JSON).
func appendMessageOut(b []byte, c *Chat, id int, at time.Time, from []byte, text string, kbRaw []byte) []byte {
	b = append(b, `{"message_id":`...)
	b = strconv.AppendInt(b, int64(id), 10)
	b = append(b, `,"date":`...)
	b = strconv.AppendInt(b, at.Unix(), 10)
	b = append(b, `,"chat":{"id":`...)
	b = strconv.AppendInt(b, c.ID, 10)
	b = append(b, `,"type":"private","first_name":"User"},"from":`...)
	b = append(b, from...)
	b = append(b, `,"text":`...)
	b = appendJSONString(b, text)
	if len(kbRaw) > 0 {
		b = append(b, `,"reply_markup":`...)
		b = append(b, kbRaw...)
	}
	return append(b, '}')
}

// okBody is a complete successful answer, {"ok":true,"result":...},
// already encoded.
type okBody []byte

// newOK starts an okBody in a buffer of capacity n.
func newOK(n int) []byte { return append(make([]byte, 0, n), okPrefix...) }

var (
	jsonContentType = []byte("application/json")
	okTrue          = []byte(`{"ok":true,"result":true}`)
	okPrefix        = `{"ok":true,"result":`
)

// writeBody writes a complete JSON answer with its length (no chunking).
// body is not copied: it must not change afterwards.
func writeBody(rc *fasthttp.RequestCtx, code int, body []byte) {
	rc.SetStatusCode(code)
	rc.Response.Header.SetContentTypeBytes(jsonContentType)
	rc.Response.SetBodyRaw(body)
}
