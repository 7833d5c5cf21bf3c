"""The live path end to end against the simulator: MO in, reply out, receipt applied."""
from __future__ import annotations

from .fixtures_gateway import wait_until


def message_states(db, phone):
    return [r[0] for r in db.execute("SELECT state FROM messages WHERE phone = ? ORDER BY id", [phone])]


def test_mo_is_answered_submitted_and_delivered(live):
    engine, sim, settings, db = live()
    assert sim.push_mo("0912345678", "DIEM TOAN HK1 C1") == [0]
    sub = sim.wait_for_submits(dest="84912345678", count=1, timeout=10)[0]
    assert sub["text"].startswith("Nguyen Thi Hoa 8A2 Toan HK1: TX ")
    assert sub["registered_delivery"] == 1 and sub["data_coding"] == 0
    wait_until(lambda: message_states(db, "+84912345678") == ["delivered"])
    row = db.execute("SELECT state, command, reply_id FROM inbox").fetchone()
    assert row[:2] == ("answered", "DIEM") and row[2]


def test_stranger_gets_the_hint_and_no_data(live):
    engine, sim, settings, db = live()
    sim.push_mo("0911000111", "DIEM TOAN HK1")
    sub = sim.wait_for_submits(dest="84911000111", count=1, timeout=10)[0]
    assert sub["text"].startswith("So nay chua dang ky")
