"""The demo kindergarten (MN-HM) written as the files `import` reads: two classes, last week's notes, a weighing.

Deterministic for a seed. Guardians' numbers are 0562 00x xxx (a prefix the other
demos do not draw), and the first two families are fixed for the README's transcript.
"""
from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

from store.core.clock import local_today, school_year_of

SCHOOL = "MN-HM"
CLASSES = (("LA1", "MGL", 5, "Cô Nguyễn Thị Hạnh"), ("MAM1", "MGB", 3, "Cô Trần Thu Lan"))
FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô")
MIDDLE = ("Minh", "Bảo", "Gia", "Ngọc", "Thanh", "Khánh", "An", "Thiên")
GIVEN = {"nam": ("An", "Khôi", "Nam", "Phúc", "Huy", "Đức", "Long"), "nu": ("Chi", "Hà", "Linh", "Mai", "Vy", "Ngân")}
IMPORT_ORDER = ("schools", "terms", "classes", "students", "guardians", "nhatky", "cando", "danhgia_mn")
FIXED = (("0562000001", "Nguyễn Văn Hùng", "Bố"), ("0562000002", "Trần Thu Hà", "Mẹ"))


def _last_week(today: date) -> list[date]:
    """Monday..Friday of the last full school week before ``today``."""
    day = today - timedelta(days=1)
    friday = day - timedelta(days=(day.weekday() - 4) % 7)
    return [friday - timedelta(days=4 - i) for i in range(5)]


def _write(path: Path, rows: list[list]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def _children(rnd: random.Random, per_class: int, friday: date, year: str) -> list[list]:
    out = []
    for cls, _, age, _ in CLASSES:
        for i in range(per_class):
            sex = "nam" if i % 2 == 0 else "nu"
            name = f"{rnd.choice(FAMILY_NAMES)} {rnd.choice(MIDDLE)} {rnd.choice(GIVEN[sex])}"
            born = friday - timedelta(days=int(age * 365.25) + rnd.randint(10, 300))
            out.append([f"HM{len(out) + 1:04}", name, born.isoformat(), sex, SCHOOL, cls, year])
    return out


def _notes(rnd: random.Random, children: list[list], week: list[date]) -> list[list]:
    rows = [["ma_hs", "ngay", "an", "ngu", "ve_sinh", "suc_khoe", "nhac", "nhan_xet", "vang"]]
    for n, (code, *_) in enumerate(children):
        for day in week:
            if n == 0 and day == week[-1]:
                # the first child's Friday: the README's BE and digest example
                rows.append([code, day.isoformat(), "it", "", "", "", "bim", "Con hơi mệt", ""])
                continue
            cells = ["", "", "", "", "", "", ""]
            roll = rnd.random()
            if roll < 0.08:
                cells[6] = "x"
            elif roll < 0.16:
                cells[0] = rnd.choice(["it", "vua"])
            elif roll < 0.22:
                cells[4] = rnd.choice(["ta", "quan ao", "khan"])
            elif roll < 0.25:
                cells[5] = "Con tham gia hoạt động rất hăng hái."
            rows.append([code, day.isoformat(), *cells])
    return rows


def generate(out_dir: str | Path, *, seed: int = 1, students_per_class: int = 12,
             today: date | None = None) -> list[tuple[str, Path]]:
    """Write the demo kindergarten's files into ``out_dir``; returns (kind, path) in import order."""
    rnd = random.Random(seed)
    today = today or local_today("Asia/Ho_Chi_Minh")
    week = _last_week(today)
    year = school_year_of(week[-1])
    y = int(year[:4])
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    children = _children(rnd, students_per_class, week[-1], year)
    guardians = [["so_dien_thoai", "ho_ten", "email", "ma_hs", "quan_he", "nam_hoc"]]
    for i, (code, name, *_rest) in enumerate(children):
        phone, parent, relation = FIXED[i] if i < len(FIXED) else (f"0562{i + 1:06}", f"Phụ huynh {name}", "Mẹ")
        guardians.append([phone, parent, "", code, relation, year])
    weigh = week[-1] - timedelta(days=7)
    cando = [["ma_hs", "ngay", "can_nang", "chieu_cao"]]
    for code, _, born, sex, _, cls, _ in children:
        age = (weigh - date.fromisoformat(born)).days / 365.25
        height = round(74 + 8.5 * age + rnd.uniform(-4, 4), 1)
        weight = round(8 + 2.1 * age + rnd.uniform(-1.5, 1.5), 1)
        cando.append([code, weigh.isoformat(), str(weight).replace(".", ","), str(height)])
    stages = [["ma_hs", "nam_hoc", "dot", "linh_vuc", "muc", "nhan_xet"]]
    for code, *_ in children:
        for domain in ("TC", "NT", "NN", "TCXH", "TM"):
            stages.append([code, year, "Chủ đề Trường mầm non", domain, "CD" if rnd.random() < 0.1 else "D", ""])
    files = [
        ("schools", [["ma_truong", "ten_truong", "cap"], [SCHOOL, "Trường Mầm non Hoa Mai", "MN"]]),
        ("terms", [["ma_truong", "nam_hoc", "hoc_ky", "bat_dau", "ket_thuc"], [SCHOOL, year, "1", f"{y}-08-01",
                                                                              f"{y + 1}-01-16"],
                   [SCHOOL, year, "2", f"{y + 1}-01-17", f"{y + 1}-07-31"]]),
        ("classes", [["ma_truong", "lop", "khoi", "nam_hoc", "gvcn"],
                     *[[SCHOOL, c, k, year, t] for c, k, _, t in CLASSES]]),
        ("students", [["ma_hs", "ho_ten", "ngay_sinh", "gioi_tinh", "ma_truong", "lop", "nam_hoc"], *children]),
        ("guardians", guardians),
        ("nhatky", _notes(rnd, children, week)),
        ("cando", cando),
        ("danhgia_mn", stages),
    ]
    assert tuple(k for k, _ in files) == IMPORT_ORDER
    return [(kind, _write(out / f"mn_{kind}.csv", rows)) for kind, rows in files]
