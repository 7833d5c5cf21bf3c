"""What each kind of news contributes to a guardian's evening digest, read a page of students at a time.

A source reads the approvals of (after, until] for the students of one page
in a few indexed queries (`student_id IN (...)`, bounded by the page) and
returns, per student, a `Piece`: the detailed lines, and the same news in
a few words (`summary`, and the shortest form `brief`) for a child whose
detail would not fit in one SMS part. A new domain adds its own source to
`NEWS_SOURCES`; the digest builder knows nothing of the tables behind them.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Callable, NamedTuple

from store.secondary.news import GRADE_TENTHS
from store.rules.periods import Semester
from store.school.records import Session
from store.school.subjects import sort_key
from store.rules.tt22 import InvalidScore, Level, SubjectKind, parse_score, term_average_of_tenths, tx_count

from . import digest_preschool, digest_primary
from .templating import fmt_date, fmt_number

KIND_ORDER = {"TX": 0, "GK": 1, "CK": 2}
AVERAGES_LISTED = 6     # more complete subjects than this are only counted: their list would not fit a part


@dataclass(frozen=True)
class Window:
    """One run's frame: the school, the approval window (after, until], the local date, its subjects."""

    school_id: int
    after: str
    until: str
    day: date
    subjects: dict[tuple[str, int], tuple[SubjectKind, int]]   # (code, grade) -> (kind, TX a term)


def approved_in(table: str):
    """A source's ``maybe(db, w)`` for news read from ``table``: False only when no row of it, of any school, was
    approved in the window (one seek of its approved_at index), so a light evening skips the source's page reads."""
    sql = f"SELECT 1 FROM {table} WHERE approved_at > ? AND approved_at <= ? LIMIT 1"

    def maybe(self, db, w: "Window") -> bool:
        return db.execute(sql, [w.after, w.until]).fetchone() is not None
    return maybe


@dataclass(frozen=True)
class Page:
    """The students of one page of guardians: their class and grade (khối)."""

    student_ids: list[int]
    class_of: dict[int, int]
    grade_of: dict[int, int]


@dataclass
class Piece:
    """One source's news of one child: detailed lines, or a summary and a brief when space is short."""

    lines: list[str]
    summary: str
    brief: str = ""
    condensed: bool = False     # the lines are the summary already (too much to list): the text gets the link

    def at(self, level: int) -> list[str]:
        """The lines at ``level``: 0 detailed, 1 summary, 2 brief."""
        if level == 0:
            return self.lines
        return [self.brief or self.summary] if level >= 2 else [self.summary]


RS = "\x1e"     # the record separator of Grades.BY_STUDENT's lists
PACK = 1 << 20  # radix of the numbers packed in one integer per tally (term, new, cells, exams)


class Counted(NamedTuple):
    """One student's new scores counted per subject: ``key`` (the same for the same counts of one khối),
    [(code, term, new scores, complete)] in report rows' order, and the number of new scores."""

    key: tuple
    subjects: list[tuple]
    new: int
    complete: list[tuple[str, int]]      # (code, term) of the complete subjects

    @classmethod
    def of(cls, key: tuple, subjects: list[tuple]) -> "Counted":
        return cls(key, subjects, sum(s[2] for s in subjects), [(code, term) for code, term, _n, done in subjects if done])


def _marks(ids: list[int]) -> str:
    return ",".join("?" * len(ids))


def _page_rows(db, sql: str, w: Window, page: Page) -> list[tuple]:
    """Rows of ``sql`` (``{ids}`` then the window's two bounds as parameters) for the page's students."""
    return db.execute(sql.format(ids=_marks(page.student_ids)), [*page.student_ids, w.after, w.until]).fetchall()


