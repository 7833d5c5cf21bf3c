"""The sender against a scripted transport (unit level; the live tests use the simulator)."""
from __future__ import annotations

import dataclasses
import threading

from outbox import messages
from outbox.sender import Sender
from outbox.transport import SubmitResult
from store.core.connection import connect, transaction


class ScriptedTransport:
    """Answers each submit from a script of command_status values (then 0), with growing ids."""

    def __init__(self, statuses):
        self.connection = "default"
        self.statuses = list(statuses)
        self.writes = []
        self.n = 0

    def is_up(self):
        return True

    def submit(self, parts, on_result, before_write=None):
        for i, part in enumerate(parts):
            if before_write:
                before_write(i)
            self.writes.append(part)
            status = self.statuses.pop(0) if self.statuses else 0
            self.n += 1
            on_result(i, SubmitResult(command_status=status, message_id=f"{self.n:x}" if status == 0 else None))


def make_sender(db_path, settings, redis_server, redis_prefix, transport):
    settings = dataclasses.replace(settings, sms=dataclasses.replace(settings.sms, quiet_hours=""))
    return Sender(lambda: connect(db_path), settings, {"default": transport}, redis_server, prefix=redis_prefix,
                  lease_s=5), settings


def test_a_throttled_part_is_resent_with_the_same_reference(tmp_path, db, app_settings, redis_server, redis_prefix):
    transport = ScriptedTransport([0, 0x58, 0])          # part 2 of 3 throttled on the first try
    sender, settings = make_sender(tmp_path / "sll.db", app_settings, redis_server, redis_prefix, transport)
    with transaction(db):
        mid = messages.enqueue(db, settings, phone="+84912345678", body="Thong bao hop phu huynh. " * 16,
                               kind="announcement")
    db.execute("UPDATE messages SET not_before = '2000-01-01T00:00:00.000Z'")
    sender.run(threading.Event(), burst=True)
    db.execute("UPDATE messages SET not_before = '2000-01-01T00:00:00.000Z' WHERE id = ?", [mid])
    sender2, _ = make_sender(tmp_path / "sll.db", app_settings, redis_server, redis_prefix, transport)
    sender2.run(threading.Event(), burst=True)
    refs = {w.short_message[3] for w in transport.writes}
    seqs = [w.short_message[5] for w in transport.writes]
    assert seqs == [1, 2, 3, 2], "only the throttled part is sent again"
    assert len(refs) == 1, "the resent part carries the reference of the parts already delivered"
    row = db.execute("SELECT state, attempts, concat_ref FROM messages WHERE id = ?", [mid]).fetchone()
    assert row[0] == "submitted" and row[1] == 0 and row[2] == refs.pop()


def test_a_late_result_never_overwrites_a_settled_message(tmp_path, db, app_settings, redis_server, redis_prefix):
    from outbox import delivery
    transport = ScriptedTransport([])
    sender, settings = make_sender(tmp_path / "sll.db", app_settings, redis_server, redis_prefix, transport)
    with transaction(db):
        mid = messages.enqueue(db, settings, phone="+84912345678", body="Diem Toan 8", kind="reply")
    sender.run(threading.Event(), burst=True)
    db.execute("UPDATE messages SET state = 'delivered' WHERE id = ?", [mid])
    db.execute("UPDATE message_parts SET state = 'delivered' WHERE message_id = ?", [mid])
    late = delivery.MessageOutcome(mid, "default", (delivery.PartOutcome(1, SubmitResult(command_status=0x45)),))
    with transaction(db):
        delivery.apply_submit(db, late, max_attempts=5)
    assert db.execute("SELECT state FROM messages WHERE id = ?", [mid]).fetchone()[0] == "delivered"
    assert db.execute("SELECT state FROM message_parts WHERE message_id = ?", [mid]).fetchone()[0] == "delivered"


def test_the_sender_survives_a_failing_iteration(tmp_path, db, app_settings, redis_server, redis_prefix):
    class Flaky(ScriptedTransport):
        calls = 0

        def submit(self, parts, on_result, before_write=None):
            Flaky.calls += 1
            if Flaky.calls == 1:
                raise RuntimeError("encoder bug")
            super().submit(parts, on_result, before_write)

    transport = Flaky([])
    sender, settings = make_sender(tmp_path / "sll.db", app_settings, redis_server, redis_prefix, transport)
    with transaction(db):
        messages.enqueue(db, settings, phone="+84912345678", body="Diem Toan 8", kind="reply")
    stop = threading.Event()
    thread = threading.Thread(target=sender.run, args=(stop,))
    thread.start()
    try:
        import time
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not transport.writes:
            db.execute("UPDATE messages SET lease_until = '2000-01-01T00:00:00.000Z' WHERE state = 'sending'")
            time.sleep(0.1)
    finally:
        stop.set()
        sender.wake.local.set()
        thread.join(10)
    assert sender.stats.errors >= 1 and len(transport.writes) == 1


