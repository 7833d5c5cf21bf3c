"""The parents' website on the demo school: children, scores by subject / term / week, past years, privacy.

SHOWCASE families (demo.school): 0912345678 has DD900001 Nguyễn Thị Hoa
(THCS-DD 8A2) and CVA900001 Nguyễn Minh An (THPT-CVA 11A1); 0987654321 has
DD900002 Lê Hoàng Nam (THCS-DD 7A1).
"""
from __future__ import annotations

import json
import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser

import pytest

from store.school import families, guardian_accounts, otp
from store.core.clock import iso, local_today, school_year_of, utcnow
from store.school.phones import normalise
from store.core.text import fold

from . import builders
from .fixtures_commands import Conversation
from .fixtures_web import csrf_of, post_form

HOA, AN, NAM = "DD900001", "CVA900001", "DD900002"
PASSWORD = "mat-khau-1"


# -- helpers -------------------------------------------------------------------------------------
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


# -- the children list ---------------------------------------------------------------------------
def test_a_parent_must_log_in(client):
    for url in ("/parent/", f"/parent/child/{HOA}", f"/parent/child/{HOA}/week"):
        r = client.get(url)
        assert r.status_code == 302 and r.headers["Location"].endswith("/parent/login")


def test_the_index_lists_this_years_children_with_school_class_and_links(client, school_db, web_settings):
    login_parent(client, school_db)
    html = client.get("/parent/").get_data(as_text=True)
    year = current_year(web_settings)
    assert f"năm học {year}" in html
    assert "Nguyễn Thị Hoa" in html and "Trường THCS Đống Đa" in html and "8A2" in html
    assert "Nguyễn Minh An" in html and "Trường THPT Chu Văn An" in html and "11A1" in html
    assert NAM not in html and "Lê Hoàng Nam" not in html
    assert f'href="/parent/child/{HOA}"' in html and f'href="/parent/child/{AN}/week"' in html
    # The list order is the SMS's C1, C2 (store.school.families).
    assert html.index(HOA) < html.index(AN)
    sids = {student(school_db, HOA)[0], student(school_db, AN)[0]}
    rows = audit_rows(school_db, "web:parent:children")
    assert {r[1] for r in rows} == sids and {r[0] for r in rows} == {"09xxxx5678"}


# -- the numbers equal the SMS answers -----------------------------------------------------------
@pytest.mark.parametrize("code", [HOA, AN])
def test_every_subject_on_the_page_equals_the_sms_diem_answer(client, school_db, web_settings, code):
    login_parent(client, school_db)
    sms = Conversation(school_db, web_settings)
    r = client.get(f"/parent/child/{code}?term=1")
    assert r.status_code == 200
    cells = Cells(r.get_data(as_text=True))
    assert len(cells.rows) >= 10
    summary = sms_fields(sms.send("0912345678", f"DIEM HK1 {code}"))
    assert set(summary) == set(cells.rows), "the same subjects as DIEM (THPT: the class's electives only)"
    for subject in cells.rows:
        word = "CONGNGHE" if subject == "CN" else subject
        detail = sms_fields(sms.send("0912345678", f"DIEM {word} HK1 {code}"))
        page_tx = " ".join(fold(v) for v in cell(cells, subject, "tx").split())
        assert page_tx == detail["TX"], subject
        assert fold(cell(cells, subject, "gk")) == detail["GK"], subject
        assert fold(cell(cells, subject, "ck")) == detail["CK"], subject
        result = number_part(cell(cells, subject, "result"))
        sms_result = detail.get("TB") or fold(detail.get("KQ", ""))
        if result in ("D", "CD"):
            assert sms_result == {"D": "Dat", "CD": "Chua dat"}[result], subject
        else:
            assert result == sms_result, subject
        assert (summary[subject] if summary[subject] != "-" else "") == result, subject


@pytest.mark.parametrize("code", [HOA, AN])
def test_learning_result_and_conduct_equal_the_sms_kq_answer(client, school_db, web_settings, code):
    login_parent(client, school_db)
    sms = Conversation(school_db, web_settings)
    for term, word in (("1", "HK1"), ("CN", "CN")):
        cells = Cells(client.get(f"/parent/child/{code}?term={term}").get_data(as_text=True))
        kq = sms.send("0912345678", f"KQ {word} {code}")
        learning = fold(" ".join(cells.ids["learning"].split()))
        conduct = fold(" ".join(cells.ids["conduct"].split()))
        assert learning.replace("Hoc tap: ", "Hoc tap ") in kq, (learning, kq)
        assert conduct.replace("Ren luyen: ", "Ren luyen ").replace("chua co danh gia", "chua co") in kq, (conduct, kq)


