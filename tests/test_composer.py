"""The composer every bulk send shares (outbox/composer.py): the cost, the stale-preview check, send once."""
from __future__ import annotations

from outbox import composer, notices


def test_preview_costs_parts_times_recipients_and_matches_only_its_own_stamp(app_settings):
    sms = notices.announcement(app_settings, school_name="THCS Dong Da", class_name="8A2", text="Hop phu huynh " * 20)
    shown = composer.preview(sms, 7)
    assert sms.parts > 1 and shown.total_parts == 7 * sms.parts and shown.encoding == sms.encoding
    assert shown.matches(f"7:{sms.parts}") and shown.matches(("7", str(sms.parts)))
    assert not shown.matches(f"8:{sms.parts}") and not shown.matches(f"7:{sms.parts + 1}")
    assert not shown.matches(None) and not shown.matches(("", ""))
    assert shown.queued(7, "tin thông báo") == f"Đã xếp 7 tin thông báo ({7 * sms.parts} phần SMS) vào hàng gửi."


def test_a_preview_is_sent_once_and_a_failed_send_gives_the_key_back(redis_server, redis_prefix):
    assert not composer.claim_once(redis_server, redis_prefix, "announce", "")
    assert composer.claim_once(redis_server, redis_prefix, "announce", "abc")
    assert not composer.claim_once(redis_server, redis_prefix, "announce", "abc")
    assert composer.claim_once(redis_server, redis_prefix, "polls", "abc")        # each area its own keys
    composer.release(redis_server, redis_prefix, "announce", "abc")
    assert composer.claim_once(redis_server, redis_prefix, "announce", "abc")
