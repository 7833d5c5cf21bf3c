"""Every KIND: the hand-written good files load, the bad ones are refused row by row, nothing half-imported."""
from __future__ import annotations

import pytest

from store.imports import ImportRowsError, MissingColumnsError, import_file
from store.imports import calamine_rows
from tests.fixtures_imports import BAD, GOOD, HAND_ORDER, csv_rows, dump, write_xls, write_xlsx

# kind -> the exact (row, reason) list for tests/data/imports/bad/<kind>.csv, imported on top of hand_school.
BAD_ROWS = {
    'schools': [
        (4, "cấp học 'Đại học' không đúng (dùng MN, TH, THCS, THPT hoặc ghép bằng +, ví dụ TH+THCS)"),
        (5, 'thiếu tên trường'),
        (6, "cấp học 'THCS+Cao đẳng' không đúng (dùng MN, TH, THCS, THPT hoặc ghép bằng +, ví dụ TH+THCS)"),
        (7, 'trùng với dòng 3 (giữ một dòng)'),
    ],
    'terms': [
        (3, 'không có trường mã THCS-XX (nhập danh sách trường trước)'),
        (4, "năm học '2025-2027' không đúng (ví dụ 2026-2027)"),
        (5, "học kỳ 'HK3' không đúng (dùng 1 hoặc 2)"),
        (6, 'ngày kết thúc 18/01/2026 trước ngày bắt đầu 31/05/2026'),
        (7, 'học kỳ 18/01/2026–15/08/2026 nằm ngoài năm học 2025-2026 (01/08–31/07)'),
        (8, "ngày bắt đầu '18/13/2026' không có trong lịch (dùng dd/mm/yyyy)"),
        (9, 'trùng với dòng 2 (giữ một dòng)'),
    ],
    'classes': [
        (3, 'khối 10 không thuộc cấp THCS (dùng 6-9)'),
        (4, "khối 'bảy' không đúng (dùng 1-12 hoặc NT, MGB, MGN, MGL)"),
        (5, 'thiếu lớp'),
        (6, 'trùng với dòng 2 (giữ một dòng)'),
    ],
    'subjects': [
        (3, "kiểu đánh giá 'hát' không đúng (dùng diem hoặc nhanxet)"),
        (4, "số tiết/năm '0' ngoài khoảng cho phép (dùng số từ 1 đến 600)"),
        (5, 'khối 9 không thuộc cấp THPT (dùng 10-12)'),
        (6, 'trùng với dòng 2 (giữ một dòng)'),
    ],
    'students': [
        (4, "ngày sinh '31/02/2012' không có trong lịch (dùng dd/mm/yyyy)"),
        (5, 'không có lớp 8A9 ở THCS-T1 năm học 2025-2026 (nhập danh sách lớp trước)'),
        (6, 'không có trường mã THCS-XX (nhập danh sách trường trước)'),
        (7, 'thiếu họ tên'),
        (8, 'trùng với dòng 3 (giữ một dòng)'),
        (9, "ngày sinh 'thứ hai' không đúng (dùng dd/mm/yyyy)"),
    ],
    'guardians': [
        (3, "số điện thoại '0243123456' không phải số hợp lệ (kiểm tra lại số)"),
        (4, "số điện thoại '12345' không phải số hợp lệ (kiểm tra lại số)"),
        (5, "email 'ba@noi' không hợp lệ (ví dụ ten@gmail.com)"),
        (6, 'không có học sinh mã HS999'),
        (7, 'học sinh HS001 không học năm học 2024-2025'),
        (8, 'trùng với dòng 2 (giữ một dòng)'),
        (9, 'thiếu số điện thoại'),
    ],
    'grades': [
        (3, 'TX5 vượt số cột TX của TOAN: môn 140 tiết/năm có 4 cột TX'),
        (4, 'TX3 vượt số cột TX của GDCD: môn 35 tiết/năm có 2 cột TX'),
        (5, "điểm '11' ngoài khoảng 0-10"),
        (6, "điểm 'abc' không phải số (nhập số 0-10)"),
        (7, "điểm 'CĐ' là nhận xét Đ/CĐ, môn này chấm điểm (nhập số 0-10)"),
        (8, "điểm '8' là số, môn này đánh giá bằng nhận xét (nhập Đ hoặc CĐ)"),
        (9, 'không có học sinh mã HS999'),
        (10, 'không có môn HOA cho khối 8 ở THCS-T1'),
        (11, 'không có môn VAN cho khối 6 ở THCS-T1'),
        (12, 'ngày 20/01/2026 ngoài học kỳ 1 năm học 2025-2026 (05/09/2025–16/01/2026)'),
        (13, "ngày '31/02/2025' không có trong lịch (dùng dd/mm/yyyy)"),
        (14, "điểm '7,25' có hơn một chữ số thập phân (ví dụ 7,5)"),
        (16, 'trùng với dòng 15 (giữ một dòng)'),
        (17, 'lần (stt) 2 không dùng cho GK: mỗi học kỳ chỉ có một điểm GK'),
        (18, 'thiếu lần (stt): điểm TX đánh số 1, 2, …'),
        (19, "điểm 'x' không phải Đ hoặc CĐ"),
    ],
    'bangdiem': [
        (3, 'TX3 vượt số cột TX của GDCD: môn 35 tiết/năm có 2 cột TX'),
        (4, "TX2 '7' là số, môn này đánh giá bằng nhận xét (nhập Đ hoặc CĐ); CK 'x' không phải Đ hoặc CĐ"),
        (5, "TX1 '11' ngoài khoảng 0-10; TX2 '6,25' có hơn một chữ số thập phân (ví dụ 7,5)"),
        (6, 'học sinh HS002 không học năm học 2026-2027'),
        (7, 'trùng với dòng 2 (giữ một dòng)'),
    ],
    'conduct': [
        (3, "xếp loại 'Trung bình' không đúng (dùng T, K, Đ hoặc CĐ)"),
        (4, "học kỳ 'HK3' không đúng (dùng 1, 2 hoặc CN)"),
        (5, 'trùng với dòng 2 (giữ một dòng)'),
    ],
    'attendance': [
        (3, 'ngày 17/01/2026 ngoài các học kỳ năm học 2025-2026 của THCS-T1'),
        (4, "buổi 'tối' không đúng (dùng S sáng, C chiều hoặc N cả ngày)"),
        (5, "có phép '?' không đúng (dùng P có phép, K không phép, hoặc 1/0)"),
        (6, 'trùng với dòng 2 (giữ một dòng)'),
        (7, 'không có học sinh mã HS999'),
    ],
    'comments': [
        (3, 'không có môn HOA cho khối 8 ở THCS-T1'),
        (4, 'thiếu nội dung'),
        (5, 'trùng với dòng 2 (giữ một dòng)'),
        (6, 'học sinh HS001 không học năm học 2026-2027'),
    ],
    'events': [
        (3, 'không có lớp 9A9 ở THCS-T1 năm học 2025-2026 (nhập danh sách lớp trước)'),
        (4, "loại 'dã ngoại' không đúng (dùng thi, hop, nghi, thongbao hoặc khac)"),
        (5, 'thiếu tiêu đề'),
        (6, 'trùng với dòng 2 (giữ một dòng)'),
        (7, "ngày '32/12/2025' không có trong lịch (dùng dd/mm/yyyy)"),
    ],
}
LATER = ("grades", "bangdiem", "conduct", "attendance", "comments", "events")


