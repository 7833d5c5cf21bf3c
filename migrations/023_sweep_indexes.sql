-- Version 23: the sender's sweep (every third of a lease, ~11 s, inside the write lock) reads only what it
-- changes. Its expiry of queued rows whose validity passed walked every queued row (a province's 100k digests
-- held for the morning or going out: 37-68 ms a sweep warm, 1 s cold, the lock held throughout), and its
-- `unknown` of parts whose receipt never came scanned every part ever sent (millions after a few months).
-- Both indexes hold only the rows in that state, so they stay small; their WHERE is word for word the
-- sweep's (outbox/delivery.py), as SQLite uses a partial index only for a query that names its terms.
-- IF NOT EXISTS: a database made from a later schema.sql and set back (the migration tests) has them already.
CREATE INDEX IF NOT EXISTS messages_queued_valid ON messages (valid_until) WHERE state IN ('queued');
CREATE INDEX IF NOT EXISTS message_parts_submitted ON message_parts (submitted_at) WHERE state IN ('submitted');
