"""`gateway.processes`: `serve` runs `gateway` and one-bind `worker`s that share each account's max_binds;
the MO of every bind is stored and answered by the process it came to, and every sender sends."""
from __future__ import annotations

import pytest

from gateway.binds import plan_binds
from gateway.session import BindType
from settings import SmscSettings
from store.core.connection import connect

from .conftest import write_config
from .fixtures_gateway import wait_until
from .test_resilience_serve import DIGEST_NOT_DUE, free_port, healthz

pytestmark = pytest.mark.slow


def test_gateway_leaves_one_bind_to_each_other_process():
    trx = SmscSettings(max_binds=3)
    assert plan_binds(trx) == [BindType.TRX] * 3
    assert plan_binds(trx, 2) == [BindType.TRX] * 2
    assert plan_binds(trx, 3) == [BindType.TRX]
    split = SmscSettings(bind_mode="rx+tx", max_binds=3)
    assert plan_binds(split) == [BindType.RX, BindType.TX, BindType.TX]
    assert plan_binds(split, 2) == [BindType.RX, BindType.TX]


def test_serve_with_two_smpp_processes_answers_on_both_binds(tmp_path, school_db_path, make_sim, run_in_background):
    sim = make_sim()
    web_port = free_port()
    config = write_config(tmp_path / "serve.toml",
                          f'[redis]\nurl = ""\nprefix = "sll:"\n[web]\nport = {web_port}\n'
                          f'[sms]\nquiet_hours = ""\n[digest]\nsend_at = "{DIGEST_NOT_DUE}"\n'
                          f'[gateway]\nprocesses = 2\n'
                          f'[[smsc]]\nport = {sim.port}\nsystem_id = "{sim.system_id}"\nmax_binds = 2\ntps = 50\n'
                          f'response_timeout = 3\nreconnect_max = 1\n', db_path=school_db_path)
    serve = run_in_background(config, {"SLL_SMSC_PASSWORD": sim.password, "SLL_WEB_SECRET_KEY": "k" * 40}, "serve")

    def two_binds():
        """gateway and worker-2 are each bound once (max_binds = 2 in all)"""
        assert serve.proc.poll() is None, serve.output()[-3000:]
        return len(sim.binds()) == 2
    wait_until(two_binds, timeout=60, interval=0.2)
    numbers = [f"091100{i:04d}" for i in range(40)]
    for number in numbers:                          # the simulator hands MO to its receivers in turn
        assert sim.push_mo(number, "DIEM TOAN HK1") == [0]
    wait_until(lambda: len(sim.submits()) >= len(numbers), timeout=30, interval=0.2)

    submits = sim.submits()
    assert sorted(s["destination_addr"] for s in submits) == sorted("84" + n[1:] for n in numbers), "each once"
    assert len({s["session_id"] for s in submits}) == 2, "both processes' senders sent replies"
    db = connect(school_db_path)
    try:
        assert db.execute("SELECT count(*) FROM inbox WHERE state = 'answered'").fetchone()[0] == len(numbers)
    finally:
        db.close()

    def both_processes_report():
        """/healthz sees the binds of both processes, each sending"""
        [conn] = healthz(web_port).get("connections") or [{}]
        return conn.get("binds_up") == 2 and len(conn.get("processes", [])) == 2 and conn
    conn = wait_until(both_processes_report, timeout=20, interval=0.3)
    assert all(p["sends"] for p in conn["processes"])
    assert "started worker-2" in serve.output()
