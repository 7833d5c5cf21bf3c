"""Conversation fixtures: run transcripts against the demo school (school_db)."""
from __future__ import annotations

import re
from datetime import date

import pytest

import settings as settings_mod
from commands.service import answer
from store.core.clock import iso, local_today, school_year_of, utcnow


def hk1_day(settings) -> date:
    """28 November of the current school year: inside HK1 whatever day the tests run."""
    year = int(school_year_of(local_today(settings.sms.timezone))[:4])
    return date(year, 11, 28)


class Conversation:
    """Texts in, replies out, like the RapidSMS scripted harness."""

    def __init__(self, db, settings, today: date | None = None):
        self.db, self.settings = db, settings
        self.today = today or hk1_day(settings)
        self.log: list[str] = []

    def send(self, phone: str, text: str) -> str | None:
        """One text; returns the reply text (None = silence)."""
        result = answer(self.db, self.settings, phone, text, today=self.today)
        reply = result.reply.text if result.reply else None
        self.log += [f"{phone} > {text}", f"{phone} < {reply}"]
        return reply

    def run(self, script: str) -> None:
        """Check a transcript: '0912 > text' sends; the following '0912 < reply' must match exactly
        ('0912 ~ fragment' checks a fragment, '0912 < (none)' checks silence). A line without a
        phone and an arrow continues the reply above it (a reply of several lines)."""
        last = {}
        for line in _entries(script):
            phone, arrow, rest = line.split(" ", 2) if line.count(" ") >= 2 else (*line.split(" "), "")
            if arrow == ">":
                last[phone] = self.send(phone, rest)
            elif arrow == "~":
                assert last[phone] is not None and rest in last[phone], f"{rest!r} not in {last[phone]!r}"
            elif rest == "(none)":
                assert last[phone] is None, f"expected silence, got {last[phone]!r}"
            else:
                assert last[phone] == rest, f"\nexpected: {rest}\n     got: {last[phone]}"


_ENTRY = re.compile(r"^\+?\d+ [<>~] ?")


def _entries(script: str) -> list[str]:
    """The transcript's lines without comments, continuation lines joined to their reply."""
    out: list[str] = []
    for line in (l.strip() for l in script.strip().splitlines()):
        if not line or line.startswith("#"):
            continue
        if _ENTRY.match(line) or not out:
            out.append(line)
        else:
            out[-1] += "\n" + line
    return out


@pytest.fixture
def sms_settings(tmp_path):
    """Default settings (the product's config.toml), transliteration on."""
    return settings_mod.load(settings_mod.DEFAULT_CONFIG, env={})


@pytest.fixture
def convo(school_db, sms_settings):
    """A conversation with the demo school (SHOWCASE families of demo.school)."""
    return Conversation(school_db, sms_settings)


TWINS_PHONE = "0909111222"


def add_twins(db, phone: str = TWINS_PHONE) -> tuple[int, int]:
    """A guardian with two children in one class (THCS-DD 8A2): Tran Van Long (C1), Tran Thi Mai (C2).

    Two of the class's generated pupils are renamed, so they keep their
    scores, conduct and absences.
    """
    rows = db.execute(
        "SELECT s.id, e.school_year FROM students s JOIN enrollments e ON e.student_id = s.id "
        "JOIN classes c ON c.id = e.class_id WHERE c.name = '8A2' AND s.code NOT LIKE 'DD9%' "
        "ORDER BY s.id LIMIT 2").fetchall()
    (long_id, year), (mai_id, _) = rows
    db.execute("UPDATE students SET full_name = 'Trần Văn Long', given_name_folded = 'LONG' WHERE id = ?", [long_id])
    db.execute("UPDATE students SET full_name = 'Trần Thị Mai', given_name_folded = 'MAI' WHERE id = ?", [mai_id])
    now = iso(utcnow())
    gid = db.execute("INSERT INTO guardians (phone, full_name, created_at) VALUES (?, 'Trần Văn Tú', ?)",
                     ["+84" + phone[1:], now]).lastrowid
    for sid in (long_id, mai_id):
        db.execute("INSERT INTO guardian_links (guardian_id, student_id, school_year, relation, consent_source, "
                   "consent_at) VALUES (?, ?, ?, 'Bố', 'import', ?)", [gid, sid, year, now])
    db.conn.commit()
    return long_id, mai_id


@pytest.fixture
def twins_convo(school_db, sms_settings):
    """A conversation with the demo school plus the twins' family (add_twins)."""
    add_twins(school_db)
    return Conversation(school_db, sms_settings)
