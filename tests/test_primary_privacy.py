"""No reply, page or digest of a primary pupil holds a rank, an average across subjects or another pupil's data.

Every guardian of the demo primary school (after a complete year end for everyone) asks every keyword
in every form, gets the evening digest and opens their children's list, each child's page and its week of
scores; every rendered text is grepped.
"""
from __future__ import annotations

import re

from outbox import digest
from store.school import guardian_accounts, otp
from store.core.clock import utcnow
from store.rules import tt27
from store.core.text import fold

from .fixtures_commands import Conversation, hk1_day
from .fixtures_web import post_form
from .test_primary_web import web_settings  # noqa: F401  (the web app on the primary school)

FORBIDDEN = re.compile(r"\bxep hang\b|\bhang \d|\bthu \d+\b|trung binh|\btb\b|average|\bcao nhat\b|\bthap nhat\b|"
                       r"so voi|\bca lop\b|\bdung dau\b", re.I)
ASKS = ["DIEM", "KQ", "NX", "RL", *(f"DIEM {p.value}" for p in tt27.POINTS), *(f"KQ {p.value}" for p in tt27.POINTS),
        *(f"DIEM {code}" for code in tt27.SUBJECT_ORDER), "DIEM TOAN CN", "DIEM TV GK1", "KQ CANAM"]


def _complete_the_year(db):
    """CN levels, tests and qualities for every pupil, copied from CK1 and approved now."""
    db.execute("INSERT INTO primary_assessments (student_id, school_year, point, subject_code, level, score, comment, "
               "status, entered_at, approved_at) SELECT student_id, school_year, 'CN', subject_code, level, score, "
               "comment, 'approved', entered_at, ? FROM primary_assessments WHERE point = 'CK1'", [utcnow().isoformat()])
    db.execute("INSERT INTO primary_qualities (student_id, school_year, point, code, level, status, entered_at, "
               "approved_at) SELECT student_id, school_year, 'CN', code, level, 'approved', entered_at, ? "
               "FROM primary_qualities WHERE point = 'CK1'", [utcnow().isoformat()])


def _families(db):
    rows = db.execute("SELECT g.phone, s.full_name FROM guardians g JOIN guardian_links l ON l.guardian_id = g.id "
                      "JOIN students s ON s.id = l.student_id JOIN schools sc ON sc.id = s.school_id "
                      "WHERE sc.code = 'TH-KD'").fetchall()
    out: dict[str, set[str]] = {}
    for phone, name in rows:
        out.setdefault(phone, set()).add(fold(name))
    return out


def _check(text: str, own: set[str], everyone: set[str], where: str) -> None:
    folded = fold(text)
    assert not FORBIDDEN.search(folded), f"{where}: {FORBIDDEN.search(folded).group(0)!r} in {text!r}"
    for name in everyone - own:
        if any(name in mine for mine in own):
            continue            # 'Tran Gia Ha' inside one's own 'Tran Gia Hai'
        assert not re.search(rf"\b{re.escape(name)}\b", folded), f"{where}: another pupil ({name}) in {text!r}"


def test_every_primary_text_is_free_of_ranks_averages_and_other_pupils(primary_db, sms_settings, client):
    _complete_the_year(primary_db)
    families = _families(primary_db)
    everyone = set().union(*families.values())
    talk = Conversation(primary_db, sms_settings)
    for phone, own in families.items():
        national = "0" + phone[3:]
        for ask in ASKS:
            _check(talk.send(national, ask) or "", own, everyone, f"{national} > {ask}")
    day = hk1_day(sms_settings)
    school = primary_db.execute("SELECT id FROM schools WHERE code = 'TH-KD'").fetchone()[0]
    digest.build(primary_db, sms_settings, school, day)
    bodies = primary_db.execute("SELECT phone, body FROM messages WHERE kind = 'digest'").fetchall()
    assert len(bodies) == len(families)
    for phone, body in bodies:
        _check(body, families[phone], everyone, f"digest to {phone}")
    one = next(iter(families))
    gid = guardian_accounts.guardian_id(primary_db, one)
    guardian_accounts.set_password(primary_db, one, otp.issue(primary_db, gid, 600), "mat-khau-1")
    primary_db.execute("UPDATE guardians SET password_hash = (SELECT password_hash FROM guardians WHERE id = ?)", [gid])
    # One real login; every other guardian (same password hash) gets that session's fingerprint, so
    # parent_required checks each of them as it checks a login, without 27 password hashings.
    assert post_form(client, "/parent/login", {"phone": one, "password": "mat-khau-1"}).status_code == 302
    with client.session_transaction() as sess:
        fingerprint = sess["pw"]
    for phone, own in families.items():
        with client.session_transaction() as sess:
            sess["guardian_id"] = guardian_accounts.guardian_id(primary_db, phone)
            sess["pw"] = fingerprint
        index = client.get("/parent/").get_data(as_text=True)
        _check(_visible(index), own, everyone, f"children of {phone}")
        for code in set(re.findall(r"/parent/child/([A-Z0-9]+)", index)):
            visible = _visible(client.get(f"/parent/child/{code}").get_data(as_text=True))
            _check(visible, own, everyone, f"page of {code} for {phone}")
            assert "Kết quả cuối năm" in visible and "tạm tính" in visible
            week = client.get(f"/parent/child/{code}/week")
            assert week.status_code == 200
            _check(_visible(week.get_data(as_text=True)), own, everyone, f"week of {code} for {phone}")


def _visible(page: str) -> str:
    return " ".join(re.sub(r"<(script|style)[^>]*>.*?</\1>|<[^>]+>", " ", page, flags=re.S).split())
