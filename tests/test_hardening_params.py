"""Issue 11, item 11 beyond /staff/entry: every integer a page or a file gives is ASCII digits, never a 500.

str.isdigit() says yes to '²' and '①' and int() then raises: each check below
answered 500 (or raised a bare ValueError out of the store) before.
"""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from store.core.text import is_digits
from store.library.errors import BadInput
from store.library.items import check_fields
from store.questions import xlsx_import
from store.rules import tt27

from .fixtures_web import csrf_of, login_staff

ODD = ["²", "①", "٣", "１２", "1²"]


@pytest.mark.parametrize("raw, ok", [("12", True), ("0", True), ("", False), *((odd, False) for odd in ODD)])
def test_item11_is_digits_takes_ascii_digits_only(raw, ok):
    assert is_digits(raw) is ok


@pytest.mark.parametrize("value", ODD)
def test_item11_the_question_bank_filter_is_a_400_not_a_500(client, make_staff, value):
    make_staff("co.gv", "teacher", school="THCS-DD", classes=("8A2",))
    login_staff(client, "co.gv")
    assert client.get("/staff/questions", query_string={"grade": value}).status_code == 400


def test_item11_ticked_classes_of_an_account_ignore_odd_digits(client, make_staff, school_db):
    make_staff("ad.dd", "admin", "THCS-DD")
    make_staff("co.gv", "teacher", school="THCS-DD", classes=("8A2",))
    login_staff(client, "ad.dd")
    user_id = school_db.execute("SELECT id FROM users WHERE login = 'co.gv'").fetchone()[0]
    client.get(f"/staff/accounts/{user_id}")
    r = client.post(f"/staff/accounts/{user_id}/classes", data={"class": ["²", "①"], "csrf_token": csrf_of(client)})
    assert r.status_code == 302


@pytest.mark.parametrize("value", ["²", "①"])
def test_item11_a_primary_test_score_in_odd_digits_is_a_reason_not_a_crash(value):
    with pytest.raises(tt27.InvalidValue):
        tt27.parse_test_score(value)


def test_item11_a_library_grade_in_odd_digits_is_a_reason(school_db):
    raw = {"title": "Giáo án", "section": "giang_day", "source": "Tự biên soạn", "grade": "²"}
    with pytest.raises(BadInput, match="Khối lớp"):
        check_fields(school_db, 1, raw)


def test_item11_a_question_sheet_with_odd_digits_for_the_grade_reads_no_grade():
    defaults = SimpleNamespace(grade=None, level="NB", subject_code="TOAN", topic="")
    draft = xlsx_import._draft({"cau_hoi": "1 + 1 = ?", "A": "2", "B": "3", "dap_an": "A", "khoi": "²"}, defaults)
    assert draft.grade is None
