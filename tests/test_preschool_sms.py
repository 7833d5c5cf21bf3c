"""Kindergarten SMS transcripts: BE, CAN (in range, below -2 SD: no diagnosis word), DAN, DON."""
from __future__ import annotations

from datetime import timedelta

import pytest

from store.preschool import pickups

from .fixtures_commands import Conversation

DIAGNOSIS_WORDS = ("suy dinh duong", "thap coi", "gay com", "beo phi", "thua can", "coi coc", "benh")


@pytest.fixture
def talk(kindergarten, sms_settings):
    k = kindergarten
    header = ["ma_hs", "ngay", "an", "ngu", "ve_sinh", "suc_khoe", "nhac", "nhan_xet"]
    k.load("nhatky", [header, ["MN01", k.friday.isoformat(), "it", "", "", "", "bim", "Con hơi mệt"],
                      ["MN02", k.friday.isoformat(), "", "", "", "", "", ""]], approve=True)
    k.load("cando", [["ma_hs", "ngay", "can_nang", "chieu_cao"], ["MN01", k.friday.isoformat(), "18,4", "110.5"],
                     ["MN04", k.friday.isoformat(), "9,8", "88"]], approve=True)
    return Conversation(k.db, sms_settings, today=k.friday)


def test_be_today_and_the_last_school_day(talk, kindergarten, sms_settings):
    talk.run("""
    0911000001 > BE
    0911000001 < Nguyen Minh An LA1 hom nay: an it; nhac mang: bim/ta; co nhan xet: Con hoi met.
    0911000002 > be
    0911000002 < Tran Thi Binh LA1 hom nay: moi viec binh thuong.
    0911000003 > BE
    0911000003 < Le Bao Chi LA1: chua co nhat ky cua co.
    """)
    reads = kindergarten.db.execute("SELECT actor, student_id FROM audit_log WHERE action = 'sms:be' ORDER BY id")
    assert len(reads.fetchall()) == 3                   # a note may carry health: every read is audited
    monday = Conversation(kindergarten.db, sms_settings, today=kindergarten.friday + timedelta(days=3))
    day = kindergarten.friday
    monday.run(f"""
    0911000001 > Bé
    0911000001 < Nguyen Minh An LA1 ngay {day:%d/%m}: an it; nhac mang: bim/ta; co nhan xet: Con hoi met.
    """)


def test_can_in_range_and_below_minus_two_sd_without_a_diagnosis(talk, kindergarten):
    day = kindergarten.friday
    talk.run(f"""
    0911000001 > CAN
    0911000001 < Nguyen Minh An LA1 can do {day:%d/%m}: 18,4 kg, 110,5 cm. Trong khoang chuan WHO.
    0911000004 > cando
    0911000004 ~ Pham Tien Dung MAM1 can do {day:%d/%m}: 9,8 kg, 88 cm. Co chi so ngoai khoang chuan WHO
    0911000004 ~ moi phu huynh trao doi voi co/nhan vien y te.
    """)
    reply = talk.send("0911000004", "CAN").lower()
    assert not any(word in reply for word in DIAGNOSIS_WORDS)
    reads = kindergarten.db.execute("SELECT count(*) FROM audit_log WHERE action = 'sms:can'").fetchone()[0]
    assert reads == 3


def test_dan_reaches_the_class_teacher_as_a_teacher_message(talk, kindergarten):
    talk.run("""
    0911000001 > DAN chau uong thuoc ho luc 10h
    0911000001 < Da gui loi dan toi co lop LA1 (Co Hanh). Cau tra loi se duoc nhan lai qua SMS.
    0911000001 > DAN
    0911000001 < Nhan DAN kem loi dan cho co, vd: DAN chau uong thuoc luc 10h
    """)
    row = kindergarten.db.execute("SELECT kind, body FROM teacher_messages").fetchone()
    assert row == ("DAN", "chau uong thuoc ho luc 10h")


def test_don_records_a_pending_pickup_and_says_it_is_not_enough(talk, kindergarten):
    talk.run("""
    0911000001 > DON ba ngoai 16h30
    0911000001 < Da ghi: ba ngoai don Nguyen Minh An hom nay luc 16:30. Tin nhan chua du de giao tre: co lop LA1 se xac nhan voi gia dinh truoc khi giao.
    0911000002 > don chu Tuan
    0911000002 ~ Da ghi: chu Tuan don Tran Thi Binh hom nay. Tin nhan chua du de giao tre
    0911000003 > DON
    0911000003 < Nhan DON kem nguoi don va gio, vd: DON ba ngoai 16h30
    """)
    la1 = kindergarten.db.execute("SELECT id FROM classes WHERE name = 'LA1'").fetchone()[0]
    found = pickups.for_classes(kindergarten.db, [la1], kindergarten.friday)
    assert [(p.person, p.at_time, p.state.value) for p in found] == [("chu Tuan", None, "pending"),
                                                                    ("ba ngoai", "16:30", "pending")]


