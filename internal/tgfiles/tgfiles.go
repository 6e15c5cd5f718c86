// Package tgfiles builds the fields of a message carrying a file, as the
// Telegram Bot API sends a bot a photo, a document or a video from a user.
// The two fake Bot APIs (bot/telegramtest for tests, tools/load/tgfake for
// load runs) share it, so that both send what Telegram sends.
package tgfiles

// Upload is a file a user sends.
type Upload struct {
	Kind    string // "photo", "document" or "video"
	Data    []byte // the bytes the bot can download
	Size    int64  // the size Telegram reports; 0: len(Data)
	Name    string // file name (document, video)
	MIME    string // media type (document, video)
	Caption string
}

// Fields returns the message fields carrying up: a photo in three sizes
// (two smaller ones, then Data), a document or a video as one file, and
// the caption. add registers the bytes of each file with the size it
// reports and returns its file ID. It panics on another kind: a test's
// mistake.
func Fields(up Upload, add func(data []byte, size int64) string) map[string]any {
	fields := map[string]any{}
	switch up.Kind {
	case "photo":
		var sizes []map[string]any
		for i, part := range [][]byte{up.Data[:len(up.Data)/4], up.Data[:len(up.Data)/2], up.Data} {
			size := int64(len(part))
			if i == 2 && up.Size != 0 {
				size = up.Size
			}
			id := add(part, size)
			w := 90 * (i + 1) * (i + 1)
			sizes = append(sizes, map[string]any{"file_id": id, "file_unique_id": "u" + id, "width": w, "height": w * 3 / 4, "file_size": size})
		}
		fields["photo"] = sizes
	case "document", "video":
		size := up.Size
		if size == 0 {
			size = int64(len(up.Data))
		}
		id := add(up.Data, size)
		file := map[string]any{"file_id": id, "file_unique_id": "u" + id, "file_size": size}
		if up.Name != "" {
			file["file_name"] = up.Name
		}
		if up.MIME != "" {
			file["mime_type"] = up.MIME
		}
		if up.Kind == "video" {
			file["width"], file["height"], file["duration"] = 720, 1280, 9
		}
		fields[up.Kind] = file
	default:
		panic("tgfiles: a file of kind " + up.Kind)
	}
	if up.Caption != "" {
		fields["caption"] = up.Caption
	}
	return fields
}
