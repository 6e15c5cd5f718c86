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

// reindexChunk is how many rows one transaction of reindex re-keys.
var reindexChunk = 5000

// reindexHook, when set (tests), is called after each chunk committed and
// can stop the re-keying there, as a crash would.
var reindexHook func(table string) error

// reindex re-keys a database written before identifiers were hashed. It
// works in transactions of reindexChunk rows, the sessions then the sent
// log in rowid order, each recording how far it got (meta index_progress),
// so that memory stays bounded however large the database and a restart
// after a crash goes on where it stopped, never hashing a key twice. The
// chat marks (a small table, whose rowid is the chat) and the scheme, in
// meta, come last in one transaction.
func (db *DB) reindex(ctx context.Context) error {
	var v string
	err := db.write.QueryRowContext(ctx, `SELECT value FROM meta WHERE name = 'index'`).Scan(&v)
	switch {
	case err == nil && v == indexVersion:
		return nil
	case err == nil:
		return fmt.Errorf("reindex: unknown index scheme %q (a newer Redress wrote this database)", v)
	case err != sql.ErrNoRows:
		return fmt.Errorf("reindex: %w", err)
	}
	for _, t := range []struct {
		table, col string
		hash       func(any) any
	}{
		{"sessions", "key", func(x any) any { return db.idx.key(asString(x)) }},
		{"sent", "chat", func(x any) any { return db.idx.chat(asInt(x)) }},
	} {
		if ok, err := db.hasTable(ctx, t.table); err != nil || !ok {
			if err != nil {
				return fmt.Errorf("reindex %s: %w", t.table, err)
			}
			continue // not created yet: a later migration makes it empty
		}
		for {
			n, err := db.reindexChunk(ctx, t.table, t.col, t.hash)
			if err != nil {
				return fmt.Errorf("reindex %s: %w", t.table, err)
			}
			if reindexHook != nil {
				if err := reindexHook(t.table); err != nil {
					return err
				}
			}
			if n < reindexChunk {
				break
			}
		}
	}
	query := `SELECT chat FROM chats`
	if ok, err := db.hasTable(ctx, "chats"); err != nil {
		return fmt.Errorf("reindex chats: %w", err)
	} else if !ok {
		query = `SELECT 0 WHERE 0` // not created yet
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	defer tx.Rollback()
	var chats []int64
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return fmt.Errorf("reindex chats: %w", err)
	}
	for rows.Next() {
		var c int64
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return fmt.Errorf("reindex chats: %w", err)
		}
		chats = append(chats, c)
	}
	rows.Close()
	for _, c := range chats {
		if _, err := tx.ExecContext(ctx, `UPDATE chats SET chat = ? WHERE chat = ?`, db.idx.chat(c), c); err != nil {
			return fmt.Errorf("reindex chats: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM meta WHERE name LIKE 'index_progress:%'`); err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO meta (name, value) VALUES ('index', ?)`, indexVersion); err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	return nil
}

// reindexChunk re-keys the next reindexChunk rows of table after the rowid
// recorded in meta, and records the last one, in one transaction. It
// returns how many rows it re-keyed.
func (db *DB) reindexChunk(ctx context.Context, table, col string, hash func(any) any) (int, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	progress := "index_progress:" + table
	var after int64
	if err := tx.QueryRowContext(ctx, `SELECT CAST(value AS INTEGER) FROM meta WHERE name = ?`, progress).Scan(&after); err != nil && err != sql.ErrNoRows {
		return 0, err
	}
	type item struct {
		rowid int64
		val   any
	}
	var items []item
	rows, err := tx.QueryContext(ctx, `SELECT rowid, `+col+` FROM `+table+` WHERE rowid > ? ORDER BY rowid LIMIT ?`, after, reindexChunk)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var it item
		if err := rows.Scan(&it.rowid, &it.val); err != nil {
			rows.Close()
			return 0, err
		}
		items = append(items, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(items) == 0 {
		return 0, nil
	}
	for _, it := range items {
		if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET `+col+` = ? WHERE rowid = ?`, hash(it.val), it.rowid); err != nil {
			return 0, err
		}
	}
	last := items[len(items)-1].rowid
	if _, err := tx.ExecContext(ctx, `INSERT INTO meta (name, value) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, progress, strconv.FormatInt(last, 10)); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return len(items), nil
}

// hasTable reports whether the database has table.
func (db *DB) hasTable(ctx context.Context, table string) (bool, error) {
	var n int
	err := db.write.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, table).Scan(&n)
	return n > 0, err
}

func asString(x any) string {
	switch v := x.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	}
	return fmt.Sprint(x)
}

func asInt(x any) int64 {
	switch v := x.(type) {
	case int64:
		return v
	case string:
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	}
	return 0
}

// StoredKey returns the form in which a session key is stored in a database
// encrypted with key: for an audit that looks for one user's rows in a raw
// database file, and for tests that do.
func StoredKey(key []byte, sessionKey string) string { return newIndexer(key).key(sessionKey) }
