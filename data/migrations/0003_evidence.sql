-- 0003: the evidence log (flows.EvidenceItem): what each user added, in
-- order, append-only. A removal is recorded (removed), never an erasure;
-- /delete and retention erase a user's whole log with the session.

-- key is the keyed hash of the session key, as in sessions. sealed is the
-- sealed JSON of the item's sensitive fields (description, URL, file name
-- and hash); its additional data binds the session key and seq, so a
-- sealed value cannot be moved to another item or user. File bytes are
-- never stored.
CREATE TABLE evidence (
	key       TEXT    NOT NULL,
	seq       INTEGER NOT NULL CHECK (seq > 0),
	kind      TEXT    NOT NULL CHECK (kind IN ('file', 'link', 'note')),
	size      INTEGER NOT NULL DEFAULT 0,
	mime      TEXT    NOT NULL DEFAULT '',
	platform  TEXT    NOT NULL DEFAULT '',
	views     INTEGER NOT NULL DEFAULT 0,
	reposts   INTEGER NOT NULL DEFAULT 0,
	comments  INTEGER NOT NULL DEFAULT 0,
	likes     INTEGER NOT NULL DEFAULT 0,
	seen_at   INTEGER NOT NULL DEFAULT 0, -- 0: not given
	received  INTEGER NOT NULL,
	removed   INTEGER NOT NULL DEFAULT 0, -- 0: still counts
	update_id INTEGER NOT NULL DEFAULT 0, -- 0: none
	sealed    BLOB    NOT NULL,
	PRIMARY KEY (key, seq)
) WITHOUT ROWID;

-- AddEvidence: an item of the same update already recorded.
CREATE INDEX evidence_update ON evidence (key, update_id) WHERE update_id != 0;
