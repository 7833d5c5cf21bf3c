"""Does a document's text appear to contain a pupil's name or a guardian's phone from the school's roster?

Names are compared as whole folded word sequences (``Nguyễn Thị Hoa`` matches
``NGUYEN THI HOA`` but not ``Hoa``); phone numbers in the text are read in the
usual spellings (``0912 345 678``, ``+84 912.345.678``) and compared in E.164.
It only warns: the uploader decides.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlite_utils

from store.school.phones import PhoneError, mask, normalise
from store.core.text import fold

SHOWN = 5
MAX_NUMBERS = 2000      # phone-like numbers looked up per text (SQLite's variable limit is far above)
_WORD = re.compile(r"[0-9a-z]+")
_PHONE = re.compile(r"(?<!\d)(?:\+?84|0)(?:[ .\-]?\d){8,10}(?!\d)")


@dataclass
class Finding:
    """Pupils' names and roster phones found in one text (the first few of each, and how many)."""

    names: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)     # masked
    name_count: int = 0
    phone_count: int = 0

    def __bool__(self) -> bool:
        return bool(self.name_count or self.phone_count)

    def as_dict(self) -> dict:
        """The finding as stored (library_versions.privacy_warning, JSON)."""
        return {"names": self.names, "phones": self.phones, "name_count": self.name_count,
                "phone_count": self.phone_count}


def words(text: str) -> list[str]:
    """Folded lower-case words of ``text``."""
    return _WORD.findall(fold(text).lower())


def scan(db: sqlite_utils.Database, school_id: int, text: str) -> Finding:
    """What of the school's roster ``text`` appears to contain."""
    found = Finding()
    if not text:
        return found
    tokens = words(text)
    grams = {size: {tuple(tokens[i:i + size]) for i in range(len(tokens) - size + 1)} for size in range(2, 7)}
    seen: set[tuple[str, ...]] = set()
    for (full_name,) in db.execute("SELECT full_name FROM students WHERE school_id = ?", [school_id]):
        key = tuple(words(full_name))
        if 2 <= len(key) <= 6 and key not in seen and key in grams[len(key)]:
            seen.add(key)
            found.name_count += 1
            if len(found.names) < SHOWN:
                found.names.append(full_name)
    numbers = _phones_in(text)
    if numbers:
        roster = _roster_phones(db, school_id, numbers)
        for phone in sorted(roster):
            found.phone_count += 1
            if len(found.phones) < SHOWN:
                found.phones.append(mask(phone))
    return found


def _phones_in(text: str) -> set[str]:
    out = set()
    for m in _PHONE.finditer(text):
        try:
            out.add(normalise(re.sub(r"[ .\-]", "", m.group(0))))
        except PhoneError:
            continue
    return out


def _roster_phones(db: sqlite_utils.Database, school_id: int, numbers: set[str]) -> set[str]:
    """Those of ``numbers`` that belong to a guardian linked to one of the school's pupils."""
    numbers = set(sorted(numbers)[:MAX_NUMBERS])
    marks = ",".join("?" * len(numbers))
    rows = db.execute(f"SELECT DISTINCT g.phone FROM guardians g JOIN guardian_links l ON l.guardian_id = g.id "
                      f"JOIN students s ON s.id = l.student_id WHERE s.school_id = ? AND g.phone IN ({marks})",
                      [school_id, *sorted(numbers)])
    return {r[0] for r in rows}
