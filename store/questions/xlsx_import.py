"""Questions from a spreadsheet: cau_hoi, A..F, dap_an, muc_do, ma_mon, khoi, chu_de (+ loi_giai)."""
from __future__ import annotations

from pathlib import Path

from store.core.text import is_digits
from store.imports.errors import ImportFileError
from store.imports.headers import header_key
from store.imports.readers import open_table

from .bank import LETTERS, Draft
from .errors import BadQuestion, QuestionError

_NAMES = {
    "cau_hoi": ("cauhoi", "noidung", "noidungcauhoi", "de", "cau"),
    "dap_an": ("dapan", "dapandung", "da", "key"),
    "muc_do": ("mucdo", "muc", "level", "mucdonhanthuc"),
    "ma_mon": ("mamon", "mon", "monhoc"),
    "khoi": ("khoi", "lop", "khoilop"),
    "chu_de": ("chude", "bai", "chuong", "noidungkienthuc"),
    "loi_giai": ("loigiai", "huongdan", "giaithich", "huongdangiai"),
    "stt": ("stt", "so", "socau", "tt"),
    **{letter: (letter.lower(), f"phuongan{letter.lower()}", f"pa{letter.lower()}", f"dapan{letter.lower()}")
       for letter in LETTERS},
}
_LOOKUP = {syn: name for name, syns in _NAMES.items() for syn in syns}
_REQUIRED = ("cau_hoi", "A", "B", "dap_an")
SEARCH_ROWS = 15


def _header(rows: list[tuple[int, list]], file_name: str) -> tuple[int, dict[int, str]]:
    for number, cells in rows[:SEARCH_ROWS]:
        columns: dict[int, str] = {}
        for i, cell in enumerate(cells):
            name = _LOOKUP.get(header_key(cell))
            if name and name not in columns.values():
                columns[i] = name
        if set(_REQUIRED) <= set(columns.values()):
            return number, columns
    raise QuestionError(f"{file_name}: không thấy dòng tiêu đề có các cột cau_hoi, A, B, dap_an "
                        "(và C–F, muc_do, ma_mon, khoi, chu_de nếu có) trong 15 dòng đầu")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _draft(values: dict[str, str], defaults) -> Draft:
    choices = [values.get(letter, "") for letter in LETTERS]
    while choices and not choices[-1]:
        choices.pop()
    keys = values.get("dap_an", "").upper().replace(",", " ").replace(".", " ").split()
    answer = LETTERS.index(keys[0]) if len(keys) == 1 else None
    grade_text = values.get("khoi", "") or (str(defaults.grade) if defaults.grade else "")
    return Draft(body=values.get("cau_hoi", ""), choices=choices, answer=answer,
                 level=values.get("muc_do") or defaults.level, subject_code=values.get("ma_mon") or defaults.subject_code,
                 grade=int(grade_text) if is_digits(grade_text) else None, topic=values.get("chu_de") or defaults.topic,
                 explanation=values.get("loi_giai", ""), keys_marked=len(keys))


def read_sheet(path: Path, defaults) -> tuple[list[tuple[str, Draft]], list[BadQuestion]]:
    """Every row under the header as (where, draft), and the rows that are no question at all."""
    try:
        with open_table(path) as table:
            rows = list(table.rows)
    except ImportFileError as e:
        raise QuestionError(f"{path.name}: tệp không đọc được ({e.reason})") from e
    header_row, columns = _header(rows, path.name)
    out, problems = [], []
    for number, cells in rows:
        if number <= header_row or not any(_text(c) for c in cells):
            continue
        values = {name: _text(cells[i]) if i < len(cells) else "" for i, name in columns.items()}
        where = f"Dòng {number}" + (f" (câu {values['stt']})" if values.get("stt") else "")
        keys = values.get("dap_an", "").upper().replace(",", " ").replace(".", " ").split()
        if any(k not in LETTERS for k in keys):
            problems.append(BadQuestion(where, f"đáp án “{values['dap_an']}” không phải một chữ cái A–F"))
            continue
        out.append((where, _draft(values, defaults)))
    return out, problems
