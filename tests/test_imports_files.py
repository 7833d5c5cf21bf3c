"""Every KIND: the hand-written good files load, the bad ones are refused row by row, nothing half-imported."""
from __future__ import annotations

import pytest

from store.imports import ImportRowsError, MissingColumnsError, import_file
from tests.fixtures_imports import BAD, GOOD, HAND_ORDER, csv_rows, dump, write_xlsx

# kind -> the exact (row, reason) list for tests/data/imports/bad/<kind>.csv, imported on top of hand_school.
BAD_ROWS = {
    "schools": [(4, "bad cap 'Đại học' (use MN, TH, THCS, THPT or several joined by +, e.g. TH+THCS)"), (5, "ten_truong is empty"),
                (6, "bad cap 'THCS+Cao đẳng' (use MN, TH, THCS, THPT or several joined by +, e.g. TH+THCS)"), (7, "duplicate of row 3")],
    "terms": [(3, "unknown school THCS-XX"), (4, "bad nam_hoc '2025-2027' (use e.g. 2026-2027)"),
              (5, "bad hoc_ky 'HK3' (use 1 or 2)"), (6, "ket_thuc 2026-01-18 is before bat_dau 2026-05-31"),
              (7, "term dates 2026-01-18..2026-08-15 are outside the school year 2025-2026"),
              (8, "bad bat_dau '18/13/2026' (no such day)"), (9, "duplicate of row 2")],
    "classes": [(3, "khoi 10 is not a THCS grade (6-9)"), (4, "bad khoi 'bảy' (use 1-12 or NT, MGB, MGN, MGL)"),
                (5, "lop is empty"), (6, "duplicate of row 2")],
    "subjects": [(3, "bad kieu 'hát' (use diem or nhanxet)"), (4, "bad so_tiet_nam '0' (must be 1-600)"),
                 (5, "khoi 9 is not a THPT grade (10-12)"), (6, "duplicate of row 2")],
    "students": [(4, "bad ngay_sinh '31/02/2012' (no such day)"), (5, "unknown class 8A9 at THCS-T1 in 2025-2026"),
                 (6, "unknown school THCS-XX"), (7, "ho_ten is empty"), (8, "duplicate of row 3"),
                 (9, "bad ngay_sinh 'thứ hai' (use yyyy-mm-dd or dd/mm/yyyy)")],
    "guardians": [(3, "bad phone '0243123456' (not a valid phone number)"),
                  (4, "bad phone '12345' (not a valid phone number)"), (5, "bad email 'ba@noi' (The part after the @-sign is not valid. It should have a period.)"),
                  (6, "unknown student HS999"), (7, "student HS001 is not enrolled in 2024-2025"),
                  (8, "duplicate of row 2"), (9, "so_dien_thoai is empty")],
    "grades": [(3, "TX5 is beyond the 4 TX of TOAN (140 periods a year)"),
               (4, "TX3 is beyond the 2 TX of GDCD (35 periods a year)"),
               (5, "diem '11' is out of range 0-10"), (6, "diem 'abc' is not a number"),
               (7, "diem 'CĐ' is a comment (D/CD) but the subject is scored"),
               (8, "diem '8' is a number but the subject is assessed by comment (D/CD)"),
               (9, "unknown student HS999"), (10, "unknown subject HOA for grade 8 at THCS-T1"),
               (11, "unknown subject VAN for grade 6 at THCS-T1"),
               (12, "ngay 2026-01-20 is outside HK1 2025-2026 (2025-09-05..2026-01-16)"),
               (13, "bad ngay '31/02/2025' (no such day)"), (14, "diem '7,25' has more than one decimal"),
               (16, "duplicate of row 15"), (17, "stt 2 for GK: there is one GK score a term"),
               (18, "stt is empty (TX scores are numbered 1, 2, ...)"), (19, "diem 'x' is not D or CD")],
    "bangdiem": [(3, "TX3 is beyond the 2 TX of GDCD (35 periods a year)"),
                 (4, "TX2 '7' is a number but the subject is assessed by comment (D/CD); CK 'x' is not D or CD"),
                 (5, "TX1 '11' is out of range 0-10; TX2 '6,25' has more than one decimal"),
                 (6, "student HS002 is not enrolled in 2026-2027"), (7, "duplicate of row 2")],
    "conduct": [(3, "bad xep_loai 'Trung bình' (use T, K, D or CD)"), (4, "bad hoc_ky 'HK3' (use 1 or 2, or CN)"),
                (5, "duplicate of row 2")],
    "attendance": [(3, "ngay 2026-01-17 is outside the terms of 2025-2026 at THCS-T1"),
                   (4, "bad buoi 'tối' (use S, C or N)"), (5, "bad co_phep '?' (use P/K or 1/0)"),
                   (6, "duplicate of row 2"), (7, "unknown student HS999")],
    "comments": [(3, "unknown subject HOA for grade 8 at THCS-T1"), (4, "noi_dung is empty"),
                 (5, "duplicate of row 2"), (6, "student HS001 is not enrolled in 2026-2027")],
    "events": [(3, "unknown class 9A9 at THCS-T1 in 2025-2026"),
               (4, "bad loai 'dã ngoại' (use thi, hop, nghi, thongbao or khac)"), (5, "tieu_de is empty"),
               (6, "duplicate of row 2"), (7, "bad ngay '32/12/2025' (no such day)")],
}
LATER = ("grades", "bangdiem", "conduct", "attendance", "comments", "events")


