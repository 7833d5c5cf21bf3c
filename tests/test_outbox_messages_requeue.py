"""Staff resend: a new queued copy of a message that did not arrive, once per click."""
from __future__ import annotations

from outbox import messages
from store.core.connection import transaction


def test_requeue_copies_only_settled_failures_and_only_once_while_the_copy_waits(db, app_settings):
    with transaction(db):
        mid = messages.enqueue(db, app_settings, phone="+84912345678", body="Thong bao", kind="announcement")
    assert messages.requeue(db, mid, actor="co.lan") is None, "a queued message is not resent"
    db.execute("UPDATE messages SET state = 'undeliverable' WHERE id = ?", [mid])
    copy = messages.requeue(db, mid, actor="co.lan")
    assert copy and messages.pending_copy(db, mid) == copy
    assert messages.requeue(db, mid, actor="thay.ba") is None, "the first copy still waits"
    row = db.execute("SELECT state, phone, body, reason FROM messages WHERE id = ?", [copy]).fetchone()
    assert row == ("queued", "+84912345678", "Thong bao", f"resent by co.lan (copy of #{mid})")
    db.execute("UPDATE messages SET state = 'delivered' WHERE id = ?", [copy])
    assert messages.pending_copy(db, mid) is None
    assert messages.requeue(db, mid, actor="co.lan") not in (None, copy)
    assert messages.requeue(db, 10 ** 9, actor="co.lan") is None
