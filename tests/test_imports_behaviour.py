"""Approval, corrections, dry runs, --replace, --school, batches, and typed XLSX cells."""
from __future__ import annotations

from datetime import datetime

import pytest

from store.imports import ImportRowsError, import_file
from tests.fixtures_imports import GOOD, dump, write_xlsx

HEADER = ["Mã HS", "Mã môn", "Năm học", "Học kỳ", "Loại", "STT", "Điểm", "Ngày"]


def grades_file(tmp_path, name: str, *rows):
    return write_xlsx(tmp_path / name, [["BẢNG ĐIỂM"], HEADER, *rows])


def grade(db, code: str, subject: str, kind: str, seq: int):
    return db.execute("SELECT value, status, corrected, approved_by, approved_at IS NOT NULL, entered_by "
                      "FROM grades g JOIN students s ON s.id = g.student_id "
                      "WHERE s.code = ? AND subject_code = ? AND kind = ? AND seq = ?",
                      [code, subject, kind, seq]).fetchone()


def test_approve_marks_rows_approved_by_cli(hand_school, tmp_path):
    path = grades_file(tmp_path, "a.xlsx", ["HS001", "TOAN", "2025-2026", "HK1", "TX", 1, 7.5, None])
    import_file(hand_school, "grades", path, approve=True)
    assert grade(hand_school, "HS001", "TOAN", "TX", 1) == ("7.5", "approved", 0, "cli", 1, "import:a.xlsx")


def test_changed_approved_grade_goes_back_to_pending_and_corrected(hand_school, tmp_path):
    first = grades_file(tmp_path, "first.xlsx", ["HS001", "TOAN", "2025-2026", "HK1", "TX", 1, 7.5, None],
                        ["HS001", "TOAN", "2025-2026", "HK1", "GK", None, 8, None])
    import_file(hand_school, "grades", first, approve=True)
    fixed = grades_file(tmp_path, "fixed.xlsx", ["HS001", "TOAN", "2025-2026", "HK1", "TX", 1, 8.5, None],
                        ["HS001", "TOAN", "2025-2026", "HK1", "GK", None, "8,0", None])
    report = import_file(hand_school, "grades", fixed)
    assert (report.updated, report.unchanged) == (1, 1)
    assert grade(hand_school, "HS001", "TOAN", "TX", 1) == ("8.5", "pending", 1, None, 0, "import:fixed.xlsx")
    assert grade(hand_school, "HS001", "TOAN", "GK", 1) == ("8", "approved", 0, "cli", 1, "import:first.xlsx")


def test_approving_a_pending_import_later_counts_as_updated(hand_school, tmp_path):
    path = grades_file(tmp_path, "g.xlsx", ["HS001", "TOAN", "2025-2026", "HK1", "TX", 1, 7, None])
    import_file(hand_school, "grades", path)
    assert grade(hand_school, "HS001", "TOAN", "TX", 1)[1] == "pending"
    report = import_file(hand_school, "grades", path, approve=True)
    assert report.updated == 1
    assert grade(hand_school, "HS001", "TOAN", "TX", 1)[1:3] == ("approved", 0)
    assert import_file(hand_school, "grades", path, approve=True).unchanged == 1


def test_dry_run_reports_counts_and_writes_nothing(hand_school):
    before = dump(hand_school)
    report = import_file(hand_school, "grades", GOOD / "grades.csv", dry_run=True, approve=True)
    assert report.dry_run and report.inserted == 6 and report.batch_id is None
    assert dump(hand_school) == before


def test_every_import_is_recorded_as_a_batch(hand_school):
    report = import_file(hand_school, "grades", GOOD / "grades.csv", approve=True)
    row = hand_school.execute("SELECT kind, file_name, length(file_sha256), imported_by, approved, inserted, "
                              "updated, unchanged FROM import_batches WHERE id = ?", [report.batch_id]).fetchone()
    assert row == ("grades", "grades.csv", 64, "cli", 1, 6, 0, 0)


def test_replace_deactivates_links_of_the_files_schools_missing_from_it(hand_school, tmp_path):
    path = write_xlsx(tmp_path / "ph.xlsx", [["Số điện thoại", "Họ tên", "Mã HS", "Năm học"],
                                             ["0912345678", "Nguyễn Văn Hùng", "HS001", "2025-2026"]])
    report = import_file(hand_school, "guardians", path, replace=True)
    assert (report.unchanged, report.counts["deactivated"]) == (1, 2)
    active = hand_school.execute("SELECT s.code, l.active FROM guardian_links l JOIN students s ON s.id = l.student_id "
                                 "ORDER BY s.code").fetchall()
    # HS004 is at the other school, which the file does not cover.
    assert active == [("HS001", 1), ("HS002", 0), ("HS003", 0), ("HS004", 1)]
    assert import_file(hand_school, "guardians", GOOD / "guardians.csv").updated == 2


