"""The all-or-nothing runner: one file, one transaction, every bad row reported.

Rows are validated and written in one pass inside BEGIN IMMEDIATE, so the
file streams (100k rows without holding them) and validation sees the same
database the writes go to. After the first bad row nothing more is written,
the remaining rows are still checked so every error is reported, and the
transaction is rolled back. A dry run does all of it and rolls back too, so
its counts are exactly what the import would do.
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import Callable

import sqlite_utils

from store.clock import now_iso
from store.connection import transaction

from .base import Context, Kind, Outcome, Row
from .daily import Attendance, Comments, Events
from .errors import ImportFileError, ImportRowsError, RowError, RowNote, RowRejected
from .headers import MAX_TX, SEARCH_ROWS
from .marks import Conduct, GradeBook, Grades
from .people import Guardians, Students
from .preschool import PRESCHOOL_KINDS
from .primary import PRIMARY_KINDS
from .readers import open_table, sha256_of
from .school import Classes, Schools, Subjects, Terms

logger = logging.getLogger(__name__)

# Every kind, in the order a new school is loaded (each refers to the ones before).
KINDS: dict[str, Kind] = {k.name: k for k in (
    Schools(), Terms(), Classes(), Subjects(), Students(), Guardians(),
    Grades(), GradeBook(), Conduct(), Attendance(), Comments(), Events(), *PRIMARY_KINDS, *PRESCHOOL_KINDS)}
PROGRESS_EVERY = 500

Progress = Callable[[int, int | None], None]


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do)."""

    kind: str
    file_name: str
    dry_run: bool = False
    header_row: int | None = None
    rows: int = 0
    counts: Counter = field(default_factory=Counter)
    notes: list[RowNote] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    batch_id: int | None = None

    @property
    def inserted(self) -> int:
        return self.counts[Outcome.INSERTED.value]

    @property
    def updated(self) -> int:
        return self.counts[Outcome.UPDATED.value]

    @property
    def unchanged(self) -> int:
        return self.counts[Outcome.UNCHANGED.value]


class _DryRunDone(Exception):
    """Raised at the end of a dry run to leave the transaction through its rollback."""


def _columns(kind: Kind) -> tuple[str, ...]:
    extra = tuple(f"tx{i}" for i in range(1, MAX_TX + 1)) if kind.wide else ()
    return kind.optional + extra


def import_file(db: sqlite_utils.Database, kind: str, path: str | Path, *, dry_run: bool = False,
                approve: bool = False, replace: bool = False, school_code: str | None = None,
                imported_by: str = "cli", progress: Progress | None = None) -> ImportReport:
    """Import one CSV/XLSX file of ``kind``: all of it, or nothing (ImportRowsError lists the bad rows)."""
    if kind not in KINDS:
        raise ImportFileError(Path(path).name, f"unknown kind {kind!r} (one of {', '.join(KINDS)})")
    handler = KINDS[kind]
    path = Path(path)
    report = ImportReport(kind, path.name, dry_run=dry_run)
    with open_table(path) as table:
        head = list(islice(table.rows, SEARCH_ROWS))
        header = handler.locate(path.name, head, _columns(handler))
        report.header_row = header.row
        data = chain((r for r in head if r[0] > header.row), table.rows)
        total = table.total - header.row if table.total else None
        ctx = Context(db.conn, path.name, now_iso(), approve=approve, replace=replace,
                      school_code=school_code.upper() if school_code else None, notes=report.notes)
        ctx.state["title"] = header.title
        try:
            with transaction(db):
                _run(handler, ctx, header.columns, data, report, total, progress)
                if report.errors:
                    raise ImportRowsError(report)
                report.counts.update(handler.finish(ctx))
                if dry_run:
                    raise _DryRunDone
                report.batch_id = _record(db, report, path, imported_by, approve)
        except _DryRunDone:
            pass
    logger.info("import %s %s: %s rows, %s%s", kind, path.name, report.rows, dict(report.counts),
                " (dry run)" if dry_run else "")
    return report


def _blank(value) -> bool:
    return value is None or str(value).strip() == ""


def _run(handler: Kind, ctx: Context, columns: dict[int, str], data, report: ImportReport,
         total: int | None, progress: Progress | None) -> None:
    first_seen: dict[tuple, int] = {}
    done = 0
    key = handler.required[0]
    gap_after_data = False      # a blank row came after data rows: what follows may be the footer
    footer: list[int] = []
    for number, cells in data:
        done += 1
        if progress and done % PROGRESS_EVERY == 0:
            progress(done, total)
        values = {name: cells[i] for i, name in columns.items() if i < len(cells)}
        if all(_blank(c) for c in values.values()):
            gap_after_data = gap_after_data or report.rows > 0
            continue
        if gap_after_data and _blank(values.get(key)):
            # SMAS/vnEdu exports end with a place and date and the signatures ("Người lập biểu",
            # "Hiệu trưởng") below a blank line: without a key they are no data, and are said so.
            footer.append(number)
            continue
        report.rows += 1
        try:
            ops = handler.check(ctx, Row(number, values))
        except RowRejected as e:
            report.errors.append(RowError(number, e.reason))
            continue
        duplicate = next((first_seen[op.key] for op in ops if op.key in first_seen), None)
        if duplicate is not None:
            report.errors.append(RowError(number, f"duplicate of row {duplicate}"))
            continue
        for op in ops:
            first_seen[op.key] = number
        if report.errors:
            continue            # nothing more is written once a row was refused
        for op in ops:
            report.counts[handler.apply(ctx, op).value] += 1
    if footer:
        report.notes.append(RowNote(footer[0], f"rows {footer[0]}-{footer[-1]} after the data have no {key}: "
                                               "skipped as the sheet's footer (signatures)"))
    if progress:
        progress(done, total)


def _record(db: sqlite_utils.Database, report: ImportReport, path: Path, imported_by: str, approve: bool) -> int:
    cur = db.conn.execute(
        "INSERT INTO import_batches (kind, file_name, file_sha256, imported_by, approved, inserted, updated, "
        "unchanged, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (report.kind, report.file_name, sha256_of(path), imported_by, int(approve), report.inserted,
         report.updated, report.unchanged, now_iso()))
    return cur.lastrowid