class Grades:
    """Scores: each new score listed (corrected ones "sửa"), or counted per subject with the complete terms.

    One lean query counts per subject and term from the tallies of approvals (`grade_tallies`, a row per
    subject, term and approval: the heavy first evening reads 1.3M of them for 6.8M cells);
    the cells themselves are read only for children with few new scores, the averages only for children
    with few complete subjects: the only ones whose text could show them in one part. A subject is a tuple
    (code, term, new scores, complete); children with the same subjects, counts and averages (most of a
    class) share one Piece, composed once a run.
    """

    name = "grades"
    maybe = approved_in("grades")      # the tallies' approval times are their cells'

    # From the tallies the triggers of migration 020 keep: one row per subject, term and approval, not per cell.
    COUNTS = ("SELECT student_id, subject_code, school_year, term, sum(CASE WHEN approved_at > ? THEN cells END) "
              "AS new, sum(cells) AS cells, sum(exams) AS exams FROM grade_tallies WHERE student_id IN ({ids}) "
              "AND approved_at <= ? GROUP BY student_id, subject_code, school_year, term HAVING new > 0")
    # The same counts, one row a student, in one pass over the tallies in key order (no grouping of groups):
    # three lists of the student's approvals in one order (every aggregate of a group steps over the same rows):
    # codes, school years, and ((term * PACK + new) * PACK + cells) * PACK + exams, each joined by RS (term is
    # 1 or 2: under 2^63); then the largest cells, so that a number too large for its place falls back to
    # COUNTS. One integer and no string built per tally: 0.19 s of SQL per 20,000 pupils against 0.71 s for
    # one text of six fields a tally. _parse sums the approvals of one subject and term and drops the subjects without new
    # scores. ?1 after, ?2 until.
    BY_STUDENT = (f"SELECT student_id, group_concat(subject_code, '{RS}'), group_concat(school_year, '{RS}'), "
                  f"group_concat(((term * {PACK} + (CASE WHEN approved_at > ?1 THEN cells ELSE 0 END)) * {PACK} "
                  f"+ cells) * {PACK} + exams, '{RS}'), max(cells) FROM grade_tallies "
                  "WHERE student_id IN ({ids}) AND approved_at <= ?2 GROUP BY student_id HAVING max(approved_at) > ?1")
    CELLS = ("SELECT student_id, subject_code, term, kind, seq, value, corrected FROM grades "
             "WHERE student_id IN ({ids}) AND +status = 'approved' AND approved_at > ? AND approved_at <= ?")
    SUMS = ("SELECT student_id, subject_code, term, sum(kind = 'TX'), sum(CASE WHEN kind = 'TX' THEN {t} END), "
            "max(CASE WHEN kind = 'GK' THEN {t} END), max(CASE WHEN kind = 'CK' THEN {t} END) FROM grades "
            "WHERE student_id IN ({ids}) AND +status = 'approved' AND +approved_at <= ? "
            "GROUP BY student_id, subject_code, school_year, term")
    SHARED_MAX = 20_000     # pieces kept for reuse within a run (memory stays flat in the school's size)

    def __init__(self, detail_max: int | None = 12):
        # More new scores than this never fit a part: only counted, their cells not read (None: always listed).
        self.detail_max = detail_max
        self._shared: dict[tuple, Piece] = {}
        self._parsed: dict[tuple[int, str], Counted] = {}
        self._required_of: dict[int, dict[str, int]] = {}
        self._order: dict[str, tuple[int, str]] = {}

    def read(self, db, w: Window, page: Page) -> dict[int, Piece]:
        """The page's new scores, per child."""
        counted = self._counts(db, w, page)
        cells = self._cells(db, w, [sid for sid, c in counted.items()
                                    if self.detail_max is None or c.new <= self.detail_max])
        averages = self._averages(db, w, page, counted)
        shared, out = self._shared, {}
        if len(shared) > self.SHARED_MAX:
            shared.clear()
        for sid, c in counted.items():
            own = cells.get(sid)
            if own:
                out[sid] = self._piece(c.subjects, averages.get(sid), own)
                continue
            key = (c.key, averages.get(sid))
            piece = shared.get(key)
            if piece is None:
                piece = shared[key] = self._piece(c.subjects, averages.get(sid), None)
            out[sid] = piece
        return out

    def _counts(self, db, w: Window, page: Page) -> dict[int, Counted]:
        """student -> their Counted subjects; students with the same khối and counts share one (a class, mostly).

        One row a student: its subjects' counts as one text (BY_STUDENT), taken apart once per distinct text.
        """
        parsed, out = self._parsed, {}
        if len(parsed) > self.SHARED_MAX:
            parsed.clear()
        ids = ",".join(f"?{i + 3}" for i in range(len(page.student_ids)))
        rows = db.execute(self.BY_STUDENT.format(ids=ids), [w.after, w.until, *page.student_ids]).fetchall()
        for sid, codes, years, numbers, most in rows:
            if most >= PACK:    # a number would not fit its place (exams and new are at most cells, term 1 or 2)
                return self._count_rows(db, w, page)
            key = (page.grade_of.get(sid, 0), codes, years, numbers)
            c = parsed.get(key)
            if c is None:
                c = self._parse(key, self._required(w, key[0]))
                if c is None:       # a separator inside a subject code or year: the rows one by one
                    return self._count_rows(db, w, page)
                parsed[key] = c
            out[sid] = c
        return out

    def _required(self, w: Window, grade: int) -> dict[str, int]:
        """code -> TX a term of the khối's subjects (0: no average), once a khối a run."""
        required = self._required_of.get(grade)
        if required is None:
            required = self._required_of[grade] = {c: n for (c, g), (_k, n) in w.subjects.items() if g == grade}
        return required

    @staticmethod
    def _subject(code: str, term: int, new: int, cells: int, exams: int, required: dict[str, int]) -> tuple:
        tx = required.get(code, 0)
        return (code, term, new, bool(tx and exams == 2 and cells - 2 >= tx))

    def _parse(self, key: tuple, required: dict[str, int]) -> Counted | None:
        """One student's BY_STUDENT lists as (code, term, new, complete) of the subjects with new scores, in the
        rows' order (code, school year, term: the lists' own order is not promised), or None when a code or a
        year holds the separator (the lists are then of different lengths)."""
        codes, years, numbers = (text.split(RS) for text in key[1:])
        if not len(codes) == len(years) == len(numbers):
            return None
        sums: dict[tuple[str, str, int], list[int]] = {}
        for code, year, number in zip(codes, years, numbers):
            rest, exams = divmod(int(number), PACK)
            rest, cells = divmod(rest, PACK)
            term, new = divmod(rest, PACK)
            found = sums.get((code, year, term))
            if found is None:
                sums[code, year, term] = [new, cells, exams]
            else:                   # another approval of the same subject and term
                found[0] += new
                found[1] += cells
                found[2] += exams
        subjects = [self._subject(code, term, new, cells, exams, required)
                    for (code, _y, term), (new, cells, exams) in sorted(sums.items()) if new > 0]
        return Counted.of(key, subjects)

    def _count_rows(self, db, w: Window, page: Page) -> dict[int, Counted]:
        """_counts from the per-subject rows themselves (COUNTS), each student's its own."""
        by_student: dict[int, list[tuple]] = {}
        for sid, code, _year, term, new, cells, exams in db.execute(
                self.COUNTS.format(ids=_marks(page.student_ids)), [w.after, *page.student_ids, w.until]).fetchall():
            required = self._required(w, page.grade_of.get(sid, 0))
            by_student.setdefault(sid, []).append(self._subject(code, term, new, cells, exams, required))
        return {sid: Counted.of((sid,), subs) for sid, subs in by_student.items()}

    def _cells(self, db, w: Window, ids: list[int]) -> dict[int, list[tuple]]:
        out: dict[int, list[tuple]] = defaultdict(list)
        if ids:
            for sid, *cell in db.execute(self.CELLS.format(ids=_marks(ids)), [*ids, w.after, w.until]).fetchall():
                out[sid].append(cell)
        return out

    def _averages(self, db, w: Window, page: Page, counted: dict[int, Counted]) -> dict[int, tuple]:
        """student -> ((code, term, average), ...) of the complete scored subjects of children with few of them."""
        wanted: dict[int, dict] = {}
        for sid, c in counted.items():
            complete = c.complete
            if 0 < len(complete) <= AVERAGES_LISTED:
                grade = page.grade_of.get(sid, 0)
                wanted[sid] = {key: None for key in complete
                               if w.subjects.get((key[0], grade), (None,))[0] is SubjectKind.SCORED}
        if not wanted:
            return {}
        ids = list(wanted)
        for sid, code, term, tx, tx_sum, gk, ck in db.execute(self.SUMS.format(t=GRADE_TENTHS, ids=_marks(ids)),
                                                              [*ids, w.until]).fetchall():
            if (code, term) in wanted[sid]:
                wanted[sid][code, term] = term_average_of_tenths(tx_sum or 0, tx, gk, ck)
        return {sid: tuple((c, t, a) for (c, t), a in found.items() if a is not None) for sid, found in wanted.items()}

    def _key(self, subject: tuple) -> tuple:
        """Report-card order of a subject tuple (sort_key once per code a run)."""
        order = self._order.get(subject[0])
        if order is None:
            order = self._order[subject[0]] = sort_key(subject[0])
        return (order, subject[1])

    def _piece(self, subjects: list[tuple], averages: tuple | None, cells: list[tuple] | None) -> Piece:
        subjects = sorted(subjects, key=self._key)
        per_subject: dict[str, int] = {}
        for code, _term, n, _done in subjects:
            per_subject[code] = per_subject.get(code, 0) + n
        complete = [term for _code, term, _n, done in subjects if done]
        head = f"{sum(per_subject.values())} điểm mới"
        counted = f"{head}: " + ", ".join(f"{code} {n}" for code, n in per_subject.items())
        done = "; ".join(f"đủ điểm HK{t}: {complete.count(t)} môn" for t in sorted(set(complete)))
        summary = "; ".join(p for p in (counted, self._averages_text(subjects, averages) or done) if p)
        brief = "; ".join(p for p in (f"{head} ở {len(per_subject)} môn", done) if p)
        lines = self._lines(cells) if cells else []
        return Piece(lines or [summary], summary, brief, condensed=not lines)

    @staticmethod
    def _averages_text(subjects: list[tuple], averages: tuple | None) -> str:
        """'TB HK1 TOAN 8.2, VAN 7; TB HK2 …' in the subjects' order (a subject twice, of two years: the last)."""
        if not averages:
            return ""
        found = {(code, term): a for code, term, a in averages}
        last = {(code, term): i for i, (code, term, _n, done) in enumerate(subjects) if done}
        scored = [(code, term, found[code, term]) for i, (code, term, _n, done) in enumerate(subjects)
                  if done and last[code, term] == i and (code, term) in found]
        return "; ".join(f"TB HK{t} " + ", ".join(f"{code} {fmt_number(a)}" for code, term, a in scored if term == t)
                         for t in sorted({term for _c, term, _a in scored}))

    @staticmethod
    def _lines(cells: list[tuple]) -> list[str]:
        by_code: dict[str, list[str]] = {}
        for code, term, kind, seq, value, corrected in sorted(
                cells, key=lambda c: (sort_key(c[0]), c[1], KIND_ORDER[c[2]], c[3])):
            try:
                shown = fmt_number(parse_score(value))
            except InvalidScore:
                continue
            label = kind if kind != "TX" else f"TX{seq}"
            by_code.setdefault(code, []).append(f"{label} {shown}{' (sửa)' if corrected else ''}")
        return [f"Điểm {code} {', '.join(scores)}" for code, scores in by_code.items()]


