"""Polls through the gateway's answering path (an inbox row, a queued reply), read from the tables: an anonymous poll
leaves nothing that ties a family to an answer, a closed poll gets one polite refusal per number, no text names
another family's child, and the replies of a full sign-up.

On the demo school: 0912345678 has Hoa (THCS-DD 8A2) and An (THPT-CVA 11A1);
0987654321 has Nam (THCS-DD 7A1).
"""
from __future__ import annotations

import re

from store.core.clock import now_iso
from store.community import poll_results, polls
from store.community.poll_rules import Option, PollKind

from .fixtures_commands import Conversation
from .test_polls import HUNG, LAN, WINDOW, gid, make_poll


def texted(db, settings, phone: str, text: str) -> int:
    """One MO stored and answered as the gateway does (inbox row, reply queued); the inbox id."""
    from gateway.answering import MoAnswerer
    from store.messaging.inbox import dedup_key, store_mo
    inbox_id, _ = store_mo(db, connection=settings.smsc[0].name, source_addr=phone[1:], phone=phone, text=text,
                           data_coding=0, key=dedup_key(phone, text, f"ref-{now_iso()}-{text}"), dedup_window_s=0)
    MoAnswerer(lambda: db, settings, None).answer_one(db, inbox_id)
    return inbox_id


def every_text(db) -> list[str]:
    """Every text value of every table of the database."""
    out = []
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"):
        for row in db.execute(f"SELECT * FROM [{table}]"):
            out += [f"{table}: {v}" for v in row if isinstance(v, str)]
    return out


def test_a_closed_anonymous_poll_leaves_no_row_that_ties_a_family_to_an_answer(school_db, sms_settings):
    poll = make_poll(school_db, sms_settings, anonymous=True, question="Hai long voi bep an?")
    phones = [r[0] for r in school_db.execute("SELECT DISTINCT g.phone FROM poll_recipients r JOIN guardians g "
                                              "ON g.id = r.guardian_id WHERE r.poll_id = ? ORDER BY g.phone",
                                              [poll.id])][:5]
    n = poll.id
    for phone, text in zip(phones, (f"BC {n} 1", f"bc{n} 2", f"BC {n}-1", "2")):
        texted(school_db, sms_settings, phone, text)
    replies = [r[0] for r in school_db.execute("SELECT reply_id FROM inbox WHERE command = 'BC' ORDER BY id")]
    assert len(replies) == 4
    for text in (f"BC {n} 2", f"BC {n} 0"):                         # a fifth family answers, then withdraws
        texted(school_db, sms_settings, phones[4], text)
    school_db.execute("UPDATE messages SET state = 'delivered' WHERE phone = ?", [phones[4]])
    # While open: the staff's page of parents' texts shows no BC text, and no reply repeats a choice.
    assert school_db.execute("SELECT count(*) FROM inbox WHERE command = 'BC' AND text IS NOT NULL").fetchone()[0] == 0
    bodies = [b for b, in school_db.execute(f"SELECT body FROM messages WHERE id IN ({','.join('?' * 4)})", replies)]
    assert school_db.execute("SELECT body FROM messages WHERE phone = ? ORDER BY id DESC", [phones[4]]).fetchone()[0] \
        .startswith(f"Da rut cau tra loi khao sat {n}")
    assert all(b.startswith(f"Da ghi cau tra loi khao sat {n} (an danh)") and "Duoc" not in b and "Khong" not in b
               for b in bodies), bodies
    school_db.execute(f"UPDATE messages SET state = 'delivered' WHERE id IN ({','.join('?' * 3)})", replies[:3])
    counts_before = {c.number: c.confirmed for c in poll_results.counts(school_db, poll)}
    assert counts_before == {1: 2, 2: 2}
    polls.close(school_db, poll.id, by="test", dedup_window_s=WINDOW)
    closed_at = polls.get(school_db, poll.id).closed_at
    rows = school_db.execute("SELECT id, guardian_id, student_id, option, answered_at FROM poll_answers "
                             "WHERE poll_id = ? ORDER BY id", [poll.id]).fetchall()
    assert {(g, s, at) for _, g, s, _, at in rows} == {(None, None, closed_at)}, "no family, no time of answer"
    assert [o for *_, o, _ in rows] == [1, 1, 2, 2], "rows written again in option order: ids say nothing"
    assert {c.number: c.confirmed for c in poll_results.counts(school_db, poll)} == counts_before
    def leaks():                            # what the SMS said, the invitation aside
        return [t for t in every_text(school_db) if poll.sms_text not in t and (t in ("inbox: 2", "inbox: 1") or any(
                m in t for m in (f"BC {n} ", f"bc{n} ", f"BC {n}-", "Da ghi", "Da rut")))]
    assert len(leaks()) == 1, leaks()       # the reply still in flight keeps its body until it settles
    school_db.execute("UPDATE messages SET state = 'delivered' WHERE id = ?", [replies[3]])
    polls.close_due(school_db, dedup_window_s=WINDOW)            # serve's scheduler: the settled reply is blanked now
    assert leaks() == []
    assert school_db.execute("SELECT count(*) FROM inbox WHERE command = 'BC' AND text IS NOT NULL").fetchone()[0] == 0


def test_a_named_poll_keeps_its_texts_when_it_closes(school_db, sms_settings):
    poll = make_poll(school_db, sms_settings)
    texted(school_db, sms_settings, HUNG, f"BC {poll.id} 1")
    school_db.execute("UPDATE messages SET state = 'delivered' WHERE kind = 'reply'")
    polls.close(school_db, poll.id, by="test", dedup_window_s=WINDOW)
    assert school_db.execute("SELECT text FROM inbox WHERE command = 'BC'").fetchone()[0] == f"BC {poll.id} 1"
    assert school_db.execute("SELECT guardian_id FROM poll_answers").fetchone()[0] == gid(school_db, HUNG)


