"""The evening digest: one message per guardian, school and local date, only when there is news.

Built at most once whatever re-runs, crashes or concurrent runs happen: the
run row (UNIQUE school + date) fixes the cutoffs, and each guardian's row in
`digests` (primary key guardian + school + date) is inserted in the same
transaction as the message it stands for, so a resumed run skips whoever
already has theirs.
"""
from __future__ import annotations

import logging
import os
from bisect import bisect_right
from dataclasses import dataclass
from typing import NamedTuple
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils

from store.core.clock import iso, school_year_of, utcnow
from store.community.forum_news import ForumDigest
from store.core.connection import transaction

from . import messages, quiet
from .digest_sources import Page, Window, sources, subjects_of
from .digest_states import INITIAL, DigestRunState as R, sources_of, sql_in
from .digest_text import Composer

logger = logging.getLogger(__name__)

BATCH = 1000        # guardians per page: one read per news source
WRITE_BATCH = 250   # digests per write transaction


def lower_priority() -> None:
    """Give the CPU to the gateway first while a build runs beside it (the rq job, `digest`): MO replies
    keep flowing on a busy host; the build only takes longer."""
    try:
        os.nice(max(0, 10 - os.nice(0)))    # nice 10, not 20 for a process spawned by one already at 10
    except OSError:       # not permitted here: the build runs at normal priority
        pass


@dataclass(frozen=True)
class DigestResult:
    """What one run did."""

    school_id: int
    local_date: date
    run_id: int
    created: int          # messages queued by this call
    skipped_existing: int  # guardians who already had theirs (re-run / resumed)
    already_built: bool
    parts: int
    warning: str | None = None


def _existing_run(db, school_id: int, day: date):
    """(the day's run row or None, the previous run's cutoff)."""
    row = db.execute("SELECT id, cutoff_from, cutoff_to, state FROM digest_runs WHERE school_id = ? "
                     "AND local_date = ?", [school_id, day.isoformat()]).fetchone()
    if row:
        return row, None
    return None, db.execute("SELECT max(cutoff_to) FROM digest_runs WHERE school_id = ? AND local_date < ?",
                            [school_id, day.isoformat()]).fetchone()[0]


def _open_run(db, school_id: int, day: date, now: datetime) -> tuple[int, str | None, str, str]:
    with transaction(db):
        row, prev = _existing_run(db, school_id, day)
        if row:
            return row
        cur = db.execute("INSERT INTO digest_runs (school_id, local_date, cutoff_from, cutoff_to, started_at, state) "
                         "VALUES (?, ?, ?, ?, ?, ?)",
                         [school_id, day.isoformat(), prev, iso(now), iso(now), INITIAL.value])
        return cur.lastrowid, prev, iso(now), INITIAL.value


RECIPIENT_PAGE = (
    "SELECT DISTINCT l.guardian_id FROM guardian_links l JOIN students s ON s.id = l.student_id "
    "WHERE l.guardian_id > :last AND l.guardian_id <= :bound AND l.school_year = :year AND l.active = 1 "
    "AND l.digest_opt_out = 0 AND s.school_id = :school ORDER BY l.guardian_id LIMIT :n")
RECIPIENT_ROWS = (
    "SELECT g.id, g.phone, s.id, s.full_name, c.id, c.name, c.grade FROM guardian_links l "
    "JOIN guardians g ON g.id = l.guardian_id "
    "JOIN students s ON s.id = l.student_id AND s.school_id = ? "
    "JOIN enrollments e ON e.student_id = s.id AND e.school_year = ? "
    "JOIN classes c ON c.id = e.class_id "
    "WHERE l.guardian_id IN ({ids}) AND l.school_year = ? AND l.active = 1 "
    "AND l.digest_opt_out = 0 ORDER BY g.id, c.name, s.full_name")   # the page's guardians, sought one by one