LEVEL = {"T": "Tốt", "K": "Khá", "D": "Đạt", "CD": "Chưa đạt"}
_RATED = {level.value: LEVEL[level.value] for level in Level}     # a stored rating -> its words


class Conduct:
    """Conduct (rèn luyện) ratings of a term or the year: short already."""

    name = "conduct"
    maybe = approved_in("conduct")
    SQL = ("SELECT student_id, term, rating FROM conduct WHERE student_id IN ({ids}) AND +status = 'approved' "
           "AND approved_at > ? AND approved_at <= ? ORDER BY student_id, school_year, term")

    def __init__(self):
        self._lines: dict[tuple[int, str], str] = {}
        self._shared: dict[tuple[str, ...], Piece] = {}       # children with the same ratings share one Piece

    def read(self, db, w: Window, page: Page) -> dict[int, Piece]:
        """The page's new conduct ratings, per child."""
        out: dict[int, list[str]] = defaultdict(list)
        for sid, term, rating in _page_rows(db, self.SQL, w, page):
            line = self._lines.get((term, rating))
            if line is None:
                line = self._lines[term, rating] = f"Rèn luyện {Semester(term).short}: {_RATED[rating]}"
            out[sid].append(line)
        pieces = {}
        for sid, lines in out.items():
            key = tuple(lines)
            piece = self._shared.get(key)
            if piece is None:
                piece = self._shared[key] = Piece(lines, ", ".join(x.replace("Rèn luyện", "RL").replace(":", "")
                                                                   for x in lines))
            pieces[sid] = piece
        return pieces


