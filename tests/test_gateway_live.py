"""Issue 7 against the simulator: MO in (UCS-2, concatenated), receipts in every form, drops, DB failure."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from .conftest import ROOT
from .fixtures_gateway import wait_until

AN_PHONE, HOA_PHONE = "84912345678", "+84912345678"


def states(db, phone=HOA_PHONE):
    return [r[0] for r in db.execute("SELECT state FROM messages WHERE phone = ? ORDER BY id", [phone])]


def test_ucs2_mo_with_diacritics(live):
    engine, sim, settings, db = live()
    sim.push_mo("0912345678", "Điểm Toán HK1 C1", data_coding=8)
    assert sim.wait_for_submits(dest=AN_PHONE, timeout=10)[0]["text"].startswith("Nguyen Thi Hoa 8A2 Toan HK1:")
    assert db.execute("SELECT text, data_coding FROM inbox").fetchone() == ("Điểm Toán HK1 C1", 8)


@pytest.mark.parametrize("concat, reverse", [("udh8", False), ("udh16", True), ("sar", True)])
def test_concatenated_mo_is_reassembled(live, concat, reverse):
    engine, sim, settings, db = live()
    body = "Kính gửi cô, cháu Hoa bị sốt từ tối qua nên xin phép nghỉ học hôm nay và ngày mai. " * 3
    statuses = sim.push_mo("0912345678", "GV C1 " + body.strip(), data_coding=8, concat=concat,
                           reverse_parts=reverse)
    assert len(statuses) > 1 and set(statuses) == {0}
    sim.wait_for_submits(dest=AN_PHONE, timeout=10)
    assert db.execute("SELECT body FROM teacher_messages").fetchone()[0] == body.strip()
    assert db.execute("SELECT count(*) FROM inbox").fetchone()[0] == 1


@pytest.mark.parametrize("behaviour, smsc", [
    ({"id_format": "hex"}, ""),
    ({"id_format": "dec", "id_width": 12}, ""),                                            # leading zeros
    ({"id_format": "hex", "receipt_id_format": "dec"}, 'receipt_id_format = "hex_to_dec"'),
    ({"id_format": "dec", "receipt_id_format": "hex"}, 'receipt_id_format = "dec_to_hex"'),
    ({"receipt_form": "text"}, ""),                                                       # no TLVs
    ({"receipt_form": "tlv"}, ""),
    ({"receipt_copies": 2}, ""),                                                          # duplicated
    ({"intermediate": ["ACCEPTD", "ENROUTE"]}, ""),                                       # then final
    ({"receipt_before_resp": True}, ""),                                                  # orphan first
])
def test_receipts_find_their_message(live, behaviour, smsc):
    engine, sim, settings, db = live(sim_behaviour=behaviour, smsc=smsc)
    for text in ("DIEM TOAN C1", "CON", "HD"):
        sim.push_mo("0912345678", text)
    wait_until(lambda: states(db) == ["delivered"] * 3, timeout=15)
    receipts = db.execute("SELECT count(*), count(part_id) FROM receipts").fetchone()
    assert receipts[0] == receipts[1] >= 3, "every receipt matched to its part"


def test_out_of_order_receipts_and_final_states(live):
    engine, sim, settings, db = live(sim_behaviour={"out_of_order": 3, "receipt_delay": 0.2,
                                                    "final_state_by_dest": {"84987654321": "UNDELIV"}})
    for phone in ("0912345678", "0987654321", "0903000111"):
        sim.push_mo(phone, "CON")
    wait_until(lambda: states(db) == ["delivered"] and states(db, "+84987654321") == ["undeliverable"]
               and states(db, "+84903000111") == ["delivered"], timeout=15)
    reason = db.execute("SELECT reason FROM messages WHERE phone = '+84987654321'").fetchone()[0]
    assert "UNDELIV" in reason


def test_intermediate_never_overwrites_final(live, school_db):
    from outbox.delivery import apply_receipt, journal_receipt
    engine, sim, settings, db = live()
    sim.push_mo("0912345678", "CON")
    wait_until(lambda: states(db) == ["delivered"], timeout=10)
    smsc_id = db.execute("SELECT smsc_id FROM message_parts").fetchone()[0]
    rid = journal_receipt(db, "default", smsc_id, "ENROUTE", None, None)
    assert apply_receipt(db, rid) is True
    assert states(db) == ["delivered"]


def test_re_delivered_mo_is_answered_once(live):
    engine, sim, settings, db = live()
    for _ in range(3):
        sim.push_mo("0912345678", "CON")
    wait_until(lambda: db.execute("SELECT count(*) FROM inbox").fetchone()[0] == 3)
    time.sleep(0.3)
    assert len(sim.submits(dest=AN_PHONE)) == 1
    assert [r[0] for r in db.execute("SELECT state FROM inbox ORDER BY id")] == ["answered", "duplicate", "duplicate"]


def test_database_failure_gives_a_temporary_error_and_the_retry_is_answered_once(live):
    engine, sim, settings, db = live()
    db.execute("CREATE TRIGGER inbox_full BEFORE INSERT ON inbox BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    assert sim.push_mo("0912345678", "CON") == [0x64]                # ESME_RX_T_APPN: the SMSC keeps it
    db.execute("DROP TRIGGER inbox_full")
    assert sim.push_mo("0912345678", "CON") == [0]                   # the SMSC's retry
    assert sim.push_mo("0912345678", "CON") == [0]                   # and a late duplicate
    sim.wait_for_submits(dest=AN_PHONE, timeout=10)
    time.sleep(0.3)
    assert len(sim.submits(dest=AN_PHONE)) == 1
    assert db.execute("SELECT count(*) FROM inbox WHERE state = 'answered'").fetchone()[0] == 1


def test_smsc_drops_every_connection_during_a_burst_of_1000_mo(live):
    engine, sim, settings, db = live(sms="commands_per_hour = 100000")
    acked = []
    for i in range(1000):
        if i == 400:
            sim.drop_connections()
        try:
            statuses = sim.push_mo("0912345678", f"HD {i}", wait=10)
        except Exception:      # no bind at this instant: the SMSC would keep the MO and retry
            continue
        if statuses == [0]:
            acked.append(i)
    assert len(acked) >= 900
    texts = {r[0] for r in db.execute("SELECT text FROM inbox")}
    assert {f"HD {i}" for i in acked} <= texts, "every acknowledged MO was stored"
    wait_until(lambda: db.execute("SELECT count(*) FROM inbox WHERE state = 'received'").fetchone()[0] == 0,
               timeout=30)
    answered = db.execute("SELECT count(*), count(DISTINCT reply_id) FROM inbox WHERE state = 'answered'").fetchone()
    assert answered[0] == answered[1] == len(texts), "each stored MO answered exactly once"
    wait_until(lambda: db.execute("SELECT count(*) FROM messages WHERE state NOT IN ('delivered')").fetchone()[0] == 0,
               timeout=60)
    assert sim.stats()["binds_active"] >= 1


def test_gateway_command_runs_until_sigterm_and_unbinds(make_sim, tmp_path, school_db_path, redis_prefix, redis_url):
    from .conftest import write_config
    sim = make_sim()
    config = write_config(tmp_path / "gw.toml", f'[redis]\nurl = "{redis_url}"\nprefix = "{redis_prefix}"\n'
                          f'[[smsc]]\nport = {sim.port}\nsystem_id = "{sim.system_id}"\n', db_path=school_db_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLL_")}
    env.update(SLL_CONFIG=str(config), SLL_SMSC_PASSWORD=sim.password)
    proc = subprocess.Popen([sys.executable, str(ROOT / "run_gateway.py"), "gateway"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: sim.binds(), timeout=20)
        sim.push_mo("0912345678", "CON")
        assert sim.wait_for_submits(dest=AN_PHONE, timeout=10)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "unbound cleanly" in err
    assert any(p.get("command") == "unbind" for p in sim.pdu_log())


def test_a_message_longer_than_the_window_goes_out_once_at_a_huge_licence(live):
    """At a licence far above the send rate the PDUs of a chunk leave in one write; a message with more parts
    than the window must still go (never held behind its own unwritten parts until they time out)."""
    engine, sim, settings, db = live(smsc="window = 2\ntps = 1000000")
    from outbox import messages
    mid = messages.enqueue(db, settings, phone="+84912000777", body="Thong bao hop phu huynh cuoi ky. " * 12,
                           kind="announcement")
    parts = db.execute("SELECT parts FROM messages WHERE id = ?", [mid]).fetchone()[0]
    engine.wake.ring()
    wait_until(lambda: db.execute("SELECT state FROM messages WHERE id = ?", [mid]).fetchone()[0] == "delivered")
    row = db.execute("SELECT parts, duplicates FROM messages WHERE id = ?", [mid]).fetchone()
    assert row[0] > 2 and row[1] == 0, "every part sent once"
    assert len(sim.submits(dest="84912000777")) == row[0]
    assert parts is None or parts == row[0]