def as_format(tmp_path, folder, kind: str, fmt: str):
    """The CSV test file, or the same cells written to an .xlsx."""
    source = folder / f"{kind}.csv"
    return source if fmt == "csv" else write_xlsx(tmp_path / f"{kind}.xlsx", csv_rows(source))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", list(BAD_ROWS))
def test_bad_file_lists_every_bad_row_and_writes_nothing(hand_school, tmp_path, kind, fmt):
    before = dump(hand_school)
    with pytest.raises(ImportRowsError) as raised:
        import_file(hand_school, kind, as_format(tmp_path, BAD, kind, fmt), approve=True)
    assert [(e.row, e.reason) for e in raised.value.report.errors] == BAD_ROWS[kind]
    assert dump(hand_school) == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_good_files_load_then_a_second_import_changes_nothing(db, tmp_path, fmt):
    first = {}
    for kind in HAND_ORDER + LATER:
        report = import_file(db, kind, as_format(tmp_path, GOOD, kind, fmt))
        assert not report.errors
        first[kind] = dict(report.counts)
    assert first["guardians"] == {"inserted": 4}
    # bangdiem repeats the LY TX3 6,5 of grades.csv: unchanged.
    assert first["bangdiem"] == {"inserted": 12, "unchanged": 1}
    before = dump(db)
    for kind in HAND_ORDER + LATER:
        report = import_file(db, kind, as_format(tmp_path, GOOD, kind, fmt))
        assert report.inserted == report.updated == 0 and report.unchanged > 0, kind
    after = dump(db)
    assert {t: rows for t, rows in after.items() if t != "import_batches"} == \
        {t: rows for t, rows in before.items() if t != "import_batches"}


