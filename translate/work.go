package translate

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing/fstest"

	"github.com/BurntSushi/toml"
	"github.com/redress-legal/redress/locales"
)

// formNames are the plural forms in the order they are written.
var formNames = []string{"zero", "one", "two", "few", "many", "other"}

// Prepare writes the work file of lang: exactly the messages that need
// work — new (not translated), stale (the English changed since) and
// broken — each with the English text, the translator description, the
// old translation if any, and the hash of the English to merge back with.
// n is how many messages it holds.
func Prepare(dir, lang string) (file []byte, n int, err error) {
	if lang == locales.Source {
		return nil, 0, fmt.Errorf("%s is the source language: it is written, not translated", lang)
	}
	cat, _, err := Load(dir)
	if err != nil {
		return nil, 0, err
	}
	if _, err := languageTag(lang); err != nil {
		return nil, 0, err
	}
	r, err := status(dir, cat, lang)
	if err != nil {
		return nil, 0, err
	}
	why := map[string]string{}
	for _, id := range r.Missing {
		why[id] = "new"
	}
	for _, id := range r.Stale {
		why[id] = "stale"
	}
	brokenMsg := map[string]string{}
	for _, id := range cat.IDs(lang) {
		if b := cat.Broken(lang, id); b != "" {
			why[id], brokenMsg[id] = "broken", b
		}
	}
	ids := make([]string, 0, len(why))
	for id := range why {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	count := map[string]int{}
	for _, w := range why {
		count[w]++
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Redress: the messages of the %s catalog that need work — %d new, %d stale, %d broken.\n", lang, count["new"], count["stale"], count["broken"])
	b.WriteString("#\n# For each message, write the translation in `other` (and in each other plural form listed),\n")
	b.WriteString("# from the English in `english`, keeping every {{.placeholder}} exactly as it is there.\n")
	b.WriteString("# `old` is the translation made from an earlier English text: reuse what still fits.\n")
	b.WriteString("# Leave `other` empty to skip a message. Do not change `hash`: it says which English you\n")
	b.WriteString("# translated. Then run: redress i18n merge THIS-FILE   (docs/TRANSLATING.md explains it all)\n\n")
	fmt.Fprintf(&b, "lang = %s\n", quote(lang))
	for _, id := range ids {
		en, _ := cat.Message(locales.Source, id)
		fmt.Fprintf(&b, "\n[%s]\n", quote(id))
		fmt.Fprintf(&b, "status = %s\n", quote(why[id]))
		if msg := brokenMsg[id]; msg != "" {
			fmt.Fprintf(&b, "problem = %s\n", quote(msg))
		}
		fmt.Fprintf(&b, "description = %s\n", quote(en.Description))
		for _, f := range formNames {
			if s, ok := en.Forms[f]; ok {
				fmt.Fprintf(&b, "%s = %s\n", englishKey(f), quote(s))
			}
		}
		if old, ok := cat.Message(lang, id); ok {
			for _, f := range formNames {
				if s, ok := old.Forms[f]; ok {
					fmt.Fprintf(&b, "%s = %s\n", oldKey(f), quote(s))
				}
			}
		}
		fmt.Fprintf(&b, "hash = %s\n", quote(Hash(en)))
		want := []string{"other"}
		if len(en.Forms) > 1 {
			want = locales.PluralForms(lang)
		}
		for _, f := range want {
			fmt.Fprintf(&b, "%s = \"\"\n", f)
		}
	}
	return []byte(b.String()), len(ids), nil
}

// englishKey and oldKey name the English text and the old translation of
// a plural form in a work file: english, english_one; old, old_one.
func englishKey(form string) string { return suffixed("english", form) }
func oldKey(form string) string     { return suffixed("old", form) }

func suffixed(key, form string) string {
	if form == "other" {
		return key
	}
	return key + "_" + form
}

// MergeResult says what a merge did.
type MergeResult struct {
	Lang    string
	Merged  []string // messages written into the catalogs
	Skipped []string // messages left empty in the work file
	Files   []string // catalog files written
}

// Merge merges the work file at path (see Prepare) into the catalogs of
// its language in dir and records, for each message merged, the hash of
// the English it was translated from. Nothing is written when any
// translation in it is broken: the problems say where.
func Merge(dir, path string) (MergeResult, error) {
	var res MergeResult
	work, err := os.ReadFile(path)
	if err != nil {
		return res, fmt.Errorf("read the work file: %w", err)
	}
	var raw map[string]any
	if _, err := toml.Decode(string(work), &raw); err != nil {
		return res, fmt.Errorf("%s is not a valid work file: %w", path, err)
	}
	lang, _ := raw["lang"].(string)
	if lang == "" || lang == locales.Source {
		return res, fmt.Errorf("%s: lang = \"...\" must name the language translated (not %q)", path, lang)
	}
	if _, err := languageTag(lang); err != nil {
		return res, err
	}
	res.Lang = lang
	cat, _, err := Load(dir)
	if err != nil {
		return res, err
	}
	hashes, err := ReadHashes(dir, lang)
	if err != nil {
		return res, err
	}
	type item struct {
		id    string
		forms map[string]string
		hash  string
	}
	var items []item
	var probs []string
	for _, id := range sortedKeys(raw) {
		if id == "lang" {
			continue
		}
		t, ok := raw[id].(map[string]any)
		if !ok {
			probs = append(probs, fmt.Sprintf("%s: %s is not a message table", path, id))
			continue
		}
		if _, ok := cat.Message(locales.Source, id); !ok {
			probs = append(probs, fmt.Sprintf("%s: %s is not in the English catalog (any more): remove it from the file", path, id))
			continue
		}
		it := item{id: id, forms: map[string]string{}}
		for k, v := range t {
			s, ok := v.(string)
			if !ok {
				probs = append(probs, fmt.Sprintf("%s: %s: %s should be text in quotes", path, id, k))
				continue
			}
			switch {
			case k == "hash":
				it.hash = s
			case slices.Contains(formNames, k):
				if strings.TrimSpace(s) != "" {
					it.forms[k] = s
				}
			case k == "status" || k == "problem" || k == "description" || strings.HasPrefix(k, "english") || strings.HasPrefix(k, "old"):
				// for the translator's eyes only
			default:
				probs = append(probs, fmt.Sprintf("%s: %s has an unknown key %q (translations go in other, one, few, ...)", path, id, k))
			}
		}
		if len(it.forms) == 0 {
			res.Skipped = append(res.Skipped, id)
			continue
		}
		if _, ok := it.forms["other"]; !ok {
			probs = append(probs, fmt.Sprintf("%s: %s has no text in other", path, id))
			continue
		}
		if !strings.HasPrefix(it.hash, "sha1-") {
			probs = append(probs, fmt.Sprintf("%s: %s has no hash = \"sha1-...\": keep the hash the file was prepared with", path, id))
			continue
		}
		items = append(items, it)
	}
	if len(probs) > 0 {
		return res, errors.New(strings.Join(probs, "\n"))
	}
	// Write into copies of the catalog files, check them, then save.
	files := map[string][]byte{}
	read := func(name string) ([]byte, error) {
		if b, ok := files[name]; ok {
			return b, nil
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			src := strings.TrimSuffix(name, "."+lang+".toml") + "." + locales.Source + ".toml"
			b = fmt.Appendf(nil, "# %s translation of %s (see docs/TRANSLATING.md).\n", lang, src)
			err = nil
		}
		return b, err
	}
	for _, it := range items {
		en, _ := cat.Message(locales.Source, it.id)
		name := strings.TrimSuffix(en.File, "."+locales.Source+".toml") + "." + lang + ".toml"
		if old, ok := cat.Message(lang, it.id); ok {
			name = old.File
		}
		text, err := read(name)
		if err != nil {
			return res, fmt.Errorf("read %s: %w", name, err)
		}
		enText, err := os.ReadFile(filepath.Join(dir, en.File))
		if err != nil {
			return res, fmt.Errorf("read %s: %w", en.File, err)
		}
		files[name] = setEntry(text, it.id, headerLine(enText, en.Line, it.id), en.Description, it.forms, precedingIDs(cat, en))
		hashes[it.id] = it.hash
		res.Merged = append(res.Merged, it.id)
	}
	check := fstest.MapFS{}
	names, _ := fs.Glob(os.DirFS(dir), "*.toml")
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return res, fmt.Errorf("read %s: %w", n, err)
		}
		check[n] = &fstest.MapFile{Data: b}
	}
	for n, b := range files {
		check[n] = &fstest.MapFile{Data: b}
	}
	after, cprobs := locales.Check(check)
	for _, p := range cprobs {
		if !p.Warning && strings.HasSuffix(p.File, "."+lang+".toml") {
			probs = append(probs, p.String())
		}
	}
	for _, id := range res.Merged {
		if why := after.Broken(lang, id); why != "" && !slices.ContainsFunc(probs, func(p string) bool { return strings.HasSuffix(p, why) }) {
			probs = append(probs, why)
		}
	}
	if len(probs) > 0 {
		return res, fmt.Errorf("nothing was merged; fix these in %s and merge again:\n%s", path, strings.Join(probs, "\n"))
	}
	for _, n := range sortedKeys(files) {
		if err := os.WriteFile(filepath.Join(dir, n), files[n], 0o644); err != nil {
			return res, fmt.Errorf("write %s: %w", n, err)
		}
		res.Files = append(res.Files, filepath.Join(dir, n))
	}
	return res, WriteHashes(dir, lang, keep(hashes, after, lang))
}

