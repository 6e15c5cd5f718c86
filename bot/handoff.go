package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/go-telegram/bot/models"
	"github.com/redress-legal/redress/commands"
	"github.com/redress-legal/redress/flows"
)

// The hand-off on Telegram (the conversation and the card are decided by
// package commands: handoff.go, card.go). A case card is posted to the volunteers' chat
// (Config.HandoffChat) with a Claim button; whoever presses it first takes
// the case, and the person is told their first name. The volunteer writes
// to the person with "/reply CASE text" in that chat; what the person
// types then is posted there, under the case ID. Either side closes the
// case (/close, "/close CASE"). A volunteer is whoever can write in the
// volunteers' chat: the operator decides who is in it.
//
// Every message crosses in the update's own transaction, as outbox rows
// for the other chat (flows.Commit.Relay), so the delivery guarantees of
// every reply hold. The messages posted in the volunteers' chat for a case
// are remembered (flows.Outgoing.Case); /delete edits each of them to say
// the person deleted their data, so nothing of it is left there.

// cbClaim is the node of the Claim button's callback data: v1:!claim:<case>.
const cbClaim = "!claim"

// The catalog messages of the hand-off on Telegram.
const (
	MsgHumanNone      = "tg.human.none"       // /human where the operator has no volunteers' chat
	MsgCmdHuman       = "tg.cmd.human"        // command menu: /human
	MsgCardClaim      = "tg.case.claim"       // the card's button: claim the case
	MsgCardClaimed    = "tg.case.claimed"     // under the card: claimed by a volunteer
	MsgCaseRelayed    = "tg.case.relayed"     // in the volunteers' chat: what the person wrote
	MsgCaseClosedBy   = "tg.case.closed_by"   // in the volunteers' chat: the person closed the case
	MsgCaseErased     = "tg.case.erased"      // a message of an erased case, edited in the volunteers' chat
	MsgCaseTaken      = "tg.case.taken"       // pop-up: another volunteer has the case
	MsgCaseGone       = "tg.case.gone"        // pop-up or answer: the case is closed or erased
	MsgVolReply       = "tg.vol.reply"        // to the person: what the volunteer wrote
	MsgVolClaimed     = "tg.vol.claimed"      // to the person: a volunteer took the case
	MsgVolClosed      = "tg.vol.closed"       // to the person: the volunteer closed the case
	MsgVolSent        = "tg.vol.sent"         // in the volunteers' chat: the answer went to the person
	MsgVolClosedDone  = "tg.vol.closed_done"  // in the volunteers' chat: the volunteer closed the case
	MsgVolUsage       = "tg.vol.usage"        // in the volunteers' chat: how to use the commands
	MsgVolClaimFirst  = "tg.vol.claim_first"  // in the volunteers' chat: /reply to a case not claimed
	MsgVolNotYours    = "tg.vol.not_yours"    // in the volunteers' chat: /reply to another volunteer's case
	MsgStatsTitle     = "tg.stats.title"      // /stats: the heading
	MsgStatsWeek      = "tg.stats.week"       // /stats: one week's counts
	MsgStatsLangs     = "tg.stats.langs"      // /stats: conversations by language
	MsgStatsOutcomes  = "tg.stats.outcomes"   // /stats: outcomes reached
	MsgStatsFindings  = "tg.stats.findings"   // /stats: findings by section
	MsgStatsNone      = "tg.stats.none"       // /stats: nothing counted yet
	MsgStatsHandoffs  = "tg.stats.handoffs"   // /stats: hand-offs requested, claimed, closed
	MsgStatsNoPrivacy = "tg.stats.no_persons" // /stats: the footer saying the counts identify no one
)