FORMATS = ["csv", "xlsx", "xlsx-streamed", "xls"]


def as_format(tmp_path, folder, kind: str, fmt: str, monkeypatch=None):
    """The CSV test file, or the same cells written to an .xlsx (read whole by calamine, or streamed by
    openpyxl as a sheet past calamine_rows.MAX_SHEET_BYTES is) or an old .xls."""
    source = folder / f"{kind}.csv"
    if fmt == "csv":
        return source
    if fmt == "xls":
        return write_xls(tmp_path / f"{kind}.xls", csv_rows(source))
    if fmt == "xlsx-streamed":
        monkeypatch.setattr(calamine_rows, "MAX_SHEET_BYTES", 0)
    return write_xlsx(tmp_path / f"{kind}.xlsx", csv_rows(source))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", list(BAD_ROWS))
def test_bad_file_lists_every_bad_row_and_writes_nothing(hand_school, tmp_path, kind, fmt, monkeypatch):
    before = dump(hand_school)
    with pytest.raises(ImportRowsError) as raised:
        import_file(hand_school, kind, as_format(tmp_path, BAD, kind, fmt, monkeypatch), approve=True)
    assert [(e.row, e.reason) for e in raised.value.report.errors] == BAD_ROWS[kind]
    assert dump(hand_school) == before


