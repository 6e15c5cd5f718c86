package bot

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
	"github.com/redress-legal/redress/flows"
)

// SessionKey is the store key of a Telegram chat's session.
func SessionKey(chat int64) string { return "tg:" + strconv.FormatInt(chat, 10) }

// updateChat returns the chat an update belongs to, which orders it; 0 for
// updates that belong to none (they are settled without a reply).
func updateChat(u *models.Update) int64 {
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.EditedMessage != nil:
		return u.EditedMessage.Chat.ID
	case u.ChannelPost != nil:
		return u.ChannelPost.Chat.ID
	case u.EditedChannelPost != nil:
		return u.EditedChannelPost.Chat.ID
	case u.CallbackQuery != nil:
		chat, _, _, _ := callbackMessage(u.CallbackQuery)
		return chat
	}
	return 0
}

// callbackMessage returns the chat and message a button belonged to, the
// message's text when Telegram still gives it, and the chat type.
func callbackMessage(q *models.CallbackQuery) (chat int64, msgID int, text string, typ models.ChatType) {
	switch {
	case q.Message.Message != nil:
		m := q.Message.Message
		return m.Chat.ID, m.ID, m.Text, m.Chat.Type
	case q.Message.InaccessibleMessage != nil:
		m := q.Message.InaccessibleMessage
		return m.Chat.ID, m.MessageID, "", m.Chat.Type
	}
	// A button of an inline-mode message: there is no chat; the user is one.
	return q.From.ID, 0, "", ""
}

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
	chat := updateChat(u)
	code, callbackID := "", ""
	private := false
	switch {
	case u.Message != nil:
		private = u.Message.Chat.Type == models.ChatTypePrivate
		if u.Message.From != nil {
			code = u.Message.From.LanguageCode
		}
	case u.CallbackQuery != nil:
		_, _, _, typ := callbackMessage(u.CallbackQuery)
		private = typ == models.ChatTypePrivate
		code, callbackID = u.CallbackQuery.From.LanguageCode, u.CallbackQuery.ID
	}
	if chat == 0 || !private {
		return nil
	}
	_, err = b.turn(ctx, u.ID, chat, func(s flows.Session) (decision, error) {
		d := decision{event: "apology"}
		d.out.answer(callbackID, "")
		b.notice(&d.out, b.lang(s.State, code), MsgError, nil, nil)
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
		if d.out.err != nil {
			return "", d.out.err
		}
		c := flows.Commit{UpdateID: updateID, Chat: chat, Outbox: d.out.rows, Delete: d.del}
		switch {
		case d.del:
			c.Session = flows.Session{Key: key}
		case d.state != nil:
			sess.State = *d.state
			c.Session = sess
		}
		b.sender.committing(chat)
		err = b.store.Commit(ctx, c)
		b.sender.committed(chat, c.Outbox, c.Delete, err == nil)
		switch {
		case err == nil && c.Delete:
			b.sessions.drop(key)
		case err == nil && c.Session.Key != "":
			// The store's revision is now one more than the one read.
			s := c.Session
			s.Rev++
			s.Updated = b.cfg.Now()
			b.sessions.put(s, s.Updated)
		case err != nil:
			b.sessions.drop(key) // read the store next time
		}
		switch {
		case err == nil:
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
	switch {
	case u.Message != nil && u.Message.Chat.Type == models.ChatTypePrivate:
		if cmd, ok := command(u.Message.Text); ok && (cmd == "/sos" || cmd == "/delete") {
			return 0, "", false, false
		}
		chat, code = u.Message.Chat.ID, languageCode(u.Message.From)
	case u.EditedMessage != nil && u.EditedMessage.Chat.Type == models.ChatTypePrivate:
		chat, code = u.EditedMessage.Chat.ID, languageCode(u.EditedMessage.From)
	case u.CallbackQuery != nil:
		if node, _, ok := parseCallback(u.CallbackQuery.Data); ok && node == cbDelete {
			return 0, "", false, false
		}
		c, _, _, typ := callbackMessage(u.CallbackQuery)
		if typ != models.ChatTypePrivate {
			return 0, "", false, false
		}
		chat, code = c, languageCode(&u.CallbackQuery.From)
	default:
		return 0, "", false, false
	}
	ok, notify := b.flood.take(chat, b.cfg.Now())
	return chat, code, !ok, notify
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
func (b *Bot) lang(st flows.State, code string) string {
	if st.Lang != "" && slices.Contains(b.loc.Languages(), st.Lang) {
		return st.Lang
	}
	return b.loc.Match(code)
}

func languageCode(u *models.User) string {
	if u == nil {
		return ""
	}
	return u.LanguageCode
}

// isMedia reports messages that carry a file the user may think of as
// evidence: those get an explanation that the bot neither reads nor keeps
// them. Stickers and the like get the engine's "please answer in text".
func isMedia(m *models.Message) bool {
	return len(m.Photo) > 0 || m.Document != nil || m.Video != nil || m.Voice != nil ||
		m.Audio != nil || m.VideoNote != nil || m.Animation != nil
}

// command splits "/Lang@RedressBot arg" into "/lang"; ok is false for text
// that is not a command.
func command(text string) (string, bool) {
	t := strings.TrimSpace(text)
	if !strings.HasPrefix(t, "/") || len(t) < 2 {
		return "", false
	}
	word, _, _ := strings.Cut(t, " ")
	word, _, _ = strings.Cut(word, "\n")
	word, _, _ = strings.Cut(word, "@")
	word = strings.ToLower(word)
	if len(word) < 2 {
		return "", false
	}
	for _, r := range word[1:] {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return "", false
		}
	}
	return word, true
}

// engineCommands are the commands the engine answers.
var engineCommands = map[string]flows.InputKind{
	"/start":   flows.InStart,
	"/back":    flows.InBack,
	"/restart": flows.InRestart,
	"/sos":     flows.InCrisis,
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
				return b.reask(st, lang, now, MsgTooLong, map[string]any{"max": int64(MaxMessageLen)}), nil
			}
			if cmd, ok := command(m.Text); ok {
				return b.command(st, lang, now, cmd), nil
			}
			return b.step(st, lang, flows.TextInput(m.Text, now)), nil
		case isMedia(m):
			return b.reask(st, lang, now, MsgMedia, nil), nil
		}
		// Stickers, locations, contacts, polls, dice, service messages...
		return b.step(st, lang, flows.Input{Kind: flows.InOther, Now: now}), nil
	})
}

