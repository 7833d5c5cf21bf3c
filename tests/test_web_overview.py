"""The principal's overview page: KQ's figures per class, scope (a school's staff, operators pick), bad input,
audit, and a principal switching terms in a real browser."""
from __future__ import annotations

import re

import pytest

from store.core.clock import local_today, school_year_of

from .fixtures_web import STAFF_PASSWORD, login_staff
from .builders import insert_grade
from .test_overview import TZ, expected_levels, class_students

URL = "/staff/overview"


def row_cells(html: str, table: str, class_name: str) -> dict[str, str]:
    """The cells of one class's row of a table, by their data-* attribute ('learning:T', 'col:students', ...)."""
    body = re.search(rf'<table id="{table}"[^>]*>(.*?)</table>', html, re.S)
    assert body, f"no table {table}"
    row = re.search(rf'<tr data-class="{re.escape(class_name)}">(.*?)</tr>', body.group(1), re.S)
    assert row, f"no row {class_name} in {table}"
    return {f"{k}:{v}": text.strip() for k, v, text in
            re.findall(r'<td data-(\w+)="([\w ]*)">(.*?)</td>', row.group(1), re.S)}


def level_counts(cells: dict[str, str], what: str) -> dict:
    from store.rules.tt22 import Level
    return {(Level(k.split(":")[1]) if not k.endswith(":none") else None): int(v)
            for k, v in cells.items() if k.startswith(f"{what}:") and int(v)}


@pytest.fixture
def year() -> str:
    return school_year_of(local_today(TZ))


@pytest.fixture
def principal(client, make_staff):
    make_staff("hieu.truong", "admin", school="THCS-DD")
    login_staff(client, "hieu.truong")
    return client