RECIPIENT_SCHOOLS = (
    "SELECT l.guardian_id, s.school_id FROM guardian_links l JOIN students s ON s.id = l.student_id "
    "WHERE l.school_year = ? AND l.active = 1 AND l.digest_opt_out = 0 ORDER BY l.guardian_id")


def recipients_of(db, school_ids: list[int], school_year: str) -> dict[int, list[int]]:
    """Each school's recipients (guardians with an opted-in, active link to a child of it), in id order.
    One pass over the links, whatever the number of schools; read through before any write here."""
    wanted = set(school_ids)
    out: dict[int, list[int]] = {sid: [] for sid in wanted}
    for gid, sid in db.execute(RECIPIENT_SCHOOLS, [school_year]):
        if sid in wanted and (not out[sid] or out[sid][-1] != gid):
            out[sid].append(gid)
    return out


def cut(guardians: list[int], size: int) -> list[tuple[int, int | None]]:
    """``guardians`` (in id order) in ranges of ids (after, upto] of ``size`` guardians each, covering every id
    (the last one has no upper bound)."""
    ends = range(size, len(guardians) + 1, size)       # 1-based positions of each range's last guardian
    ranges = [(guardians[i - size - 1] if i > size else 0, guardians[i - 1]) for i in ends]
    return ranges + [(ranges[-1][1] if ranges else 0, None)]


def within(guardians: list[int], after: int, upto: int | None) -> list[int]:
    """The ids of ``guardians`` (in order) in (after, upto]."""
    return guardians[bisect_right(guardians, after):len(guardians) if upto is None else bisect_right(guardians, upto)]


def slices_of(db, school_ids: list[int], school_year: str, size: int) -> dict[int, list[tuple[int, int | None]]]:
    """Each school's recipients cut in ranges of guardian ids (after, upto] of about ``size`` guardians each,
    covering every id (the last one has no upper bound): a guardian is in exactly one range of a school, with
    all of their children of that school."""
    return {sid: cut(ids, size) for sid, ids in recipients_of(db, school_ids, school_year).items()}


def slices(db, school_id: int, school_year: str, size: int) -> list[tuple[int, int | None]]:
    """slices_of one school."""
    return slices_of(db, [school_id], school_year, size)[school_id]


class Family(NamedTuple):
    """A guardian of the page and the children (student id, name, class name) with news, each with its pieces."""

    guardian_id: int
    phone: str
    children: list[tuple[int, str, str, list]]
    class_ids: frozenset[int] = frozenset()      # every child's class (the forum line follows them)


NO_BOUND = 2 ** 63 - 1     # the largest guardian id SQLite can hold


def pages(db, school_id: int, school_year: str, size: int, after: int = 0, upto: int | None = None,
          guardians: list[int] | None = None):
    """(Page, [(guardian id, phone, [(student id, name, class id, class name)])]) of the school's opted-in,
    active links of the guardians with ids in (after, upto], ``size`` guardians at a time in guardian order;
    each page read whole before it is used. ``guardians``: those guardians' ids already known (in order, as
    `recipients_of` gives them), so only their rows are read."""
    if guardians is not None:
        for i in range(0, len(guardians), size):
            yield _page(db, school_id, school_year, guardians[i:i + size])
        return
    last, bound = after, NO_BOUND if upto is None else upto
    while True:
        ids = [r[0] for r in db.execute(RECIPIENT_PAGE, {"last": last, "bound": bound, "year": school_year,
                                                         "school": school_id, "n": size}).fetchall()]
        if not ids:
            return
        last = ids[-1]
        yield _page(db, school_id, school_year, ids)


def _page(db, school_id: int, school_year: str, ids: list[int]):
    """(Page, families) of the guardians ``ids`` (in id order)."""
    rows = db.execute(RECIPIENT_ROWS.format(ids=",".join("?" * len(ids))),
                      [school_id, school_year, *ids, school_year]).fetchall()
    families: list = []
    class_of, grade_of = {}, {}
    for gid, phone, sid, name, cid, cname, grade in rows:
        if not families or families[-1][0] != gid:
            families.append((gid, phone, []))
        families[-1][2].append((sid, name, cid, cname))
        class_of[sid], grade_of[sid] = cid, grade
    return Page(sorted(class_of), class_of, grade_of), families


