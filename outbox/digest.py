"""The evening digest: one message per guardian, school and local date, only when there is news.

Built at most once whatever re-runs, crashes or concurrent runs happen: the
run row (UNIQUE school + date) fixes the cutoffs, and each guardian's row in
`digests` (primary key guardian + school + date) is inserted in the same
transaction as the message it stands for, so a resumed run skips whoever
already has theirs.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils

from store.clock import iso, school_year_of, utcnow
from store.connection import transaction
from store.news import ChildNews, approved_between
from store.subjects import sort_key

from . import digest_preschool, digest_primary, messages, quiet
from .fit import fit
from .render import parts_needed, prepare
from .templating import fmt_date, fmt_number, render

logger = logging.getLogger(__name__)

BATCH = 500
LEVEL = {"T": "Tốt", "K": "Khá", "D": "Đạt", "CD": "Chưa đạt"}


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


def _child_lines(news: ChildNews, day: date) -> list[str]:
    lines = []
    by_subject: dict[str, list[str]] = defaultdict(list)
    order = {"TX": 0, "GK": 1, "CK": 2}
    for g in sorted(news.grades, key=lambda g: (sort_key(g.subject_code), g.term, order[g.kind], g.seq)):
        label = g.kind if g.kind != "TX" else f"TX{g.seq}"
        by_subject[g.subject_code].append(f"{label} {fmt_number(g.value)}{' (sửa)' if g.corrected else ''}")
    for subject, scores in by_subject.items():
        lines.append(f"Điểm {subject} {', '.join(scores)}")
    for c in news.conduct:
        lines.append(f"Rèn luyện {'cả năm' if c.term == 0 else 'HK' + str(c.term)}: {LEVEL[c.level.value]}")
    for a in news.absences:
        lines.append(f"Vắng {fmt_date(a.date)} {a.session.value} ({'có phép' if a.excused else 'không phép'})")
    for c in news.comments:
        lines.append(f"NX{' ' + c.subject_code if c.subject_code else ''}: {c.body.rstrip('. ')}")
    for e in news.events:
        if e.date >= day:
            lines.append(f"{'TB' if e.kind == 'thongbao' else 'Lịch'} {fmt_date(e.date)} {e.title}")
    return lines


def _open_run(db, school_id: int, day: date, now: datetime) -> tuple[int, str | None, str, str]:
    with transaction(db):
        row = db.execute("SELECT id, cutoff_from, cutoff_to, state FROM digest_runs WHERE school_id = ? "
                         "AND local_date = ?", [school_id, day.isoformat()]).fetchone()
        if row:
            return row
        prev = db.execute("SELECT max(cutoff_to) FROM digest_runs WHERE school_id = ? AND local_date < ?",
                          [school_id, day.isoformat()]).fetchone()[0]
        cur = db.execute("INSERT INTO digest_runs (school_id, local_date, cutoff_from, cutoff_to, started_at) "
                         "VALUES (?, ?, ?, ?, ?)", [school_id, day.isoformat(), prev, iso(now), iso(now)])
        return cur.lastrowid, prev, iso(now), "building"


def level_sources(db, school_id: int, after: str | None, until: str) -> tuple:
    """The per-level line sources of one digest window (the primary TT27 lines, the kindergarten lines)."""
    return (digest_primary.source(db, school_id, after, until), digest_preschool.source(db, school_id, after, until))


def family_news(news, kids, day: date, sources=()) -> list[dict]:
    """The children of one guardian that have news: name, class_name, lines, id.

    ``sources`` add a level's own lines per child (outbox.digest_primary for TT27 pupils)."""
    children = []
    for sid, name, cid, cname in kids:
        lines = _child_lines(news.for_child(sid, cid), day) + [line for src in sources for line in src.lines(sid)]
        if lines:
            children.append({"name": name, "class_name": cname, "lines": lines, "id": sid})
    return children


def recipients(db, school_id: int, school_year: str):
    """(guardian_id, phone, child rows) of the school's opted-in, active links, in a stable order."""
    rows = db.execute(
        "SELECT g.id, g.phone, s.id, s.full_name, c.id, c.name FROM students s "
        "JOIN guardian_links l ON l.student_id = s.id AND l.school_year = :year "
        "JOIN guardians g ON g.id = l.guardian_id "
        "JOIN enrollments e ON e.student_id = s.id AND e.school_year = :year "
        "JOIN classes c ON c.id = e.class_id "
        "WHERE s.school_id = :school AND l.active = 1 AND l.digest_opt_out = 0 "
        "ORDER BY g.id, c.name, s.full_name", {"school": school_id, "year": school_year})
    current, kids = None, []
    for gid, phone, sid, name, cid, cname in rows:
        if current and current[0] != gid:
            yield (*current, kids)
            kids = []
        current = (gid, phone)
        kids.append((sid, name, cid, cname))
    if current:
        yield (*current, kids)


