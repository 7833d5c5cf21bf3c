"""The evening's digests built in several processes at once (`digest.processes`), a slice of guardians at a time.

A province host holds hundreds of schools and two or more cores; one build is one
process's CPU (composing in Python, reading SQLite). Schools differ in size (one
may hold more than half of the guardians), so the work is cut finer than a
school: this process opens each school's run (its cutoffs fixed once), cuts its
recipients in ranges of guardian ids (`digest.cut`: a guardian and all their
children of the school in one range), and builds ranges itself while
``processes - 1`` spawned processes build the others, each kept two ranges
ahead. Each process keeps what a run reads once (`digest.Builder`) for the next
range of the same run; the writes stay the builder's bounded transactions, queued
on the one write lock every process shares, so MO replies still get in between
them. A school's run is marked built here once all its ranges are queued: a
crash before leaves it `building`, and the next build queues only the guardians
still without theirs.
"""
from __future__ import annotations

import multiprocessing
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from datetime import date
from typing import Iterator

from store.core.clock import school_year_of, utcnow
from store.core.connection import open_settings_db

from . import digest
from .digest_states import DigestRunState

SLICE = 2 * digest.BATCH     # guardians a task: small enough for the processes to share a school evenly
AHEAD = 2                    # tasks queued to each spawned process, so it never waits for this one
_BUILDERS: dict[digest.Run, digest.Builder] = {}     # this process's builder of each run it met
_KEPT = 4


def _build_one(app_settings, school_id: int, day: date, dry_run: bool, db=None) -> digest.DigestResult:
    """One school's whole build (a school with an interrupted earlier run: in date order)."""
    own = db is None
    db = open_settings_db(app_settings) if own else db
    try:
        return digest.build(db, app_settings, school_id, day, dry_run=dry_run)
    finally:
        if own:
            db.close()


def build_slice(app_settings, run: digest.Run, after: int, upto: int | None, guardians: list[int] | None = None,
                db=None) -> digest.Tally:
    """The digests of ``run``'s guardians with ids in (after, upto] (on ``db``, or a connection of its own);
    ``guardians``: their ids, read already."""
    own = db is None
    db = open_settings_db(app_settings) if own else db
    try:
        builder = _BUILDERS.get(run)
        if builder is None:
            if len(_BUILDERS) >= _KEPT:
                _BUILDERS.clear()
            builder = _BUILDERS[run] = digest.Builder(db, app_settings, run)
        return builder.slice(db, after, upto, guardians)
    finally:
        if own:
            db.close()


def _start_worker() -> None:
    digest.lower_priority()


class _School:
    """One school's share of the evening: its result known already (built before, or its error), or the
    tasks that build it: the whole school (an earlier run to finish first) or its run's slices."""

    def __init__(self, db, school_id: int, day: date, dry_run: bool, guardians: list[int]):
        self.result, self.error, self.run, self.tasks, self.done = None, None, None, [], []
        try:
            if digest.interrupted_days(db, school_id, day):
                self.tasks = [(_build_one, school_id, day, dry_run)]
                return
            self.run = digest.open_run(db, school_id, day, utcnow(), dry_run=dry_run)
            if self.run.state == DigestRunState.BUILT:
                self.result = digest.already_built(self.run)
                return
            self.tasks = [(build_slice, self.run, a, b, digest.within(guardians, a, b))
                          for a, b in digest.cut(guardians, SLICE)]
        except Exception as e:          # raised at the school's turn, as a build in place would
            self.error = e

    def finished(self) -> bool:
        return self.error is not None or self.result is not None or len(self.done) == len(self.tasks)

    def record(self, outcome=None, error: BaseException | None = None) -> None:
        if error is not None:
            self.error = self.error or error
        else:
            self.done.append(outcome)

    def outcome(self, db, app_settings) -> digest.DigestResult:
        if self.error is not None:
            raise self.error
        if self.result is None:
            if self.run is None:        # the whole school, built by _build_one
                self.result = self.done[0]
            else:
                tally = digest.Tally()
                for part in self.done:
                    tally = tally + part
                self.result = digest.finish(db, app_settings, self.run, tally)
        return self.result


def _in_place(db, app_settings, school: _School) -> None:
    fn, *args = school.tasks[len(school.done)]
    school.record(fn(app_settings, *args, db=db))


def build_schools(db, app_settings, schools: list[tuple[int, str]], day: date, *, dry_run: bool = False,
                  processes: int | None = None) -> Iterator[tuple[int, str, digest.DigestResult]]:
    """(school id, code, result) of every school in ``schools``, in their order, built by ``processes``
    processes (default ``digest.processes``: this one and processes - 1 spawned) sharing the schools'
    slices; with one process, or one slice of work, every school builds here on ``db``, one after the other."""
    processes = processes or app_settings.digest.processes
    # Every school's recipients in one pass over the links: each slice then reads only its own guardians' rows.
    recipients = digest.recipients_of(db, [sid for sid, _ in schools], school_year_of(day))
    if processes <= 1:
        for school_id, code in schools:
            yield school_id, code, digest.build(db, app_settings, school_id, day, dry_run=dry_run,
                                                guardians=recipients[school_id])
        return
    planned = [(sid, code, _School(db, sid, day, dry_run, recipients[sid])) for sid, code in schools]
    queue = deque((school, task) for *_, school in planned for task in school.tasks)
    if len(queue) <= 1:
        for school_id, code, school in planned:
            if not school.finished():
                _in_place(db, app_settings, school)
            yield school_id, code, school.outcome(db, app_settings)
        return
    # spawn, not fork: a forked child would inherit this process's write-lock descriptors (one flock
    # shared by both) and its open SQLite connection; a spawned one starts clean and gets the settings.
    workers = processes - 1
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_start_worker) as pool:
        inflight: dict = {}
        try:
            turn = 0
            while turn < len(planned):
                while queue and len(inflight) < workers * AHEAD:
                    school, (fn, *args) = queue.popleft()
                    inflight[pool.submit(fn, app_settings, *args)] = school
                for future in [f for f in inflight if f.done()]:
                    school = inflight.pop(future)
                    error = future.exception()
                    school.record(None if error else future.result(), error)
                while turn < len(planned) and planned[turn][2].finished():
                    school_id, code, school = planned[turn]
                    turn += 1
                    yield school_id, code, school.outcome(db, app_settings)
                if queue:           # this process takes the next slice itself
                    school, task = queue.popleft()
                    fn, *args = task
                    try:
                        school.record(fn(app_settings, *args, db=db))
                    except Exception as e:
                        school.record(error=e)
                elif inflight:
                    wait(inflight, return_when=FIRST_COMPLETED)
        finally:            # an error (or a caller that stops early): no slice starts that was not running
            for future in inflight:
                future.cancel()
