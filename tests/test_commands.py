"""The SMS command language as parents use it: transcripts against the demo school.

SHOWCASE families (demo.school): 0912345678 has C1 Nguyen Thi Hoa
(THCS-DD 8A2) and C2 Nguyen Minh An (THPT-CVA 11A1); 0987654321 has Le Hoang
Nam (THCS-DD 7A1); 0903000111 has Pham Ngoc Anh (THPT-CVA 10A1).
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from commands.registry import COMMANDS, keyword_table
from commands.service import answer
from outbox.render import parts_needed, prepare

from .builders import add_scores, approved_by
from .fixtures_commands import Conversation, hk1_day

HOA, AN, NAM, ANH = "DD900001", "CVA900001", "DD900002", "CVA900002"


def set_scores(db, code, subject, term, tx, gk=None, ck=None, corrected=False):
    """Replace a showcase child's approved scores of one subject and term."""
    sid = db.execute("SELECT id FROM students WHERE code = ?", [code]).fetchone()[0]
    year = db.execute("SELECT school_year FROM enrollments WHERE student_id = ?", [sid]).fetchone()[0]
    db.execute("DELETE FROM grades WHERE student_id = ? AND subject_code = ? AND school_year = ? AND term = ?",
               [sid, subject, year, term])
    add_scores(db, sid, year, subject, term, tx, gk, ck, corrected=int(corrected), **approved_by())
    return sid


def test_diem_toan_with_hand_computed_average(convo, school_db):
    # (8 + 7.5 + 9 + 8 + 2*8 + 3*7.5) / (4 + 5) = 71 / 9 = 7.888... -> 7.9
    set_scores(school_db, HOA, "TOAN", 1, ["8", "7.5", "9", "8"], "8", "7.5")
    convo.run("""
    0912345678 > diem toan hk1 c1
    0912345678 < Nguyen Thi Hoa 8A2 Toan HK1: TX 8 7.5 9 8; GK 8; CK 7.5; TB 7.9
    0912345678 > ĐIỂM Toán hk1 C1
    0912345678 < Nguyen Thi Hoa 8A2 Toan HK1: TX 8 7.5 9 8; GK 8; CK 7.5; TB 7.9
    0912345678 > DIEMTOANHK1C1
    0912345678 < Nguyen Thi Hoa 8A2 Toan HK1: TX 8 7.5 9 8; GK 8; CK 7.5; TB 7.9
    0912345678 > diem.toan.hk1.hoa
    0912345678 < Nguyen Thi Hoa 8A2 Toan HK1: TX 8 7.5 9 8; GK 8; CK 7.5; TB 7.9
    """)


def test_rounding_half_up_where_floats_go_wrong(convo, school_db):
    # (7 + 7 + 7 + 2*6.5 + 3*8) / (3 + 5) = 58 / 8 = 7.25 exactly -> 7.3 (float rounding gives 7.2)
    set_scores(school_db, AN, "LY", 1, ["7", "7", "7"], "6.5", "8")
    convo.run("""
    0912345678 > DIEM LY HK1 C2
    0912345678 < Nguyen Minh An 11A1 Vat li HK1: TX 7 7 7; GK 6.5; CK 8; TB 7.3
    0912345678 > diem vat ly 1 C2
    0912345678 < Nguyen Minh An 11A1 Vat li HK1: TX 7 7 7; GK 6.5; CK 8; TB 7.3
    """)


def test_no_average_until_every_required_tx_is_in(convo, school_db):
    # Toan has 140 periods a year in THCS: 4 TX a term. With 3 approved, no TB yet.
    set_scores(school_db, NAM, "TOAN", 1, ["8", "6.5", "7"], "8", "9")
    convo.run("""
    0987654321 > DIEM TOAN HK1
    0987654321 < Le Hoang Nam 7A1 Toan HK1: TX 8 6.5 7; GK 8; CK 9 (chua du diem de tinh TB)
    """)


def test_scores_so_far_without_gk_ck_and_corrected(convo, school_db):
    set_scores(school_db, NAM, "TOAN", 1, ["8", "6.5"], corrected=True)
    convo.run("""
    0987654321 > DIEM TOAN
    0987654321 < Le Hoang Nam 7A1 Toan HK1: TX 8 6.5 (chua du diem de tinh TB) (co diem sua)
    """)


