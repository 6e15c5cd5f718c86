package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/redress-legal/redress/data"
)

// keySource is where the encryption key of a database comes from, in the
// order tried: --key-file, $REDRESS_KEY (base64), the systemd credential
// "key" ($CREDENTIALS_DIRECTORY/key), else the .key file beside the
// database (created 0600 on first start).
type keySource struct {
	env    bool   // $REDRESS_KEY
	file   string // the key file otherwise
	create bool   // the file may be created (the default beside the database)
	err    error  // $REDRESS_KEY or the file cannot give a key
}

// String says where the key is, for config check and backup; never the key.
func (k keySource) String() string {
	if k.env {
		return "$REDRESS_KEY (base64, in the environment)"
	}
	return "file " + k.file
}

// keyOf finds the key source of the database at dbPath given --key-file
// (may be empty), and checks it can give a key without creating anything.
func keyOf(dbPath, keyFile string) keySource {
	if v := os.Getenv("REDRESS_KEY"); v != "" && keyFile == "" {
		_, err := data.KeyFromEnv(v)
		return keySource{env: true, err: err}
	}
	k := keySource{file: keyFile}
	if k.file == "" {
		if dir := os.Getenv("CREDENTIALS_DIRECTORY"); dir != "" {
			if _, err := os.Stat(filepath.Join(dir, "key")); err == nil {
				k.file = filepath.Join(dir, "key")
			}
		}
	}
	if k.file == "" {
		k.file, k.create = keyPath(dbPath), true
	}
	if _, err := os.Stat(k.file); err != nil && !(k.create && errors.Is(err, fs.ErrNotExist)) {
		k.err = fmt.Errorf("key file: %w", err)
	}
	return k
}

// load reads the key, creating the default key file when it is missing.
func (k keySource) load() ([]byte, error) {
	if k.env {
		return data.KeyFromEnv(os.Getenv("REDRESS_KEY"))
	}
	if k.create {
		return data.LoadOrCreateKey(k.file)
	}
	return data.ReadKeyFile(k.file)
}

// openStoreKey opens the SQLite store at path with the key from k.
func openStoreKey(ctx context.Context, path string, k keySource, opts ...data.Option) (*data.DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	key, err := k.load()
	if err != nil {
		return nil, fmt.Errorf("encryption key (%s): %w", k, err)
	}
	return data.Open(ctx, path, append([]data.Option{data.WithKey(key)}, opts...)...)
}