def news_of_page(db, window: Window, page: Page, families, news_sources, keep_all: bool = False) -> list[Family]:
    """Each family of the page with the children that have news, their pieces in source order.

    ``keep_all``: families without news too (with their classes), for news of the guardian's own (the forum).
    """
    by_source = [src.read(db, window, page) for src in news_sources] if page.student_ids else []
    by_source = [found for found in by_source if found]     # in source order, those with news on this page
    out = []
    for gid, phone, kids in families:
        children = []
        for sid, name, _cid, cname in kids:
            pieces = [found[sid] for found in by_source if sid in found]
            if pieces:
                children.append((sid, name, cname, pieces))
        if children or keep_all:
            out.append(Family(gid, phone, children, frozenset(cid for _s, _n, cid, _c in kids)))
    return out


def _texts(composer, forum: ForumDigest, families: list[Family]) -> list[tuple[Family, str]]:
    """(family, text) of the families with news: their children's, and at most one forum line (SPEC §14)."""
    out = []
    for f in families:
        line = forum.line(f.guardian_id, f.class_ids)
        if f.children or line:
            out.append((f, composer.text(f.children, extra=line)))
    return out


def _write_page(db, settings, ctx: dict, texts: list[tuple[Family, str]]) -> list[str]:
    """Queue the page's digests in transactions of at most WRITE_BATCH; returns the texts queued (the others
    were built already)."""
    queued = []
    for i in range(0, len(texts), WRITE_BATCH):
        queued += _write_batch(db, settings, ctx, texts[i:i + WRITE_BATCH])
    return queued


def _write_batch(db, settings, ctx: dict, texts: list[tuple[Family, str]]) -> list[str]:
    """One short write transaction: an MO waiting to be stored waits a few milliseconds at most."""
    if not texts:
        return []
    day, school_id, run_id = ctx["day"], ctx["school_id"], ctx["run_id"]
    with transaction(db):
        have = {r[0] for r in db.execute(
            "SELECT guardian_id FROM digests WHERE school_id = ? AND local_date = ? AND guardian_id BETWEEN ? AND ?",
            [school_id, day, texts[0][0].guardian_id, texts[-1][0].guardian_id])}
        todo = [(f, text) for f, text in texts if f.guardian_id not in have]
        ids = messages.enqueue_many(
            db, settings, [(f.phone, text, school_id, f.guardian_id, f.children[0][0] if len(f.children) == 1 else None)
                           for f, text in todo],
            kind=messages.MessageKind.DIGEST, connection=ctx["connection"], not_before=ctx["now"],
            valid_until=ctx["valid_until"])
        messages.insert_rows(db, "INSERT INTO digests (guardian_id, school_id, local_date, run_id, message_id) VALUES ",
                             [(f.guardian_id, school_id, day, run_id, mid) for (f, _), mid in zip(todo, ids)])
    return [text for _, text in todo]


def _window(db, school_id: int, day: date, now: datetime, dry_run: bool):
    """(run id, after, until, state) of the day's run; a dry run opens none and reads up to ``now``."""
    if not dry_run:
        return _open_run(db, school_id, day, now)
    row, prev = _existing_run(db, school_id, day)
    if row:
        return row
    return 0, prev, iso(now), INITIAL.value


