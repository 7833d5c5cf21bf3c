-- Version 22: messages_phone holds only the kinds looked up by phone (store/community/poll_privacy.py: the
-- replies and announcements that carry a poll's answers), no longer every digest. An evening's digests reach
-- the index in guardian order, that is at random phones: each one dirtied its own leaf page, written to the
-- WAL at its commit and again at the checkpoint (~25 us of the ~35 us of a digest's insert at 100k
-- guardians; bench/bench_digest.py). The other indexes of messages grow at their end. A query using the
-- index names the same kinds, in the same words, so that SQLite sees it may (the partial index rule).
DROP INDEX messages_phone;
CREATE INDEX messages_phone ON messages (phone, created_at) WHERE kind IN ('reply', 'announcement');
