"""How late the simulator's event loop ran: the measurement error of its arrival stamps.

The simulator stamps a submit_sm when its loop gets to it. While the loop is held up (a busy machine,
another thread holding the GIL) PDUs that arrived T apart are stamped together when it resumes, so a
sender that kept to its schedule can look like a burst. ``watch`` sleeps PERIOD at a time and keeps
the largest overshoot in ``stats["loop_lag_max_ms"]``: a test of a rate limit allows the PDUs that
could have arrived during the worst stall, and no more (none when the loop never stalled).
"""
from __future__ import annotations

import asyncio
from collections import Counter

PERIOD = 0.005


async def watch(stats: Counter) -> None:
    """Run until cancelled, recording the loop's worst lateness in milliseconds."""
    loop = asyncio.get_running_loop()
    while True:
        started = loop.time()
        await asyncio.sleep(PERIOD)
        late_ms = int((loop.time() - started - PERIOD) * 1000)
        if late_ms > stats["loop_lag_max_ms"]:
            stats["loop_lag_max_ms"] = late_ms
