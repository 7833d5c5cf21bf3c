"""Builders that insert precise rows (schools, classes, students, guardians, grades, …) for store tests.

    def test_x(store_builder):
        b = store_builder
        school = b.school("THCS01")
        cls = b.klass(school, "8A2", grade=8)
        an = b.student(cls, "HS001", "Nguyễn Minh An")
        b.guardian_link("+84912345678", an)
        b.grade(an, "TOAN", term=1, kind="TX", seq=1, value="8")
"""

from __future__ import annotations

import itertools

import pytest

from store.core.text import given_name

YEAR = "2025-2026"
APPROVED_AT = "2025-10-01T10:00:00.000Z"
ENTERED_AT = "2025-10-01T09:00:00.000Z"


class StoreBuilder:
    """Inserts rows with sensible defaults; every method returns the new row's id."""

    def __init__(self, db):
        self.db = db
        self._counter = itertools.count(1)

    def _insert(self, table: str, row: dict) -> int:
        return self.db[table].insert(row).last_pk

    def _approval(self, approved: bool, approved_at: str | None) -> dict:
        return {"status": "approved" if approved else "pending", "entered_by": "test", "entered_at": ENTERED_AT,
                "approved_by": "reviewer" if approved else None,
                "approved_at": (approved_at or APPROVED_AT) if approved else None}

    def school(self, code: str = "THCS01", level: str = "THCS", name: str | None = None) -> int:
        """A school; returns its id."""
        return self._insert("schools", {"code": code, "name": name or f"Truong {code}", "level": level,
                                        "created_at": ENTERED_AT})

    def term(self, school_id: int, term: int, starts_on: str, ends_on: str, school_year: str = YEAR) -> int:
        """One term's dates."""
        return self._insert("terms", {"school_id": school_id, "school_year": school_year, "term": term,
                                      "starts_on": starts_on, "ends_on": ends_on})

    def klass(self, school_id: int, name: str = "8A2", grade: int = 8, school_year: str = YEAR,
              homeroom_teacher: str | None = "Tran Thi Lan") -> int:
        """A class of a school year."""
        return self._insert("classes", {"school_id": school_id, "school_year": school_year, "name": name,
                                        "grade": grade, "homeroom_teacher": homeroom_teacher})

    def subject(self, school_id: int, code: str, grade: int = 8, kind: str = "diem", periods: int = 105,
                name: str | None = None) -> int:
        """A subject of a grade (kind 'diem' or 'nhanxet')."""
        return self._insert("subjects", {"school_id": school_id, "code": code, "name": name or code.title(),
                                         "kind": kind, "grade": grade, "periods_per_year": periods})

    def student(self, class_id: int, code: str | None = None, full_name: str = "Nguyễn Minh An",
                school_year: str = YEAR) -> int:
        """A student enrolled in ``class_id`` for ``school_year`` (at the class's school)."""
        school_id = self.db.execute("SELECT school_id FROM classes WHERE id = ?", [class_id]).fetchone()[0]
        code = code or f"HS{next(self._counter):05d}"
        sid = self._insert("students", {"code": code, "full_name": full_name,
                                        "given_name_folded": given_name(full_name), "school_id": school_id})
        self.enroll(sid, class_id, school_year)
        return sid

    def enroll(self, student_id: int, class_id: int, school_year: str = YEAR) -> None:
        """Put a student in a class for a school year."""
        self.db["enrollments"].insert({"student_id": student_id, "school_year": school_year,
                                       "class_id": class_id})

    def guardian(self, phone: str = "+84912345678", full_name: str | None = "Nguyen Van Binh",
                 email: str | None = None) -> int:
        """A guardian by E.164 phone (reused when it exists)."""
        row = self.db.execute("SELECT id FROM guardians WHERE phone = ?", [phone]).fetchone()
        if row:
            return row[0]
        return self._insert("guardians", {"phone": phone, "full_name": full_name, "email": email,
                                          "created_at": ENTERED_AT})

    def guardian_link(self, phone: str, student_id: int, school_year: str = YEAR, active: bool = True,
                      digest_opt_out: bool = False, relation: str = "Bo") -> int:
        """Link the guardian with ``phone`` to a student for a school year; returns the link id."""
        gid = self.guardian(phone)
        return self._insert("guardian_links", {"guardian_id": gid, "student_id": student_id,
                                               "school_year": school_year, "relation": relation,
                                               "consent_source": "import", "consent_at": ENTERED_AT,
                                               "digest_opt_out": int(digest_opt_out), "active": int(active)})

    def grade(self, student_id: int, subject: str, value: str, *, term: int = 1, kind: str = "TX", seq: int = 1,
              school_year: str = YEAR, approved: bool = True, corrected: bool = False,
              approved_at: str | None = None) -> int:
        """One score row (value as text: '7.5', 'D', 'CD')."""
        return self._insert("grades", {"student_id": student_id, "subject_code": subject, "school_year": school_year,
                                       "term": term, "kind": kind, "seq": seq, "value": value,
                                       "corrected": int(corrected), **self._approval(approved, approved_at)})

    def scores(self, student_id: int, subject: str, tx: list[str], gk: str | None = None, ck: str | None = None,
               *, term: int = 1, **kw) -> None:
        """A term's TX list plus GK and CK of one subject."""
        for seq, value in enumerate(tx, start=1):
            self.grade(student_id, subject, value, term=term, kind="TX", seq=seq, **kw)
        if gk is not None:
            self.grade(student_id, subject, gk, term=term, kind="GK", **kw)
        if ck is not None:
            self.grade(student_id, subject, ck, term=term, kind="CK", **kw)

    def result(self, student_id: int, term: int, learning: str, school_year: str = YEAR,
               approved: bool = True, approved_at: str | None = None) -> None:
        """An official learning result row."""
        self.db["results"].insert({"student_id": student_id, "school_year": school_year, "term": term,
                                   "learning": learning, **self._approval(approved, approved_at)})

    def conduct(self, student_id: int, term: int, rating: str, school_year: str = YEAR,
                approved: bool = True, approved_at: str | None = None) -> None:
        """A conduct rating row (term 0 = year)."""
        self.db["conduct"].insert({"student_id": student_id, "school_year": school_year, "term": term,
                                   "rating": rating, **self._approval(approved, approved_at)})

    def absence(self, student_id: int, day: str, session: str = "N", excused: bool = True,
                approved: bool = True, approved_at: str | None = None, reason: str | None = None) -> int:
        """An attendance row."""
        return self._insert("attendance", {"student_id": student_id, "date": day, "session": session,
                                           "excused": int(excused), "reason": reason,
                                           **self._approval(approved, approved_at)})

    def comment(self, student_id: int, day: str, body: str, subject: str = "", approved: bool = True,
                approved_at: str | None = None) -> int:
        """A teacher comment row."""
        return self._insert("comments", {"student_id": student_id, "date": day, "subject_code": subject,
                                         "body": body, **self._approval(approved, approved_at)})

    def event(self, school_id: int, day: str, title: str, kind: str = "thi", class_id: int | None = None,
              body: str = "", approved: bool = True, approved_at: str | None = None) -> int:
        """An event or announcement (kind 'thongbao'); class_id None = whole school."""
        return self._insert("events", {"school_id": school_id, "class_id": class_id, "date": day, "kind": kind,
                                       "title": title, "body": body, **self._approval(approved, approved_at)})


@pytest.fixture
def store_builder(db) -> StoreBuilder:
    """A StoreBuilder over the fresh ``db``."""
    return StoreBuilder(db)
