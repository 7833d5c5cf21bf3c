"""Issue 8 against the simulator: priorities, segmentation, throttling, crash recovery, global TPS."""
from __future__ import annotations

import dataclasses
import math
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from outbox import messages
from store.core.connection import connect, transaction

from .conftest import ROOT, write_config
from .fixtures_gateway import wait_until


def bulk(db, settings, n, *, phone_base=840900000000, body="Thong bao: hop phu huynh thu 7"):
    """Queue ``n`` announcements to distinct numbers in one transaction, due now whatever the hour."""
    settings = dataclasses.replace(settings, sms=dataclasses.replace(settings.sms, quiet_hours=""))
    with transaction(db):
        for i in range(n):
            messages.enqueue(db, settings, phone=f"+{phone_base + i}", body=f"{body} #{i}", kind="announcement")


def count(db, where="1"):
    return db.execute(f"SELECT count(*) FROM messages WHERE {where}").fetchone()[0]


def test_replies_overtake_a_5000_message_bulk_backlog(live, school_db_path):
    engine, sim, settings, db = live(smsc="tps = 1000\nwindow = 50")
    bulk(db, settings, 5000)
    engine.wake.ring()
    sim.wait_for_submits(count=200, timeout=30)
    sim.push_mo("0912345678", "CON")
    reply = sim.wait_for_submits(dest="84912345678", timeout=10)[0]
    assert reply["index"] < 2000, f"the reply waited behind {reply['index']} bulk submits"
    wait_until(lambda: count(db, "state = 'delivered'") == 5001, timeout=120)


@pytest.mark.parametrize("transliterate, parts", [(True, 3), (False, 6)])
def test_a_400_character_text_becomes_ordered_parts(live, transliterate, parts):
    engine, sim, settings, db = live(sms=f"transliterate = {'true' if transliterate else 'false'}")
    text = ("Thông báo: Nhà trường tổ chức họp phụ huynh học sinh toàn trường vào 8 giờ sáng thứ Bảy, "
            "ngày 05/12 tại hội trường lớn. Đề nghị quý phụ huynh sắp xếp thời gian tham dự đầy đủ, "
            "đúng giờ. Nội dung: kết quả học tập giữa học kỳ I, kế hoạch ôn thi cuối kỳ, các khoản đóng góp "
            "tự nguyện và ý kiến đóng góp của cha mẹ học sinh cho nhà trường. Trân trọng cảm ơn! Kính mời quý vị "
            "đến đúng giờ, mang theo sổ liên lạc và ghi chép ý kiến cần trao đổi với giáo viên.")[:400]
    assert len(text) == 400
    with transaction(db):
        mid = messages.enqueue(db, settings, phone="+84987654321", body=text, kind="announcement")
    engine.wake.ring()
    subs = sim.wait_for_submits(dest="84987654321", count=parts, timeout=10)
    assert len(subs) == parts
    # smpp34 may report PDUs of one connection out of order; the sequence numbers show the wire order.
    subs.sort(key=lambda s: s["sequence"])
    assert [s["concat"]["seq"] for s in subs] == list(range(1, parts + 1))
    assert {s["concat"]["total"] for s in subs} == {parts} and len({s["concat"]["ref"] for s in subs}) == 1
    assert {s["bind"] for s in subs} == {subs[0]["bind"]}, "every part on one bind"
    assert all(s["registered_delivery"] == 1 for s in subs)
    assert {s["data_coding"] for s in subs} == ({0} if transliterate else {8})
    joined = "".join(s["text"] for s in subs)
    if transliterate:
        assert joined.startswith("Thong bao: Nha truong to chuc hop phu huynh") and joined.isascii()
    else:
        assert joined == text
    wait_until(lambda: db.execute("SELECT state FROM messages WHERE id = ?", [mid]).fetchone()[0] == "delivered")
    assert [r[0] for r in db.execute("SELECT state FROM message_parts WHERE message_id = ?", [mid])] == \
        ["delivered"] * parts


def test_throttling_backs_off_without_using_attempts(live):
    engine, sim, settings, db = live(sim_behaviour={"tps": 50}, smsc="tps = 200")
    bulk(db, settings, 300)
    engine.wake.ring()
    wait_until(lambda: count(db, "state = 'delivered'") == 300, timeout=60)
    assert sim.stats().get("throttled", 0) > 0
    assert engine.sender.stats.throttled > 0
    assert count(db, "attempts > 0") == 0, "throttling does not use up attempts"


def test_permanent_errors_fail_with_the_smsc_reason_and_transient_ones_retry(live):
    engine, sim, settings, db = live(sim_behaviour={"submit_status_by_dest": {"84987654321": 0x0B}})
    with transaction(db):
        bad = messages.enqueue(db, settings, phone="+84987654321", body="x", kind="announcement")
        good = messages.enqueue(db, settings, phone="+84903000111", body="y", kind="announcement")
    engine.wake.ring()
    wait_until(lambda: db.execute("SELECT state FROM messages WHERE id = ?", [bad]).fetchone()[0] == "failed")
    assert "ESME_RINVDSTADR" in db.execute("SELECT reason FROM messages WHERE id = ?", [bad]).fetchone()[0]
    wait_until(lambda: db.execute("SELECT state FROM messages WHERE id = ?", [good]).fetchone()[0] == "delivered")


