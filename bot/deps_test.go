package bot_test

import (
	"testing"

	"github.com/redress-legal/redress/internal/depcheck"
)

// TestDependencies enforces design §1: bot imports no project package but flows and commands
// flows (never data, never SQLite, never the catalogs), and the fake Bot API
// imports no project package of the bot's: only internal/tgfiles, the
// message fields of a file as Telegram sends them, which it shares with the
// load tool's fake (a leaf package that imports nothing).
func TestDependencies(t *testing.T) {
	depcheck.Allow(t, "bot", []string{"flows", "commands", "report", "papers"}, "github.com/mattn/go-sqlite3", "github.com/nicksnyder/go-i18n", "github.com/prometheus")
	depcheck.Allow(t, "bot/telegramtest", []string{"internal/tgfiles"})
	depcheck.Allow(t, "internal/tgfiles", nil)
}