// handoffMessages are the messages above with their parameters (see Messages).
var handoffMessages = map[string][]string{
	MsgHumanNone:      {},
	MsgCmdHuman:       {},
	MsgCardClaim:      {},
	MsgCardClaimed:    {"name"},
	MsgCaseRelayed:    {"case", "text"},
	MsgCaseClosedBy:   {"case"},
	MsgCaseErased:     {"case"},
	MsgCaseTaken:      {"name"},
	MsgCaseGone:       {"case"},
	MsgVolReply:       {"name", "text"},
	MsgVolClaimed:     {"name", "case"},
	MsgVolClosed:      {"name"},
	MsgVolSent:        {"case"},
	MsgVolClosedDone:  {"case"},
	MsgVolUsage:       {},
	MsgVolClaimFirst:  {"case"},
	MsgVolNotYours:    {"case", "name"},
	MsgStatsTitle:     {"weeks"},
	MsgStatsWeek:      {"week", "started", "completed"},
	MsgStatsLangs:     {"list"},
	MsgStatsOutcomes:  {"list"},
	MsgStatsFindings:  {"list"},
	MsgStatsNone:      {},
	MsgStatsHandoffs:  {"requested", "claimed", "closed"},
	MsgStatsNoPrivacy: {},
}

func init() {
	for id, ps := range handoffMessages {
		Messages[id] = ps
	}
}

// handoffOn reports whether the operator has a volunteers' chat.
func (b *Bot) handoffOn() bool { return b.cfg.HandoffChat != 0 }

// userCase reads the hand-off case of a person whose state names one.
func (b *Bot) userCase(ctx context.Context, st flows.State) (flows.Case, bool, error) {
	if st.Case == "" || b.cfg.Cases == nil {
		return flows.Case{}, false, nil
	}
	c, err := b.cfg.Cases.Case(ctx, st.Case)
	if errors.Is(err, flows.ErrNotFound) {
		return flows.Case{}, false, nil
	}
	if err != nil {
		return flows.Case{}, false, fmt.Errorf("hand-off case: %w", err)
	}
	return c, true, nil
}

// relayText queues a message (plain text) to another chat than the
// update's; caseID tags it as a message of that case in the volunteers' chat.
func relayText(d *decision, chat int64, caseID, text string, kb *inlineKeyboard) {
	var o outbox
	o.send(pack([]para{{text: text}}, MaxMessageLen), kb)
	d.out.err = errors.Join(d.out.err, o.err)
	for _, r := range o.rows {
		r.Chat, r.Case = chat, caseID
		d.relay = append(d.relay, r)
	}
}

// relayEdit queues an edit of a message in another chat.
func relayEdit(d *decision, chat int64, msgID int, html string) {
	var o outbox
	o.editText(msgID, html)
	d.out.err = errors.Join(d.out.err, o.err)
	for _, r := range o.rows {
		r.Chat = chat
		d.relay = append(d.relay, r)
	}
}

// carryOut adds what a person's hand-off act does to their update's
// decision: the card posted, a text relayed, the case closed.
func (b *Bot) carryOut(ctx context.Context, chat int64, st flows.State, act *commands.HandoffAct, d *decision) error {
	if act == nil || !b.handoffOn() {
		return nil
	}
	hl := b.cfg.HandoffLang
	switch act.Kind {
	case commands.ActOpen:
		card := commands.Card(b.flow, st, b.cfg.Now(), act.Case, b.text(st.Lang, commands.MsgLanguageName, nil), act.Contact)
		kb := &inlineKeyboard{InlineKeyboard: [][]button{{{Text: b.text(hl, MsgCardClaim, nil), CallbackData: callbackData(cbClaim, act.Case)}}}}
		var o outbox
		o.send(pack(b.paragraphs(hl, card), MaxMessageLen), kb)
		if o.err != nil {
			return o.err
		}
		for _, r := range o.rows {
			r.Chat, r.Case = b.cfg.HandoffChat, act.Case
			d.relay = append(d.relay, r)
		}
		d.caseChange = &flows.CaseChange{Op: flows.CaseCreate, Case: flows.Case{ID: act.Case, Chat: chat, Lang: st.Lang}}
		d.handoffs = append(d.handoffs, HandoffRequested)
	case commands.ActRelay:
		c, found, err := b.userCase(ctx, flows.State{Case: act.Case})
		if err != nil || !found {
			return err
		}
		// Stored again as it is: a case in use is not idle (retention).
		d.caseChange = &flows.CaseChange{Op: flows.CaseUpdate, Case: c}
		relayText(d, b.cfg.HandoffChat, act.Case, b.text(hl, MsgCaseRelayed, map[string]any{"case": act.Case, "text": act.Text}), nil)
		d.handoffs = append(d.handoffs, HandoffRelayed)
	case commands.ActClose:
		c, found, err := b.userCase(ctx, flows.State{Case: act.Case})
		if err != nil || !found || c.Status == flows.CaseClosed {
			return err
		}
		c.Status = flows.CaseClosed
		d.caseChange = &flows.CaseChange{Op: flows.CaseUpdate, Case: c}
		d.counts = append(d.counts, flows.Count{Kind: commands.CountHandoff, Value: commands.HandoffClosed})
		d.handoffs = append(d.handoffs, HandoffClosed)
		if err := b.closeCard(ctx, d, c.ID); err != nil {
			return err
		}
		relayText(d, b.cfg.HandoffChat, "", b.text(hl, MsgCaseClosedBy, map[string]any{"case": c.ID}), nil)
	}
	return nil
}