// command answers a slash command in a private chat.
func (b *Bot) command(st flows.State, lang string, now time.Time, cmd string) decision {
	if kind, ok := engineCommands[cmd]; ok {
		return b.step(st, lang, flows.Input{Kind: kind, Now: now})
	}
	var d decision
	switch cmd {
	case "/help":
		if !st.Started() || st.Done {
			d.event = "help"
			b.notice(&d.out, lang, MsgHelp, nil, nil)
			return d
		}
		st.Lang = lang
		st2, r := b.cfg.Step(b.flow, st, flows.Input{Kind: flows.InHelp, Now: now})
		r.Messages = slices.DeleteFunc(r.Messages, func(m flows.Message) bool { return m.ID == flows.MsgNoHelp })
		r.Messages = append([]flows.Message{{ID: MsgHelp, Kind: flows.KindNotice}}, r.Messages...)
		b.reply(&d.out, lang, r, false)
		d.state, d.event = &st2, string(r.Event)
	case "/lang":
		d.event = "lang"
		var rows [][]button
		for _, l := range b.loc.Languages() {
			data := callbackData(cbLang, l)
			if len(data) > maxCBData {
				continue
			}
			rows = append(rows, []button{{Text: b.text(l, MsgLangName, nil), CallbackData: data}})
		}
		b.notice(&d.out, lang, MsgLangChoose, nil, &inlineKeyboard{InlineKeyboard: rows})
	case "/privacy":
		d.event = "privacy"
		b.notice(&d.out, lang, MsgPrivacy, map[string]any{"days": int64(b.cfg.Retention / (24 * time.Hour))}, nil)
	case "/delete":
		d.event = "delete?"
		b.notice(&d.out, lang, MsgDeleteConfirm, nil, &inlineKeyboard{InlineKeyboard: [][]button{
			{{Text: b.text(lang, MsgDeleteYes, nil), CallbackData: callbackData(cbDelete, "y")}},
			{{Text: b.text(lang, MsgDeleteNo, nil), CallbackData: callbackData(cbDelete, "n")}},
		}})
	default:
		return b.reask(st, lang, now, MsgUnknownCommand, nil)
	}
	return d
}

