package telegramtest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/redress-legal/redress/internal/tgfiles"
)

// MaxDownload is the largest file the Bot API lets a bot download (20 MB):
// getFile refuses larger ones.
const MaxDownload = 20 << 20

// Upload is a file a user sends: a photo, a document or a video.
type Upload struct {
	Kind    string // "photo", "document" or "video"
	Data    []byte // the bytes the bot can download
	Name    string // the file name (document, video)
	MIME    string // the media type (document, video)
	Caption string
	// Size is the size Telegram announces; 0: len(Data). A size over
	// MaxDownload makes getFile refuse the file, as Telegram does.
	Size int64
}

// fakeFile is a file users sent, as getFile and the file URL serve it.
type fakeFile struct {
	id, path string
	data     []byte
	size     int64
}

// addFile registers data under a new file ID; the caller holds s.mu.
func (s *Server) addFile(data []byte, size int64, ext string) fakeFile {
	if s.files == nil {
		s.files = map[string]fakeFile{}
	}
	s.nextFile++
	if size == 0 {
		size = int64(len(data))
	}
	f := fakeFile{id: fmt.Sprintf("BQACAgIAAxkBfile%d", s.nextFile), path: fmt.Sprintf("documents/file_%d%s", s.nextFile, ext), data: data, size: size}
	s.files[f.id] = f
	return f
}

// SendFile injects a message from u carrying up: a photo comes in three
// sizes as Telegram sends them (two smaller thumbnails, then Data), a
// document or a video as one file. It returns the update ID.
func (s *Server) SendFile(u User, up Upload) int64 {
	return s.inject(func(int64) map[string]any {
		ext := ""
		if up.Kind == "photo" {
			ext = ".jpg"
		}
		fields := tgfiles.Fields(tgfiles.Upload{Kind: up.Kind, Data: up.Data, Size: up.Size, Name: up.Name, MIME: up.MIME, Caption: up.Caption},
			func(data []byte, size int64) string { return s.addFile(data, size, ext).id })
		return map[string]any{"message": s.message(u.ID, "private", &u, fields)}
	})
}

// getFile answers getFile; the caller holds s.mu.
func (s *Server) getFile(id string) (any, error) {
	f, ok := s.files[id]
	if !ok {
		return nil, badRequest("invalid file_id")
	}
	if f.size > MaxDownload {
		return nil, badRequest("file is too big")
	}
	return map[string]any{"file_id": f.id, "file_unique_id": "u" + f.id, "file_size": f.size, "file_path": f.path}, nil
}

// serveFile serves /file/bot<token>/<file_path>, recorded as a call of
// method "downloadFile" with the path as its "file_path" parameter.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/file/bot")
	token, path, _ := strings.Cut(rest, "/")
	call := Call{Method: "downloadFile", Params: map[string]string{"file_path": path}}
	status := http.StatusOK
	var data []byte
	s.mu.Lock()
	switch {
	case r.Method != http.MethodGet:
		status = http.StatusMethodNotAllowed
	case s.Token != "" && token != s.Token:
		status = http.StatusUnauthorized
	default:
		status = http.StatusNotFound
		for _, f := range s.files {
			if f.path == path {
				status, data = http.StatusOK, f.data
				break
			}
		}
	}
	s.mu.Unlock()
	call.Status = status
	s.record(call)
	if status != http.StatusOK {
		http.Error(w, http.StatusText(status), status)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}