@pytest.mark.parametrize("fmt", FORMATS)
def test_good_files_load_then_a_second_import_changes_nothing(db, tmp_path, fmt, monkeypatch):
    first = {}
    for kind in HAND_ORDER + LATER:
        report = import_file(db, kind, as_format(tmp_path, GOOD, kind, fmt, monkeypatch))
        assert not report.errors
        first[kind] = dict(report.counts)
    assert first["guardians"] == {"inserted": 4}
    # bangdiem repeats the LY TX3 6,5 of grades.csv: unchanged.
    assert first["bangdiem"] == {"inserted": 12, "unchanged": 1}
    before = dump(db)
    for kind in HAND_ORDER + LATER:
        report = import_file(db, kind, as_format(tmp_path, GOOD, kind, fmt, monkeypatch))
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
        (4, "số điện thoại: thêm số 0 ở đầu (912345678 → 0912345678)"),
        (5, "số điện thoại: đổi đầu số cũ 0166 → 036 (01662345678 → 0362345678)")]
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
    assert str(raised.value) == ("grades_missing_column.csv: thiếu cột điểm (diem) (dòng tiêu đề tìm thấy: dòng 2: "
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
        with pytest.raises(ImportFileError, match="không đọc được tệp"):
            import_file(hand_school, "grades", path)
    assert dump(hand_school) == before


def test_a_typed_minus_zero_is_the_score_zero():
    from decimal import Decimal

    from store.imports.values import canonical_score
    assert canonical_score(Decimal("-0")) == canonical_score(Decimal("-0.0")) == "0"


def test_a_schools_own_import_never_rewrites_a_guardian_another_school_shares(school_db, tmp_path):
    """0912345678 has children at THCS-DD and THPT-CVA: THCS-DD's list links, but does not rename them."""
    from store.core.clock import local_today, school_year_of
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
    from store.core.clock import local_today, school_year_of
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
    assert "thuộc trường THCS-DD, không phải THPT-CVA" in str(refused.value.report.errors[0])
    import_file(db, "conduct", f, school_code="THCS-DD")
    assert db.execute("SELECT rating FROM conduct WHERE student_id = ? AND school_year = ?", [sid, last]).fetchone() \
        == ("CD",)


def test_an_old_xls_as_smas_exports_it_imports_as_its_csv_does(tmp_path):
    """Numbers typed in an Excel 97-2003 sheet come back as floats (8.0) and dates as date cells: the same
    rows as the CSV with the same marks typed as text."""
    import datetime

    from store.core import migrate
    from store.core.connection import connect

    def school(name):
        db = connect(tmp_path / f"{name}.db")
        migrate.init(db, tmp_path / f"{name}.db")
        for kind in HAND_ORDER:
            import_file(db, kind, GOOD / f"{kind}.csv")
        return db
    typed, text = school("typed"), school("text")
    header = ["Mã HS", "Mã môn", "Năm học", "Học kỳ", "Loại", "STT", "Điểm", "Ngày"]
    rows = [["HS001", "TOAN", "2025-2026", "HK1", "TX", 1, 7.5, datetime.date(2025, 9, 15)],
            ["HS001", "TOAN", "2025-2026", "HK1", "TX", 2, 8, datetime.date(2025, 10, 1)],
            ["HS001", "TOAN", "2025-2026", "HK1", "GK", None, 9, None]]
    xls = write_xls(tmp_path / "Bang diem HK1.xls", [["BẢNG ĐIỂM CHI TIẾT HỌC KỲ I"], header, *rows])
    csv_file = tmp_path / "grades.csv"
    csv_file.write_text(",".join(header) + "\n" + "".join(
        f"HS001,TOAN,2025-2026,HK1,{kind},{stt},{score},{day}\n"
        for kind, stt, score, day in (("TX", 1, "7.5", "15/09/2025"), ("TX", 2, "8", "01/10/2025"), ("GK", "", "9", ""))),
        encoding="utf-8")
    report = import_file(typed, "grades", xls)
    assert not report.errors and report.counts == {"inserted": 3}
    import_file(text, "grades", csv_file)
    cells = ("SELECT student_id, subject_code, school_year, term, kind, seq, value, date, status FROM grades "
             "ORDER BY id")
    assert typed.execute(cells).fetchall() == text.execute(cells).fetchall()
    assert [r[6:8] for r in typed.execute(cells)] == [("7.5", "2025-09-15"), ("8", "2025-10-01"), ("9", None)]


def test_a_sheet_starting_right_of_column_a_keeps_its_columns(hand_school, tmp_path):
    """calamine returns cells from the first used column on: the columns left of it are padded back."""
    from store.imports.readers import open_table
    path = write_xlsx(tmp_path / "offset.xlsx", [[None, None, "Mã HS", "Điểm"], [None, None, "HS001", 8]])
    with open_table(path) as table:
        assert list(table.rows) == [(1, [None, None, "Mã HS", "Điểm"]), (2, [None, None, "HS001", 8])]
