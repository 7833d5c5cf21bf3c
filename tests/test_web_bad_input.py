"""Out-of-range numbers and dates anywhere in the web and the API are the caller's mistake: 400, never 500."""
from __future__ import annotations

import json

import pytest

from store.school import tokens

from .fixtures_web import login_staff, post_form

HUGE = "99999999999999999999"


@pytest.fixture
def app_no_propagation(web_app):
    web_app.config["TESTING"] = False            # as in production: an exception would be a 500 page
    web_app.config["PROPAGATE_EXCEPTIONS"] = False
    return web_app


@pytest.mark.parametrize("url", [
    "/staff/delivery?date=9999-12-31", "/staff/delivery?date=0001-01-01", "/staff/inbox?date=9999-12-31",
    "/staff/inbox?page=" + HUGE, "/staff/inbox?page=²",
    '/staff/approvals/group?key=["grades",1,null,"",null,"9999-12-31"]',
])
def test_staff_pages(app_no_propagation, make_staff, url):
    client = app_no_propagation.test_client()
    login_staff(client, make_staff("ops", "operator"))
    assert client.get(url).status_code in (400, 404)


def test_approving_a_row_id_too_large_for_sqlite(app_no_propagation, make_staff, school_db):
    client = app_no_propagation.test_client()
    login_staff(client, make_staff("co.duyet", "reviewer", school="THCS-DD"))
    sid = school_db.execute("SELECT id FROM schools WHERE code = 'THCS-DD'").fetchone()[0]
    key = json.dumps(["grades", sid, None, "TOAN", None, "2026-11-28"])
    r = post_form(client, "/staff/approvals", {"group": key, "scope": "rows", "row": HUGE},
                  get_from="/staff/approvals")
    assert r.status_code in (303, 400)


@pytest.mark.parametrize("query", ["limit=²", "after_id=" + HUGE, "date=9999-12-31", "date=0001-01-01"])
def test_api(app_no_propagation, school_db, query):
    secret = tokens.create(school_db, "all", label="t")[1]
    client = app_no_propagation.test_client()
    r = client.get(f"/api/v1/delivery?{query}", headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 400 and r.is_json, r.get_data(as_text=True)[:300]
    r = client.get(f"/api/v1/messages/{HUGE}", headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code in (400, 404) and r.is_json


@pytest.mark.parametrize("week", ["9999-12-31", "0001-01-01"])
def test_parent_week(app_no_propagation, school_db, week):
    from werkzeug.security import generate_password_hash
    school_db.execute("UPDATE guardians SET password_hash = ? WHERE phone = '+84912345678'",
                      [generate_password_hash("mat-khau-1")])
    client = app_no_propagation.test_client()
    assert post_form(client, "/parent/login", {"phone": "0912345678", "password": "mat-khau-1"}).status_code == 302
    assert client.get(f"/parent/child/DD900001/week?week={week}").status_code in (200, 400), "an empty week or a 400"
