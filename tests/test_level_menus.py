"""A school level's own pages belong to schools teaching it: a secondary school's staff have no
kindergarten menu and its pages refuse them in Vietnamese (the primary pages: test_primary_menu.py)."""
from __future__ import annotations

from .fixtures_web import login_staff, menu_labels as _menu, page_text as _detail

KINDERGARTEN_LABELS = ("Nhật ký MN", "Người đón", "Cân đo MN")


def test_a_secondary_school_has_no_kindergarten_menu_and_the_pages_refuse(client, make_staff):
    login_staff(client, make_staff("hieutruong.dd", "admin", school="THCS-DD"))
    menu = _menu(client)
    assert "Nhập điểm" in menu
    assert not set(KINDERGARTEN_LABELS) & set(menu), menu
    for url in ("/staff/mn/nhatky", "/staff/mn/cando", "/staff/mn/don"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Trường của bạn không có cấp mầm non" in _detail(response), url


def test_an_operator_without_any_kindergarten_sees_no_kindergarten_menu(client, make_staff):
    login_staff(client, make_staff("vanhanh", "operator"))
    assert not set(KINDERGARTEN_LABELS) & set(_menu(client))
    assert "Chưa có trường nào có cấp mầm non" in _detail(client.get("/staff/mn/nhatky"))
