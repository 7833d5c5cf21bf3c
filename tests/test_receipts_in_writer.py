"""Journaled receipts applied by the sender's writer thread, in the transaction of the results they follow."""
from __future__ import annotations

import threading
from types import SimpleNamespace

from outbox import delivery, messages
from outbox.result_writer import ResultWriter
from outbox.sender import SenderStats
from outbox.transport import SubmitResult
from store.core.connection import connect, transaction


def _claimed(db, settings, n):
    """``n`` one-part messages claimed and marked sending, as the sender leaves them before the write."""
    with transaction(db):
        ids = [messages.enqueue(db, settings, phone=f"+8491234{i:04d}", body=f"Thong bao {i}", kind="announcement")
               for i in range(n)]
    db.execute("UPDATE messages SET not_before = '2000-01-01T00:00:00.000Z'")
    messages.claim(db, ["default"], n, 30)
    with transaction(db):
        messages.add_parts(db, [(mid, "default", [1], "gsm", None) for mid in ids])
        messages.mark_sending(db, ids, "2999-01-01T00:00:00.000Z")
    return ids


def _writer(path, settings, in_flight=()):
    wake = SimpleNamespace(local=threading.Event())
    return ResultWriter(lambda: connect(path), settings, SenderStats(), {}, wake, lambda: list(in_flight), 30.0)


def _outcome(mid, smsc_id):
    return delivery.MessageOutcome(mid, "default", (delivery.PartOutcome(1, SubmitResult(0, smsc_id)),))


def _receipt(db, smsc_id):
    with transaction(db):
        return delivery.journal_receipt(db, "default", smsc_id, "DELIVRD", "000", None)


def test_a_receipt_behind_its_result_is_applied_by_the_writer(tmp_path, db, app_settings):
    first, second = _claimed(db, app_settings, 2)
    writer = _writer(tmp_path / "sll.db", app_settings)
    writer.start()
    early = _receipt(db, "b2")                  # before its result: an orphan until the result is written
    assert writer.take_receipt(early)
    writer.wait_written(5)
    writer.put(_outcome(first, "a1"))
    writer.put(_outcome(second, "b2"))
    assert writer.take_receipt(_receipt(db, "a1"))
    writer.close()
    states = dict(db.execute("SELECT id, state FROM messages").fetchall())
    assert states == {first: "delivered", second: "delivered"}
    assert db.execute("SELECT count(*) FROM receipts WHERE part_id IS NULL").fetchone()[0] == 0
    assert writer.receipts_applied == 2
    assert not writer.take_receipt(_receipt(db, "zz")), "a closed writer hands receipts back to the caller"


def test_a_receipt_already_matched_is_not_applied_again(tmp_path, db, app_settings):
    (mid,) = _claimed(db, app_settings, 1)
    rid = _receipt(db, "c3")
    with transaction(db):
        delivery.apply_submits(db, [_outcome(mid, "c3")], max_attempts=5)     # matches the orphan
    before = db.execute("SELECT state, final_at FROM message_parts WHERE message_id = ?", [mid]).fetchone()
    assert before[0] == "delivered"
    statements = []
    db.conn.set_trace_callback(statements.append)
    with transaction(db):
        assert delivery.apply_receipts(db, [rid]) == (0, 0)     # neither matched again nor an orphan
    db.conn.set_trace_callback(None)
    assert not [s for s in statements if s.startswith("UPDATE")], statements
    assert db.execute("SELECT state, final_at FROM message_parts WHERE message_id = ?", [mid]).fetchone() == before