@pytest.mark.parametrize("text, example", [
    ("DIEM TOAN HK1", "DIEM TOAN HK1 C1"), ("diem toan", "DIEM TOAN C1"), ("KQ CN", "KQ CN C1"),
    ("NGHI om", "NGHI C1 om (hoac C2)"), ("GV xin gap co", "GV C1 xin gap co (hoac C2)"),
])
def test_two_children_and_no_choice_lists_them_with_the_text_as_typed(convo, text, example):
    reply = convo.send("0912345678", text)
    assert reply == f"So nay co 2 con: C1 Nguyen Thi Hoa 8A2; C2 Nguyen Minh An 11A1. Nhan: {example}"


def test_following_the_example_works_and_a_trailing_child_is_taken_too(convo, school_db):
    convo.run("""
    0912345678 > NGHI C1 om
    0912345678 ~ Da gui xin phep nghi cho Nguyen Thi Hoa 8A2
    0912345678 > NGHI hoc chau bi sot C2
    0912345678 ~ Da gui xin phep nghi cho Nguyen Minh An 11A1
    0912345678 > DIEM TOAN HK1 CON 2
    0912345678 ~ Nguyen Minh An 11A1 Toan HK1:
    """)
    assert [r[0] for r in school_db.execute("SELECT body FROM teacher_messages ORDER BY id")] == ["om", "chau bi sot"]


def test_unknown_child_choice(convo):
    convo.run("""
    0912345678 > DIEM TOAN C5
    0912345678 ~ Khong tim thay con "C5"
    """)


def test_subject_vs_child_name_position_decides(convo, school_db):
    set_scores(school_db, AN, "HOA", 1, ["8", "8", "8"], "8", "8")
    # HOA in the MON slot is the subject (chemistry): only An (THPT) studies it, so with no child
    # named the answer is An's, and it says why and how to ask about the child Hoa instead.
    convo.run("""
    0912345678 > DIEM HOA HK1 C2
    0912345678 < Nguyen Minh An 11A1 Hoa hoc HK1: TX 8 8 8; GK 8; CK 8; TB 8
    0912345678 > DIEM HOA HK1
    0912345678 < Nguyen Minh An 11A1 Hoa hoc HK1: TX 8 8 8; GK 8; CK 8; TB 8 (chi An hoc mon HOA) (HOA hieu la mon; de chon con Hoa: DIEM HK1 HOA)
    0912345678 > DIEM HK1 HOA
    0912345678 ~ Nguyen Thi Hoa 8A2 TB HK1: TOAN
    0912345678 > DIEM HOA HK1 HOA
    0912345678 < Lop 8A2 khong co mon HOA. Cac mon: TOAN, VAN, ANH, KHTN, LSDL, GDCD, TIN, CN, GDTC, AMNHAC, MYTHUAT, HDTN, GDDP
    """)
    # Anh is a child's name and the English subject: the MON slot decides, and the reply says so.
    convo.run("""
    0903000111 > DIEM ANH
    0903000111 ~ Pham Ngoc Anh 10A1 Tieng Anh HK1:
    0903000111 ~ (ANH hieu la mon; de chon con Anh: DIEM HK1 ANH)
    0903000111 > DIEM HK1 ANH
    0903000111 ~ Pham Ngoc Anh 10A1 TB HK1: TOAN
    0987654321 > DIEM HK1 NAM
    0987654321 ~ Le Hoang Nam 7A1 TB HK1: TOAN
    """)


def test_cn_in_both_slots_and_bare_digits(convo, school_db):
    set_scores(school_db, NAM, "CN", 1, ["7", "8"], "7", "9")    # (7+8+14+27)/7 = 8.0
    set_scores(school_db, NAM, "CN", 2, ["9", "9"], "9", "9")    # 9.0; year (8.0 + 2*9.0)/3 = 8.666 -> 8.7
    convo.run("""
    0987654321 > DIEM CN 1
    0987654321 < Le Hoang Nam 7A1 Cong nghe HK1: TX 7 8; GK 7; CK 9; TB 8
    0987654321 > DIEM CN 2
    0987654321 < Le Hoang Nam 7A1 Cong nghe HK2: TX 9 9; GK 9; CK 9; TB 9
    0987654321 > DIEM CN CN
    0987654321 < Le Hoang Nam 7A1 Cong nghe ca nam: HK1 8; HK2 9; CN 8.7
    0987654321 > DIEMCNCN
    0987654321 < Le Hoang Nam 7A1 Cong nghe ca nam: HK1 8; HK2 9; CN 8.7
    """)


