// Package data is the SQLite store of Redress (github.com/mattn/go-sqlite3):
// sessions, processed updates, the outbox, the log of sent messages and
// inactive chats, in one database file. *DB implements the store contract
// declared in flows (flows/store.go: flows.Store and flows.OutboxStore,
// asserted at compile time in db.go) and passes the conformance suites of
// flows/flowstest. data imports no project package but flows.
//
// # Connections
//
// Every connection gets its pragmas through the DSN: WAL journal,
// busy_timeout 5s, foreign_keys, secure_delete (freed content is zeroed),
// synchronous NORMAL. Writes go through one connection that begins its
// transactions IMMEDIATE, so writers queue in Go; reads use a pool of
// query-only connections (WithMaxOpenConns). Each method is one
// transaction, except that Commit and Delivered calls made at the same
// time share one (group commit, batch.go): each in its own savepoint, each
// all or nothing, each answered only once its transaction has committed. The database file is created with mode 0600; SQLite gives
// the -wal and -shm files the same mode.
//
// # Schema
//
// The numbered files in migrations/ are embedded and applied in order,
// each in its own transaction with its row in schema_migrations; opening
// again applies only what is missing, and a database newer than the
// program is refused. Times are INTEGER Unix nanoseconds.
//
//	meta(name, value)                          key_check: proves the key on Open
//	sessions(key, rev, updated, state)         key hashed (index.go), state sealed; index on updated
//	updates(update_id, processed)              committed update IDs
//	outbox(id AUTOINCREMENT, chat, method, payload, created)   payload sealed
//	sent(id, chat, message_id, sent_at)        message IDs for /delete; chat hashed
//	chats(chat, inactive, updated)             chats ever marked inactive; chat hashed
//
// # Encryption at rest
//
// Session states (JSON) and outbox payloads are sealed with AES-256-GCM
// under a 32-byte key kept outside the database (LoadOrCreateKey for a
// 0600 key file, KeyFromEnv for a base64 environment variable). A sealed
// value is a version byte, a random 12-byte nonce, the ciphertext and the
// tag. The additional data binds the value to its row (the session key;
// the outbox id, chat and method), so a ciphertext copied to another row
// does not open. A wrong key fails Open with ErrWrongKey; a value that
// does not open fails its read with ErrDecrypt, never returns garbage.
// Session keys, chat IDs, message IDs, API method names and times are not
// encrypted: the store needs them to look rows up.
//
// # Guarantees
//
//   - Commit records the update ID, compare-and-swaps the session on its
//     revision and appends the outbox rows in one transaction: all or
//     nothing. A re-delivered update returns flows.ErrDuplicate and changes
//     nothing; a moved revision returns flows.ErrConflict and records
//     nothing, so the update can be retried.
//   - Outbox ids increase in commit order and are never reused; Commit
//     sets them in the rows it was given, so the transport can deliver
//     the rows it committed without reading them back.
//   - PendingChats reads the outbox_chat index only; PendingFor reads one
//     chat's rows in id order through the same index.
//   - A delete (Delete, a Commit with Delete, PurgeIdle, Trim) is followed
//     by a best-effort PRAGMA wal_checkpoint(TRUNCATE), and Close
//     checkpoints too, so with secure_delete no copy of a deleted row stays
//     in the database file or the WAL (tested by grepping the raw files).
//   - The WAL is copied into the database file by a PASSIVE checkpoint on
//     a connection of its own every 200 ms while there are commits
//     (checkpoint.go), never inside a commit.
//   - Retention: Trim, run by RunRetention, removes what is older than the
//     retention period. Update IDs count as processed for
//     flows.DuplicateWindow only: Telegram may reuse IDs after a week.
package data
