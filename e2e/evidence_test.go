package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redress-legal/redress/flows"
	"github.com/redress-legal/redress/tools/load/tgfake"
)

// TestEvidenceOnTelegram: the real binary on the fake Bot API, a user in
// English and one in Chinese: each sends three files (a photo in three
// sizes, a document with a caption, a video) and a link. Every file is
// downloaded once (the largest photo size only), its confirmation shows
// its SHA-256, and the database holds the complete log in order, each
// hash the SHA-256 of the bytes the fake served, the caption and link
// encrypted.
func TestEvidenceOnTelegram(t *testing.T) {
	e := newEnv(t, tgfake.Config{KeepText: true})
	p := e.start()
	ctx := context.Background()
	type upload struct {
		tgfake.Upload
		want string // hex SHA-256
	}
	users := map[int64]string{9101: "en", 9102: "zh-hans"}
	sent := map[int64][]upload{}
	secret := canary(t)
	for chat, lang := range users {
		e.fake.SendText(chat, lang, "/start")
		var ups []upload
		for i, up := range []tgfake.Upload{
			{Kind: "photo"},
			{Kind: "document", Name: "chat-log.pdf", MIME: "application/pdf", Caption: "私信 " + secret},
			{Kind: "video", Name: "live.mp4", MIME: "video/mp4"},
		} {
			up.Data = make([]byte, 50_000+i*70_001)
			for j := range up.Data {
				up.Data[j] = byte(int64(j)*7 + chat + int64(i))
			}
			sum := sha256.Sum256(up.Data)
			ups = append(ups, upload{up, hex.EncodeToString(sum[:])})
			e.fake.SendFile(chat, lang, up)
		}
		e.fake.SendText(chat, lang, "/evidence link https://weibo.com/123/"+secret+" views=12000 reposts=300 seen=2026-11-30 the post")
		sent[chat] = ups
	}
	for chat, lang := range users {
		c := e.fake.Chat(chat)
		confirm := "Recorded as item 4 of your evidence log"
		if lang != "en" {
			confirm = "已记入证据清单第 4 项"
		}
		if !c.WaitFor(ctx, 60*time.Second, func(calls []tgfake.Call, _ int) bool {
			for _, call := range calls {
				if strings.Contains(call.Text, confirm) {
					return true
				}
			}
			return false
		}) {
			t.Fatalf("chat %d: the link was not confirmed; calls:\n%v", chat, c.Calls())
		}
		var texts []string
		for _, call := range c.Calls() {
			texts = append(texts, call.Text)
		}
		all := strings.Join(texts, "\n")
		label := "SHA-256: "
		if lang != "en" {
			label = "SHA-256："
		}
		for i, up := range sent[chat] {
			if !strings.Contains(all, label+up.want) {
				t.Errorf("chat %d (%s): file %d's SHA-256 %s is not in the confirmations:\n%s", chat, lang, i+1, up.want, all)
			}
		}
	}
	if n := e.fake.Stats().Calls["downloadfile"]; n != 6 {
		t.Errorf("%d downloads, want 6 (three files per user, the largest photo only)", n)
	}
	p.stop(t)

	files := rawFiles(t, e.db)
	if where := findIn(files, secret); len(where) > 0 {
		t.Errorf("the caption or link is in clear in %v", where)
	}
	db := e.openDB()
	for chat := range users {
		items, err := db.ListEvidence(ctx, "tg:"+strconv.FormatInt(chat, 10))
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 4 {
			t.Fatalf("chat %d: %d items, want 4: %+v", chat, len(items), items)
		}
		for i, up := range sent[chat] {
			it := items[i]
			if it.Seq != i+1 || it.Kind != flows.EvidenceFile || it.SHA256 != up.want || it.Size != int64(len(up.Data)) || it.FileName != up.Name {
				t.Errorf("chat %d item %d = %+v, want %s of %d bytes", chat, i+1, it, up.want, len(up.Data))
			}
		}
		if it := items[1]; it.Description != "私信 "+secret || it.MIME != "application/pdf" {
			t.Errorf("chat %d: the document's caption or type was not kept: %+v", chat, it)
		}
		if it := items[3]; it.Kind != flows.EvidenceLink || it.Platform != flows.PlatformWeibo || it.Counts.Views != 12000 || it.Description != "the post" {
			t.Errorf("chat %d: link = %+v", chat, it)
		}
	}
}