def test_school_option_refuses_rows_of_another_school(hand_school):
    with pytest.raises(ImportRowsError) as raised:
        import_file(hand_school, "guardians", GOOD / "guardians.csv", school_code="thcs-t1")
    assert [(e.row, e.reason) for e in raised.value.report.errors] == [
        (4, "học sinh HS004 thuộc trường THPT-T2, không phải THCS-T1")]


def test_typed_xlsx_cells_and_a_merged_two_row_header(hand_school, tmp_path):
    rows = [["SỞ GD&ĐT HÀ NỘI"], ["BẢNG ĐIỂM HỌC KỲ I"], [],
            ["STT", "Mã HS", "Môn học", "Năm học", "Học kỳ", "ĐĐGtx", None, None, None, "ĐĐGgk", "ĐĐGck"],
            [None, None, None, None, None, 1, 2, 3, 4, None, None],
            [1, "HS002", "Toán", "2025-2026", "Học kỳ I", 8, 7.5, 9.0, None, 8.0, 6.5],
            [2, "HS004", "Vật lý", "2025-2026", 1, 6, 11, None, None, None, None]]
    bad = write_xlsx(tmp_path / "bad.xlsx", rows, merge=["F4:I4", "J4:J5", "K4:K5"])
    with pytest.raises(ImportRowsError) as raised:
        import_file(hand_school, "bangdiem", bad)
    assert [(e.row, e.reason) for e in raised.value.report.errors] == [(7, "TX2 '11' ngoài khoảng 0-10")]
    rows[-1][6] = 7
    report = import_file(hand_school, "bangdiem", write_xlsx(tmp_path / "good.xlsx", rows, merge=["F4:I4"]))
    assert report.inserted == 7 and report.header_row == 5
    assert hand_school.execute("SELECT group_concat(value, ' ') FROM (SELECT value FROM grades "
                               "WHERE subject_code = 'TOAN' ORDER BY kind DESC, seq)").fetchone() == ("8 7.5 9 8 6.5",)


def test_xlsx_dates_numbers_and_phones_that_lost_their_zero(db, tmp_path):
    for kind in ("schools", "terms", "classes"):
        import_file(db, kind, GOOD / f"{kind}.csv")
    students = write_xlsx(tmp_path / "hs.xlsx", [
        ["DANH SÁCH HỌC SINH"], ["Mã học sinh", "Họ và tên", "Ngày sinh", "Mã trường", "Lớp", "Năm học"],
        [2610001, "Đặng Thu Hà", datetime(2012, 4, 30), "THCS-T1", "8A2", "2025-2026"],
        [2610002.0, "Bùi Văn Long", 41000, "THCS-T1", "8A2", "2025-2026"]])
    assert import_file(db, "students", students).inserted == 2
    assert db.execute("SELECT code, birth_date FROM students ORDER BY code").fetchall() == [
        ("2610001", "2012-04-30"), ("2610002", "2012-04-01")]
    phones = write_xlsx(tmp_path / "ph.xlsx", [
        ["SĐT", "Mã HS", "Năm học"], [912345678, 2610001, "2025-2026"], [1662345678.0, 2610002, "2025-2026"]])
    report = import_file(db, "guardians", phones)
    assert [str(n) for n in report.notes] == [
        "dòng 2: số điện thoại: thêm số 0 ở đầu (912345678 → 0912345678)",
        "dòng 3: số điện thoại: thêm số 0 ở đầu và đổi đầu số cũ 0166 → 036 (1662345678 → 0362345678)"]
    assert db.execute("SELECT phone FROM guardians ORDER BY id").fetchall() == [("+84912345678",), ("+84362345678",)]


def test_smas_footer_below_the_data_is_skipped_and_said(db, tmp_path):
    """Signatures under a blank line are no data; a keyed row after the blank line still is."""
    from store.imports import import_file
    path = tmp_path / "schools.csv"
    path.write_text(
        "DANH SÁCH TRƯỜNG\n\n"
        "Mã trường,Tên trường,Cấp\n"
        "S1,Trường THCS Một,THCS\n"
        "\n"
        "S2,Trường THPT Hai,THPT\n"
        "\n"
        ",\"Hà Nội, ngày 15 tháng 11 năm 2026\",\n"
        ",Người lập biểu,Hiệu trưởng\n", encoding="utf-8")
    report = import_file(db, "schools", path)
    assert report.rows == 2
    assert [r[0] for r in db.execute("SELECT code FROM schools ORDER BY code")] == ["S1", "S2"]
    assert any("bỏ qua như phần chân trang" in str(n) and "dòng 8-9" in str(n) for n in report.notes)


def test_a_keyless_row_inside_the_data_is_still_refused(db, tmp_path):
    import pytest

    from store.imports import ImportRowsError, import_file
    path = tmp_path / "schools.csv"
    path.write_text("Mã trường,Tên trường,Cấp\nS1,Trường Một,THCS\n,Trường không mã,THCS\nS3,Trường Ba,THPT\n",
                    encoding="utf-8")
    with pytest.raises(ImportRowsError) as exc:
        import_file(db, "schools", path)
    assert [e.row for e in exc.value.report.errors] == [3]
    assert db.execute("SELECT count(*) FROM schools").fetchone()[0] == 0
