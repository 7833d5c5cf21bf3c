"""Primary pupils over SMS (TT27): a grade-4 and a grade-2 transcript, and the press case of January 2026.

The demo primary school (demo.primary, HK I complete): 0977123456 has Đỗ Minh Khôi (TH-KD 4A1,
9s and 10s, one H in Âm nhạc); 0966234567 has Vũ Ngọc Hân (TH-KD 2A1).
"""
from __future__ import annotations

import csv

import pytest

import settings as settings_mod

from outbox.render import parts_needed, prepare
from store.core.clock import school_year_of
from store.imports import import_file

from .fixtures_commands import Conversation, hk1_day

KHOI, HAN = "0977123456", "0966234567"
G4 = ("TV", "TOAN", "NN", "DD", "KH", "LSDL", "TINCN", "GDTC", "AMNHAC", "MYTHUAT", "HDTN")
QUALITIES_G4 = ("YN", "NA", "CC", "TTH", "TNH", "TCTH", "GTHT", "GQVD", "NN", "TT", "KH", "CNG", "TH", "TM", "TC")
TESTED_CN_G4 = {"TV": 10, "TOAN": 9, "NN": 10, "KH": 9, "LSDL": 10, "TINCN": 9}


@pytest.fixture
def talk(primary_db, sms_settings):
    return Conversation(primary_db, sms_settings)


def test_grade_4_transcript(talk):
    talk.run("""
    0977123456 > DIEM
    0977123456 < Do Minh Khoi 4A1 CK1: TV T 9; TOAN T 10; NN T 10; DD T; KH T 9; LSDL T 10; TINCN T 10; GDTC T; AMNHAC H; MYTHUAT T; HDTN T
    0977123456 > diem toan
    0977123456 < Do Minh Khoi 4A1 Toan: GK1 T 10; CK1 T 10
    0977123456 > ĐIỂM Toán CK1
    0977123456 < Do Minh Khoi 4A1 Toan CK1: T (Hoan thanh tot), KTDK 10; NX: Tinh nhanh, lam bai can than
    0977123456 > DIEMTOANGK1
    0977123456 < Do Minh Khoi 4A1 Toan GK1: T (Hoan thanh tot), KTDK 10
    0977123456 > diem anh hk1
    0977123456 < Do Minh Khoi 4A1 Ngoai ngu 1 CK1: T (Hoan thanh tot), KTDK 10; NX: Manh dan giao tiep bang tieng Anh
    0977123456 > DIEM VAN
    0977123456 < Do Minh Khoi 4A1 Tieng Viet: GK1 T 10; CK1 T 9
    0977123456 > KQ
    0977123456 < Do Minh Khoi 4A1 KQ CK1: TV T 9; TOAN T 10; NN T 10; DD T; KH T 9; LSDL T 10; TINCN T 10; GDTC T; AMNHAC H; MYTHUAT T; HDTN T. PC, NL deu Tot.
    0977123456 > KQ GK1
    0977123456 < Do Minh Khoi 4A1 KQ GK1: TV T 10; TOAN T 10; NN T; DD T; KH T; LSDL T; TINCN T; GDTC T; AMNHAC H; MYTHUAT T; HDTN T. PC, NL deu Tot.
    0977123456 > KQ CN
    0977123456 < Do Minh Khoi 4A1 KQ CN: chua co danh gia cuoi nam.
    0977123456 > NX
    0977123456 < Do Minh Khoi 4A1 nhan xet CK1: TV: Doc to, ro rang; can viet chu can than hon; TOAN: Tinh nhanh, lam bai can than; NN: Manh dan giao tiep bang tieng Anh; DD: Le phep voi thay co, hoa nha voi ban
    0977123456 > RL
    0977123456 < Do Minh Khoi 4A1: tieu hoc khong xep loai ren luyen; pham chat, nang luc CK1: deu Tot.
    0977123456 > DIEM HOA
    0977123456 < Lop 4A1 khong co mon HOA. Cac mon: TV, TOAN, NN, DD, KH, LSDL, TINCN, GDTC, AMNHAC, MYTHUAT, HDTN
    """)