def _timing(settings, day: date, now: datetime) -> datetime:
    """valid_until of tonight's digests: a build too late to go out tonight stays valid until the next evening."""
    tz = settings.sms.timezone
    valid_until = quiet.digest_valid_until(day, settings.digest.valid_until, tz)
    first_send = quiet.next_send_time(now, settings.sms.quiet_hours or None, tz)
    if valid_until <= first_send:
        # The evening of the first send, or (no quiet hours, a build after digest.valid_until) the next one.
        send_day = first_send.astimezone(ZoneInfo(tz)).date()
        valid_until = quiet.digest_valid_until(send_day, settings.digest.valid_until, tz)
        if valid_until <= first_send:
            valid_until = quiet.digest_valid_until(send_day + timedelta(days=1), settings.digest.valid_until, tz)
    return valid_until


@dataclass(frozen=True)
class Run:
    """One school's run of one local date as every slice of it sees it, fixed when it is opened: the
    window (after, until], the time it started and the connection its digests go out on."""

    school_id: int
    day: date
    run_id: int
    after: str | None
    until: str
    state: str
    now: datetime
    connection: str | None = None
    dry_run: bool = False


class Tally(NamedTuple):
    """What one slice (a range of guardians) of a run queued."""

    created: int = 0
    skipped: int = 0
    parts: int = 0

    def __add__(self, other):
        return Tally(self.created + other.created, self.skipped + other.skipped, self.parts + other.parts)


def open_run(db, school_id: int, day: date, now: datetime, *, connection: str | None = None,
             dry_run: bool = False) -> Run:
    """The day's run of the school, opened (its cutoffs fixed) unless ``dry_run`` or already there."""
    run_id, after, until, state = _window(db, school_id, day, now, dry_run)
    return Run(school_id, day, run_id, after, until, state, now, connection, dry_run)


def interrupted_days(db, school_id: int, day: date) -> list[date]:
    """Earlier local dates whose run of the school crashed (still `building`), oldest first."""
    return [date.fromisoformat(d) for (d,) in db.execute(
        "SELECT local_date FROM digest_runs WHERE school_id = ? AND local_date < ? "
        f"AND state = '{R.BUILDING.value}' ORDER BY local_date", [school_id, day.isoformat()]).fetchall()]


class Builder:
    """Builds the digests of one run, a range of guardians at a time (``slice``); what is read once a run
    (subjects, the forum's news, the composer's frames, the sources' caches) is kept for every slice."""

    def __init__(self, db, settings, run: Run):
        self.run, self.settings = run, settings
        self.window = Window(run.school_id, run.after or "", run.until, run.day, subjects_of(db, run.school_id))
        self.composer = Composer(settings, run.day)
        self.ctx = {"day": run.day.isoformat(), "school_id": run.school_id, "run_id": run.run_id,
                    "connection": run.connection, "now": run.now, "valid_until": _timing(settings, run.day, run.now)}
        # Only the sources with news in the window (a light evening: often none, and no page is read at all).
        self.sources = [source for source in sources() if source.maybe(db, self.window)]
        self.forum = ForumDigest(db, run.school_id, run.after, run.until)

    def slice(self, db, after_guardian: int = 0, upto_guardian: int | None = None,
              guardians: list[int] | None = None) -> Tally:
        """Queue the digests of the guardians with ids in (after_guardian, upto_guardian] (None: no bound);
        ``guardians``: their ids, when `recipients_of` read them already."""
        composer, run = self.composer, self.run
        created = skipped = parts = 0
        if not self.sources and self.forum.empty:
            return Tally()          # nothing approved in the window for anyone here: no page to read
        # Each page is read whole (recipients, then each source) before its write: a SELECT still stepping
        # keeps a read snapshot open, and BEGIN IMMEDIATE then fails (SQLITE_BUSY_SNAPSHOT) once anyone else
        # has committed since, which the gateway does all the time. One bounded transaction per page.
        for page, families in pages(db, run.school_id, school_year_of(run.day), BATCH, after_guardian, upto_guardian,
                                    guardians):
            texts = _texts(composer, self.forum,
                           news_of_page(db, self.window, page, families, self.sources, keep_all=True))
            if run.dry_run:
                created += len(texts)
                parts += sum(composer.parts(t) for _, t in texts)
                continue
            queued = _write_page(db, self.settings, self.ctx, texts)
            created, skipped = created + len(queued), skipped + len(texts) - len(queued)
            parts += sum(composer.parts(t) for t in queued)
        return Tally(created, skipped, parts)


