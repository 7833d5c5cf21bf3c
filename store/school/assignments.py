"""Teaching assignments per term: the assignment in force, a teacher's scope, the diff between terms.

The assignment *in force* at a school on a day is the latest term of the
current school year, up to the current term, that has one: a term whose
file has not been imported yet keeps the previous term's, and a file
imported ahead of its term waits for the term to start.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlite_utils

from store.school import terms
from store.rules.periods import Semester
from store.school.subjects import sort_key

from store.school.roster import by_user

TermKey = tuple[str, Semester]      # (school_year, term)


def previous(key: TermKey) -> TermKey:
    """The term before: HK2 -> HK1 of the same year, HK1 -> HK2 of the year before."""
    year, term = key
    if term == Semester.HK2:
        return year, Semester.HK1
    start = int(year[:4]) - 1
    return f"{start}-{start + 1}", Semester.HK2


def in_force(db: sqlite_utils.Database, school_id: int, today: date) -> TermKey | None:
    """The (school_year, term) whose assignment applies at ``school_id`` today; None when there is none."""
    current = terms.current_term(db, school_id, today)
    row = db.execute("SELECT term FROM teaching_assignments WHERE school_id = ? AND school_year = ? AND term <= ? "
                     "AND active = 1 ORDER BY term DESC LIMIT 1",
                     [school_id, current.school_year, current.term]).fetchone()
    return (current.school_year, row[0]) if row else None


def scope(db: sqlite_utils.Database, user_id: int, today: date) -> dict[int, frozenset[str]]:
    """Class id -> subject codes ('' = every subject, the homeroom teacher) an account may open today.

    What an admin granted by hand (user_classes) plus, for a staff member, the assignment in force.
    """
    found: dict[int, set[str]] = defaultdict(set)
    for class_id, code in db.execute("SELECT class_id, subject_code FROM user_classes WHERE user_id = ?", [user_id]):
        found[class_id].add(code)
    member = by_user(db, user_id)
    key = in_force(db, member.school_id, today) if member and member.active else None
    if key is not None:
        for class_id, code, homeroom in db.execute(
                "SELECT class_id, subject_code, homeroom FROM teaching_assignments WHERE staff_id = ? "
                "AND school_year = ? AND term = ? AND active = 1", [member.id, *key]):
            found[class_id].add("" if homeroom else code)
    return {cid: frozenset(codes) for cid, codes in found.items()}


@dataclass(frozen=True)
class Teaching:
    """One line of a teacher's assignment: a class, a subject (None: homeroom only), homeroom or not."""

    class_id: int
    class_name: str
    subject_code: str | None
    subject_name: str | None
    homeroom: bool


def of_staff(db: sqlite_utils.Database, staff_id: int, key: TermKey) -> list[Teaching]:
    """A staff member's active assignment rows in one term, by class then report-card order."""
    rows = db.execute(
        "SELECT c.id, c.name, ta.subject_code, (SELECT s.name FROM subjects s WHERE s.school_id = ta.school_id "
        "AND s.code = ta.subject_code AND s.grade = c.grade), ta.homeroom FROM teaching_assignments ta "
        "JOIN classes c ON c.id = ta.class_id WHERE ta.staff_id = ? AND ta.school_year = ? AND ta.term = ? "
        "AND ta.active = 1", [staff_id, *key]).fetchall()
    out = [Teaching(r[0], r[1], r[2] or None, r[3], bool(r[4])) for r in rows]
    return sorted(out, key=lambda t: (t.class_name, sort_key(t.subject_code or "")))


# -- the diff between two terms -----------------------------------------------------------------------------------
Item = tuple[str, str]              # (class name, subject code or 'CN' for the homeroom)


def _items(db, school_id: int, key: TermKey) -> dict[str, tuple[str, set[Item]]]:
    """ma_gv -> (name, what they teach) in one term."""
    out: dict[str, tuple[str, set[Item]]] = {}
    for code, name, klass, subject, homeroom in db.execute(
            "SELECT st.code, st.full_name, c.name, ta.subject_code, ta.homeroom FROM teaching_assignments ta "
            "JOIN staff st ON st.id = ta.staff_id JOIN classes c ON c.id = ta.class_id "
            "WHERE ta.school_id = ? AND ta.school_year = ? AND ta.term = ? AND ta.active = 1", [school_id, *key]):
        items = out.setdefault(code, (name, set()))[1]
        if subject:
            items.add((klass, subject))
        if homeroom:
            items.add((klass, "CN"))
    return out


def _show(items) -> str:
    return ", ".join(f"CN {k}" if s == "CN" else f"{k} {s}" for k, s in sorted(items, key=lambda i: (i[0], i[1])))


