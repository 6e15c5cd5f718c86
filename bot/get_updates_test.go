package bot

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"
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
		{`{"message":{"text":"{\"update_id\":5}","entities":[{"a":[1,{}]}]},"update_id":42}`, 42, true},
		{`{"callback_query":{"data":"x"},"update_id":43 }`, 43, true},
		{`{"update_id":42,"update_id":43}`, 0, false}, // twice: the decoder takes the last
		{`{"update_id":42,"UPDATE_ID":43}`, 0, false}, // so would it take this
		{`{"update\u005fid":42}`, 0, false},
		{`{"message":{}}`, 0, false},
		{`{"message":{"text":"}"},"update_id":1`, 0, false},
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

// FuzzPeekUpdateID: whenever the peek reads an ID from valid JSON, it is
// the ID encoding/json reads.
func FuzzPeekUpdateID(f *testing.F) {
	f.Add([]byte(`{"update_id":42,"message":{"text":"hi"}}`))
	f.Add([]byte(` { "update_id" : 7 }`))
	f.Add([]byte(`{"update_id":1e3}`))
	f.Add([]byte(`{"message":{"text":"\"update_id\":5"},"update_id":42}`))
	for _, raw := range updateSamples {
		f.Add([]byte(raw))
	}
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
		if u.ID != id {
			t.Fatalf("peek read %d, the decoder %d, from %q (%d update_id keys)", id, u.ID, raw, topLevelKeys(raw, "update_id"))
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

// updateSamples are updates of every kind the bot reads, as Telegram sends
// them.
var updateSamples = []string{
	`{"update_id":1,"message":{"message_id":5,"date":1700000000,"chat":{"id":42,"type":"private","first_name":"A"},"from":{"id":42,"is_bot":false,"first_name":"A","language_code":"zh-hans"},"text":"/start","entities":[{"type":"bot_command","offset":0,"length":6}]}}`,
	`{"update_id":2,"edited_message":{"message_id":5,"date":1700000000,"edit_date":1700000100,"chat":{"id":42,"type":"private"},"text":"x"}}`,
	`{"update_id":3,"callback_query":{"id":"cb1","from":{"id":42,"is_bot":false,"first_name":"A","language_code":"en"},"message":{"message_id":7,"date":1700000000,"chat":{"id":42,"type":"private"},"from":{"id":1,"is_bot":true,"first_name":"Bot"},"text":"Question 1","reply_markup":{"inline_keyboard":[[{"text":"Yes","callback_data":"v1:q1:yes"}]]}},"chat_instance":"ci","data":"v1:q1:yes"}}`,
	`{"update_id":4,"callback_query":{"id":"cb2","from":{"id":42,"is_bot":false,"first_name":"A"},"message":{"message_id":7,"date":0,"chat":{"id":42,"type":"private"}},"chat_instance":"ci","data":"v1:q1:no"}}`,
	`{"update_id":5,"callback_query":{"id":"cb3","from":{"id":42,"is_bot":false,"first_name":"A"},"inline_message_id":"im","chat_instance":"ci","data":"x"}}`,
	`{"update_id":6,"channel_post":{"message_id":1,"date":1700000000,"chat":{"id":-100,"type":"channel"},"text":"post"}}`,
	`{"update_id":7,"my_chat_member":{"chat":{"id":42,"type":"private"},"from":{"id":42,"is_bot":false,"first_name":"A"},"date":1700000000}}`,
	`{"update_id":8,"message":{"message_id":9,"date":1700000000,"chat":{"id":42,"type":"private"},"photo":[{"file_id":"f","file_unique_id":"u","width":1,"height":1}],"caption":"c"}}`,
}

// TestDecodeUpdateAsModels: the fields the bot reads come out as decoding
// into models.Update gives them.
func TestDecodeUpdateAsModels(t *testing.T) {
	for _, raw := range updateSamples {
		checkDecodeAsModels(t, []byte(raw))
	}
}

func checkDecodeAsModels(t *testing.T, raw []byte) {
	t.Helper()
	var want models.Update
	if json.Unmarshal(raw, &want) != nil || want.ID <= 0 {
		return
	}
	got, err := decodeUpdate(raw)
	if err != nil {
		t.Fatalf("decodeUpdate(%s): %v", raw, err)
	}
	// Only these kinds are read; the others are ignored either way.
	want = models.Update{ID: want.ID, Message: want.Message, EditedMessage: want.EditedMessage,
		ChannelPost: want.ChannelPost, EditedChannelPost: want.EditedChannelPost, CallbackQuery: want.CallbackQuery}
	// Of the message under a button, only what callbackMessage reads.
	if q := want.CallbackQuery; q != nil && q.Message.Message != nil {
		m := q.Message.Message
		q.Message.Message = &models.Message{ID: m.ID, Date: m.Date, Chat: m.Chat, Text: m.Text}
	}
	if !reflect.DeepEqual(*got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Fatalf("decodeUpdate(%s)\n got %s\nwant %s", raw, g, w)
	}
}

// FuzzDecodeUpdate compares decodeUpdate with decoding into models.Update.
func FuzzDecodeUpdate(f *testing.F) {
	for _, raw := range updateSamples {
		f.Add([]byte(raw))
	}
	f.Fuzz(func(t *testing.T, raw []byte) { checkDecodeAsModels(t, raw) })
}

// BenchmarkPeekUpdateID peeks at a button press the way the load tool's
// fake sends it (update_id last).
func BenchmarkPeekUpdateID(b *testing.B) {
	var m map[string]any
	if err := json.Unmarshal([]byte(updateSamples[2]), &m); err != nil {
		b.Fatal(err)
	}
	raw, _ := json.Marshal(m) // keys sorted: update_id comes last
	for b.Loop() {
		if _, ok := peekUpdateID(raw); !ok {
			b.Fatal("no ID")
		}
	}
}

// BenchmarkDecodeUpdate decodes a button press, the commonest update.
func BenchmarkDecodeUpdate(b *testing.B) {
	raw := []byte(updateSamples[2])
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeUpdate(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeUpdateModels is the same through models.Update, for
// comparison.
func BenchmarkDecodeUpdateModels(b *testing.B) {
	raw := []byte(updateSamples[2])
	b.ReportAllocs()
	for b.Loop() {
		var u models.Update
		if err := json.Unmarshal(raw, &u); err != nil {
			b.Fatal(err)
		}
	}
}
