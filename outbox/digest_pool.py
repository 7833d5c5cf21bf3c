"""Several schools' digests built at once, one process each (`digest.processes`).

A province host holds hundreds of schools and two or more cores; one build is one
process's CPU (composing in Python, reading SQLite), so the evening is shorter
when schools are built side by side. Each process opens its own connection: the
writes stay the builder's bounded transactions, queued on the one write lock
every process shares, so MO replies still get in between them.
"""
from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from typing import Iterator

from store.core.connection import open_settings_db

from . import digest


def _build_one(app_settings, school_id: int, day: date, dry_run: bool) -> digest.DigestResult:
    """One school's build in a pool process (its own connection, at the builder's lower priority)."""
    db = open_settings_db(app_settings)
    try:
        return digest.build(db, app_settings, school_id, day, dry_run=dry_run)
    finally:
        db.close()


def _start_worker() -> None:
    digest.lower_priority()


def build_schools(db, app_settings, schools: list[tuple[int, str]], day: date, *, dry_run: bool = False,
                  processes: int | None = None) -> Iterator[tuple[int, str, digest.DigestResult]]:
    """(school id, code, result) of every school in ``schools``, in their order, built
    ``processes`` at a time (default ``digest.processes``); one school, or one process,
    builds here on ``db``."""
    processes = min(processes or app_settings.digest.processes, len(schools))
    if processes <= 1:
        for school_id, code in schools:
            yield school_id, code, digest.build(db, app_settings, school_id, day, dry_run=dry_run)
        return
    # spawn, not fork: a forked child would inherit this process's write-lock descriptors (one flock
    # shared by both) and its open SQLite connection; a spawned one starts clean and gets the settings.
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_start_worker) as pool:
        futures = [(sid, code, pool.submit(_build_one, app_settings, sid, day, dry_run)) for sid, code in schools]
        for school_id, code, future in futures:
            yield school_id, code, future.result()
