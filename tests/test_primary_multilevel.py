"""A multi-level school (TH+THCS): each child is answered by their khối's rules, through the level registry."""
from __future__ import annotations

import csv

import pytest

from store.core.clock import school_year_of
from store.imports import ImportRowsError, import_file

from .fixtures_commands import Conversation, hk1_day


def _csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


@pytest.fixture
def two_level_school(db, tmp_path, sms_settings):
    year = school_year_of(hk1_day(sms_settings))
    y = int(year[:4])
    files = [
        ("schools", [["ma_truong", "ten_truong", "cap"], ["LC-NT", "Trường Liên cấp Ngôi Sao", "Tiểu học + THCS"]]),
        ("terms", [["ma_truong", "nam_hoc", "hoc_ky", "bat_dau", "ket_thuc"], ["LC-NT", year, "1", f"{y}-09-05", f"{y + 1}-01-16"],
                   ["LC-NT", year, "2", f"{y + 1}-01-18", f"{y + 1}-05-31"]]),
        ("classes", [["ma_truong", "lop", "khoi", "nam_hoc"], ["LC-NT", "3A", "Khối 3", year], ["LC-NT", "7A", "7", year]]),
        ("subjects", [["ma_truong", "ma_mon", "ten_mon", "kieu", "khoi", "so_tiet_nam"],
                      ["LC-NT", "TOAN", "Toán", "diem", "3", "175"], ["LC-NT", "TV", "Tiếng Việt", "diem", "3", "245"],
                      ["LC-NT", "TOAN", "Toán", "diem", "7", "140"]]),
        ("students", [["ma_hs", "ho_ten", "ngay_sinh", "ma_truong", "lop", "nam_hoc"],
                      ["NS1", "Lê Bảo Ngọc", "2018-03-01", "LC-NT", "3A", year], ["NS2", "Lê Minh Quân", "2014-05-02", "LC-NT", "7A", year]]),
        ("guardians", [["so_dien_thoai", "ho_ten", "email", "ma_hs", "quan_he", "nam_hoc"],
                       ["0911222333", "Lê Văn Sơn", "", "NS1", "Bố", year], ["0911222333", "Lê Văn Sơn", "", "NS2", "Bố", year]]),
        ("bangdiem", [["ma_hs", "ma_mon", "nam_hoc", "hoc_ky", "TX1", "TX2", "TX3", "TX4", "GK", "CK"],
                      ["NS2", "TOAN", year, "1", "8", "9", "7", "8", "8", "9"]]),
        ("danhgia", [["ma_hs", "nam_hoc", "dot", "ma_mon", "muc", "diem"], ["NS1", year, "CK1", "TOAN", "T", "10"],
                     ["NS1", year, "CK1", "TV", "H", "8"]]),
    ]
    for kind, rows in files:
        import_file(db, kind, _csv(tmp_path / f"{kind}.csv", rows), approve=True)
    return year


def test_each_child_gets_the_rules_of_their_khoi(db, sms_settings, two_level_school):
    Conversation(db, sms_settings).run("""
    0911222333 > DIEM TOAN C1
    0911222333 < Le Bao Ngoc 3A Toan: CK1 T 10
    0911222333 > DIEM TOAN HK1 C2
    0911222333 ~ Le Minh Quan 7A Toan HK1: TX 8 9 7 8; GK 8; CK 9; TB 8.3
    0911222333 > KQ C1
    0911222333 < Le Bao Ngoc 3A KQ CK1: TV H 8; TOAN T 10. PC, NL chua danh gia.
    """)


def test_a_class_outside_the_schools_levels_is_refused(db, tmp_path, sms_settings, two_level_school):
    path = _csv(tmp_path / "c.csv", [["ma_truong", "lop", "khoi", "nam_hoc"], ["LC-NT", "10A", "10", two_level_school],
                                     ["LC-NT", "La", "MGL", two_level_school]])
    with pytest.raises(ImportRowsError) as e:
        import_file(db, "classes", path)
    assert [str(r) for r in e.value.report.errors] == ["dòng 2: khối 10 không thuộc cấp TH+THCS (dùng 1-9)",
                                                       "dòng 3: khối MGL không thuộc cấp TH+THCS (dùng 1-9)"]


def test_a_kindergarten_school_takes_its_groups(db, tmp_path, sms_settings):
    year = school_year_of(hk1_day(sms_settings))
    import_file(db, "schools", _csv(tmp_path / "s.csv", [["ma_truong", "ten_truong", "cap"], ["MN-HS", "Trường Mầm non Hoa Sen", "MN"]]))
    import_file(db, "classes", _csv(tmp_path / "c.csv", [["ma_truong", "lop", "khoi", "nam_hoc"],
                                                          ["MN-HS", "Lá 1", "Mẫu giáo lớn", year], ["MN-HS", "Nhà trẻ A", "NT", year]]))
    assert db.execute("SELECT name, grade FROM classes ORDER BY grade").fetchall() == [("NHÀTRẺA", -3), ("LÁ1", 0)]