// Stamp records, for lang's translations of ids, that they are made from
// the current English text (a translator checked them, or they were
// edited by hand together with the English). Without ids it stamps every
// translation that has no record yet, never a stale one. It returns the
// messages stamped.
func Stamp(dir, lang string, ids []string) ([]string, error) {
	if lang == locales.Source {
		return nil, fmt.Errorf("%s is the source language: it has no hashes", lang)
	}
	cat, _, err := Load(dir)
	if err != nil {
		return nil, err
	}
	hashes, err := ReadHashes(dir, lang)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		for _, id := range cat.IDs(lang) {
			if _, ok := hashes[id]; !ok {
				ids = append(ids, id)
			}
		}
	}
	var stamped []string
	for _, id := range ids {
		en, ok := cat.Message(locales.Source, id)
		if !ok {
			return nil, fmt.Errorf("%s is not in the English catalog", id)
		}
		if _, ok := cat.Message(lang, id); !ok {
			return nil, fmt.Errorf("the %s catalog has no translation of %s to stamp", lang, id)
		}
		hashes[id] = Hash(en)
		stamped = append(stamped, id)
	}
	sort.Strings(stamped)
	return stamped, WriteHashes(dir, lang, keep(hashes, cat, lang))
}

// keep drops the hashes of messages lang's catalog no longer has.
func keep(h map[string]string, cat *locales.Catalog, lang string) map[string]string {
	out := map[string]string{}
	for id, v := range h {
		if _, ok := cat.Message(lang, id); ok {
			out[id] = v
		}
	}
	return out
}

