"""BL by SMS on the demo school: one reply with the score, wrong items and a link; repeats; refusals; families.

0912345678 has Hoa (8A2, THCS-DD) and An (11A1, THPT-CVA); test T9 (6 items, 2 attempts) is for 8A2.
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from commands.service import answer
from store.core.clock import iso, utcnow
from store.questions import attempts

from .fixtures_questions import key_letters

HOA_PHONE, NAM_PHONE = "0912345678", "0987654321"


def _wrong(letters: str, at: set[int]) -> str:
    """``letters`` with the items in ``at`` (1-based) changed to another letter."""
    return "".join(("B" if c == "A" else "A") if i in at else c for i, c in enumerate(letters, 1))


def test_a_right_answer_scores_full_and_the_reply_has_the_link(convo, demo_quiz):
    quiz, hoa = demo_quiz
    key = key_letters(convo.db, hoa)
    reply = convo.send(HOA_PHONE, f"BL {hoa.code} {key}")
    assert reply == (f"De {hoa.code} (Hoa 8A2): dung 6/6. Con 1 lan lam. "
                     f"Xem loi giai: http://127.0.0.1:8080/p/bl/{hoa.code}")


def test_the_spec_form_lists_the_wrong_items_with_the_letter_sent(convo, demo_quiz):
    quiz, hoa = demo_quiz
    sent = _wrong(key_letters(convo.db, hoa), {3, 5})
    pairs = " ".join(f"{i}{c.lower()}" for i, c in enumerate(sent, 1))
    reply = convo.send(HOA_PHONE, f"bl {hoa.code.lower()} {pairs}")
    assert reply.startswith(f"De {hoa.code} (Hoa 8A2): dung 4/6. Sai: 3({sent[2]}) 5({sent[4]}).")


@pytest.mark.parametrize("form", ["{code} {pairs}", "{code}: {dotted}", "C1 {quiz} {letters}", "{quiz} {letters} C1",
                                  "{quiz} {letters} DD900001", "{glued}", "{quiz}-{seq} {spaced}",
                                  "ĐA {code} {letters}", "ma de {code} {letters}", "Đề: {code} {pairs}"])
def test_every_form_of_section_15_reaches_the_same_mark(convo, demo_quiz, form):
    quiz, hoa = demo_quiz
    key = key_letters(convo.db, hoa)
    sent = _wrong(key, {2}).replace(key[5], "X", 0)[:5] + "X"        # item 6 left blank
    values = dict(code=hoa.code, quiz=quiz.code, seq=hoa.seq, letters=sent,
                  pairs=" ".join(f"{i}{c}" for i, c in enumerate(sent, 1)),
                  dotted=" ".join(f"{i}.{c}" for i, c in enumerate(sent, 1)),
                  glued=f"{hoa.code}" + "".join(f"{i}{c.lower()}" for i, c in enumerate(sent, 1)),
                  spaced=" ".join(sent))
    text = "BL " + form.format(**values)
    if form.startswith("ĐA"):
        text = f"BL {hoa.code} ĐA {sent}"
    reply = convo.send(HOA_PHONE, text)
    wrong = [i for i, (s, k) in enumerate(zip(sent, key), 1) if s != k]
    assert f"dung {6 - len(wrong)}/6" in reply, (text, reply)
    assert "6(-)" in reply


def test_a_redelivered_text_gets_the_stored_result_and_costs_no_attempt(convo, demo_quiz):
    quiz, hoa = demo_quiz
    text = f"BL {hoa.code} {key_letters(convo.db, hoa)}"
    first = convo.send(HOA_PHONE, text)
    again = convo.send(HOA_PHONE, text)
    assert again == first and len(attempts.of_variant(convo.db, hoa.id)) == 1
    # Same answers, other spelling: the same stored attempt.
    spelled = " ".join(f"{i}{c}" for i, c in enumerate(key_letters(convo.db, hoa), 1))
    assert convo.send(HOA_PHONE, f"BL {hoa.code} {spelled}") == first


def test_past_the_attempts_limit_one_polite_refusal_then_silence(convo, demo_quiz):
    quiz, hoa = demo_quiz
    convo.send(HOA_PHONE, f"BL {hoa.code} AAAAAA")
    convo.send(HOA_PHONE, f"BL {hoa.code} BBBBBB")
    refusal = convo.send(HOA_PHONE, f"BL {hoa.code} CCCCCC")
    assert refusal == f"Hoa (8A2) da lam de {hoa.code} du 2 lan, cam on. Ket qua: http://127.0.0.1:8080/p/bl/{hoa.code}"
    assert convo.send(HOA_PHONE, f"BL {hoa.code} DDDDDD") is None
    assert len(attempts.of_variant(convo.db, hoa.id)) == 2
    assert convo.send(HOA_PHONE, f"BL {hoa.code} AAAAAA").startswith(f"De {hoa.code}")   # a repeat still answers


def test_after_close_one_refusal_and_before_opening_one_notice(convo, demo_quiz):
    quiz, hoa = demo_quiz
    convo.db.execute("UPDATE quizzes SET closes_at = ? WHERE id = ?", [iso(utcnow() - timedelta(minutes=1)), quiz.id])
    assert "da het han nop bai" in convo.send(HOA_PHONE, f"BL {hoa.code} ABCDAB")
    assert convo.send(HOA_PHONE, f"BL {hoa.code} ABCDAA") is None
    convo.db.execute("UPDATE quizzes SET opens_at = ?, closes_at = ? WHERE id = ?",
                     [iso(utcnow() + timedelta(days=1)), iso(utcnow() + timedelta(days=2)), quiz.id])
    assert "chua mo, moi lam tu" in convo.send(HOA_PHONE, f"BL {hoa.code} ABCDAB")
    assert attempts.of_variant(convo.db, hoa.id) == []


@pytest.mark.parametrize("text, fragment", [
    ("BL {code} ABC", "Chua cham de {code}: de co 6 cau ma tin co 3 chu cai"),
    ("BL {code} 1A 7B", "de chi co 6 cau, khong co cau 7"),
    ("BL {code} 1A 1B", "cau 1 co hai dap an khac nhau"),
    ("BL {code} 1G", "cau 1: \"G\" khong phai phuong an (A-D"),
    ("BL {code}", "Chua cham de {code}: khong thay dap an nao"),
])
def test_unreadable_answers_get_a_hint_and_no_mark(convo, demo_quiz, text, fragment):
    quiz, hoa = demo_quiz
    reply = convo.send(HOA_PHONE, text.format(code=hoa.code))
    assert fragment.format(code=hoa.code) in reply, reply
    assert "Gui lai: BL" in reply and attempts.of_variant(convo.db, hoa.id) == []


def test_another_familys_code_is_not_found_and_reveals_nothing(convo, demo_quiz):
    quiz, hoa = demo_quiz
    reply = convo.send(NAM_PHONE, f"BL {hoa.code} ABCDAB")
    assert reply == f'Khong tim thay de "{hoa.code}" cua con ban. Nhan: BL <ma de> 1A 2C 3B... (ma de ghi tren phieu cua con)'
    assert convo.send(NAM_PHONE, "BL NOSUCH ABC").startswith('Khong tim thay de "NOSUCH"')
    assert attempts.of_variant(convo.db, hoa.id) == []


def test_a_neighbours_code_gets_the_childs_own_code(convo, demo_quiz):
    quiz, hoa = demo_quiz
    other = 1 if hoa.seq != 1 else 2
    reply = convo.send(HOA_PHONE, f"BL {quiz.code}-{other} ABCDAB")
    assert reply == f"Ma {quiz.code}-{other} khong phai cua Hoa (8A2). Ma de cua Hoa la {hoa.code}: nhan BL {hoa.code} 1A 2C 3B..."


def test_two_children_in_one_test_must_be_chosen(convo, demo_quiz, store_builder):
    quiz, hoa = demo_quiz
    db = convo.db
    # Give the family a second child in 8A2 (twins), then refresh the test's variants.
    import random
    from store.core.clock import school_year_of
    from store.questions import quizzes
    from store.core.connection import transaction
    year = school_year_of(utcnow().date())
    class_id = hoa.class_id
    sid = db.execute("INSERT INTO students (code, full_name, given_name_folded, school_id) VALUES "
                     "('DD999999', 'Nguyễn Văn Bình', 'BINH', ?)", [quiz.school_id]).lastrowid
    db.execute("INSERT INTO enrollments (student_id, school_year, class_id) VALUES (?, ?, ?)", [sid, year, class_id])
    gid = db.execute("SELECT id FROM guardians WHERE phone = '+84912345678'").fetchone()[0]
    db.execute("INSERT INTO guardian_links (guardian_id, student_id, school_year, relation, consent_source, "
               "consent_at, active) VALUES (?, ?, ?, 'Bo', 'import', 'x', 1)", [gid, sid, year])
    with transaction(db):
        quizzes.add_variants(db, quiz.id, year, random.Random(1))
    reply = convo.send(HOA_PHONE, f"BL {quiz.code} ABCDAB")
    assert reply.startswith("So nay co 3 con:") and f"Nhan: BL C" in reply and f"{quiz.code} ABCDAB" in reply
    binh = quizzes.variant_of(db, quiz.id, sid)
    assert convo.send(HOA_PHONE, f"BL {binh.code} ABCDAB").startswith(f"De {binh.code} (Binh 8A2)")


def test_ask_changes_nothing(school_db, sms_settings, demo_quiz):
    from commands.service import ask
    quiz, hoa = demo_quiz
    result = ask(school_db, sms_settings, HOA_PHONE, f"BL {hoa.code} ABCDAB")
    assert result.reply.text.startswith(f"De {hoa.code}")
    assert attempts.of_variant(school_db, hoa.id) == []


def test_the_same_inbox_text_answered_twice_marks_once(school_db, sms_settings, demo_quiz):
    quiz, hoa = demo_quiz
    one = answer(school_db, sms_settings, HOA_PHONE, f"BL {hoa.code} ABCDAB", inbox_id=41)
    two = answer(school_db, sms_settings, HOA_PHONE, f"BL {hoa.code} ABCDAB", inbox_id=42)
    assert one.reply.text == two.reply.text and len(attempts.of_variant(school_db, hoa.id)) == 1


def test_the_demo_test_answers_the_demo_line(convo):
    from demo.questions import CODE, create_demo_test, keep_open
    assert create_demo_test(convo.db) is not None and create_demo_test(convo.db) is None      # made once
    keep_open(convo.db)
    reply = convo.send(HOA_PHONE, f"BL {CODE} 1A 2B 3C 4D 5A 6B")
    assert reply.startswith(f"De {CODE}-") and "(Hoa 8A2): dung " in reply and "/6." in reply


def test_through_the_simulator_a_redelivered_mo_is_answered_from_the_stored_result(live, demo_quiz):
    """Real SMPP: the BL text and its re-delivery (past the dedup window) get the same reply, one attempt."""
    quiz, hoa = demo_quiz
    engine, sim, settings, db = live(sms="mo_dedup_window = 0\nmo_retry_window = 0")
    text = f"BL {hoa.code} {key_letters(db, hoa)}"
    sim.push_mo(HOA_PHONE, text)
    first = sim.wait_for_submits(dest="84912345678", timeout=10)[0]["text"]
    sim.push_mo(HOA_PHONE, text)
    replies = sim.wait_for_submits(dest="84912345678", count=2, timeout=10)
    assert first.startswith(f"De {hoa.code} (Hoa 8A2): dung 6/6.") and replies[1]["text"] == first
    assert len(attempts.of_variant(db, hoa.id)) == 1
    assert db.execute("SELECT COUNT(*) FROM inbox WHERE command = 'BL' AND state = 'answered'").fetchone()[0] == 2
