"""Issue 11, accounts: a recycled number's previous owner loses the web (item 1)."""
from __future__ import annotations

from store.school import otp
from store.imports import import_file
from store.school.phones import normalise

from .fixtures_web import post_form

LAN = normalise("0987654321")          # one child, DD900002, no e-mail in the demo


def _year(db) -> str:
    return db.execute("SELECT max(school_year) FROM guardian_links").fetchone()[0]


def _parent_logged_in(web_app, db, phone: str, password: str = "mat-khau-cu"):
    gid = db.execute("SELECT id FROM guardians WHERE phone = ?", [phone]).fetchone()[0]
    client = web_app.test_client()
    post_form(client, "/parent/password", {"phone": phone, "code": otp.issue(db, gid, 600), "password": password})
    assert client.get("/parent/").status_code == 200
    return client, gid


def _guardians_file(tmp_path, *rows) -> str:
    path = tmp_path / "guardians.csv"
    lines = ["so_dien_thoai,ho_ten,email,ma_hs,quan_he,nam_hoc", *(",".join(r) for r in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_item01_recycled_number_loses_password_sessions_and_email(web_app, school_db, tmp_path):
    old, gid = _parent_logged_in(web_app, school_db, LAN)
    school_db.execute("UPDATE guardians SET email = 'lan.cu@example.vn' WHERE id = ?", [gid])
    # This year's list no longer has the number (as --replace leaves it), then gives it to another family.
    school_db.execute("UPDATE guardian_links SET active = 0 WHERE guardian_id = ?", [gid])
    report = import_file(school_db, "guardians",
                         _guardians_file(tmp_path, ("0987654321", "Hoàng Văn Mới", "", "DD900001", "Bố",
                                                    _year(school_db))), approve=True)
    assert any("MK" in n.note for n in report.notes)
    assert school_db.execute("SELECT password_hash, email, full_name FROM guardians WHERE id = ?",
                             [gid]).fetchone() == (None, None, "Hoàng Văn Mới")
    assert old.get("/parent/").status_code == 302, "the old owner's cookie no longer opens the new child's pages"
    fresh = web_app.test_client()
    r = post_form(fresh, "/parent/login", {"phone": "0987654321", "password": "mat-khau-cu"})
    assert r.status_code == 401, "nor does the old password"


def test_item01_renamed_number_loses_its_password(web_app, school_db, tmp_path):
    old, gid = _parent_logged_in(web_app, school_db, LAN)
    import_file(school_db, "guardians", _guardians_file(
        tmp_path, ("0987654321", "Đỗ Thị Khác", "", "DD900002", "Mẹ", _year(school_db))), approve=True)
    assert school_db.execute("SELECT password_hash FROM guardians WHERE id = ?", [gid]).fetchone()[0] is None
    assert old.get("/parent/").status_code == 302


def test_item01_a_returning_family_keeps_its_password(web_app, school_db, tmp_path):
    old, gid = _parent_logged_in(web_app, school_db, LAN)
    name = school_db.execute("SELECT full_name FROM guardians WHERE id = ?", [gid]).fetchone()[0]
    school_db.execute("UPDATE guardian_links SET active = 0 WHERE guardian_id = ?", [gid])
    import_file(school_db, "guardians", _guardians_file(
        tmp_path, ("0987654321", name.upper(), "", "DD900002", "Mẹ", _year(school_db))), approve=True)
    assert school_db.execute("SELECT password_hash FROM guardians WHERE id = ?", [gid]).fetchone()[0]
    assert old.get("/parent/").status_code == 200
