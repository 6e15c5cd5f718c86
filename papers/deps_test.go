package papers_test

import (
	"testing"

	"github.com/redress-legal/redress/internal/depcheck"
)

// TestDependencies enforces the package's row of the design's table:
// papers imports no project package but flows, and neither Telegram,
// SQLite nor the catalogs.
func TestDependencies(t *testing.T) {
	depcheck.Allow(t, "papers", []string{"flows"}, "github.com/mattn/go-sqlite3", "github.com/nicksnyder/go-i18n", "github.com/go-telegram/bot")
}
