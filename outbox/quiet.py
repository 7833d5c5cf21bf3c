"""Quiet hours, digest expiry and SMPP time strings.

All inputs and outputs are timezone-aware; quiet hours are local wall-clock
times in the school's zone, everything stored or sent is UTC.
"""
from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

_HHMM = r"([01]\d|2[0-3]):([0-5]\d)"


class QuietHoursError(ValueError):
    """``value`` is not 'HH:MM-HH:MM' (or 'HH:MM' where one time is expected)."""

    def __init__(self, value: str):
        self.value = value
        super().__init__(f"{value!r}: expected HH:MM-HH:MM (e.g. 21:00-07:00), HH:MM, or empty")


def parse_hhmm(value: str) -> time:
    """'07:30' -> time(7, 30)."""
    match = re.fullmatch(_HHMM, value.strip())
    if not match:
        raise QuietHoursError(value)
    return time(int(match[1]), int(match[2]))


def parse_quiet_hours(value: str | None) -> tuple[time, time] | None:
    """'21:00-07:00' -> (start, end); None when there are no quiet hours.

    A window that starts where it ends ('07:00-07:00') is read as none: the
    other reading, quiet all day, would hold bulk messages for ever.
    """
    if value is None or not value.strip():
        return None
    start, sep, end = value.partition("-")
    if not sep:
        raise QuietHoursError(value)
    try:
        window = parse_hhmm(start), parse_hhmm(end)
    except QuietHoursError as e:
        raise QuietHoursError(value) from e
    return None if window[0] == window[1] else window


def _require_aware(dt: datetime) -> None:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"{dt!r} must be timezone-aware")


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock ``clock`` on ``day`` (a time skipped by DST reads as after the jump)."""
    return datetime.combine(day, clock, tzinfo=zone).astimezone(timezone.utc)


def next_send_time(now_utc: datetime, quiet_hours: str | None, tz: str) -> datetime:
    """``now_utc`` when outside quiet hours, else the UTC instant they end.

    The window is [start, end): a message due exactly at the start waits, one
    due exactly at the end goes.
    """
    _require_aware(now_utc)
    now_utc = now_utc.astimezone(timezone.utc)
    window = parse_quiet_hours(quiet_hours)
    if window is None:
        return now_utc
    start, end = window
    zone = ZoneInfo(tz)
    local = now_utc.astimezone(zone)
    clock, today = local.time().replace(tzinfo=None), local.date()
    if start < end:                       # same day, e.g. 12:00-13:30
        quiet = start <= clock < end
        end_day = today
    else:                                 # across midnight, e.g. 21:00-07:00
        quiet = clock >= start or clock < end
        end_day = today + timedelta(days=1) if clock >= start else today
    if not quiet:
        return now_utc
    return max(_at(end_day, end, zone), now_utc)


def is_quiet(now_utc: datetime, quiet_hours: str | None, tz: str) -> bool:
    """Whether bulk messages must wait at ``now_utc``."""
    return next_send_time(now_utc, quiet_hours, tz) > now_utc.astimezone(timezone.utc)


def digest_valid_until(local_date: date, valid_until: str, tz: str) -> datetime:
    """The UTC instant a digest of ``local_date`` expires ('21:00' local that day)."""
    return _at(local_date, parse_hhmm(valid_until), ZoneInfo(tz))


def smpp_absolute_time(dt_utc: datetime) -> str:
    """SMPP absolute time 'YYMMDDhhmmsstnnp' in UTC: tenths, '00' quarter hours, '+'."""
    _require_aware(dt_utc)
    dt = dt_utc.astimezone(timezone.utc)
    return dt.strftime("%y%m%d%H%M%S") + f"{dt.microsecond // 100_000}00+"


def smpp_relative(seconds: float) -> str:
    """SMPP relative time 'YYMMDDhhmmss000R' for ``seconds`` from now (whole seconds, rounded up).

    Written in days, hours, minutes and seconds only: years and months have
    no fixed length, and no validity this gateway uses is anywhere near 99 days.
    """
    total = math.ceil(seconds)
    if total <= 0:
        raise ValueError(f"relative validity must be positive, got {seconds!r}")
    days, rest = divmod(total, 86400)
    if days > 99:
        raise ValueError(f"relative validity of {days} days does not fit the DD field")
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return f"0000{days:02d}{hours:02d}{minutes:02d}{secs:02d}000R"
