"""Replies first for real: a parent's reply overtakes bulk that already fills the licence (no time asserted:
what is counted is how many bulk submit_sm got in between)."""
from __future__ import annotations

from .fixtures_gateway import wait_until
from .test_outbox_live import bulk, count

PHONE = "0912345678"


def test_a_reply_overtakes_a_digest_filling_the_licence(live, sms_settings):
    engine, sim, settings, db = live(smsc="tps = 40\nwindow = 10")
    bulk(db, sms_settings, 400)
    engine.wake.ring()
    wait_until(lambda: len(sim.submits()) >= 30, timeout=30)      # bulk is going out at the licensed rate
    before = len(sim.submits())
    sim.push_mo(PHONE, "CON")
    reply = sim.wait_for_submits(dest=PHONE, count=1, timeout=30, since=before)[0]
    between = [s for s in sim.submits(since=before) if s["received_at_dt"] < reply["received_at_dt"]]
    # Behind it: at most the chunk being written and one bulk slice already reserved (40 TPS: 10 a slice),
    # not the 200 messages of a whole claimed batch.
    assert len(between) <= 12, f"{len(between)} bulk submits went before the reply"
    assert count(db, "kind = 'announcement' AND state IN ('queued', 'sending')") > 200, "bulk was still going"
