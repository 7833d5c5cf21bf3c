"""Reserved PDU slots: after a stall no catch-up burst and no schedule running away."""
from __future__ import annotations

import time

from outbox.limiter import TpsLimiter


def test_a_stalled_sender_takes_fresh_slots_one_by_one(redis_server, redis_prefix):
    limiter = TpsLimiter(redis_server, redis_prefix, "default", tps=50)     # one slot every 20 ms
    slots = limiter.reserve(5)
    for i in range(5):
        if i == 2:
            time.sleep(0.15)                     # held up: slots 2..4 have passed
        slots.wait(i)
    assert slots.stale
    tat_us = int(redis_server.get(f"{redis_prefix}tps:default"))
    # 5 original slots plus one fresh slot per stale PDU: the schedule never runs far ahead.
    ahead = tat_us / 1e6 - time.time()
    assert ahead < 0.1
