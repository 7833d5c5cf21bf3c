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
GROUP_ROWS = 2      # header rows above the Mức / Điểm row: the subjects, and a group row above them


def _is_level(key: str) -> bool:
    """'Mức', 'Mức đạt được', 'Mức độ hoàn thành' (folded)."""
    return key in _LEVEL or key.startswith("muc")


def _is_score(key: str) -> bool:
    """'Điểm', 'Điểm KTĐK', 'Điểm KTĐK cuối kì', 'KTĐK' (folded)."""
    return key in _SCORE or key.startswith("diem") or "ktdk" in key or "kiemtra" in key


def _leaf(key: str) -> bool:
    return _is_level(key) or _is_score(key)


def _leaf_row(cells: list) -> bool:
    """A Mức / Điểm header row (a data row's 'Đ', a quality level, is not 'Điểm')."""
    return any(_leaf(key) and key != "d" for key in map(header_key, cells))


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


def _spans(groups: list[list], leaves: list, width: int) -> list[list[str]]:
    """Each group row's label over each column: a merged cell's value carried right over the cells it covers.

    A carried label stops where a row above starts a new cell (the cells below it belong to that one), or
    where a column is empty from top to bottom (a gap between tables)."""
    spans = [[""] * width for _ in groups]
    for i in range(width):
        keys = [header_key(row[i]) if i < len(row) else "" for row in groups]
        if not any(keys) and not (i < len(leaves) and header_key(leaves[i])):
            continue
        for r, key in enumerate(keys):
            above_starts = any(keys[:r])
            carried = spans[r][i - 1] if i and not above_starts else ""
            spans[r][i] = key or carried
    return spans


def _column(keys: list[str], leaf: str, first: str) -> str | None:
    """The canonical name of one column from its group labels (top to bottom) and its leaf label."""
    if first in SYNONYMS["ma_hs"] or first == "mahs":
        return "ma_hs"
    for name in ("nam_hoc", "dot"):
        if first in SYNONYMS[name]:
            return name
    subject = _subject_word(keys[-1]) if keys else None
    if leaf and not _leaf(leaf) and any(_quality_group(k) for k in keys):
        return f"pc:{leaf.upper()}"
    if subject and _is_score(leaf):
        return f"mon:{subject}:diem"
    if subject and (_is_level(leaf) or not leaf):
        return f"mon:{subject}:muc"
    return None


def _columns(groups: list[list], leaves: list) -> dict[int, str]:
    """Column index -> canonical name ('ma_hs', 'mon:TOAN:muc', 'mon:TOAN:diem', 'pc:CHAMCHI'…)."""
    width = max([len(leaves)] + [len(r) for r in groups])
    spans = _spans(groups, leaves, width)
    columns: dict[int, str] = {}
    for i in range(width):
        leaf = header_key(leaves[i]) if i < len(leaves) else ""
        keys = [span[i] for span in spans]
        if not leaf and not any(keys):
            continue
        own = next((header_key(r[i]) for r in groups if i < len(r) and header_key(r[i])), leaf)
        name = _column(keys, leaf, own)
        if name:
            columns[i] = name
    return columns


def _subject_label(word: str) -> str:
    code = ALIAS_TO_CODE[word]
    return tt27.subject_name(tt27.FROM_SECONDARY.get(code, code))


def _check_level_columns(file_name: str, header: int, rows: list[tuple[int, list]], columns: dict[int, str]) -> None:
    """A subject with a Điểm column and no Mức column (a header this reader does not know): the file is refused,
    naming it, rather than its scores dropped."""
    names = set(columns.values())
    orphans = [n.split(":")[1] for n in names if n.endswith(":diem") and n.replace(":diem", ":muc") not in names]
    if orphans:
        cells = next(c for n, c in rows if n == header)
        raise MissingColumnsError(file_name, [f"Mức của môn {_subject_label(w)}" for w in sorted(orphans)], header,
                                  ["" if x is None else str(x) for x in cells])


def locate_summary(file_name: str, first_rows: list[tuple[int, list]]) -> Header:
    """The header rows of a tonghop_th sheet, their columns and what the title says; MissingColumnsError else.

    The row naming the pupil code starts the header; the Mức / Điểm row (when there is one) ends it, at most
    GROUP_ROWS below it (a group row such as "Môn học và hoạt động giáo dục" may sit above the subjects)."""
    rows = first_rows[:SEARCH_ROWS]
    for idx, (number, cells) in enumerate(rows):
        if not any(header_key(c) in SYNONYMS["ma_hs"] for c in cells):
            continue
        leaf_at = next((j for j in range(idx + 1, min(idx + 1 + GROUP_ROWS, len(rows)))
                        if _leaf_row(rows[j][1])), None)
        if _leaf_row(cells) or leaf_at is None:
            header, columns = number, _columns([cells], [])          # one header row: a Mức column per subject
        else:
            header, columns = rows[leaf_at][0], _columns([c for _, c in rows[idx:leaf_at]], rows[leaf_at][1])
        if not any(n.startswith(("mon:", "pc:")) for n in columns.values()):
            break
        _check_level_columns(file_name, header, rows, columns)
        return Header(header, columns, _title([c for _, c in rows[:idx]]))
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
