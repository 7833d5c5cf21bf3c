"""The teachers and assignments imports (SPEC §12) from a real-looking SMAS XLSX: 61 teachers, 312 rows."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from demo import school as demo_school
from demo.sheets import Sheet
from demo.staff import Roster, write
from store.school import users
from store.imports import ImportRowsError, import_file
from store.staff import accounts
from store.school import assignments, roster

from .fixtures_imports import write_xlsx

STRUCTURE = ("schools", "terms", "classes", "subjects")


@pytest.fixture(scope="module")
def sixty(tmp_path_factory):
    """THCS-DD with 6 classes a grade: its structure files and its HK1 roster (rows, for tweaking)."""
    folder = tmp_path_factory.mktemp("sixty")
    school = demo_school.DemoSchool(classes_per_grade=6, students_per_class=1, marks=False)
    files = dict(school.generate(folder / "school", "xlsx"))
    plan = school._staff_plan()
    mine = Roster([t for t in plan.teachers if t[0] == "THCS-DD"], [a for a in plan.assignments if a[0] == "THCS-DD"])
    return {"files": files, "roster": mine, "year": school.year, "hk1": school.hk1, "hk2": school.hk2}


def _files(tmp_path, school, roster_: Roster, term: int = 1, name: str = "hk1"):
    """The roster as the two SMAS XLSX files (title rows, STT, signatures under the data)."""
    sheet = lambda path, title, headers: Sheet(path, "xlsx", title, [headers])  # noqa: E731
    t, a = tmp_path / f"giaovien_{name}.xlsx", tmp_path / f"phancong_{name}.xlsx"
    write(roster_, sheet, t, a, school["year"], term)
    return t, a


@pytest.fixture
def loaded(db, sixty, tmp_path):
    """A fresh database with THCS-DD's structure, its 61 teachers and their HK1 assignment."""
    for kind in STRUCTURE:
        import_file(db, kind, sixty["files"][kind], approve=True)
    t, a = _files(tmp_path, sixty, sixty["roster"])
    reports = (import_file(db, "teachers", t), import_file(db, "assignments", a))
    return db, reports


def _user(db, code):
    return db.execute("SELECT user_id FROM staff WHERE code = ?", [code]).fetchone()[0]


def _scope_names(db, code, day):
    found = assignments.scope(db, _user(db, code), day)
    names = dict(db.execute("SELECT id, name FROM classes"))
    return {names[cid]: codes for cid, codes in found.items()}


def test_sixty_teachers_get_accounts_departments_roles_scopes_and_homerooms(loaded, sixty):
    db, (teachers, rows) = loaded
    assert (teachers.rows, teachers.inserted, teachers.counts["accounts"]) == (61, 61, 61)
    assert rows.rows == 312 and rows.inserted == 312 + 24           # 24 classes, each with a GVCN mark
    assert db.execute("SELECT count(*) FROM users WHERE password_hash = '!'").fetchone()[0] == 61
    assert db.execute("SELECT count(*) FROM account_invites WHERE issued_at IS NULL").fetchone()[0] == 61
    roles = dict(db.execute("SELECT st.position, u.role FROM staff st JOIN users u ON u.id = st.user_id"))
    assert roles == {"hieu_truong": "admin", "pho_hieu_truong": "admin", "dieu_phoi": "reviewer", "van_thu": "teacher",
                     "to_truong": "teacher", "gv": "teacher"}
    depts = [name for _, name in roster.departments(db, 1)]
    assert "Tổ Toán - Tin" in depts and db.execute("SELECT name_key FROM departments WHERE name = 'Tổ Toán - Tin'"
                                                     ).fetchone() == ("to toan - tin",)
    login = db.execute("SELECT login FROM users WHERE id = ?", [_user(db, "DD-GV001")]).fetchone()[0]
    assert login == "dd-gv001.thcs-dd"
    hk1 = sixty["hk1"][0] + timedelta(days=10)
    assert _scope_names(db, "DD-GV001", hk1) == {"8A1": {"TOAN"}, "8A2": {"TOAN", ""}, "6A1": {"TOAN"},
                                                 "6A2": {"TOAN"}}
    homerooms = db.execute("SELECT count(*) FROM classes WHERE homeroom_user_id IS NOT NULL").fetchone()[0]
    assert homerooms == 24
    gvcn = db.execute("SELECT homeroom_teacher FROM classes WHERE name = '8A2'").fetchone()[0]
    assert gvcn == "Nguyễn Thu Hà"
    assert any("chân trang" in str(n) for n in rows.notes)


