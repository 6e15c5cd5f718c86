package bot

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
	"github.com/redress-legal/redress/commands"
	"github.com/redress-legal/redress/flows"
)

// SessionKey is the store key of a Telegram chat's session.
func SessionKey(chat int64) string { return "tg:" + strconv.FormatInt(chat, 10) }

// handleUpdate settles one update, retrying what failed (a store error)
// until it succeeds. It reports false only when ctx ended first: the update
// is then not confirmed to Telegram and will be handled again.
func (b *Bot) handleUpdate(ctx context.Context, u *models.Update) bool {
	for attempt := 0; ; attempt++ {
		err := b.safeHandle(ctx, u)
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		d := backoff(attempt)
		b.log.Error("update not handled; retrying", "update", u.ID, "chat", updateChat(u), "err", err, "wait_ms", d.Milliseconds())
		b.metrics.Retry("update")
		if !sleep(ctx, d) {
			return false
		}
	}
}

// safeHandle handles one update; a panic is recovered, logged without
// content, and answered with an apology committed for the update.
func (b *Bot) safeHandle(ctx context.Context, u *models.Update) (err error) {
	start := time.Now()
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		attrs := []any{"update", u.ID, "chat", updateChat(u), "panic_type", fmt.Sprintf("%T", v), "stack", string(debug.Stack())}
		if re, ok := v.(runtime.Error); ok { // the runtime's own messages hold no user text
			attrs = append(attrs, "panic", re.Error())
		}
		b.log.Error("panic while handling update", attrs...)
		err = b.apologize(ctx, u)
	}()
	ev, err := b.handle(ctx, u)
	if err != nil {
		return err
	}
	b.metrics.Handled(time.Since(start))
	b.log.Debug("update", "update", u.ID, "chat", updateChat(u), "event", ev, "ms", time.Since(start).Milliseconds())
	return nil
}

// apologize commits the update with an apology and nothing else changed.
// If even that panics, the update is given up: it is logged and settled, so
// that one poisonous update cannot stop the bot.
func (b *Bot) apologize(ctx context.Context, u *models.Update) (err error) {
	defer func() {
		if v := recover(); v != nil {
			b.log.Error("panic while apologizing; update dropped", "update", u.ID, "panic_type", fmt.Sprintf("%T", v))
			err = nil
		}
	}()
	o := originOf(u)
	if o.chat == 0 || !o.private || (u.Message == nil && u.CallbackQuery == nil) {
		return nil
	}
	_, err = b.turn(ctx, u.ID, o.chat, func(s flows.Session) (decision, error) {
		d := decision{event: "apology"}
		d.out.answer(o.callback, "")
		b.notice(&d.out, b.lang(s.State, o.code), MsgError, nil, nil)
		return d, nil
	})
	return err
}

// decision is what one update does: the state to store (nil: leave the
// session alone), whether to delete everything of the chat, and the calls
// to make.
type decision struct {
	state *flows.State
	del   bool
	out   outbox
	event string
	// The hand-off and the statistics (handoff.go): rows for other chats,
	// counters, a change to a case, and the person's hand-off act with
	// the state it was decided in (carried out in turn).
	relay      []flows.Outgoing
	counts     []flows.Count
	caseChange *flows.CaseChange
	act        *commands.HandoffAct
	actState   flows.State
	// handoffs are the hand-off events (Handoff*) for Metrics, reported
	// once the update's transaction has committed.
	handoffs []string
}

