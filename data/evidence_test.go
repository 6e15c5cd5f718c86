package data_test

import (
	"errors"
	"testing"
	"time"

	"github.com/redress-legal/redress/data"
	"github.com/redress-legal/redress/flows"
	"github.com/redress-legal/redress/flows/flowstest"
)

// TestEvidenceEncrypted: the description, URL and file name of evidence
// items never reach the disk in clear (database file and WAL), and after
// /delete the rows are gone from both.
func TestEvidenceEncrypted(t *testing.T) {
	db, path := openTemp(t)
	ctx := t.Context()
	secret := canary(t, "EVIDENCE")
	for _, it := range flowstest.SampleEvidence(secret, time.Now()) {
		if _, err := db.AddEvidence(ctx, "tg:1", it); err != nil {
			t.Fatal(err)
		}
	}
	files := rawFiles(t, path)
	if where := findIn(files, secret); len(where) > 0 {
		t.Fatalf("canary in clear in %v", where)
	}
	// Positive control: the platform, kept in clear, is found.
	if where := findIn(files, "image/png"); len(where) == 0 {
		t.Fatal("control string not found in the raw files: the test would see nothing")
	}
	items, err := db.ListEvidence(ctx, "tg:1")
	if err != nil || len(items) != 3 || items[1].URL != "https://weibo.com/123/"+secret {
		t.Fatalf("ListEvidence: %v, %+v", err, items)
	}
	if err := db.Delete(ctx, "tg:1"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if where := findIn(rawFiles(t, path), "image/png"); len(where) > 0 {
		t.Fatalf("an erased evidence row is still in %v", where)
	}
}

// TestEvidenceSealBindsItem: a sealed evidence row copied over another
// item (or another user's) does not open.
func TestEvidenceSealBindsItem(t *testing.T) {
	db, _ := openTemp(t)
	ctx := t.Context()
	now := time.Now()
	for _, key := range []string{"tg:1", "tg:2"} {
		for _, it := range flowstest.SampleEvidence(key, now) {
			if _, err := db.AddEvidence(ctx, key, it); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := data.ExecRaw(db, `UPDATE evidence SET sealed = (SELECT sealed FROM evidence WHERE key = ? AND seq = 1) WHERE key = ? AND seq = 2`,
		data.IndexKey(db, "tg:1"), data.IndexKey(db, "tg:1")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ListEvidence(ctx, "tg:1"); !errors.Is(err, data.ErrDecrypt) {
		t.Errorf("item moved within a log: ListEvidence error %v, want ErrDecrypt", err)
	}
	if err := data.ExecRaw(db, `UPDATE evidence SET sealed = (SELECT sealed FROM evidence WHERE key = ? AND seq = 1) WHERE key = ? AND seq = 1`,
		data.IndexKey(db, "tg:1"), data.IndexKey(db, "tg:2")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ListEvidence(ctx, "tg:2"); !errors.Is(err, data.ErrDecrypt) {
		t.Errorf("item moved to another user: ListEvidence error %v, want ErrDecrypt", err)
	}
}

// TestEvidenceTrim: retention trims the log of a user whose session it
// purged, counted apart, and keeps a live session's.
func TestEvidenceTrim(t *testing.T) {
	now := time.Now()
	clock := now
	db, _ := openTemp(t, data.WithClock(func() time.Time { return clock }))
	ctx := t.Context()
	clock = now.Add(-100 * 24 * time.Hour)
	for _, key := range []string{"tg:1", "tg:2"} {
		if _, err := db.Put(ctx, flows.Session{Key: key, State: flowstest.SampleState("x")}); err != nil {
			t.Fatal(err)
		}
		for _, it := range flowstest.SampleEvidence("x", clock) {
			if _, err := db.AddEvidence(ctx, key, it); err != nil {
				t.Fatal(err)
			}
		}
	}
	clock = now
	if _, err := db.Put(ctx, flows.Session{Key: "tg:2", Rev: 1, State: flowstest.SampleState("y")}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Trim(ctx, now.Add(-90*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got.Sessions != 1 || got.Evidence != 3 {
		t.Errorf("Trim = %+v, want 1 session and its 3 evidence items", got)
	}
	if l, _ := db.ListEvidence(ctx, "tg:1"); len(l) != 0 {
		t.Errorf("purged user's log has %d items", len(l))
	}
	if l, _ := db.ListEvidence(ctx, "tg:2"); len(l) != 3 {
		t.Errorf("live user's log has %d items, want 3", len(l))
	}
}