def test_the_same_files_again_change_nothing(loaded, sixty, tmp_path):
    db, _ = loaded
    t, a = _files(tmp_path, sixty, sixty["roster"], name="again")
    assert import_file(db, "teachers", t).unchanged == 61
    again = import_file(db, "assignments", a)
    assert (again.inserted, again.updated) == (0, 0)


def _moved(sixty):
    """(teacher, class) of the first Toán class not DD-GV001's: HK2 gives it to DD-GV001."""
    row = next(r for r in sixty["roster"].assignments if r[5] == "TOAN" and r[3] != "DD-GV001" and not r[6])
    return row[3], row[4]


def _hk2(sixty):
    """HK2's rows: the HK1 ones with one class moved from one teacher to another."""
    (old, klass), subject, new = _moved(sixty), "TOAN", "DD-GV001"
    rows = []
    for r in sixty["roster"].assignments:
        r = [*r[:2], "HK2", *r[3:]]
        if (r[3], r[4], r[5]) == (old, klass, subject):
            r[3] = new
        rows.append(r)
    return Roster(sixty["roster"].teachers, rows)


def test_a_second_terms_file_moves_a_teacher_and_the_diff_says_so(loaded, sixty, tmp_path):
    db, _ = loaded
    _, a = _files(tmp_path, sixty, _hk2(sixty), term=2, name="hk2")
    report = import_file(db, "assignments", a)
    head, *lines = report.summary
    assert "so với HK1" in head and "0 giáo viên thêm (added), 2 chuyển (moved), 0 thôi (removed)" in head
    old, klass = _moved(sixty)
    assert f"  chuyển (moved) DD-GV001 Nguyễn Thu Hà: nhận {klass} TOAN" in lines
    assert any(line.startswith(f"  chuyển (moved) {old} ") and line.endswith(f": bỏ {klass} TOAN") for line in lines)
    in_hk1, in_hk2 = sixty["hk1"][0] + timedelta(days=10), sixty["hk2"][0] + timedelta(days=10)
    assert klass not in _scope_names(db, "DD-GV001", in_hk1)
    assert _scope_names(db, "DD-GV001", in_hk2)[klass] == {"TOAN"}
    assert klass not in _scope_names(db, old, in_hk2) and klass in _scope_names(db, old, in_hk1)


def test_replace_deactivates_what_the_file_no_longer_lists(loaded, sixty, tmp_path):
    db, _ = loaded
    led = next(r for r in sixty["roster"].assignments if r[6] and r[3] != "DD-GV001")    # a GVCN leaves
    gone = next(t for t in sixty["roster"].teachers if t[1] == led[3])
    fewer = Roster([t for t in sixty["roster"].teachers if t is not gone],
                   [r for r in sixty["roster"].assignments if r[3] != gone[1]])
    t, a = _files(tmp_path, sixty, fewer, name="fewer")
    plain = import_file(db, "teachers", t)
    assert "deactivated" not in plain.counts
    report = import_file(db, "teachers", t, replace=True)
    assert report.counts["deactivated"] == 1
    assert db.execute("SELECT st.active, u.active FROM staff st JOIN users u ON u.id = st.user_id WHERE st.code = ?",
                      [gone[1]]).fetchone() == (0, 0)
    rows = import_file(db, "assignments", a, replace=True)
    assert rows.counts["deactivated"] >= 1
    assert db.execute("SELECT homeroom_user_id FROM classes WHERE name = ?", [led[4]]).fetchone() == (None,)
    hk1 = sixty["hk1"][0] + timedelta(days=10)
    assert _scope_names(db, gone[1], hk1) == {}
    t_all, _ = _files(tmp_path, sixty, sixty["roster"], name="back")     # back from leave: listed again
    back = import_file(db, "teachers", t_all)
    assert "locked" not in back.counts and db.execute(
        "SELECT st.active, u.active FROM staff st JOIN users u ON u.id = st.user_id WHERE st.code = ?",
        [gone[1]]).fetchone() == (1, 1)