// closeCard edits a case's card to say it is closed, without its button.
func (b *Bot) closeCard(ctx context.Context, d *decision, id string) error {
	msgs, err := b.cfg.Cases.CaseMessages(ctx, id)
	if err != nil {
		return fmt.Errorf("case messages: %w", err)
	}
	if len(msgs) > 0 {
		relayEdit(d, b.cfg.HandoffChat, int(msgs[0]), escapeHTML(b.text(b.cfg.HandoffLang, MsgCaseGone, map[string]any{"case": id})))
	}
	return nil
}

// eraseCase adds to a /delete what leaves nothing of the person's cases
// in the volunteers' chat: each message posted for them (the cards, what
// the person wrote), of open and closed cases alike, is edited to a note
// that the person deleted their data. The cases' rows go with the rest of
// the person's (data: deleteAll).
func (b *Bot) eraseCase(ctx context.Context, chat int64, d *decision) error {
	if b.cfg.Cases == nil || !b.handoffOn() {
		return nil
	}
	ids, err := b.cfg.Cases.CasesOf(ctx, chat)
	if err != nil {
		return fmt.Errorf("cases: %w", err)
	}
	for _, id := range ids {
		msgs, err := b.cfg.Cases.CaseMessages(ctx, id)
		if err != nil {
			return fmt.Errorf("case messages: %w", err)
		}
		note := escapeHTML(b.text(b.cfg.HandoffLang, MsgCaseErased, map[string]any{"case": id}))
		for _, m := range msgs {
			relayEdit(d, b.cfg.HandoffChat, int(m), note)
		}
		d.handoffs = append(d.handoffs, HandoffErased)
	}
	return nil
}

// isAdmin reports whether a user may read /stats.
func (b *Bot) isAdmin(u *models.User) bool {
	return u != nil && slices.Contains(b.cfg.AdminIDs, u.ID)
}

