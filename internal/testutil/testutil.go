// Package testutil holds small helpers the tests of several packages share:
// reading a SQLite database's raw files for canary searches, and a buffer
// a logger in another goroutine can write to.
package testutil

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// RawFiles returns the bytes of the database file at path and of its -wal,
// -shm and -journal files, those that exist, by base name.
func RawFiles(t testing.TB, path string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		b, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(p)] = b
	}
	return out
}

// FindIn names the files whose bytes contain s.
func FindIn(files map[string][]byte, s string) []string {
	var where []string
	for name, b := range files {
		if bytes.Contains(b, []byte(s)) {
			where = append(where, name)
		}
	}
	return where
}

// SyncBuffer is a bytes.Buffer safe for a writer in another goroutine.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
