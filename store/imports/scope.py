"""Which schools a file would touch: a school's admin may import only their own school's rows.

    foreign = rows_outside(db, "grades", path, "THCS-DD")   # [] when every row is THCS-DD's

A row belongs to the school in its ``ma_truong`` column (schools, terms,
classes, subjects, students, events) and, when it names a student
(``ma_hs``), to that student's school as the database knows it. A students
row is checked both ways: it may not move another school's student to this
one. Rows naming an unknown school or student are left to the import, which
refuses them with its own reason; so are rows without the column.
"""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import chain, islice
from pathlib import Path

import sqlite_utils

from . import registry
from . import values as v
from .errors import RowRejected
from .headers import SEARCH_ROWS
from .limits import DEFAULT
from .readers import open_table
from .school import school_code


@dataclass(frozen=True)
class ForeignRow:
    """One row of another school: its spreadsheet row number, that school's code and why."""

    row: int
    school: str
    reason: str

    def __str__(self) -> str:
        return f"dòng {self.row}: {self.reason}"


def rows_outside(db: sqlite_utils.Database, kind: str, path: str | Path, school: str) -> list[ForeignRow]:
    """Every row of ``path`` (a ``kind`` file) that would touch a school other than ``school`` (a ma_truong).

    Raises ImportFileError as the import does for an unreadable file or missing columns.
    """
    path = Path(path)
    found_kind = registry.require(kind, path.name)
    handler = found_kind.handler
    school = school.upper()
    found: list[ForeignRow] = []
    student_school: dict[str, str | None] = {}
    with open_table(path) as table:
        head = list(islice(table.rows, SEARCH_ROWS))
        header = handler.locate(path.name, head, handler.optional, registry.vocabulary(found_kind))
        wanted = {i: name for i, name in header.columns.items() if name in ("ma_truong", "ma_hs")}
        for number, cells in chain((r for r in head if r[0] > header.row), table.rows):
            values = {name: cells[i] for i, name in wanted.items() if i < len(cells)}
            reason = _outside(db, values, school, student_school)
            if reason:
                found.append(ForeignRow(number, *reason))
                if len(found) >= DEFAULT.max_errors_listed:
                    break           # enough to say the file is not this school's; the page lists these
    return found


def _outside(db, values: dict, school: str, student_school: dict[str, str | None]) -> tuple[str, str] | None:
    """(the other school, why) when the row's cells point outside ``school``."""
    if "ma_truong" in values:
        try:
            code = school_code(values["ma_truong"])
        except RowRejected:
            code = ""
        if code and code != school:
            return code, f"mã trường {code} không phải {school}"
    student = v.text(values.get("ma_hs"))
    if student:
        if student not in student_school:
            row = db.execute("SELECT sc.code FROM students s JOIN schools sc ON sc.id = s.school_id "
                             "WHERE s.code = ?", [student]).fetchone()
            student_school[student] = row[0] if row else None
        other = student_school[student]
        if other and other != school:
            return other, f"học sinh {student} thuộc trường {other}, không phải {school}"
    return None


def keep_own(path: str | Path, foreign: list[ForeignRow], dest: str | Path) -> Path:
    """A CSV copy of ``path`` without the ``foreign`` rows (the header row and every other row kept as typed).

    For an admin who ticks "only my school's rows" on a file that mixes
    schools: the import then runs on this copy.
    """
    skip = {f.row for f in foreign}
    dest = Path(dest)
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)     # children's data, like the upload
    with open_table(Path(path)) as table, os.fdopen(fd, "w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        for number, cells in table.rows:
            if number not in skip:
                writer.writerow([_cell(c) for c in cells])
    return dest


def _cell(value) -> str:
    """A cell as CSV text: dates as YYYY-MM-DD (XLSX gives datetimes), nothing as ''."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
