"""Reply texts pinned byte for byte: a corpus of texts from many families of the demo school, answered in
order, must give exactly the replies stored in tests/data/reply_pins.json (text, encoding, command, kind,
school, children shown).

The file was written by the code before the MO answering path was made faster (issue #14): caches and
shortcuts there must never change a reply. A deliberate change of a reply regenerates it:
`REPLY_PINS_WRITE=1 .venv/bin/python -m pytest -q tests/test_reply_pins.py` (the run then skips), and the
diff of the JSON is reviewed like code.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from commands.service import answer

from .fixtures_commands import hk1_day

PINS = Path(__file__).parent / "data" / "reply_pins.json"

# As parents type them: spellings, glued forms, children by number and name, wrong words, and staff-only ones.
TEXTS = (
    "DIEM TOAN HK1", "diem van hk1", "Điểm Toán HK1", "diemtoanhk1", "DIEM TOAN HK2", "DIEM ANH CN", "DIEM HK1",
    "diem", "DIEM TOAN HK1 C2", "DIEM HOA HK1 C1", "xem diem toan cua chau Hoa", "DIEM TIENG ANH HOC KY 1",
    "DIEM LY", "VANG HK1", "vang", "VANG HK2 C2", "NX", "RL", "RL HK1", "KQ HK1", "KQ CN", "LICH", "LICH THI",
    "HD", "?", "TBAO", "CON", "GV", "DIEMM TOAN", "hello", "1", "DIEM TOAN HK1 C3", "diem toán ki 1 con 2",
)


def _families(db) -> list[str]:
    """The showcase families, the first guardians, and the first with several children (national form)."""
    showcase = ["0912345678", "0987654321", "0903000111"]
    first = [r[0] for r in db.execute("SELECT phone FROM guardians ORDER BY id LIMIT 12")]
    several = [r[0] for r in db.execute(
        "SELECT g.phone FROM guardians g JOIN guardian_links l ON l.guardian_id = g.id AND l.active = 1 "
        "GROUP BY g.id HAVING count(*) > 1 ORDER BY g.id LIMIT 6")]
    staff = [r[0] for r in db.execute("SELECT phone FROM staff WHERE phone IS NOT NULL ORDER BY id LIMIT 2")]
    return list(dict.fromkeys(showcase + first + several + staff + ["0977000999"]))   # and a stranger


def _replies(db, settings) -> list[list]:
    today = hk1_day(settings)
    out = []
    for phone in _families(db):
        for text in TEXTS:
            result = answer(db, settings, phone, text, today=today, rate_limit=False)
            reply = result.reply
            out.append([phone, text, result.command, None if reply is None else reply.text,
                        None if reply is None else reply.meta.get("encoding"),
                        None if reply is None else reply.kind.value,
                        None if reply is None else reply.school_id,
                        None if reply is None else list(reply.student_ids)])
    return out


def test_replies_are_the_pinned_ones(school_db, sms_settings):
    got = _replies(school_db, sms_settings)
    if os.environ.get("REPLY_PINS_WRITE") == "1":
        PINS.write_text(json.dumps(got, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
        pytest.skip(f"{PINS.name} written: review its diff")
    pinned = json.loads(PINS.read_text(encoding="utf-8"))
    assert len(got) == len(pinned) >= 500
    for now, then in zip(got, pinned):
        assert now == then, f"{now[0]} > {now[1]}"


def test_the_pinned_corpus_covers_every_kind_of_answer():
    """Replies with data, choices between children, hints, unknown words and silence are all pinned."""
    pinned = json.loads(PINS.read_text(encoding="utf-8"))
    commands = {row[2] for row in pinned}
    assert {"DIEM", "VANG", "NX", "RL", "KQ", "LICH", "HD", "?", "STRANGER"} <= commands
    assert any(row[3] is None for row in pinned) and len({row[3] for row in pinned}) > 200
