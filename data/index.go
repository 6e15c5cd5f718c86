package data

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"strconv"
	"sync"
)

// indexer turns the identifiers the store looks rows up by — session keys
// such as "tg:<chat id>" and chat IDs — into keyed hashes (HMAC-SHA256
// under a key derived from the encryption key), so a leaked database file
// does not say which Telegram users talked to the bot. The outbox keeps
// real chat IDs: its rows live only until Telegram accepts them, and the
// sender needs them.
type indexer struct {
	mac  []byte
	macs *sync.Pool // of HMAC hash.Hash under mac: making one allocates five times
}

// indexVersion names the scheme in meta, so an older database is re-keyed once.
const indexVersion = "hmac-sha256-v1"

func newIndexer(key []byte) indexer {
	h := hmac.New(sha256.New, key)
	h.Write([]byte("redress/index/" + indexVersion))
	mac := h.Sum(nil)
	return indexer{mac: mac, macs: &sync.Pool{New: func() any { return hmac.New(sha256.New, mac) }}}
}

func (x indexer) sum(s string) []byte {
	h := x.macs.Get().(hash.Hash)
	h.Reset()
	h.Write([]byte(s))
	out := h.Sum(make([]byte, 0, sha256.Size))
	x.macs.Put(h)
	return out
}

// key is the stored form of a session key.
func (x indexer) key(k string) string { return hex.EncodeToString(x.sum("key\x00" + k)[:16]) }

// chat is the stored form of a chat ID in the sent log and the chat marks.
func (x indexer) chat(c int64) int64 {
	return int64(binary.BigEndian.Uint64(x.sum("chat\x00" + strconv.FormatInt(c, 10))[:8]) >> 1)
}

// reindex re-keys a database written before identifiers were hashed: it
// runs once, in one transaction, and records the scheme in meta.
func (db *DB) reindex(ctx context.Context) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	defer tx.Rollback()
	var v string
	err = tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE name = 'index'`).Scan(&v)
	switch {
	case err == nil && v == indexVersion:
		return nil
	case err == nil:
		return fmt.Errorf("reindex: unknown index scheme %q (a newer Redress wrote this database)", v)
	case err != sql.ErrNoRows:
		return fmt.Errorf("reindex: %w", err)
	}
	var keys []string
	rows, err := tx.QueryContext(ctx, `SELECT key FROM sessions`)
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return fmt.Errorf("reindex: %w", err)
		}
		keys = append(keys, k)
	}
	rows.Close()
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, `UPDATE sessions SET key = ? WHERE key = ?`, db.idx.key(k), k); err != nil {
			return fmt.Errorf("reindex sessions: %w", err)
		}
	}
	for _, table := range []string{"sent", "chats"} {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, table).Scan(&n); err != nil {
			return fmt.Errorf("reindex %s: %w", table, err)
		}
		if n == 0 { // not created yet: a later migration makes it empty
			continue
		}
		var chats []int64
		rows, err := tx.QueryContext(ctx, `SELECT DISTINCT chat FROM `+table)
		if err != nil {
			return fmt.Errorf("reindex %s: %w", table, err)
		}
		for rows.Next() {
			var c int64
			if err := rows.Scan(&c); err != nil {
				rows.Close()
				return fmt.Errorf("reindex %s: %w", table, err)
			}
			chats = append(chats, c)
		}
		rows.Close()
		for _, c := range chats {
			if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET chat = ? WHERE chat = ?`, db.idx.chat(c), c); err != nil {
				return fmt.Errorf("reindex %s: %w", table, err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO meta (name, value) VALUES ('index', ?)`, indexVersion); err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	return nil
}

// StoredKey returns the form in which a session key is stored in a database
// encrypted with key: for an audit that looks for one user's rows in a raw
// database file, and for tests that do.
func StoredKey(key []byte, sessionKey string) string { return newIndexer(key).key(sessionKey) }
