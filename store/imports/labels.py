"""The Vietnamese names of the import columns, as the reasons a coordinator reads name them.

    label("ngay_sinh")  -> "ngày sinh"      (the header SMAS and vnEdu print)
    label("tx3")        -> "TX3"
    quoted("31/02/2012") -> "'31/02/2012'"

A reason names the column as a school's own sheet heads it, the value as typed
and what to type instead: "ngày sinh '31/02/2012' không có trong lịch (dùng dd/mm/yyyy)".
"""
from __future__ import annotations

from datetime import date

COLUMN_LABELS: dict[str, str] = {
    "ma_truong": "mã trường", "ten_truong": "tên trường", "cap": "cấp học", "nam_hoc": "năm học",
    "hoc_ky": "học kỳ", "bat_dau": "ngày bắt đầu", "ket_thuc": "ngày kết thúc", "lop": "lớp", "khoi": "khối",
    "gvcn": "GVCN", "ma_mon": "mã môn", "ten_mon": "tên môn", "kieu": "kiểu đánh giá",
    "so_tiet_nam": "số tiết/năm", "ma_hs": "mã học sinh", "ho_ten": "họ tên", "ngay_sinh": "ngày sinh",
    "so_dien_thoai": "số điện thoại", "email": "email", "quan_he": "quan hệ", "loai": "loại",
    "stt": "lần (stt)", "diem": "điểm", "ngay": "ngày", "xep_loai": "xếp loại", "buoi": "buổi",
    "co_phep": "có phép", "ly_do": "lý do", "noi_dung": "nội dung", "tieu_de": "tiêu đề", "dot": "đợt",
    "muc": "mức", "nhan_xet": "nhận xét", "ma": "mã phẩm chất/năng lực", "ket_qua": "kết quả",
    "khen_thuong": "khen thưởng", "gk": "GK", "ck": "CK", "ma_gv": "mã GV", "to_chuyen_mon": "tổ chuyên môn",
    "chuc_vu": "chức vụ", "chu_nhiem": "chủ nhiệm", "gioi_tinh": "giới tính", "can_nang": "cân nặng",
    "chieu_cao": "chiều cao", "linh_vuc": "lĩnh vực", "an": "ăn", "ngu": "ngủ", "ngu_phut": "số phút ngủ",
    "ve_sinh": "vệ sinh", "suc_khoe": "sức khoẻ", "nhac": "nhắc", "vang": "vắng",
}


# What an import's counts are called (the command line's summary and the upload page).
COUNT_LABELS: dict[str, str] = {
    "inserted": "thêm mới", "updated": "cập nhật", "unchanged": "không đổi", "deactivated": "bị ngừng",
    "accounts": "tài khoản mới", "homerooms": "lớp đổi GVCN", "locked": "vẫn bị khoá",
}


def count_label(key: str) -> str:
    """'inserted' -> 'thêm mới'; a count no label names keeps its key."""
    return COUNT_LABELS.get(key, key)


def label(column: str) -> str:
    """The Vietnamese name of a canonical column ('ngay_sinh' -> 'ngày sinh'); TX columns as 'TX3'.

    A name that is not a column (a grade-book label such as 'CK') is returned as given.
    """
    if column.startswith("tx") and column[2:].isdigit():
        return column.upper()
    return COLUMN_LABELS.get(column, column)


def labelled(columns) -> str:
    """Missing columns as a coordinator looks for them: 'học kỳ (hoc_ky), điểm (diem)'."""
    return ", ".join(f"{label(c)} ({c})" if label(c) != c else c for c in columns)


def quoted(value: str) -> str:
    """A typed value between straight quotes, as every reason shows it."""
    return f"'{value}'"


def dmy(day: str) -> str:
    """'2026-01-16' -> '16/01/2026' (dates in reasons are written as the school writes them)."""
    return f"{date.fromisoformat(day):%d/%m/%Y}"