class Absences:
    """Approved absences, each listed, or counted."""

    name = "absences"
    maybe = approved_in("attendance")
    SQL = ("SELECT student_id, date, session, excused FROM attendance WHERE student_id IN ({ids}) "
           "AND +status = 'approved' AND approved_at > ? AND approved_at <= ? ORDER BY student_id, date, session")

    def read(self, db, w: Window, page: Page) -> dict[int, Piece]:
        """The page's new absences, per child."""
        out: dict[int, list[tuple]] = defaultdict(list)
        for sid, day, session, excused in _page_rows(db, self.SQL, w, page):
            out[sid].append((date.fromisoformat(day), Session(session), bool(excused)))
        pieces = {}
        for sid, rows in out.items():
            lines = [f"Vắng {fmt_date(d)} {s.value} ({'có phép' if ex else 'không phép'})" for d, s, ex in rows]
            unexcused = sum(1 for _, _, ex in rows if not ex)
            summary = f"vắng {len(rows)} buổi" + (f" ({unexcused} không phép)" if unexcused else "")
            pieces[sid] = Piece(lines, summary, f"vắng {len(rows)}")
        return pieces


class Comments:
    """Teachers' approved comments, each quoted, or counted."""

    name = "comments"
    maybe = approved_in("comments")
    SQL = ("SELECT student_id, subject_code, body FROM comments WHERE student_id IN ({ids}) "
           "AND +status = 'approved' AND approved_at > ? AND approved_at <= ? ORDER BY student_id, date, id")

    def read(self, db, w: Window, page: Page) -> dict[int, Piece]:
        """The page's new comments, per child."""
        out: dict[int, list[str]] = defaultdict(list)
        for sid, subject, body in _page_rows(db, self.SQL, w, page):
            out[sid].append(f"NX{' ' + subject if subject else ''}: {body.rstrip('. ')}")
        return {sid: Piece(lines, f"{len(lines)} nhận xét mới") for sid, lines in out.items()}


