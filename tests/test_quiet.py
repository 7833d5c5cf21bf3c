from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, strategies as st

from outbox.quiet import (
    QuietHoursError, digest_valid_until, is_quiet, next_send_time, parse_quiet_hours, smpp_absolute_time,
    smpp_relative,
)

HCM = "Asia/Ho_Chi_Minh"          # UTC+7, no DST
UTC = timezone.utc


def local(tz, *args):
    """A UTC instant given by local wall-clock fields."""
    return datetime(*args, tzinfo=ZoneInfo(tz)).astimezone(UTC)


@pytest.mark.parametrize("clock, expected", [
    ((2025, 3, 10, 20, 59), (2025, 3, 10, 20, 59)),     # before the start: now
    ((2025, 3, 10, 21, 0), (2025, 3, 11, 7, 0)),        # exactly at the start: waits
    ((2025, 3, 10, 23, 30), (2025, 3, 11, 7, 0)),
    ((2025, 3, 11, 0, 0), (2025, 3, 11, 7, 0)),         # after midnight: this morning
    ((2025, 3, 11, 6, 59), (2025, 3, 11, 7, 0)),
    ((2025, 3, 11, 7, 0), (2025, 3, 11, 7, 0)),         # exactly at the end: goes
    ((2025, 3, 11, 12, 0), (2025, 3, 11, 12, 0)),
    ((2025, 12, 31, 22, 0), (2026, 1, 1, 7, 0)),        # across the year
])
def test_window_across_midnight(clock, expected):
    assert next_send_time(local(HCM, *clock), "21:00-07:00", HCM) == local(HCM, *expected)


@pytest.mark.parametrize("clock, expected", [
    ((2025, 3, 10, 11, 59), (2025, 3, 10, 11, 59)),
    ((2025, 3, 10, 12, 0), (2025, 3, 10, 13, 30)),
    ((2025, 3, 10, 13, 29), (2025, 3, 10, 13, 30)),
    ((2025, 3, 10, 13, 30), (2025, 3, 10, 13, 30)),
    ((2025, 3, 10, 23, 0), (2025, 3, 10, 23, 0)),
])
def test_window_within_a_day(clock, expected):
    assert next_send_time(local(HCM, *clock), "12:00-13:30", HCM) == local(HCM, *expected)


def test_result_is_utc_and_in_utc_terms():
    result = next_send_time(datetime(2025, 3, 10, 15, 0, tzinfo=UTC), "21:00-07:00", HCM)  # 22:00 local
    assert result == datetime(2025, 3, 11, 0, 0, tzinfo=UTC) and result.utcoffset() == timedelta(0)
    assert is_quiet(datetime(2025, 3, 10, 15, 0, tzinfo=UTC), "21:00-07:00", HCM)
    assert not is_quiet(datetime(2025, 3, 10, 1, 0, tzinfo=UTC), "21:00-07:00", HCM)


@pytest.mark.parametrize("hours", [None, "", "  ", "07:00-07:00"])
def test_no_quiet_hours(hours):
    now = datetime(2025, 3, 10, 16, 0, tzinfo=UTC)
    assert next_send_time(now, hours, HCM) == now


def test_bad_input_is_refused():
    for bad in ("21-07", "21:00", "25:00-07:00", "21:00-07:60", "abc"):
        with pytest.raises(QuietHoursError) as exc:
            parse_quiet_hours(bad)
        assert exc.value.value == bad
    with pytest.raises(ValueError):
        next_send_time(datetime(2025, 3, 10, 16, 0), "21:00-07:00", HCM)   # naive


def test_another_zone_with_dst():
    berlin = "Europe/Berlin"
    # The night summer time starts (30 March 2025, 02:00 -> 03:00): 07:00 is UTC+2.
    assert next_send_time(local(berlin, 2025, 3, 29, 22, 0), "21:00-07:00", berlin) == \
        datetime(2025, 3, 30, 5, 0, tzinfo=UTC)
    # The night it ends (26 October 2025): 07:00 is UTC+1 again.
    assert next_send_time(local(berlin, 2025, 10, 25, 22, 0), "21:00-07:00", berlin) == \
        datetime(2025, 10, 26, 6, 0, tzinfo=UTC)
    # An end time the clocks skip reads as just after the jump.
    assert next_send_time(local(berlin, 2025, 3, 30, 1, 0), "00:30-02:30", berlin) == \
        datetime(2025, 3, 30, 1, 30, tzinfo=UTC)
    # New York, UTC-5 in winter: quiet 22:00-06:00 local.
    ny = "America/New_York"
    assert next_send_time(datetime(2025, 1, 15, 4, 0, tzinfo=UTC), "22:00-06:00", ny) == \
        datetime(2025, 1, 15, 11, 0, tzinfo=UTC)


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1)),
       st.sampled_from(["21:00-07:00", "12:00-13:30", "22:15-05:45", "00:00-06:00"]),
       st.sampled_from([HCM, "Europe/Berlin", "America/New_York", "UTC"]))
def test_the_send_time_is_never_earlier_and_never_quiet(naive, hours, tz):
    now = naive.replace(tzinfo=UTC)
    result = next_send_time(now, hours, tz)
    assert result >= now
    assert next_send_time(result, hours, tz) == result
    assert result - now <= timedelta(hours=25)


def test_digest_valid_until_is_the_local_time_in_utc():
    assert digest_valid_until(date(2025, 3, 10), "21:00", HCM) == datetime(2025, 3, 10, 14, 0, tzinfo=UTC)
    assert digest_valid_until(date(2025, 7, 1), "21:00", "Europe/Berlin") == datetime(2025, 7, 1, 19, 0, tzinfo=UTC)


def test_smpp_absolute_time_is_utc_tnnp():
    dt = datetime(2025, 3, 10, 21, 5, 9, 730000, tzinfo=ZoneInfo(HCM))
    assert smpp_absolute_time(dt) == "250310140509700+"
    assert smpp_absolute_time(datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC)) == "251231235959000+"
    assert len(smpp_absolute_time(dt)) == 16


@pytest.mark.parametrize("seconds, expected", [
    (3600, "000000010000000R"), (600, "000000001000000R"), (1.2, "000000000002000R"),
    (86400 * 2 + 3661, "000002010101000R"), (86400 * 99, "000099000000000R"),
])
def test_smpp_relative(seconds, expected):
    assert smpp_relative(seconds) == expected


def test_smpp_relative_refuses_what_it_cannot_write():
    for bad in (0, -5, 86400 * 100):
        with pytest.raises(ValueError):
            smpp_relative(bad)