def test_bad_rows_are_named_by_row_and_nothing_is_written(db, sixty, tmp_path):
    for kind in STRUCTURE:
        import_file(db, kind, sixty["files"][kind], approve=True)
    header = [["SỞ GIÁO DỤC VÀ ĐÀO TẠO HÀ NỘI"], ["DANH SÁCH CÁN BỘ"], [],
              ["STT", "Mã trường", "Mã GV", "Họ và tên", "SĐT", "Tổ chuyên môn", "Chức vụ"]]
    teachers = write_xlsx(tmp_path / "gv.xlsx", header + [
        [1, "THCS-DD", "GV1", "Lê Văn Cường", "0912000111", "Tổ Toán - Tin", "Giáo viên"],
        [2, "THCS-DD", "GV2", "Trần Thị Mai", "0241234567", "Tổ Ngữ văn", "Giáo viên"],      # a landline
        [3, "THCS-DD", "GV1", "Lê Văn Cương", "0912000111", "Tổ Toán - Tin", "Giáo viên"],   # another name
        [4, "THCS-DD", "GV4", "Phạm Hà", "0912000444", "", "Bảo vệ"],
        [5, "THCS-DD", "GV4", "Phạm Hà", "0912000444", "", "GV"],               # an account has the login
        [6, "THCS-DD", "GV6", "Hồ Lan", "0912000111", "", "GV"],                 # GV1's phone
    ])
    before = db.execute("SELECT count(*) FROM staff").fetchone()[0]
    users.add_user(db, "gv4.thcs-dd", "teacher", "mot-mat-khau-1", school_code="THCS-DD")
    with pytest.raises(ImportRowsError) as e:
        import_file(db, "teachers", teachers)
    assert [str(x) for x in e.value.report.errors] == [
        "dòng 6: số điện thoại '0241234567' không phải số di động Việt Nam (kiểm tra lại số)",
        "dòng 7: mã GV GV1 đã có ở dòng 5 với tên khác (Lê Văn Cường / Lê Văn Cương)",
        "dòng 8: chức vụ 'Bảo vệ' không đúng (dùng gv, to_truong, hieu_truong, pho_hieu_truong, van_thu, dieu_phoi)",
        "dòng 9: tên đăng nhập gv4.thcs-dd đã là của một tài khoản khác",
        "dòng 10: số điện thoại 0912000111 trùng với GV1 ở dòng 5"]
    assert db.execute("SELECT count(*) FROM staff").fetchone()[0] == before
    import_file(db, "teachers", write_xlsx(tmp_path / "gv_ok.xlsx", header + [
        [1, "THCS-DD", "GV1", "Lê Văn Cường", "0912000111", "Tổ Toán - Tin", "Giáo viên"],
        [2, "THCS-DD", "GV2", "Trần Thị Mai", "", "Tổ Ngữ văn", "Giáo viên"]]))
    year = sixty["year"]
    rows = write_xlsx(tmp_path / "pc.xlsx", [["BẢNG PHÂN CÔNG GIẢNG DẠY"], [],
                                              ["Mã trường", "Năm học", "Học kỳ", "Mã GV", "Lớp", "Môn", "GVCN"],
                                              ["THCS-DD", year, "HK1", "GV1", "8A1", "Toán", "x"],
                                              ["THCS-DD", year, "HK1", "GV1", "9Z9", "Toán", ""],
                                              ["THCS-DD", year, "HK1", "GV2", "8A1", "Vật lý", ""],
                                              ["THCS-DD", year, "HK1", "GV9", "8A1", "VAN", ""],
                                              ["THCS-DD", year, "HK1", "GV2", "8A1", "VAN", "x"]])
    with pytest.raises(ImportRowsError) as e:
        import_file(db, "assignments", rows)
    assert [str(x) for x in e.value.report.errors] == [
        f"dòng 5: không có lớp 9Z9 ở THCS-DD năm học {year}",
        "dòng 6: không có môn LY cho khối 8 ở THCS-DD",
        "dòng 7: không có giáo viên GV9 trong danh sách cán bộ của THCS-DD (nhập danh sách cán bộ trước)",
        "dòng 8: lớp 8A1 đã có GVCN GV1 ở dòng 4"]
    assert db.execute("SELECT count(*) FROM teaching_assignments").fetchone()[0] == 0