def test_the_year_view_equals_diem_mon_cn(client, school_db, web_settings):
    login_parent(client, school_db)
    sms = Conversation(school_db, web_settings)
    cells = Cells(client.get(f"/parent/child/{HOA}?term=CN").get_data(as_text=True))
    for subject in ("TOAN", "VAN", "ANH", "CN"):
        word = "CONGNGHE" if subject == "CN" else subject
        reply = sms_fields(sms.send("0912345678", f"DIEM {word} CN {HOA}"))
        assert [cell(cells, subject, c) for c in ("term1", "term2", "result")] == \
               [reply["HK1"], reply["HK2"], reply["CN"]]


def test_the_toan_average_is_the_hand_computed_tt22_one(client, school_db):
    login_parent(client, school_db)
    sid, _ = student(school_db, HOA)
    rows = school_db.execute("SELECT kind, value FROM grades WHERE student_id = ? AND subject_code = 'TOAN' "
                             "AND term = 1 AND status = 'approved' ORDER BY kind, seq", [sid]).fetchall()
    tx = [Decimal(v) for k, v in rows if k == "TX"]
    gk = next(Decimal(v) for k, v in rows if k == "GK")
    ck = next(Decimal(v) for k, v in rows if k == "CK")
    assert len(tx) == 4                                   # 140 periods a year: 4 TX a term
    expected = half_up((sum(tx) + 2 * gk + 3 * ck) / (len(tx) + 5))
    cells = Cells(client.get(f"/parent/child/{HOA}?term=1&subject=TOAN").get_data(as_text=True))
    assert list(cells.rows) == ["TOAN"]
    assert number_part(cell(cells, "TOAN", "result")) == format(expected.normalize(), "f")


def test_a_past_year_shows_hand_computed_averages_and_half_up_rounding(client, school_db, web_settings):
    year = current_year(web_settings)
    last = previous(year)
    sid = add_year(school_db, "0912345678", AN, last, "10A1", 10)
    # Vật lí has 70 periods: 3 TX. HK1 (7 + 7 + 7.5 + 2*7 + 3*7.5) / 8 = 58 / 8 = 7.25 -> 7.3 (half-up;
    # binary floats or banker's rounding give 7.2). HK2 (8 + 9 + 8 + 2*9 + 3*9.5) / 8 = 71.5 / 8 = 8.9375 -> 8.9.
    # Year (7.3 + 2*8.9) / 3 = 25.1 / 3 = 8.366… -> 8.4.
    add_scores(school_db, sid, last, "LY", 1, ["7", "7", "7.5"], "7", "7.5")
    add_scores(school_db, sid, last, "LY", 2, ["8", "9", "8"], "9", "9.5")
    login_parent(client, school_db)
    index = client.get("/parent/").get_data(as_text=True)
    assert f'href="/parent/child/{AN}?year={last}"' in index
    html = client.get(f"/parent/child/{AN}?year={last}&term=1").get_data(as_text=True)
    assert "10A1" in html and f"năm học {last}" in html
    cells = Cells(html)
    assert cell(cells, "LY", "tx") == "7 7 7.5" and cell(cells, "LY", "result") == "7.3"
    assert cell(Cells(client.get(f"/parent/child/{AN}?year={last}&term=2").get_data(as_text=True)),
                "LY", "result") == "8.9"
    year_cells = Cells(client.get(f"/parent/child/{AN}?year={last}").get_data(as_text=True))   # past: whole year
    assert [cell(year_cells, "LY", c) for c in ("term1", "term2", "result")] == ["7.3", "8.9", "8.4"]
    # The past year's page has no digest switch, no current events.
    assert 'name="digest"' not in html and "Lịch sắp tới" not in html
    detail = json.loads(audit_rows(school_db, "web:parent:view")[-1][2])
    assert detail["school_year"] == last


