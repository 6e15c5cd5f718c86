package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// api is our access to the Bot API: go-telegram/bot for the calls made at
// start-up (getMe, setMyCommands, setWebhook), and our own JSON calls for
// getUpdates, which tgbot keeps private (its polling loop is exactly what
// we must not use; see get_updates.go), and for the few methods the outbox makes
// on every update (see post).
type api struct {
	tg    *tgbot.Bot
	base  string
	token string
	hc    *http.Client
}

func newAPI(base, token string, hc *http.Client, onErr func(error)) (*api, error) {
	tg, err := tgbot.New(token,
		tgbot.WithServerURL(base),
		tgbot.WithSkipGetMe(),
		tgbot.WithHTTPClient(hc.Timeout, bufferedClient{hc}),
		tgbot.WithErrorsHandler(onErr),
		tgbot.WithDefaultHandler(func(context.Context, *tgbot.Bot, *models.Update) {}),
	)
	if err != nil {
		return nil, fmt.Errorf("telegram client: %w", err)
	}
	return &api{tg: tg, base: strings.TrimRight(base, "/"), token: token, hc: hc}, nil
}

// apiError is an error answer of the Bot API to one of our own requests.
type apiError struct {
	Method     string
	Code       int
	Desc       string
	RetryAfter int   // seconds to wait, with 429
	MigrateTo  int64 // the supergroup a group became, with 400
}

// Error describes the refusal.
func (e *apiError) Error() string {
	return fmt.Sprintf("telegram %s: %d %s", e.Method, e.Code, e.Desc)
}

type getUpdatesParams struct {
	Offset         int64    `json:"offset,omitempty"`
	Limit          int      `json:"limit,omitempty"`
	Timeout        int      `json:"timeout"`
	AllowedUpdates []string `json:"allowed_updates,omitempty"`
}

// getUpdates long-polls for updates and returns them undecoded, so that one
// update we cannot decode does not stop all the others.
// The updates returned point into buf, which the caller must not reuse
// before it is done with them.
func (a *api) getUpdates(ctx context.Context, p getUpdatesParams, buf *bytes.Buffer) ([]json.RawMessage, error) {
	body, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode getUpdates: %w", err)
	}
	// The request may take the whole long-poll timeout, plus a margin.
	ctx, cancel := context.WithTimeout(ctx, time.Duration(p.Timeout)*time.Second+30*time.Second)
	defer cancel()
	// A per-request client without the sender's timeout: the context bounds it.
	hc := *a.hc
	hc.Timeout = 0
	result, err := a.post(ctx, &hc, "getUpdates", body, 64<<20, buf)
	if err != nil {
		return nil, err
	}
	if raws, ok := splitArray(result); ok {
		return raws, nil
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(result, &raws); err != nil {
		return nil, &apiError{Method: "getUpdates", Code: http.StatusOK, Desc: "undecodable result"}
	}
	return raws, nil
}

// maxAnswer bounds the answer to a call other than getUpdates that we read:
// a message is at most a few KB.
const maxAnswer = 1 << 20

// post calls method with a JSON body and returns the result of a
// successful answer, undecoded, read into buf; a refusal is an *apiError. The outbox's
// methods go through here rather than through go-telegram/bot, whose
// multipart bodies and full decoding of every answer were a fifth of the
// bot's CPU under load (docs/PERFORMANCE.md).
func (a *api) post(ctx context.Context, hc *http.Client, method string, body []byte, limit int64, buf *bytes.Buffer) (json.RawMessage, error) {
	return a.postAs(ctx, hc, method, body, "application/json", limit, buf)
}