class Events:
    """Upcoming events and announcements of the child's class and of the whole school (read once a run)."""

    name = "events"
    SQL = ("SELECT class_id, date, kind, title FROM events WHERE school_id = ? AND +status = 'approved' "
           "AND approved_at > ? AND approved_at <= ? AND date >= ? ORDER BY date, id")

    def __init__(self):
        self._cache: tuple | None = None
        self._of_class: dict[int | None, Piece | None] = {}

    def _events(self, db, w: Window) -> list[tuple[int | None, str]]:
        """(class id or None, line) of the window's events (the school's few rows, read once per window)."""
        key = (w.school_id, w.after, w.until, w.day)
        if self._cache is None or self._cache[0] != key:
            rows = db.execute(self.SQL, [w.school_id, w.after, w.until, w.day.isoformat()]).fetchall()
            self._cache = (key, [(cid, f"{'TB' if kind == 'thongbao' else 'Lịch'} "
                                       f"{fmt_date(date.fromisoformat(d))} {title}") for cid, d, kind, title in rows])
            self._of_class = {}
        return self._cache[1]

    def maybe(self, db, w: Window) -> bool:
        return bool(self._events(db, w))

    def read(self, db, w: Window, page: Page) -> dict[int, Piece]:
        """Each child's new events."""
        events = self._events(db, w)
        if not events:
            return {}
        pieces, of_class = {}, self._of_class
        for sid in page.student_ids:
            cid = page.class_of.get(sid)
            if cid not in of_class:         # the same lines for a whole class: one Piece it shares
                lines = [line for event_class, line in events if event_class is None or event_class == cid]
                of_class[cid] = Piece(lines, f"{len(lines)} lịch/thông báo mới") if lines else None
            piece = of_class[cid]
            if piece is not None:
                pieces[sid] = piece
        return pieces


