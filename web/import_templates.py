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
    "teachers": {"ma_truong": "THCS-DD", "ma_gv": "DD-GV001", "ho_ten": "Nguyễn Thu Hà", "so_dien_thoai": "0911222333",
                 "email": "", "to_chuyen_mon": "Tổ Toán - Tin", "chuc_vu": "gv"},
    "assignments": {"ma_truong": "THCS-DD", "nam_hoc": "2025-2026", "hoc_ky": "HK1", "ma_gv": "DD-GV001",
                    "lop": "8A2", "ma_mon": "TOAN", "chu_nhiem": "x"},
    "danhgia": {"ma_hs": "KD900004", "nam_hoc": "2025-2026", "dot": "CK1", "ma_mon": "TOAN", "muc": "T", "diem": "9",
                "nhan_xet": "Tính nhanh, cẩn thận"},
    "phamchat": {"ma_hs": "KD900004", "nam_hoc": "2025-2026", "dot": "CK1", "ma": "CC", "muc": "T"},
    "ketqua_th": {"ma_hs": "KD900004", "nam_hoc": "2025-2026", "ket_qua": "HTT", "khen_thuong": ""},
    "tonghop_th": {"ma_hs": "KD900004", "nam_hoc": "2025-2026", "dot": "CK1"},
    "nhatky": {"ma_hs": "HM900001", "ngay": "2025-11-20", "an": "tot", "ngu": "it", "nhac": "ta",
               "nhan_xet": "Bé hát hay"},
    "cando": {"ma_hs": "HM900001", "ngay": "2025-11-20", "can_nang": "18,5", "chieu_cao": "108"},
    "danhgia_mn": {"ma_hs": "HM900001", "nam_hoc": "2025-2026", "dot": "CK1", "linh_vuc": "NN", "muc": "D",
                   "nhan_xet": ""},
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
    if kind == "tonghop_th":
        return _summary_template()
    head = columns(kind)
    example = EXAMPLES.get(kind, {})
    required = set(KINDS[kind].required)
    help_rows = [[c, "bắt buộc" if c in required else "tuỳ chọn"] for c in head]
    return xlsx.response(f"mau-{kind}.xlsx", [
        (kind, head, [[example.get(c, "") for c in head]]),
        ("Hướng dẫn", ["Cột", "Bắt buộc?"], help_rows),
    ])


def _summary_template():
    """tonghop_th has SMAS's own layout (title rows, a Mức/Điểm pair under each subject): one example pupil in it."""
    import tempfile
    from pathlib import Path

    from flask import Response

    from demo.primary import write_summary
    from store.primary.tt27 import Point
    example = {"subjects": {"TV": ("T", 9), "TOAN": ("T", 10), "TNXH": ("H", None)}, "qualities": {"CC": "T"}}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mau-tonghop_th.xlsx"
        write_summary(path, "Trường Tiểu học Kim Đồng", "2025-2026", Point.CK1,
                      [("KD900004", "Đỗ Minh Khôi", "4A1", 4)], {"KD900004": {Point.CK1: example}})
        data = path.read_bytes()
    return Response(data, mimetype=xlsx.MIME,
                    headers={"Content-Disposition": 'attachment; filename="mau-tonghop_th.xlsx"'})