// step runs the engine and renders its reply; the state stored keeps the
// language the user is spoken to in.
func (b *Bot) step(st flows.State, lang string, in flows.Input) decision {
	st.Lang = lang
	st2, r := b.cfg.Step(b.flow, st, in)
	if st2.Lang == "" {
		st2.Lang = lang
	}
	b.logFaults(r)
	var d decision
	b.reply(&d.out, st2.Lang, r, false)
	d.state, d.event = &st2, string(r.Event)
	return d
}

// reask answers input that is not an answer with a transport notice in
// place of the engine's generic "please answer in text", then asks the
// question again (or starts the conversation for a new user).
func (b *Bot) reask(st flows.State, lang string, now time.Time, id string, params map[string]any) decision {
	st.Lang = lang
	st2, r := b.cfg.Step(b.flow, st, flows.Input{Kind: flows.InOther, Now: now})
	if st2.Lang == "" {
		st2.Lang = lang
	}
	b.logFaults(r)
	n := flows.Message{ID: id, Params: params, Kind: flows.KindNotice}
	if i := slices.IndexFunc(r.Messages, func(m flows.Message) bool { return m.ID == flows.MsgNotText }); i >= 0 {
		r.Messages = slices.Clone(r.Messages)
		r.Messages[i] = n
	} else {
		r.Messages = append([]flows.Message{n}, r.Messages...)
	}
	var d decision
	b.reply(&d.out, st2.Lang, r, false)
	d.state, d.event = &st2, "notice"
	return d
}

func (b *Bot) logFaults(r flows.Reply) {
	if len(r.Faults) > 0 {
		b.log.Error("flow expression failed", "faults", len(r.Faults), "event", r.Event)
	}
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
	if _, ok := command(m.Text); !ok {
		return "ignored", nil
	}
	if _, to, found := strings.Cut(strings.Fields(m.Text)[0], "@"); found && !strings.EqualFold(to, b.username) {
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
		switch {
		case ok && node == cbLang:
			return b.chooseLang(st, q.ID, msgID, key, now), nil
		case ok && node == cbDelete:
			return b.confirmDelete(ctx, chat, lang, q.ID, msgID, key, now)
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
		st.Lang = lang
		st2, r := b.cfg.Step(b.flow, st, in)
		if st2.Lang == "" {
			st2.Lang = lang
		}
		b.logFaults(r)
		d := decision{state: &st2, event: string(r.Event)}
		lang = st2.Lang
		switch r.Event {
		case "toggled":
			d.out.answer(q.ID, "")
			d.out.editKeyboard(msgID, b.keyboard(lang, r.Question))
			b.reply(&d.out, lang, r, true)
		case "invalid":
			// A button that is not a valid answer now (Done with nothing
			// ticked): say why in a pop-up; the question is still there.
			alert := ""
			for _, m := range r.Messages {
				if m.Kind == flows.KindNotice {
					alert = truncate(b.loc.Text(lang, m), 200)
					break
				}
			}
			d.out.answer(q.ID, alert)
		case "answered":
			d.out.answer(q.ID, "")
			if msgText != "" {
				line := b.text(lang, MsgAnswer, map[string]any{"answer": b.answerLabel(lang, node, st2.Answers[node])})
				edited := para{text: msgText}.html() + "\n\n" + para{text: line, style: "i"}.html()
				if textLen(edited) <= MaxMessageLen {
					d.out.editText(msgID, edited)
				} else {
					d.out.editKeyboard(msgID, nil)
				}
			} else {
				d.out.editKeyboard(msgID, nil)
			}
			b.reply(&d.out, lang, r, false)
		default: // stale, ended, started, ...: these buttons are dead
			d.out.answer(q.ID, "")
			d.out.editKeyboard(msgID, nil)
			b.reply(&d.out, lang, r, false)
		}
		return d, nil
	})
}

