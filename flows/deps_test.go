package flows_test

import (
	"testing"

	"github.com/redress-legal/redress/internal/depcheck"
)

func TestDependencies(t *testing.T) {
	depcheck.Allow(t, "flows", nil,
		"github.com/go-telegram/bot", "github.com/mattn/go-sqlite3", "github.com/nicksnyder/go-i18n", "database/sql")
}
