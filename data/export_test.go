package data

import "time"

// SetFirstTrimAfter sets how long RunRetention waits before its first
// trim, for tests; it returns a function that restores the default.
func SetFirstTrimAfter(d time.Duration) (restore func()) {
	old := firstTrimAfter
	firstTrimAfter = d
	return func() { firstTrimAfter = old }
}

// QueryPlan returns SQLite's plan for query, one step a line, for tests
// that check a statement uses an index.
func QueryPlan(db *DB, query string, args ...any) (string, error) {
	rows, err := db.read.Query("EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var plan string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return "", err
		}
		plan += detail + "\n"
	}
	return plan, rows.Err()
}

// IndexKey is the stored form of a session key, for tests that read raw rows.
func IndexKey(db *DB, key string) string { return db.idx.key(key) }

// ForgetIndex makes db look like a database written before identifiers were
// hashed: session keys and chat IDs in clear, no index scheme in meta.
func ForgetIndex(db *DB, keys []string, chats []int64) error {
	for _, k := range keys {
		if _, err := db.write.Exec(`UPDATE sessions SET key = ? WHERE key = ?`, k, db.idx.key(k)); err != nil {
			return err
		}
	}
	for _, c := range chats {
		for _, table := range []string{"sent", "chats"} {
			if _, err := db.write.Exec(`UPDATE `+table+` SET chat = ? WHERE chat = ?`, c, db.idx.chat(c)); err != nil {
				return err
			}
		}
	}
	_, err := db.write.Exec(`DELETE FROM meta WHERE name = 'index'`)
	return err
}

// SetReindex sets the rows per re-keying transaction and a hook called
// after each, for tests; it returns a function that restores both.
func SetReindex(chunk int, hook func(table string) error) (restore func()) {
	oldChunk, oldHook := reindexChunk, reindexHook
	reindexChunk, reindexHook = chunk, hook
	return func() { reindexChunk, reindexHook = oldChunk, oldHook }
}

// ExecRaw runs a statement on the write connection, for tests that tamper
// with stored rows.
func ExecRaw(db *DB, query string, args ...any) error {
	_, err := db.write.Exec(query, args...)
	return err
}
