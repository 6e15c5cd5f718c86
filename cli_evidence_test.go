package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redress-legal/redress/flows"
)

// TestChatEvidenceAddPrintsSHA256: in the terminal chat, in both
// languages, "/evidence add PATH description" prints the file's SHA-256 —
// the same as sha256sum prints — and records it; /evidence lists it, and
// the transcript does not echo the description.
func TestChatEvidenceAddPrintsSHA256(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "screen shot.png")
	content := []byte("\x89PNG\r\n\x1a\n a screenshot of the post, 12,000 views")
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(content)
	want := hex.EncodeToString(sum[:])
	if _, err := exec.LookPath("sha256sum"); err == nil {
		out, err := exec.Command("sha256sum", path).Output()
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Fields(string(out))[0]; got != want {
			t.Fatalf("sha256sum says %s, crypto/sha256 %s", got, want)
		}
	}
	for lang, label := range map[string]string{"en": "SHA-256: ", "zh-Hans": "SHA-256："} {
		t.Run(lang, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "e.db")
			in := `/evidence add "` + path + `" the SECRET-DESCRIPTION post` + "\n/evidence\n"
			out, errs, code := runCLI(t, in, "chat", "--db", db, "--lang", lang, "--today", "2026-11-27")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			if !strings.Contains(out, label+want+"\n") {
				t.Errorf("the SHA-256 %s is not printed:\n%s", want, out)
			}
			if strings.Count(out, "SECRET-DESCRIPTION") != 1 { // in the list, never in the echo
				t.Errorf("the description is echoed or missing:\n%s", out)
			}
			if rawID.MatchString(out) {
				t.Errorf("a message ID was not turned into text: %q", rawID.FindString(out))
			}
			st, err := openStore(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			items, err := st.ListEvidence(context.Background(), "local:default")
			if err != nil || len(items) != 1 || items[0].SHA256 != want || items[0].Kind != flows.EvidenceFile || items[0].Size != int64(len(content)) {
				t.Fatalf("stored: %+v, %v", items, err)
			}
		})
	}
}
