package bot

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestReadEnvelope(t *testing.T) {
	for _, c := range []struct {
		data   string
		ok     bool
		result string
		code   int
		retry  int
		err    bool
	}{
		{data: `{"ok":true,"result":{"message_id":7,"text":"a"}}`, ok: true, result: `{"message_id":7,"text":"a"}`},
		{data: ` {"result":true, "ok":true} `, ok: true, result: `true`},
		{data: `{"ok":true,"result":true,"description":"Webhook was set"}`, ok: true, result: `true`},
		{data: `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}}`, code: 429, retry: 3},
		{data: `{"ok":false,"error_code":400,"description":"Bad Request: message is not modified"}`, code: 400},
		{data: `<html>502 Bad Gateway</html>`, err: true},
		{data: `{"ok":true,"result":{"message_id":7}`, err: true},
		{data: ``, err: true},
	} {
		e, err := readEnvelope([]byte(c.data))
		if (err != nil) != c.err {
			t.Errorf("readEnvelope(%s): err %v, want error %v", c.data, err, c.err)
			continue
		}
		if err != nil {
			continue
		}
		if e.OK != c.ok || string(e.Result) != c.result && c.ok || e.ErrorCode != c.code || e.Parameters.RetryAfter != c.retry {
			t.Errorf("readEnvelope(%s) = %+v", c.data, e)
		}
	}
}

// FuzzReadEnvelope: for any answer encoding/json can read, readEnvelope
// reads the same ok, result and error code.
func FuzzReadEnvelope(f *testing.F) {
	f.Add([]byte(`{"ok":true,"result":{"message_id":7}}`))
	f.Add([]byte(`{"ok":true,"result":[{"update_id":1},{"update_id":2}]}`))
	f.Add([]byte(`{"ok":false,"error_code":429,"parameters":{"retry_after":3}}`))
	f.Add([]byte(`{"OK":true,"result":1}`))
	f.Add([]byte(`{"ok":true,"ok":false,"result":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var want envelope
		if json.Unmarshal(data, &want) != nil {
			return
		}
		got, err := readEnvelope(data)
		if err != nil {
			t.Fatalf("readEnvelope(%q): %v; encoding/json reads it", data, err)
		}
		if got.OK != want.OK || got.ErrorCode != want.ErrorCode {
			t.Fatalf("readEnvelope(%q) = ok %v code %d; encoding/json: ok %v code %d", data, got.OK, got.ErrorCode, want.OK, want.ErrorCode)
		}
		if got.OK && !bytes.Equal(compact(t, got.Result), compact(t, want.Result)) {
			t.Fatalf("readEnvelope(%q): result %s; encoding/json: %s", data, got.Result, want.Result)
		}
	})
}

// FuzzSplitArray: the elements of any array encoding/json can read are
// the ones it reads.
func FuzzSplitArray(f *testing.F) {
	f.Add([]byte(`[{"update_id":1,"message":{"text":"a,b]"}}, {"update_id":2}]`))
	f.Add([]byte(`[]`))
	f.Add([]byte(` [1, "x", null, [2,3]] `))
	f.Fuzz(func(t *testing.T, data []byte) {
		var want []json.RawMessage
		if json.Unmarshal(data, &want) != nil || want == nil {
			return
		}
		got, ok := splitArray(data)
		if !ok {
			t.Fatalf("splitArray(%q) failed; encoding/json reads %d elements", data, len(want))
		}
		if len(got) != len(want) {
			t.Fatalf("splitArray(%q): %d elements, encoding/json %d", data, len(got), len(want))
		}
		for i := range got {
			if !bytes.Equal(compact(t, got[i]), compact(t, want[i])) {
				t.Fatalf("splitArray(%q)[%d] = %s, encoding/json %s", data, i, got[i], want[i])
			}
		}
	})
}

func compact(t *testing.T, raw []byte) []byte {
	t.Helper()
	if len(raw) == 0 {
		return nil
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatalf("compact %q: %v", raw, err)
	}
	return b.Bytes()
}

// BenchmarkReadEnvelope reads the answer to a sendMessage.
func BenchmarkReadEnvelope(b *testing.B) {
	data := []byte(`{"ok":true,"result":{"message_id":4711,"from":{"id":1,"is_bot":true,"first_name":"Redress","username":"redress_bot"},"chat":{"id":99,"first_name":"A","type":"private"},"date":1764300000,"text":"Question 3 of 6: how many people saw it?","reply_markup":{"inline_keyboard":[[{"text":"Fewer than 500","callback_data":"q3:a"}],[{"text":"500 to 5,000","callback_data":"q3:b"}]]}}}`)
	b.ReportAllocs()
	for b.Loop() {
		e, err := readEnvelope(data)
		if err != nil {
			b.Fatal(err)
		}
		if id, ok := peekInt(e.Result, "message_id"); !ok || id != 4711 {
			b.Fatal("no message_id")
		}
	}
}