class WindowLines:
    """A level's source whose news is read once per window (``load(db, school_id, after, until)``, an object with
    ``students()``, the children it may have lines for, ``lines(student_id)`` and ``summary(student_id)``): the
    primary TT27 lines, the kindergarten lines."""

    def __init__(self, name: str, load, brief: str):
        self.name, self._load, self._brief = name, load, brief
        self._cache: tuple | None = None

    def _found(self, db, w: Window):
        """(the window's lines, the children they are about), loaded once per window."""
        key = (w.school_id, w.after, w.until)
        if self._cache is None or self._cache[0] != key:
            found = self._load(db, w.school_id, w.after or None, w.until)
            self._cache = (key, found, found.students())
        return self._cache[1], self._cache[2]

    def maybe(self, db, w: Window) -> bool:
        return bool(self._found(db, w)[1])

    def read(self, db, w: Window, page: Page) -> dict[int, Piece]:
        """Each child of the page with lines in this window, as a Piece (its summary from the level's own words)."""
        found, known = self._found(db, w)
        pieces = {}
        for sid in known.intersection(page.class_of) if known else ():
            lines = found.lines(sid)
            if lines:
                pieces[sid] = Piece(lines, found.summary(sid), f"{len(lines)} {self._brief}")
        return pieces


@dataclass(frozen=True)
class NewsSource:
    """One domain's news in the digest: ``make(full)`` gives a fresh source (a run's caches are its own) whose
    ``read(db, window, page)`` returns {student id: Piece}: the detailed lines and the one-part summary, and
    whose ``maybe(db, window)`` is False only when the window surely holds none of its news (a light evening
    then reads no page of it)."""

    name: str
    make: Callable[[bool], object]


# Every news source, one line each, in the order their lines appear; a new domain adds its own here.
NEWS_SOURCES: list[NewsSource] = [
    NewsSource("grades", lambda full: Grades(None if full else 12)),
    NewsSource("conduct", lambda full: Conduct()),
    NewsSource("absences", lambda full: Absences()),
    NewsSource("comments", lambda full: Comments()),
    NewsSource("events", lambda full: Events()),
    NewsSource("primary", lambda full: WindowLines("primary", digest_primary.source, "mục đánh giá mới")),
    NewsSource("preschool", lambda full: WindowLines("preschool", digest_preschool.source, "tin mầm non mới")),
]


def sources(*, full: bool = False) -> list:
    """The digest's news sources (NEWS_SOURCES), fresh for one run, in the order their lines appear.

    ``full``: every score listed however many (the e-mail, which has room).
    """
    return [source.make(full) for source in NEWS_SOURCES]


def subjects_of(db, school_id: int) -> dict[tuple[str, int], tuple[SubjectKind, int]]:
    """(code, grade) -> (kind, TX a term) of every subject of the school."""
    return {(code, grade): (SubjectKind(kind), tx_count(periods)) for code, grade, kind, periods in db.execute(
        "SELECT code, grade, kind, periods_per_year FROM subjects WHERE school_id = ?", [school_id])}
