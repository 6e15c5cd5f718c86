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

	"github.com/go-telegram/bot/models"
	"github.com/redress-legal/redress/commands"
	"github.com/redress-legal/redress/flows"
)

// The evidence log on Telegram. A photo (its largest size), a document or
// a video a user sends is evidence they want kept, whenever they send it:
// it is fetched with getFile, streamed from the file URL into the SHA-256
// of the conversation layer (commands.Env.Evidence) and recorded, its
// caption as the description. The bytes are never written to disk or to
// the store. The item is recorded with the update's ID, so an update
// delivered again after a crash between the record and the commit is
// recorded once; the confirmation goes through the outbox with the
// update's commit like any reply.

// MaxFileSize is the largest file a bot may download with getFile (the
// Bot API's limit, 20 MB).
const MaxFileSize = 20 << 20

// downloadTimeout bounds one file download.
const downloadTimeout = 2 * time.Minute

// sentFile is a file a message carries that the evidence log takes.
type sentFile struct {
	id   string
	size int64 // as Telegram announced it; 0 if not
	name string
	mime string
}

// evidenceFile returns the file of a photo (the largest size), document or
// video message; ok is false for other messages.
func evidenceFile(m *models.Message) (f sentFile, ok bool) {
	switch {
	case len(m.Photo) > 0:
		best := m.Photo[0]
		for _, p := range m.Photo[1:] {
			if p.FileSize > best.FileSize || (p.FileSize == best.FileSize && p.Width*p.Height > best.Width*best.Height) {
				best = p
			}
		}
		return sentFile{id: best.FileID, size: int64(best.FileSize), mime: "image/jpeg"}, true
	case m.Document != nil:
		d := m.Document
		return sentFile{id: d.FileID, size: d.FileSize, name: d.FileName, mime: d.MimeType}, true
	case m.Video != nil:
		v := m.Video
		return sentFile{id: v.FileID, size: v.FileSize, name: v.FileName, mime: v.MimeType}, true
	}
	return sentFile{}, false
}

// onFile records a file the user sent in their evidence log and confirms
// it; a file over MaxFileSize is not fetched, and the user is told.
func (b *Bot) onFile(ctx context.Context, s flows.Session, updateID int64, m *models.Message, f sentFile, lang string, now time.Time) (decision, error) {
	if f.size > MaxFileSize {
		d := decision{event: "evidence_too_large"}
		b.notice(&d.out, lang, commands.MsgEvidenceTooLarge, map[string]any{"mb": int64(MaxFileSize >> 20)}, nil)
		return d, nil
	}
	body, err := b.api.download(ctx, f.id)
	var tooBig *fileTooBig
	switch {
	case errors.As(err, &tooBig):
		d := decision{event: "evidence_too_large"}
		b.notice(&d.out, lang, commands.MsgEvidenceTooLarge, map[string]any{"mb": int64(MaxFileSize >> 20)}, nil)
		return d, nil
	case isRefusal(err):
		// Telegram refused to give the file (gone, or not a file): say so;
		// trying again would get the same answer.
		b.log.Warn("evidence file not fetched", "update", updateID, "err", err)
		d := decision{event: "evidence_fetch_failed"}
		b.notice(&d.out, lang, MsgEvidenceFetchFailed, nil, nil)
		return d, nil
	case err != nil:
		return decision{}, fmt.Errorf("fetch evidence file: %w", err)
	}
	defer body.Close()
	req := commands.EvidenceRequest{Op: commands.EvFile, UpdateID: updateID, Description: m.Caption,
		File: &commands.File{Body: body, Name: f.name, MIME: f.mime}}
	out, err := b.env.Evidence(ctx, s.Key, s.State, lang, req, now)
	if err != nil {
		return decision{}, err
	}
	return b.decide(out, press{}), nil
}

// carryEvidence hands an outcome that asks for the evidence log to
// commands.Env.Evidence, and returns what it decided; other outcomes are
// returned as they are.
func (b *Bot) carryEvidence(ctx context.Context, key string, out commands.Outcome, now time.Time) (commands.Outcome, error) {
	if out.Evidence == nil {
		return out, nil
	}
	next, err := b.env.Evidence(ctx, key, out.State, out.State.Lang, *out.Evidence, now)
	if err != nil {
		return commands.Outcome{}, err
	}
	next.Changed = next.Changed || out.Changed
	return next, nil
}

// fileTooBig: Telegram will not give a bot a file this large.
type fileTooBig struct{ size int64 }

func (e *fileTooBig) Error() string {
	return fmt.Sprintf("file of %d bytes is over the Bot API's limit", e.size)
}

// isRefusal reports a Bot API answer that repeating the call cannot change
// (4xx other than 429).
func isRefusal(err error) bool {
	var ae *apiError
	return errors.As(err, &ae) && ae.Code >= 400 && ae.Code < 500 && ae.Code != http.StatusTooManyRequests
}

// download asks Telegram for the file fileID (getFile) and opens its
// download from the file URL; the caller reads the bytes as they arrive
// and closes the body. At most MaxFileSize+1 bytes are read, so a larger
// file is noticed by the reader.
func (a *api) download(ctx context.Context, fileID string) (io.ReadCloser, error) {
	body, err := json.Marshal(map[string]string{"file_id": fileID})
	if err != nil {
		return nil, fmt.Errorf("encode getFile: %w", err)
	}
	var buf bytes.Buffer
	result, err := a.post(ctx, a.hc, "getFile", body, maxAnswer, &buf)
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) && ae.Code == http.StatusBadRequest && strings.Contains(strings.ToLower(ae.Desc), "too big") {
			return nil, &fileTooBig{}
		}
		return nil, err
	}
	var f struct {
		Size int64  `json:"file_size"`
		Path string `json:"file_path"`
	}
	if err := json.Unmarshal(result, &f); err != nil {
		return nil, &apiError{Method: "getFile", Code: http.StatusBadRequest, Desc: "result not understood"}
	}
	if f.Size > MaxFileSize {
		return nil, &fileTooBig{size: f.Size}
	}
	if f.Path == "" {
		return nil, &apiError{Method: "getFile", Code: http.StatusBadRequest, Desc: "no file_path: the file cannot be downloaded"}
	}
	ctx, cancel := context.WithTimeout(ctx, downloadTimeout)
	path := (&url.URL{Path: f.Path}).EscapedPath()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+"/file/bot"+a.token+"/"+strings.TrimPrefix(path, "/"), nil)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("file request: %w", err)
	}
	hc := *a.hc
	hc.Timeout = 0 // the context bounds the download
	resp, err := hc.Do(req)
	if err != nil {
		cancel()
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL holds the token
		}
		return nil, fmt.Errorf("download file: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		cancel()
		return nil, &apiError{Method: "file download", Code: resp.StatusCode, Desc: http.StatusText(resp.StatusCode)}
	}
	return &download{Reader: io.LimitReader(resp.Body, MaxFileSize+1), body: resp.Body, cancel: cancel}, nil
}

// download is a file being downloaded: closing it ends the request.
type download struct {
	io.Reader
	body   io.Closer
	cancel context.CancelFunc
}

// Close ends the download.
func (d *download) Close() error {
	err := d.body.Close()
	d.cancel()
	return err
}
