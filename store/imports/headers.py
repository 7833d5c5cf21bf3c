"""Finding the header row below title rows and matching headers without accents.

SMAS and vnEdu exports put the school name and a title above the table,
write headers with accents ('Mã học sinh', 'SĐT'), and group score columns
under a merged cell ('Điểm thường xuyên' over 'TX1 TX2 TX3' or just '1 2 3').
A header is reduced to its folded alphanumerics ('Số điện thoại' ->
'sodienthoai') and looked up in the synonyms of the columns the kind uses.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping

from store.core.text import fold

from .errors import MissingColumnsError

# How many rows may sit above the header (titles, blank lines).
SEARCH_ROWS = 30

# The headers of the columns many domains share; a domain's own columns (staff, kindergarten, TT27) are
# declared with its kinds (store.imports.kind.ImportKind.synonyms) and merged with these by the registry.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "ma_truong": ("matruong", "madonvi", "mats"),
    "ten_truong": ("tentruong", "truong", "tendonvi"),
    "cap": ("cap", "caphoc"),
    "nam_hoc": ("namhoc", "nam"),
    "hoc_ky": ("hocky", "hk", "ky", "kyhoc"),
    "bat_dau": ("batdau", "ngaybatdau", "tungay"),
    "ket_thuc": ("ketthuc", "ngayketthuc", "denngay"),
    "lop": ("lop", "tenlop", "lophoc"),
    "khoi": ("khoi", "khoilop"),
    "gvcn": ("gvcn", "giaovienchunhiem"),
    "ma_mon": ("mamon", "mon", "monhoc", "tenmonhoc"),
    "ten_mon": ("tenmon",),
    "kieu": ("kieu", "kieudanhgia", "hinhthucdanhgia", "hinhthuc"),
    "so_tiet_nam": ("sotietnam", "sotiet", "sotiettrennam", "sotietmotnam"),
    "ma_hs": ("mahs", "mahocsinh", "mahsinh", "masohocsinh"),
    "ho_ten": ("hoten", "hovaten"),
    "ngay_sinh": ("ngaysinh", "ns"),
    "gioi_tinh": ("gioitinh", "phai", "gt"),
    "so_dien_thoai": ("sodienthoai", "sdt", "dienthoai", "dtdd", "sdtphuhuynh", "sodienthoaiphuhuynh",
                      "didong", "sodidong"),
    "email": ("email", "thudientu", "mail"),
    "quan_he": ("quanhe", "moiquanhe", "quanhevoihocsinh"),
    "loai": ("loai", "loaidiem", "loaisukien", "daudiem"),
    "stt": ("stt", "lan", "lankiemtra", "cot"),
    "diem": ("diem", "diemso"),
    "ngay": ("ngay", "ngaynghi", "ngaykiemtra", "ngaynhanxet"),
    "xep_loai": ("xeploai", "hanhkiem", "renluyen", "xeploairenluyen", "ketquarenluyen", "kqrl"),
    "buoi": ("buoi", "buoinghi", "ca"),
    "co_phep": ("cophep", "phep", "loainghi"),
    "ly_do": ("lydo",),
    "noi_dung": ("noidung", "nhanxet", "noidungnhanxet"),
    "tieu_de": ("tieude", "ten", "tensukien"),
    "dot": ("dot", "dotdanhgia", "thoidiem", "thoidiemdanhgia", "kydanhgia"),
    "muc": ("muc", "mucdat", "mucdanhgia", "mucdo", "mucdohoanthanh"),
    "nhan_xet": ("nhanxet", "noidungnhanxet", "nhanxetgiaovien"),
    "gk": ("gk", "giuaky", "ddggk", "diemgiuaky", "ktgk"),
    "ck": ("ck", "cuoiky", "ddgck", "diemcuoiky", "ktck"),
}
MAX_TX = 9
_TX = re.compile(r"(?:ddg)?tx(\d)")
# Group labels a merged cell puts over the TX columns.
_TX_GROUPS = {"tx", "ddgtx", "diemthuongxuyen", "thuongxuyen", "danhgiathuongxuyen", "kttx"}


def header_key(cell) -> str:
    """'Ngày sinh (dd/mm/yyyy)' -> 'ngaysinh'; 'SĐT' -> 'sdt'."""
    if cell is None:
        return ""
    t = re.sub(r"\(.*?\)", "", str(cell))
    return re.sub(r"[^0-9a-z]", "", fold(t).lower())


@dataclass
class Header:
    """Where the table starts: the header's row number and column -> canonical name."""

    row: int               # the (last) header row; data follow it
    columns: dict[int, str]
    title: dict = field(default_factory=dict)   # what a kind read above the table (tonghop_th: year, point)

    def names(self) -> set[str]:
        return set(self.columns.values())


