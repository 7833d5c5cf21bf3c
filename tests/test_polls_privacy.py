"""An anonymous poll's leftovers, read from the tables: re-delivered copies of an answer, the inbox dedup key,
the answer's channel, the closing pass that the scheduler repeats; and the one polite refusal per poll.

On the demo school: 0912345678 has Hoa (THCS-DD 8A2) and An (THPT-CVA 11A1).
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from store.core.clock import iso, parse_iso
from store.community import poll_answers, poll_privacy, polls
from store.community.poll_rules import Option, PollError, PollKind
from store.messaging import reports
from store.messaging.inbox import dedup_key, store_mo

from .fixtures_commands import Conversation
from .test_polls import HUNG, WINDOW, gid, make_poll
from .test_polls_sms import texted

SRC = "smsc1:84912345678"


def _mo(db, settings, text: str, *, answer: bool) -> int:
    """One MO as the gateway stores it without an SMSC reference (a re-delivery within the window is `duplicate`)."""
    from gateway.answering import MoAnswerer
    inbox_id, duplicate = store_mo(db, connection=settings.smsc[0].name, source_addr=HUNG[1:], phone=HUNG, text=text,
                                   data_coding=0, key=dedup_key(SRC, text, ""), dedup_window_s=WINDOW)
    if answer and not duplicate:
        MoAnswerer(lambda: db, settings, None).answer_one(db, inbox_id)
    return inbox_id


def _settle(db):
    db.execute("UPDATE messages SET state = 'delivered' WHERE state IN ('queued', 'sending')")


def test_a_re_delivered_anonymous_answer_keeps_no_text_and_no_key_that_gives_the_choice_away(school_db,
                                                                                              sms_settings):
    poll = make_poll(school_db, sms_settings, anonymous=True, question="Hai long voi bep an?")
    n = poll.id
    early = _mo(school_db, sms_settings, f"BC {n} 1", answer=False)     # the SMSC re-delivers before it is answered
    copy_before = _mo(school_db, sms_settings, f"BC {n} 1", answer=False)
    from gateway.answering import MoAnswerer
    MoAnswerer(lambda: school_db, sms_settings, None).answer_one(school_db, early)
    copy_after = _mo(school_db, sms_settings, f"BC {n} 1", answer=True)  # ... and once more after
    rows = dict(school_db.execute("SELECT id, state FROM inbox WHERE id IN (?, ?, ?)",
                                  [early, copy_before, copy_after]).fetchall())
    assert rows == {early: "answered", copy_before: "duplicate", copy_after: "duplicate"}, "still recognised"
    texts = school_db.execute("SELECT text FROM inbox WHERE phone = ?", [HUNG]).fetchall()
    assert texts == [(None,)] * 3, "no copy keeps the answer for the staff's page of parents' texts"
    school_id = poll.school_id
    listed = reports.texts(school_db, tz=sms_settings.sms.timezone, school_id=school_id)
    assert listed.rows and not any(f"BC {n}" in (row.get("text") or "") for row in listed.rows), listed.rows
    _settle(school_db)
    polls.close(school_db, n, by="test", dedup_window_s=WINDOW)
    closed_at = parse_iso(polls.get(school_db, n).closed_at)
    guesses = {dedup_key(SRC, f"BC {n} {k}", "") for k in range(10)}
    keys = {k for k, in school_db.execute("SELECT dedup_key FROM inbox WHERE phone = ?", [HUNG])}
    assert keys & guesses, "inside the dedup window the key still recognises a re-delivery"
    assert _mo(school_db, sms_settings, f"BC {n} 1", answer=False) and school_db.execute(
        "SELECT state, text FROM inbox ORDER BY id DESC LIMIT 1").fetchone() == ("duplicate", None)
    later = closed_at + timedelta(seconds=WINDOW + 1)
    polls.close_due(school_db, later, dedup_window_s=WINDOW)
    keys = {k for k, in school_db.execute("SELECT dedup_key FROM inbox WHERE phone = ?", [HUNG])}
    assert not keys & guesses and all(k.startswith(poll_privacy.FORGOTTEN) for k in keys), keys


def test_closing_drops_the_channel_and_the_scheduler_reads_before_it_writes_then_stops(school_db, sms_settings):
    poll = make_poll(school_db, sms_settings, anonymous=True, question="Hai long voi bep an?")
    phones = [p for p, in school_db.execute("SELECT DISTINCT g.phone FROM poll_recipients r JOIN guardians g "
                                            "ON g.id = r.guardian_id WHERE r.poll_id = ? AND g.phone != ? "
                                            "ORDER BY g.phone", [poll.id, HUNG])][:2]
    texted(school_db, sms_settings, phones[0], f"BC {poll.id} 1")
    poll_answers.answer(school_db, poll, gid(school_db, phones[1]), 2, source="web")
    polls.close(school_db, poll.id, by="test", dedup_window_s=WINDOW)
    assert {s for s, in school_db.execute("SELECT source FROM poll_answers WHERE poll_id = ?", [poll.id])} == {"sms"}
    seen = []
    school_db.conn.set_trace_callback(lambda sql: seen.append((sql.split()[0].upper(), sql,
                                                               school_db.conn.in_transaction)))
    try:
        polls.close_due(school_db, parse_iso(polls.get(school_db, poll.id).closed_at) + timedelta(seconds=1),
                        dedup_window_s=WINDOW)
        reads = [s for verb, s, in_tx in seen if verb == "SELECT" and "FROM inbox" in s]
        assert reads and not any(in_tx for verb, s, in_tx in seen if verb == "SELECT" and "FROM inbox" in s), \
            "what to blank is read outside the write transaction"
        assert polls.get(school_db, poll.id) and school_db.execute(
            "SELECT forgotten_at FROM polls WHERE id = ?", [poll.id]).fetchone()[0] is None, "window still open"
        later = parse_iso(polls.get(school_db, poll.id).closed_at) + timedelta(seconds=WINDOW + 1)
        polls.close_due(school_db, later, dedup_window_s=WINDOW)
        assert school_db.execute("SELECT forgotten_at FROM polls WHERE id = ?", [poll.id]).fetchone()[0] is None, \
            "a reply still in flight"
        _settle(school_db)
        polls.close_due(school_db, later, dedup_window_s=WINDOW)
        assert school_db.execute("SELECT forgotten_at FROM polls WHERE id = ?", [poll.id]).fetchone()[0] == iso(later)
        seen.clear()
        polls.close_due(school_db, later + timedelta(seconds=20), dedup_window_s=WINDOW)
        assert not [s for _, s, _ in seen if "FROM inbox" in s or "FROM messages" in s], "done: never scanned again"
    finally:
        school_db.conn.set_trace_callback(None)


def test_a_bare_digit_for_another_poll_is_no_refusal_of_this_one(school_db, sms_settings):
    first = make_poll(school_db, sms_settings)
    polls.close(school_db, first.id, by="test", dedup_window_s=WINDOW)
    second = make_poll(school_db, sms_settings, question="Hop lan 2?")
    def reply(text):
        inbox_id = texted(school_db, sms_settings, HUNG, text)
        return school_db.execute("SELECT m.body FROM inbox i LEFT JOIN messages m ON m.id = i.reply_id "
                                 "WHERE i.id = ?", [inbox_id]).fetchone()[0]
    assert reply("2").startswith("Da ghi cho Hoa: Khong")                          # the only open poll
    refusal = f"Khao sat {first.id} da dong, khong nhan them cau tra loi. Cam on phu huynh."
    assert reply(f"BC {first.id} 1") == refusal
    assert reply(f"BC {first.id} 2") is None                                         # then silence
    assert school_db.execute("SELECT option FROM poll_answers WHERE poll_id = ?", [second.id]).fetchall() == [(2,)]


def test_a_withdrawal_from_poll_31_survives_the_closing_of_poll_3(school_db, sms_settings):
    short = make_poll(school_db, sms_settings, anonymous=True)
    cols = "school_id, school_year, kind, target, grade, class_id, question, anonymous, public_tally, closes_at, " \
           "created_by, created_at"
    school_db.execute(f"INSERT INTO polls (id, status, {cols}) SELECT ?, 'cancelled', {cols} FROM polls WHERE id = ?",
                      [short.id * 10, short.id])          # the next poll's number starts with this one's
    long = make_poll(school_db, sms_settings, anonymous=True, question="Hop lan 2?")
    assert str(long.id) == f"{short.id}1"
    texted(school_db, sms_settings, HUNG, f"BC {long.id} 1")
    texted(school_db, sms_settings, HUNG, f"BC {long.id} 0")
    _settle(school_db)
    polls.close(school_db, short.id, by="test", dedup_window_s=WINDOW)
    bodies = [b for b, in school_db.execute("SELECT body FROM messages WHERE phone = ? AND kind = 'reply'", [HUNG])]
    assert any(b and b.startswith(f"Da rut cau tra loi khao sat {long.id}") for b in bodies), bodies


def test_a_sign_up_with_places_cannot_be_anonymous(school_db, sms_settings):
    with pytest.raises(PollError, match="không thể ẩn danh"):
        make_poll(school_db, sms_settings, kind=PollKind.SIGNUP, anonymous=True, question="Dang ky tham quan?",
                  options=(Option(1, "Buoi sang", 1), Option(2, "Buoi chieu")))
    assert make_poll(school_db, sms_settings, kind=PollKind.SIGNUP, anonymous=True, question="Dang ky an danh?",
                     options=(Option(1, "Co"), Option(2, "Khong"))).anonymous, "without places it may be"


def test_an_anonymous_sign_up_from_before_says_a_place_freed_without_the_option(school_db, sms_settings):
    """One made before anonymous sign-ups with places were refused (the flag set on a named one here)."""
    poll = make_poll(school_db, sms_settings, kind=PollKind.SIGNUP, question="Dang ky tham quan?",
                     options=(Option(1, "Buoi sang", 1), Option(2, "Buoi chieu")))
    with school_db.conn:
        school_db.execute("UPDATE polls SET anonymous = 1 WHERE id = ?", [poll.id])
    poll = polls.get(school_db, poll.id)
    other = school_db.execute("SELECT g.phone FROM poll_recipients r JOIN guardians g ON g.id = r.guardian_id "
                              "WHERE r.poll_id = ? AND g.phone != ? ORDER BY g.id LIMIT 1", [poll.id, HUNG]).fetchone()[0]
    texted(school_db, sms_settings, HUNG, f"BC {poll.id} 1")
    texted(school_db, sms_settings, other, f"BC {poll.id} 1")            # waits
    texted(school_db, sms_settings, HUNG, f"BC {poll.id} 2")             # frees the place
    body = school_db.execute("SELECT body FROM messages WHERE phone = ? AND body LIKE 'Da co cho%'",
                             [other]).fetchone()[0]
    assert body.startswith(f"Da co cho (dang ky {poll.id})") and "sang" not in body.lower(), body
    _settle(school_db)
    polls.close(school_db, poll.id, by="test", dedup_window_s=WINDOW)
    assert school_db.execute("SELECT count(*) FROM messages WHERE body LIKE 'Da co cho%'").fetchone()[0] == 0


def test_only_ascii_digits_answer(school_db, sms_settings):
    poll = make_poll(school_db, sms_settings)
    convo = Conversation(school_db, sms_settings)
    for text in ("１", f"BC {poll.id} １", "²", "①"):
        reply = convo.send("0912345678", text) or ""
        assert not reply.startswith("Da ghi"), (text, reply)
        assert not reply.startswith("Nhan BC <so khao sat>"), (text, reply)
    assert school_db.execute("SELECT count(*) FROM poll_answers WHERE poll_id = ?", [poll.id]).fetchone()[0] == 0


def test_migration_19_cleans_what_older_closings_left(school_db, sms_settings):
    """A poll closed before version 19: a copy with its text, keys from the text, an answer's channel."""
    from store.core import migrate
    poll = make_poll(school_db, sms_settings, anonymous=True)
    n = poll.id
    _mo(school_db, sms_settings, f"BC {n} 2", answer=True)
    school_db.execute("INSERT INTO inbox (connection, source_addr, phone, text, data_coding, dedup_key, received_at, "
                      "state) SELECT connection, source_addr, phone, ?, 0, dedup_key, received_at, 'duplicate' "
                      "FROM inbox WHERE phone = ?", [f"BC {n} 2", HUNG])           # what insert_mo stored before
    poll_answers.answer(school_db, poll, gid(school_db, HUNG), 2, source="web")
    _settle(school_db)
    polls.close(school_db, n, by="test", dedup_window_s=WINDOW)
    school_db.execute("UPDATE poll_answers SET source = 'web'")
    school_db.execute("UPDATE polls SET forgotten_at = NULL, opened_at = '2020-01-01T00:00:00.000Z', "
                      "closed_at = '2020-01-03T00:00:00.000Z' WHERE id = ?", [n])
    school_db.execute("UPDATE inbox SET dedup_key = ?, received_at = '2020-01-02T00:00:00.000Z' WHERE phone = ?",
                      [dedup_key(SRC, f"BC {n} 2", ""), HUNG])
    sql = [p for number, p in migrate.migrations() if number == 19][0].read_text(encoding="utf-8")
    school_db.conn.executescript("\n".join(line for line in sql.splitlines() if not line.startswith("ALTER")))
    assert school_db.execute("SELECT text, dedup_key FROM inbox WHERE phone = ?", [HUNG]).fetchall() == \
        [(None, f"{poll_privacy.FORGOTTEN}{i}") for i, in school_db.execute("SELECT id FROM inbox WHERE phone = ? "
                                                                             "ORDER BY id", [HUNG])]
    assert {s for s, in school_db.execute("SELECT source FROM poll_answers")} == {"sms"}
    assert school_db.execute("SELECT forgotten_at FROM polls WHERE id = ?", [n]).fetchone()[0] == \
        "2020-01-03T00:00:00.000Z"


def test_the_closing_reads_the_gateways_texts_by_phone_through_the_partial_index(school_db):
    """messages_phone holds only replies and announcements (migration 022): the closing's read names those
    kinds word for word, or SQLite would scan every message of the window instead."""
    plan = school_db.execute("EXPLAIN QUERY PLAN " + poll_privacy.sent_bodies_sql(2),
                             [1, "2026-01-01", "2026-02-01", "%a%", "%b%"]).fetchall()
    assert any("messages USING INDEX messages_phone (phone=?" in row[3] for row in plan), plan
    kinds = school_db.execute("SELECT sql FROM sqlite_master WHERE name = 'messages_phone'").fetchone()[0]
    assert kinds.endswith("WHERE kind IN ('reply', 'announcement')")
    assert "kind IN ('reply', 'announcement')" in poll_privacy.sent_bodies_sql(1)