// onHandoffChat handles a message in the volunteers' chat: /reply CASE
// text, /close CASE; any other command gets the usage; other messages are
// the volunteers' own conversation and are ignored.
func (b *Bot) onHandoffChat(ctx context.Context, updateID int64, m *models.Message) (string, error) {
	c, ok := commands.Parse(m.Text)
	if !ok || c.Bot != "" && !strings.EqualFold(c.Bot, b.username) {
		return "ignored", nil
	}
	hl := b.cfg.HandoffLang
	return b.turn(ctx, updateID, m.Chat.ID, func(flows.Session) (decision, error) {
		d := decision{event: "volunteer"}
		say := func(id string, params map[string]any) { b.notice(&d.out, hl, id, params, nil) }
		id, text, _ := strings.Cut(c.Arg, " ")
		id, text = strings.ToUpper(strings.TrimSpace(id)), strings.TrimSpace(text)
		if c.Name != "reply" && c.Name != commands.Close || !commands.ValidID(id) || c.Name == "reply" && text == "" {
			say(MsgVolUsage, nil)
			return d, nil
		}
		cs, found, err := b.userCase(ctx, flows.State{Case: id})
		if err != nil {
			return d, err
		}
		switch {
		case !found || cs.Status == flows.CaseClosed:
			say(MsgCaseGone, map[string]any{"case": id})
			return d, nil
		case cs.Status == flows.CaseOpen && c.Name == "reply":
			say(MsgVolClaimFirst, map[string]any{"case": id})
			return d, nil
		case cs.Status == flows.CaseClaimed && (m.From == nil || cs.VolunteerID != m.From.ID):
			say(MsgVolNotYours, map[string]any{"case": id, "name": cs.Volunteer})
			return d, nil
		}
		name := cs.Volunteer
		if name == "" && m.From != nil {
			name = m.From.FirstName
		}
		if c.Name == "reply" {
			relayText(&d, cs.Chat, "", b.text(cs.Lang, MsgVolReply, map[string]any{"name": name, "text": text}), nil)
			d.event = "relayed"
			d.handoffs = append(d.handoffs, HandoffReplied)
			say(MsgVolSent, map[string]any{"case": id})
			return d, nil
		}
		cs.Status = flows.CaseClosed
		d.caseChange = &flows.CaseChange{Op: flows.CaseUpdate, Case: cs}
		d.counts = append(d.counts, flows.Count{Kind: commands.CountHandoff, Value: commands.HandoffClosed})
		d.handoffs = append(d.handoffs, HandoffClosed)
		relayText(&d, cs.Chat, "", b.text(cs.Lang, MsgVolClosed, map[string]any{"name": name}), nil)
		if err := b.closeCard(ctx, &d, id); err != nil {
			return d, err
		}
		d.event = "closed"
		say(MsgVolClosedDone, map[string]any{"case": id})
		return d, nil
	})
}

// onClaim handles the Claim button under a card: the first volunteer to
// press it takes the case, the card says who, and the person is told
// their first name.
func (b *Bot) onClaim(ctx context.Context, updateID int64, q *models.CallbackQuery, chat int64, msgID int, msgText, id string) (string, error) {
	hl := b.cfg.HandoffLang
	return b.turn(ctx, updateID, chat, func(flows.Session) (decision, error) {
		d := decision{event: "claim"}
		cs, found, err := b.userCase(ctx, flows.State{Case: id})
		if err != nil {
			return d, err
		}
		switch {
		case !found || cs.Status == flows.CaseClosed:
			d.out.answer(q.ID, truncate(b.text(hl, MsgCaseGone, map[string]any{"case": id}), 200))
			d.out.editKeyboard(msgID, nil)
			return d, nil
		case cs.Status == flows.CaseClaimed:
			d.out.answer(q.ID, truncate(b.text(hl, MsgCaseTaken, map[string]any{"name": cs.Volunteer}), 200))
			return d, nil
		}
		name := truncate(strings.TrimSpace(q.From.FirstName), 64)
		cs.Status, cs.Volunteer, cs.VolunteerID = flows.CaseClaimed, name, q.From.ID
		d.caseChange = &flows.CaseChange{Op: flows.CaseUpdate, Case: cs}
		d.counts = append(d.counts, flows.Count{Kind: commands.CountHandoff, Value: commands.HandoffClaimed})
		d.handoffs = append(d.handoffs, HandoffClaimed)
		d.out.answer(q.ID, "")
		line := para{text: b.text(hl, MsgCardClaimed, map[string]any{"name": name}), style: "i"}.html()
		edited := para{text: msgText}.html() + "\n\n" + line
		if msgText != "" && textLen(edited) <= MaxMessageLen {
			d.out.editText(msgID, edited)
		} else {
			d.out.editKeyboard(msgID, nil)
		}
		relayText(&d, cs.Chat, "", b.text(cs.Lang, MsgVolClaimed, map[string]any{"name": name, "case": id}), nil)
		return d, nil
	})
}
