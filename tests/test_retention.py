"""SMS bodies are purged after retention.message_body_days; states and counts stay."""
from __future__ import annotations

from datetime import timedelta

from store.core.clock import iso, utcnow
from store.messaging.retention import purge_bodies


def test_old_bodies_go_states_stay(db):
    old, new = iso(utcnow() - timedelta(days=200)), iso(utcnow())
    for when, state in ((old, "delivered"), (old, "queued"), (new, "delivered")):
        db.execute("INSERT INTO messages (connection, phone, body, kind, state, not_before, created_at, updated_at) "
                   "VALUES ('default', '+84912345678', 'Diem Toan 8', 'reply', ?, ?, ?, ?)", [state, when, when, when])
    for when, state in ((old, "answered"), (old, "received"), (new, "answered")):
        db.execute("INSERT INTO inbox (connection, source_addr, phone, text, dedup_key, received_at, state) "
                   "VALUES ('default', '84912345678', '+84912345678', 'DIEM TOAN', 'k', ?, ?)", [when, state])
    assert purge_bodies(db, 180) == {"inbox": 1, "messages": 1, "receipts": 0}
    assert [r[0] for r in db.execute("SELECT body FROM messages ORDER BY id")] == [None, "Diem Toan 8", "Diem Toan 8"]
    assert [r[0] for r in db.execute("SELECT text FROM inbox ORDER BY id")] == [None, "DIEM TOAN", "DIEM TOAN"]
    assert db.execute("SELECT count(*), count(state) FROM messages").fetchone() == (3, 3)
    assert purge_bodies(db, 180) == {"inbox": 0, "messages": 0, "receipts": 0}


def test_mk_codes_are_blanked_once_expired_unless_still_on_their_way(db):
    from store.messaging.retention import purge_codes
    old, new = iso(utcnow() - timedelta(minutes=11)), iso(utcnow())
    for when, state, kind in ((old, "delivered", "otp"), (old, "sending", "otp"), (new, "delivered", "otp"),
                              (old, "delivered", "reply")):
        db.execute("INSERT INTO messages (connection, phone, body, kind, state, not_before, created_at, updated_at) "
                   "VALUES ('default', '+84912345678', 'Ma: 123456', ?, ?, ?, ?, ?)", [kind, state, when, when, when])
    assert purge_codes(db, 600) == 1
    assert [r[0] for r in db.execute("SELECT body FROM messages ORDER BY id")] == \
        [None, "Ma: 123456", "Ma: 123456", "Ma: 123456"]
    assert purge_codes(db, 600) == 0
