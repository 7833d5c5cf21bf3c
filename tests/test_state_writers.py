"""Every writer of a message or part state, run over rows in every state: each move it makes is one the
state table (store/messaging/states.py) allows, and no writer of a state is left out of this test."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from outbox import delivery, messages
from outbox.states import INITIAL, MessageState as S, ReceiptStat, can_move
from outbox.transport import SubmitResult
from store.core.clock import iso, utcnow
from store.core.connection import transaction

from .state_moves import CODE, clear, forbidden, moves, watch, writers_in

ROOT = Path(__file__).resolve().parent.parent
TABLES = ("messages", "message_parts")


@pytest.fixture
def rows(db):
    """One message in each state, each with one part in each state (smsc id 'mid.seq'); all past due,
    past their validity, their lease and their receipt timeout. Moves are logged from here on."""
    past = iso(utcnow() - timedelta(hours=1))
    ids = []
    for state in S:
        cur = db.execute("INSERT INTO messages (connection, phone, body, kind, state, not_before, valid_until, "
                         "lease_until, submitted_at, created_at, updated_at, parts) "
                         "VALUES ('c', '+84912345678', 'x', 'digest', ?, ?, ?, ?, ?, ?, ?, ?)",
                         [state.value, past, past, past, past, past, past, len(S)])
        ids.append(cur.lastrowid)
        db.conn.executemany("INSERT INTO message_parts (message_id, seq, connection, smsc_id, state, submitted_at) "
                            "VALUES (?, ?, 'c', ?, ?, ?)",
                            [(cur.lastrowid, seq, f"{cur.lastrowid}.{seq}", part.value, past)
                             for seq, part in enumerate(S, 1)])
    db.conn.commit()
    watch(db, TABLES)
    return ids


def _submit(status, max_attempts=5):
    def run(db, ids):
        outcomes = [delivery.MessageOutcome(mid, "c", tuple(
            delivery.PartOutcome(seq, SubmitResult(status, f"new.{mid}.{seq}" if status == 0 else None))
            for seq in range(1, len(S) + 1))) for mid in ids]
        with transaction(db):
            for outcome in outcomes:
                delivery.apply_submit(db, outcome, max_attempts=max_attempts)
    return run


def _submits(db, ids):
    outcomes = [delivery.MessageOutcome(mid, "c", tuple(delivery.PartOutcome(seq, SubmitResult(0, f"n.{mid}.{seq}"))
                                                        for seq in range(1, len(S) + 1))) for mid in ids]
    with transaction(db):
        delivery.apply_submits(db, outcomes, max_attempts=5)


def _receipts(stat, batch):
    def run(db, ids):
        rids = [delivery.journal_receipt(db, "c", f"{mid}.{seq}", stat.value, "000", None)
                for mid in ids for seq in range(1, len(S) + 1)]
        with transaction(db):
            if batch:
                delivery.apply_receipts(db, rids)
            else:
                for rid in rids:
                    delivery.apply_receipt(db, rid)
    return run


def _in_tx(write):
    def run(db, ids):
        with transaction(db):
            write(db, ids)
    return run


WRITERS = {
    "claim": lambda db, ids: messages.claim(db, ["c"], 100, 30),
    "recover": lambda db, ids: messages.recover(db, ["c"]),
    "requeue": lambda db, ids: [messages.requeue(db, mid, actor="t") for mid in ids],
    "mark_sending": _in_tx(lambda db, ids: messages.mark_sending(db, ids, iso(utcnow()))),
    "release": _in_tx(lambda db, ids: messages.release(db, ids, iso(utcnow()))),
    "give_up expired": _in_tx(lambda db, ids: messages.give_up(db, ids, [], iso(utcnow()))),
    "give_up unsendable": _in_tx(lambda db, ids: messages.give_up(db, [], [("bad", mid) for mid in ids],
                                                                  iso(utcnow()))),
    "submit ok": _submit(0),
    "submit permanent": _submit(0x0B),
    "submit transient": _submit(0x08),
    "submit transient, attempts used up": _submit(0x08, max_attempts=1),
    "submit throttled": _submit(0x58),
    "submit no response": _submit(None),
    "submits": _submits,
    "expire_unknown": lambda db, ids: delivery.expire_unknown(db, 0),
    "expire_stale_queued": lambda db, ids: delivery.expire_stale_queued(db),
    **{f"receipt {stat.value}{' batch' if batch else ''}": _receipts(stat, batch)
       for stat in ReceiptStat for batch in (False, True)},
}
# The functions in outbox/ and store/ whose SQL sets a message or part state, and the WRITERS that run them.
COVERED = {
    "outbox/messages.py": {"enqueue", "enqueue_many", "claim", "recover", "requeue", "mark_sending", "release",
                           "give_up", "add_parts"},     # add_parts: part rows inserted queued (test_sender_unit)
    "outbox/delivery.py": {"_update_part", "apply_submit", "_apply_submits", "apply_receipt", "_apply_receipt_chunk",
                           "_settle_message", "_settle_messages", "expire_unknown", "expire_stale_queued"},
}



@pytest.mark.parametrize("name", list(WRITERS))
def test_every_move_a_writer_makes_is_in_the_table(db, rows, name):
    WRITERS[name](db, rows)
    for table in TABLES:
        assert not forbidden(db, can_move, [INITIAL], table), (name, table)
    # Every writer moves something here: the test would not see a wrong move it never makes.
    unmoved = {"receipt ACCEPTD", "receipt ACCEPTD batch", "receipt ENROUTE", "receipt ENROUTE batch"}
    assert bool(moves(db)) == (name not in unmoved), name


def test_a_forbidden_move_is_caught(db, rows):
    db.execute("UPDATE messages SET state = 'queued' WHERE state = 'delivered'")
    assert forbidden(db, can_move, [INITIAL], "messages") == {("delivered", "queued")}
    clear(db)
    db.execute("INSERT INTO message_parts (message_id, seq, connection, state) VALUES (?, 99, 'c', 'submitted')",
               [rows[0]])
    assert forbidden(db, can_move, [INITIAL], "message_parts") == {(None, "submitted")}


def test_no_writer_of_a_message_state_is_left_out():
    found = {}
    for folder in CODE:
        for path in sorted((ROOT / folder).rglob("*.py")):
            names = writers_in(path)
            if names:
                found[path.relative_to(ROOT).as_posix()] = names
    assert found == COVERED


def test_reports_and_pages_take_their_state_lists_and_labels_from_the_table():
    from store.messaging import reports
    from web import frame
    assert set(reports.FAILED_STATES) == messages.RESENDABLE
    assert {s.value for s in S} <= set(frame.STATE_VI)
    assert all(frame.state_vi(s) == s.label == reports.STATE_LABELS[s.value] for s in S)