@pytest.mark.parametrize("text, person, at", [("ba ngoai 16h30", "ba ngoai", "16:30"), ("bo 5h chieu", "bo", "17:00"),
                                              ("chi Lan luc 17:15", "chi Lan", "17:15"), ("cau Minh", "cau Minh", None)])
def test_pickup_time_words(text, person, at):
    from commands.preschool.don import split_time
    assert split_time(text) == (person, at)


def test_don_for_tomorrow(talk, kindergarten):
    talk.run("""
    0911000001 > DON ba ngoai 16h30 mai
    0911000001 ~ Da ghi: ba ngoai don Nguyen Minh An ngay mai luc 16:30.
    0911000002 > don co Lan ngay mai 17h
    0911000002 ~ Da ghi: co Lan don Tran Thi Binh ngay mai luc 17:00.
    0911000003 > DON co Mai
    0911000003 ~ Da ghi: co Mai don Le Bao Chi hom nay.
    """)
    days = {d for (d,) in kindergarten.db.execute("SELECT on_date FROM pickup_changes")}
    assert days == {(kindergarten.friday + timedelta(days=1)).isoformat(), kindergarten.friday.isoformat()}


def test_a_secondary_child_gets_told_be_is_for_kindergarten(convo):
    reply = convo.send("0912345678", "BE C1")
    assert reply is not None and "danh cho tre mam non" in reply


def test_can_names_which_indicators_are_outside(talk):
    assert talk.send("0911000004", "CAN").endswith(
        "Co chi so ngoai khoang chuan WHO (chieu cao theo tuoi, can nang theo tuoi, can nang theo chieu cao); "
        "moi phu huynh trao doi voi co/nhan vien y te.")


def test_the_teachers_answer_to_dan(sms_settings):
    from outbox import notices
    sms = notices.teacher_answer(sms_settings, kind="DAN", class_name="LA1", student_name="Nguyễn Minh An",
                                 answer="Cô đã cho cháu uống thuốc lúc 10h.")
    assert sms.text == "Co lop LA1 tra loi loi dan ve Nguyen Minh An: Co da cho chau uong thuoc luc 10h."


def test_hd_for_a_kindergarten_family_in_one_part(talk):
    from outbox.render import parts_needed, prepare
    from outbox.templating import render
    assert talk.send("0911000001", "HD").startswith("SLL mam non: BE nhat ky hom nay, CAN can do")
    for flags in ({"only_mn": True}, {"any_mn": True}, {}):
        text, encoding = prepare(render("hd.txt", **flags), True)
        assert parts_needed(text, encoding) == 1, text


def test_diem_kq_nx_rl_vang_have_kindergarten_forms(talk, kindergarten):
    k = kindergarten
    k.load("danhgia_mn", [["ma_hs", "nam_hoc", "dot", "linh_vuc", "muc", "nhan_xet"],
                          ["MN01", k.year, "Chủ đề Gia đình", "TC", "D", ""],
                          ["MN01", k.year, "Chủ đề Gia đình", "NN", "CD", "Cần nói rõ câu hơn."]], approve=True)
    k.load("nhatky", [["ma_hs", "ngay", "vang"], ["MN02", k.monday.isoformat(), "x"]], approve=True)
    talk.run(f"""
    0911000001 > DIEM TOAN
    0911000001 < Mam non khong cham diem, khong xep loai. Nguyen Minh An: nhan BE (nhat ky), CAN (can do), KQ (danh gia giai doan), NX (nhan xet).
    0911000001 > RL
    0911000001 ~ Mam non khong cham diem
    0911000001 > KQ
    0911000001 < Nguyen Minh An LA1 danh gia Chu de Gia dinh: The chat Dat; Ngon ngu Chua dat (Can noi ro cau hon).
    0911000001 > NX
    0911000001 < Nguyen Minh An LA1 co nhan xet: {k.friday:%d/%m}: Con hoi met
    0911000002 > VANG CN
    0911000002 ~ Tran Thi Binh LA1 nghi
    0911000002 ~ 1 ngay ({k.monday:%d/%m}).
    """)


def test_ask_tries_can_and_don_without_keeping_anything(talk, kindergarten, sms_settings):
    from commands.service import ask
    db = kindergarten.db
    assert "18,4 kg" in ask(db, sms_settings, "0911000001", "CAN", today=kindergarten.friday).reply.text
    assert "Da ghi" in ask(db, sms_settings, "0911000001", "DON ba ngoai", today=kindergarten.friday).reply.text
    assert db.execute("SELECT count(*) FROM pickup_changes").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'ask'").fetchone()[0] == 2
