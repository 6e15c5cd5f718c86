package tgfake

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/redress-legal/redress/internal/tgfiles"
)

// MaxDownload is the largest file the Bot API lets a bot download (20 MB):
// getFile refuses larger ones.
const MaxDownload = 20 << 20

// Upload is a file the user of a chat sends: a photo, a document or a video.
type Upload struct {
	Kind    string // "photo", "document" or "video"
	Data    []byte // the bytes the bot can download
	Name    string // file name (document, video)
	MIME    string // media type (document, video)
	Caption string
}

// file is a file users sent, as getFile and the file URL serve it.
type file struct {
	id, path string
	data     []byte
}

// addFile registers data under a new file ID and path.
func (s *Server) addFile(data []byte) *file {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	if s.files == nil {
		s.files = map[string]*file{}
	}
	s.nextFile++
	f := &file{id: fmt.Sprintf("BQACAgIAAxkBfake%d", s.nextFile), path: fmt.Sprintf("documents/file_%d", s.nextFile), data: data}
	s.files[f.id] = f
	return f
}

// SendFile makes the user of chat id send up: a photo in three sizes, as
// Telegram sends them (two smaller ones, then Data), or a document or
// video. It returns the update ID and when it became available.
func (s *Server) SendFile(id int64, lang string, up Upload) (int64, time.Time) {
	media := tgfiles.Fields(tgfiles.Upload{Kind: up.Kind, Data: up.Data, Name: up.Name, MIME: up.MIME, Caption: up.Caption},
		func(data []byte, _ int64) string { return s.addFile(data).id })
	c := s.chat(id, true)
	c.mu.Lock()
	if lang != "" {
		c.Lang = lang
	}
	c.nextMsg++
	media["message_id"] = c.nextMsg
	media["chat"] = json.RawMessage(appendChat(nil, c))
	media["from"] = json.RawMessage(appendUser(nil, c))
	c.mu.Unlock()
	media["date"] = time.Now().Unix()
	msg, err := json.Marshal(media)
	if err != nil {
		panic(err)
	}
	return s.PushRaw(func(uid int64) []byte {
		b := append([]byte(`{"message":`), msg...)
		b = append(b, `,"update_id":`...)
		return append(strconv.AppendInt(b, uid, 10), '}')
	})
}

// getFile answers getFile.
func (s *Server) getFile(p params) (any, error) {
	s.count(func(st *Stats) { st.Calls["getfile"]++ })
	s.fmu.Lock()
	f, ok := s.files[p["file_id"]]
	s.fmu.Unlock()
	if !ok {
		return nil, badRequest("invalid file_id")
	}
	if len(f.data) > MaxDownload {
		return nil, badRequest("file is too big")
	}
	return map[string]any{"file_id": f.id, "file_unique_id": "u" + f.id, "file_size": len(f.data), "file_path": f.path}, nil
}

// serveFile serves /file/bot<token>/<file_path>, counted as calls of
// "downloadfile".
func (s *Server) serveFile(rc *fasthttp.RequestCtx) {
	rest := strings.TrimPrefix(string(rc.Path()), "/file/bot")
	token, path, _ := strings.Cut(rest, "/")
	if s.cfg.Token != "" && token != s.cfg.Token {
		rc.Error("Unauthorized", fasthttp.StatusUnauthorized)
		return
	}
	var data []byte
	found := false
	s.fmu.Lock()
	for _, f := range s.files {
		if f.path == path {
			data, found = f.data, true
			break
		}
	}
	s.fmu.Unlock()
	if !found || !rc.IsGet() {
		rc.Error("Not Found", fasthttp.StatusNotFound)
		return
	}
	s.count(func(st *Stats) { st.Calls["downloadfile"]++ })
	rc.SetContentType("application/octet-stream")
	rc.SetBody(data)
}
