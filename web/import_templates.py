"""Downloadable import templates: for every KIND an XLSX with its columns and one example row.

One example row in the demo school's codes; a second sheet says which
columns are required. The importer reads a template's header as it is.
"""
from __future__ import annotations

from flask import Blueprint, abort

from store.imports import KINDS

from . import xlsx
from .auth import staff_required

bp = Blueprint("import_templates", __name__, url_prefix="/staff/imports")

EXAMPLES = {
    "schools": {"ma_truong": "THCS-DD", "ten_truong": "Trường THCS Đống Đa", "cap": "THCS"},
    "terms": {"ma_truong": "THCS-DD", "nam_hoc": "2025-2026", "hoc_ky": "HK1", "bat_dau": "2025-09-05",
              "ket_thuc": "2026-01-16"},
    "classes": {"ma_truong": "THCS-DD", "lop": "8A2", "khoi": "8", "nam_hoc": "2025-2026", "gvcn": "Vũ Minh Khôi"},
    "subjects": {"ma_truong": "THCS-DD", "ma_mon": "TOAN", "ten_mon": "Toán", "kieu": "diem", "khoi": "8",
                 "so_tiet_nam": "140"},
    "students": {"ma_hs": "DD900001", "ho_ten": "Nguyễn Thị Hoa", "ma_truong": "THCS-DD", "lop": "8A2",
                 "nam_hoc": "2025-2026", "ngay_sinh": "2012-03-14"},
    "guardians": {"so_dien_thoai": "0912345678", "ma_hs": "DD900001", "nam_hoc": "2025-2026",
                  "ho_ten": "Nguyễn Văn Hùng", "email": "", "quan_he": "Bố"},
    "grades": {"ma_hs": "DD900001", "ma_mon": "TOAN", "nam_hoc": "2025-2026", "hoc_ky": "HK1", "loai": "TX",
               "diem": "8", "stt": "1", "ngay": "2025-10-06"},
    "bangdiem": {"ma_hs": "DD900001", "ma_mon": "TOAN", "nam_hoc": "2025-2026", "hoc_ky": "HK1", "TX1": "8",
                 "TX2": "7.5", "TX3": "9", "TX4": "8", "gk": "8", "ck": "7.5"},
    "conduct": {"ma_hs": "DD900001", "nam_hoc": "2025-2026", "hoc_ky": "HK1", "xep_loai": "T"},
    "attendance": {"ma_hs": "DD900001", "ngay": "2025-10-16", "buoi": "S", "co_phep": "1", "ly_do": "ốm"},
    "comments": {"ma_hs": "DD900001", "ngay": "2025-11-07", "noi_dung": "Có ý thức giúp đỡ bạn bè", "ma_mon": "VAN"},
    "events": {"ma_truong": "THCS-DD", "ngay": "2025-11-20", "loai": "hop", "tieu_de": "Họp phụ huynh",
               "lop": "8A2", "noi_dung": "19h tại phòng 8A2"},
}


def columns(kind: str) -> list[str]:
    """The template's header: required columns, then optional ones (bangdiem: TX1..TX4 before GK, CK)."""
    handler = KINDS[kind]
    wide = ["TX1", "TX2", "TX3", "TX4"] if handler.wide else []
    return [*handler.required, *wide, *handler.optional]


@bp.route("/template/<kind>.xlsx")
@staff_required("admin", "operator")
def template(kind: str):
    """The XLSX template of one import kind."""
    if kind not in KINDS:
        abort(404, description=f"no import kind {kind[:20]!r}")
    head = columns(kind)
    example = EXAMPLES.get(kind, {})
    required = set(KINDS[kind].required)
    help_rows = [[c, "bắt buộc" if c in required else "tuỳ chọn"] for c in head]
    return xlsx.response(f"mau-{kind}.xlsx", [
        (kind, head, [[example.get(c, "") for c in head]]),
        ("Hướng dẫn", ["Cột", "Bắt buộc?"], help_rows),
    ])
