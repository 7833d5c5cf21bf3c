"""Time in one place: UTC timestamps for rows, local dates for schools."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(timezone.utc)


def iso(dt: datetime) -> str:
    """The stored form of a timestamp: UTC, milliseconds, 'Z'."""
    u = dt if dt.tzinfo is timezone.utc else dt.astimezone(timezone.utc)
    if u.year < 1000:    # strftime writes such years unpadded: kept as it always was
        return u.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"
    return "%d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (u.year, u.month, u.day, u.hour, u.minute, u.second,
                                                dt.microsecond // 1000)


def now_iso() -> str:
    """iso(utcnow())."""
    return iso(utcnow())


def parse_iso(text: str) -> datetime:
    """Read back a stored timestamp."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def local_today(tz: str) -> date:
    """Today's school date in time zone ``tz``."""
    return utcnow().astimezone(ZoneInfo(tz)).date()


def school_year_of(day: date) -> str:
    """The school year a date falls in: Aug 1 starts a new one ('2025-2026')."""
    start = day.year if day.month >= 8 else day.year - 1
    return f"{start}-{start + 1}"


def in_seconds(seconds: float) -> str:
    """iso() of now plus ``seconds``."""
    return iso(utcnow() + timedelta(seconds=seconds))


def utc_shift(tz: str, today: date | None = None) -> str:
    """SQLite's modifier from UTC to ``tz`` at noon of ``today`` ('+420 minutes' for Asia/Ho_Chi_Minh):
    `date(created_at, shift)` is the local day of a stored timestamp."""
    moment = datetime.combine(today or date.today(), time(12), ZoneInfo(tz))
    return f"{int(moment.utcoffset().total_seconds()) // 60:+d} minutes"