def test_good_values_are_stored_in_canonical_form(hand_school):
    db = hand_school
    for kind in LATER:
        import_file(db, kind, GOOD / f"{kind}.csv")
    assert db.execute("SELECT code, level FROM schools ORDER BY code").fetchall() == [("THCS-T1", "THCS"),
                                                                                    ("THPT-T2", "THPT")]
    assert db.execute("SELECT starts_on FROM terms t JOIN schools s ON s.id = t.school_id "
                      "WHERE s.code = 'THPT-T2' AND term = 2").fetchone() == ("2026-01-18",)
    assert db.execute("SELECT name FROM classes WHERE grade = 8").fetchone() == ("8A2",)
    assert db.execute("SELECT code, kind FROM subjects WHERE name = 'Ngữ văn'").fetchone() == ("VAN", "diem")
    assert db.execute("SELECT full_name, given_name_folded, birth_date FROM students WHERE code = 'HS001'"
                      ).fetchone() == ("Nguyễn Thị Hoa", "HOA", "2012-03-14")
    grades = db.execute("SELECT subject_code, kind, seq, value, date, status, entered_by FROM grades g "
                        "JOIN students s ON s.id = g.student_id WHERE s.code = 'HS001' ORDER BY g.id").fetchall()
    assert grades == [("TOAN", "TX", 1, "7.5", "2025-09-15", "pending", "import:grades.csv"),
                      ("TOAN", "TX", 2, "8", "2025-10-01", "pending", "import:grades.csv"),
                      ("TOAN", "GK", 1, "9", "2025-10-20", "pending", "import:grades.csv"),
                      ("GDTC", "TX", 1, "D", None, "pending", "import:grades.csv"),
                      ("GDCD", "TX", 2, "10", None, "pending", "import:grades.csv")]
    book = db.execute("SELECT subject_code, kind, seq, value FROM grades g JOIN students s ON s.id = g.student_id "
                      "WHERE s.code = 'HS002' ORDER BY subject_code, kind, seq").fetchall()
    assert book == [("GDTC", "CK", 1, "CD"), ("GDTC", "GK", 1, "D"), ("GDTC", "TX", 1, "D"), ("GDTC", "TX", 2, "D"),
                    ("TOAN", "CK", 1, "7.5"), ("TOAN", "GK", 1, "8"), ("TOAN", "TX", 1, "8"),
                    ("TOAN", "TX", 2, "7.5"), ("TOAN", "TX", 3, "9")]
    assert db.execute("SELECT s.code, term, rating FROM conduct c JOIN students s ON s.id = c.student_id "
                      "ORDER BY s.code").fetchall() == [("HS001", 1, "T"), ("HS002", 1, "K"), ("HS003", 0, "D"),
                                                        ("HS004", 2, "CD")]
    assert db.execute("SELECT s.code, date, session, excused, reason FROM attendance a "
                      "JOIN students s ON s.id = a.student_id ORDER BY s.code").fetchall() == [
        ("HS001", "2025-10-06", "S", 1, "Ốm"), ("HS002", "2025-10-07", "C", 0, None),
        ("HS004", "2025-10-20", "C", 1, "Việc gia đình")]
    assert db.execute("SELECT subject_code, body FROM comments ORDER BY id").fetchall() == [
        ("", "Em chăm chỉ, tiến bộ rõ."), ("TOAN", "Cần rèn kỹ năng trình bày."), ("LY", "Tích cực phát biểu.")]
    assert db.execute("SELECT e.kind, c.name, e.title FROM events e LEFT JOIN classes c ON c.id = e.class_id "
                      "ORDER BY e.id").fetchall() == [
        ("thi", None, "Kiểm tra giữa học kỳ I"), ("hop", "8A2", "Họp phụ huynh đầu năm"),
        ("nghi", None, "Nghỉ Tết Dương lịch"), ("thongbao", None, "Lịch thi học kỳ I")]


def test_guardians_are_upserted_by_phone_and_mappings_reported(db):
    for kind in HAND_ORDER[:-1]:
        import_file(db, kind, GOOD / f"{kind}.csv")
    report = import_file(db, "guardians", GOOD / "guardians.csv")
    assert [(n.row, n.note) for n in report.notes] == [
        (4, "phone added the leading 0 (912345678 -> 0912345678)"),
        (5, "phone old prefix 0166 -> 036 (01662345678 -> 0362345678)")]
    guardians = db.execute("SELECT phone, full_name, email FROM guardians ORDER BY phone").fetchall()
    assert guardians == [("+84362345678", "Trần Thị Mai", None), ("+84912345678", "Nguyễn Văn Hùng", "hung@example.vn"),
                         ("+84987654321", "Lê Văn Tâm", None)]
    links = db.execute("SELECT g.phone, s.code, l.relation, l.consent_source, l.active FROM guardian_links l "
                       "JOIN guardians g ON g.id = l.guardian_id JOIN students s ON s.id = l.student_id "
                       "ORDER BY s.code").fetchall()
    assert links == [("+84912345678", "HS001", "Bố", "import", 1), ("+84362345678", "HS002", "Mẹ", "import", 1),
                     ("+84987654321", "HS003", "Bố", "import", 1), ("+84912345678", "HS004", "Bố", "import", 1)]


def test_missing_column_is_a_file_error_naming_the_header_row(hand_school):
    with pytest.raises(MissingColumnsError) as raised:
        import_file(hand_school, "grades", BAD / "grades_missing_column.csv")
    assert raised.value.missing == ["diem"]
    assert raised.value.header_row == 2
    assert str(raised.value) == ("grades_missing_column.csv: missing column(s) diem (header row found: row 2: "
                                 "'Mã HS', 'Môn', 'Năm học', 'Học kỳ', 'Loại', 'STT')")


