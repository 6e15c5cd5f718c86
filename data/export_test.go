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
