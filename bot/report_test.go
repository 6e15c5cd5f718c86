package bot_test

import (
	"os"
	"strings"
	"testing"

	"github.com/redress-legal/redress/bot"
	"github.com/redress-legal/redress/bot/telegramtest"
	"github.com/redress-legal/redress/flows"
)

// longLoc renders findings 400 characters long, so that a part of the
// report needs more than one page.
type longLoc struct{ fakeLoc }

func (l longLoc) Text(lang string, m flows.Message) string {
	s := l.fakeLoc.Text(lang, m)
	if m.Kind == flows.KindFinding {
		s += " " + strings.Repeat("x", 400)
	}
	return s
}

// sends counts u's successful calls of method.
func sends(h *harness, u telegramtest.User, method string) int {
	return len(telegramtest.Filter(h.api.Calls(), u.ID, method))
}

// typeAndWait sends text and waits for the bot's next message.
func typeAndWait(h *harness, u telegramtest.User, send func()) telegramtest.Call {
	h.t.Helper()
	n := sends(h, u, "sendMessage")
	send()
	h.waitCount(u, "sendMessage", n+1)
	h.settled()
	all := telegramtest.Filter(h.api.Calls(), u.ID, "sendMessage")
	return all[len(all)-1]
}

// TestReportOnTelegram plays the shared example T1 on the default flow:
// after the last answer one summary with the report's parts as buttons;
// each button sends its part as a message of its own, at most MaxPartLen
// long, a long part with "More"; "Full report" sends an HTML document;
// /report shows the summary again; a button of an old report after a
// restart gets a polite answer.
func TestReportOnTelegram(t *testing.T) {
	h := newHarness(t)
	f, err := flows.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	h.flow = f
	h.start(func(c *bot.Config) { c.Flow, c.Localizer = f, longLoc{} })
	u := telegramtest.User{ID: 601, LanguageCode: "en"}
	script, err := os.ReadFile("../flows/testdata/scenarios/t1.txt")
	if err != nil {
		t.Fatal(err)
	}
	typeAndWait(h, u, func() { h.api.SendCommand(u, "/start") })
	var last telegramtest.Call
	for _, line := range strings.Split(string(script), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		last = typeAndWait(h, u, func() { h.api.SendText(u, line) })
	}
	// The summary, then the menu's question with one button per part.
	all := telegramtest.Filter(h.api.Calls(), u.ID, "sendMessage")
	summary := all[len(all)-2].PlainText()
	if !strings.HasPrefix(summary, "summary.intro") || !strings.Contains(summary, "summary.help") {
		t.Fatalf("no summary after the last answer:\n%s", summary)
	}
	var parts []string
	for _, b := range last.Buttons() {
		parts = append(parts, b.Data)
	}
	want := "v1:!rep:steps v1:!rep:law v1:!rep:prosecution v1:!rep:evidence v1:!rep:deadlines v1:!rep:platforms v1:!rep:help v1:!rep:sources v1:!rep:full"
	if got := strings.Join(parts, " "); got != want {
		t.Fatalf("menu buttons:\n got %s\nwant %s", got, want)
	}
	// Each part, as a message of its own within the limit.
	for _, data := range parts[:len(parts)-1] {
		m := typeAndWait(h, u, func() { h.press(u, data) })
		if n := len([]rune(m.Text())); n > bot.MaxPartLen {
			t.Errorf("%s: %d characters, over %d", data, n, bot.MaxPartLen)
		}
		id := strings.TrimPrefix(data, "v1:!rep:")
		if id != "sources" && !strings.HasPrefix(m.PlainText(), "part."+id) {
			t.Errorf("%s: the message does not start with the part's title: %.60q", data, m.PlainText())
		}
		// The title alone: not followed by its first section's heading.
		if rest := strings.TrimSpace(strings.TrimPrefix(m.PlainText(), "part."+id)); strings.HasPrefix(rest, "section.") {
			t.Errorf("%s: the part's title is followed by a section heading: %.80q", data, m.PlainText())
		}
		// Long parts end with "More", which shows the next page.
		for page := 1; len(m.Buttons()) > 0; page++ {
			b := m.Buttons()[0]
			if b.Text != "tg.report.more" || !strings.HasPrefix(b.Data, data+".") {
				t.Fatalf("%s: unexpected button %+v", data, b)
			}
			m = typeAndWait(h, u, func() { h.press(u, b.Data) })
			if n := len([]rune(m.Text())); n > bot.MaxPartLen {
				t.Errorf("%s page %d: %d characters, over %d", data, page, n, bot.MaxPartLen)
			}
			if page > 10 {
				t.Fatal("too many pages")
			}
		}
	}
	steps := 0
	for _, c := range telegramtest.Filter(h.api.Calls(), u.ID, "sendMessage") {
		if strings.HasPrefix(c.PlainText(), "part.steps") {
			steps++
		}
	}
	if steps < 2 {
		t.Errorf("the steps part took %d message(s); with long findings it needs pages and More", steps)
	}
	// The full report as a document.
	h.press(u, "v1:!rep:full")
	h.waitCount(u, "sendDocument", 1)
	docs := telegramtest.Filter(h.api.Calls(), u.ID, "sendDocument")
	doc, ok := h.api.Message(u.ID, docs[0].Result)
	if !ok || !strings.HasSuffix(doc.Document, ".html") || !strings.Contains(string(doc.File), "<!DOCTYPE html>") || doc.Text != "tg.report.caption" {
		t.Fatalf("full report: %q %.80q caption %q", doc.Document, doc.File, doc.Text)
	}
	// /report: the summary again, with its buttons.
	again := typeAndWait(h, u, func() { h.api.SendCommand(u, "/report") })
	if len(again.Buttons()) != len(parts) {
		t.Errorf("/report: %d buttons, want %d", len(again.Buttons()), len(parts))
	}
	// After a restart, an old button gets a polite answer, not a crash.
	typeAndWait(h, u, func() { h.api.SendCommand(u, "/restart") })
	h.press(u, "v1:!rep:law")
	h.settled()
	edits := telegramtest.Filter(h.api.Calls(), u.ID, "editMessageText")
	if len(edits) == 0 || !strings.Contains(edits[len(edits)-1].PlainText(), "cmd.report.gone") {
		t.Errorf("a stale report button: want the menu message to say the report is gone\n%s", transcript(h.api.Calls(), u.ID))
	}
}
