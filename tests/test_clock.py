"""store.core.clock.iso: the stored timestamp form, written without strftime on the hot path."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from store.core.clock import iso


def _by_strftime(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def test_iso_is_what_strftime_wrote_for_any_zone_and_year():
    rng = random.Random(14)
    zones = [timezone.utc, ZoneInfo("Asia/Ho_Chi_Minh"), ZoneInfo("UTC"), timezone(timedelta(hours=-3, minutes=-30))]
    for _ in range(2000):
        dt = datetime(rng.randrange(1, 9999), rng.randrange(1, 13), rng.randrange(1, 29), rng.randrange(24),
                      rng.randrange(60), rng.randrange(60), rng.randrange(1_000_000), tzinfo=rng.choice(zones))
        if dt.year < 2 or dt.year > 9998:
            continue    # astimezone may step outside datetime's range
        assert iso(dt) == _by_strftime(dt), dt
    assert iso(datetime(2026, 12, 1, 8, 5, 3, 999999, tzinfo=timezone.utc)) == "2026-12-01T08:05:03.999Z"
    assert iso(datetime(999, 1, 2, 3, 4, 5, tzinfo=timezone.utc)) == _by_strftime(datetime(999, 1, 2, 3, 4, 5,
                                                                                          tzinfo=timezone.utc))
