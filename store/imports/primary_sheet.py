"""Reading the layout of SMAS's "Bảng tổng hợp kết quả đánh giá giáo dục" (tonghop_th).

    SỞ GIÁO DỤC VÀ ĐÀO TẠO …
    BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ GIÁO DỤC
    Lớp 4A1 - Cuối học kì I - Năm học 2025-2026
    STT | Mã học sinh | Họ và tên | Tiếng Việt      | Toán          | Đạo đức | … | Phẩm chất chủ yếu   | Năng lực …
        |             |           | Mức | Điểm KTĐK | Mức | Điểm KTĐK | Mức     | … | Yêu nước | Nhân ái … |

The first header row holds the subjects (a merged cell over their Mức and
Điểm columns; openpyxl reads the cells a merge covers as empty) and the
group cells of the qualities and competences; the second holds Mức / Điểm
and the quality names. The title rows above name the point and the year,
unless the sheet has `dot` / `nam_hoc` columns.
"""
from __future__ import annotations

import re
from pathlib import Path

from store.rules import tt27
from store.rules.tt27 import Point
from store.school.subjects import ALIAS_TO_CODE

from .errors import MissingColumnsError
from .headers import SEARCH_ROWS, SYNONYMS, Header, header_key

_LEVEL = {"muc", "mucdat", "mucdanhgia", "mucdo", "mdg", "md"}
_SCORE = {"diem", "diemktdk", "ktdk", "diemkiemtra", "diemkiemtradinhky", "diemkt", "d"}
_QUALITY_GROUPS = {"phamchat", "phamchatchuyeu", "nangluc", "nanglucchung", "nanglucdacthu", "nangluccotloi",
                   "cacphamchat", "cacnangluc", "pc", "nl", "nlc", "nldt"}
_YEAR = re.compile(r"(\d{4})\s*[-–/]\s*(\d{4})")


def _title(rows: list[list]) -> dict:
    """nam_hoc and dot from the title rows above the table."""
    found: dict = {}
    for cells in rows:
        text = " ".join(str(c) for c in cells if c not in (None, ""))
        m = _YEAR.search(text)
        if m and int(m.group(2)) == int(m.group(1)) + 1 and "nam_hoc" not in found:
            found["nam_hoc"] = f"{m.group(1)}-{m.group(2)}"
        point = tt27.find_point(text)
        if point and "dot" not in found:
            found["dot"] = point.value
    return found


def _quality_group(key: str) -> bool:
    """A group cell over quality / competence columns ('Phẩm chất chủ yếu', 'Năng lực đặc thù', …)."""
    return key in _QUALITY_GROUPS or key.startswith(("phamchat", "nangluc", "danhgiaphamchat"))


def _subject_word(key: str) -> str | None:
    """The folded subject label when ``key`` (a header_key) names a subject, else None."""
    word = key.upper()
    code = ALIAS_TO_CODE.get(word)
    return word if code is not None else None


def _columns(top: list, below: list) -> dict[int, str]:
    columns: dict[int, str] = {}
    group = ""
    for i in range(max(len(top), len(below))):
        a = header_key(top[i]) if i < len(top) else ""
        b = header_key(below[i]) if i < len(below) else ""
        if a:
            group = a
        elif not b:
            group = ""
        if a in SYNONYMS["ma_hs"] or a == "mahs":
            columns[i] = "ma_hs"
        elif a in SYNONYMS["nam_hoc"]:
            columns[i] = "nam_hoc"
        elif a in SYNONYMS["dot"]:
            columns[i] = "dot"
        elif _quality_group(group) and b:
            columns[i] = f"pc:{b.upper()}"
        elif _subject_word(group):
            if b in _SCORE:
                columns[i] = f"mon:{group.upper()}:diem"
            elif b in _LEVEL or not b:
                columns[i] = f"mon:{group.upper()}:muc"
    return columns


def locate_summary(file_name: str, first_rows: list[tuple[int, list]]) -> Header:
    """The two header rows of a tonghop_th sheet, their columns and what the title says; MissingColumnsError else."""
    rows = first_rows[:SEARCH_ROWS]
    for idx, (number, cells) in enumerate(rows):
        if not any(header_key(c) in SYNONYMS["ma_hs"] for c in cells):
            continue
        below_number, below = rows[idx + 1] if idx + 1 < len(rows) else (number, [])
        # The second header row has no pupil code: it is the Mức / Điểm row (else data follow at once).
        two_rows = not any(header_key(c) in _LEVEL | _SCORE for c in cells) and any(
            header_key(c) in _LEVEL | _SCORE for c in below)
        columns = _columns(cells, below if two_rows else [])
        if not any(n.startswith(("mon:", "pc:")) for n in columns.values()):
            break
        return Header(below_number if two_rows else number, columns, _title([c for _, c in rows[:idx]]))
    best = next(((n, c) for n, c in rows if any(header_key(x) for x in c)), None)
    raise MissingColumnsError(file_name, ["ma_hs", "cột Mức/Điểm của từng môn"],
                              best[0] if best else None, ["" if x is None else str(x) for x in (best[1] if best else [])])


# -- writing the same layout: tonghop_th's template, and the demo's file ---------------------------------
_POINT_TITLE = {Point.GK1: "GIỮA HỌC KÌ I", Point.CK1: "CUỐI HỌC KÌ I", Point.GK2: "GIỮA HỌC KÌ II",
                Point.CN: "CUỐI NĂM HỌC"}


def write_summary(path: Path, school_name: str, year: str, point: Point, pupils, marks) -> None:
    """SMAS's "Bảng tổng hợp kết quả đánh giá giáo dục" of one point: title rows, merged headers, one row a pupil."""
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    subjects = list(tt27.SUBJECT_ORDER)
    groups = [(g, [c for c, (_, grp, _) in tt27.QUALITIES.items() if grp == g]) for g in tt27.QUALITY_GROUPS]
    ws.append(["SỞ GIÁO DỤC VÀ ĐÀO TẠO HÀ NỘI"])
    ws.append([school_name.upper()])
    ws.append(["BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ GIÁO DỤC"])
    ws.append([f"Toàn trường - {_POINT_TITLE[point].capitalize()} - Năm học {year}"])
    ws.append([])
    top, below = ["STT", "Mã học sinh", "Họ và tên", "Lớp"], ["", "", "", ""]
    merges = []
    for subject in subjects:
        merges.append((len(top) + 1, len(top) + 2))
        top += [tt27.subject_name(subject), None]
        below += ["Mức", "Điểm KTĐK"]
    for group, codes in groups:
        merges.append((len(top) + 1, len(top) + len(codes)))
        top += [tt27.QUALITY_GROUPS[group]] + [None] * (len(codes) - 1)
        below += [tt27.quality_name(c) for c in codes]
    ws.append(top)
    ws.append(below)
    header_row = ws.max_row - 1
    for first, last in merges:
        ws.merge_cells(start_row=header_row, start_column=first, end_row=header_row, end_column=last)
    for n, (pcode, full, cls, grade) in enumerate(pupils, start=1):
        data = marks[pcode][point]
        row = [n, pcode, full, cls]
        for subject in subjects:
            lvl, score = data["subjects"].get(subject, ("", None))
            row += [lvl, score]
        for _, codes in groups:
            row += [{"D": "Đ"}.get(data["qualities"].get(c, ""), data["qualities"].get(c, "")) for c in codes]
        ws.append(row)
    ws.append([])
    ws.append(["", "", "Người lập biểu", "", "", "", "", "", "Hiệu trưởng"])
    wb.save(path)