def test_broken_files_are_file_errors_never_crashes(hand_school, tmp_path):
    """A 200,000-character cell, an .xlsx whose XML is garbage or cut short: the file's error, nothing written."""
    import zipfile

    from store.imports import ImportFileError
    before = dump(hand_school)
    huge = tmp_path / "grades.csv"
    huge.write_text('ma_hs,ma_mon,nam_hoc,hoc_ky,loai,stt,diem,ngay\nX,"' + "a" * 200_000 + '",2025-2026,1,TX,1,7,\n',
                    encoding="utf-8")
    good = tmp_path / "good.xlsx"
    write_xlsx(good, csv_rows(GOOD / "grades.csv"))
    broken_book, cut_sheet = tmp_path / "book.xlsx", tmp_path / "sheet.xlsx"
    for target, mangle in ((broken_book, "xl/workbook.xml"), (cut_sheet, "xl/worksheets/sheet1.xml")):
        with zipfile.ZipFile(good) as src, zipfile.ZipFile(target, "w") as dst:
            for item in src.infolist():
                data = src.read(item.filename)
                dst.writestr(item, b"<not xml" if item.filename == mangle and mangle.endswith("workbook.xml")
                             else data[:len(data) // 2] if item.filename == mangle else data)
    for path in (huge, broken_book, cut_sheet):
        with pytest.raises(ImportFileError, match="not a readable"):
            import_file(hand_school, "grades", path)
    assert dump(hand_school) == before


def test_a_typed_minus_zero_is_the_score_zero():
    from decimal import Decimal

    from store.imports.values import canonical_score
    assert canonical_score(Decimal("-0")) == canonical_score(Decimal("-0.0")) == "0"


def test_a_schools_own_import_never_rewrites_a_guardian_another_school_shares(school_db, tmp_path):
    """0912345678 has children at THCS-DD and THPT-CVA: THCS-DD's list links, but does not rename them."""
    from store.clock import local_today, school_year_of
    db = school_db
    year = school_year_of(local_today("Asia/Ho_Chi_Minh"))
    before = db.execute("SELECT full_name, email FROM guardians WHERE phone = '+84912345678'").fetchone()
    f = tmp_path / "guardians.csv"
    f.write_text(f"so_dien_thoai,ho_ten,email,ma_hs,quan_he,nam_hoc\n0912345678,Ke Mao Danh,evil@example.vn,"
                 f"DD900001,Bo,{year}\n0903000111,Ke Mao Danh,evil@example.vn,DD900001,Bo,{year}\n",
                 encoding="utf-8")
    import_file(db, "guardians", f, school_code="THCS-DD")
    assert db.execute("SELECT full_name, email FROM guardians WHERE phone = '+84912345678'").fetchone() == before
    # 0903000111's only child is at THPT-CVA: THCS-DD may link it to its own student, never rename it.
    assert db.execute("SELECT full_name FROM guardians WHERE phone = '+84903000111'").fetchone()[0] == "Phạm Quốc Bảo"
    import_file(db, "guardians", f)         # an operator's import (no --school) may
    assert db.execute("SELECT full_name FROM guardians WHERE phone = '+84912345678'").fetchone()[0] == "Ke Mao Danh"


def test_a_student_who_moved_school_keeps_earlier_years_at_the_earlier_school(school_db, tmp_path):
    from store.clock import local_today, school_year_of
    from store.imports import ImportRowsError
    db = school_db
    year = school_year_of(local_today("Asia/Ho_Chi_Minh"))
    last = f"{int(year[:4]) - 1}-{year[:4]}"
    dd, cva = (db.execute("SELECT id FROM schools WHERE code = ?", [c]).fetchone()[0] for c in ("THCS-DD", "THPT-CVA"))
    sid = db.execute("SELECT id FROM students WHERE code = 'DD900001'").fetchone()[0]
    old_class = db.execute("INSERT INTO classes (school_id, school_year, name, grade) VALUES (?, ?, '9A9', 9)",
                           [dd, last]).lastrowid
    new_class = db.execute("SELECT id FROM classes WHERE school_id = ? AND school_year = ? LIMIT 1",
                           [cva, year]).fetchone()[0]
    db.execute("INSERT INTO enrollments (student_id, school_year, class_id) VALUES (?, ?, ?)", [sid, last, old_class])
    db.execute("UPDATE enrollments SET class_id = ? WHERE student_id = ? AND school_year = ?", [new_class, sid, year])
    db.execute("UPDATE students SET school_id = ? WHERE id = ?", [cva, sid])
    f = tmp_path / "conduct.csv"
    f.write_text(f"ma_hs,nam_hoc,hoc_ky,xep_loai\nDD900001,{last},1,CD\n", encoding="utf-8")
    with pytest.raises(ImportRowsError) as refused:
        import_file(db, "conduct", f, school_code="THPT-CVA")
    assert "is at THCS-DD, not THPT-CVA" in str(refused.value.report.errors[0])
    import_file(db, "conduct", f, school_code="THCS-DD")
    assert db.execute("SELECT rating FROM conduct WHERE student_id = ? AND school_year = ?", [sid, last]).fetchone() \
        == ("CD",)
