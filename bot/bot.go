// Package bot is the Telegram transport of Redress: it turns Telegram
// updates into engine inputs and engine replies into Bot API calls.
//
// Read it in the order an update flows:
//
//	bot.go            Config, New, Run: start-up (getMe, setMyCommands), shutdown
//	get_updates.go    the poll loop (poll) and its offset bookkeeping (offsets);
//	                  webhook.go is the other way in; both hand updates over as Bot.job
//	decode_update.go  an update decoded, and its origin (chat, private, language, button)
//	queue.go          the scheduler: in order per chat, concurrent across chats
//	process_update.go handling: flood check, then parse → decide (package commands,
//	                  the one wrapper around the engine) → render → persist (turn:
//	                  one store commit per update), the erase of /delete
//	render.go         a reply as Bot API calls: paragraphs packed, keyboards, callback data
//	outbox.go         an outbox row's format, both ways (written by handling, read by the sender)
//	send.go           the sender: delivers the outbox in order per chat
//	api.go            our own JSON calls to the Bot API (jsonscan.go reads their answers)
//	retry.go          backoff and retrying, for every stage
//	sessions.go, flood.go, messages.go, store.go, transport.go: what the stages share
//
// Its guarantees, and how they are kept:
//   - Updates of one chat are handled strictly in order, different chats
//     concurrently with a bound (queue.go).
//   - Exactly once: each update is one store.Commit holding the update ID,
//     the session (compare-and-swap) and the replies (outbox). A re-delivered
//     update is a duplicate that changes and sends nothing. Long polling
//     confirms an update to Telegram only once it is committed (get_updates.go);
//     a webhook request is answered 200 only then (webhook.go).
//   - The outbox is delivered in order per chat, honouring 429 retry_after,
//     retrying 5xx and network errors with backoff and jitter, marking a chat
//     inactive on 403 (send.go). Each row is recorded as delivered before
//     the chat's next call, so a crash repeats at most the one call per chat
//     that was in flight: Telegram has no idempotent send. The rows of a
//     commit are handed to the sender in memory; the store is read only for
//     rows it was not handed (after a restart, and as a periodic check).
//   - Anything unexpected (stickers, photos, edits, groups, channel posts,
//     huge texts, unknown buttons) gets a localized answer or deliberate
//     silence; a panic is recovered, logged without content and answered
//     with an apology (process_update.go).
//
// Logs carry update, chat and row IDs, events, timings and errors, never
// what a user wrote or was told.
//
// The package imports no project package but flows and commands:
// persistence is the Store interface (flows.OutboxStore), text is a
// flows.Localizer; commands and menus are decided by package commands.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/redress-legal/redress/commands"
	"github.com/redress-legal/redress/flows"
	"github.com/redress-legal/redress/papers"
)

// DefaultAPIURL is the Bot API served by Telegram.
const DefaultAPIURL = "https://api.telegram.org"

// Config is what a Bot needs. Token, Store, Flow and Localizer are required.
type Config struct {
	Token  string // the bot token from BotFather
	APIURL string // Bot API base URL; DefaultAPIURL when empty
	Store  Store  // sessions, processed updates and the outbox
	// Evidence keeps the users' evidence logs (/evidence, and the photos,
	// videos and files they send); nil: no evidence log is offered.
	Evidence  flows.EvidenceStore
	Flow      *flows.Flow     // the conversation
	Localizer flows.Localizer // message IDs to text
	Logger    *slog.Logger    // nil: slog.Default()
	// Distress reports whether a typed message says the person may be in
	// danger or thinking of suicide or self-harm: it gets the crisis help,
	// then the question again, and is never held back by the flood limit.
	// nil: only /sos and the flow's own options bring the crisis help.
	Distress func(text string) bool

	Workers      int           // updates handled at once, each of another chat (default 8)
	SendWorkers  int           // chats delivered to at once (default 32)
	MaxInflight  int           // updates fetched and not yet settled (default 1000)
	PollTimeout  time.Duration // long-polling timeout (default 50s)
	DrainTimeout time.Duration // budget for finishing work at shutdown (default 20s)
	OutboxPoll   time.Duration // outbox check interval without a wake-up (default 2s)
	Retention    time.Duration // how long idle sessions are kept, shown by /privacy (default 90 days)
	FloodBurst   int           // updates one chat may send at once before being slowed down (default 60)
	FloodEvery   time.Duration // one more update allowed per this interval (default 1s)
	HTTPClient   *http.Client  // nil: a client with a 30s timeout per call and a keep-alive connection per worker

	// Papers makes the documents to file (/documents), sent as .docx
	// files; nil: /documents says they cannot be made.
	Papers *papers.Set
	// Org is the organisation running the bot, shown to users in the
	// summary and under "Who can help"; zero: none.
	Org commands.Org
	// Metrics receives counts of what the bot does (never content or
	// identifiers); nil: none are kept.
	Metrics Metrics
	// HandoffChat is the volunteers' chat (a group's ID) that case cards
	// are posted to; 0: this instance has no hand-off, and /human says
	// how to reach people instead. Cases keeps the cases (required with
	// HandoffChat). HandoffLang is the language of the cards and of the
	// bot's messages in that chat (default: the catalogs' first).
	HandoffChat int64
	HandoffLang string
	Cases       flows.HandoffStore
	// AdminIDs are the Telegram user IDs that may read /stats (counts
	// only) in their private chat with the bot; Stats reads them.
	AdminIDs []int64
	Stats    flows.StatsStore

	// Now is the clock given to the engine; nil: time.Now.
	Now func() time.Time
	// Step is the engine; nil: flows.Step. Tests replace it.
	Step func(*flows.Flow, flows.State, flows.Input) (flows.State, flows.Reply)
}