# -- privacy ---------------------------------------------------------------------------------------
def test_another_familys_child_is_a_404_like_a_code_that_does_not_exist(client, school_db):
    login_parent(client, school_db)
    client.get("/parent/")                                   # the session's CSRF token
    before = opted(school_db, "0987654321")
    for code in (NAM, "XX123456"):
        for url in (f"/parent/child/{code}", f"/parent/child/{code}?term=1", f"/parent/child/{code}/week"):
            assert client.get(url).status_code == 404
        r = client.post(f"/parent/child/{code}/digest", data={"digest": "off", "csrf_token": csrf_of(client)})
        assert r.status_code == 404
    assert client.get(f"/parent/child/{NAM}").get_data() == client.get("/parent/child/XX123456").get_data()
    assert opted(school_db, "0987654321") == before
    sid_nam = student(school_db, NAM)[0]
    assert not school_db.execute("SELECT 1 FROM audit_log WHERE student_id = ? AND action LIKE 'web:parent%'",
                                 [sid_nam]).fetchall()


def test_past_years_open_only_where_the_link_existed_and_was_active(client, school_db, web_settings):
    year = current_year(web_settings)
    last, before_last = previous(year), previous(previous(year))
    add_year(school_db, "0912345678", HOA, last, "7A2", 7)
    add_year(school_db, "0912345678", AN, last, "10A1", 10, active=False)
    login_parent(client, school_db)
    assert client.get(f"/parent/child/{HOA}?year={last}").status_code == 200
    assert client.get(f"/parent/child/{AN}?year={last}").status_code == 404          # link inactive
    assert client.get(f"/parent/child/{HOA}?year={before_last}").status_code == 404  # no link that year
    nxt = f"{int(year[:4]) + 1}-{int(year[:4]) + 2}"
    assert client.get(f"/parent/child/{HOA}?year={nxt}").status_code == 404          # not a past year
    html = client.get(f"/parent/child/{HOA}").get_data(as_text=True)
    options = re.findall(r'<option value="(\d{4}-\d{4})"', html)
    assert options == [year]                          # the past year has nothing approved to show yet
    add_scores(school_db, student(school_db, HOA)[0], last, "TOAN", 1, ["8"])
    html = client.get(f"/parent/child/{HOA}").get_data(as_text=True)
    assert re.findall(r'<option value="(\d{4}-\d{4})"', html) == [year, last]


def test_a_number_that_lost_its_link_this_year_sees_nothing(client, school_db, web_settings):
    year = current_year(web_settings)
    last = previous(year)
    add_year(school_db, "0987654321", NAM, last, "6A1", 6)
    school_db.execute("UPDATE guardian_links SET active = 0 WHERE school_year = ? AND guardian_id = "
                      "(SELECT id FROM guardians WHERE phone = ?)", [year, normalise("0987654321")])
    login_parent(client, school_db, "0987654321")
    html = client.get("/parent/").get_data(as_text=True)
    assert "chưa được nhà trường liên kết" in html and NAM not in html
    # Not this year, and not last year either: SPEC §9, a recycled number loses access with the year's list.
    for url in (f"/parent/child/{NAM}", f"/parent/child/{NAM}?year={last}", f"/parent/child/{NAM}/week"):
        assert client.get(url).status_code == 404


def test_a_pending_grade_is_never_shown(client, school_db, web_settings):
    login_parent(client, school_db)
    year = current_year(web_settings)
    sid, _ = student(school_db, HOA)
    first_tx = school_db.execute("SELECT date FROM grades WHERE student_id = ? AND subject_code = 'TOAN' AND "
                                 "kind = 'TX' AND seq = 1 AND term = 1", [sid]).fetchone()[0]
    page = Cells(client.get(f"/parent/child/{HOA}?term=1").get_data(as_text=True))
    week_before = client.get(f"/parent/child/{HOA}/week?week={first_tx}").get_data(as_text=True)
    add_scores(school_db, sid, year, "TOAN", 2, ["1.5", "2.5"], "3.5", "4.5", status="pending", day=first_tx)
    school_db.execute("UPDATE grades SET status = 'pending', value = '1' WHERE student_id = ? AND "
                      "subject_code = 'VAN' AND term = 1 AND kind = 'GK'", [sid])   # a correction waiting
    after = Cells(client.get(f"/parent/child/{HOA}?term=1").get_data(as_text=True))
    assert cell(after, "TOAN", "tx") == cell(page, "TOAN", "tx")
    assert cell(after, "VAN", "gk") == "" and "chưa đủ điểm" in cell(after, "VAN", "result")
    hk2 = Cells(client.get(f"/parent/child/{HOA}?term=2").get_data(as_text=True))
    assert cell(hk2, "TOAN", "tx") == "" and "chưa có điểm" in cell(hk2, "TOAN", "result")
    week_after = client.get(f"/parent/child/{HOA}/week?week={first_tx}").get_data(as_text=True)
    assert week_after.count("<tr data-subject") == week_before.count("<tr data-subject")
    assert "1.5" not in week_after


