package tgfake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestEveryConversationCompletesInEachEncoding(t *testing.T) {
	for _, enc := range []string{"json", "multipart", "form"} {
		t.Run(enc, func(t *testing.T) {
			s, _, errc := startEcho(t, Config{}, enc, nil)
			res, err := RunLoad(context.Background(), s, LoadConfig{
				Users: 8, Conversations: 3, Script: mustScript(t, echoScript), StepTimeout: 20 * time.Second,
			})
			if err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-errc:
				t.Fatalf("echo bot stopped: %v", err)
			default:
			}
			if res.Conversations != 24 || res.ErrorCount() != 0 || res.Steps != 24*5 {
				t.Fatalf("want 24 clean conversations of 5 steps, got %+v", res)
			}
			if res.Latency.N != int(res.Steps) || res.Latency.P99 < res.Latency.P50 {
				t.Errorf("latencies not recorded per step: %+v", res.Latency)
			}
			if res.Server.BadRequests != 0 || res.Server.Calls["answerCallbackQuery"] != 24*3 {
				t.Errorf("calls: %+v", res.Server)
			}
		})
	}
}

func TestDuplicateRepliesAreReported(t *testing.T) {
	s, _, _ := startEcho(t, Config{}, "json", func(b *echoBot) {
		b.duplicate = func(chat int64) bool { return chat%4 == 0 }
	})
	res, err := RunLoad(context.Background(), s, LoadConfig{
		Users: 8, Conversations: 1, Script: mustScript(t, echoScript), StepTimeout: 20 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	// Chats 1000000001..8: two of them are multiples of 4. (A duplicated
	// keyboard may also lead their users astray: other differences may follow.)
	if res.Diverged != 2 || res.Duplicates == 0 {
		t.Fatalf("want the 2 duplicating chats reported, got diverged=%d duplicates=%d", res.Diverged, res.Duplicates)
	}
}

func TestFaultsAreInjectedAndABotThatRetriesLosesNothing(t *testing.T) {
	s, _, _ := startEcho(t, Config{Faults: Faults{Rate429: 0.03, Rate500: 0.1, RateStall: 0.05, Stall: 50 * time.Millisecond}}, "multipart", nil)
	res, err := RunLoad(context.Background(), s, LoadConfig{
		Users: 4, Conversations: 2, Script: mustScript(t, echoScript), StepTimeout: 30 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.ErrorCount() != 0 || res.Conversations != 8 {
		t.Fatalf("want 8 clean conversations, got %+v", res)
	}
	st := res.Server
	if st.Injected500 == 0 || st.Stalled == 0 {
		t.Errorf("faults not injected: %+v", st)
	}
	if st.RateViolate != 0 {
		t.Errorf("a bot honouring retry_after was counted as violating it %d times", st.RateViolate)
	}
}

func TestIgnoringRetryAfterIsCounted(t *testing.T) {
	s, _, _ := startEcho(t, Config{Faults: Faults{Rate429: 0.2}}, "json", func(b *echoBot) { b.ignore429 = true })
	res, err := RunLoad(context.Background(), s, LoadConfig{
		Users: 2, Conversations: 1, Script: mustScript(t, echoScript), StepTimeout: 30 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Server.Injected429 == 0 || res.Server.RateViolate == 0 {
		t.Fatalf("want injected 429s and violations, got %+v", res.Server)
	}
}

// api calls the fake directly with a JSON body.
func api(t *testing.T, base, method string, body string) (int, map[string]json.RawMessage) {
	t.Helper()
	resp, err := http.Post(base+"/bot42:TEST/"+method, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %s: %v", method, data, err)
	}
	return resp.StatusCode, m
}

func ids(t *testing.T, m map[string]json.RawMessage) []int64 {
	t.Helper()
	var ups []struct {
		ID int64 `json:"update_id"`
	}
	if err := json.Unmarshal(m["result"], &ups); err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, u := range ups {
		out = append(out, u.ID)
	}
	return out
}

func TestGetUpdatesKeepsUpdatesUntilConfirmed(t *testing.T) {
	s := New(Config{Token: "42:TEST"})
	base, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, text := range []string{"/start", "a", "b"} {
		s.SendText(7, "en", text)
	}
	if _, m := api(t, base, "getUpdates", `{"offset":0,"timeout":0}`); len(ids(t, m)) != 3 {
		t.Fatalf("want 3 updates, got %s", m["result"])
	}
	// Not confirmed: delivered again.
	if _, m := api(t, base, "getUpdates", `{"timeout":0,"limit":2}`); len(ids(t, m)) != 2 {
		t.Fatalf("want 2 updates again (limit), got %s", m["result"])
	}
	if _, m := api(t, base, "getUpdates", `{"offset":3,"timeout":0}`); len(ids(t, m)) != 1 || ids(t, m)[0] != 3 {
		t.Fatalf("offset 3 confirms 1 and 2: got %s", m["result"])
	}
	if s.Pending() != 1 || s.Stats().Redelivered == 0 {
		t.Fatalf("pending %d, stats %+v", s.Pending(), s.Stats())
	}
	// A long poll returns as soon as an update arrives.
	got := make(chan []int64, 1)
	go func() {
		_, m := api(t, base, "getUpdates", `{"offset":4,"timeout":40}`)
		got <- ids(t, m)
	}()
	time.Sleep(50 * time.Millisecond)
	s.SendText(7, "en", "c")
	select {
	case g := <-got:
		if len(g) != 1 || g[0] != 4 {
			t.Fatalf("long poll got %v", g)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("long poll not woken by a new update")
	}
	// A webhook makes getUpdates a conflict, as on Telegram.
	api(t, base, "setWebhook", `{"url":"https://example.invalid/hook"}`)
	if code, _ := api(t, base, "getUpdates", `{"timeout":0}`); code != 409 {
		t.Fatalf("getUpdates with a webhook set: %d, want 409", code)
	}
}

func TestEditsAreCheckedLikeTelegram(t *testing.T) {
	s := New(Config{Token: "42:TEST"})
	base, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if code, _ := api(t, base, "sendMessage", `{"chat_id":5,"text":"hi"}`); code != 400 {
		t.Fatalf("send to a chat that never wrote: %d, want 400", code)
	}
	s.SendText(5, "en", "/start")
	code, m := api(t, base, "sendMessage", `{"chat_id":5,"text":"Q?","reply_markup":{"inline_keyboard":[[{"text":"A","callback_data":"a"}]]}}`)
	if code != 200 {
		t.Fatalf("send: %d %s", code, m["description"])
	}
	var sent struct {
		ID int `json:"message_id"`
	}
	_ = json.Unmarshal(m["result"], &sent)
	if sent.ID != 2 {
		t.Fatalf("message IDs count per chat across both sides: got %d, want 2", sent.ID)
	}
	if _, _, err := s.Press(5, 2); !errors.Is(err, ErrNoKeyboard) {
		t.Fatalf("pressing a button that does not exist: %v", err)
	}
	if _, _, err := s.Press(5, 1); err != nil {
		t.Fatal(err)
	}
	if code, _ := api(t, base, "editMessageText", `{"chat_id":5,"message_id":2,"text":"Q?","reply_markup":{"inline_keyboard":[[{"text":"A","callback_data":"a"}]]}}`); code != 400 {
		t.Fatalf("an edit that changes nothing: %d, want 400", code)
	}
	if code, _ := api(t, base, "editMessageText", `{"chat_id":5,"message_id":2,"text":"Q? — A"}`); code != 200 {
		t.Fatalf("edit: %d", code)
	}
	if _, _, _, ok := s.Chat(5).Keyboard(); ok {
		t.Fatal("the edit removed the buttons, the chat still has a keyboard")
	}
	if code, _ := api(t, base, "editMessageText", `{"chat_id":5,"message_id":9,"text":"x"}`); code != 400 {
		t.Fatalf("editing a message that does not exist: %d", code)
	}
}

func TestScriptsSayWhatIsWrongWhere(t *testing.T) {
	sc, err := ParseScript("s.txt", []byte("# c\n/start | expect 2\n\npress 3\ntext press 1\nhello | expect 0\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Step{{Text: "/start", Expect: 2, Line: 2}, {Press: 3, Expect: 1, Line: 4}, {Text: "press 1", Expect: 1, Line: 5}, {Text: "hello", Expect: 0, Line: 6}}
	if len(sc.Steps) != len(want) {
		t.Fatalf("got %+v", sc.Steps)
	}
	for i := range want {
		if sc.Steps[i] != want[i] {
			t.Errorf("step %d: got %+v, want %+v", i, sc.Steps[i], want[i])
		}
	}
	_, err = ParseScript("bad.txt", []byte("press x\nok\nhi | expect many\n"))
	if err == nil || !strings.Contains(err.Error(), "bad.txt:1:") || !strings.Contains(err.Error(), "bad.txt:3:") {
		t.Fatalf("want errors at lines 1 and 3, got %v", err)
	}
}

// A bot killed in the middle of a long poll: its poll ends with the
// connection and does not take the next update.
func TestALongPollEndsWithItsConnection(t *testing.T) {
	s := New(Config{Token: "42:TEST"})
	base, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	body := `{"offset":1,"timeout":30}`
	fmt.Fprintf(conn, "POST /bot42:TEST/getUpdates HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	for s.Polls() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	conn.Close()
	time.Sleep(100 * time.Millisecond)
	s.SendText(7, "en", "/start")
	time.Sleep(50 * time.Millisecond)
	if _, m := api(t, base, "getUpdates", `{"timeout":0}`); len(ids(t, m)) != 1 {
		t.Fatalf("want the update, got %s", m["result"])
	}
	if st := s.Stats(); st.Redelivered != 0 {
		t.Fatalf("the poll of a closed connection took the update: %+v", st)
	}
}

// Node's clients may send chunked bodies.
func TestChunkedBodiesAreRead(t *testing.T) {
	s := New(Config{Token: "42:TEST"})
	base, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.SendText(5, "en", "/start")
	body := io.MultiReader(strings.NewReader(`{"chat_id":5,`), strings.NewReader(`"text":"hi"}`)) // no length: chunked
	resp, err := http.Post(base+"/bot42:TEST/sendMessage", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || len(resp.TransferEncoding) != 0 || resp.ContentLength != int64(len(data)) {
		t.Fatalf("%d %v %d: %s", resp.StatusCode, resp.TransferEncoding, resp.ContentLength, data)
	}
	if calls := s.Chat(5).Calls(); len(calls) != 1 || calls[0].Method != "sendMessage" {
		t.Fatalf("calls: %+v", calls)
	}
}

// TestOneChatKeepsEachUserInItsChat: with OneChat every user has all its
// conversations in one chat, the prelude runs once at its start, and the
// chat's calls are the prelude's and then each conversation's in turn.
func TestOneChatKeepsEachUserInItsChat(t *testing.T) {
	s, _, _ := startEcho(t, Config{KeepText: true}, "json", nil)
	prelude := mustScript(t, "text hello\n")
	// The echo bot answers any text with "The end", and /start with
	// question 1: the loop is /start, three presses, a name.
	res, err := RunLoad(context.Background(), s, LoadConfig{
		Users: 3, Conversations: 2, OneChat: true, Prelude: prelude,
		Script: mustScript(t, echoScript), StepTimeout: 20 * time.Second, ChatBase: 500,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Conversations != 6 || res.Failed != 0 {
		t.Fatalf("want 6 conversations, got %+v", res)
	}
	for chat := int64(501); chat <= 503; chat++ {
		c := s.Chat(chat)
		if c == nil {
			t.Fatalf("chat %d has no calls", chat)
		}
		var sends []string
		for _, call := range c.Calls() {
			if call.Method == "sendMessage" {
				sends = append(sends, call.Text)
			}
		}
		// The prelude's answer, then two conversations of five messages.
		if len(sends) != 1+2*5 || sends[0] != "Thank you. The end." || sends[1] != "Question 1 <b>?</b>" || sends[6] != "Question 1 <b>?</b>" {
			t.Errorf("chat %d: sends %q", chat, sends)
		}
	}
	if s.Chat(504) != nil {
		t.Error("a fourth chat was used")
	}
}
