"""`report delivery`: counts per state and failures with the SMSC's reason."""
from __future__ import annotations

from .fixtures_gateway import wait_until


def test_delivery_report_after_a_live_exchange(live, cli):
    engine, sim, settings, db = live(sim_behaviour={"final_state_by_dest": {"84987654321": "UNDELIV"}})
    for phone in ("0912345678", "0987654321", "0903000111"):
        sim.push_mo(phone, "CON")
    wait_until(lambda: db.execute("SELECT count(*) FROM messages WHERE state IN ('delivered', 'undeliverable')")
               .fetchone()[0] == 3, timeout=15)
    proc = cli("report", "delivery", check=True)
    out = proc.stdout
    assert "3 messages" in out
    assert "delivered" in out and "undeliverable" in out
    assert "09xxxx4321" in out and "UNDELIV" in out and "0987654321" not in out
    assert db.execute("SELECT action FROM audit_log ORDER BY id DESC").fetchone()[0] == "report:delivery"
    school = cli("report", "delivery", "--school", "THPT-CVA", check=True).stdout
    assert "(THPT-CVA)" in school
