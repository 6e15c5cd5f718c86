'use strict';
// The benchmark questionnaire as a Telegraf bot: Telegraf's own long polling
// (bot.launch), one session row per chat in SQLite through better-sqlite3
// (WAL, synchronous=NORMAL, as Redress), through Telegraf's session()
// middleware with a custom store. Environment: TELEGRAM_BOT_TOKEN,
// TELEGRAM_API_URL, BENCH_DB.
const http = require('node:http');
const https = require('node:https');
const Database = require('better-sqlite3');
const { Telegraf, session } = require('telegraf');
const { decide } = require('../common/questionnaire.js');

const token = process.env.TELEGRAM_BOT_TOKEN;
const apiRoot = process.env.TELEGRAM_API_URL || 'https://api.telegram.org';
if (!token) { console.error('TELEGRAM_BOT_TOKEN is not set'); process.exit(2); }

const db = new Database(process.env.BENCH_DB || 'telegraf-bench.db');
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 5000');
db.exec('CREATE TABLE IF NOT EXISTS sessions (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
const getStmt = db.prepare('SELECT value FROM sessions WHERE key = ?');
const putStmt = db.prepare('INSERT INTO sessions (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
const delStmt = db.prepare('DELETE FROM sessions WHERE key = ?');

const store = {
  get: (key) => { const row = getStmt.get(key); return row ? JSON.parse(row.value) : undefined; },
  set: (key, value) => { putStmt.run(key, JSON.stringify(value)); },
  delete: (key) => { delStmt.run(key); },
};

const agent = apiRoot.startsWith('https:') ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
const bot = new Telegraf(token, { telegram: { apiRoot, agent } });
bot.use(session({ store, getSessionKey: (ctx) => ctx.chat && String(ctx.chat.id), defaultSession: () => ({}) }));

async function perform(ctx, chatId, calls) {
  for (const c of calls) {
    const extra = c.html ? { parse_mode: 'HTML' } : {};
    switch (c.method) {
      case 'answerCallbackQuery':
        await ctx.telegram.answerCbQuery(c.callbackId);
        break;
      case 'sendMessage':
        await ctx.telegram.sendMessage(chatId, c.text, { ...extra, reply_markup: c.keyboard, link_preview_options: { is_disabled: true } });
        break;
      case 'editMessageText':
        await ctx.telegram.editMessageText(chatId, c.messageId, undefined, c.text, { ...extra, reply_markup: c.keyboard, link_preview_options: { is_disabled: true } });
        break;
      case 'editMessageReplyMarkup':
        await ctx.telegram.editMessageReplyMarkup(chatId, c.messageId, undefined, c.keyboard);
        break;
      default:
        throw new Error('unknown call ' + c.method);
    }
  }
}

async function handle(ctx, input) {
  if (ctx.chat?.type !== 'private') return;
  const prev = ctx.session && ctx.session.node !== undefined ? ctx.session : null;
  const [next, calls] = decide(prev, input);
  ctx.session = next;
  await perform(ctx, ctx.chat.id, calls);
}

bot.on('text', (ctx) => handle(ctx, { kind: 'text', text: ctx.message.text }));
bot.on('callback_query', (ctx) => handle(ctx, {
  kind: 'press', data: ctx.callbackQuery.data, callbackId: ctx.callbackQuery.id,
  messageId: ctx.callbackQuery.message?.message_id, messageText: ctx.callbackQuery.message?.text,
}));
bot.catch((err) => console.error('update failed:', err.message));

bot.launch({ dropPendingUpdates: false }).catch((err) => { console.error('launch failed:', err.message); process.exit(1); });
const stop = (sig) => { bot.stop(sig); db.close(); process.exit(0); };
process.once('SIGINT', () => stop('SIGINT'));
process.once('SIGTERM', () => stop('SIGTERM'));
console.error('Telegraf bench bot polling', apiRoot);
