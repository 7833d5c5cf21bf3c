"""A small kindergarten (MN+TH school, class La1 of MGL and Mam1 of MGB) for the preschool tests."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from store.core.clock import local_today, school_year_of
from store.imports import import_file


def write_csv(path: Path, rows: list[list]) -> Path:
    """Write ``rows`` as a UTF-8 CSV."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def last_friday(today: date) -> date:
    """The last Friday at least a day before ``today`` (past, so no import finds it in the future)."""
    day = today - timedelta(days=1)
    return day - timedelta(days=(day.weekday() - 4) % 7)


@dataclass
class Kindergarten:
    """What the kindergarten fixture made: its year, its week (Monday..Friday) and folder for files."""

    db: object
    year: str
    friday: date
    folder: Path

    @property
    def monday(self) -> date:
        return self.friday - timedelta(days=4)

    def load(self, kind: str, rows: list[list], **options):
        """Import ``rows`` (the header first) as ``kind``."""
        return import_file(self.db, kind, write_csv(self.folder / f"{kind}.csv", rows), **options)


def _age(friday: date, years: int, days: int = 0) -> str:
    return (friday - timedelta(days=int(years * 365.25) + days)).isoformat()


@pytest.fixture
def kindergarten(db, tmp_path, sms_settings) -> Kindergarten:
    """School MN-HM (MN+TH): class La1 (khối 'Lá' = MGL) with An, Binh, Chi; Mam1 (MGB) with Dung; guardians."""
    friday = last_friday(local_today(sms_settings.sms.timezone))
    year = school_year_of(friday)
    k = Kindergarten(db, year, friday, tmp_path)
    y = int(year[:4])
    k.load("schools", [["ma_truong", "ten_truong", "cap"], ["MN-HM", "Trường Mầm non Hoa Mai", "MN+TH"]], approve=True)
    k.load("terms", [["ma_truong", "nam_hoc", "hoc_ky", "bat_dau", "ket_thuc"],
                     ["MN-HM", year, "1", f"{y}-08-01", f"{y + 1}-01-16"],
                     ["MN-HM", year, "2", f"{y + 1}-01-17", f"{y + 1}-07-31"]], approve=True)
    k.load("classes", [["ma_truong", "lop", "khoi", "nam_hoc", "gvcn"], ["MN-HM", "La1", "Lá", year, "Cô Hạnh"],
                       ["MN-HM", "Mam1", "mầm", year, "Cô Lan"]], approve=True)
    k.load("students", [["ma_hs", "ho_ten", "ngay_sinh", "gioi_tinh", "ma_truong", "lop", "nam_hoc"],
                        ["MN01", "Nguyễn Minh An", _age(friday, 5, 30), "nam", "MN-HM", "La1", year],
                        ["MN02", "Trần Thị Bình", _age(friday, 5, 60), "nữ", "MN-HM", "La1", year],
                        ["MN03", "Lê Bảo Chi", _age(friday, 5, 90), "Nữ", "MN-HM", "La1", year],
                        ["MN04", "Phạm Tiến Dũng", _age(friday, 3, 40), "Nam", "MN-HM", "Mam1", year]], approve=True)
    k.load("guardians", [["so_dien_thoai", "ho_ten", "email", "ma_hs", "quan_he", "nam_hoc"],
                         ["0911000001", "Nguyễn Văn Hùng", "", "MN01", "Bố", year],
                         ["0911000002", "Trần Thu Hà", "", "MN02", "Mẹ", year],
                         ["0911000003", "Lê Văn Cường", "", "MN03", "Bố", year],
                         ["0911000004", "Phạm Thu Hằng", "", "MN04", "Mẹ", year]], approve=True)
    return k
