"""SMS for staff phones (SPEC §12): PC, and a staff phone never gets a guardian's data unless it is one."""
from __future__ import annotations

import pytest

from commands.base import Audience
from commands.registry import COMMANDS
from store.school import roster
from demo.staff import SHOWCASE_TEACHER

TEACHER = SHOWCASE_TEACHER[2]          # 0911222333, DD-GV001 Nguyễn Thu Hà, GVCN 8A2


def test_pc_answers_the_teachers_own_assignment(convo):
    convo.run(f"""
    {TEACHER} > PC
    {TEACHER} ~ Nguyen Thu Ha (THCS-DD) HK1
    {TEACHER} ~ GVCN 8A2; Toan 6A1, 6A2, 8A1, 8A2.
    """)


@pytest.mark.parametrize("text", ["pc", "P.C", "phân công", "PHANCONG", "pc hk1", "PC 1"])
def test_pc_spellings(convo, text):
    assert "GVCN 8A2" in convo.send(TEACHER, text)


def test_pc_of_a_term_without_assignment_says_so(convo):
    reply = convo.send(TEACHER, "PC HK2")
    assert reply.startswith("Nguyen Thu Ha (THCS-DD) HK2 ") and reply.endswith(": chua co phan cong.")


@pytest.mark.parametrize("text", ["DIEM TOAN HK1", "CON", "KQ HK1", "NX", "hello", "HD"])
def test_a_staff_phone_gets_the_staff_commands_and_no_pupils_data(convo, school_db, text):
    reply = convo.send(TEACHER, text)
    assert reply.startswith("So can bo THCS-DD: PC <ky>")
    names = [r[0] for r in school_db.execute("SELECT full_name FROM students")]
    assert not any(name.split()[-1] in reply.split() for name in names if len(name.split()[-1]) > 3)


def test_a_parent_texting_pc_gets_no_staff_data_and_no_suggestion_of_it(convo):
    reply = convo.send("0912345678", "PC")
    assert reply == "Khong hieu tin nhan. Nhan HD de xem huong dan."


def test_a_teacher_who_is_also_a_guardian_gets_both(convo, school_db):
    school_id = school_db.execute("SELECT id FROM schools WHERE code = 'THCS-DD'").fetchone()[0]
    school_db.execute("UPDATE staff SET phone = '+84912345678' WHERE school_id = ? AND code = 'DD-GV001'",
                      [school_id])
    convo.run("""
    0912345678 > DIEM TOAN HK1 C1
    0912345678 ~ Nguyen Thi Hoa 8A2 Toan HK1
    0912345678 > PC
    0912345678 ~ GVCN 8A2; Toan
    """)


def test_a_deactivated_teacher_is_a_stranger_again(convo, school_db):
    school_db.execute("UPDATE staff SET active = 0 WHERE code = 'DD-GV001'")
    assert roster.by_phone(school_db, "+84911222333") == []
    assert "chua dang ky" in convo.send(TEACHER, "PC")


def test_by_phone_finds_one_member_per_school(school_db):
    cva = school_db.execute("SELECT id FROM schools WHERE code = 'THPT-CVA'").fetchone()[0]
    school_db.execute("INSERT INTO staff (school_id, code, full_name, phone, position) VALUES (?, 'X1', "
                      "'Nguyễn Thu Hà', '+84911222333', 'gv')", [cva])
    assert [m.school_code for m in roster.by_phone(school_db, "+84911222333")] == ["THCS-DD", "THPT-CVA"]


def test_staff_keywords_are_marked_and_listed_in_the_staff_help(convo):
    staff = [c for c in COMMANDS if c.audience is Audience.STAFF]
    assert [c.keyword for c in staff] == ["PC", "TV", "PB"]
    assert all(c.help in convo.send(TEACHER, "?") for c in staff)


def test_ask_answers_pc_like_the_gateway(cli, school_db):
    out = cli("ask", TEACHER, "PC", check=True).stdout
    assert "Nguyen Thu Ha (THCS-DD) HK" in out and "GVCN 8A2" in out


def test_pc_through_the_simulator_and_a_staff_code_sms(live):
    """MO from a teacher's phone over SMPP, and a reset code sent as an `otp` SMS, both through the real sender."""
    from outbox.account_codes import deliver
    from store.core.connection import transaction

    from .fixtures_gateway import wait_until
    engine, sim, settings, db = live()
    sim.push_mo(TEACHER, "PC")
    sub = sim.wait_for_submits(dest="84911222333", count=1, timeout=10)[0]
    assert sub["text"].startswith("Nguyen Thu Ha (THCS-DD) HK") and "GVCN 8A2" in sub["text"]
    user_id = db.execute("SELECT user_id FROM staff WHERE code = 'DD-GV001'").fetchone()[0]
    with transaction(db):
        issued = deliver(db, settings, user_id, actor="test")
    assert issued.code is None and issued.phone_masked == "09xxxx2333"
    code_sms = sim.wait_for_submits(dest="84911222333", count=2, timeout=10)[1]
    assert code_sms["text"].startswith("Ma dang nhap So lien lac: ") and "dd-gv001.thcs-dd" in code_sms["text"]
    wait_until(lambda: db.execute("SELECT state FROM messages WHERE id = ?",
                                  [issued.message_id]).fetchone()[0] == "delivered")


def test_the_staff_texts_fit_one_part():
    from commands.service import _staff_help
    from outbox.render import parts_needed, prepare
    from outbox.templating import render

    class Member:
        school_code, school_id = "THPT-CVA", 1
    code = render("ma_can_bo.txt", code="123456", login="cva-gv123.thpt-cva", minutes=10,
                  url="https://sll.example.vn/staff/first-login")
    for text in (code, _staff_help([Member]).text):
        final, encoding = prepare(text, True)
        assert parts_needed(final, encoding) == 1, final


def test_mk_from_a_staff_phone_texts_a_code_for_the_staff_account(convo, school_db):
    import re

    from store.school import users
    from store.staff import codes
    reply = convo.send(TEACHER, "MK")
    assert reply.startswith("Ma dang nhap So lien lac: ") and "Ten dang nhap: dd-gv001.thcs-dd" in reply
    code = re.search(r": (\d{6}) ", reply).group(1)
    user_id = codes.redeem(school_db, "dd-gv001.thcs-dd", code, "mat-khau-giao-vien")
    assert users.check_login(school_db, "dd-gv001.thcs-dd", "mat-khau-giao-vien")["id"] == user_id
    school_db.execute("UPDATE users SET active = 0 WHERE id = ?", [user_id])
    assert convo.send(TEACHER, "MK").startswith("So can bo nay chua co tai khoan web")
    assert convo.send("0912345678", "MK").startswith("Ma dat mat khau So lien lac: ")   # a parent: as before