// turn is one update's transaction: read the session, decide, commit the
// update ID, the session (compare-and-swap) and the outbox at once. A
// revision conflict re-reads and decides again; a duplicate update changes
// and sends nothing.
func (b *Bot) turn(ctx context.Context, updateID, chat int64, decide func(flows.Session) (decision, error)) (string, error) {
	key := SessionKey(chat)
	for attempt := 0; attempt < 10; attempt++ {
		sess, ok := b.sessions.get(key, b.cfg.Now())
		if !ok {
			var err error
			sess, err = b.store.Get(ctx, key)
			if errors.Is(err, flows.ErrNotFound) {
				sess, err = flows.Session{Key: key}, nil
			}
			if err != nil {
				return "", fmt.Errorf("read session: %w", err)
			}
		}
		d, err := decide(sess)
		if err != nil {
			return "", err
		}
		if err := b.carryOut(ctx, chat, d.actState, d.act, &d); err != nil {
			return "", err
		}
		if d.out.err != nil {
			return "", d.out.err
		}
		c := flows.Commit{UpdateID: updateID, Chat: chat, Outbox: d.out.rows, Delete: d.del,
			Relay: d.relay, Counts: d.counts, Case: d.caseChange}
		before := sess.State
		switch {
		case d.del:
			c.Session = flows.Session{Key: key}
		case d.state != nil:
			sess.State = *d.state
			c.Session = sess
		}
		b.sender.committing(chat)
		for _, r := range c.Relay {
			b.sender.committing(r.Chat)
		}
		err = b.store.Commit(ctx, c)
		b.sender.committed(chat, c.Outbox, c.Delete, err == nil)
		for i := range c.Relay {
			b.sender.committed(c.Relay[i].Chat, c.Relay[i:i+1], false, err == nil)
		}
		switch {
		case err == nil && c.Delete:
			b.sessions.drop(key)
		case err == nil && c.Session.Key != "":
			// The store's revision is now one more than the one read.
			s := c.Session
			s.Rev++
			s.Updated = b.cfg.Now()
			b.sessions.put(s, s.Updated)
			progress(b.metrics, before, s.State)
		case err != nil:
			b.sessions.drop(key) // read the store next time
		}
		switch {
		case err == nil:
			for _, ev := range d.handoffs {
				b.metrics.Handoff(ev)
			}
			return d.event, nil
		case errors.Is(err, flows.ErrDuplicate):
			return "duplicate", nil
		case errors.Is(err, flows.ErrConflict):
			continue
		}
		return "", fmt.Errorf("commit update %d: %w", updateID, err)
	}
	return "", fmt.Errorf("commit update %d: %w", updateID, flows.ErrConflict)
}

// handle settles one update and names what happened, for the log.
func (b *Bot) handle(ctx context.Context, u *models.Update) (string, error) {
	if chat, code, limited, notify := b.floodCheck(u); limited {
		return b.throttle(ctx, u.ID, chat, code, notify)
	}
	switch {
	case u.Message != nil:
		if u.Message.Chat.Type != models.ChatTypePrivate {
			return b.onGroupMessage(ctx, u.ID, u.Message)
		}
		return b.onMessage(ctx, u.ID, u.Message)
	case u.EditedMessage != nil:
		if u.EditedMessage.Chat.Type != models.ChatTypePrivate {
			return "ignored", nil
		}
		return b.onEdited(ctx, u.ID, u.EditedMessage)
	case u.CallbackQuery != nil:
		return b.onCallback(ctx, u.ID, u.CallbackQuery)
	}
	// Channel posts, reactions, member changes...: deliberately silent.
	return "ignored", nil
}

// floodCheck spends one update of a private chat's flood budget. It
// reports the chat and language code when the update must not be handled,
// and whether it is the first refused (the one that gets a notice).
// /sos and /delete (and its confirmation buttons) always pass: a person in
// danger, or wanting their data gone, is never held back.
func (b *Bot) floodCheck(u *models.Update) (chat int64, code string, limited, notify bool) {
	o := originOf(u)
	if !o.private || (u.Message == nil && u.EditedMessage == nil && u.CallbackQuery == nil) {
		return 0, "", false, false
	}
	switch {
	case u.Message != nil:
		if c, ok := commands.Parse(u.Message.Text); ok && c.Bypasses() {
			return 0, "", false, false
		}
		if b.cfg.Distress != nil && b.cfg.Distress(u.Message.Text) {
			return 0, "", false, false
		}
	case u.CallbackQuery != nil:
		if node, _, ok := parseCallback(u.CallbackQuery.Data); ok && node == commands.MenuDelete {
			return 0, "", false, false
		}
	}
	ok, notify := b.flood.take(o.chat, b.cfg.Now())
	return o.chat, o.code, !ok, notify
}

