"""The primary pages (TT27) belong to schools with primary grades: the menu shows "Nhập đánh giá TH" and
"Tổng hợp TH" only there, and the pages refuse, in Vietnamese, a school without primary.

Runs on the secondary demo (THCS-DD, THPT-CVA); the primary demo's own menu is in test_primary_web.py.
"""
from __future__ import annotations

import csv

from store.imports import import_file

from .fixtures_web import login_staff, menu_labels as _menu, page_text as _detail

PRIMARY_LABELS = ("Nhập đánh giá TH", "Tổng hợp TH")


def test_a_secondary_school_has_no_primary_menu_and_the_pages_refuse(client, make_staff):
    login_staff(client, make_staff("hieutruong.dd", "admin", school="THCS-DD"))
    menu = _menu(client)
    assert "Nhập điểm" in menu and "Tổng hợp" in menu
    assert not set(PRIMARY_LABELS) & set(menu), menu
    for url in ("/staff/entry/th", "/staff/overview/th?point=CK1"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Trường của bạn không có cấp tiểu học" in _detail(response), url


def test_a_teacher_of_a_secondary_school_has_no_primary_menu(client, make_staff, school_db):
    cls = school_db.execute("SELECT c.name FROM classes c JOIN schools s ON s.id = c.school_id "
                            "WHERE s.code = 'THCS-DD' ORDER BY c.name").fetchone()[0]
    login_staff(client, make_staff("cogiao.dd", "teacher", school="THCS-DD", classes=(cls,)))
    assert not set(PRIMARY_LABELS) & set(_menu(client))
    assert client.get("/staff/entry/th").status_code == 404


def test_an_operator_sees_the_primary_pages_once_a_school_has_primary(client, make_staff, school_db, tmp_path):
    login_staff(client, make_staff("vanhanh", "operator"))
    assert not set(PRIMARY_LABELS) & set(_menu(client))
    refused = client.get("/staff/overview/th")
    assert refused.status_code == 404 and "Chưa có trường nào có cấp tiểu học" in _detail(refused)
    path = tmp_path / "schools.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["ma_truong", "ten_truong", "cap"], ["LC-NS", "Trường Liên cấp Ngôi Sao", "TH+THCS"]])
    import_file(school_db, "schools", path)
    assert set(PRIMARY_LABELS) <= set(_menu(client))
    assert client.get("/staff/overview/th?school=LC-NS").status_code == 200
    secondary = client.get("/staff/overview/th?school=THCS-DD")
    assert secondary.status_code == 404 and "Trường THCS-DD không có cấp tiểu học" in _detail(secondary)
