"""Polls and sign-ups (SPEC §13): rules, answers by SMS (every spelling), places and the waiting list, privacy.

On the demo school: 0912345678 has Hoa (THCS-DD 8A2) and An (THPT-CVA 11A1);
0987654321 has Nam (THCS-DD 7A1).
"""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from outbox import poll_notices
from store.core.clock import iso, now_iso, school_year_of, local_today, utcnow
from store.community import poll_answers, poll_results, polls
from store.community.poll_rules import (TRANSITIONS, Option, Place, PollError, PollKind, PollStatus, Target,
                                        check_transition, parse_options)
from store.core.connection import connect, transaction
from outbox.scheduler import tick

from .fixtures_commands import Conversation

HUNG, LAN = "+84912345678", "+84987654321"
WINDOW = 600                # sms.mo_dedup_window


def school_and_class(db, class_name="8A2", school="THCS-DD") -> tuple[int, int]:
    return db.execute("SELECT s.id, c.id FROM schools s JOIN classes c ON c.school_id = s.id WHERE s.code = ? "
                      "AND c.name = ? ORDER BY c.school_year DESC LIMIT 1", [school, class_name]).fetchone()


def make_poll(db, settings, *, target=Target.CLASS, class_name="8A2", grade=None, kind=PollKind.POLL,
              options=(Option(1, "Được"), Option(2, "Không")), anonymous=False, public=False,
              question="Họp PH tối T6 19h?") -> polls.Poll:
    """A poll opened and its invitations queued, as the composer's send does."""
    school_id, class_id = school_and_class(db, class_name)
    pid = polls.create(db, school_id=school_id, school_year=school_year_of(local_today(settings.sms.timezone)),
                       kind=kind, target=target, grade=grade, class_id=class_id if target is Target.CLASS else None,
                       question=question, options=tuple(options), anonymous=anonymous, public_tally=public,
                       closes_at=utcnow() + timedelta(days=2), created_by="test")
    poll = polls.get(db, pid)
    sms = poll_notices.invitation(settings, poll)
    with transaction(db):
        invited = polls.open_poll(db, pid, by="test", sms_text=sms.text)
        poll_notices.send_invitations(db, settings, poll, invited, sms)
    return polls.get(db, pid)


def gid(db, phone):
    return db.execute("SELECT id FROM guardians WHERE phone = ?", [phone]).fetchone()[0]


def student(db, code):
    return db.execute("SELECT id FROM students WHERE code = ?", [code]).fetchone()[0]


def link(db, phone, student_id):
    """Link another child to ``phone`` this school year."""
    year = db.execute("SELECT school_year FROM guardian_links WHERE guardian_id = ? LIMIT 1",
                      [gid(db, phone)]).fetchone()[0]
    db.execute("INSERT INTO guardian_links (guardian_id, student_id, school_year, consent_source, consent_at) "
               "VALUES (?, ?, ?, 'import', ?)", [gid(db, phone), student_id, year, now_iso()])


# -- rules ------------------------------------------------------------------------------------------
def test_options_one_a_line_with_places_only_for_sign_ups():
    assert parse_options("Được\n Không \n", signup=False) == (Option(1, "Được"), Option(2, "Không"))
    assert parse_options("Sáng [30]\nChiều[ 5 ]", signup=True) == (Option(1, "Sáng", 30), Option(2, "Chiều", 5))
    for text, signup, message in (("Một", False, "từ 2 đến 9"), ("\n".join("abcdefghij"), False, "đang có 10"),
                                  ("A [3]\nB", False, "dòng 1: số chỗ"), ("A [0]\nB", True, "từ 1 trở lên"),
                                  ("A\n" + "x" * 41, False, "dòng 2")):
        with pytest.raises(PollError, match=message):
            parse_options(text, signup=signup)


