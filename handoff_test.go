package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redress-legal/redress/bot/telegramtest"
	"github.com/redress-legal/redress/flows"
)

// handoffRun is the fake Bot API and a `redress serve` with a volunteers'
// group, as an operator configures it.
type handoffRun struct {
	t   *testing.T
	ctx context.Context
	api *telegramtest.Server
}

// The people of the hand-off tests.
var (
	hoPerson = telegramtest.User{ID: 9201, FirstName: "Meiling", LanguageCode: "en"}
	hoAna    = telegramtest.User{ID: 5150, FirstName: "Ana", LanguageCode: "en"}
	hoBo     = telegramtest.User{ID: 5151, FirstName: "Bo", LanguageCode: "en"}
	hoAdmin  = telegramtest.User{ID: 4242, FirstName: "Admin", LanguageCode: "en"}
)

const hoGroup = int64(-1007770001)

// newest returns the newest of the bot's messages in chat that holds sub.
func (r *handoffRun) newest(chat int64, sub string) (telegramtest.Message, bool) {
	msgs := r.api.Messages(chat)
	for i := len(msgs) - 1; i >= 0; i-- {
		if strings.Contains(msgs[i].Text, sub) {
			return msgs[i], true
		}
	}
	return telegramtest.Message{}, false
}

// until polls cond (it may read the fake's state, which Wait's condition
// may not) until it holds or the test's time is up.
func (r *handoffRun) until(cond func() bool) bool {
	for !cond() {
		select {
		case <-r.ctx.Done():
			return false
		case <-time.After(20 * time.Millisecond):
		}
	}
	return true
}

// await waits for a message of the bot in chat holding sub, and returns it.
func (r *handoffRun) await(chat int64, sub string) telegramtest.Message {
	r.t.Helper()
	var m telegramtest.Message
	if !r.until(func() bool {
		var ok bool
		m, ok = r.newest(chat, sub)
		return ok
	}) {
		var texts []string
		for _, m := range r.api.Messages(chat) {
			texts = append(texts, m.Text)
		}
		r.t.Fatalf("chat %d: no message with %q; the chat holds:\n%s", chat, sub, strings.Join(texts, "\n---\n"))
	}
	return m
}

// press presses the newest button with data in the person's chat.
func (r *handoffRun) press(u telegramtest.User, data string) {
	r.t.Helper()
	if _, ok := r.api.PressButton(u, data); !ok {
		r.t.Fatalf("user %d: no button %q", u.ID, data)
	}
}

// count is how many of the bot's messages in chat hold sub.
func (r *handoffRun) count(chat int64, sub string) int {
	n := 0
	for _, m := range r.api.Messages(chat) {
		if strings.Contains(m.Text, sub) {
			n++
		}
	}
	return n
}

var caseIDRe = regexp.MustCompile(`case ([2-9A-Z]{6})\b`)

// handoffEvents are the events of redress_handoffs_total.
var handoffEvents = []string{"requested", "claimed", "relayed", "replied", "closed", "erased"}