// throttle settles an update past its chat's flood budget: it is recorded
// (so Telegram does not send it again) without running the engine; the
// first one gets a notice, the rest deliberate silence.
func (b *Bot) throttle(ctx context.Context, updateID, chat int64, code string, notify bool) (string, error) {
	return b.turn(ctx, updateID, chat, func(s flows.Session) (decision, error) {
		d := decision{event: "throttled"}
		if notify {
			b.notice(&d.out, b.lang(s.State, code), MsgSlowDown, nil, nil)
		}
		return d, nil
	})
}

// lang is the language to talk to a user in: the one stored, else the best
// match for the language their Telegram app uses.
func (b *Bot) lang(st flows.State, code string) string { return b.env.Language(st, code) }

// isMedia reports messages that carry a file the user may think of as
// evidence: those the evidence log does not take (voice, audio, round
// videos, animations; all of them without an evidence log) get an
// explanation. Stickers and the like get the engine's "please answer in text".
func isMedia(m *models.Message) bool {
	return len(m.Photo) > 0 || m.Document != nil || m.Video != nil || m.Voice != nil ||
		m.Audio != nil || m.VideoNote != nil || m.Animation != nil
}

func (b *Bot) onMessage(ctx context.Context, updateID int64, m *models.Message) (string, error) {
	code := languageCode(m.From)
	return b.turn(ctx, updateID, m.Chat.ID, func(s flows.Session) (decision, error) {
		st := s.State
		lang := b.lang(st, code)
		now := b.cfg.Now()
		switch {
		case m.Text != "":
			if n := utf8.RuneCountInString(m.Text); n > MaxMessageLen {
				return b.decide(b.env.Reask(st, lang, flows.Message{ID: MsgTooLong, Params: map[string]any{"max": int64(MaxMessageLen)}}, now), press{}), nil
			}
			if c, ok := commands.Parse(m.Text); ok && c.Name == cmdStats && b.isAdmin(m.From) {
				return b.stats(ctx, lang, now)
			}
			var typed commands.Outcome
			if st.Case != "" {
				cs, found, err := b.userCase(ctx, st)
				if err != nil {
					return decision{}, err
				}
				typed = b.env.TextCase(st, lang, m.Text, now, cs, found)
			} else {
				typed = b.env.Text(st, lang, m.Text, now)
			}
			out, err := b.carryEvidence(ctx, s.Key, typed, now)
			if err != nil {
				return decision{}, err
			}
			d := b.decide(out, press{})
			if out.Docs != nil {
				b.documents(ctx, &d.out, s.Key, out.State, out.Docs)
			}
			return d, nil
		case b.cfg.Evidence != nil:
			if f, ok := evidenceFile(m); ok {
				return b.onFile(ctx, s, updateID, m, f, lang, now)
			}
		}
		if isMedia(m) {
			return b.decide(b.env.Reask(st, lang, flows.Message{ID: MsgMedia}, now), press{}), nil
		}
		// Stickers, locations, contacts, polls, dice, service messages...
		return b.decide(b.env.Step(st, lang, flows.Input{Kind: flows.InOther, Now: now}), press{}), nil
	})
}

// press is the button an update pressed: its callback query and the
// message it was under. Zero for a message.
type press struct {
	callbackID string
	msgID      int
	msgText    string
}

// onEdited answers an edited message: the answer given stands.
func (b *Bot) onEdited(ctx context.Context, updateID int64, m *models.Message) (string, error) {
	code := languageCode(m.From)
	return b.turn(ctx, updateID, m.Chat.ID, func(s flows.Session) (decision, error) {
		d := decision{event: "edited"}
		b.notice(&d.out, b.lang(s.State, code), MsgEdited, nil, nil)
		return d, nil
	})
}

// onGroupMessage: Redress talks only in private chats, where what a victim
// says is not seen by others. A command in a group gets one pointer to the
// private chat; everything else in groups and channels is ignored.
func (b *Bot) onGroupMessage(ctx context.Context, updateID int64, m *models.Message) (string, error) {
	if m.Chat.Type != models.ChatTypeGroup && m.Chat.Type != models.ChatTypeSupergroup {
		return "ignored", nil
	}
	if b.handoffOn() && m.Chat.ID == b.cfg.HandoffChat {
		return b.onHandoffChat(ctx, updateID, m)
	}
	c, ok := commands.Parse(m.Text)
	if !ok {
		return "ignored", nil
	}
	if c.Bot != "" && !strings.EqualFold(c.Bot, b.username) {
		return "ignored", nil // a command for another bot
	}
	code := languageCode(m.From)
	return b.turn(ctx, updateID, m.Chat.ID, func(flows.Session) (decision, error) {
		d := decision{event: "group"}
		b.notice(&d.out, b.loc.Match(code), MsgPrivateOnly, nil, nil)
		return d, nil
	})
}

