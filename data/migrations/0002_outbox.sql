-- 0002: what transports need: processed updates, the outbox, the log of
-- sent messages and the chats marked inactive.

-- updates records the update IDs committed, so a re-delivered update is
-- recognised. Retention trims old rows but always keeps the highest.
CREATE TABLE updates (
	update_id INTEGER PRIMARY KEY,
	processed INTEGER NOT NULL
);
CREATE INDEX updates_processed ON updates (processed);

-- outbox holds the API calls waiting to be delivered, in id order.
-- AUTOINCREMENT: ids are never reused, even after every row was delivered.
-- payload is sealed; its additional data binds id, chat and method.
CREATE TABLE outbox (
	id      INTEGER PRIMARY KEY AUTOINCREMENT,
	chat    INTEGER NOT NULL,
	method  TEXT    NOT NULL,
	payload BLOB    NOT NULL,
	created INTEGER NOT NULL
);
-- Inactive and delete: the rows of one chat.
CREATE INDEX outbox_chat ON outbox (chat);

-- sent logs the message IDs the transport gave delivered messages, so
-- /delete can ask it to delete the bot's recent messages.
CREATE TABLE sent (
	id         INTEGER PRIMARY KEY,
	chat       INTEGER NOT NULL,
	message_id INTEGER NOT NULL,
	sent_at    INTEGER NOT NULL
);
-- RecentSent and delete: one chat's messages since a time.
CREATE INDEX sent_chat ON sent (chat, sent_at);
-- Retention: messages sent before a time.
CREATE INDEX sent_at ON sent (sent_at);

-- chats holds the chats ever marked inactive (the user blocked the bot);
-- a later commit for the chat sets inactive back to 0.
CREATE TABLE chats (
	chat     INTEGER PRIMARY KEY,
	inactive INTEGER NOT NULL CHECK (inactive IN (0, 1)),
	updated  INTEGER NOT NULL
);
CREATE INDEX chats_updated ON chats (updated);
