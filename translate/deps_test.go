package translate_test

import (
	"testing"

	"github.com/redress-legal/redress/internal/depcheck"
)

func TestDependencies(t *testing.T) {
	depcheck.Allow(t, "translate", []string{"locales"}, "github.com/go-telegram/bot", "github.com/mattn/go-sqlite3", "database/sql")
}
