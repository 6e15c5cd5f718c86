package bot_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/redress-legal/redress/bot"
	"github.com/redress-legal/redress/bot/telegramtest"
	"github.com/redress-legal/redress/flows"
)

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// fileBytes are distinct bytes of n bytes, so every file has its own hash.
func fileBytes(seed byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed ^ byte(i*31+i>>8)
	}
	return b
}

func withEvidence(h *harness) func(*bot.Config) {
	return func(c *bot.Config) { c.Evidence = h.store }
}

// evidenceLog is what the store holds for u.
func evidenceLog(t *testing.T, h *harness, u telegramtest.User) []flows.EvidenceItem {
	t.Helper()
	items, err := h.store.ListEvidence(context.Background(), bot.SessionKey(u.ID))
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// sentTexts are the texts of the messages sent to u, in order.
func sentTexts(h *harness, u telegramtest.User) []string {
	var out []string
	for _, c := range telegramtest.Filter(h.api.Calls(), u.ID, "sendMessage") {
		if c.OK() {
			out = append(out, c.PlainText())
		}
	}
	return out
}

// TestEvidenceFromTelegram: three files (a photo in three sizes, a
// document with a caption, a video) and a link, in both languages: each
// file is downloaded once, the largest photo only; the recorded hash is
// the SHA-256 of the bytes the Bot API served; the list is complete and
// in order; the confirmations carry the full hash; a re-delivered update
// records nothing more.
func TestEvidenceFromTelegram(t *testing.T) {
	for _, lang := range []string{"en", "zh-CN"} {
		t.Run(lang, func(t *testing.T) {
			h := newHarness(t)
			h.start(withEvidence(h))
			u := telegramtest.User{ID: 811, LanguageCode: lang}
			p := "" // fakeLoc's prefix for Chinese
			if lang != "en" {
				p = "zh:"
			}
			begin(h, u)
			photo, doc, video := fileBytes(1, 40_000), fileBytes(2, 123_457), fileBytes(3, 300_001)
			first := h.api.SendFile(u, telegramtest.Upload{Kind: "photo", Data: photo})
			h.api.SendFile(u, telegramtest.Upload{Kind: "document", Data: doc, Name: "chat.pdf", MIME: "application/pdf", Caption: "私信截图 screenshot"})
			h.api.SendFile(u, telegramtest.Upload{Kind: "video", Data: video, Name: "live.mp4", MIME: "video/mp4"})
			h.api.SendText(u, "/evidence link https://m.weibo.cn/status/49 views=1.2万 reposts=300 seen=2026-11-20 the original post")
			h.api.SendCommand(u, "/evidence")
			h.waitFor(u, p+"tg.evidence.how")
			h.settled()

			items := evidenceLog(t, h, u)
			if len(items) != 4 {
				t.Fatalf("the log has %d items, want 4: %+v", len(items), items)
			}
			want := []struct {
				kind       flows.EvidenceKind
				data       []byte
				name, mime string
				desc       string
			}{
				{flows.EvidenceFile, photo, "", "image/jpeg", ""},
				{flows.EvidenceFile, doc, "chat.pdf", "application/pdf", "私信截图 screenshot"},
				{flows.EvidenceFile, video, "live.mp4", "video/mp4", ""},
			}
			for i, w := range want {
				it := items[i]
				if it.Seq != i+1 || it.Kind != w.kind || it.SHA256 != sum(w.data) || it.Size != int64(len(w.data)) ||
					it.FileName != w.name || it.MIME != w.mime || it.Description != w.desc || it.UpdateID == 0 || !it.Active() {
					t.Errorf("item %d = %+v, want %s of %d bytes, SHA-256 %s, %q %q %q", i+1, it, w.kind, len(w.data), sum(w.data), w.name, w.mime, w.desc)
				}
			}
			link := items[3]
			if link.Kind != flows.EvidenceLink || link.URL != "https://m.weibo.cn/status/49" || link.Platform != flows.PlatformWeibo ||
				link.Counts.Views != 12000 || link.Counts.Reposts != 300 || link.Counts.SeenAt.In(flows.China).Format("2006-01-02") != "2026-11-20" ||
				link.Description != "the original post" {
				t.Errorf("link = %+v", link)
			}
			if n := len(telegramtest.Filter(h.api.Calls(), 0, "downloadFile")); n != 3 {
				t.Errorf("%d downloads, want 3 (one per file, the largest photo only)", n)
			}

			texts := strings.Join(sentTexts(h, u), "\n")
			for i, w := range want {
				if !strings.Contains(texts, "hash="+sum(w.data)) {
					t.Errorf("no confirmation of file %d with its full hash %s in:\n%s", i+1, sum(w.data), texts)
				}
			}
			for _, id := range []string{p + "cmd.evidence.intimate", p + "cmd.evidence.not_notary", p + "cmd.evidence.not_notary_short", p + "cmd.evidence.added.link"} {
				if !strings.Contains(texts, id) {
					t.Errorf("no %s in:\n%s", id, texts)
				}
			}
			// The list: every item, in order, under its heading.
			list := sentTexts(h, u)
			listText := ""
			for _, s := range list {
				if strings.Contains(s, p+"cmd.evidence.list") {
					listText += s
				}
			}
			var order []string
			for _, para := range ids(listText) {
				if strings.Contains(para, "cmd.evidence.item.") {
					order = append(order, para)
				}
			}
			if len(order) != 4 || !strings.Contains(order[0], "hash="+sum(photo)[:12]) || !strings.Contains(order[1], "chat.pdf") ||
				!strings.Contains(order[2], "live.mp4") || !strings.Contains(order[3], p+"cmd.evidence.item.link") {
				t.Errorf("the list is not complete and in order:\n%s", strings.Join(order, "\n"))
			}

			// Telegram delivers the photo's update again: a duplicate.
			before := len(sentTexts(h, u))
			h.api.Redeliver(first)
			h.settled()
			if n := len(evidenceLog(t, h, u)); n != 4 {
				t.Errorf("after a re-delivered update the log has %d items, want 4", n)
			}
			if n := len(sentTexts(h, u)); n != before {
				t.Errorf("a re-delivered update sent %d messages more", n-before)
			}
			if logs := h.logs.String(); strings.Contains(logs, "私信截图") || strings.Contains(logs, "weibo") {
				t.Errorf("the logs hold what the user wrote:\n%s", logs)
			}
		})
	}
}

// TestEvidenceOnceAfterAFailedCommit: the file is recorded, then the
// update's commit fails (as when the process dies between the two); the
// update is handled again, the file downloaded again, and still recorded
// once and confirmed once.
func TestEvidenceOnceAfterAFailedCommit(t *testing.T) {
	h := newHarness(t)
	h.start(withEvidence(h))
	u := telegramtest.User{ID: 812, LanguageCode: "en"}
	begin(h, u)
	var failed atomic.Bool
	h.store.SetFault(func(method string) error {
		if method == "Commit" && failed.CompareAndSwap(false, true) {
			return errors.New("disk I/O error")
		}
		return nil
	})
	data := fileBytes(9, 5000)
	h.api.SendFile(u, telegramtest.Upload{Kind: "document", Data: data, Name: "a.png", MIME: "image/png"})
	h.waitFor(u, "cmd.evidence.intimate")
	h.settled()
	if !failed.Load() {
		t.Fatal("the commit never failed: the test saw nothing")
	}
	items := evidenceLog(t, h, u)
	if len(items) != 1 || items[0].SHA256 != sum(data) {
		t.Fatalf("log = %+v, want the one file", items)
	}
	if n := len(telegramtest.Filter(h.api.Calls(), 0, "downloadFile")); n != 2 {
		t.Errorf("%d downloads, want 2 (the update was handled twice)", n)
	}
	confirmations := 0
	for _, s := range sentTexts(h, u) {
		confirmations += strings.Count(s, "cmd.evidence.added.file")
	}
	if confirmations != 1 {
		t.Errorf("%d confirmations, want 1", confirmations)
	}
}

// TestEvidenceTooLarge: a file over the Bot API's 20 MB limit is not
// fetched; the user is told, and nothing is recorded. Voice messages keep
// their answer.
func TestEvidenceTooLarge(t *testing.T) {
	h := newHarness(t)
	h.start(withEvidence(h))
	u := telegramtest.User{ID: 813, LanguageCode: "en"}
	begin(h, u)
	h.api.SendFile(u, telegramtest.Upload{Kind: "video", Data: bytes.Repeat([]byte{1}, 10), Size: 25 << 20})
	h.api.SendVoice(u)
	h.waitFor(u, "tg.media")
	h.settled()
	if n := len(evidenceLog(t, h, u)); n != 0 {
		t.Errorf("%d items recorded, want none", n)
	}
	if n := len(telegramtest.Filter(h.api.Calls(), 0, "getFile")) + len(telegramtest.Filter(h.api.Calls(), 0, "downloadFile")); n != 0 {
		t.Errorf("%d getFile or download calls for a file over the limit", n)
	}
	if !strings.Contains(strings.Join(sentTexts(h, u), "\n"), "cmd.evidence.too_large {mb=20}") {
		t.Errorf("no answer saying the file is too large:\n%s", transcript(h.api.Calls(), u.ID))
	}
}

// TestEvidenceErasedByDelete: /delete and "yes" erase the evidence log
// with the session, and a /evidence after it shows an empty log.
func TestEvidenceErasedByDelete(t *testing.T) {
	h := newHarness(t)
	h.start(withEvidence(h))
	u := telegramtest.User{ID: 814, LanguageCode: "en"}
	begin(h, u)
	h.api.SendFile(u, telegramtest.Upload{Kind: "photo", Data: fileBytes(4, 900)})
	h.api.SendText(u, "/evidence note a threatening private message")
	h.waitFor(u, "cmd.evidence.not_notary_short")
	if n := len(evidenceLog(t, h, u)); n != 2 {
		t.Fatalf("%d items before /delete, want 2", n)
	}
	h.api.SendCommand(u, "/delete")
	h.waitFor(u, "tg.delete.confirm")
	h.press(u, "v1:!del:y")
	h.waitFor(u, "tg.delete.done")
	h.settled()
	if items := evidenceLog(t, h, u); len(items) != 0 {
		t.Errorf("after /delete the log holds %+v", items)
	}
	h.api.SendCommand(u, "/evidence")
	h.waitFor(u, "cmd.evidence.empty")
}
