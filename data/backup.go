package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
)

// BackupInfo describes a backup Backup wrote.
type BackupInfo struct {
	Path     string // the backup file, absolute
	Bytes    int64  // its size
	Schema   int    // its schema version (the migrations applied)
	Sessions int64  // the conversations it holds
}

// Backup writes a consistent copy of the database at src into the new file
// dest (mode 0600), while other processes — redress serve — keep using
// src: VACUUM INTO reads one snapshot of the database in a read
// transaction, which WAL lets run beside the writer, so it needs neither
// the instance lock nor the key. The copy holds no freed pages (nothing
// deleted survives in it) and is checked (PRAGMA integrity_check) before
// Backup returns. Its sealed values stay sealed: without the key the
// backup cannot be read, by design. dest must not exist.
func Backup(ctx context.Context, src, dest string) (BackupInfo, error) {
	abs, err := filepath.Abs(src)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("data: backup: %w", err)
	}
	if _, err := os.Stat(abs); err != nil {
		return BackupInfo{}, fmt.Errorf("data: backup: %w", err)
	}
	out, err := filepath.Abs(dest)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("data: backup: %w", err)
	}
	// An empty file of our own, so the copy is private from its first
	// byte (VACUUM INTO accepts an empty file); O_EXCL: never overwrite.
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return BackupInfo{}, fmt.Errorf("data: backup: %s exists: name a new file", out)
	}
	if err != nil {
		return BackupInfo{}, fmt.Errorf("data: backup: %w", err)
	}
	if err := f.Close(); err != nil {
		return BackupInfo{}, fmt.Errorf("data: backup: %w", err)
	}
	info, err := backup(ctx, abs, out)
	if err != nil {
		_ = os.Remove(out)
		return BackupInfo{}, fmt.Errorf("data: backup %s to %s: %w", src, dest, err)
	}
	return info, nil
}

func backup(ctx context.Context, src, out string) (BackupInfo, error) {
	db, err := sql.Open("sqlite3", dsn(src, url.Values{"_txlock": {"deferred"}}))
	if err != nil {
		return BackupInfo{}, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var version int
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&version); err != nil {
		return BackupInfo{}, fmt.Errorf("not a Redress database: %w", err)
	}
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, out); err != nil {
		return BackupInfo{}, fmt.Errorf("vacuum into: %w", err)
	}
	return checkCopy(ctx, out)
}

// checkCopy checks a copy's integrity and counts what it holds.
func checkCopy(ctx context.Context, path string) (BackupInfo, error) {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: url.Values{"mode": {"ro"}}.Encode()}
	db, err := sql.Open("sqlite3", u.String())
	if err != nil {
		return BackupInfo{}, err
	}
	defer db.Close()
	var ok string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		return BackupInfo{}, fmt.Errorf("the copy fails its integrity check: %q %v", ok, err)
	}
	info := BackupInfo{Path: path}
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&info.Schema); err != nil {
		return BackupInfo{}, fmt.Errorf("the copy: %w", err)
	}
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions`).Scan(&info.Sessions); err != nil {
		return BackupInfo{}, fmt.Errorf("the copy: %w", err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return BackupInfo{}, err
	}
	info.Bytes = st.Size()
	return info, nil
}
