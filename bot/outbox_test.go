package bot

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestWithChat(t *testing.T) {
	for _, c := range []struct{ method, body, want string }{
		{methodSend, `{"text":"a"}`, `{"chat_id":-100,"text":"a"}`},
		{methodDeleteMessage, `{}`, `{"chat_id":-100}`},
		{methodAnswer, `{"callback_query_id":"q"}`, `{"callback_query_id":"q"}`},
	} {
		if got := string(withChat(c.method, -100, []byte(c.body))); got != c.want {
			t.Errorf("withChat(%s, %s) = %s, want %s", c.method, c.body, got, c.want)
		}
	}
}

// TestRowFormats: a row written by this version and a row in the payload
// JSON of earlier versions make the same call.
func TestRowFormats(t *testing.T) {
	kb := &inlineKeyboard{InlineKeyboard: [][]button{{{Text: "Yes <b>", CallbackData: "v1:q:y"}}}}
	for _, c := range []struct {
		method string
		p      payload
	}{
		{methodSend, payload{Text: "<b>Hi</b> & you", HTML: true, Keyboard: kb}},
		{methodSend, payload{Text: "plain", Unlogged: true}},
		{methodEditText, payload{MessageID: 7, Text: "<i>q</i>", HTML: true, Keyboard: noKeyboard()}},
		{methodEditMarkup, payload{MessageID: 8, Keyboard: kb}},
		{methodAnswer, payload{CallbackID: "cb1", Text: "stale", Alert: true}},
		{methodDeleteMessage, payload{MessageIDs: []int{1, 2, 3}}},
	} {
		var o outbox
		o.add(c.method, c.p)
		if o.err != nil {
			t.Fatal(o.err)
		}
		legacy, err := json.Marshal(c.p)
		if err != nil {
			t.Fatal(err)
		}
		now, err := readRow(c.method, o.rows[0].Payload)
		if err != nil {
			t.Fatalf("%s: %v", c.method, err)
		}
		old, err := readRow(c.method, legacy)
		if err != nil {
			t.Fatalf("%s legacy: %v", c.method, err)
		}
		var a, b any
		if err := json.Unmarshal(withChat(c.method, 42, now.body), &a); err != nil {
			t.Fatalf("%s: body %s: %v", c.method, now.body, err)
		}
		if err := json.Unmarshal(withChat(c.method, 42, old.body), &b); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) || now.html != old.html || now.unlogged != old.unlogged || now.editedMessage != old.editedMessage {
			t.Errorf("%s: %s %+v\nlegacy %s %+v", c.method, now.body, now, old.body, old)
		}
		if m := a.(map[string]any); c.method != methodAnswer && m["chat_id"] != float64(42) {
			t.Errorf("%s: chat_id %v", c.method, m["chat_id"])
		}
	}
}

func TestUnloggedRows(t *testing.T) {
	var o outbox
	o.send([]string{"kept"}, nil)
	n := len(o.rows)
	o.send([]string{"<b>done</b>", "bye"}, nil)
	o.unlogged(n)
	for i, r := range o.rows {
		row, err := readRow(r.Method, r.Payload)
		if err != nil {
			t.Fatal(err)
		}
		if row.unlogged != (i >= n) || !row.html {
			t.Errorf("row %d: unlogged %v html %v", i, row.unlogged, row.html)
		}
	}
}