def finish(db, settings, run: Run, tally: Tally) -> DigestResult:
    """Mark the run built once every slice is queued (a dry run writes nothing); the school's result."""
    if not run.dry_run:
        with transaction(db):
            db.execute(f"UPDATE digest_runs SET state = '{R.BUILT.value}', messages = messages + ?, finished_at = ? "
                       f"WHERE id = ? AND state IN {sql_in(sources_of(R.BUILT))}",
                       [tally.created, iso(utcnow()), run.run_id])
    warning = quiet_hours_warning(settings, tally.parts, run.now, run.connection)
    if warning:
        logger.warning(warning)
    return DigestResult(run.school_id, run.day, run.run_id, tally.created, tally.skipped, False, tally.parts, warning)


def already_built(run: Run) -> DigestResult:
    """The result of a run built before: nothing queued."""
    return DigestResult(run.school_id, run.day, run.run_id, 0, 0, True, 0)


def build(db: sqlite_utils.Database, settings, school_id: int, day: date, *, now: datetime | None = None,
          connection: str | None = None, dry_run: bool = False, guardians: list[int] | None = None) -> DigestResult:
    """Build and queue the digests of ``school_id`` for local date ``day`` (idempotent).

    ``dry_run``: compose everything and count the parts, write nothing. ``guardians``: the school's recipients
    of ``day``'s school year as `recipients_of` read them (else read page by page).
    """
    now = now or utcnow()
    # A run that crashed on an earlier day is finished first (its cutoffs are fixed), so its
    # guardians not reached yet still get that news before the next window starts after it.
    for earlier in interrupted_days(db, school_id, day):
        logger.warning("finishing the interrupted digest run of school %s for %s", school_id, earlier)
        build(db, settings, school_id, earlier, now=now, connection=connection, dry_run=dry_run)
    run = open_run(db, school_id, day, now, connection=connection, dry_run=dry_run)
    if run.state == R.BUILT:
        return already_built(run)
    return finish(db, settings, run, Builder(db, settings, run).slice(db, guardians=guardians))


def quiet_hours_warning(settings, parts: int, start: datetime, connection: str | None = None) -> str | None:
    """A warning when ``parts`` at the account's TPS would still be sending when quiet hours begin."""
    window = quiet.parse_quiet_hours(settings.sms.quiet_hours or None)
    if not window or not parts:
        return None
    conn = settings.connection(connection) if connection else settings.smsc[0]
    seconds = parts / conn.tps
    begin = quiet.next_send_time(start, settings.sms.quiet_hours, settings.sms.timezone)
    if begin > start:
        return f"digests start in quiet hours; they wait until {begin.astimezone(ZoneInfo(settings.sms.timezone)):%H:%M}"
    tz = ZoneInfo(settings.sms.timezone)
    local = start.astimezone(tz)
    quiet_start = local.replace(hour=window[0].hour, minute=window[0].minute, second=0, microsecond=0)
    if quiet_start <= local:
        quiet_start += timedelta(days=1)
    finish = local + timedelta(seconds=seconds)
    if finish > quiet_start:
        return (f"{parts} parts at {conn.tps} TPS take {seconds / 60:.0f} min and would run past the start of quiet "
                f"hours at {window[0]:%H:%M}; the rest will wait for the morning or expire at digest.valid_until")
    return None


def schools(db: sqlite_utils.Database, code: str | None = None) -> list[tuple[int, str]]:
    """(id, code) of every school, or of the one with ``code``."""
    if code:
        return db.execute("SELECT id, code FROM schools WHERE code = ?", [code]).fetchall()
    return db.execute("SELECT id, code FROM schools ORDER BY code").fetchall()
