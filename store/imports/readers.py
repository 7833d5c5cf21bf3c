"""Reading CSV and XLSX files into rows numbered as the spreadsheet shows them."""
from __future__ import annotations

import csv
import hashlib
import io
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from xml.etree.ElementTree import ParseError

from .errors import ImportFileError

try:    # openpyxl parses with lxml when it is installed (python-docx, for the library, brings it in)
    from lxml.etree import LxmlError
    _LXML_ERRORS: tuple[type[Exception], ...] = (LxmlError,)
except ImportError:
    _LXML_ERRORS = ()

_DELIMITERS = (",", ";", "\t")


@dataclass
class Table:
    """The rows of a file: ``rows`` yields (row number, cells); ``total`` is the row count if known."""

    rows: Iterator[tuple[int, list]]
    total: int | None


def sha256_of(path: Path) -> str:
    """The file's SHA-256, recorded in import_batches."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def sniff_delimiter(sample: str) -> str:
    """The delimiter of the line that has the most of one: the header beats the title rows."""
    best, best_count = ",", 0
    for line in sample.splitlines()[:40]:
        for d in _DELIMITERS:
            n = line.count(d)
            if n > best_count:
                best, best_count = d, n
    return best


def _csv_table(path: Path) -> Table:
    raw = path.read_bytes()
    try:
        # utf-8-sig drops the BOM Excel's "CSV UTF-8" writes.
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        raise ImportFileError(path.name, f"not UTF-8 text (line {line}); save it as 'CSV UTF-8' or as .xlsx") from e
    delimiter = sniff_delimiter(content[:16384])
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    # One record is one spreadsheet row, even with line breaks inside a cell.
    return Table(rows=_guarded(path, ((n, row) for n, row in enumerate(reader, start=1)), csv.Error, "CSV"),
                 total=content.count("\n") or None)


def _xlsx_rows(ws) -> Iterator[tuple[int, list]]:
    for n, row in enumerate(ws.iter_rows(values_only=True), start=1):
        yield n, list(row)


def _guarded(path: Path, rows: Iterator[tuple[int, list]], errors, what: str) -> Iterator[tuple[int, list]]:
    """``rows``, with a broken file (a 100k-character cell, a truncated sheet) reported as the file's error."""
    n = 0
    try:
        for n, row in rows:
            yield n, row
    except errors as e:
        raise ImportFileError(path.name, f"not a readable {what} file after row {n} ({e})") from e


@contextmanager
def open_table(path: str | Path) -> Iterator[Table]:
    """The first sheet of an .xlsx, or a .csv (UTF-8 with or without BOM; , ; or tab)."""
    path = Path(path)
    if not path.is_file():
        raise ImportFileError(path.name, "no such file")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        yield _csv_table(path)
    elif suffix in (".xlsx", ".xlsm"):
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException
        import zipfile
        broken = (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ParseError, ValueError, TypeError,
                  IndexError, *_LXML_ERRORS)
        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            ws = wb.worksheets[0]
            total = ws.max_row
        except broken as e:
            raise ImportFileError(path.name, f"not a readable .xlsx file ({e})") from e
        try:
            yield Table(rows=_guarded(path, _xlsx_rows(ws), broken, ".xlsx"), total=total)
        finally:
            wb.close()
    elif suffix == ".xls":
        raise ImportFileError(path.name, "old .xls format: save it as .xlsx (Excel Workbook) or CSV UTF-8")
    else:
        raise ImportFileError(path.name, f"unknown file type {suffix or '(none)'}: use .csv or .xlsx")
