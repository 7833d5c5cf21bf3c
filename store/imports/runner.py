"""The all-or-nothing runner: one file, every bad row reported, bounded write transactions.

Two passes over the streamed file. The first checks every row and counts
what would change, writing in short transactions that are rolled back
(CHUNK_ROWS rows each, with a pause after each so MO replies and the web get
the write lock in between): that pass *is* the dry run, and a file with a
bad row stops there with nothing written. The second pass writes for real in
the same bounded transactions, with the undo log (store.imports.undo)
recording every change, so a failure half-way (a full disk, a row that
turned bad, a killed process) is put back and the file stays all-or-nothing.
Caps (store.imports.limits) bound rows, decompressed size and listed errors.
"""
from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import Callable

import sqlite_utils

from store.core.clock import now_iso
from store.core.connection import transaction

from . import registry, undo
from .base import Context, ImportHandler, Outcome, Row
from .errors import ImportFileError, ImportRowsError, RowError, RowNote, RowRejected
from .headers import MAX_TX, SEARCH_ROWS
from .labels import label
from .limits import DEFAULT, Limits
from .readers import open_table, sha256_of

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 500
CHUNK_ROWS = 200        # rows per write transaction
MAX_HOLD_S = 0.05       # a transaction ends sooner when it has held the write lock this long
PAUSE_RATIO = 0.5       # after each, pause this share of the time it held the lock: waiting writers of every
                        # process get in meanwhile (store.core.connection's writer queue wakes them at once)

Progress = Callable[[int, int | None], None]


CHANGES_SHOWN = 200


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
    errors: list[RowError] = field(default_factory=list)      # the first ``max_errors_listed``
    error_count: int = 0                                         # every bad row
    batch_id: int | None = None
    summary: list[str] = field(default_factory=list)    # what a kind says of the whole file (a diff)
    # the first CHANGES_SHOWN rows that add or change something: (row, 'inserted'|'updated', the row's cells)
    changes: list[tuple[int, str, str]] = field(default_factory=list)
    max_errors_listed: int = DEFAULT.max_errors_listed

    def add_error(self, error: RowError) -> None:
        """Count a bad row; list it while fewer than the cap are listed."""
        self.error_count += 1
        if len(self.errors) < self.max_errors_listed:
            self.errors.append(error)

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
    """Raised at the end of a dry run's transaction to leave it through its rollback."""


class _Chunks:
    """Bounded write transactions: end one every CHUNK_ROWS rows or MAX_HOLD_S, pause, begin the next."""

    def __init__(self, db: sqlite_utils.Database, *, commit: bool):
        self.db, self.commit = db, commit
        self.tx: transaction | None = None
        self.rows, self.began = 0, 0.0

    def __enter__(self) -> "_Chunks":
        self._begin()
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        self._end(ok=exc_type is None)
        return False

    def stop(self) -> None:
        """No more writes (a row was refused): end the transaction and begin no other."""
        self._end(ok=True)

    def tick(self) -> None:
        """One more row done: end the transaction when it is long enough and let the others write."""
        self.rows += 1
        held = time.monotonic() - self.began
        if self.tx is not None and (self.rows >= CHUNK_ROWS or held >= MAX_HOLD_S):
            self._end(ok=True)
            time.sleep(max(0.002, held * PAUSE_RATIO))
            self._begin()

    def _begin(self) -> None:
        self.tx = transaction(self.db)
        self.tx.__enter__()
        self.rows, self.began = 0, time.monotonic()

    def _end(self, *, ok: bool) -> None:
        tx, self.tx = self.tx, None
        if tx is not None:
            failed = not (ok and self.commit)
            tx.__exit__(_DryRunDone if failed else None, None, None)


def _columns(kind: ImportHandler) -> tuple[str, ...]:
    extra = tuple(f"tx{i}" for i in range(1, MAX_TX + 1)) if kind.wide else ()
    return kind.optional + extra


@dataclass(frozen=True)
class _Job:
    """What both passes over one file share."""

    kind: str
    path: Path
    approve: bool
    replace: bool
    school_code: str | None
    progress: Progress | None
    limits: Limits
    tz: str | None = None


def import_file(db: sqlite_utils.Database, kind: str, path: str | Path, *, dry_run: bool = False,
                approve: bool = False, replace: bool = False, school_code: str | None = None,
                imported_by: str = "cli", progress: Progress | None = None,
                limits: Limits = DEFAULT, tz: str | None = None) -> ImportReport:
    """Import one CSV/XLSX file of ``kind``: all of it, or nothing (ImportRowsError lists the bad rows).

    ``tz``: the schools' time zone, so a date after the school's today is refused (without it: UTC+14's)."""
    registry.require(kind, Path(path).name)
    job = _Job(kind, Path(path), approve, replace, school_code.upper() if school_code else None, progress, limits,
               tz)
    report = _pass(db, job, dry_run=True)
    if report.errors:
        raise ImportRowsError(report)
    if not dry_run:
        report = _write(db, job, imported_by)
    logger.info("import %s %s: %s rows, %s%s", kind, job.path.name, report.rows, dict(report.counts),
                " (dry run)" if dry_run else "")
    return report


