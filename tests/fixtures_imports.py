"""Fixtures of the import area, and the demo school other suites build on.

``school_db`` / ``school_db_path``: a fresh copy, per test, of a database
built ONCE per session by generating the demo school small (2 classes per
grade x 10 students per school, plus the SHOWCASE families of
demo.school) and importing every file with --approve through the real
import path. The copy is ``tmp_path / "sll.db"``, the file the ``cli``
fixture's config points at, so `cli("ask", ...)` sees the same data. The
school year is the current one (store.core.clock.school_year_of(today)).

``hand_school``: the small hand-written school of tests/data/imports/good
(year 2025-2026) imported into the ``db`` fixture, for exact row tests.
"""
from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest

from demo import school as demo_school
from store.core import migrate
from store.core.connection import connect
from store.imports import import_file

DATA = Path(__file__).resolve().parent / "data" / "imports"
GOOD, BAD = DATA / "good", DATA / "bad"
# The order the hand-written good files load in (each refers to the ones before).
HAND_ORDER = ("schools", "terms", "classes", "subjects", "students", "guardians")
TABLES = ("schools", "terms", "classes", "subjects", "students", "enrollments", "guardians", "guardian_links",
          "grades", "conduct", "attendance", "comments", "events", "import_batches")


def dump(db) -> dict[str, list[tuple]]:
    """Every row of the tables imports touch, to show a refused file changed nothing."""
    return {t: db.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in TABLES}


def csv_rows(path: Path) -> list[list[str]]:
    """The cells of a CSV test file (its delimiter sniffed like the importer does)."""
    from store.imports.readers import sniff_delimiter
    text = path.read_text(encoding="utf-8-sig")
    return list(csv.reader(text.splitlines(), delimiter=sniff_delimiter(text)))


def write_xlsx(path: Path, rows: list[list], merge: list[str] = ()) -> Path:
    """An .xlsx with ``rows`` as typed (numbers stay numbers, dates stay dates); ``merge`` e.g. 'E3:H3'."""
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    for cells in merge:
        ws.merge_cells(cells)
    wb.save(path)
    return path


def write_xls(path: Path, rows: list[list]) -> Path:
    """An old-format .xls (BIFF8, as SMAS still exports) with ``rows`` as typed: numbers are stored as
    floats, dates as numbers with a date format, as Excel 97-2003 does."""
    import datetime

    import xlwt
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    as_date = xlwt.easyxf(num_format_str="dd/mm/yyyy")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, datetime.date):
                sheet.write(r, c, value, as_date)
            elif value is not None and value != "":
                sheet.write(r, c, value)
    book.save(str(path))
    return path


@pytest.fixture(scope="session")
def school_db_template(tmp_path_factory) -> Path:
    """The demo school database, generated and imported once per session (do not write to it)."""
    folder = tmp_path_factory.mktemp("school_db")
    path = folder / "template.db"
    db = connect(path)
    migrate.init(db, path)
    for kind, file in demo_school.generate(folder / "files", seed=7, classes_per_grade=2, students_per_class=10):
        import_file(db, kind, file, approve=True, imported_by="cli")
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


@pytest.fixture
def school_db_path(tmp_path, school_db_template) -> Path:
    """A private copy (SQLite backup API) of the demo school database at tmp_path/sll.db."""
    dest = tmp_path / "sll.db"
    src, dst = sqlite3.connect(school_db_template), sqlite3.connect(dest)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return dest


@pytest.fixture
def school_db(school_db_path):
    """The demo school (sqlite_utils Database) for one test: SHOWCASE families, HK1 data, all approved."""
    database = connect(school_db_path)
    yield database
    database.close()


@pytest.fixture
def hand_school(db):
    """The ``db`` fixture with the hand-written school of tests/data/imports/good loaded (pending)."""
    for kind in HAND_ORDER:
        import_file(db, kind, GOOD / f"{kind}.csv")
    return db


@pytest.fixture(scope="session")
def primary_db_template(tmp_path_factory) -> Path:
    """The demo primary school (demo.primary, HK I complete) imported once per session (do not write to it)."""
    from demo import primary as primary_demo
    folder = tmp_path_factory.mktemp("primary_db")
    path = folder / "template.db"
    db = connect(path)
    migrate.init(db, path)
    for kind, file in primary_demo.generate(folder / "files", seed=5, classes_per_grade=1, students_per_class=4):
        import_file(db, kind, file, approve=True, imported_by="cli")
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


@pytest.fixture
def primary_db(tmp_path, primary_db_template):
    """A private copy of the demo primary school at tmp_path/sll.db (the file the ``cli`` fixture uses)."""
    dest = tmp_path / "sll.db"
    src, dst = sqlite3.connect(primary_db_template), sqlite3.connect(dest)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    database = connect(dest)
    yield database
    database.close()
