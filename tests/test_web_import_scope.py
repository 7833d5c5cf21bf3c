"""Imports from the web (issue 13): an admin's mixed file imports only their school's rows when they tick the
box (the others counted), the dry run lists new and changed rows, and every kind has a downloadable template."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from store.imports import ImportFileError, ImportRowsError, import_file, registry

from .test_web_uploads import admin_dd, confirm, grades_csv, hk2_grades, upload, year  # noqa: F401 (fixtures)

MIXED = ("DD900001,TOAN,{y},HK2,TX,1,9", "CVA900001,TOAN,{y},HK2,TX,1,6", "DD900002,VAN,{y},HK2,GK,,7")


def test_a_mixed_file_is_refused_unless_only_own_rows_are_asked(admin_dd, school_db, year):  # noqa: F811
    refused = upload(admin_dd, "diem.csv", grades_csv(year, *MIXED))
    assert refused.status_code == 400 and "Chỉ nhập các dòng của trường THCS-DD" in refused.get_data(as_text=True)
    r = upload(admin_dd, "diem.csv", grades_csv(year, *MIXED), only_mine="1")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "Đã bỏ qua 1 dòng của trường khác" in page
    assert page.count('data-change="inserted"') == 2 and "ma_hs: DD900001" in page and "CVA900001" not in page
    assert hk2_grades(school_db) == []                      # a dry run writes nothing
    done = confirm(admin_dd)
    assert done.status_code == 200, done.get_data(as_text=True)
    assert [(code, status) for code, *_, status, _ in hk2_grades(school_db)] == [
        ("DD900001", "pending"), ("DD900002", "pending")]


def test_the_dry_run_lists_changed_rows(admin_dd, school_db, year):  # noqa: F811
    upload(admin_dd, "a.csv", grades_csv(year, "DD900001,TOAN,{y},HK2,TX,1,9"))
    confirm(admin_dd)
    r = upload(admin_dd, "b.csv", grades_csv(year, "DD900001,TOAN,{y},HK2,TX,1,8", "DD900002,VAN,{y},HK2,GK,,7"))
    page = r.get_data(as_text=True)
    assert page.count('data-change="updated"') == 1 and page.count('data-change="inserted"') == 1


@pytest.mark.parametrize("kind", registry.names())
def test_every_kind_has_a_template_the_importer_reads(admin_dd, db, tmp_path, kind):  # noqa: F811
    r = admin_dd.get(f"/staff/imports/template/{kind}.xlsx")
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.data), read_only=True)
    rows = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    if kind != "tonghop_th":            # tonghop_th is SMAS's own layout: title rows, a two-row header
        head, example = rows
        assert set(registry.find(kind).required) <= set(head) and any(example)
    path = tmp_path / f"{kind}.xlsx"
    path.write_bytes(r.data)
    try:
        import_file(db, kind, path, dry_run=True)
    except ImportFileError as e:          # the header must be read as it is
        pytest.fail(f"{kind}: {e}")
    except ImportRowsError:               # the row may name codes this empty database lacks: fine here
        pass
    assert admin_dd.get("/staff/imports/template/nope.xlsx").status_code == 404