def test_every_poll_move_follows_the_table():
    for old in PollStatus:
        for new in PollStatus:
            if new in TRANSITIONS[old]:
                check_transition(old, new)
            else:
                with pytest.raises(PollError):
                    check_transition(old, new)


# -- opening -----------------------------------------------------------------------------------------
def test_opening_asks_each_guardian_once_with_the_exact_text(school_db, sms_settings):
    poll = make_poll(school_db, sms_settings)
    assert poll.status is PollStatus.OPEN
    sent = school_db.execute("SELECT phone, body, kind FROM messages WHERE kind = 'announcement'").fetchall()
    phones = [p for p, _, _ in sent]
    assert len(phones) == len(set(phones)) and HUNG in phones and LAN not in phones
    body = next(b for p, b, _ in sent if p == HUNG)
    assert body.startswith("Khao sat lop 8A2 (het ")
    assert body.endswith(f"Hop PH toi T6 19h? Tra loi: BC {poll.id} 1=Duoc 2=Khong")
    assert poll.sms_text == body
    with pytest.raises(PollError):
        polls.open_poll(school_db, poll.id, by="again", sms_text=body)


# -- SMS -------------------------------------------------------------------------------------------------
def test_answers_by_sms_in_every_spelling_replace_withdraw_and_tally(school_db, sms_settings):
    poll = make_poll(school_db, sms_settings, public=True)
    n = poll.id
    Conversation(school_db, sms_settings).run(f"""
        0912345678 > BC {n} 1
        0912345678 < Da ghi cho Hoa: Duoc. Doi: BC {n} <so>, rut: BC {n} 0
        0912345678 > bc{n} 2
        0912345678 < Da ghi cho Hoa: Khong. Doi: BC {n} <so>, rut: BC {n} 0
        0912345678 > BC {n}-1
        0912345678 ~ Da ghi cho Hoa: Duoc
        0912345678 > bình chọn {n}.2
        0912345678 ~ Da ghi cho Hoa: Khong
        0912345678 > 1
        0912345678 ~ Da ghi cho Hoa: Duoc
        0912345678 > BC {n} 7
        0912345678 < Khao sat {n}: Hop PH toi T6 19h? Tra loi: BC {n} 1=Duoc 2=Khong
        0912345678 > BC
        0912345678 < Nhan BC <so khao sat> <lua chon>, vd: BC {n} 1. Dang mo: {n} (Hop PH toi T6 19h?)
        0912345678 > KQBC {n}
        0912345678 ~ Ket qua khao sat {n}: Duoc 1, Khong 0. Da tra loi 1/
        0912345678 > BC {n} 0
        0912345678 < Da rut cau tra loi khao sat {n} cho Hoa.
        0987654321 > BC {n} 1
        0987654321 < Khong tim thay khao sat {n} cho con cua so nay.
        0987654321 > KQBC {n}
        0987654321 < Khong tim thay khao sat {n} cho con cua so nay.
        0987654321 > 1
        0987654321 ~ Khong hieu tin nhan
    """)
    hung = gid(school_db, HUNG)
    assert school_db.execute("SELECT count(*) FROM poll_answers WHERE guardian_id = ?", [hung]).fetchone()[0] == 0


def test_a_family_with_two_children_answers_both_at_once_or_one_by_name(school_db, sms_settings):
    other = school_db.execute("SELECT s.id, s.full_name FROM students s JOIN enrollments e ON e.student_id = s.id "
                              "JOIN classes c ON c.id = e.class_id WHERE c.name = '8A2' AND s.code != 'DD900001' "
                              "ORDER BY s.id LIMIT 1").fetchone()
    link(school_db, HUNG, other[0])
    poll = make_poll(school_db, sms_settings)
    given = other[1].split()[-1]
    convo = Conversation(school_db, sms_settings)
    reply = convo.send("0912345678", f"BC {poll.id} 1")
    assert reply.startswith("Da ghi cho ") and "Hoa" in reply and ": Duoc." in reply
    assert school_db.execute("SELECT count(*) FROM poll_answers WHERE poll_id = ?", [poll.id]).fetchone()[0] == 2
    reply = convo.send("0912345678", f"BC {poll.id} 2 Hoa")
    assert reply.startswith("Da ghi cho Hoa: Khong"), reply
    got = dict(school_db.execute("SELECT student_id, option FROM poll_answers WHERE poll_id = ?", [poll.id]).fetchall())
    assert got == {student(school_db, "DD900001"): 2, other[0]: 1}, given


