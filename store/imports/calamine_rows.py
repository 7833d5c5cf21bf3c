"""Rows of a workbook read by python-calamine (Rust): the old `.xls` SMAS still exports, and `.xlsx`
sheets small enough to hold in memory, with cell values as openpyxl gives them.

calamine reads a whole sheet at once, 13-15 times less CPU than openpyxl's
streamed read-only mode, but holds it in memory, about twice the sheet's XML:
129 MiB for a 100k-row `bangdiem` (63 MB of XML), 470 MiB at 400k rows, where
openpyxl stays at 41-67 MiB (`bench/bench_xlsx_read.py`). `readers` picks it
for an `.xlsx` whose sheet XML is at most ``MAX_SHEET_BYTES`` (a school's
export; ~130 MiB at most, twice that for a sheet of short shared strings) and
streams larger ones with openpyxl, so no file costs more than a few hundred
MB. An `.xls` (BIFF8) sheet has at most 65,536 rows: always calamine.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Iterator

from .limits import MiB

MAX_SHEET_BYTES = 64 * MiB      # decompressed sheet XML up to which an .xlsx is read whole


def _plain(value):
    """A cell as openpyxl gives it: empty -> None, a whole number -> int, a date -> datetime at midnight."""
    if value == "":
        return None
    kind = type(value)
    if kind is float and value.is_integer():
        return int(value)
    if kind is date:
        return datetime(value.year, value.month, value.day)
    return value


class Sheet:
    """The first sheet of a workbook: ``total`` rows, ``rows()`` numbered from 1 as the spreadsheet shows."""

    def __init__(self, path: Path):
        from python_calamine import CalamineWorkbook
        self._book = CalamineWorkbook.from_path(str(path))
        self._sheet = self._book.get_sheet_by_index(0)
        end = self._sheet.end          # (row, column) of the last used cell, counted from 0
        self.total = end[0] + 1 if end else 0

    def rows(self) -> Iterator[tuple[int, list]]:
        # calamine yields rows from row 1 but cells only from the first used column: the columns left
        # of it come back as empty cells, so a header in column C stays in column C.
        pad = [None] * (self._sheet.start[1] if self._sheet.start else 0)
        for n, row in enumerate(self._sheet.iter_rows(), start=1):
            yield n, pad + [_plain(v) for v in row]

    def close(self) -> None:
        self._book.close()


def errors() -> tuple[type[Exception], ...]:
    """What calamine raises on a broken workbook."""
    import python_calamine as pc
    return (pc.CalamineError, pc.XmlError, pc.ZipError, pc.PasswordError, pc.WorksheetNotFound, ValueError,
            TypeError, OSError)