Vocabulary = Mapping[str, tuple[str, ...]]     # column -> the folded headers that name it


def _lookup(vocabulary: Vocabulary, wanted: set[str]) -> dict[str, str]:
    table: dict[str, str] = {}
    for name in wanted:
        if name.startswith("tx"):
            continue
        for syn in vocabulary.get(name, ()):
            table[syn] = name
        table[name.replace("_", "")] = name
    return table


def _match_row(cells, lookup: dict[str, str], wide: bool) -> dict[int, str]:
    found: dict[int, str] = {}
    for i, cell in enumerate(cells):
        k = header_key(cell)
        name = lookup.get(k)
        if name is None and wide:
            m = _TX.fullmatch(k)
            name = f"tx{m.group(1)}" if m and m.group(1) != "0" else None
        if name and name not in found.values():
            found[i] = name
    return found


def _sub_header(cells_above, cells, columns: dict[int, str]) -> dict[int, str]:
    """A second header row under merged group cells: 'Điểm TX' over '1 2 3', 'GK', 'CK'."""
    extra: dict[int, str] = {}
    group = ""
    for i, cell in enumerate(cells):
        above = header_key(cells_above[i]) if i < len(cells_above) else ""
        if above:
            group = above
        k = header_key(cell)
        if not k or i in columns:
            continue
        if group in _TX_GROUPS and k.isascii() and k.isdigit() and 1 <= int(k) <= MAX_TX:
            extra[i] = f"tx{k}"
        elif _TX.fullmatch(k):
            extra[i] = f"tx{_TX.fullmatch(k).group(1)}"
        elif k in SYNONYMS["gk"]:
            extra[i] = "gk"
        elif k in SYNONYMS["ck"]:
            extra[i] = "ck"
    return extra


def find_header(vocabulary: Vocabulary, file_name: str, first_rows: list[tuple[int, list]],
                required: tuple[str, ...], optional: tuple[str, ...], wide: bool = False) -> Header:
    """The first row holding every required column, or MissingColumnsError naming what is missing.

    ``vocabulary``: the kind's headers of each column (store.imports.registry.vocabulary).
    """
    lookup = _lookup(vocabulary, set(required) | set(optional))
    best: tuple[int, int, list, dict] | None = None
    for idx, (number, cells) in enumerate(first_rows[:SEARCH_ROWS]):
        columns = _match_row(cells, lookup, wide)
        if not columns:
            continue
        if set(required) <= set(columns.values()):
            header = Header(number, columns)
            if wide and idx + 1 < len(first_rows):
                below_number, below = first_rows[idx + 1]
                extra = _sub_header(cells, below, columns)
                if extra:
                    header = Header(below_number, {**columns, **extra})
            return header
        if best is None or len(columns) > best[1]:
            best = (number, len(columns), cells, columns)
    if best is None:
        raise MissingColumnsError(file_name, list(required), None, [])
    missing = [c for c in required if c not in best[3].values()]
    raise MissingColumnsError(file_name, missing, best[0], ["" if c is None else str(c) for c in best[2]])