def test_after_closing_one_polite_refusal_and_the_scheduler_closes_on_time(school_db, sms_settings, redis_server,
                                                                          redis_prefix):
    poll = make_poll(school_db, sms_settings)
    school_db.execute("UPDATE polls SET closes_at = ? WHERE id = ?", [iso(utcnow() - timedelta(seconds=1)), poll.id])
    Conversation(school_db, sms_settings).run(f"""
        0912345678 > BC {poll.id} 1
        0912345678 < Khao sat {poll.id} da dong, khong nhan them cau tra loi. Cam on phu huynh.
        0912345678 > KQBC {poll.id}
        0912345678 < Ket qua khao sat {poll.id} khong cong khai; nha truong se thong bao khi co ket qua.
    """)
    from dataclasses import replace
    cfg = replace(sms_settings, redis=replace(sms_settings.redis, prefix=redis_prefix))
    tick(school_db, cfg, redis_server, set())
    assert polls.get(school_db, poll.id).status is PollStatus.CLOSED


# -- places ---------------------------------------------------------------------------------------------------
def test_a_full_option_puts_answers_on_the_waiting_list_and_a_freed_place_moves_the_first_up(school_db, sms_settings):
    poll = make_poll(school_db, sms_settings, kind=PollKind.SIGNUP,
                     options=(Option(1, "Sáng", 1), Option(2, "Chiều")), question="Dang ky tham quan?")
    people = [r[0] for r in school_db.execute("SELECT DISTINCT guardian_id FROM poll_recipients WHERE poll_id = ? "
                                              "ORDER BY guardian_id", [poll.id])][:3]
    results = [poll_answers.answer(school_db, poll, g, 1) for g in people]
    assert [r.answers[0].place for r in results] == [Place.CONFIRMED, Place.WAITING, Place.WAITING]
    freed = poll_answers.answer(school_db, poll, people[0], 2)
    assert [(p.guardian_id, p.option) for p in freed.promoted] == [(people[1], 1)]
    before = school_db.execute("SELECT count(*) FROM messages").fetchone()[0]
    poll_notices.notify_promoted(school_db, sms_settings, poll, freed.promoted)
    text = school_db.execute("SELECT body FROM messages ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert school_db.execute("SELECT count(*) FROM messages").fetchone()[0] == before + 1
    assert text.startswith(f"Da co cho: Sang (dang ky {poll.id}) cho ")
    counts = {c.number: (c.confirmed, c.waiting) for c in poll_results.counts(school_db, poll)}
    assert counts == {1: (1, 1), 2: (1, 0)}


def test_concurrent_answers_never_over_book(school_db_path, school_db, sms_settings):
    poll = make_poll(school_db, sms_settings, target=Target.SCHOOL, kind=PollKind.SIGNUP,
                     options=(Option(1, "Bán trú", 5), Option(2, "Không")), question="Dang ky ban tru?")
    people = [r[0] for r in school_db.execute("SELECT DISTINCT guardian_id FROM poll_recipients WHERE poll_id = ?",
                                              [poll.id])][:24]
    errors = []

    def run(chunk):
        db = connect(school_db_path)
        try:
            for g in chunk:
                poll_answers.answer(db, polls.get(db, poll.id), g, 1)
        except Exception as e:          # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            db.close()

    threads = [threading.Thread(target=run, args=(people[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    places = dict(school_db.execute("SELECT place, count(*) FROM poll_answers WHERE poll_id = ? AND option = 1 "
                                    "GROUP BY place", [poll.id]).fetchall())
    assert places["confirmed"] == 5 and places["confirmed"] + places["waiting"] >= 24


# -- privacy ------------------------------------------------------------------------------------------------------
def test_an_anonymous_poll_keeps_no_voter_once_closed_and_never_lists_who(school_db, sms_settings):
    poll = make_poll(school_db, sms_settings, anonymous=True)
    people = [r[0] for r in school_db.execute("SELECT DISTINCT guardian_id FROM poll_recipients WHERE poll_id = ?",
                                              [poll.id])][:4]
    for i, g in enumerate(people):
        poll_answers.answer(school_db, poll, g, 1 + i % 2)
    assert poll_results.not_answered(school_db, poll) == []
    assert all(row[1] is None and row[2] is None for row in poll_results.answers(school_db, poll))
    polls.close(school_db, poll.id, by="test", dedup_window_s=WINDOW)
    rows = school_db.execute("SELECT guardian_id, student_id FROM poll_answers WHERE poll_id = ?", [poll.id]).fetchall()
    assert len(rows) == 4 and set(rows) == {(None, None)}
    counts = {c.number: c.confirmed for c in poll_results.counts(school_db, poll)}
    assert counts == {1: 2, 2: 2}
    assert sum(r.answered for r in poll_results.per_class(school_db, poll)) == 4


def test_a_named_poll_lists_who_has_not_answered_and_reminds_only_them_once(school_db, sms_settings):
    poll = make_poll(school_db, sms_settings)
    hung = gid(school_db, HUNG)
    poll_answers.answer(school_db, poll, hung, 1)
    missing = poll_results.not_answered(school_db, poll)
    assert missing and all(m.student_code != "DD900001" for m in missing)
    reminded = poll_notices.send_reminder(school_db, sms_settings, poll)
    assert reminded == len({m.phone for m in missing})
    assert poll_notices.send_reminder(school_db, sms_settings, polls.get(school_db, poll.id)) == 0
    to_hung = school_db.execute("SELECT count(*) FROM messages WHERE phone = ? AND body LIKE 'Nhac lai:%'",
                                [HUNG]).fetchone()[0]
    assert to_hung == 0


def test_the_reminder_waits_out_quiet_hours_and_never_outlives_the_poll(school_db, sms_settings):
    from dataclasses import replace
    from zoneinfo import ZoneInfo
    local = utcnow().astimezone(ZoneInfo(sms_settings.sms.timezone))
    window = f"{(local - timedelta(hours=1)):%H:%M}-{(local + timedelta(hours=2)):%H:%M}"     # quiet now, for 2 h
    quiet_now = replace(sms_settings, sms=replace(sms_settings.sms, quiet_hours=window))
    poll = make_poll(school_db, sms_settings)                                                   # closes in 2 days
    assert poll_notices.send_reminder(school_db, quiet_now, poll) > 0
    held = school_db.execute("SELECT min(not_before), max(valid_until), min(valid_until) FROM messages "
                             "WHERE body LIKE 'Nhac lai:%'").fetchone()
    assert held[0] >= iso(utcnow() + timedelta(hours=1, minutes=55)), "held until quiet hours end"
    assert held[1] == held[2] == poll.closes_at, "a reminder never goes out after closing"
    soon = make_poll(school_db, sms_settings, question="Hop gap?")
    school_db.execute("UPDATE polls SET closes_at = ? WHERE id = ?", [iso(utcnow() + timedelta(hours=1)), soon.id])
    with pytest.raises(PollError, match="giờ yên lặng"):
        poll_notices.send_reminder(school_db, quiet_now, polls.get(school_db, soon.id))
    assert polls.get(school_db, soon.id).reminded_at is None, "refused, so the one reminder is still there"
