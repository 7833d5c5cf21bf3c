"""Reading CSV and XLSX files into rows numbered as the spreadsheet shows them."""
from __future__ import annotations

import codecs
import csv
import hashlib
import logging
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from xml.etree.ElementTree import ParseError

from . import calamine_rows
from .errors import ImportFileError
from .limits import DEFAULT, Limits, mib

logger = logging.getLogger(__name__)

try:    # openpyxl parses with lxml when it is installed (python-docx, for the library, brings it in)
    from lxml.etree import LxmlError
    _LXML_ERRORS: tuple[type[Exception], ...] = (LxmlError,)
except ImportError:
    _LXML_ERRORS = ()

_DELIMITERS = (",", ";", "\t")
_RESAVE_CSV = "lưu lại dạng 'CSV UTF-8' hoặc .xlsx"


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


def _count_lines(path: Path) -> int:
    n = 0
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            n += chunk.count(b"\n")
    return n


def _not_utf8(path: Path, e: UnicodeDecodeError, lines_before: int) -> ImportFileError:
    line = lines_before + e.object[:e.start].count(b"\n") + 1
    return ImportFileError(path.name, f"không phải văn bản UTF-8 (dòng {line}): {_RESAVE_CSV}")


def _check_utf8(path: Path) -> None:
    """Refuse a non-UTF-8 file before any row is read (an incremental decoder: the file is never held whole)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    lines = 0
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as e:
                raise _not_utf8(path, UnicodeDecodeError(e.encoding, chunk, e.start, e.end, e.reason), lines) from e
            lines += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as e:
            raise ImportFileError(path.name, f"không phải văn bản UTF-8 (tệp dừng giữa một ký tự): {_RESAVE_CSV}") from e


def _unreadable(path: Path, what: str, e: Exception, after: int | None = None) -> ImportFileError:
    """A broken file in Vietnamese; the library's own words (English) go to the log, not to the school."""
    logger.info("import %s: unreadable %s file: %s", path.name, what, e)
    where = f" sau dòng {after}" if after is not None else ""
    return ImportFileError(path.name, f"không đọc được tệp {what}{where}: tệp hỏng hoặc không phải {what} "
                                      "(mở bằng Excel và lưu lại, hoặc xuất lại từ SMAS)")


def _csv_rows(path: Path, delimiter: str) -> Iterator[tuple[int, list]]:
    # utf-8-sig drops the BOM Excel's "CSV UTF-8" writes; the file is streamed, never read whole.
    with open(path, encoding="utf-8-sig", newline="") as f:
        # One record is one spreadsheet row, even with line breaks inside a cell.
        yield from enumerate(csv.reader(f, delimiter=delimiter), start=1)


def _csv_table(path: Path, limits: Limits) -> Table:
    size = path.stat().st_size
    if size > limits.max_csv_bytes:
        raise ImportFileError(path.name, f"tệp CSV {mib(size)} vượt giới hạn {mib(limits.max_csv_bytes)}: "
                                         "chia thành nhiều tệp nhỏ hơn")
    _check_utf8(path)
    with open(path, encoding="utf-8-sig", newline="") as f:
        delimiter = sniff_delimiter(f.read(16384))
    return Table(rows=_guarded(path, _csv_rows(path, delimiter), csv.Error, "CSV"), total=_count_lines(path) or None)


def _check_xlsx_sizes(path: Path, limits: Limits) -> int:
    """Refuse a workbook whose sheet or shared strings decompress past the caps (a zip bomb), before parsing;
    the sheets' decompressed size.

    zipfile never returns more than a member's declared size, so the declared sizes bound what is read.
    """
    import zipfile
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError) as e:
        raise _unreadable(path, ".xlsx", e) from e
    sheets = sum(i.file_size for i in infos if i.filename.startswith("xl/worksheets/"))
    strings = sum(i.file_size for i in infos if i.filename.lower().startswith("xl/sharedstrings"))
    if sheets > limits.max_sheet_bytes:
        raise ImportFileError(path.name, f"trang tính giải nén {mib(sheets)} vượt giới hạn "
                                         f"{mib(limits.max_sheet_bytes)}: chia thành nhiều tệp nhỏ hơn")
    if strings > limits.max_shared_strings_bytes:
        raise ImportFileError(path.name, f"bảng chuỗi (sharedStrings) giải nén {mib(strings)} vượt giới hạn "
                                         f"{mib(limits.max_shared_strings_bytes)}: tệp hỏng hoặc quá lớn")
    return sheets


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
        raise _unreadable(path, what, e, after=n) from e


@contextmanager
def _calamine_table(path: Path, what: str) -> Iterator[Table]:
    """The first sheet read by calamine (an .xls, or an .xlsx small enough to hold in memory)."""
    broken = calamine_rows.errors()
    try:
        sheet = calamine_rows.Sheet(path)
    except broken as e:
        raise _unreadable(path, what, e) from e
    try:
        yield Table(rows=_guarded(path, sheet.rows(), broken, what), total=sheet.total)
    finally:
        sheet.close()


@contextmanager
def _openpyxl_table(path: Path) -> Iterator[Table]:
    """The first sheet of an .xlsx streamed by openpyxl's read-only mode (memory flat in the rows)."""
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
        raise _unreadable(path, ".xlsx", e) from e
    try:
        yield Table(rows=_guarded(path, _xlsx_rows(ws), broken, ".xlsx"), total=total)
    finally:
        wb.close()


@contextmanager
def open_table(path: str | Path, limits: Limits = DEFAULT) -> Iterator[Table]:
    """The first sheet of an .xlsx (read whole by calamine up to calamine_rows.MAX_SHEET_BYTES of sheet XML,
    else streamed by openpyxl's read-only mode) or an old .xls (calamine), or a .csv (UTF-8, BOM or not; , ; tab)."""
    path = Path(path)
    if not path.is_file():
        raise ImportFileError(path.name, "không có tệp này")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        yield _csv_table(path, limits)
    elif suffix in (".xlsx", ".xlsm"):
        whole = _check_xlsx_sizes(path, limits) <= calamine_rows.MAX_SHEET_BYTES
        with (_calamine_table(path, ".xlsx") if whole else _openpyxl_table(path)) as table:
            yield table
    elif suffix == ".xls":
        size = path.stat().st_size          # BIFF is not compressed: the file is what is read
        if size > limits.max_sheet_bytes:
            raise ImportFileError(path.name, f"tệp .xls {mib(size)} vượt giới hạn {mib(limits.max_sheet_bytes)}: "
                                             "chia thành nhiều tệp nhỏ hơn")
        with _calamine_table(path, ".xls") as table:
            yield table
    else:
        raise ImportFileError(path.name, f"loại tệp {suffix or '(không có đuôi)'} không đọc được: dùng .csv, .xlsx hoặc .xls")