// scrapeMetrics reads the admin listener's /metrics (retrying while the
// listener starts).
func (r *handoffRun) scrapeMetrics(addr string) string {
	r.t.Helper()
	var last error
	for {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err == nil {
			b, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			if rerr == nil && resp.StatusCode == http.StatusOK {
				return string(b)
			}
			err = fmt.Errorf("status %d: %v", resp.StatusCode, rerr)
		}
		last = err
		select {
		case <-r.ctx.Done():
			r.t.Fatalf("/metrics at %s: %v", addr, last)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// handoffCounts reads redress_handoffs_total by event from /metrics text
// (an event never counted is absent, as 0).
func handoffCounts(text string) map[string]float64 {
	got := map[string]float64{}
	for _, l := range strings.Split(text, "\n") {
		rest, ok := strings.CutPrefix(l, `redress_handoffs_total{event="`)
		if !ok {
			continue
		}
		ev, val, ok := strings.Cut(rest, `"} `)
		if v, err := strconv.ParseFloat(val, 64); ok && err == nil {
			got[ev] = v
		}
	}
	return got
}

// wantHandoffs waits until the hand-off counters of /metrics are exactly
// want (an event not in want is 0): each is counted just after its
// update commits, which may be a moment after its message arrives.
func (r *handoffRun) wantHandoffs(addr, when string, want map[string]float64) {
	r.t.Helper()
	full := map[string]float64{}
	for _, ev := range handoffEvents {
		full[ev] = want[ev]
	}
	var got map[string]float64
	deadline := time.Now().Add(10 * time.Second)
	for {
		got = handoffCounts(r.scrapeMetrics(addr))
		for _, ev := range handoffEvents {
			got[ev] += 0
		}
		if maps.Equal(got, full) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !maps.Equal(got, full) {
		r.t.Errorf("%s: redress_handoffs_total = %v, want %v", when, got, full)
	}
}

// freeAddr is a loopback address free to listen on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestHandoffEndToEnd runs the real binary with a volunteers' group
// (--handoff-chat) and admins (--admin-ids) against the fake Bot API. A
// person finishes the built-in flow's case T1, asks for a volunteer,
// declines once after seeing their typed phone number in the preview,
// then agrees to be contacted through the bot only. The card reaches the
// group with what the preview showed and nothing of the person's account;
// a volunteer claims it (a second one is told it is taken), the person's
// text reaches the group and the volunteer's /reply reaches the person
// with her first name only; the person closes it and nothing more is
// relayed. /stats gives an admin the counts. A second case is claimed and
// the person then deletes everything: every message of both cases in the
// group is edited to a note, the volunteer can no longer write, and
// neither the cases nor what was relayed is anywhere in the database
// files, while the counts stay. All along, the admin listener's /metrics
// counts each hand-off event once it is committed (redress_handoffs_total),
// and nothing refused, and no label names a case, a person or their words.
func TestHandoffEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	const token = "434343:HANDOFF-token"
	api := telegramtest.New(t, token)
	logs := &lockedBuffer{}
	admin := freeAddr(t)
	cmd := startServe(t, ctx, redressBinary(t), api, token, dir, logs,
		"--handoff-chat", "-1007770001", "--admin-ids", "4242, 4343", "--handoff-lang", "en", "--admin-listen", admin)
	defer func() {
		if cmd != nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}()
	r := &handoffRun{t: t, ctx: ctx, api: api}
	p := hoPerson.ID

	// The whole case T1, typed.
	script, err := os.ReadFile("flows/testdata/scenarios/t1.txt")
	if err != nil {
		t.Fatal(err)
	}
	api.SendCommand(hoPerson, "/start")
	for _, line := range strings.Split(string(script), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			api.SendText(hoPerson, line)
		}
	}
	r.await(p, "Read more")
	summary, _ := r.newest(p, "The short version")

	// A phone number typed, seen in the preview with a warning, not sent.
	r.press(hoPerson, "v1:!rep:human")
	r.await(p, "How should the volunteer contact you?")
	r.press(hoPerson, "v1:!ho:typed")
	r.await(p, "Type the phone number")
	api.SendText(hoPerson, "+86 138 0000 1234")
	warn := r.await(p, "will be visible to everyone")
	if !strings.Contains(warn.Text, "+86 138 0000 1234") {
		t.Errorf("the warning does not name the number typed:\n%s", warn.Text)
	}
	preview, _ := r.newest(p, "Contact: +86 138 0000 1234")
	r.press(hoPerson, "v1:!hc:n")
	r.await(p, "Nothing was sent.")
	if n := len(api.Messages(hoGroup)); n != 0 {
		t.Fatalf("%d messages in the volunteers' group before the person agreed", n)
	}
	if !strings.Contains(preview.Text, "exactly what the volunteers of the group will see") {
		t.Errorf("the preview does not say it is exactly what is shared:\n%s", preview.Text)
	}
	r.wantHandoffs(admin, "a preview declined", nil)

	// Through the bot only: agreed, sent.
	api.SendCommand(hoPerson, "/human")
	r.await(p, "How should the volunteer contact you?")
	r.press(hoPerson, "v1:!ho:bot")
	consent := r.await(p, "Contact: only through the bot")
	r.press(hoPerson, "v1:!hc:y")
	sent := r.await(p, "Sent as case ")
	m := caseIDRe.FindStringSubmatch(sent.Text)
	if m == nil {
		t.Fatalf("no case ID in %q", sent.Text)
	}
	id := m[1]

	// The card: what the preview showed, with the case ID; nothing of the account.
	card := r.await(hoGroup, "Case "+id+" — a person asks to be contacted")
	if want := []telegramtest.Button{{Text: "Claim", Data: "v1:!claim:" + id}}; !slices.Equal(slices.Concat(card.Keyboard...), want) {
		t.Errorf("card buttons = %v, want %v", card.Keyboard, want)
	}
	for _, want := range []string{"Their language: English", "What the assessment found", "Criminal defamation", "/reply " + id} {
		if !strings.Contains(card.Text, want) {
			t.Errorf("the card lacks %q:\n%s", want, card.Text)
		}
	}
	if got, want := squash(card.Text), squash(strings.ReplaceAll(consent.Text, "……", id)); !strings.Contains(want, got[len("Case "+id):]) {
		t.Errorf("the card differs from the preview the person agreed to:\ncard:    %s\npreview: %s", got, want)
	}
	for _, secret := range []string{hoPerson.FirstName, "9201", "+86 138"} {
		if strings.Contains(card.Text, secret) {
			t.Errorf("the card holds %q", secret)
		}
	}
	if !strings.Contains(summary.Text, "12,000") || !strings.Contains(card.Text, "12,000") {
		t.Errorf("the card lacks the key figure of the summary (12,000 views)")
	}

	// Claimed by Ana; Bo is told it is taken.
	api.PressIn(hoGroup, hoAna, card.ID, "v1:!claim:"+id)
	r.await(p, "Ana, a volunteer, has taken your case "+id)
	r.await(hoGroup, "Claimed by Ana.")
	if c, _ := api.Message(hoGroup, card.ID); len(c.Keyboard) != 0 {
		t.Errorf("the claimed card still has buttons: %v", c.Keyboard)
	}
	api.PressIn(hoGroup, hoBo, card.ID, "v1:!claim:"+id)
	if err := api.Wait(ctx, func(calls []telegramtest.Call) bool {
		return slices.ContainsFunc(calls, func(c telegramtest.Call) bool {
			return c.Method == "answerCallbackQuery" && c.Params["text"] == "Ana has already taken this case."
		})
	}); err != nil {
		t.Fatalf("Bo was not told the case is taken: %v", err)
	}
	r.wantHandoffs(admin, "a case sent and claimed (a second claim refused)", map[string]float64{"requested": 1, "claimed": 1})

	// Relayed both ways; Bo cannot write to Ana's case.
	api.SendText(hoPerson, "canary-7f3a they found my new account")
	r.await(hoGroup, "Case "+id+" — the person writes:\ncanary-7f3a they found my new account")
	api.GroupText(hoGroup, hoBo, "/reply "+id+" hello")
	r.await(hoGroup, "Case "+id+" is Ana's")
	api.GroupText(hoGroup, hoAna, "/reply "+strings.ToLower(id)+" We can help you file the report.")
	r.await(p, "Ana (volunteer):\nWe can help you file the report.")
	r.await(hoGroup, "Sent to case "+id+".")
	if n := r.count(p, "hello"); n != 0 {
		t.Errorf("Bo's reply reached the person")
	}

	// The person closes it: nothing more is relayed.
	api.SendCommand(hoPerson, "/close")
	r.await(p, "The conversation with the volunteer is closed")
	r.await(hoGroup, "The person closed case "+id+".")
	r.await(hoGroup, "Case "+id+" is closed.")
	api.SendText(hoPerson, "canary-after-close")
	api.SendCommand(hoPerson, "/help")
	r.await(p, "I give legal information")
	if n := r.count(hoGroup, "canary-after-close"); n != 0 {
		t.Errorf("text typed after /close reached the volunteers")
	}
	r.wantHandoffs(admin, "one text each way (Bo's refused), closed by the person", map[string]float64{
		"requested": 1, "claimed": 1, "relayed": 1, "replied": 1, "closed": 1})

	// /stats: for admins only, counts only.
	api.SendCommand(hoAdmin, "/stats")
	st := r.await(hoAdmin.ID, "Statistics of the last 8 weeks")
	for _, want := range []string{"1 conversations started, 1 completed", "Hand-offs: 1 requested, 1 claimed, 1 closed", "Languages: en 1", "offences/def_views 1"} {
		if !strings.Contains(st.Text, want) {
			t.Errorf("/stats lacks %q:\n%s", want, st.Text)
		}
	}
	if strings.Contains(st.Text, "9201") || strings.Contains(st.Text, id) {
		t.Errorf("/stats names the person or their case:\n%s", st.Text)
	}
	api.SendCommand(hoBo, "/stats")
	if m := r.await(hoBo.ID, "/stats"); strings.Contains(m.Text, "Statistics") {
		t.Errorf("a volunteer who is not an admin got the statistics")
	}

	// A second case, claimed; then /delete.
	api.SendCommand(hoPerson, "/human")
	r.await(p, "How should the volunteer contact you?")
	r.press(hoPerson, "v1:!ho:bot")
	r.await(p, "Send this to the volunteers?")
	r.press(hoPerson, "v1:!hc:y")
	var id2 string
	if !r.until(func() bool {
		for _, m := range api.Messages(p) {
			if s := caseIDRe.FindStringSubmatch(m.Text); s != nil && strings.HasPrefix(m.Text, "Sent as case") && s[1] != id {
				id2 = s[1]
			}
		}
		return id2 != ""
	}) {
		t.Fatal("no second case")
	}
	card2 := r.await(hoGroup, "Case "+id2+" — a person asks")
	api.PressIn(hoGroup, hoAna, card2.ID, "v1:!claim:"+id2)
	r.await(p, "has taken your case "+id2)
	api.SendText(hoPerson, "canary-9c1d second case")
	r.await(hoGroup, "canary-9c1d second case")
	api.SendCommand(hoPerson, "/delete")
	r.await(p, "Erase your answers and everything stored about you?")
	r.press(hoPerson, "v1:!del:y")
	r.await(hoGroup, "Case "+id2+": the person deleted their data")
	if !r.until(func() bool { return r.count(hoGroup, "the person deleted their data") == 4 }) {
		t.Errorf("%d messages of the person's cases edited, want 4 (two cards, two relayed texts)", r.count(hoGroup, "the person deleted their data"))
	}
	for _, m := range api.Messages(hoGroup) {
		for _, gone := range []string{"canary-", "Criminal defamation", "What the assessment found"} {
			if strings.Contains(m.Text, gone) {
				t.Errorf("after /delete the volunteers' group still shows %q:\n%s", gone, m.Text)
			}
		}
	}
	api.GroupText(hoGroup, hoAna, "/reply "+id2+" are you there?")
	r.await(hoGroup, "Case "+id2+" is closed.")
	if n := r.count(p, "are you there?"); n != 0 {
		t.Errorf("a volunteer wrote to a person who deleted their data")
	}
	r.wantHandoffs(admin, "a second case claimed, one text relayed, then /delete", map[string]float64{
		"requested": 2, "claimed": 2, "relayed": 2, "replied": 1, "closed": 1, "erased": 2})
	metrics := r.scrapeMetrics(admin)
	for _, secret := range []string{id, id2, "canary-", "We can help", "Meiling"} {
		if strings.Contains(metrics, secret) {
			t.Errorf("/metrics holds %q", secret)
		}
	}
	for _, l := range strings.Split(metrics, "\n") {
		_, labels, _ := strings.Cut(l, "{")
		for _, who := range []string{"9201", "5150", "5151", "1007770001"} {
			if strings.Contains(labels, who) {
				t.Errorf("a label of /metrics holds the ID %s: %s", who, l)
			}
		}
	}

	// Stopped: the database keeps the counts, nothing of the cases.
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("redress serve after SIGTERM: %v\n%s", err, logs.String())
	}
	cmd = nil
	out := logs.String()
	for _, secret := range []string{"canary-", "+86 138", "We can help"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds relayed text %q", secret)
		}
	}
	if strings.Contains(out, "level=ERROR") {
		t.Errorf("errors logged:\n%s", out)
	}
	dbPath := filepath.Join(dir, "redress.db")
	for _, f := range []string{dbPath, dbPath + "-wal"} {
		raw, err := os.ReadFile(f)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{"canary-", "+86 138", "We can help", id, id2} {
			if bytes.Contains(raw, []byte(secret)) {
				t.Errorf("%s holds %q after /delete", filepath.Base(f), secret)
			}
		}
	}
	db, err := openStore(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if ids, err := db.CasesOf(ctx, p); err != nil || len(ids) != 0 {
		t.Errorf("cases of the person after /delete: %v, %v", ids, err)
	}
	if _, err := db.Case(ctx, id); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("case %s after /delete: %v", id, err)
	}
	rows, err := db.Stats(ctx, time.Now().AddDate(0, 0, -7))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, r := range rows {
		got[r.Kind+":"+r.Value] += r.N
	}
	for k, want := range map[string]int64{"handoff:requested": 2, "handoff:claimed": 2, "handoff:closed": 1, "started:en": 2, "completed:outcome_main": 1} {
		if got[k] != want {
			t.Errorf("count %s = %d, want %d (all: %v)", k, got[k], want, got)
		}
	}
}
