package ops_test

import (
	"testing"

	"github.com/redress-legal/redress/internal/depcheck"
)

// TestDependencies enforces the design's row for ops: it imports no
// project package — the bot and the store reach it through its Metrics,
// Gauge and Check, wired in main — and nothing of Telegram, SQLite or the
// catalogs.
func TestDependencies(t *testing.T) {
	depcheck.Allow(t, "ops", nil, "github.com/mattn/go-sqlite3", "github.com/go-telegram", "github.com/nicksnyder/go-i18n")
}