def test_thcs_su_and_dia_mean_lsdl(convo):
    su, dia = convo.send("0987654321", "DIEM SU"), convo.send("0987654321", "DIEM DIA")
    assert su == dia and su.startswith("Le Hoang Nam 7A1 Lich su va Dia li HK1:")


def test_every_subject_summary_and_kq(convo):
    convo.run("""
    0903000111 > DIEM
    0903000111 ~ Pham Ngoc Anh 10A1 TB HK1: TOAN
    0903000111 > KQ HK1
    0903000111 ~ Pham Ngoc Anh 10A1 KQ HK1: Hoc tap
    0903000111 > RL
    0903000111 ~ Pham Ngoc Anh 10A1 ren luyen HK1:
    """)


def test_con_lists_children(convo):
    convo.run("""
    0912345678 > CON
    0912345678 < So nay co 2 con: C1 Nguyen Thi Hoa 8A2; C2 Nguyen Minh An 11A1. Them C1, C2... cuoi tin de chon con, vd: DIEM TOAN C2
    0987654321 > con
    0987654321 < So nay co 1 con: C1 Le Hoang Nam 7A1.
    """)


def test_gv_and_nghi_reach_the_homeroom_teacher(convo, school_db):
    convo.run("""
    0912345678 > GV C1 Xin gặp cô chiều thứ 6 ạ
    0912345678 ~ Da gui toi GVCN lop 8A2
    0912345678 > nghi c2: Cháu bị sốt
    0912345678 ~ Da gui xin phep nghi cho Nguyen Minh An 11A1 toi GVCN
    0987654321 > NGHI
    0987654321 < Xin phep nghi cho Le Hoang Nam: nhan NGHI kem ly do, vd: NGHI con bi sot
    """)
    rows = school_db.execute("SELECT kind, body FROM teacher_messages ORDER BY id").fetchall()
    assert rows == [("GV", "Xin gặp cô chiều thứ 6 ạ"), ("NGHI", "Cháu bị sốt")]


def test_huy_and_dk_switch_the_digest(convo, school_db):
    def opted():
        return dict(school_db.execute(
            "SELECT s.code, l.digest_opt_out FROM guardian_links l JOIN students s ON s.id = l.student_id "
            "JOIN guardians g ON g.id = l.guardian_id WHERE g.phone = '+84912345678'").fetchall())
    convo.run("""
    0912345678 > STOP
    0912345678 < Da dung tin tong hop buoi toi cho Nguyen Thi Hoa, Nguyen Minh An. Tra cuu van dung duoc. Nhan DK de nhan lai.
    """)
    assert opted() == {HOA: 1, AN: 1}
    convo.run("""
    0912345678 > BAT C2
    0912345678 < Da bat lai tin tong hop buoi toi cho Nguyen Minh An. Nhan HUY de dung.
    0912345678 > DIEM TOAN C2
    0912345678 ~ Nguyen Minh An 11A1 Toan HK1:
    """)
    assert opted() == {HOA: 1, AN: 0}


def test_mk_gives_a_single_use_code(convo, school_db):
    from store.school import otp
    reply = convo.send("0912345678", "MK")
    code = reply.split(": ")[1].split(" ")[0]
    assert len(code) == 6 and code.isdigit()
    gid = school_db.execute("SELECT id FROM guardians WHERE phone = '+84912345678'").fetchone()[0]
    assert otp.redeem(school_db, gid, code) is True
    assert otp.redeem(school_db, gid, code) is False
    assert code not in str(school_db.execute("SELECT code_hash FROM otp_codes").fetchall())


@pytest.mark.parametrize("text", ["HD", "help", "?", "Hướng dẫn", "???"])
def test_help(convo, text):
    assert convo.send("0987654321", text).startswith("So lien lac: DIEM <mon> <ky>, KQ, RL")


@pytest.mark.parametrize("text, suggestion", [
    ("DIME TOAN HK1", "Ban co y: DIEM TOAN HK1?"),
    ("DIEM TOAM HK1", "Ban co y: DIEM TOAN HK1?"),
    ("diemm toan", "Ban co y: DIEM TOAN?"),
])
def test_unknown_command_suggests_the_closest(convo, text, suggestion):
    assert suggestion in convo.send("0987654321", text)


