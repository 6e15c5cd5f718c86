'use strict';
// The benchmark questionnaire as a grammY bot: long polling through
// @grammyjs/runner (as grammY's docs advise for throughput), updates of one
// chat in order through the runner's sequentialize(), and one session row
// per chat in SQLite through better-sqlite3 (WAL, synchronous=NORMAL, as
// Redress). Environment: TELEGRAM_BOT_TOKEN, TELEGRAM_API_URL, BENCH_DB.
const http = require('node:http');
const https = require('node:https');
const Database = require('better-sqlite3');
const { Bot } = require('grammy');
const { run, sequentialize } = require('@grammyjs/runner');
const { decide } = require('../common/questionnaire.js');

const token = process.env.TELEGRAM_BOT_TOKEN;
const apiRoot = process.env.TELEGRAM_API_URL || 'https://api.telegram.org';
if (!token) { console.error('TELEGRAM_BOT_TOKEN is not set'); process.exit(2); }

const db = new Database(process.env.BENCH_DB || 'grammy-bench.db');
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 5000');
db.exec('CREATE TABLE IF NOT EXISTS sessions (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
const getStmt = db.prepare('SELECT value FROM sessions WHERE key = ?');
const putStmt = db.prepare('INSERT INTO sessions (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');

// Sessions are read and written per update, around the handler, like
// grammY's session() middleware with an external storage adapter.
const agent = apiRoot.startsWith('https:') ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
const bot = new Bot(token, { client: { apiRoot, baseFetchConfig: { agent, compress: true } } });

const chatKey = (ctx) => ctx.chat?.id.toString();
bot.use(sequentialize(chatKey));

async function perform(ctx, chatId, calls) {
  for (const c of calls) {
    const extra = c.html ? { parse_mode: 'HTML' } : {};
    switch (c.method) {
      case 'answerCallbackQuery':
        await ctx.api.answerCallbackQuery(c.callbackId);
        break;
      case 'sendMessage':
        await ctx.api.sendMessage(chatId, c.text, { ...extra, reply_markup: c.keyboard, link_preview_options: { is_disabled: true } });
        break;
      case 'editMessageText':
        await ctx.api.editMessageText(chatId, c.messageId, c.text, { ...extra, reply_markup: c.keyboard, link_preview_options: { is_disabled: true } });
        break;
      case 'editMessageReplyMarkup':
        await ctx.api.editMessageReplyMarkup(chatId, c.messageId, { reply_markup: c.keyboard });
        break;
      default:
        throw new Error('unknown call ' + c.method);
    }
  }
}

async function handle(ctx, input) {
  if (ctx.chat?.type !== 'private') return;
  const key = chatKey(ctx);
  const row = getStmt.get(key);
  const [session, calls] = decide(row ? JSON.parse(row.value) : null, input);
  putStmt.run(key, JSON.stringify(session));
  await perform(ctx, ctx.chat.id, calls);
}

bot.on('message:text', (ctx) => handle(ctx, { kind: 'text', text: ctx.message.text }));
bot.on('callback_query:data', (ctx) => handle(ctx, {
  kind: 'press', data: ctx.callbackQuery.data, callbackId: ctx.callbackQuery.id,
  messageId: ctx.callbackQuery.message?.message_id, messageText: ctx.callbackQuery.message?.text,
}));
bot.catch((err) => console.error('update failed:', err.error?.message || err.message));

const runner = run(bot);
const stop = () => { if (runner.isRunning()) runner.stop().then(() => { db.close(); process.exit(0); }); };
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
console.error('grammY bench bot polling', apiRoot);
