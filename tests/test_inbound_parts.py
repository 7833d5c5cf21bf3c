"""Concatenated MO parts are stored before their resp and joined from SQLite (any bind, any process)."""
from __future__ import annotations

import threading

from gateway import Deliver
from gateway.inbound import InboundRouter
from store.core.connection import connect


def udh_part(ref, total, seq, text, source="84912345678"):
    return Deliver(connection="default", bind="test", source_addr=source, dest_addr="8088", source_ton=1,
                   esm_class=0x40, data_coding=0,
                   short_message=bytes([5, 0, 3, ref, total, seq]) + text.encode("ascii"))


class Router:
    """An InboundRouter on the test database, as one gateway process would run it."""

    def __init__(self, db_path, settings, concat_timeout=120.0):
        self.mo: list[int] = []
        self.router = InboundRouter(lambda: connect(db_path), settings, on_mo=self.mo.append,
                                    on_receipt=lambda rid: None, concat_timeout=concat_timeout)
        self.router.start()

    def deliver(self, pdu) -> int:
        """The deliver_sm_resp status the SMSC would get."""
        got, ready = [], threading.Event()
        result = self.router(pdu)
        result.attach(lambda status: (got.append(status), ready.set()))
        assert ready.wait(5)
        return got[0]

    def stop(self):
        self.router.stop()


def texts(db):
    return [r[0] for r in db.execute("SELECT text FROM inbox ORDER BY id")]


def test_parts_join_across_processes_and_a_resent_part_is_not_a_new_text(tmp_path, db, app_settings):
    first = Router(tmp_path / "sll.db", app_settings)
    assert first.deliver(udh_part(7, 2, 1, "GV C1 xin cho chau ")) == 0
    first.stop()                                     # the process dies between the parts
    assert texts(db) == [] and db.execute("SELECT count(*) FROM inbox_parts").fetchone()[0] == 1
    second = Router(tmp_path / "sll.db", app_settings)
    assert second.deliver(udh_part(7, 2, 2, "nghi hoc hom nay")) == 0
    assert texts(db) == ["GV C1 xin cho chau nghi hoc hom nay"]
    assert second.deliver(udh_part(7, 2, 2, "nghi hoc hom nay")) == 0      # re-delivered after the join
    assert second.deliver(udh_part(7, 2, 1, "GV C1 xin cho chau ")) == 0
    second.router.flush_incomplete()
    assert second.deliver(udh_part(8, 2, 1, "x")) == 0                      # flush queued before this
    assert texts(db) == ["GV C1 xin cho chau nghi hoc hom nay"], "no new text from re-sent parts"
    assert len(second.mo) == 1
    second.stop()


def test_a_text_missing_a_part_is_answered_as_far_as_it_goes(tmp_path, db, app_settings):
    router = Router(tmp_path / "sll.db", app_settings, concat_timeout=0.0)
    assert router.deliver(udh_part(9, 3, 1, "DIEM TOAN ")) == 0
    assert router.deliver(udh_part(9, 3, 3, " C1")) == 0
    router.router.flush_incomplete()
    router.deliver(udh_part(10, 1, 1, "CON"))        # a plain text after it: the flush is committed first
    assert texts(db) == ["DIEM TOAN  C1", "CON"]
    assert len(router.mo) == 2
    router.stop()


def test_a_part_that_cannot_be_stored_gets_a_temporary_error(tmp_path, db, app_settings):
    router = Router(tmp_path / "sll.db", app_settings)
    db.execute("CREATE TRIGGER full BEFORE INSERT ON inbox_parts BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    assert router.deliver(udh_part(11, 2, 1, "DIEM ")) == 0x64
    db.execute("DROP TRIGGER full")
    assert router.deliver(udh_part(11, 2, 1, "DIEM ")) == 0
    assert router.deliver(udh_part(11, 2, 2, "TOAN")) == 0
    assert texts(db) == ["DIEM TOAN"]
    router.stop()