def test_grade_2_transcript(talk):
    talk.run("""
    0966234567 > DIEM
    0966234567 < Vu Ngoc Han 2A1 CK1: TV H 7; TOAN T 9; NN T; DD H; TNXH T; GDTC T; AMNHAC T; MYTHUAT T; HDTN T
    0966234567 > diem tv gk1
    0966234567 < Vu Ngoc Han 2A1 Tieng Viet GK1: T (Hoan thanh tot)
    0966234567 > DIEM TOAN
    0966234567 < Vu Ngoc Han 2A1 Toan: GK1 T; CK1 T 9
    0966234567 > DIEM TNXH CK1
    0966234567 < Vu Ngoc Han 2A1 Tu nhien va Xa hoi CK1: T (Hoan thanh tot); NX: Hieu biet tot ve cay coi, con vat
    0966234567 > KQ
    0966234567 < Vu Ngoc Han 2A1 KQ CK1: TV H 7; TOAN T 9; NN T; DD H; TNXH T; GDTC T; AMNHAC T; MYTHUAT T; HDTN T. PC, NL Tot, tru Trach nhiem Dat.
    0966234567 > KQ HK2
    0966234567 < Vu Ngoc Han 2A1 KQ CN: chua co danh gia cuoi nam.
    0966234567 > NX
    0966234567 ~ Vu Ngoc Han 2A1 nhan xet CK1: TV: Doc to, ro rang
    0966234567 > DIEM KH
    0966234567 < Lop 2A1 khong co mon KH. Cac mon: TV, TOAN, NN, DD, TNXH, GDTC, AMNHAC, MYTHUAT, HDTN
    """)


@pytest.mark.parametrize("text, parts", [("DIEM", 1), ("DIEM TOAN", 1), ("DIEM TOAN CK1", 1), ("KQ", 1),
                                         ("KQ GK1", 1), ("RL", 1), ("NX", 2)])
def test_primary_replies_fit_one_part_most_of_the_time(talk, sms_settings, text, parts):
    for phone in (KHOI, HAN):
        final, encoding = prepare(talk.send(phone, text), sms_settings.sms.transliterate)
        assert parts_needed(final, encoding) <= parts, final


def _csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def _year_end(tmp_path, db, *, music="H", tests=TESTED_CN_G4, quality="T"):
    year = school_year_of(_today())
    rows = [("KD900004", year, "CN", s, music if s == "AMNHAC" else "T", tests.get(s, ""), "") for s in G4]
    import_file(db, "danhgia", _csv(tmp_path / "cn.csv", ["ma_hs", "nam_hoc", "dot", "ma_mon", "muc", "diem",
                                                          "nhan_xet"], rows), approve=True)
    qrows = [("KD900004", year, "CN", q, quality) for q in QUALITIES_G4]
    import_file(db, "phamchat", _csv(tmp_path / "pc.csv", ["ma_hs", "nam_hoc", "dot", "ma", "muc"], qrows),
                approve=True)
    return year


def _today():
    return hk1_day(settings_mod.load(settings_mod.DEFAULT_CONFIG, env={}))


def test_press_case_nines_and_tens_and_one_h_in_music(talk, primary_db, tmp_path):
    """January 2026: parents of pupils with 9s and 10s were told "Hoàn thành" without a reason."""
    _year_end(tmp_path, primary_db)
    talk.run("""
    0977123456 > KQ CN
    0977123456 < Do Minh Khoi 4A1 KQ CN: TV T 10; TOAN T 9; NN T 10; DD T; KH T 9; LSDL T 10; TINCN T 9; GDTC T; AMNHAC H; MYTHUAT T; HDTN T. PC, NL deu Tot. Cuoi nam: Hoan thanh (tam tinh): 1 mon muc H (Am nhac) nen chua dat HT tot, HT xuat sac.
    0977123456 > KQ
    0977123456 ~ Cuoi nam: Hoan thanh (tam tinh): 1 mon muc H (Am nhac)
    0977123456 > DIEM AMNHAC
    0977123456 < Do Minh Khoi 4A1 Am nhac: GK1 H; CK1 H; CN H
    """)


def test_year_end_xuat_sac_earns_the_commendation(talk, primary_db, tmp_path):
    _year_end(tmp_path, primary_db, music="T")
    talk.run("""
    0977123456 > KQ CANAM
    0977123456 ~ Cuoi nam: Hoan thanh xuat sac (tam tinh). Khen thuong: Hoc sinh Xuat sac.
    """)


def test_a_test_below_7_is_explained(talk, primary_db, tmp_path):
    _year_end(tmp_path, primary_db, music="T", tests={**TESTED_CN_G4, "TOAN": 6})
    talk.run("""
    0977123456 > KQ CN
    0977123456 ~ Cuoi nam: Hoan thanh (tam tinh): 1 bai KTDK duoi 7 (Toan 6) nen chua dat HT tot.
    """)