@pytest.mark.parametrize("term, code", [(1, "1"), (0, "CN")])
def test_the_class_row_shows_kq_results_of_every_student(principal, school_db, year, term, code):
    insert_grade(school_db, class_students(school_db, "THCS-DD", "8A2", year)[0][0], "TOAN", year, 1, "CK", 1, "9",
                 status="pending")
    r = principal.get(f"{URL}?term={code}&year={year}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    cells = row_cells(html, "classes", "8A2")
    learning, conduct = expected_levels(school_db, "THCS-DD", "8A2", year, term)
    assert level_counts(cells, "learning") == +learning
    assert level_counts(cells, "conduct") == +conduct
    assert int(cells["col:students"]) == sum(learning.values()) == len(class_students(school_db, "THCS-DD", "8A2",
                                                                                       year))
    total = row_cells(html, "school-totals", "")
    assert int(total["col:students"]) == school_db.execute(
        "SELECT COUNT(*) FROM enrollments e JOIN classes c ON c.id = e.class_id JOIN schools s ON s.id = c.school_id "
        "WHERE s.code = 'THCS-DD' AND c.school_year = ?", [year]).fetchone()[0]
    # Only the principal's school: no class of THPT-CVA.
    assert 'data-class="11A1"' not in html and "THCS-DD" in html


def test_subject_averages_shown_per_class(principal, school_db, year):
    students = class_students(school_db, "THCS-DD", "8A2", year)
    school_db.execute("DELETE FROM grades WHERE subject_code = 'VAN' AND term = 1 AND student_id IN "
                      f"({','.join(str(s[0]) for s in students)})")
    for student, *_ in students[:2]:
        for seq, value in enumerate(("6", "7", "8", "9"), start=1):
            insert_grade(school_db, student, "VAN", year, 1, "TX", seq, value)
        insert_grade(school_db, student, "VAN", year, 1, "GK", 1, "7")
        insert_grade(school_db, student, "VAN", year, 1, "CK", 1, "8")
    # (6 + 7 + 8 + 9 + 2·7 + 3·8) / 9 = 68 / 9 = 7.56 -> 7.6 for both; a third with a pending CK is left out.
    for seq in (1, 2, 3, 4):
        insert_grade(school_db, students[2][0], "VAN", year, 1, "TX", seq, "2")
    insert_grade(school_db, students[2][0], "VAN", year, 1, "GK", 1, "2")
    insert_grade(school_db, students[2][0], "VAN", year, 1, "CK", 1, "2", status="pending")
    html = principal.get(f"{URL}?term=1&year={year}").get_data(as_text=True)
    cells = row_cells(html, "averages-8", "8A2")
    assert re.fullmatch(r'7\.6 <span class="muted">\(2\)</span>', cells["subject:VAN"]), cells["subject:VAN"]


@pytest.mark.parametrize("role", ["admin", "reviewer"])
def test_school_staff_see_their_school_and_the_view_is_audited(client, make_staff, school_db, year, role):
    make_staff("nv.truong", role, school="THPT-CVA")
    login_staff(client, "nv.truong")
    r = client.get(f"{URL}?term=1&year={year}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'data-class="11A1"' in html and 'data-class="8A2"' not in html
    row = school_db.execute("SELECT actor, action, school_id, student_id, detail FROM audit_log "
                            "ORDER BY id DESC LIMIT 1").fetchone()
    cva = school_db.execute("SELECT id FROM schools WHERE code = 'THPT-CVA'").fetchone()[0]
    assert row[:4] == ("nv.truong", "web:overview", cva, None)
    assert '"term": "1"' in row[4] and f'"year": "{year}"' in row[4]


def test_another_schools_overview_is_a_404(principal, school_db):
    before = school_db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'web:overview'").fetchone()[0]
    r = principal.get(f"{URL}?school=THPT-CVA&term=1")
    assert r.status_code == 404
    assert "11A1" not in r.get_data(as_text=True)
    assert school_db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'web:overview'").fetchone()[0] == before
    assert principal.get(f"{URL}?school=THCS-DD&term=1").status_code == 200   # naming one's own school is fine


def test_an_operator_picks_a_school(client, make_staff, school_db, year):
    make_staff("van.hanh", "operator")
    login_staff(client, "van.hanh")
    first = client.get(URL)
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    assert "Chọn một trường" in html and 'id="classes"' not in html
    assert 'value="THPT-CVA"' in html and 'value="THCS-DD"' in html
    html = client.get(f"{URL}?school=THPT-CVA&term=1&year={year}").get_data(as_text=True)
    learning, _ = expected_levels(school_db, "THPT-CVA", "11A1", year, 1)
    assert level_counts(row_cells(html, "classes", "11A1"), "learning") == +learning
    assert 'data-class="8A2"' not in html
    assert client.get(f"{URL}?school=NOPE").status_code == 400


def test_teachers_are_refused(client, make_staff):
    make_staff("gv.toan", "teacher", school="THCS-DD", classes=("8A2",))
    login_staff(client, "gv.toan")
    assert client.get(URL).status_code == 403


def test_not_logged_in_goes_to_login(client):
    r = client.get(URL)
    assert r.status_code == 302 and "/login" in r.headers["Location"]


@pytest.mark.parametrize("query, word", [("term=3", "học kỳ phải là 1, 2 hoặc CN"), ("term=HK9", "học kỳ phải là"),
                                         ("year=2025", "năm học phải có dạng 2025-2026"), ("year=2025-2027", "năm học"),
                                         ("year=abcd-efgh", "năm học"), ("year=9999-10000", "năm học")])
def test_bad_parameters_are_named(principal, query, word):
    r = principal.get(f"{URL}?{query}")
    assert r.status_code == 400
    assert word in r.get_data(as_text=True)


def test_a_year_without_classes_says_so(principal, year):
    start = int(year[:4]) - 3
    r = principal.get(f"{URL}?year={start}-{start + 1}&term=2")
    assert r.status_code == 200
    assert "chưa có lớp nào" in r.get_data(as_text=True)


def test_the_menu_links_the_overview(principal):
    html = principal.get("/staff/").get_data(as_text=True)
    assert f'href="{URL}"' in html and "Tổng hợp" in html


def test_the_principal_switches_term_in_a_real_browser(page, live_server, make_staff, school_db, year):
    make_staff("hieu.truong", "admin", school="THCS-DD")
    page.goto(f"{live_server}/login")
    page.fill("input[name=login]", "hieu.truong")
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/staff/")
    page.click("header >> text=Tổng hợp")
    page.wait_for_url(re.compile(r".*/staff/overview$"))
    page.select_option("select[name=term]", "1")
    page.click("text=Xem")
    page.wait_for_url(re.compile(r".*term=1.*"))
    assert "Học kỳ I" in page.locator("h1").inner_text()
    learning, _ = expected_levels(school_db, "THCS-DD", "8A2", year, 1)
    row = page.locator("#classes tr[data-class='8A2']")
    for level, n in (+learning).items():
        assert row.locator(f"td[data-learning='{level.value if level else 'none'}']").inner_text() == str(n)
    page.click("#terms >> text=Cả năm")
    page.wait_for_url(re.compile(r".*term=CN.*"))
    assert "Cả năm" in page.locator("h1").inner_text()
    learning, conduct = expected_levels(school_db, "THCS-DD", "8A2", year, 0)
    for level, n in (+conduct).items():
        assert row.locator(f"td[data-conduct='{level.value if level else 'none'}']").inner_text() == str(n)
    assert page.locator("#school-totals td[data-col='students']").inner_text() == str(
        school_db.execute("SELECT COUNT(*) FROM enrollments e JOIN classes c ON c.id = e.class_id "
                          "JOIN schools s ON s.id = c.school_id WHERE s.code = 'THCS-DD' AND c.school_year = ?",
                          [year]).fetchone()[0])
