"""Helpers for the parents' website tests: logging in, reading the score table and the SMS answers, past years.

SHOWCASE families (demo.school): 0912345678 has DD900001 Nguyễn Thị Hoa
(THCS-DD 8A2) and CVA900001 Nguyễn Minh An (THPT-CVA 11A1); 0987654321 has
DD900002 Lê Hoàng Nam (THCS-DD 7A1).
"""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser

from store.school import guardian_accounts, otp
from store.core.clock import iso, local_today, school_year_of, utcnow
from store.school.phones import normalise
from store.core.text import fold

from . import builders
from .fixtures_web import post_form

HOA, AN, NAM = "DD900001", "CVA900001", "DD900002"
PASSWORD = "mat-khau-1"


def set_password(db, phone: str, password: str = PASSWORD) -> int:
    """The parent's web password, set the way the MK code does it."""
    e164 = normalise(phone)
    gid = guardian_accounts.guardian_id(db, e164)
    return guardian_accounts.set_password(db, e164, otp.issue(db, gid, 600), password)


def login_parent(client, db, phone: str = "0912345678"):
    set_password(db, phone)
    r = post_form(client, "/parent/login", {"phone": phone, "password": PASSWORD})
    assert r.status_code == 302, r.get_data(as_text=True)
    return r


class Cells(HTMLParser):
    """Text of every <td data-col> of every <tr data-subject> (and of elements with an id)."""

    def __init__(self, html: str):
        super().__init__()
        self.rows: dict[str, dict[str, str]] = {}
        self.ids: dict[str, str] = {}
        self._row = self._col = self._id = None
        self._depth = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and "data-subject" in a:
            self._row = a["data-subject"]
            self.rows.setdefault(self._row, {})
        if tag == "td" and self._row and "data-col" in a:
            self._col = a["data-col"]
            self.rows[self._row][self._col] = ""
        if "id" in a and self._id is None:
            self._id, self._depth = a["id"], 0
            self.ids[self._id] = ""
        if self._id is not None:
            self._depth += 1

    def handle_endtag(self, tag):
        if tag == "td":
            self._col = None
        if tag == "tr":
            self._row = None
        if self._id is not None:
            self._depth -= 1
            if self._depth == 0:
                self._id = None

    def handle_data(self, data):
        if self._row and self._col:
            self.rows[self._row][self._col] += data
        if self._id is not None:
            self.ids[self._id] += data


def cell(cells: Cells, subject: str, col: str) -> str:
    return " ".join(cells.rows[subject][col].split())


def number_part(text: str) -> str:
    """'7.9 chưa đủ…' -> '7.9'; '' when the cell has no score; marks folded (Đ -> D) as the SMS sends them."""
    m = re.match(r"^(\d+(?:\.\d)?|Đ|CĐ)(?:\s|$)", text)
    return fold(m.group(1)) if m else ""


def sms_fields(reply: str) -> dict[str, str]:
    """'… HK1: TX 8 7.5 9; GK 8; CK 7.5; TB 7.9' -> {'TX': '8 7.5 9', 'GK': '8', 'CK': '7.5', 'TB': '7.9'}."""
    body = reply.split(": ", 1)[1]
    body = re.sub(r"\s*\(.*?\)", "", body)
    out = {}
    for part in body.split("; "):
        key, _, value = part.strip().partition(" ")
        out[key] = value.strip()
    return out


def current_year(settings) -> str:
    return school_year_of(local_today(settings.sms.timezone))


def previous(year: str) -> str:
    first = int(year[:4]) - 1
    return f"{first}-{first + 1}"


def student(db, code: str) -> tuple[int, int]:
    return tuple(db.execute("SELECT id, school_id FROM students WHERE code = ?", [code]).fetchone())


def add_year(db, phone: str, code: str, year: str, class_name: str, grade: int, active: bool = True) -> int:
    """Enrol the showcase child in ``class_name`` for ``year`` and link ``phone`` to them that year."""
    sid, school_id = student(db, code)
    cid = db["classes"].insert({"school_id": school_id, "school_year": year, "name": class_name, "grade": grade,
                                "homeroom_teacher": "Đỗ Thu Hà"}).last_pk
    db["enrollments"].insert({"student_id": sid, "school_year": year, "class_id": cid})
    gid = db.execute("SELECT id FROM guardians WHERE phone = ?", [normalise(phone)]).fetchone()[0]
    db["guardian_links"].insert({"guardian_id": gid, "student_id": sid, "school_year": year, "relation": "Bố",
                                 "consent_source": "import", "consent_at": iso(utcnow()), "active": int(active)})
    return sid


def add_scores(db, sid: int, year: str, subject: str, term: int, tx, gk=None, ck=None, status="approved",
               day: str | None = None) -> None:
    builders.add_scores(db, sid, year, subject, term, tx, gk, ck, status=status, date=day, entered_by="test",
                        **(builders.approved_by() if status == "approved" else {}))


def half_up(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def audit_rows(db, action: str) -> list[tuple]:
    return db.execute("SELECT actor, student_id, detail FROM audit_log WHERE action = ? ORDER BY id",
                      [action]).fetchall()


def opted(db, phone: str) -> dict[str, int]:
    return dict(db.execute(
        "SELECT s.code, l.digest_opt_out FROM guardian_links l JOIN students s ON s.id = l.student_id "
        "JOIN guardians g ON g.id = l.guardian_id WHERE g.phone = ? AND l.active = 1", [normalise(phone)]))
