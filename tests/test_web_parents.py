"""The parents' website on the demo school: children, past years, privacy, the digest switch, a real browser.

The scores themselves (equal to the SMS answers, by week) are in tests/test_web_parents_scores.py.

SHOWCASE families (demo.school): 0912345678 has DD900001 Nguyễn Thị Hoa
(THCS-DD 8A2) and CVA900001 Nguyễn Minh An (THPT-CVA 11A1); 0987654321 has
DD900002 Lê Hoàng Nam (THCS-DD 7A1).
"""
from __future__ import annotations

import json
import re

from store.school import families
from store.core.clock import local_today
from store.school.phones import normalise

from .fixtures_commands import Conversation
from .fixtures_parents import (
    AN, HOA, NAM, PASSWORD, Cells, add_scores, add_year, audit_rows, cell, current_year, login_parent,
    opted, previous, set_password, student,
)
from .fixtures_web import csrf_of, post_form


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