def test_at_a_licence_far_above_the_rate_a_chunk_is_granted_once_right_before_its_one_write(
        tmp_path, db, app_settings, redis_server, redis_prefix):
    from contextlib import contextmanager

    class Corking(ScriptedTransport):
        """Records the order of encodes, grants and flushes; room for every chunk."""

        def __init__(self):
            super().__init__([])
            self.events = []

        def wait_room(self, n, timeout):
            return n

        @contextmanager
        def corked(self, before_flush=None):
            yield
            before_flush()
            self.events.append("flush")

        def submit(self, parts, on_result, before_write=None):
            assert before_write is None, "a granted chunk's PDUs do not wait slot by slot"
            self.events.append("encode")
            super().submit(parts, on_result, before_write)

    transport = Corking()
    settings = dataclasses.replace(app_settings, smsc=[dataclasses.replace(app_settings.smsc[0], tps=1_000_000,
                                                                           window=20)])
    sender, settings = make_sender(tmp_path / "sll.db", settings, redis_server, redis_prefix, transport)
    limiter = sender.limiters["default"]
    reserve = limiter.reserve
    calls = []

    def counted(n, horizon=0.5):
        transport.events.append("grant")
        calls.append(n)
        return reserve(n, horizon)
    limiter.reserve = counted
    with transaction(db):
        for i in range(30):
            messages.enqueue(db, settings, phone=f"+8491234{i:04d}", body=f"Thong bao {i}", kind="announcement")
    sender.run(threading.Event(), burst=True)
    assert len(transport.writes) == 30
    chunks = "".join("e" if e == "encode" else "g" if e == "grant" else "|" for e in transport.events)
    # chunks of window // 2 = 10 parts: ten encodes, then the grant of all ten (once more at most), then one write
    assert [c.rstrip("g") for c in chunks.split("|") if c] == ["e" * 10] * 3, chunks
    assert sum(calls) >= 30 and all(n == 10 for n in calls)
    assert db.execute("SELECT count(*) FROM messages WHERE state = 'submitted'").fetchone()[0] == 30


def test_bulk_held_for_later_costs_the_claim_and_next_due_one_index_seek(db):
    """100k digests queued for after the quiet hours must not be walked by every claim (inside the write lock,
    on every bell) nor by next_due: both name the lane by equality, so the index seeks to the due rows."""
    from outbox import messages
    for sql in _claim_and_due_sql(db):
        plan = " ".join(str(r[3]) for r in db.execute("EXPLAIN QUERY PLAN " + sql[0], sql[1]))
        assert "priority>?" not in plan and "SCAN messages" not in plan, plan
    assert messages.BULK_LANE == messages.MessageKind.DIGEST.priority
    assert messages.REPLIES_LANE == messages.MessageKind.REPLY.priority


def _claim_and_due_sql(db):
    """The statements claim() and next_due() run, as SQLite saw them."""
    from outbox import messages
    seen = []
    db.conn.set_trace_callback(seen.append)
    try:
        messages.claim(db, ["default"], 10, 30.0, 5)
        messages.next_due(db, ["default"])
    finally:
        db.conn.set_trace_callback(None)
    return [(s, []) for s in seen if s.lstrip().upper().startswith(("UPDATE MESSAGES", "SELECT NOT_BEFORE",
                                                                      "SELECT MIN"))]


def test_the_sweep_reads_only_the_rows_it_changes(db):
    """The sweep runs inside the write lock every third of a lease: its expiry of queued rows past their validity
    and its `unknown` of parts without a receipt seek the partial indexes of migration 023 (only the rows in that
    state) instead of walking every queued row or scanning every part ever sent."""
    from outbox import delivery
    seen = []
    db.conn.set_trace_callback(seen.append)
    try:
        with transaction(db):
            delivery.expire_stale_queued(db)
            delivery.expire_unknown(db, 3600)
    finally:
        db.conn.set_trace_callback(None)
    updates = [s for s in seen if s.lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 3, updates
    plans = [" ".join(str(r[3]) for r in db.execute("EXPLAIN QUERY PLAN " + s)) for s in updates]
    assert "USING INDEX messages_queued_valid (valid_until" in plans[0], plans[0]
    assert "message_parts_submitted (submitted_at<?)" in plans[2], plans[2]
    assert not [p for p in plans if "SCAN" in p], plans


def test_the_sweep_expires_a_queued_row_past_its_validity_and_leaves_a_valid_one(db, app_settings):
    from datetime import timedelta

    from outbox import delivery
    from store.core.clock import iso, utcnow
    with transaction(db):
        old = messages.enqueue(db, app_settings, phone="+84912340001", body="Cu", kind="announcement")
        new = messages.enqueue(db, app_settings, phone="+84912340002", body="Moi", kind="announcement")
    db.execute("UPDATE messages SET valid_until = ? WHERE id = ?", [iso(utcnow() - timedelta(minutes=1)), old])
    db.execute("UPDATE messages SET valid_until = ? WHERE id = ?", [iso(utcnow() + timedelta(hours=1)), new])
    with transaction(db):
        assert delivery.expire_stale_queued(db) == 1
    states = dict(db.execute("SELECT id, state FROM messages WHERE id IN (?, ?)", [old, new]).fetchall())
    assert states == {old: "expired", new: "queued"}