// Bot is a running Telegram transport. Create it with New, then call Run
// (long polling) or RunWebhook once.
type Bot struct {
	cfg      Config
	store    Store
	flow     *flows.Flow
	loc      flows.Localizer
	log      *slog.Logger
	api      *api
	sender   *sender
	sched    *scheduler
	offsets  *offsets // the poll loop's, for the confirmation at shutdown
	flood    *floodGuard
	sessions *sessionCache
	env      *commands.Env // commands, menus and the engine
	metrics  Metrics
	contact  *contact // when Telegram last answered, for CheckTelegram
	username string

	stopSend context.CancelFunc
	sendDone chan struct{}
	closing  atomic.Bool
}

// allowedUpdates are the update kinds we ask Telegram for; others (channel
// posts included) are ignored deliberately if they come anyway.
var allowedUpdates = []string{models.AllowedUpdateMessage, models.AllowedUpdateEditedMessage, models.AllowedUpdateCallbackQuery}

// New checks cfg and makes a Bot; it does not contact Telegram.
func New(cfg Config) (*Bot, error) {
	switch {
	case strings.TrimSpace(cfg.Token) == "":
		return nil, errors.New("bot: no Telegram bot token")
	case cfg.Store == nil:
		return nil, errors.New("bot: no store")
	case cfg.Flow == nil:
		return nil, errors.New("bot: no flow")
	case cfg.Localizer == nil:
		return nil, errors.New("bot: no localizer")
	case cfg.HandoffChat != 0 && cfg.Cases == nil:
		return nil, errors.New("bot: a hand-off chat needs a store of cases")
	case cfg.HandoffChat > 0:
		return nil, fmt.Errorf("bot: hand-off chat %d is not a group: a group's ID is negative", cfg.HandoffChat)
	}
	if cfg.HandoffLang == "" || !slices.Contains(cfg.Localizer.Languages(), cfg.HandoffLang) {
		if cfg.HandoffLang != "" {
			return nil, fmt.Errorf("bot: hand-off language %q has no catalog", cfg.HandoffLang)
		}
		if langs := cfg.Localizer.Languages(); len(langs) > 0 {
			cfg.HandoffLang = langs[0]
		}
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.SendWorkers <= 0 {
		cfg.SendWorkers = 32
	}
	if cfg.MaxInflight <= 0 {
		cfg.MaxInflight = 1000
	}
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = 50 * time.Second
	}
	if cfg.DrainTimeout <= 0 {
		cfg.DrainTimeout = 20 * time.Second
	}
	if cfg.OutboxPoll <= 0 {
		cfg.OutboxPoll = 2 * time.Second
	}
	if cfg.Retention <= 0 {
		cfg.Retention = 90 * 24 * time.Hour
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = defaultHTTPClient(cfg.SendWorkers)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Metrics == nil {
		cfg.Metrics = nopMetrics{}
	}
	if cfg.Step == nil {
		cfg.Step = flows.Step
	}
	b := &Bot{cfg: cfg, store: cfg.Store, flow: cfg.Flow, loc: cfg.Localizer, log: cfg.Logger,
		flood: newFloodGuard(cfg.FloodBurst, cfg.FloodEvery), sessions: newSessionCache(sessionCacheMax, sessionTTL),
		metrics: cfg.Metrics, contact: &contact{}}
	b.env = &commands.Env{Flow: cfg.Flow, Loc: cfg.Localizer, Engine: cfg.Step, Distress: cfg.Distress, Org: cfg.Org, Texts: commands.Texts{
		Help:          MsgHelp,
		Privacy:       MsgPrivacy,
		PrivacyParams: map[string]any{"days": int64(cfg.Retention / (24 * time.Hour))},
		DeleteConfirm: MsgDeleteConfirm,
		DeleteDone:    MsgDeleteDone,
		EvidenceHow:   MsgEvidenceHow,
		Human:         MsgHumanNone,
	}, Handoff: cfg.HandoffChat != 0, Documents: cfg.Papers != nil}
	if cfg.Evidence != nil {
		b.env.EvidenceLog, b.env.MaxFileSize = cfg.Evidence, MaxFileSize
	}
	a, err := newAPI(cfg.APIURL, cfg.Token, observe(cfg.HTTPClient, cfg.Metrics, b.contact), func(err error) {
		b.log.Debug("telegram client", "err", logErr(err))
	})
	if err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	b.api = a
	b.sender = newSender(senderDeps{store: cfg.Store, api: a, log: cfg.Logger, poll: cfg.OutboxPoll, now: cfg.Now,
		idle: b.sessions.prune, metrics: cfg.Metrics}, cfg.SendWorkers)
	return b, nil
}

// Run serves by long polling until ctx ends, then drains: the updates
// already fetched are handled and the outbox delivered (within
// DrainTimeout), and Run returns nil. It returns an error at once when
// Telegram refuses the token.
func (b *Bot) Run(ctx context.Context) error {
	if err := b.prepare(ctx); err != nil {
		return stopped(ctx, err)
	}
	// getUpdates fails while a webhook is set. Pending updates are kept.
	if err := b.retry(ctx, "deleteWebhook", func() error {
		_, err := b.api.tg.DeleteWebhook(ctx, &tgbot.DeleteWebhookParams{})
		return err
	}); err != nil {
		return stopped(ctx, err)
	}
	b.start(ctx)
	b.log.Info("serving by long polling", "bot", b.username, "last_update", b.lastUpdate(ctx))
	err := b.poll(ctx)
	b.shutdown()
	b.confirmSettled()
	return err
}

// stopped is nil when err only says that ctx ended: a stop during start-up
// is a clean exit, not a failure.
func stopped(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// prepare checks the token (getMe) and sets the command menus.
func (b *Bot) prepare(ctx context.Context) error {
	var me *models.User
	if err := b.retry(ctx, "getMe", func() (err error) {
		me, err = b.api.tg.GetMe(ctx)
		return err
	}); err != nil {
		return err
	}
	b.username = me.Username
	b.setCommands(ctx)
	return nil
}

// lastUpdate is the highest update committed so far, for the start-up log.
func (b *Bot) lastUpdate(ctx context.Context) int64 {
	id, err := b.store.LastUpdateID(ctx)
	if err != nil {
		b.log.Warn("last update ID", "err", err)
	}
	return id
}

// menuCommands lists Telegram's command menu, in menu order.
var menuCommands = []struct{ name, msg string }{
	{"start", MsgCmdStart}, {"sos", MsgCmdSOS}, {"back", MsgCmdBack}, {"restart", MsgCmdRestart},
	{"help", MsgCmdHelp}, {"lang", MsgCmdLang}, {"report", MsgCmdReport}, {"evidence", MsgCmdEvidence}, {"documents", MsgCmdDocuments},
	{"human", MsgCmdHuman}, {"privacy", MsgCmdPrivacy}, {"delete", MsgCmdDelete},
}

// setCommands sets the command menu of private chats in every language,
// and in the source language for users whose language has none. Failure
// is logged, not fatal: the commands work without a menu.
func (b *Bot) setCommands(ctx context.Context) {
	langs := b.loc.Languages()
	set := func(lang, code string) {
		var cmds []models.BotCommand
		for _, c := range menuCommands {
			if c.name == string(commands.Evidence) && b.cfg.Evidence == nil {
				continue
			}
			cmds = append(cmds, models.BotCommand{Command: c.name, Description: truncate(b.text(lang, c.msg, nil), 256)})
		}
		for attempt := 0; attempt < 3; attempt++ {
			_, err := b.api.tg.SetMyCommands(ctx, &tgbot.SetMyCommandsParams{
				Commands: cmds, Scope: &models.BotCommandScopeAllPrivateChats{}, LanguageCode: code,
			})
			if err == nil {
				return
			}
			b.log.Warn("setMyCommands failed", "lang", code, "err", logErr(err))
			if errors.Is(err, tgbot.ErrorBadRequest) || !sleep(ctx, backoff(attempt)) {
				return
			}
		}
	}
	seen := map[string]bool{}
	for i, lang := range langs {
		if i == 0 {
			set(lang, "")
		}
		code, _, _ := strings.Cut(strings.ToLower(lang), "-") // Telegram takes ISO 639-1 codes
		if !seen[code] {
			seen[code] = true
			set(lang, code)
		}
	}
}

// start launches the workers and the sender. Work continues after ctx ends,
// until shutdown has drained it.
func (b *Bot) start(ctx context.Context) {
	work := context.WithoutCancel(ctx)
	b.sched = newScheduler(work, b.cfg.Workers)
	sendCtx, cancel := context.WithCancel(work)
	b.stopSend = cancel
	b.sendDone = make(chan struct{})
	go func() {
		defer close(b.sendDone)
		b.sender.run(sendCtx)
	}()
}

// shutdown finishes the updates accepted and delivers the outbox, within
// DrainTimeout; what is left is delivered after the next start.
func (b *Bot) shutdown() {
	b.closing.Store(true)
	ctx, cancel := context.WithTimeout(context.Background(), b.cfg.DrainTimeout)
	defer cancel()
	start := time.Now()
	b.sched.drain(ctx)
	b.sender.drain()
	select {
	case <-b.sendDone:
	case <-ctx.Done():
		b.log.Warn("shutdown: outbox not empty; the rest is sent after the next start")
	}
	b.stopSend()
	<-b.sendDone
	b.log.Info("stopped", "drain_ms", time.Since(start).Milliseconds())
}