def test_every_view_of_a_childs_data_is_audited_with_the_masked_phone(client, school_db):
    login_parent(client, school_db)
    sid, school_id = student(school_db, HOA)
    client.get(f"/parent/child/{HOA}?term=1&subject=TOAN")
    client.get(f"/parent/child/{HOA}/week")
    view = school_db.execute("SELECT actor, school_id, student_id, detail FROM audit_log "
                             "WHERE action = 'web:parent:view'").fetchall()
    assert len(view) == 1 and view[0][:3] == ("09xxxx5678", school_id, sid)
    assert json.loads(view[0][3])["term"] == 1 and json.loads(view[0][3])["subject"] == "TOAN"
    week = audit_rows(school_db, "web:parent:week")
    assert len(week) == 1 and week[0][:2] == ("09xxxx5678", sid)


# -- the evening digest switch -------------------------------------------------------------------
def test_the_digest_switch_has_the_same_effect_as_huy_and_dk(client, school_db, web_settings):
    sms = Conversation(school_db, web_settings)
    login_parent(client, school_db)
    sms.send("0912345678", "HUY")
    html = client.get("/parent/").get_data(as_text=True)
    assert html.count('data-digest="off"') == 2 and 'data-digest="on"' not in html
    r = post_form(client, f"/parent/child/{HOA}/digest", {"digest": "on"}, get_from="/parent/")
    assert r.status_code == 302
    web_state = opted(school_db, "0912345678")
    sms.send("0912345678", "HUY")
    sms.send("0912345678", f"DK {HOA}")
    assert opted(school_db, "0912345678") == web_state == {HOA: 0, AN: 1}
    post_form(client, f"/parent/child/{AN}/digest", {"digest": "on"}, get_from="/parent/")
    post_form(client, f"/parent/child/{HOA}/digest", {"digest": "off"}, get_from="/parent/")
    web_state = opted(school_db, "0912345678")
    sms.send("0912345678", "DK")
    sms.send("0912345678", f"HUY {HOA}")
    assert opted(school_db, "0912345678") == web_state == {HOA: 1, AN: 0}
    # What the digest builder reads (store.school.families) sees the same.
    fam = families.guardian_by_phone(school_db, normalise("0912345678"), local_today(web_settings.sms.timezone))
    assert {c.code: c.digest_opt_out for c in fam.children} == {HOA: True, AN: False}
    assert [r[0] for r in audit_rows(school_db, "web:parent:digest-off")] == ["09xxxx5678"]


def test_the_digest_switch_refuses_bad_input_and_forged_forms(client, school_db):
    login_parent(client, school_db)
    before = opted(school_db, "0912345678")
    r = post_form(client, f"/parent/child/{HOA}/digest", {"digest": "maybe"}, get_from="/parent/")
    assert r.status_code == 400 and "digest phải là" in r.get_data(as_text=True)
    r = client.post(f"/parent/child/{HOA}/digest", data={"digest": "off"})
    assert r.status_code == 400 and "CSRF" in r.get_data(as_text=True)
    assert opted(school_db, "0912345678") == before


