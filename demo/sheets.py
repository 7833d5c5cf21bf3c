"""The demo's output files as SMAS writes them: title rows, header rows, then the data rows."""
from __future__ import annotations

import csv
from pathlib import Path


class Sheet:
    """One output file: SMAS-like title rows, the header rows, then data rows (streamed)."""

    def __init__(self, path: Path, fmt: str, title: str, headers: list[list[str]]):
        self.path, self.fmt = path, fmt
        titles = [["SỞ GIÁO DỤC VÀ ĐÀO TẠO HÀ NỘI"], [title], []]
        if fmt == "xlsx":
            import openpyxl
            self._wb = openpyxl.Workbook(write_only=True)
            self._ws = self._wb.create_sheet("Sheet1")
            write = self._ws.append
        else:
            self._f = open(path, "w", encoding="utf-8-sig", newline="")
            # ';' like Excel with Vietnamese regional settings, where ',' is the decimal mark.
            self._w = csv.writer(self._f, delimiter=";")
            write = self._w.writerow
        for row in titles + headers:
            write(row)
        self.write = write

    def close(self) -> None:
        if self.fmt == "xlsx":
            self._wb.save(self.path)
        else:
            self._f.close()