// postAs is post with a body of another content type (multipart for sendDocument).
func (a *api) postAs(ctx context.Context, hc *http.Client, method string, body []byte, contentType string, limit int64, buf *bytes.Buffer) (json.RawMessage, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+"/bot"+a.token+"/"+method, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%s request: %w", method, err)
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := hc.Do(req)
	if err != nil {
		// The URL holds the token: report the error without it.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	defer resp.Body.Close()
	buf.Reset()
	if _, err := buf.ReadFrom(io.LimitReader(resp.Body, limit)); err != nil {
		return nil, fmt.Errorf("%s: read: %w", method, err)
	}
	e, err := readEnvelope(buf.Bytes())
	if err != nil {
		return nil, &apiError{Method: method, Code: resp.StatusCode, Desc: err.Error()}
	}
	if !e.OK {
		code := e.ErrorCode
		if code == 0 {
			code = resp.StatusCode
		}
		return nil, &apiError{Method: method, Code: code, Desc: e.Description,
			RetryAfter: e.Parameters.RetryAfter, MigrateTo: e.Parameters.MigrateToChatID}
	}
	return e.Result, nil
}

// call makes one outbox call (see post) and returns the message_id of the
// message it answers with, if any.
func (a *api) call(ctx context.Context, method string, body []byte) (int64, error) {
	buf := answerBufs.Get().(*bytes.Buffer)
	defer answerBufs.Put(buf)
	contentType := "application/json"
	if method == methodSendDocument {
		var err error
		if body, contentType, err = documentForm(body); err != nil {
			// Nothing to retry: the row is dropped as refused.
			return 0, &apiError{Method: method, Code: http.StatusBadRequest, Desc: "document row not understood: " + err.Error()}
		}
	}
	result, err := a.postAs(ctx, a.hc, method, body, contentType, maxAnswer, buf)
	if err != nil {
		return 0, err
	}
	if len(result) == 0 || result[0] != '{' {
		return 0, nil // true, for an edit of a message the bot cannot see
	}
	if id, ok := peekInt(result, "message_id"); ok {
		return id, nil
	}
	var m struct {
		ID int64 `json:"message_id"`
	}
	if err := json.Unmarshal(result, &m); err != nil {
		return 0, fmt.Errorf("%s: %w: %w", method, errResultNotUnderstood, err)
	}
	return m.ID, nil
}

// documentForm turns the JSON body of a sendDocument row (chat_id,
// caption, parse_mode, document{name, data}) into the multipart form
// Telegram needs to receive a file.
func documentForm(body []byte) ([]byte, string, error) {
	var b callBody
	if err := json.Unmarshal(body, &b); err != nil {
		return nil, "", fmt.Errorf("decode: %w", err)
	}
	if b.Document == nil {
		return nil, "", errors.New("no document")
	}
	var out bytes.Buffer
	w := multipart.NewWriter(&out)
	fields := [][2]string{{"chat_id", strconv.FormatInt(b.ChatID, 10)}, {"caption", b.Caption}, {"parse_mode", b.ParseMode}}
	if b.ReplyMarkup != nil {
		kb, err := json.Marshal(b.ReplyMarkup)
		if err != nil {
			return nil, "", fmt.Errorf("keyboard: %w", err)
		}
		fields = append(fields, [2]string{"reply_markup", string(kb)})
	}
	for _, f := range fields {
		if f[1] == "" {
			continue
		}
		if err := w.WriteField(f[0], f[1]); err != nil {
			return nil, "", fmt.Errorf("field %s: %w", f[0], err)
		}
	}
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": "document", "filename": b.Document.Name}))
	h.Set("Content-Type", "text/html; charset=utf-8")
	part, err := w.CreatePart(h)
	if err != nil {
		return nil, "", fmt.Errorf("file part: %w", err)
	}
	if _, err := part.Write(b.Document.Data); err != nil {
		return nil, "", fmt.Errorf("file part: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, "", fmt.Errorf("close form: %w", err)
	}
	return out.Bytes(), w.FormDataContentType(), nil
}

// answerBufs hold the answers of outbox calls while they are read: under
// load, growing a new buffer for each answer was a seventh of the bot's
// allocations.
var answerBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// errResultNotUnderstood: Telegram accepted a call but answered with a
// result we cannot read. The call was made; repeating it would make it twice.
var errResultNotUnderstood = errors.New("result not understood")

// logErr renders an error of a Telegram call for the log. go-telegram/bot
// quotes the whole response body when it cannot decode one, and a body may
// hold the text of a message: that part is left out.
func logErr(err error) string {
	s := err.Error()
	if i := strings.Index(s, "error decode response body"); i >= 0 {
		s = s[:i] + "error decode response body (body not logged)"
	}
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