def _write(db: sqlite_utils.Database, job: _Job, imported_by: str) -> ImportReport:
    """The second pass: write for real, undoing every change if anything fails before the end."""
    with undo.exclusive(db, job.path.name):
        run_id = undo.start(db, job.kind, job.path.name)
        try:
            report = _pass(db, job, dry_run=False, imported_by=imported_by)
        except BaseException:
            undo.undo(db, run_id)
            raise
        undo.finish(db, run_id)
    return report


def _pass(db: sqlite_utils.Database, job: _Job, *, dry_run: bool, imported_by: str = "cli") -> ImportReport:
    """One pass over the file in bounded transactions, rolled back (dry run) or committed."""
    kind = registry.require(job.kind, job.path.name)
    handler = kind.handler
    report = ImportReport(job.kind, job.path.name, dry_run=dry_run, max_errors_listed=job.limits.max_errors_listed)
    with open_table(job.path, job.limits) as table:
        head = list(islice(table.rows, SEARCH_ROWS))
        header = handler.locate(job.path.name, head, _columns(handler), registry.vocabulary(kind))
        report.header_row = header.row
        data = chain((r for r in head if r[0] > header.row), table.rows)
        total = table.total - header.row if table.total else None
        ctx = Context(db.conn, job.path.name, now_iso(), approve=job.approve, replace=job.replace,
                      school_code=job.school_code, notes=report.notes, tz=job.tz)
        ctx.state["title"] = header.title
        with _Chunks(db, commit=not dry_run) as chunks:
            _run(handler, ctx, header.columns, data, report, total, job, chunks)
            if report.errors:
                if not dry_run:
                    raise ImportRowsError(report)     # the database changed since the check: undone above
                return report
            report.counts.update(handler.finish(ctx))
            report.summary = list(ctx.state.get("summary", ()))
            if not dry_run:
                report.batch_id = _record(db, report, job.path, imported_by, job.approve)
    return report


def _blank(value) -> bool:
    return value is None or str(value).strip() == ""


def _run(handler: ImportHandler, ctx: Context, columns: dict[int, str], data, report: ImportReport,
         total: int | None, job: _Job, chunks: _Chunks) -> None:
    # Keys seen, as hashes: a 1.3M-row file keeps ints, not 1.3M tuples of strings.
    first_seen: dict[int, int] = {}
    progress = job.progress
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
        if report.error_count:
            chunks.stop()
        if report.rows > job.limits.max_rows:
            raise ImportFileError(ctx.file_name, f"quá {job.limits.max_rows} dòng dữ liệu: chia thành nhiều tệp")
        try:
            ops = handler.check(ctx, Row(number, values))
        except RowRejected as e:
            report.add_error(RowError(number, e.reason))
            continue
        keys = {hash(handler.duplicate_key(op)) for op in ops}
        duplicate = next((first_seen[k] for k in keys if k in first_seen), None)
        if duplicate is not None:
            report.add_error(RowError(number, f"trùng với dòng {duplicate} (giữ một dòng)"))
            continue
        first_seen.update((k, number) for k in keys)
        if report.error_count:
            continue            # nothing more is written once a row was refused
        for op in ops:
            outcome = handler.apply(ctx, op)
            report.counts[outcome.value] += 1
            if outcome in (Outcome.INSERTED, Outcome.UPDATED) and len(report.changes) < CHANGES_SHOWN:
                cells = " · ".join(f"{k}: {v}" for k, v in values.items() if v not in (None, ""))
                report.changes.append((number, outcome.value, cells))
        chunks.tick()
    if footer:
        report.notes.append(RowNote(footer[0], f"dòng {footer[0]}-{footer[-1]} sau dữ liệu không có {label(key)}: "
                                               "bỏ qua như phần chân trang (chữ ký)"))
    if progress:
        progress(done, total)


def _record(db: sqlite_utils.Database, report: ImportReport, path: Path, imported_by: str, approve: bool) -> int:
    cur = db.conn.execute(
        "INSERT INTO import_batches (kind, file_name, file_sha256, imported_by, approved, inserted, updated, "
        "unchanged, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (report.kind, report.file_name, sha256_of(path), imported_by, int(approve), report.inserted,
         report.updated, report.unchanged, now_iso()))
    return cur.lastrowid