def build(db: sqlite_utils.Database, settings, school_id: int, day: date, *, now: datetime | None = None,
          connection: str | None = None) -> DigestResult:
    """Build and queue the digests of ``school_id`` for local date ``day`` (idempotent)."""
    now = now or utcnow()
    # A run that crashed on an earlier day is finished first (its cutoffs are fixed), so its
    # guardians not reached yet still get that news before the next window starts after it.
    for (earlier,) in db.execute("SELECT local_date FROM digest_runs WHERE school_id = ? AND local_date < ? "
                                 "AND state = 'building' ORDER BY local_date", [school_id, day.isoformat()]).fetchall():
        logger.warning("finishing the interrupted digest run of school %s for %s", school_id, earlier)
        build(db, settings, school_id, date.fromisoformat(earlier), now=now, connection=connection)
    run_id, after, until, state = _open_run(db, school_id, day, now)
    if state == "built":
        return DigestResult(school_id, day, run_id, 0, 0, True, 0)
    news = approved_between(db, school_id, after, until)
    sources = level_sources(db, school_id, after, until)
    tz = settings.sms.timezone
    valid_until = quiet.digest_valid_until(day, settings.digest.valid_until, tz)
    first_send = quiet.next_send_time(now, settings.sms.quiet_hours or None, tz)
    if valid_until <= first_send:
        # Built too late to go out tonight (a crash, a manual run): the news goes out in the
        # morning and stays valid until the next evening rather than expiring unsent.
        valid_until = quiet.digest_valid_until(first_send.astimezone(ZoneInfo(tz)).date(),
                                               settings.digest.valid_until, tz)
    url = settings.web.public_url.rstrip("/") + "/p"
    created = skipped = parts = 0
    pending: list[tuple[int, str, str, list[int]]] = []

    def flush():
        nonlocal created, skipped, parts
        with transaction(db):
            for gid, phone, text, student_ids in pending:
                cur = db.execute("INSERT OR IGNORE INTO digests (guardian_id, school_id, local_date, run_id) "
                                 "VALUES (?, ?, ?, ?)", [gid, school_id, day.isoformat(), run_id])
                if cur.rowcount == 0:
                    skipped += 1
                    continue
                mid = messages.enqueue(db, settings, phone=phone, body=text, kind=messages.Kind.DIGEST,
                                       connection=connection, school_id=school_id, guardian_id=gid,
                                       student_id=student_ids[0] if len(student_ids) == 1 else None,
                                       not_before=now, valid_until=valid_until)
                db.execute("UPDATE digests SET message_id = ? WHERE guardian_id = ? AND school_id = ? AND "
                           "local_date = ?", [mid, gid, school_id, day.isoformat()])
                final, enc = prepare(text, settings.sms.transliterate)
                parts += parts_needed(final, enc)
                created += 1
        pending.clear()

    # Read every recipient before the first write: a SELECT still stepping keeps a read snapshot open,
    # and BEGIN IMMEDIATE on that connection then fails (SQLITE_BUSY_SNAPSHOT) once anyone else has
    # committed since — which the gateway does all the time.
    for gid, phone, kids in list(recipients(db, school_id, school_year_of(day))):
        children = family_news(news, kids, day, sources)
        if not children:
            continue
        text = render("digest.txt", day=day, children=children)
        text = fit(text, transliterate=settings.sms.transliterate, max_parts=settings.sms.max_parts, more_url=url)
        text = prepare(text, settings.sms.transliterate)[0]
        pending.append((gid, phone, text, [c["id"] for c in children]))
        if len(pending) >= BATCH:
            flush()
    flush()
    with transaction(db):
        db.execute("UPDATE digest_runs SET state = 'built', messages = messages + ?, finished_at = ? WHERE id = ?",
                   [created, iso(utcnow()), run_id])
    warning = quiet_hours_warning(settings, parts, now, connection)
    if warning:
        logger.warning(warning)
    return DigestResult(school_id, day, run_id, created, skipped, False, parts, warning)


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