def test_dry_run_prints_the_diff_and_writes_nothing(loaded, sixty, tmp_path):
    db, _ = loaded
    _, a = _files(tmp_path, sixty, _hk2(sixty), term=2, name="dry")
    report = import_file(db, "assignments", a, dry_run=True)
    assert "2 chuyển (moved)" in report.summary[0]
    assert db.execute("SELECT count(*) FROM teaching_assignments WHERE term = 2").fetchone()[0] == 0


def test_a_cell_listing_several_classes_and_a_named_homeroom(db, sixty, tmp_path):
    for kind in STRUCTURE:
        import_file(db, kind, sixty["files"][kind], approve=True)
    import_file(db, "teachers", write_xlsx(tmp_path / "gv.xlsx", [
        ["Mã trường", "Mã cán bộ", "Họ tên giáo viên", "Điện thoại"],
        ["THCS-DD", "gv 1", "Lê Văn Cường", "912000111"]]))
    year = sixty["year"]
    report = import_file(db, "assignments", write_xlsx(tmp_path / "pc.xlsx", [
        ["Mã trường", "Năm học", "Học kỳ", "Mã cán bộ", "Lớp dạy", "Môn dạy", "Lớp chủ nhiệm"],
        ["THCS-DD", year, "Học kỳ I", "GV1", "8A1, 8A2; 8A3", "Toán", "8a2"]]))
    assert report.inserted == 4
    assert _scope_names(db, "GV1", date(int(year[:4]), 10, 1)) == {"8A1": {"TOAN"}, "8A2": {"TOAN", ""},
                                                                   "8A3": {"TOAN"}}


def test_cli_import_texts_first_codes_and_shows_the_phoneless_ones_once(db, sixty, tmp_path, cli):
    import re

    from store.staff import codes
    for kind in STRUCTURE:
        import_file(db, kind, sixty["files"][kind], approve=True)
    t, _ = _files(tmp_path, sixty, sixty["roster"], name="cli")
    dry = cli("-v", "import", "teachers", str(t), "--dry-run", check=True)
    assert "code" not in dry.stdout and db.execute("SELECT count(*) FROM users").fetchone()[0] == 0
    done = cli("-vv", "import", "teachers", str(t), check=True)      # DEBUG: every logger
    assert "60 tài khoản mới: mã dùng một lần đã nhắn tới số điện thoại" in done.stdout
    shown = re.findall(r"^(\S+) \(.*\): không có số điện thoại; mã dùng một lần (\d{8}) ", done.stdout, re.M)
    assert len(shown) == 1
    sms = db.execute("SELECT phone, body FROM messages WHERE kind = 'otp'").fetchall()
    assert len(sms) == 60 and all("Ten dang nhap: " in body for _, body in sms)
    sent_codes = [re.search(r": (\d{6}) ", body).group(1) for _, body in sms]
    logs = done.stderr + "".join(str(r) for r in db.execute("SELECT * FROM audit_log"))
    assert not any(code in logs for code in sent_codes + [shown[0][1]])
    login, code = shown[0]
    user_id = codes.redeem(db, login, code, "a-new-password-1")
    with pytest.raises(Exception):
        codes.redeem(db, login, code, "another-password-2")          # single use
    assert db.execute("SELECT password_hash != '!' FROM users WHERE id = ?", [user_id]).fetchone() == (1,)
    assert accounts.pending_invites(db) == []                       # every new account got its first code


