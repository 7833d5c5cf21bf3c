"""Cell values and headers as coordinators really have them."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from store.imports import registry
from store.imports import values as v
from store.imports.errors import MissingColumnsError, RowRejected
from store.imports.headers import find_header, header_key
from store.imports.readers import sniff_delimiter


@pytest.mark.parametrize("raw, stored", [
    ("2025-09-05", "2025-09-05"), ("5/9/2025", "2025-09-05"), ("05/09/2025", "2025-09-05"),
    ("05-09-2025", "2025-09-05"), ("05.09.2025", "2025-09-05"), (45905, "2025-09-05"), ("45905", "2025-09-05"),
    (45905.0, "2025-09-05"), (datetime(2025, 9, 5, 0, 0), "2025-09-05"), (date(2025, 9, 5), "2025-09-05"),
    ("2025-09-05 00:00:00", "2025-09-05")])
def test_dates(raw, stored):
    assert v.parse_date(raw, "ngay") == stored


@pytest.mark.parametrize("raw, reason", [
    ("31/02/2025", "ngày '31/02/2025' không có trong lịch (dùng dd/mm/yyyy)"),
    ("9/2025", "ngày '9/2025' không đúng (dùng dd/mm/yyyy)"),
    (12, "ngày '12' không phải ngày (dùng dd/mm/yyyy)"), ("", "thiếu ngày")])
def test_bad_dates(raw, reason):
    with pytest.raises(RowRejected) as raised:
        v.parse_date(raw, "ngay")
    assert raised.value.reason == reason


@pytest.mark.parametrize("raw, stored", [
    ("7.5", "7.5"), ("7,5", "7.5"), (7.5, "7.5"), ("8.0", "8"), (8.0, "8"), (8, "8"), ("10", "10"), ("0", "0"),
    (" 9,50 ", "9.5"), ("0.5", "0.5")])
def test_scores_are_canonical_decimal_text(raw, stored):
    assert v.parse_score(raw, "diem") == stored


@pytest.mark.parametrize("raw, stored", [("Đ", "D"), ("đ", "D"), ("D", "D"), ("Đạt", "D"), ("CĐ", "CD"),
                                         ("cd", "CD"), ("Chưa đạt", "CD")])
def test_comment_marks(raw, stored):
    assert v.parse_score(raw, "nhanxet") == stored


@pytest.mark.parametrize("raw, kind, reason", [
    ("10.5", "diem", "điểm '10.5' ngoài khoảng 0-10"), ("-1", "diem", "điểm '-1' ngoài khoảng 0-10"),
    ("7.25", "diem", "điểm '7.25' có hơn một chữ số thập phân (ví dụ 7,5)"),
    (7.25, "diem", "điểm '7.25' có hơn một chữ số thập phân (ví dụ 7,5)"),
    ("NaN", "diem", "điểm 'NaN' không phải số (nhập số 0-10)"),
    ("Đ", "diem", "điểm 'Đ' là nhận xét Đ/CĐ, môn này chấm điểm (nhập số 0-10)"),
    ("8", "nhanxet", "điểm '8' là số, môn này đánh giá bằng nhận xét (nhập Đ hoặc CĐ)"),
    ("Tốt", "nhanxet", "điểm 'Tốt' không phải Đ hoặc CĐ")])
def test_bad_scores(raw, kind, reason):
    with pytest.raises(RowRejected) as raised:
        v.parse_score(raw, kind)
    assert raised.value.reason == reason


@pytest.mark.parametrize("raw, term", [("1", 1), (1, 1), ("HK1", 1), ("HKI", 1), ("Học kỳ I", 1), ("hk 2", 2),
                                       ("II", 2), ("Kỳ 2", 2)])
def test_terms(raw, term):
    assert v.parse_term(raw) == term


def test_whole_year_only_where_allowed():
    assert v.parse_term("Cả năm", allow_year=True) == 0
    with pytest.raises(RowRejected):
        v.parse_term("CN")


@pytest.mark.parametrize("raw", ["2025-2026", "2025 - 2026", "2025/2026", "2025–2026"])
def test_years(raw):
    assert v.parse_year(raw) == "2025-2026"


@pytest.mark.parametrize("raw, e164, note", [
    ("0912345678", "+84912345678", None), ("84912345678", "+84912345678", None),
    ("+84 912 345 678", "+84912345678", None), ("912345678", "+84912345678",
                                                  "thêm số 0 ở đầu (912345678 → 0912345678)"),
    ("01662345678", "+84362345678", "đổi đầu số cũ 0166 → 036 (01662345678 → 0362345678)"),
    (912345678.0, "+84912345678", "thêm số 0 ở đầu (912345678 → 0912345678)")])
def test_phones(raw, e164, note):
    assert v.parse_phone(raw) == (e164, note)


@pytest.mark.parametrize("raw, code", [("Toán", "TOAN"), ("Ngữ văn", "VAN"), ("Tiếng Anh", "ANH"), ("AV", "ANH"),
                                       ("GDTC", "GDTC"), ("Vật lý", "LY"), ("Công nghệ", "CN"), ("hdtn", "HDTN")])
def test_subject_codes(raw, code):
    assert v.subject_code(raw) == code


@pytest.mark.parametrize("header, key", [("Mã học sinh", "mahocsinh"), ("SĐT", "sdt"), ("Số điện thoại", "sodienthoai"),
                                         ("Ngày sinh (dd/mm/yyyy)", "ngaysinh"), ("Họ và tên", "hovaten"),
                                         (" Số tiết/năm ", "sotietnam"), (None, "")])
def test_header_keys(header, key):
    assert header_key(header) == key


def test_header_found_below_title_rows_with_synonyms():
    rows = [(1, ["SỞ GIÁO DỤC VÀ ĐÀO TẠO", None]), (2, ["DANH SÁCH PHỤ HUYNH, HỌC SINH", None]), (3, []),
            (4, ["STT", "Mã HS", "Họ tên học sinh", "SĐT", "Họ tên phụ huynh", "Năm học"]), (5, [1, "HS1"])]
    header = find_header(registry.vocabulary(registry.find("guardians")), "f.csv", rows, ("so_dien_thoai", "ma_hs", "nam_hoc"), ("ho_ten", "email"))
    # The student's name column is not the guardian's name.
    assert (header.row, header.columns) == (4, {1: "ma_hs", 3: "so_dien_thoai", 4: "ho_ten", 5: "nam_hoc"})


def test_no_header_at_all():
    with pytest.raises(MissingColumnsError) as raised:
        find_header(registry.vocabulary(registry.find("conduct")), "f.csv", [(1, ["a", "b"]), (2, ["1", "2"])],
                    ("ma_hs", "xep_loai"), ())
    assert str(raised.value) == ("f.csv: thiếu cột mã học sinh (ma_hs), xếp loại (xep_loai) (không thấy dòng tiêu đề "
                                 "ở các dòng đầu: kiểm tra tên cột theo tệp mẫu)")
    assert raised.value.missing == ["ma_hs", "xep_loai"]


@pytest.mark.parametrize("sample, delimiter", [
    ("TITLE, with comma\nMã HS;Môn;Năm học;Điểm\nHS1;TOAN;2025-2026;7,5\n", ";"),
    ("Mã HS,Môn,Năm học\nHS1,TOAN,2025-2026\n", ","), ("Mã HS\tMôn\tNăm học\n", "\t")])
def test_delimiter_sniffing(sample, delimiter):
    assert sniff_delimiter(sample) == delimiter