@dataclass
class Diff:
    """What a term's assignment changed against the previous term, per teacher."""

    school_code: str
    term: TermKey
    against: TermKey
    rows: int = 0
    before_rows: int = 0
    added: list[tuple[str, str, set]] = field(default_factory=list)       # (ma_gv, name, items)
    moved: list[tuple[str, str, set, set]] = field(default_factory=list)  # (ma_gv, name, gone, new)
    removed: list[tuple[str, str, set]] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The diff as the import prints it (one header line, then one line per teacher)."""
        year, term = self.term
        pyear, pterm = self.against
        head = f"{self.school_code} HK{term} {year}: {self.rows} phân công"
        if not self.before_rows:
            return [head + f"; chưa có phân công HK{pterm} {pyear} để so sánh"]
        head += (f"; so với HK{pterm} {pyear}: {len(self.added)} giáo viên thêm (added), {len(self.moved)} chuyển "
                 f"(moved), {len(self.removed)} thôi (removed)")
        out = [head]
        out += [f"  thêm (added) {c} {n}: {_show(i)}" for c, n, i in self.added]
        out += [f"  chuyển (moved) {c} {n}: " + "; ".join(p for p in (g and "bỏ " + _show(g), a and "nhận " + _show(a))
                                                          if p) for c, n, g, a in self.moved]
        out += [f"  thôi (removed) {c} {n}: {_show(i)}" for c, n, i in self.removed]
        return out


def _planned(db, school_id: int, key: TermKey, planned: set[tuple[int, int, str, int]],
             replace: bool) -> dict[str, tuple[str, set[Item]]]:
    """What ``key``'s assignment will be once the file's rows (staff, class, subject, homeroom) are in.

    A dry run writes nothing that stays (its transactions roll back), so the diff it prints is computed
    from the file's rows over what is stored (or from the rows alone with --replace).
    """
    out = {} if replace else _items(db, school_id, key)
    names = {cid: name for cid, name in db.execute("SELECT id, name FROM classes WHERE school_id = ?", [school_id])}
    people = {sid: (code, name) for sid, code, name in db.execute(
        "SELECT id, code, full_name FROM staff WHERE school_id = ?", [school_id])}
    homerooms = {names.get(cid) for _, cid, _, homeroom in planned if homeroom}
    for _, items in out.values():        # a class's new GVCN replaces the old one
        items.difference_update({(k, s) for k, s in items if s == "CN" and k in homerooms})
    for staff_id, class_id, subject, homeroom in planned:
        code, name = people.get(staff_id, ("?", "?"))
        items = out.setdefault(code, (name, set()))[1]
        items.add((names.get(class_id, "?"), "CN" if homeroom else subject))
    return {code: entry for code, entry in out.items() if entry[1]}


def diff(db: sqlite_utils.Database, school_id: int, school_code: str, key: TermKey,
         planned: set[tuple[int, int, str, int]] | None = None, replace: bool = False) -> Diff:
    """The assignment of ``key`` at a school (with ``planned`` rows of a file when given) against the previous term's."""
    now = _items(db, school_id, key) if planned is None else _planned(db, school_id, key, planned, replace)
    before = _items(db, school_id, previous(key))
    result = Diff(school_code, key, previous(key), rows=sum(len(i) for _, i in now.values()),
                  before_rows=sum(len(i) for _, i in before.values()))
    for code in sorted(set(now) | set(before)):
        name, new = now.get(code, (before.get(code, ("", set()))[0], set()))
        old = before.get(code, (name, set()))[1]
        if not old:
            result.added.append((code, name, new))
        elif not new:
            result.removed.append((code, name, old))
        elif old != new:
            result.moved.append((code, name, old - new, new - old))
    return result


def homerooms_to_sync(db: sqlite_utils.Database, today: date,
                      school_ids: list[int] | None = None) -> list[tuple[str, int | None, int]]:
    """(GVCN name, account id, class id) of the classes whose shown GVCN differs from the assignment in force
    ``today``; a locked (inactive) GVCN is shown as nobody (None, None). A read: the caller writes only these."""
    if school_ids is None:
        school_ids = [r[0] for r in db.execute("SELECT DISTINCT school_id FROM teaching_assignments")]
    out = []
    for school_id in school_ids:
        key = in_force(db, school_id, today)
        if key is not None:
            out += db.execute(
                "SELECT name, uid, cid FROM (SELECT CASE WHEN s.active THEN s.full_name END AS name, "
                "CASE WHEN s.active THEN s.user_id END AS uid, c.id AS cid, c.homeroom_teacher AS shown, "
                "c.homeroom_user_id AS shown_uid FROM teaching_assignments t JOIN staff s ON s.id = t.staff_id "
                "JOIN classes c ON c.id = t.class_id WHERE t.school_id = ? AND t.school_year = ? AND t.term = ? "
                "AND t.homeroom = 1 AND t.active = 1) WHERE shown IS NOT name OR shown_uid IS NOT uid",
                [school_id, *key]).fetchall()
    return out


def sync_homerooms(db: sqlite_utils.Database, today: date, school_ids: list[int] | None = None) -> int:
    """Each class's shown GVCN (classes.homeroom_teacher, homeroom_user_id) follows the assignment in force
    ``today``: a file imported ahead of its term renames nobody until the term starts, an older term's file
    imported late renames nobody back; a teacher an admin locked is shown as nobody. Classes without a homeroom
    row in force keep what they show. Runs in the caller's transaction; returns the classes changed."""
    changes = homerooms_to_sync(db, today, school_ids)
    db.conn.executemany("UPDATE classes SET homeroom_teacher = ?, homeroom_user_id = ? WHERE id = ?", changes)
    return len(changes)
