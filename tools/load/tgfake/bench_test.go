package tgfake

import (
	"strconv"
	"testing"

	"github.com/valyala/fasthttp"
)

// serveOnce serves one call to s, as the HTTP server would hand it over,
// and returns the response.
func serveOnce(s *Server, method, contentType, body string) *fasthttp.Response {
	var req fasthttp.Request
	req.Header.SetMethod(fasthttp.MethodPost)
	req.SetRequestURI("/bot" + s.cfg.Token + "/" + method)
	req.Header.SetContentType(contentType)
	req.SetBodyString(body)
	var rc fasthttp.RequestCtx
	rc.Init(&req, nil, nil)
	s.serve(&rc)
	return &rc.Response
}

// BenchmarkPressRoundTrip is the fake's own work for one button press of
// the questionnaire, as a JSON-speaking bot drives it (without the HTTP
// server): the press, a getUpdates that also re-serves up to two
// in-flight updates, answerCallbackQuery, editMessageText and sendMessage with the
// next question's buttons.
func BenchmarkPressRoundTrip(b *testing.B) {
	s := New(Config{Token: "1:T"})
	call := func(method, body string) {
		if r := serveOnce(s, method, "application/json", body); r.StatusCode() != 200 {
			b.Fatalf("%s %s: %d %s", method, body, r.StatusCode(), r.Body())
		}
	}
	kb := `{"inline_keyboard":[[{"text":"Yes, I have a written contract","callback_data":"q:y"}],[{"text":"No \u003cnone\u003e","callback_data":"q:n"}]]}`
	question := func(chat int64) string {
		return `{"chat_id":` + strconv.FormatInt(chat, 10) + `,"text":"\u003cb\u003eQuestion\u003c/b\u003e\nDo you have a written tenancy contract?","parse_mode":"HTML","reply_markup":` + kb + `}`
	}
	var chat int64
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if i%6 == 0 { // a conversation: /start, then presses
			s.Forget(chat)
			chat = 1000 + int64(i)
			s.SendText(chat, "en", "/start")
			call("sendMessage", question(chat))
		}
		uid, _, err := s.Press(chat, 1)
		if err != nil {
			b.Fatal(err)
		}
		call("getUpdates", `{"offset":`+strconv.FormatInt(uid-2, 10)+`,"limit":100,"timeout":0}`)
		call("answerCallbackQuery", `{"callback_query_id":"`+strconv.FormatInt(chat, 10)+"-"+strconv.FormatInt(uid, 10)+`"}`)
		id, _, _, _ := s.Chat(chat).Keyboard()
		call("editMessageText", `{"chat_id":`+strconv.FormatInt(chat, 10)+`,"message_id":`+strconv.Itoa(id)+`,"text":"Question — answered","parse_mode":"HTML"}`)
		call("sendMessage", question(chat))
	}
}