// onCallback handles a button press.
func (b *Bot) onCallback(ctx context.Context, updateID int64, q *models.CallbackQuery) (string, error) {
	chat, msgID, msgText, typ := callbackMessage(q)
	if node, key, ok := parseCallback(q.Data); ok && node == cbClaim && b.handoffOn() && chat == b.cfg.HandoffChat {
		return b.onClaim(ctx, updateID, q, chat, msgID, msgText, key)
	}
	if typ != models.ChatTypePrivate {
		return b.turn(ctx, updateID, chat, func(flows.Session) (decision, error) {
			d := decision{event: "ignored"}
			d.out.answer(q.ID, "")
			return d, nil
		})
	}
	code := q.From.LanguageCode
	return b.turn(ctx, updateID, chat, func(s flows.Session) (decision, error) {
		st := s.State
		lang := b.lang(st, code)
		now := b.cfg.Now()
		node, key, ok := parseCallback(q.Data)
		p := press{callbackID: q.ID, msgID: msgID, msgText: msgText}
		if ok && commands.IsMenu(node) {
			out := b.env.Choose(st, lang, node, key, now)
			if out.Erase {
				return b.erase(ctx, chat, out, p, now)
			}
			out, err := b.carryEvidence(ctx, s.Key, out, now)
			if err != nil {
				return decision{}, err
			}
			return b.decide(out, p), nil
		}
		in := flows.Input{Kind: flows.InChoose, Node: node, Key: key, Now: now}
		switch {
		case !ok:
			// Not ours, or from an older version of the bot: a node that
			// never matches makes the engine re-ask politely.
			in.Node, in.Key = "?", ""
		case key == cbDone:
			in.Kind, in.Key = flows.InDone, ""
		case key == cbUnknown:
			in.Kind, in.Key = flows.InUnknown, ""
		default:
			if n := b.flow.Nodes[node]; n != nil && n.Type == flows.Multi {
				in.Kind = flows.InToggle
			}
		}
		return b.renderPress(b.env.Step(st, lang, in), p, node), nil
	})
}

// DeleteWindow is how far back /delete deletes the bot's messages in a
// chat: Telegram lets a bot delete its messages for 48 hours. The store
// need not keep the log of sent messages longer (data.WithSentWindow).
const DeleteWindow = 47 * time.Hour

// erase carries out a confirmed /delete: every row of the user goes in
// the update's transaction (decision.del), and the conversation is removed
// from the chat as far as Telegram allows (messages younger than 48
// hours). In a private chat message IDs count up across both sides, so the
// range from the oldest recent bot message to the confirmation covers the
// user's messages too.
func (b *Bot) erase(ctx context.Context, chat int64, out commands.Outcome, p press, now time.Time) (decision, error) {
	var d decision
	d.out.answer(p.callbackID, "")
	sent, err := b.store.RecentSent(ctx, chat, now.Add(-DeleteWindow))
	if err != nil {
		return d, fmt.Errorf("recent messages: %w", err)
	}
	lo, hi := int64(p.msgID), int64(p.msgID)
	for _, id := range sent {
		lo, hi = min(lo, id), max(hi, id)
	}
	if lo == 0 {
		lo = 1
	}
	var ids []int
	if hi-lo < 1000 {
		for id := lo; id <= hi; id++ {
			ids = append(ids, int(id))
		}
	} else {
		for _, id := range append(sent, int64(p.msgID)) {
			ids = append(ids, int(id))
		}
	}
	d.out.deleteMessages(ids)
	if err := b.eraseCase(ctx, chat, &d); err != nil {
		return d, err
	}
	n := len(d.out.rows)
	b.reply(&d.out, out.State.Lang, out.Reply, false)
	d.out.unlogged(n) // nothing of the chat stays in the sent log
	d.del, d.event = true, string(out.Event)
	return d, nil
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