def _worker(config, env, *args):
    return subprocess.Popen([sys.executable, str(ROOT / "run_gateway.py"), "-c", str(config), "worker", *args],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _worker_env(sim):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLL_")}
    env["SLL_SMSC_PASSWORD"] = sim.password
    return env


def _worker_config(tmp_path, sim, school_db_path, redis_url, redis_prefix, extra=""):
    return write_config(tmp_path / "worker.toml",
                        f'[redis]\nurl = "{redis_url}"\nprefix = "{redis_prefix}"\n[sms]\nquiet_hours = ""\n'
                        f'[[smsc]]\nport = {sim.port}\nsystem_id = "{sim.system_id}"\nresponse_timeout = 3\n'
                        f'max_binds = 4\n{extra}\n', db_path=school_db_path)


def test_worker_killed_mid_batch_and_redis_flushed_loses_nothing(make_sim, tmp_path, school_db_path, redis_server,
                                                                  redis_url, redis_prefix, sms_settings):
    sim = make_sim(receipt_delay=0.05)
    config = _worker_config(tmp_path, sim, school_db_path, redis_url, redis_prefix, "tps = 400\nwindow = 10")
    db = connect(school_db_path)
    bulk(db, sms_settings, 2000)
    first = _worker(config, _worker_env(sim), "--lease", "2")
    try:
        try:
            sim.wait_for_submits(count=500, timeout=60)
        except Exception:
            first.kill()
            raise AssertionError(first.communicate()[1][-3000:])
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    for key in redis_server.scan_iter(match=redis_prefix + "*"):
        redis_server.delete(key)                          # Redis lost everything, too
    assert count(db, "state IN ('queued', 'sending')") > 0, "the crash left work behind"
    time.sleep(5.2)                   # the dead worker's lease runs out (response_timeout 3 s + 2 s)
    second = _worker(config, _worker_env(sim), "--burst", "--lease", "2")
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    wait_until(lambda: count(db, "state = 'delivered'") == 2000, timeout=60)
    per_phone = Counter(s["destination_addr"] for s in sim.submits())
    extra = sum(n - 1 for n in per_phone.values())
    counted = db.execute("SELECT sum(duplicates) FROM messages").fetchone()[0] or 0
    assert len(per_phone) == 2000
    # Counted: parts in doubt after the crash (written or about to be), resent. An upper bound of the
    # real duplicates, which stay within the window; the doubt is at most a chunk plus the window.
    assert extra <= counted and extra <= 10, f"{extra} duplicate submits, {counted} counted; window is 10"
    assert counted <= 20


def test_two_workers_together_stay_under_the_global_tps(make_sim, tmp_path, school_db_path, redis_url, redis_prefix,
                                                        sms_settings):
    sim = make_sim(receipt_delay=0.01)
    config = _worker_config(tmp_path, sim, school_db_path, redis_url, redis_prefix, "tps = 100\nwindow = 20")
    db = connect(school_db_path)
    bulk(db, sms_settings, 400)
    workers = [_worker(config, _worker_env(sim), "--burst") for _ in range(2)]
    for w in workers:
        out, err = w.communicate(timeout=120)
        assert w.returncode == 0, err
    subs = sim.submits()
    assert len(subs) >= 400 and len({s["session_id"] for s in subs}) == 2, "both workers sent"
    times = sorted(s["received_at_dt"].timestamp() for s in subs)
    busiest = max(sum(1 for t in times[i:] if t - start < 1.0) for i, start in enumerate(times))
    # The sender keeps every second at or below tps + 1 (a PDU at most one interval late). The simulator
    # stamps arrivals when its loop gets to them: PDUs that came in during a stall of that loop (a busy
    # machine: CI once saw 111 under a load of 14) are stamped together, so those are allowed and no more.
    stalled = math.ceil(sim.stats().get("loop_lag_max_ms", 0) / 1000 * 100)
    assert busiest <= 101 + stalled, f"{busiest} submit_sm in one second at tps = 100 (loop stalls: {stalled})"
    assert sim.stats().get("throttled", 0) == 0


@pytest.mark.parametrize("wait, delivered", [("10", 20), ("0", 0)])
def test_a_burst_worker_stays_bound_for_its_receipts(make_sim, tmp_path, school_db_path, redis_url, redis_prefix,
                                                     sms_settings, wait, delivered):
    sim = make_sim(receipt_delay=1.5)
    config = _worker_config(tmp_path, sim, school_db_path, redis_url, redis_prefix)
    db = connect(school_db_path)
    bulk(db, sms_settings, 20)
    worker = _worker(config, _worker_env(sim), "--burst", "--receipt-wait", wait)
    out, err = worker.communicate(timeout=60)
    assert worker.returncode == 0, err
    assert count(db, "state = 'delivered'") == delivered
    if not delivered:
        assert count(db, "state = 'submitted'") == 20
        assert "20 messages still wait for their receipt" in err