// precedingIDs lists the English messages before en in its file, nearest
// first: a new translation goes after the first of them the target file
// holds, so the catalogs keep the English order.
func precedingIDs(cat *locales.Catalog, en locales.Message) []string {
	type pos struct {
		id   string
		line int
	}
	var before []pos
	for _, id := range cat.IDs(locales.Source) {
		m, _ := cat.Message(locales.Source, id)
		if m.File == en.File && m.Line < en.Line {
			before = append(before, pos{id, m.Line})
		}
	}
	sort.Slice(before, func(i, j int) bool { return before[i].line > before[j].line })
	out := make([]string, len(before))
	for i, p := range before {
		out[i] = p.id
	}
	return out
}

// headerLine returns the table header the English file writes the message
// with ([cv.title] or ["ui.cite"]), so the translation looks the same.
func headerLine(enText []byte, line int, id string) string {
	lines := strings.Split(string(enText), "\n")
	if line >= 1 && line <= len(lines) {
		if h := strings.TrimSpace(lines[line-1]); tableHeader.MatchString(h) {
			return h
		}
	}
	return "[" + quote(id) + "]"
}

var tableHeader = regexp.MustCompile(`^\s*\[\s*("?[^\]"]+"?)\s*\]`)

// setEntry writes message id into a catalog file's text: in place of its
// table if the file has one, else after the table of the first of after
// the file has, else at the end.
func setEntry(text []byte, id, header, description string, forms map[string]string, after []string) []byte {
	var b strings.Builder
	b.WriteString(header + "\n")
	fmt.Fprintf(&b, "description = %s\n", quote(description))
	for _, f := range formNames {
		if s, ok := forms[f]; ok {
			fmt.Fprintf(&b, "%s = %s\n", f, quote(s))
		}
	}
	entry := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	lines := strings.Split(string(text), "\n")
	blocks := tableBlocks(lines)
	if blk, ok := blocks[id]; ok {
		return []byte(strings.Join(slices.Concat(lines[:blk[0]], entry, lines[blk[1]:]), "\n"))
	}
	for _, prev := range after {
		if blk, ok := blocks[prev]; ok {
			return []byte(strings.Join(slices.Concat(lines[:blk[1]], []string{""}, entry, lines[blk[1]:]), "\n"))
		}
	}
	out := strings.TrimRight(string(text), "\n")
	if out != "" {
		out += "\n\n"
	}
	return []byte(out + strings.Join(entry, "\n") + "\n")
}

// tableBlocks finds each table of a catalog file: its ID → the lines
// [start, end) from its header to its last key (comments and blank lines
// before the next header belong to the next one).
func tableBlocks(lines []string) map[string][2]int {
	out := map[string][2]int{}
	var ids []string
	var starts []int
	for i, l := range lines {
		if m := tableHeader.FindStringSubmatch(l); m != nil {
			ids = append(ids, strings.Trim(strings.TrimSpace(m[1]), `"`))
			starts = append(starts, i)
		}
	}
	for k, id := range ids {
		end := len(lines)
		if k+1 < len(starts) {
			end = starts[k+1]
		}
		for end > starts[k]+1 {
			t := strings.TrimSpace(lines[end-1])
			if t != "" && !strings.HasPrefix(t, "#") {
				break
			}
			end--
		}
		out[id] = [2]int{starts[k], end}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
