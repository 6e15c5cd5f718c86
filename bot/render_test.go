package bot

import (
	"strings"
	"testing"

	"github.com/redress-legal/redress/bot/telegramtest"
)

func TestEscapeHTML(t *testing.T) {
	got := escapeHTML(`<script>alert("x")</script> & 'y' 你好`)
	want := `&lt;script&gt;alert("x")&lt;/script&gt; &amp; 'y' 你好`
	if got != want {
		t.Errorf("escapeHTML = %q, want %q", got, want)
	}
	if plainFromHTML("<b>"+got+"</b>") != `<script>alert("x")</script> & 'y' 你好` {
		t.Error("plainFromHTML does not undo escapeHTML")
	}
}

// checkPieces asserts that every message is valid Telegram HTML within the
// limit, and returns what the user would see, paragraphs joined.
func checkPieces(t *testing.T, msgs []string, limit int) []string {
	t.Helper()
	var plain []string
	for i, m := range msgs {
		if n := textLen(m); n > limit {
			t.Errorf("message %d is %d long, over %d", i, n, limit)
		}
		p, err := telegramtest.CheckHTML(m)
		if err != nil {
			t.Errorf("message %d is not valid Telegram HTML: %v", i, err)
		}
		plain = append(plain, p)
	}
	return plain
}

func TestPackJoinsParagraphsWithinTheLimit(t *testing.T) {
	var ps []para
	for i := range 10 {
		ps = append(ps, para{text: strings.Repeat(string(rune('a'+i)), 1000)})
	}
	ps[3].bold = true
	msgs := pack(ps, MaxMessageLen)
	if len(msgs) != 3 { // 4 paragraphs of 1000 and their separators fit in 4096, with <b></b> too
		t.Errorf("got %d messages, want 3", len(msgs))
	}
	plain := checkPieces(t, msgs, MaxMessageLen)
	var want []string
	for _, p := range ps {
		want = append(want, p.text)
	}
	if strings.Join(plain, "\n\n") != strings.Join(want, "\n\n") {
		t.Error("paragraphs lost, reordered or cut")
	}
	for _, m := range msgs {
		for _, p := range strings.Split(m, "\n\n") {
			if n := len(strings.TrimSuffix(strings.TrimPrefix(p, "<b>"), "</b>")); n != 1000 {
				t.Errorf("a paragraph was cut (%d long) although each fits a message", n)
			}
		}
	}
}

func TestPackCutsLongParagraphs(t *testing.T) {
	for name, text := range map[string]string{
		"words":      strings.Repeat("harassment online ", 700),
		"lines":      strings.Repeat("a line of text\n", 900),
		"no spaces":  strings.Repeat("网络暴力", 3000),
		"escapes":    strings.Repeat("<&>", 3000),
		"astral":     strings.Repeat("😀", 5000), // two UTF-16 units each
		"mixed tail": strings.Repeat("x", 4095) + "&<",
	} {
		t.Run(name, func(t *testing.T) {
			for _, bold := range []bool{false, true} {
				msgs := pack([]para{{text: "intro"}, {text: text, bold: bold}, {text: "outro"}}, MaxMessageLen)
				if len(msgs) < 2 {
					t.Fatalf("got %d messages for a %d-character paragraph", len(msgs), len(text))
				}
				plain := checkPieces(t, msgs, MaxMessageLen)
				squash := func(s string) string { return strings.Join(strings.Fields(s), "") }
				if got, want := squash(strings.Join(plain, "")), squash("intro"+text+"outro"); got != want {
					t.Errorf("text changed by cutting: %d characters, want %d", len(got), len(want))
				}
			}
		})
	}
}

func TestParseCallback(t *testing.T) {
	for data, want := range map[string][2]string{
		"v1:q0_danger:yes": {"q0_danger", "yes"},
		"v1:what:!d":       {"what", "!d"},
		"v1:!lang:zh-Hans": {"!lang", "zh-Hans"},
	} {
		node, key, ok := parseCallback(data)
		if !ok || node != want[0] || key != want[1] {
			t.Errorf("parseCallback(%q) = %q, %q, %v", data, node, key, ok)
		}
	}
	for _, data := range []string{"", "v1:", "v1:node", "v1::key", "v1:node:", "v2:node:key", "node:key"} {
		if _, _, ok := parseCallback(data); ok {
			t.Errorf("parseCallback(%q) accepted", data)
		}
	}
}