# -- weeks, bad input, SMS links -----------------------------------------------------------------
def test_scores_by_week_are_those_dated_in_that_week(client, school_db, web_settings):
    login_parent(client, school_db)
    year = current_year(web_settings)
    sid, _ = student(school_db, HOA)
    days = [date.fromisoformat(r[0]) for r in school_db.execute(
        "SELECT DISTINCT date FROM grades WHERE student_id = ? AND date IS NOT NULL ORDER BY date", [sid])]
    monday = days[0] - timedelta(days=days[0].weekday())
    expected = school_db.execute(
        "SELECT subject_code, kind, seq, value FROM grades WHERE student_id = ? AND school_year = ? AND "
        "status = 'approved' AND date BETWEEN ? AND ?",
        [sid, year, monday.isoformat(), (monday + timedelta(days=6)).isoformat()]).fetchall()
    assert expected
    html = client.get(f"/parent/child/{HOA}/week?week={days[0] + timedelta(days=1 if days[0].weekday() < 6 else 0)}"
                      ).get_data(as_text=True)
    shown = re.findall(r'<tr data-subject="(\w+)" data-kind="(\w+?)(\d*)">.*?data-col="value">([^<]+?)\s*<',
                       html, re.S)
    got = sorted((s, k, int(n or 1), fold(v.strip())) for s, k, n, v in shown)
    want = sorted((s, k, n, fold({"D": "Đ", "CD": "CĐ"}.get(v, v))) for s, k, n, v in expected)
    assert got == want
    # Without a week: the latest week with scores up to today (the demo dates CK ahead), else the latest one.
    mondays = sorted({d - timedelta(days=d.weekday()) for d in days}, reverse=True)
    today = local_today(web_settings.sms.timezone)
    first = next((m for m in mondays if m <= today), mondays[0])
    html = client.get(f"/parent/child/{HOA}/week").get_data(as_text=True)
    assert f'value="{first.isoformat()}" selected' in html
    assert [m.isoformat() for m in mondays] == re.findall(r'<option value="([\d-]+)"', html)


@pytest.mark.parametrize("query, message", [
    ("year=2025", "năm học “2025” không hợp lệ"),
    ("year=2025-2027", "năm học “2025-2027” không hợp lệ"),
    ("term=3", "học kỳ “3” không hợp lệ"),
    ("term=1&subject=XYZ", "môn “XYZ” không có trong lớp 8A2"),
])
def test_bad_parameters_get_a_clear_message(client, school_db, query, message):
    login_parent(client, school_db)
    r = client.get(f"/parent/child/{HOA}?{query}")
    assert r.status_code == 400 and message in r.get_data(as_text=True)
    r = client.get(f"/parent/child/{HOA}/week?week=31-12-2025")
    assert r.status_code == 400 and "tuần “31-12-2025” không hợp lệ" in r.get_data(as_text=True)


def test_a_thpt_elective_the_class_does_not_take_is_refused(client, school_db):
    login_parent(client, school_db)           # 11A1 takes the natural sciences, not Địa lí
    r = client.get(f"/parent/child/{AN}?term=1&subject=DIA")
    assert r.status_code == 400 and "môn “DIA” không có" in r.get_data(as_text=True)


def test_the_links_in_sms_replies_lead_to_the_parent_pages(client):
    assert client.get("/p/diem").headers["Location"].endswith("/parent/")
    assert client.get("/p/login").headers["Location"].endswith("/parent/password")


# -- a real browser ------------------------------------------------------------------------------
def test_a_parent_logs_in_sees_both_children_picks_subject_and_term_and_logs_out(page, live_server, school_db):
    set_password(school_db, "0912345678")
    page.goto(f"{live_server}/parent/")
    page.wait_for_url(f"{live_server}/parent/login")
    page.fill("input[name=phone]", "0912 345 678")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/parent/")
    rows = page.locator("tr[data-student]")
    assert rows.count() == 2
    assert "Nguyễn Thị Hoa" in rows.nth(0).inner_text() and "Nguyễn Minh An" in rows.nth(1).inner_text()
    page.click("text=Nguyễn Thị Hoa")
    page.wait_for_url(re.compile(rf".*/parent/child/{HOA}$"))
    page.select_option("select[name=subject]", "TOAN")
    page.select_option("select[name=term]", "1")
    page.click("text=Xem")
    page.wait_for_url(re.compile(r".*subject=TOAN.*"))
    table = page.locator("#scores")
    assert table.locator("tr[data-subject]").count() == 1
    sid, _ = student(school_db, HOA)
    tx = [v for (v,) in school_db.execute("SELECT value FROM grades WHERE student_id = ? AND subject_code = "
                                          "'TOAN' AND term = 1 AND kind = 'TX' ORDER BY seq", [sid])]
    assert table.locator("td[data-col=tx]").inner_text().split() == tx
    assert table.locator("td[data-col=result]").inner_text().strip()
    page.click("text=Đăng xuất")
    page.wait_for_url(f"{live_server}/parent/login")
    page.goto(f"{live_server}/parent/child/{HOA}")
    page.wait_for_url(f"{live_server}/parent/login")