def _new_gvcn(sixty):
    """HK2's rows with one class's GVCN given to a teacher who leads no class: (roster, class, old, new)."""
    leads = {r[3] for r in sixty["roster"].assignments if r[6]}
    led = next(r for r in sixty["roster"].assignments if r[6])
    new = next(t for t in sixty["roster"].teachers if t[1] not in leads)
    rows = []
    for r in sixty["roster"].assignments:
        r = [*r[:2], "HK2", *r[3:]]
        if r[4] == led[4] and r[6]:
            r[3] = new[1]
        rows.append(r)
    names = {t[1]: t[2] for t in sixty["roster"].teachers}
    return Roster(sixty["roster"].teachers, rows), led[4], names[led[3]], names[new[1]]


def test_the_shown_gvcn_follows_the_term_in_force_not_the_order_of_imports(loaded, sixty, tmp_path):
    db, _ = loaded
    hk2_roster, klass, old, new = _new_gvcn(sixty)
    shown = lambda: db.execute("SELECT homeroom_teacher FROM classes WHERE name = ?", [klass]).fetchone()[0]  # noqa: E731
    in_hk1, in_hk2 = sixty["hk1"][0] + timedelta(days=10), sixty["hk2"][0] + timedelta(days=10)
    school_id = db.execute("SELECT id FROM schools WHERE code = 'THCS-DD'").fetchone()[0]
    before = shown()
    _, a = _files(tmp_path, sixty, hk2_roster, term=2, name="hk2gvcn")
    import_file(db, "assignments", a)
    key = assignments.in_force(db, school_id, date.today())
    if key is not None and key[1] == 1:          # imported ahead of its term: nobody renamed yet
        assert shown() == before == old
    with db.conn:
        assert assignments.sync_homerooms(db, in_hk2) >= 1
    assert shown() == new, "HK2 has started: the class shows HK2's GVCN"
    with db.conn:
        assert assignments.sync_homerooms(db, in_hk2) == 0, "nothing to change twice"
        assignments.sync_homerooms(db, in_hk1)
    assert shown() == old, "back in HK1 (a report of HK1 printed late names HK1's GVCN)"


def test_a_locked_gvcn_is_shown_as_nobody_until_unlocked(loaded, sixty):
    db, _ = loaded
    in_hk1 = sixty["hk1"][0] + timedelta(days=10)
    klass, teacher = db.execute("SELECT c.name, st.user_id FROM classes c JOIN staff st ON st.user_id = "
                                "c.homeroom_user_id ORDER BY c.name LIMIT 1").fetchone()
    shown = lambda: db.execute("SELECT homeroom_teacher, homeroom_user_id FROM classes WHERE name = ?",  # noqa: E731
                               [klass]).fetchone()
    name = shown()[0]
    with db.conn:
        accounts.set_active(db, teacher, False)
        assert assignments.sync_homerooms(db, in_hk1) == 1
    assert shown() == (None, None), "parents never see a GVCN the school locked out"
    with db.conn:
        accounts.set_active(db, teacher, True)
        assignments.sync_homerooms(db, in_hk1)
    assert shown() == (name, teacher)
