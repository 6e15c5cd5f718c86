package data_test

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/redress-legal/redress/data"
)

func TestLoadOrCreateKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secrets", "redress.key")
	key, err := data.LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(key) != data.KeySize || bytes.Equal(key, make([]byte, data.KeySize)) {
		t.Fatalf("created key of %d bytes: %x", len(key), key)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %04o, want 0600", fi.Mode().Perm())
	}
	again, err := data.LoadOrCreateKey(path)
	if err != nil || !bytes.Equal(again, key) {
		t.Fatalf("second load: %v; same key: %v", err, bytes.Equal(again, key))
	}
	other, err := data.LoadOrCreateKey(filepath.Join(t.TempDir(), "k"))
	if err != nil || bytes.Equal(other, key) {
		t.Fatalf("a second file must hold a different key (err %v)", err)
	}
}

func TestLoadOrCreateKeyRefuses(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil { // umask-proof
			t.Fatal(err)
		}
		return p
	}
	key := bytes.Repeat([]byte{1}, data.KeySize)
	cases := []struct {
		name, path, want string
	}{
		{"short", write("short", key[:31], 0o600), "31 bytes"},
		{"long", write("long", append(key, '\n'), 0o600), "33 bytes"},
		{"empty", write("empty", nil, 0o600), "0 bytes"},
		{"directory", dir, "not a regular file"},
	}
	if runtime.GOOS != "windows" {
		cases = append(cases,
			struct{ name, path, want string }{"group-readable", write("g", key, 0o640), "chmod 600"},
			struct{ name, path, want string }{"world-readable", write("w", key, 0o604), "chmod 600"},
			struct{ name, path, want string }{"group-writable", write("gw", key, 0o620), "chmod 600"},
		)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := data.LoadOrCreateKey(c.path)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one mentioning %q", err, c.want)
			}
		})
	}
	// A refused file is left alone, never replaced by a new key.
	b, _ := os.ReadFile(filepath.Join(dir, "short"))
	if !bytes.Equal(b, key[:31]) {
		t.Fatal("a refused key file was modified")
	}
}

func TestKeyFromEnv(t *testing.T) {
	key := make([]byte, data.KeySize)
	for i := range key {
		key[i] = byte(250 - i) // bytes that differ between the base64 alphabets
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		got, err := data.KeyFromEnv(" " + enc.EncodeToString(key) + "\n")
		if err != nil || !bytes.Equal(got, key) {
			t.Fatalf("KeyFromEnv(%s): %v", enc.EncodeToString(key), err)
		}
	}
	for _, bad := range []string{"", "   ", "not base64 at all!", base64.StdEncoding.EncodeToString(key[:16]), base64.StdEncoding.EncodeToString(append(key, 0))} {
		_, err := data.KeyFromEnv(bad)
		if err == nil {
			t.Fatalf("KeyFromEnv(%q) succeeded", bad)
		}
		if strings.TrimSpace(bad) != "" && strings.Contains(err.Error(), strings.TrimSpace(bad)) {
			t.Fatalf("error repeats the secret value: %v", err)
		}
	}
	k, err := data.NewKey()
	if err != nil || len(k) != data.KeySize {
		t.Fatalf("NewKey: %d bytes, %v", len(k), err)
	}
}
