package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// api is our access to the Bot API: go-telegram/bot for every method it
// has, and our own getUpdates, which tgbot keeps private (its polling loop
// is exactly what we must not use; see poll.go).
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
	RetryAfter int
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
func (a *api) getUpdates(ctx context.Context, p getUpdatesParams) ([]json.RawMessage, error) {
	body, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode getUpdates: %w", err)
	}
	// The request may take the whole long-poll timeout, plus a margin.
	ctx, cancel := context.WithTimeout(ctx, time.Duration(p.Timeout)*time.Second+30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+"/bot"+a.token+"/getUpdates", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("getUpdates request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	// A per-request client without the sender's timeout: the context bounds it.
	hc := *a.hc
	hc.Timeout = 0
	resp, err := hc.Do(req)
	if err != nil {
		// The URL holds the token: report the error without it.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("getUpdates: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("getUpdates: read: %w", err)
	}
	var r struct {
		OK          bool              `json:"ok"`
		Result      []json.RawMessage `json:"result"`
		ErrorCode   int               `json:"error_code"`
		Description string            `json:"description"`
		Parameters  struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, &apiError{Method: "getUpdates", Code: resp.StatusCode, Desc: "undecodable response"}
	}
	if !r.OK {
		code := r.ErrorCode
		if code == 0 {
			code = resp.StatusCode
		}
		return nil, &apiError{Method: "getUpdates", Code: code, Desc: r.Description, RetryAfter: r.Parameters.RetryAfter}
	}
	return r.Result, nil
}

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
