"""Fixtures for the JSON API tests: a day of messages moved through the real outbox, bearer tokens, audit rows."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from outbox import delivery as outbox_delivery
from outbox import messages as outbox_messages
from outbox.transport import SubmitResult
from store.school import tokens
from store.core.clock import utcnow
from store.core.connection import transaction

DAY = "2025-10-06"
CREATED = "2025-10-06T03:00:00.000Z"        # 10:00 in Hà Nội on DAY
OTHER_DAY = "2025-10-05T03:00:00.000Z"
TZ = "Asia/Ho_Chi_Minh"
HOA, NAM, AN = "DD900001", "DD900002", "CVA900001"


class Outbox:
    """Messages of the demo schools moved through their states as the sender and receipts move them."""

    def __init__(self, db, settings):
        self.db = db
        self.settings = settings
        self.conn = settings.smsc[0].name
        self.ids = iter(range(1, 10_000))

    def _student(self, code: str) -> tuple[int, int]:
        return self.db.execute("SELECT id, school_id FROM students WHERE code = ?", [code]).fetchone()

    def create(self, phone: str, kind: str = "digest", student: str | None = None, *, queued: bool = False,
               created_at: str = CREATED) -> int:
        """A message enqueued, then claimed by a worker (`sending`) unless it is to stay queued."""
        student_id, school_id = self._student(student) if student else (None, None)
        # A queued one waits until tomorrow, so a claim never takes it.
        not_before = utcnow() + timedelta(days=1) if queued else None
        with transaction(self.db):
            mid = outbox_messages.enqueue(self.db, self.settings, phone=phone, body="Tin nhan thu", kind=kind,
                                          school_id=school_id, student_id=student_id, not_before=not_before)
        self.db.execute("UPDATE messages SET created_at = ?, not_before = ? WHERE id = ?",
                        [created_at, created_at if not queued else "2999-01-01T00:00:00.000Z", mid])
        if not queued:
            claimed = outbox_messages.claim(self.db, [self.conn], 1, 60)
            assert [m.id for m in claimed] == [mid]
        return mid

    def submit(self, mid: int, statuses: list[int]) -> list[str | None]:
        """The sender's part rows, then each part's submit_sm_resp; returns the SMSC ids."""
        self.db.execute("UPDATE messages SET parts = ? WHERE id = ?", [len(statuses), mid])
        for seq in range(1, len(statuses) + 1):
            self.db.execute("INSERT INTO message_parts (message_id, seq, connection, state) "
                            "VALUES (?, ?, ?, 'sending')", [mid, seq, self.conn])
        ids = [f"{next(self.ids):08x}" if status == 0 else None for status in statuses]
        outcome = outbox_delivery.MessageOutcome(mid, self.conn, tuple(
            outbox_delivery.PartOutcome(seq, SubmitResult(status, smsc_id))
            for seq, (status, smsc_id) in enumerate(zip(statuses, ids), start=1)))
        with transaction(self.db):
            outbox_delivery.apply_submit(self.db, outcome, max_attempts=3)
        return ids

    def receipt(self, smsc_id: str, stat: str, err: str = "000") -> None:
        """A delivery receipt journaled as it arrives, then applied."""
        rid = outbox_delivery.journal_receipt(self.db, self.conn, smsc_id, stat, err, f"id:{smsc_id} stat:{stat}")
        with transaction(self.db):
            assert outbox_delivery.apply_receipt(self.db, rid)

    def state(self, mid: int) -> str:
        return self.db.execute("SELECT state FROM messages WHERE id = ?", [mid]).fetchone()[0]


@pytest.fixture
def day(school_db, web_settings):
    """DAY's messages: four of THCS-DD (delivered in 2 parts, undeliverable, failed, queued), one submitted
    of THPT-CVA, one of no school; and one THCS-DD message of the day before."""
    box = Outbox(school_db, web_settings)
    ids = {}
    ids["hoa"] = box.create("+84912345678", "digest", HOA)
    for smsc_id in box.submit(ids["hoa"], [0, 0]):
        box.receipt(smsc_id, "DELIVRD")
    ids["nam"] = box.create("+84987654321", "alert", NAM)
    (smsc_id,) = box.submit(ids["nam"], [0])
    box.receipt(smsc_id, "ENROUTE")
    box.receipt(smsc_id, "UNDELIV", "001")
    ids["hoa_failed"] = box.create("+84912345678", "announcement", HOA)
    box.submit(ids["hoa_failed"], [0x0B])                     # ESME_RINVDSTADR: permanent
    ids["nam_queued"] = box.create("+84987654321", "digest", NAM, queued=True)
    ids["an"] = box.create("+84912345678", "digest", AN)
    box.submit(ids["an"], [0])
    ids["stranger"] = box.create("+84911111119", "hint")
    box.submit(ids["stranger"], [0])
    ids["yesterday"] = box.create("+84912345678", "reply", HOA, created_at=OTHER_DAY)
    states = {k: box.state(v) for k, v in ids.items()}
    assert states == {"hoa": "delivered", "nam": "undeliverable", "hoa_failed": "failed", "nam_queued": "queued",
                      "an": "submitted", "stranger": "submitted", "yesterday": "sending"}
    return ids


@pytest.fixture
def make_token(school_db):
    """``make_token(scope, school=None)`` -> (token id, secret)."""
    def make(scope: str, school: str | None = None) -> tuple[int, str]:
        return tokens.create(school_db, scope, school_code=school, label="test")
    return make


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def audit_rows(db, actor: str) -> list[tuple]:
    return [(r[0], r[1], r[2], json.loads(r[3]) if r[3] else None) for r in db.execute(
        "SELECT action, school_id, student_id, detail FROM audit_log WHERE actor = ? ORDER BY id", [actor])]
