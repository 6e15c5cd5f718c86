// Package translate is the translators' side of the catalogs: which
// translations are missing, stale (made from an English text that has
// changed since) or broken, a file of the messages that need work, and the
// merge of that file back into a language's catalogs. It works on a
// catalog directory (locales/ in the repository), never on the embedded
// copy, and imports only locales.
//
// Hashes: when a message is translated, the hash of the English text it
// was made from is recorded — go-i18n's hash ("sha1-" and the SHA-1 of the
// English description and text, as goi18n writes in its translate files).
// The hashes of a language live beside its catalogs, in
// hashes/<lang>.toml, one line per message, so that the catalogs
// themselves (which everyone edits) carry no bookkeeping.
package translate

import (
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/redress-legal/redress/locales"
	"golang.org/x/text/language"
)

// HashDir is the directory, inside a catalog directory, of the hash files.
const HashDir = "hashes"

// Hash is the hash of an English message a translation is made from:
// go-i18n's (SHA-1 of the description, then the text of the form "other"),
// followed, for a message with other plural forms, by those forms in CLDR
// order, so that a change to any of them makes the translation stale.
func Hash(m locales.Message) string {
	h := sha1.New()
	_, _ = io.WriteString(h, m.Description)
	_, _ = io.WriteString(h, m.Forms["other"])
	for _, f := range []string{"zero", "one", "two", "few", "many"} {
		if s, ok := m.Forms[f]; ok {
			_, _ = io.WriteString(h, "\x00"+f+"\x00"+s)
		}
	}
	return fmt.Sprintf("sha1-%x", h.Sum(nil))
}

// hashPath is the hash file of lang in the catalog directory dir.
func hashPath(dir, lang string) string { return filepath.Join(dir, HashDir, lang+".toml") }

// ReadHashes reads the recorded hashes of lang's translations (message ID
// → hash); a language without a hash file has none.
func ReadHashes(dir, lang string) (map[string]string, error) {
	b, err := os.ReadFile(hashPath(dir, lang))
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the hashes of %s: %w", lang, err)
	}
	h := map[string]string{}
	if _, err := toml.Decode(string(b), &h); err != nil {
		return nil, fmt.Errorf("read the hashes of %s (%s): %w", lang, hashPath(dir, lang), err)
	}
	return h, nil
}

// WriteHashes writes lang's hash file: one line per message, sorted.
func WriteHashes(dir, lang string, h map[string]string) error {
	ids := make([]string, 0, len(h))
	for id := range h {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var b strings.Builder
	fmt.Fprintf(&b, "# The English text each %s translation was made from: go-i18n's hash of the English\n", lang)
	b.WriteString("# message (description and text) when the translation was made or last confirmed.\n")
	b.WriteString("# Written by 'redress i18n merge' and 'redress i18n stamp'; see docs/TRANSLATING.md.\n\n")
	for _, id := range ids {
		fmt.Fprintf(&b, "%s = %s\n", quote(id), quote(h[id]))
	}
	if err := os.MkdirAll(filepath.Join(dir, HashDir), 0o755); err != nil {
		return fmt.Errorf("write the hashes of %s: %w", lang, err)
	}
	if err := os.WriteFile(hashPath(dir, lang), []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("write the hashes of %s: %w", lang, err)
	}
	return nil
}

// Report is the state of one language's catalog.
type Report struct {
	Lang       string
	Total      int              // English messages
	Translated int              // of them, translated in Lang (for English: all)
	Missing    []string         // not translated: English is shown
	Stale      []string         // translated from an English text that has changed since
	Unrecorded []string         // translated, with no record of the English it was made from
	Broken     locales.Problems // translations that do not work: placeholders, plural forms
}

// Complete reports whether every message is translated from the current
// English and works.
func (r Report) Complete() bool {
	return len(r.Missing) == 0 && len(r.Stale) == 0 && len(r.Unrecorded) == 0 && len(r.Broken) == 0
}

// Load reads the catalogs of the directory dir, with every problem the
// checker finds; the catalog is nil only when there is no English one.
func Load(dir string) (*locales.Catalog, locales.Problems, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("catalog directory: %w", err)
	}
	if !st.IsDir() {
		return nil, nil, fmt.Errorf("catalog directory: %s is not a directory", dir)
	}
	cat, probs := locales.Check(os.DirFS(dir))
	for i := range probs {
		probs[i].File = filepath.Join(dir, probs[i].File)
	}
	if cat == nil || len(cat.Languages()) == 0 || cat.Languages()[0] != locales.Source {
		return nil, probs, fmt.Errorf("%s holds no English catalog (*.%s.toml)", dir, locales.Source)
	}
	return cat, probs, nil
}

// Status reports on every language of the catalog directory dir, English
// first.
func Status(dir string) ([]Report, error) {
	cat, _, err := Load(dir)
	if err != nil {
		return nil, err
	}
	var out []Report
	for _, lang := range cat.Languages() {
		r, err := status(dir, cat, lang)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// status reports on one language.
func status(dir string, cat *locales.Catalog, lang string) (Report, error) {
	ids := cat.IDs(locales.Source)
	r := Report{Lang: lang, Total: len(ids)}
	hashes, err := ReadHashes(dir, lang)
	if err != nil {
		return r, err
	}
	for _, id := range ids {
		m, ok := cat.Message(lang, id)
		if !ok {
			r.Missing = append(r.Missing, id)
			continue
		}
		r.Translated++
		if why := cat.Broken(lang, id); why != "" {
			r.Broken = append(r.Broken, locales.Problem{File: filepath.Join(dir, m.File), Line: m.Line, Msg: why})
		}
		if lang == locales.Source {
			continue
		}
		en, _ := cat.Message(locales.Source, id)
		switch h, ok := hashes[id]; {
		case !ok:
			r.Unrecorded = append(r.Unrecorded, id)
		case h != Hash(en):
			r.Stale = append(r.Stale, id)
		}
	}
	return r, nil
}

// languageTag checks that lang is a language code a catalog can be named after.
func languageTag(lang string) (language.Tag, error) {
	tag, err := language.Parse(lang)
	if err != nil {
		return tag, fmt.Errorf("%q is not a language code (BCP 47: fr, pt-BR, zh-Hant)", lang)
	}
	return tag, nil
}

// quote writes s as a TOML basic string.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
