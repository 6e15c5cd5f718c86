package bot

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestPeekUpdateID(t *testing.T) {
	for _, c := range []struct {
		raw  string
		id   int64
		okay bool
	}{
		{`{"update_id":42,"message":{"text":"hi"}}`, 42, true},
		{` { "update_id" : 7 }`, 7, true},
		{"{\n\t\"update_id\": 123456789012,\n\"x\":1}", 123456789012, true},
		{`{"message":{},"update_id":42}`, 0, false}, // not first: decode it
		{`{"update_id":"42"}`, 0, false},
		{`{"update_id":-1}`, 0, false},
		{`{"update_id":0}`, 0, false},
		{`{"update_id":42x}`, 0, false},
		{`{"update_id":99999999999999999999}`, 0, false},
		{`{"update_id":42`, 0, false},
		{`[]`, 0, false},
		{``, 0, false},
	} {
		id, ok := peekUpdateID([]byte(c.raw))
		if ok != c.okay || (ok && id != c.id) {
			t.Errorf("peekUpdateID(%q) = %d, %v; want %d, %v", c.raw, id, ok, c.id, c.okay)
		}
	}
}

// FuzzPeekUpdateID: whenever the peek reads an ID from a valid update, it
// is the ID the full decoder reads (as long as the key is not repeated).
func FuzzPeekUpdateID(f *testing.F) {
	f.Add([]byte(`{"update_id":42,"message":{"text":"hi"}}`))
	f.Add([]byte(` { "update_id" : 7 }`))
	f.Add([]byte(`{"update_id":1e3}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		id, ok := peekUpdateID(raw)
		if !ok {
			return
		}
		var u struct {
			ID int64 `json:"update_id"`
		}
		if json.Unmarshal(raw, &u) != nil {
			return // not an update: decodeUpdate settles it either way
		}
		if n := topLevelKeys(raw, "update_id"); n == 1 && u.ID != id {
			t.Fatalf("peek read %d, the decoder %d, from %q", id, u.ID, raw)
		}
	})
}

// topLevelKeys counts the keys of a JSON object's top level that
// encoding/json would take for key.
func topLevelKeys(raw []byte, key string) int {
	d := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		return 0
	}
	n := 0
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return 0
		}
		if k, ok := tok.(string); ok && strings.EqualFold(k, key) { // as encoding/json matches keys
			n++
		}
		var v json.RawMessage
		if d.Decode(&v) != nil {
			return 0
		}
	}
	return n
}
