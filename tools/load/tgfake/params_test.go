package tgfake

import (
	"bytes"
	"errors"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

var jsonBodies = []string{
	`{}`, ` { } `, `{"chat_id":5,"text":"hi"}`, `{"chat_id":-1001234567890,"text":"a\nb\t\"c\" \\ \/ \b\f\r","parse_mode":"HTML"}`,
	`{"text":"\u003cb\u003ebold\u003c/b\u003e \u00e9 \u2028 \u0000"}`, `{"text":"\ud83d\ude00 pair"}`, `{"text":"\ud83d lone"}`,
	`{"text":"é ü 😀"}`, "{\"text\":\"bad \xff\"}", "{\"k\xc3\xa9y\":1}", `{"k\u0065y":1}`,
	`{"reply_markup":{"inline_keyboard":[[{"text":"A ]}","callback_data":"q1:y"}],[{"text":"B \"x\"","callback_data":"q1:n"}]]}}`,
	`{"reply_markup": { "inline_keyboard" : [ [ {"text":"A"} ] ] } , "x" : [1, 2.5e-3, -0, true, null]}`,
	`{"a":1,"a":2}`, `{"a":"x","a":null}`, `{"a":null}`, `{"a":true,"b":false,"c":null}`,
	`{"n":-0.5E+10}`, `{"n":01}`, `{"n":1.}`, `{"n":.5}`, `{"n":-}`, `{"n":1e}`, `{"n":+1}`,
	`{"a":tru}`, `{"a":nul}`, `{"a":"x",}`, `{"a" "x"}`, `{"a":"x"} x`, `{"a":"x"}}`, `[1,2]`, `"s"`, `{"a":[1,}`,
	`{"a":{"b":"c"}`, `{"a":"unterminated}`, "{\"a\":\"ctl\x01\"}", `{"a":"\x"}`, `{"a":"\u12"}`, `{"a":"\u12G4"}`,
	`{"a":{"b":[{"c":"}]"}]}}`, `{"offset":123456789012,"timeout":30,"allowed_updates":["message","callback_query"]}`,
	"{\"a\":\t\"b\"\r\n}", `{"":""}`, `{"a":"\\"}`, `{"a":"\\\""}`,
}

// The fast JSON path reads exactly what the general one does, and gives up
// (so that the general one reports the error) on whatever it cannot read.
func TestFastJSONBodiesReadLikeEncodingJSON(t *testing.T) {
	for _, body := range jsonBodies {
		checkFastJSON(t, body)
	}
}

func checkFastJSON(t *testing.T, body string) {
	t.Helper()
	general := params{}
	gerr := general.addJSON([]byte(body))
	fast := params{}
	ok := fast.addJSONFast([]byte(body))
	switch {
	case ok && gerr != nil:
		t.Errorf("%q: the fast path accepted a body encoding/json refuses (%v): %v", body, gerr, fast)
	case ok && !maps.Equal(fast, general):
		t.Errorf("%q: fast %v, general %v", body, fast, general)
	}
}

func FuzzFastJSONBodies(f *testing.F) {
	for _, b := range jsonBodies {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body string) {
		if strings.TrimSpace(body) != body {
			return // readParams trims first
		}
		checkFastJSON(t, body)
	})
}

// What the bots send takes the fast path.
func TestUsualJSONBodiesTakeTheFastPath(t *testing.T) {
	for _, body := range []string{
		`{"chat_id":5,"text":"hi"}`, `{"text":"\u003cb\u003e \u00e9\n"}`, `{"a":1,"a":2}`, `{"a":"x","a":null}`,
		`{"offset":123456789012,"timeout":30,"allowed_updates":["message","callback_query"]}`,
		`{"reply_markup":{"inline_keyboard":[[{"text":"A ]}","callback_data":"q1:y"}]]}}`,
	} {
		if !(params{}).addJSONFast([]byte(body)) {
			t.Errorf("%s: not read by the fast path", body)
		}
	}
}

// Multipart fields are read as Request.ParseMultipartForm read them: the
// first value of a field, over the query string's; files are not fields.
func TestMultipartFieldsReadLikeParseMultipartForm(t *testing.T) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("chat_id", "5")
	_ = w.WriteField("text", "é\r\nline <b>")
	_ = w.WriteField("text", "second")
	_ = w.WriteField("", "nameless")
	fw, _ := w.CreateFormFile("document", "a.txt")
	_, _ = fw.Write([]byte("file body"))
	_ = w.WriteField("q", "body")
	_ = w.Close()
	for _, tc := range []struct{ name, body string }{{"fields", body.String()}, {"empty", ""}, {"no parts", "--" + w.Boundary() + "--\r\n"}} {
		req := func() *http.Request {
			r := httptest.NewRequest("POST", "/bot1:x/sendMessage?q=query&only=query", strings.NewReader(tc.body))
			r.Header.Set("Content-Type", w.FormDataContentType())
			return r
		}
		var fr fasthttp.Request
		fr.Header.SetMethod("POST")
		fr.SetRequestURI("/bot1:x/sendMessage?q=query&only=query")
		fr.Header.SetContentType(w.FormDataContentType())
		fr.SetBodyString(tc.body)
		got, err := readParams(&fr)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		r := req()
		want := params{}
		for k, v := range r.URL.Query() {
			want[k] = v[0]
		}
		if err := r.ParseMultipartForm(maxBody); err == nil {
			for k, v := range r.MultipartForm.Value {
				want[k] = v[0]
			}
			for k := range r.MultipartForm.File {
				want[k] = "(file)" // sendDocument: a file's presence, not its bytes
			}
		} else if !errors.Is(err, io.EOF) {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !maps.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, want)
		}
	}
}
