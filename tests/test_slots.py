"""Reserved PDU slots: after a stall no catch-up burst and no schedule running away."""
from __future__ import annotations

import time

from outbox.limiter import TpsLimiter
from tests.test_limiter_grants import FakeClock


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


def test_a_hold_up_loses_only_the_slots_that_passed(monkeypatch):
    """Held up 35 ms at slot 2 of ten 10 ms slots: slots 2 and 3 passed, 4 is within one interval. PDUs 2..7
    take slots 4..9 as they were, and only PDUs 8 and 9 take fresh ones, reserved in one call: the rate lost
    is the hold-up (two slots), not the rest of the reservation."""
    from outbox import limiter as limiter_mod
    from outbox.limiter import Slots
    clock = FakeClock()
    monkeypatch.setattr(limiter_mod, "time", clock)
    asked = []

    class Schedule:
        def reserve(self, n, horizon=0.5):
            asked.append(n)
            return Slots(start + 0.1 + 0.01 * (sum(asked) - n), 0.01, n, self)    # after the reservation's end

    start = clock.now
    slots = Slots(start, 0.01, 10, Schedule())
    sent = []
    for i in range(10):
        if i == 2:
            clock.sleep(0.035)
        slots.wait(i)
        sent.append(round(clock.now - start, 4))
    assert sent == [0.0, 0.01, 0.045, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.11]
    assert asked == [2] and slots.stale
    # Held up inside fresh slots: the same rule, one more call for what passed there.
    asked.clear()
    start = clock.now
    slots = Slots(start, 0.01, 6, Schedule())
    for i in range(6):
        if i == 2:
            clock.sleep(0.035)                      # slots 2, 3 pass: PDUs 4, 5 get fresh ones at 0.1, 0.11
        if i == 4:
            clock.sleep(0.1 + 0.025 - (clock.now - start))      # both fresh slots passed
        slots.wait(i)
    assert asked == [2, 2]