@pytest.mark.parametrize("text", ["", "   ", "😀😀😀", "\x00\x01\x02", "x" * 1000, "Đ" * 1000, "!!!", None])
def test_garbage_gets_the_hint(convo, text):
    reply = convo.send("0987654321", text)
    assert reply.startswith("Khong hieu tin nhan.") and reply.endswith("Nhan HD de xem huong dan.")


def test_stranger_gets_one_hint_a_day_and_no_data(convo):
    convo.run("""
    0911111111 > DIEM TOAN HK1
    0911111111 < So nay chua dang ky So lien lac dien tu. De nghi phu huynh lien he GVCN de dang ky so nhan tin.
    0911111111 > DIEM TOAN HK1
    0911111111 < (none)
    +84911111111 > CON
    +84911111111 < (none)
    """)


@pytest.mark.parametrize("sender", ["0912345678", "84912345678", "+84912345678", "912345678"])
def test_every_form_of_a_number_is_one_person(convo, sender):
    assert convo.send(sender, "CON").startswith("So nay co 2 con")


def test_last_years_link_gives_no_data(convo, school_db):
    school_db.execute("UPDATE guardian_links SET school_year = '2000-2001' WHERE guardian_id = "
                      "(SELECT id FROM guardians WHERE phone = '+84987654321')")
    assert convo.send("0987654321", "DIEM TOAN").startswith("So nay chua dang ky")


def test_pumping_limit_one_refusal_then_silence(school_db, sms_settings):
    from store.messaging.inbox import dedup_key, store_mo
    convo = Conversation(school_db, sms_settings)
    limit = sms_settings.sms.commands_per_hour
    for i in range(limit + 1):
        store_mo(school_db, connection="default", source_addr="84987654321", phone="+84987654321", text=f"CON {i}",
                 data_coding=0, key=dedup_key("84987654321", f"CON {i}", str(i)), dedup_window_s=600)
    convo.run(f"""
    0987654321 > CON
    0987654321 < So nay da gui qua {limit} tin trong 1 gio. Vui long thu lai sau.
    0987654321 > CON
    0987654321 < (none)
    """)


def test_long_content_is_shortened_with_a_pointer(school_db, sms_settings):
    import dataclasses
    one_part = dataclasses.replace(sms_settings, sms=dataclasses.replace(sms_settings.sms, max_parts=1))
    convo = Conversation(school_db, one_part)
    reply = convo.send("0912345678", "TBAO C2")
    text, encoding = prepare(reply, True)
    assert parts_needed(text, encoding) == 1
    assert reply.endswith(" ...Xem du: http://127.0.0.1:8080/p/thongbao")
    body = reply.split(" ...Xem")[0]
    full = Conversation(school_db, sms_settings).send("0912345678", "TBAO C2")
    assert len(full) > 160 and full.startswith(body)
    assert full[len(body)] in ";,", "cut at an item boundary, not mid-word or mid-number"


def test_diacritics_kept_when_transliterate_is_off(school_db, sms_settings):
    import dataclasses
    ucs2 = dataclasses.replace(sms_settings, sms=dataclasses.replace(sms_settings.sms, transliterate=False))
    set_scores(school_db, NAM, "TOAN", 1, ["8", "9", "8", "9"], "8", "9")     # 77 / 9 = 8.55... -> 8.6
    result = answer(school_db, ucs2, "0987654321", "DIEM TOAN HK1")
    assert result.reply.text == "Lê Hoàng Nam 7A1 Toán HK1: TX 8 9 8 9; GK 8; CK 9; TB 8.6"
    assert result.reply.meta["encoding"] == "ucs2"


def test_ask_prints_the_reply_changes_nothing_and_is_audited(cli, school_db_path):
    from store.core.connection import connect
    proc = cli("ask", "0912345678", "HUY", check=True)
    assert proc.stdout.startswith("Da dung tin tong hop buoi toi")
    db = connect(school_db_path)
    assert db.execute("SELECT count(*) FROM guardian_links WHERE digest_opt_out = 1").fetchone()[0] == 0
    proc = cli("ask", "0912345678", "DIEM TOAN HK1 C1", check=True)
    assert proc.stdout.startswith("Nguyen Thi Hoa 8A2 Toan HK1:")
    audit = db.execute("SELECT actor, action, student_id, detail FROM audit_log ORDER BY id").fetchall()
    assert [a[:2] for a in audit] == [("cli:ask", "ask")] * 3
    assert "0912345678" not in str(audit) and "09xxxx5678" in str(audit)