def test_no_guardian_is_ever_texted_another_familys_child_or_answer(school_db, sms_settings):
    from store.core.text import fold
    poll = make_poll(school_db, sms_settings, kind=PollKind.SIGNUP, public=True, question="Dang ky tham quan?",
                     options=(Option(1, "Buoi sang", 1), Option(2, "Buoi chieu")))
    n = poll.id
    phones = [r[0] for r in school_db.execute("SELECT DISTINCT g.phone FROM poll_recipients r JOIN guardians g "
                                              "ON g.id = r.guardian_id WHERE r.poll_id = ? ORDER BY g.phone",
                                              [n])][:5]
    for phone in phones:
        texted(school_db, sms_settings, phone, f"BC {n} 1")          # one place: the others wait
    texted(school_db, sms_settings, phones[0], f"BC {n} 2")         # a place freed: the next one is texted
    for phone in phones:
        texted(school_db, sms_settings, phone, f"KQBC {n}")
    texted(school_db, sms_settings, phones[3], "1")
    everyone = {sid: fold(name).lower() for sid, name in school_db.execute("SELECT id, full_name FROM students")}
    texts = school_db.execute("SELECT phone, body FROM messages WHERE created_at >= ? AND body NOT LIKE 'Khao sat%'",
                              [poll.opened_at]).fetchall()
    assert any(body.startswith("Da co cho") for _, body in texts) and len(texts) >= 16
    for phone, body in texts:
        own = {sid for sid, in school_db.execute("SELECT l.student_id FROM guardian_links l JOIN guardians g "
                                                 "ON g.id = l.guardian_id WHERE g.phone = ?", [phone])}
        own_words = {w for s in own for w in everyone[s].split()}
        others = [name for sid, name in everyone.items() if sid not in own and name in fold(body).lower()]
        assert others == [], (phone, body)
        named = re.findall(r"\bcho ([A-Z][a-z]+(?:,? [A-Z][a-z]+)*)", body)      # "cho Hoa", "cho Tran Duc Minh"
        assert all(w.lower() in own_words for group in named for w in re.split(r",? ", group)), (phone, body)


def test_a_closed_poll_gets_one_polite_refusal_per_number_then_silence(school_db, sms_settings):
    poll = make_poll(school_db, sms_settings)
    texted(school_db, sms_settings, HUNG, f"BC {poll.id} 1")
    polls.close(school_db, poll.id, by="test", dedup_window_s=WINDOW)
    refusal = f"Khao sat {poll.id} da dong, khong nhan them cau tra loi. Cam on phu huynh."
    for text in (f"BC {poll.id} 2", f"bc{poll.id} 1", f"BC {poll.id}-2"):
        texted(school_db, sms_settings, HUNG, text)
    texted(school_db, sms_settings, LAN, f"BC {poll.id} 1")          # not asked: "not found", as before
    rows = school_db.execute("SELECT i.phone, i.text, i.state, m.body FROM inbox i LEFT JOIN messages m "
                             "ON m.id = i.reply_id ORDER BY i.id").fetchall()
    assert [(p, s, b) for p, _, s, b in rows[1:4]] == [(HUNG, "answered", refusal), (HUNG, "ignored", None),
                                                        (HUNG, "ignored", None)]
    assert rows[4][2] == "answered" and rows[4][3].startswith(f"Khong tim thay khao sat {poll.id}")
    assert school_db.execute("SELECT option FROM poll_answers WHERE poll_id = ?", [poll.id]).fetchall() == [(1,)]
    other = make_poll(school_db, sms_settings, question="Hop lan 2?")
    polls.close(school_db, other.id, by="test", dedup_window_s=WINDOW)
    assert school_db.execute("SELECT count(*) FROM inbox").fetchone()[0] == 5
    texted(school_db, sms_settings, HUNG, f"BC {other.id} 1")
    assert school_db.execute("SELECT m.body FROM inbox i JOIN messages m ON m.id = i.reply_id ORDER BY i.id DESC "
                             "LIMIT 1").fetchone()[0].startswith(f"Khao sat {other.id} da dong"), "per poll"


def test_sms_replies_say_confirmed_or_on_the_waiting_list_and_the_place_that_frees(school_db, sms_settings):
    poll = make_poll(school_db, sms_settings, kind=PollKind.SIGNUP, question="Dang ky tham quan?",
                     options=(Option(1, "Sáng", 1), Option(2, "Chiều")))
    other = school_db.execute("SELECT g.phone FROM poll_recipients r JOIN guardians g ON g.id = r.guardian_id "
                              "WHERE r.poll_id = ? AND g.phone != ? ORDER BY g.id LIMIT 1", [poll.id, HUNG]).fetchone()[0]
    local = "0" + other[3:]
    n = poll.id
    Conversation(school_db, sms_settings).run(f"""
        0912345678 > BC {n} 1
        0912345678 < Da ghi cho Hoa: Sang. Doi: BC {n} <so>, rut: BC {n} 0
        {local} > BC {n} 1
        {local} ~ : Sang. "Sang" da du cho: 
        {local} ~ trong danh sach cho, co cho se nhan. Doi: BC {n} <so>, rut: BC {n} 0
        0912345678 > BC {n} 2
        0912345678 < Da ghi cho Hoa: Chieu. Doi: BC {n} <so>, rut: BC {n} 0
    """)
    promoted = school_db.execute("SELECT phone, body FROM messages WHERE body LIKE 'Da co cho%'").fetchall()
    assert [p for p, _ in promoted] == [other] and promoted[0][1].startswith(f"Da co cho: Sang (dang ky {n}) cho ")
