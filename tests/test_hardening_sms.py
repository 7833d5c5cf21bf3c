"""Issue 11, SMS side: who is a guardian, stranger hints, re-deliveries, suggestions, mail, the inbox (items 7-9, 16, 17, 20)."""
from __future__ import annotations

import dataclasses
import time

import pytest

from commands.service import answer
from commands.suggest import suggest
from store.school import phones
from store.messaging.reports import texts

from .fixtures_gateway import wait_until


@pytest.mark.parametrize("source, ton", [("0912345678", 5), ("tel:0912345678", 1), ("０９１２３４５６７８", 2),
                                         ("SLLSCHOOL", 5), ("912345678", 0)])
def test_item08_only_numeric_msisdns_identify_a_guardian(source, ton):
    with pytest.raises(phones.PhoneError):
        phones.from_mo(source, ton)


@pytest.mark.parametrize("source, ton", [("84912345678", 1), ("0912345678", 2), ("0912345678", 0)])
def test_item08_real_numbers_still_do(source, ton):
    assert phones.from_mo(source, ton) == "+84912345678"


def test_item08_an_alphanumeric_sender_files_nothing_in_a_parents_name(live):
    engine, sim, settings, db = live()
    assert sim.push_mo("0987654321", "NGHI con bi om", source_ton=5) == [0]
    wait_until(lambda: db.execute("SELECT state FROM inbox").fetchone() == ("ignored",))
    assert db.execute("SELECT count(*) FROM teacher_messages").fetchone()[0] == 0
    assert db.execute("SELECT phone FROM inbox").fetchone() == (None,)


def _with(settings, **sms):
    return dataclasses.replace(settings, sms=dataclasses.replace(settings.sms, **sms))


@pytest.mark.parametrize("number", ["+447911123456", "+12025550123", "+88216123456"])
def test_item09_no_stranger_hint_to_foreign_numbers(school_db, sms_settings, number):
    assert answer(school_db, sms_settings, number, "HD").reply is None


def test_item09_stranger_hints_have_a_daily_budget(school_db, sms_settings):
    settings = _with(sms_settings, stranger_hints_per_day=2)
    got = [answer(school_db, settings, f"+8490{n:07d}", "HD").reply is not None for n in range(4)]
    assert got == [True, True, False, False]


def test_item16_without_a_reference_the_same_text_later_is_answered_again(live):
    engine, sim, settings, db = live(sms="mo_retry_window = 1")
    sim.push_mo("0912345678", "CON")
    sim.wait_for_submits(dest="84912345678", count=1, timeout=10)
    time.sleep(1.5)                       # past the SMSC's retry window (sms.mo_retry_window)
    sim.push_mo("0912345678", "CON")
    assert len(sim.wait_for_submits(dest="84912345678", count=2, timeout=10)) == 2
    sim.push_mo("0912345678", "CON")      # at once: a re-delivery within the window, not answered twice
    wait_until(lambda: db.execute("SELECT count(*) FROM inbox WHERE state = 'duplicate'").fetchone()[0] == 1)


@pytest.mark.parametrize("typo", ["OTAN HK1", "HYU", "STPO", "MKK", "DKK", "NGHII con om", "GVV co oi"])
def test_item20_a_typo_is_never_corrected_into_a_command_that_changes_something(typo):
    suggestion = suggest(typo)
    assert suggestion is None or suggestion.split()[0] not in {"HUY", "STOP", "DK", "BAT", "MK", "GV", "NGHI"}


def test_item20_read_commands_are_still_suggested():
    assert suggest("DIEMM TOAN HK1").startswith("DIEM")


def test_item07_another_schools_child_is_redacted_in_the_inbox(school_db, sms_settings):
    # 0912345678 has Hoa at THCS-DD and An at THPT-CVA: the CON reply names both.
    reply = answer(school_db, sms_settings, "+84912345678", "CON").reply.text
    assert "Nguyen Minh An" in reply
    school_db.execute("INSERT INTO messages (phone, body, kind, state, connection, not_before, created_at, updated_at) "
                      "VALUES ('+84912345678', ?, 'reply', 'delivered', 'default', '2026-01-01T00:00:00Z', "
                      "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')", [reply])
    reply_id = school_db.execute("SELECT max(id) FROM messages").fetchone()[0]
    school_db.execute("INSERT INTO inbox (connection, source_addr, phone, text, data_coding, dedup_key, received_at, "
                      "state, reply_id) VALUES ('default', '84912345678', '+84912345678', 'CON', 0, 'k', "
                      "'2026-01-01T00:00:00Z', 'answered', ?)", [reply_id])
    dd = school_db.execute("SELECT id FROM schools WHERE code = 'THCS-DD'").fetchone()[0]
    [row] = [r for r in texts(school_db, tz="Asia/Ho_Chi_Minh", school_id=dd).rows if r["reply_id"] == reply_id]
    assert "Nguyen Thi Hoa" in row["reply"] and "Nguyen Minh An" not in row["reply"] and "11A1" not in row["reply"]


def test_item07_a_reply_about_another_schools_child_shows_none_of_its_data(school_db, sms_settings):
    from store.messaging.redact import HIDDEN, other_schools_children, redact
    dd = school_db.execute("SELECT id FROM schools WHERE code = 'THCS-DD'").fetchone()[0]
    children = other_schools_children(school_db, "+84912345678", dd)
    both = answer(school_db, sms_settings, "+84912345678", "RL").reply.text          # one line per child
    only_an = answer(school_db, sms_settings, "+84912345678", "DIEM TOAN HK1 C2").reply.text
    assert "Nguyen Minh An 11A1" in both and only_an.startswith("Nguyen Minh An 11A1 Toan HK1: ")
    hoa, an = redact(both, children).split("\n")
    assert hoa.startswith("Nguyen Thi Hoa 8A2 ") and an == HIDDEN                   # not even An's conduct
    assert redact(only_an, children) == HIDDEN                                       # nor An's marks


def test_item09_foreign_numbers_get_the_hint_only_when_configured(school_db, sms_settings):
    assert answer(school_db, _with(sms_settings, stranger_hint_foreign=True), "+447911123456", "HD").reply is not None