// answerLabel renders the answer just given to node, as shown under it.
func (b *Bot) answerLabel(lang, node string, a flows.Answer) string {
	n := b.flow.Nodes[node]
	if n == nil {
		return ""
	}
	if a.Unknown {
		return b.text(lang, n.Unknown, nil)
	}
	keys := a.Choices
	if a.Choice != "" {
		keys = []string{a.Choice}
	}
	var labels []string
	for _, k := range keys {
		for _, o := range n.Options {
			if o.Key == k {
				labels = append(labels, b.text(lang, o.Label, nil))
			}
		}
	}
	return strings.Join(labels, ", ")
}

// chooseLang switches the user's language and asks the question again in it.
func (b *Bot) chooseLang(st flows.State, callbackID string, msgID int, lang string, now time.Time) decision {
	var d decision
	d.out.answer(callbackID, "")
	if !slices.Contains(b.loc.Languages(), lang) {
		d.event = "stale"
		d.out.editKeyboard(msgID, nil)
		return d
	}
	st.Lang = lang
	d.state, d.event = &st, "lang"
	d.out.editText(msgID, escapeHTML(b.text(lang, MsgLangSet, nil)))
	if st.Started() && !st.Done {
		st2, r := b.cfg.Step(b.flow, st, flows.Input{Kind: flows.InRepeat, Now: now})
		if st2.Lang == "" {
			st2.Lang = lang
		}
		b.reply(&d.out, lang, r, false)
		d.state = &st2
	}
	return d
}

// DeleteWindow is how far back /delete deletes the bot's messages in a
// chat: Telegram lets a bot delete its messages for 48 hours. The store
// need not keep the log of sent messages longer (data.WithSentWindow).
const DeleteWindow = 47 * time.Hour

// confirmDelete carries out (or cancels) /delete: every row of the user in
// one transaction, and the conversation removed from the chat as far as
// Telegram allows (messages younger than 48 hours). In a private chat
// message IDs count up across both sides, so the range from the oldest
// recent bot message to the confirmation covers the user's messages too.
func (b *Bot) confirmDelete(ctx context.Context, chat int64, lang, callbackID string, msgID int, key string, now time.Time) (decision, error) {
	var d decision
	d.out.answer(callbackID, "")
	if key != "y" {
		d.event = "kept"
		d.out.editText(msgID, escapeHTML(b.text(lang, MsgDeleteCancelled, nil)))
		return d, nil
	}
	sent, err := b.store.RecentSent(ctx, chat, now.Add(-DeleteWindow))
	if err != nil {
		return d, fmt.Errorf("recent messages: %w", err)
	}
	lo, hi := int64(msgID), int64(msgID)
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
		for _, id := range append(sent, int64(msgID)) {
			ids = append(ids, int(id))
		}
	}
	d.out.deleteMessages(ids)
	n := len(d.out.rows)
	b.notice(&d.out, lang, MsgDeleteDone, nil, nil)
	d.out.unlogged(n) // nothing of the chat stays in the sent log
	d.del, d.event = true, "deleted"
	return d, nil
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
