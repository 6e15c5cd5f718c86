-- 0001: sessions and database metadata.
-- Times are INTEGER Unix nanoseconds (UTC). Sealed values are AES-256-GCM:
-- version byte || 12-byte nonce || ciphertext || 16-byte tag (see crypt.go).

-- meta holds named values of the database itself: key_check is a value
-- sealed under the encryption key, so Open can tell a wrong key at once.
CREATE TABLE meta (
	name  TEXT PRIMARY KEY NOT NULL,
	value BLOB NOT NULL
);

-- sessions holds one conversation per key ("tg:<chat>", "local:<name>").
-- state is the sealed JSON of flows.State; its additional data binds the
-- key, so a sealed state cannot be moved to another session.
CREATE TABLE sessions (
	key     TEXT    PRIMARY KEY NOT NULL,
	rev     INTEGER NOT NULL CHECK (rev > 0),
	updated INTEGER NOT NULL,
	state   BLOB    NOT NULL
);

-- PurgeIdle: sessions not updated since a time.
CREATE INDEX sessions_updated ON sessions (updated);
