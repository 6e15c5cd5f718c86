'use strict';
// The benchmark questionnaire of bench/questionnaire.yaml, for the grammY and
// Telegraf peers: the same six questions, buttons, answers shown under the
// question, and assessment as Redress sends. It is pure: decide() takes the
// session and one update and returns the new session and the Bot API calls
// to make, in order. Each peer stores sessions in SQLite (better-sqlite3)
// and makes the calls through its framework.

const QUESTIONS = [
  { id: 'q1_what', ask: 'Question 1 of 6. What happened to you online?', options: [
    ['lies', 'Someone spread lies about me'],
    ['insults', 'I was insulted or threatened'],
    ['doxxing', 'My personal information was published'],
  ] },
  { id: 'q2_where', ask: 'Question 2 of 6. Where did it happen?', options: [
    ['weibo', 'Weibo'], ['wechat', 'WeChat'], ['douyin', 'Douyin'], ['other', 'Somewhere else'],
  ] },
  { id: 'q3_public', ask: 'Question 3 of 6. Can anyone see the posts?', options: [['yes', 'Yes'], ['no', 'No']] },
  { id: 'q4_when', ask: 'Question 4 of 6. When did it last happen?', options: [
    ['week', 'In the last week'], ['month', 'In the last month'], ['older', 'Longer ago'],
  ] },
  { id: 'q5_evidence', ask: 'Question 5 of 6. Have you kept screenshots or links?', options: [['yes', 'Yes'], ['no', 'No']] },
  { id: 'q6_story', ask: 'Question 6 of 6. In a few words, what happened? (Only you can see this.)', text: true },
];

const SOURCES = {
  'S-01': 'Criminal Law of the PRC, as amended to Amendment XII (2023)',
  'S-02': 'Guiding Opinions on Punishing Cyber-Violence Crimes (SPC, SPP, MPS, 2023)',
};

const FINDINGS = [
  { when: (a) => a.q1_what === 'lies' && a.q3_public === 'yes', text: 'Lies that anyone can see may be defamation.', cite: ['S-01 Art. 246', 'S-02 Art. 2(1)'] },
  { when: (a) => a.q1_what === 'doxxing', text: "Publishing someone's personal information without consent may be an offence.", cite: ['S-01 Art. 253-1'] },
  { when: (a) => a.q5_evidence === 'no', text: 'Start keeping evidence now: screenshots with the date, and the links.', cite: ['S-02 Art. 2(1)'] },
  { when: (a) => a.q4_when === 'week', text: 'It is recent: the platform can still preserve the posts if you ask soon.', cite: ['S-02 Art. 2(1)'] },
];

const FOOTER = [
  'This is legal information, not legal advice. It is based only on your answers and on the law as published up to mid-2026. It cannot promise any result: the police, procuratorates and courts decide.',
  'For advice on your own case, call 12348 (free public legal services), contact a legal-aid centre, or talk to a lawyer. If you feel overwhelmed, you can call 12356.',
];

const TEXTS = {
  stale: 'That button belongs to an earlier question. Here is the current one.',
  useButtons: 'Please answer with the number of one of the options (1 to {count}).',
  ended: 'Your assessment is complete. Use /back to change your last answer, /restart to start a new one, or /sos if you need urgent help.',
  notText: 'I can only read typed answers here. Please answer the question below.',
  answer: 'Your answer: {answer}',
  intro: 'Thank you. Here is what your answers suggest.',
  heading: 'What may apply',
  sources: 'Sources cited above',
  tooLong: 'Please keep it under 2000 characters.',
};

function escapeHTML(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function keyboard(q) {
  if (!q.options) return undefined;
  return { inline_keyboard: q.options.map(([key, label]) => [{ text: label, callback_data: `v1:${q.id}:${key}` }]) };
}

function askCall(q) {
  return { method: 'sendMessage', text: escapeHTML(q.ask), html: true, keyboard: keyboard(q) };
}

function assessment(answers) {
  const paras = [escapeHTML(TEXTS.intro), `<b>${escapeHTML(TEXTS.heading)}</b>`];
  const cited = new Set();
  for (const f of FINDINGS) {
    if (!f.when(answers)) continue;
    for (const c of f.cite) cited.add(c.split(' ')[0]);
    paras.push(escapeHTML(`${f.text} [Sources: ${f.cite.join('; ')}]`));
  }
  for (const p of FOOTER) paras.push(escapeHTML(p));
  paras.push(`<b>${escapeHTML(TEXTS.sources)}</b>`);
  for (const id of Object.keys(SOURCES)) if (cited.has(id)) paras.push(escapeHTML(`${id}: ${SOURCES[id]}`));
  return paras.join('\n\n');
}

function fresh() {
  return { node: 0, answers: {}, done: false };
}

// decide returns [session, calls] for one update: {kind: 'text', text} or
// {kind: 'press', data, messageId, messageText, callbackId}.
function decide(session, input) {
  const s = session ? { node: session.node, answers: { ...session.answers }, done: session.done } : null;
  const calls = [];
  if (input.kind === 'press') calls.push({ method: 'answerCallbackQuery', callbackId: input.callbackId });
  if (input.kind === 'text' && input.text.trim().startsWith('/')) {
    const cmd = input.text.trim().split(/[\s@]/)[0].toLowerCase();
    if (cmd === '/start' || cmd === '/restart') {
      if (s && !s.done && cmd === '/start') { calls.push(askCall(QUESTIONS[s.node])); return [s, calls]; }
      const n = fresh();
      calls.push(askCall(QUESTIONS[0]));
      return [n, calls];
    }
  }
  if (!s) { const n = fresh(); calls.push(askCall(QUESTIONS[0])); return [n, calls]; }
  if (s.done) { calls.push({ method: 'sendMessage', text: escapeHTML(TEXTS.ended), html: true }); return [s, calls]; }
  const q = QUESTIONS[s.node];
  if (input.kind === 'press') {
    const [, node, key] = String(input.data || '').split(':');
    const opt = q.options && q.options.find(([k]) => k === key);
    if (node !== q.id || !opt) {
      calls.push({ method: 'editMessageReplyMarkup', messageId: input.messageId, keyboard: { inline_keyboard: [] } });
      calls.push({ method: 'sendMessage', text: escapeHTML(TEXTS.stale), html: true });
      calls.push(askCall(q));
      return [s, calls];
    }
    s.answers[q.id] = key;
    const line = `<i>${escapeHTML(TEXTS.answer.replace('{answer}', opt[1]))}</i>`;
    calls.push({ method: 'editMessageText', messageId: input.messageId, text: `${escapeHTML(input.messageText || q.ask)}\n\n${line}`, html: true, keyboard: { inline_keyboard: [] } });
    s.node++;
    calls.push(askCall(QUESTIONS[s.node]));
    return [s, calls];
  }
  if (!q.text) {
    calls.push({ method: 'sendMessage', text: escapeHTML(TEXTS.useButtons.replace('{count}', q.options.length)), html: true });
    calls.push(askCall(q));
    return [s, calls];
  }
  if (input.text.length > 2000) {
    calls.push({ method: 'sendMessage', text: escapeHTML(TEXTS.tooLong), html: true });
    calls.push(askCall(q));
    return [s, calls];
  }
  s.answers[q.id] = input.text;
  s.done = true;
  calls.push({ method: 'sendMessage', text: assessment(s.answers), html: true });
  return [s, calls];
}

module.exports = { decide, QUESTIONS };