# -- properties ------------------------------------------------------------------------------

FAMILY_STUDENTS = {"+84912345678": {HOA, AN}, "+84987654321": {NAM}, "+84903000111": {ANH}}
WORDS = st.sampled_from(["DIEM", "KQ", "RL", "NX", "VANG", "LICH", "TBAO", "CON", "GV", "HUY", "DK", "HD", "?",
                         "TOAN", "HOA", "ANH", "NAM", "CN", "HK1", "2", "C1", "C2", "C3", "Đ", "ĐIỂM", "😀", "\x00"])


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(phone=st.sampled_from(sorted(FAMILY_STUDENTS) + ["+84911111111"]),
       text=st.one_of(st.text(max_size=200), st.lists(WORDS, max_size=6).map(" ".join)))
def test_any_text_never_raises_fits_and_stays_in_the_family(school_db, sms_settings, phone, text):
    school_db.execute("DELETE FROM sender_notices")
    result = answer(school_db, sms_settings, phone, text, today=hk1_day(sms_settings))
    if result.reply is None:
        return
    final, encoding = prepare(result.reply.text, sms_settings.sms.transliterate)
    assert parts_needed(final, encoding) <= sms_settings.sms.max_parts
    codes = {school_db.execute("SELECT code FROM students WHERE id = ?", [s]).fetchone()[0]
             for s in result.reply.student_ids}
    assert codes <= FAMILY_STUDENTS.get(phone, set())
    others = {"Nguyen Thi Hoa", "Nguyen Minh An", "Le Hoang Nam", "Pham Ngoc Anh"}
    mine = {"+84912345678": {"Nguyen Thi Hoa", "Nguyen Minh An"}, "+84987654321": {"Le Hoang Nam"},
            "+84903000111": {"Pham Ngoc Anh"}}.get(phone, set())
    assert not any(name in result.reply.text for name in others - mine)


# -- docs --------------------------------------------------------------------------------------

def test_every_keyword_has_help_and_is_in_the_readme():
    from pathlib import Path
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for cls in COMMANDS:
        assert cls.help and cls.example, cls.keyword
        for alias in (cls.keyword, *cls.aliases):
            assert f"`{alias}`" in readme, f"{alias} missing from the README's command table"
    assert len(keyword_table()) == sum(1 + len(set(c.aliases) - {c.keyword}) for c in COMMANDS)


def test_fixed_texts_fit_one_part_and_every_template_is_used():
    """Hints and confirmations must never need shortening: one GSM part each."""
    from pathlib import Path

    from outbox.templating import names, render

    class Kid:
        full_name, class_name, homeroom_teacher = "Nguyễn Thị Hoa", "8A2", "Vũ Minh Khôi"

    samples = {
        "hd.txt": {}, "la.txt": {}, "qua_nhieu.txt": {"limit": 30},
        "khong_hieu.txt": {"unknown": "TOAM", "suggestion": "DIEM TOAN HK1"},
        "mk.txt": {"code": "123456", "minutes": 10, "url": "https://sll.example.vn/p/login"},
        "gv_ok.txt": {"child": Kid}, "gv_empty.txt": {"selector": "C2"},
        "nghi_no_reason.txt": {"child": Kid, "selector": "C2"},
        "chon_con.txt": {"children": [Kid, Kid], "example": "DIEM TOAN HK1", "wrong": None},
        "huy.txt": {"children": [Kid, Kid]}, "dk.txt": {"children": [Kid]},
    }
    for name, values in samples.items():
        text, encoding = prepare(render(name, **values), True)
        assert parts_needed(text, encoding) == 1, (name, text)
    sources = "".join(p.read_text(encoding="utf-8") for d in ("commands", "outbox")
                      for p in (Path(__file__).resolve().parent.parent / d).rglob("*.py"))
    unused = [n for n in names() if f'"{n}"' not in sources]
    assert not unused, f"templates nobody renders: {unused}"
