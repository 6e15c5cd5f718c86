package bot_test

import (
	"testing"

	"github.com/redress-legal/redress/internal/depcheck"
)

// TestDependencies enforces design §1: bot imports no project package but flows and commands
// flows (never data, never SQLite, never the catalogs), and the fake Bot API
// imports no project package at all.
func TestDependencies(t *testing.T) {
	depcheck.Allow(t, "bot", []string{"flows", "commands", "report"}, "github.com/mattn/go-sqlite3", "github.com/nicksnyder/go-i18n")
	depcheck.Allow(t, "bot/telegramtest", nil)
}