def test_official_result_is_shown_as_it_is(talk, primary_db, tmp_path):
    year = _year_end(tmp_path, primary_db)
    import_file(primary_db, "ketqua_th", _csv(tmp_path / "kq.csv", ["ma_hs", "nam_hoc", "ket_qua", "khen_thuong"],
                                              [("KD900004", year, "Hoàn thành tốt", "Học sinh Tiêu biểu")]),
                approve=True)
    talk.run("""
    0977123456 > KQ CN
    0977123456 ~ Cuoi nam: Hoan thanh tot. Khen thuong: Hoc sinh Tieu bieu.
    """)
    assert "tam tinh" not in talk.send(KHOI, "KQ CN")


def test_year_end_reply_takes_at_most_two_parts(talk, primary_db, tmp_path, sms_settings):
    _year_end(tmp_path, primary_db, tests={**TESTED_CN_G4, "TOAN": 4}, quality="D")
    final, encoding = prepare(talk.send(KHOI, "KQ CN"), sms_settings.sms.transliterate)
    assert parts_needed(final, encoding) <= 2 and "Chua hoan thanh (tam tinh)" in final, final


def test_pending_assessments_never_reach_the_parent(talk, primary_db, tmp_path):
    year = school_year_of(_today())
    import_file(primary_db, "danhgia", _csv(tmp_path / "p.csv", ["ma_hs", "nam_hoc", "dot", "ma_mon", "muc", "diem"],
                                            [("KD900004", year, "GK2", "TOAN", "C", "3")]))
    talk.run("""
    0977123456 > DIEM TOAN GK2
    0977123456 < Do Minh Khoi 4A1 Toan GK2: chua co danh gia
    0977123456 > DIEM
    0977123456 ~ 4A1 CK1:
    """)


def test_the_readme_transcript_is_what_the_demo_answers(talk, primary_db, tmp_path):
    """The README's "Primary schools" transcript, run as written (the year end imported where it says so)."""
    from pathlib import Path
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Primary schools (Thông tư 27/2020)", 1)[1]
    block = section.split("```", 2)[1]
    before, after = block.split("# at the end of the year", 1)
    assert "0977123456 > DIEM" in before and "0966234567 > DIEM" in after
    talk.run(before)
    _year_end(tmp_path, primary_db)
    talk.run(after.split("\n", 1)[1])


def test_grade_2_year_end(talk, primary_db, sms_settings):
    """A grade-2 pupil at CN: the reason names both subjects at H and the quality at Đạt, in one clause."""
    from .test_primary_privacy import _complete_the_year
    _complete_the_year(primary_db)
    talk.run("""
    0966234567 > KQ CN
    0966234567 < Vu Ngoc Han 2A1 KQ CN: TV H 7; TOAN T 9; NN T; DD H; TNXH T; GDTC T; AMNHAC T; MYTHUAT T; HDTN T. PC, NL Tot, tru Trach nhiem Dat. Cuoi nam: Hoan thanh (tam tinh): 2 mon muc H (Tieng Viet, Dao duc), 1 PC/NL muc D (Trach nhiem) nen chua dat HT tot.
    0966234567 > DIEM
    0966234567 < Vu Ngoc Han 2A1 CN: TV H 7; TOAN T 9; NN T; DD H; TNXH T; GDTC T; AMNHAC T; MYTHUAT T; HDTN T
    0966234567 > RL
    0966234567 < Vu Ngoc Han 2A1: tieu hoc khong xep loai ren luyen; pham chat, nang luc CN: Tot, tru Trach nhiem Dat.
    """)
    final, encoding = prepare(talk.send(HAN, "KQ CN"), sms_settings.sms.transliterate)
    assert parts_needed(final, encoding) == 2


def test_some_qualities_approved_never_read_as_all_tot(talk, primary_db, tmp_path):
    """A teacher's book saved with blanks at CN: only three qualities approved. 'deu Tot' would speak for
    the twelve not assessed yet."""
    year = school_year_of(_today())
    qrows = [("KD900004", year, "CN", q, "T") for q in QUALITIES_G4[:3]]
    import_file(primary_db, "phamchat", _csv(tmp_path / "pc3.csv", ["ma_hs", "nam_hoc", "dot", "ma", "muc"], qrows),
                approve=True)
    talk.run("""
    0977123456 > RL CN
    0977123456 < Do Minh Khoi 4A1: tieu hoc khong xep loai ren luyen; pham chat, nang luc CN: Yeu nuoc Tot, Nhan ai Tot, Cham chi Tot; 12 muc chua danh gia.
    """)
