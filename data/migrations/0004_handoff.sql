-- 0003: the operator's statistics and hand-off cases (issue 12 §4, §5).

-- stats holds counters per ISO week (China time): conversations started
-- and completed, languages, findings of the assessment, hand-offs. Nothing
-- in it names a user, a chat or a time finer than the week, and one
-- counter adds up many conversations, so /delete has nothing to remove
-- here and retention keeps it.
CREATE TABLE stats (
	week  TEXT    NOT NULL,
	kind  TEXT    NOT NULL,
	value TEXT    NOT NULL,
	n     INTEGER NOT NULL CHECK (n > 0),
	PRIMARY KEY (week, kind, value)
) WITHOUT ROWID;

-- handoffs holds the cases handed to a volunteer of the operator's group.
-- chat is the person's chat as a keyed hash (data/index.go), so /delete
-- finds their cases; data is the sealed JSON of what relaying needs (the
-- chat ID, the language, the volunteer's first name and user ID), bound
-- to the case ID. No text the person or the volunteer wrote is kept.
CREATE TABLE handoffs (
	id      TEXT    PRIMARY KEY NOT NULL,
	chat    INTEGER NOT NULL,
	status  INTEGER NOT NULL CHECK (status IN (0, 1, 2)),
	data    BLOB    NOT NULL,
	created INTEGER NOT NULL,
	updated INTEGER NOT NULL
);
CREATE INDEX handoffs_chat ON handoffs (chat);
CREATE INDEX handoffs_updated ON handoffs (updated);

-- handoff_msgs lists the messages posted in the volunteers' chat for a
-- case (its card, the person's relayed messages): the outbox row, then the
-- message ID once delivered, so that they can be edited when the case is
-- closed or erased.
CREATE TABLE handoff_msgs (
	row        INTEGER PRIMARY KEY,
	handoff    TEXT    NOT NULL REFERENCES handoffs (id) ON DELETE CASCADE,
	message_id INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX handoff_msgs_handoff ON handoff_msgs (handoff);
