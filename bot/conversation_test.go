package bot_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/redress-legal/redress/bot"
	"github.com/redress-legal/redress/bot/telegramtest"
	"github.com/redress-legal/redress/locales"
)

// secretStory is a free-text answer; it must never appear in the logs.
const secretStory = "my secret story <b>& about Wang"

// walk plays a whole case in u's chat, waiting for each question like a
// person would, and returns when the assessment has been sent.
func walk(h *harness, u telegramtest.User) {
	h.t.Helper()
	edits := func(n int) { h.waitCount(u, "editMessageReplyMarkup", n) }
	h.api.SendCommand(u, "/start")
	h.waitFor(u, lang(u, "t.danger.ask"))
	h.press(u, "v1:danger:safe")
	h.waitFor(u, lang(u, "t.what.ask"))
	h.press(u, "v1:what:lies")
	edits(1)
	h.press(u, "v1:what:abuse")
	edits(2)
	h.press(u, "v1:what:!d")
	h.waitFor(u, lang(u, "t.views.ask"))
	h.api.SendText(u, "6 000")
	h.waitFor(u, lang(u, "t.story.ask"))
	h.api.SendText(u, secretStory)
	h.waitFor(u, lang(u, "t.done"))
}

// lang prefixes a message ID as fakeLoc renders it for u.
func lang(u telegramtest.User, id string) string {
	if strings.HasPrefix(u.LanguageCode, "zh") {
		return "zh:" + id
	}
	return id
}

// wantEnglish is what a user sees in the whole case walk plays: the intro
// and first question, each answer shown under its question without its
// buttons, multi-choice ticks edited in place, and the assessment with its
// heading, finding, sources and footer packed into one message.
const wantEnglish = `> t.intro
> t.danger.ask [t.danger.now | t.danger.safe]
ack
~ #3 t.danger.ask / tg.answer {answer=t.danger.safe}
> t.what.ask [t.what.lies | t.what.abuse | t.what.none | tg.multi.done]
ack
~kb #4 [✓ t.what.lies | t.what.abuse | t.what.none | tg.multi.done]
ack
~kb #4 [✓ t.what.lies | ✓ t.what.abuse | t.what.none | tg.multi.done]
ack
~ #4 t.what.ask / tg.answer {answer=t.what.lies, t.what.abuse}
> t.views.ask [t.unknown]
> t.story.ask
> t.done / t.result / t.many {views=6000} / engine.sources / t.source {cites=[S-01 Art. 1] id=S-01} / t.footer
`

func TestWholeCaseEnglish(t *testing.T) {
	h := newHarness(t)
	h.start(nil)
	u := telegramtest.User{ID: 501, LanguageCode: "en-GB"}
	walk(h, u)
	h.settled()
	diff(t, "transcript", transcript(h.api.Calls(), u.ID), wantEnglish)

	// Headings are bold, the rest escaped HTML.
	sends := h.api.CallsTo(u.ID, "sendMessage")
	last := sends[len(sends)-1]
	if !strings.Contains(last.Text(), "<b>t.result</b>") || last.Params["parse_mode"] != "HTML" {
		t.Errorf("assessment not sent as HTML with a bold heading: %q", last.Text())
	}
	if logs := h.logs.String(); strings.Contains(logs, "secret story") || strings.Contains(logs, "6 000") {
		t.Errorf("the logs hold what the user wrote:\n%s", logs)
	}
}

func TestWholeCaseChinese(t *testing.T) {
	h := newHarness(t)
	h.start(nil)
	u := telegramtest.User{ID: 502, LanguageCode: "zh-hans"}
	walk(h, u)
	h.settled()
	got := transcript(h.api.Calls(), u.ID)
	want := inChinese(wantEnglish)
	diff(t, "transcript", got, want)
}

func TestCommandMenus(t *testing.T) {
	h := newHarness(t)
	h.start(nil)
	h.eventually("command menus", func() bool { return len(h.api.Commands("zh")) > 0 })
	for code, prefix := range map[string]string{"": "", "en": "", "zh": "zh:"} {
		got := h.api.Commands(code)
		for _, cmd := range []string{"start", "help", "back", "restart", "lang", "sos", "privacy", "delete"} {
			if want := prefix + "tg.cmd." + cmd; got[cmd] != want {
				t.Errorf("menu %q: /%s = %q, want %q", code, cmd, got[cmd], want)
			}
		}
	}
}

var msgID = regexp.MustCompile(`\b(t|tg|engine)\.`)

// inChinese turns a transcript in English into the one fakeLoc renders in Chinese.
func inChinese(s string) string { return msgID.ReplaceAllString(s, "zh:$0") }

// TestTypedDistressAndDontKnow: a whole case on the fake Bot API where the
// person types their distress (the crisis help, then the same question,
// not an answer) and types "不知道" where the question offers "I don't
// know". The phrases are the shipped ones.
func TestTypedDistressAndDontKnow(t *testing.T) {
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	h.start(func(c *bot.Config) { c.Distress = cat.Distressed })
	u := telegramtest.User{ID: 503, LanguageCode: "zh-hans"}
	h.api.SendCommand(u, "/start")
	h.waitFor(u, lang(u, "t.danger.ask"))
	h.api.SendText(u, "我真的撑不下去了")
	h.waitFor(u, lang(u, "t.crisis"))
	h.waitCount(u, "sendMessage", 4) // the crisis help and the danger question again
	h.press(u, "v1:danger:safe")     // on the question asked again, the newest
	h.waitFor(u, lang(u, "t.what.ask"))
	h.api.SendText(u, "1 和 2")
	h.waitFor(u, lang(u, "t.views.ask"))
	h.api.SendText(u, "I want to die")
	h.waitCount(u, "sendMessage", 8) // the crisis help and the views question again
	h.api.SendText(u, "不知道")
	h.waitFor(u, lang(u, "t.story.ask"))
	h.api.SendText(u, secretStory)
	h.waitFor(u, lang(u, "t.done"))
	h.settled()
	// "不知道" answered the views question: the story is asked next, and
	// no finding on views applies.
	want := inChinese(`> t.intro
> t.danger.ask [t.danger.now | t.danger.safe]
> t.crisis / engine.crisis_resume
> t.danger.ask [t.danger.now | t.danger.safe]
ack
~ #6 t.danger.ask / tg.answer {answer=t.danger.safe}
> t.what.ask [t.what.lies | t.what.abuse | t.what.none | tg.multi.done]
> t.views.ask [t.unknown]
> t.crisis / engine.crisis_resume
> t.views.ask [t.unknown]
> t.story.ask
> t.done / t.result / t.result.none / t.footer
`)
	diff(t, "transcript", transcript(h.api.Calls(), u.ID), want)
}
