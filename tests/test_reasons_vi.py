"""Every kind of reason a school reads, from an import or the web grade book, in Vietnamese (issue 13 item 6).

Each reason names the column as the school's sheet heads it, the value as typed and what to type
instead. The imports run through the real runner on the hand-written school (THCS-T1, 2025-2026); the
grade book through the Flask client on the demo school. A guard reads the source so that English
reasons cannot come back.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from store.imports import ImportFileError, ImportRowsError, MissingColumnsError, import_file

from .fixtures_web import csrf_of, post_form
from .test_web_entry import HOA, NAM, book_url, class_id, form_fields, save, student_id, teacher, year  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent

# kind, header, one data row, the reason of that row (row 2)
ROW_REASONS = {
    "bad date": ("students", "Mã học sinh,Họ và tên,Ngày sinh,Mã trường,Lớp,Năm học",
                 "HS001,Nguyễn Thị Hoa,14-3-12,THCS-T1,8A2,2025-2026",
                 "ngày sinh '14-3-12' không đúng (dùng dd/mm/yyyy)"),
    "no such day": ("students", "Mã học sinh,Họ và tên,Ngày sinh,Mã trường,Lớp,Năm học",
                    "HS001,Nguyễn Thị Hoa,30/02/2012,THCS-T1,8A2,2025-2026",
                    "ngày sinh '30/02/2012' không có trong lịch (dùng dd/mm/yyyy)"),
    "bad phone": ("guardians", "Số điện thoại,Mã HS,Năm học", "12345,HS001,2025-2026",
                  "số điện thoại '12345' không phải số hợp lệ (kiểm tra lại số)"),
    "bad email": ("guardians", "Số điện thoại,Email,Mã HS,Năm học", "0912345678,ba@noi,HS001,2025-2026",
                  "email 'ba@noi' không hợp lệ (ví dụ ten@gmail.com)"),
    "accented email": ("guardians", "Số điện thoại,Email,Mã HS,Năm học",
                       "0912345678,bố@example.vn,HS001,2025-2026",
                       "email 'bố@example.vn' có chữ có dấu trước @: dùng địa chỉ không dấu"),
    "empty class": ("classes", "Mã trường,Lớp,Khối,Năm học", "THCS-T1,,7,2025-2026", "thiếu lớp"),
    "bad term": ("conduct", "Mã HS,Năm học,Học kỳ,Xếp loại", "HS001,2025-2026,HK3,T",
                 "học kỳ 'HK3' không đúng (dùng 1, 2 hoặc CN)"),
    "bad year": ("conduct", "Mã HS,Năm học,Học kỳ,Xếp loại", "HS001,2025-2027,1,T",
                 "năm học '2025-2027' không đúng (ví dụ 2026-2027)"),
    "bad whole number": ("subjects", "Mã trường,Mã môn,Tên môn,Kiểu đánh giá,Khối,Số tiết/năm",
                         "THCS-T1,TOAN,Toán,diem,6,ba mươi",
                         "số tiết/năm 'ba mươi' không phải số nguyên (ví dụ 35)"),
    "number out of range": ("subjects", "Mã trường,Mã môn,Tên môn,Kiểu đánh giá,Khối,Số tiết/năm",
                            "THCS-T1,TOAN,Toán,diem,6,0",
                            "số tiết/năm '0' ngoài khoảng cho phép (dùng số từ 1 đến 600)"),
    "score out of range": ("grades", "Mã HS,Mã môn,Năm học,Học kỳ,Loại,STT,Điểm", "HS001,TOAN,2025-2026,1,TX,1,11",
                           "điểm '11' ngoài khoảng 0-10"),
    "bad choice": ("attendance", "Mã HS,Ngày,Buổi,Có phép", "HS001,06/10/2025,tối,P",
                   "buổi 'tối' không đúng (dùng S sáng, C chiều hoặc N cả ngày)"),
    "unknown student": ("conduct", "Mã HS,Năm học,Học kỳ,Xếp loại", "HS999,2025-2026,1,T",
                        "không có học sinh mã HS999"),
    "date outside the term": ("grades", "Mã HS,Mã môn,Năm học,Học kỳ,Loại,STT,Điểm,Ngày",
                              "HS001,TOAN,2025-2026,1,TX,1,8,20/01/2026",
                              "ngày 20/01/2026 ngoài học kỳ 1 năm học 2025-2026 (05/09/2025–16/01/2026)"),
}


@pytest.mark.parametrize("case", list(ROW_REASONS))
def test_a_row_reason_names_the_column_the_value_and_what_to_type(hand_school, tmp_path, case):
    kind, header, row, reason = ROW_REASONS[case]
    path = tmp_path / f"{kind}.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    with pytest.raises(ImportRowsError) as refused:
        import_file(hand_school, kind, path)
    assert [(e.row, e.reason) for e in refused.value.report.errors] == [(2, reason)]
    assert str(refused.value) == f"{kind}.csv: 1 dòng lỗi, chưa nhập gì (sửa các dòng lỗi rồi nhập lại cả tệp)"
    assert str(refused.value.report.errors[0]) == f"dòng 2: {reason}"


def test_a_row_of_another_school_is_refused_with_the_school_on_the_exception(hand_school, tmp_path):
    path = tmp_path / "conduct.csv"
    path.write_text("Mã HS,Năm học,Học kỳ,Xếp loại\nHS004,2025-2026,1,T\n", encoding="utf-8")
    with pytest.raises(ImportRowsError) as refused:
        import_file(hand_school, "conduct", path, school_code="THCS-T1")
    assert [e.reason for e in refused.value.report.errors] == [
        "học sinh HS004 thuộc trường THPT-T2, không phải THCS-T1"]


FILE_REASONS = {
    "missing column": ("grades.csv", "Mã HS,Mã môn,Năm học,Học kỳ,Loại\nHS001,TOAN,2025-2026,1,TX\n".encode(),
                       "grades.csv: thiếu cột điểm (diem) (dòng tiêu đề tìm thấy: dòng 1: 'Mã HS', 'Mã môn', "
                       "'Năm học', 'Học kỳ', 'Loại')"),
    "no header": ("grades.csv", b"a,b\n1,2\n",
                  "grades.csv: thiếu cột mã học sinh (ma_hs), mã môn (ma_mon), năm học (nam_hoc), học kỳ (hoc_ky), "
                  "loại (loai), điểm (diem) (không thấy dòng tiêu đề ở các dòng đầu: kiểm tra tên cột theo tệp mẫu)"),
    "unreadable file": ("grades.xlsx", b"PK\x03\x04 not really a workbook",
                        "grades.xlsx: không đọc được tệp .xlsx: tệp hỏng hoặc không phải .xlsx "
                        "(mở bằng Excel và lưu lại, hoặc xuất lại từ SMAS)"),
    "not UTF-8": ("grades.csv", "Mã HS,Môn\n".encode("latin-1"),
                  "grades.csv: không phải văn bản UTF-8 (dòng 1): lưu lại dạng 'CSV UTF-8' hoặc .xlsx"),
    "broken xls": ("grades.xls", b"\xd0\xcf\x11\xe0",
                   "grades.xls: không đọc được tệp .xls: tệp hỏng hoặc không phải .xls "
                   "(mở bằng Excel và lưu lại, hoặc xuất lại từ SMAS)"),
    "wrong file type": ("grades.pdf", b"%PDF-1.4",
                        "grades.pdf: loại tệp .pdf không đọc được: dùng .csv, .xlsx hoặc .xls"),
}


@pytest.mark.parametrize("case", list(FILE_REASONS))
def test_a_file_reason_says_what_to_do(hand_school, tmp_path, case):
    name, content, message = FILE_REASONS[case]
    (tmp_path / name).write_bytes(content)
    with pytest.raises(ImportFileError) as refused:
        import_file(hand_school, "grades", tmp_path / name)
    assert str(refused.value) == message


def test_missing_columns_keep_their_names_on_the_exception(hand_school, tmp_path):
    (tmp_path / "g.csv").write_text("Mã HS,Mã môn,Năm học\nHS001,TOAN,2025-2026\n", encoding="utf-8")
    with pytest.raises(MissingColumnsError) as refused:
        import_file(hand_school, "grades", tmp_path / "g.csv")
    assert refused.value.missing == ["hoc_ky", "loai", "diem"] and refused.value.header_row == 1


def test_an_unknown_kind_is_named(hand_school, tmp_path):
    (tmp_path / "x.csv").write_text("a\n", encoding="utf-8")
    with pytest.raises(ImportFileError) as refused:
        import_file(hand_school, "diemdanh", tmp_path / "x.csv")
    assert str(refused.value).startswith("x.csv: không có loại dữ liệu 'diemdanh' (dùng một trong: schools, ")


def test_the_upload_page_shows_the_vietnamese_reason_of_each_row(client, make_staff, school_db):
    from .fixtures_web import login_staff
    login_staff(client, make_staff("ad.dd", "admin", "THCS-DD"))
    client.get("/staff/imports")
    content = f"Mã HS,Mã môn,Năm học,Học kỳ,Loại,STT,Điểm\nDD900001,TOAN,{year()},HK3,TX,1,8\n".encode()
    import io
    r = client.post("/staff/imports", data={"file": (io.BytesIO(content), "diem.csv"), "kind": "grades",
                                            "csrf_token": csrf_of(client)}, content_type="multipart/form-data")
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "diem.csv: 1 dòng lỗi, chưa nhập gì" in page
    assert "<tr><td>2</td><td>học kỳ &#39;HK3&#39; không đúng (dùng 1 hoặc 2)</td></tr>" in page


# -- the grade book ------------------------------------------------------------------------------------------------
def _problems(page: str) -> str:
    return page[page.index('id="problems"'):page.index("</table>", page.index('id="problems"'))]


def test_grade_book_a_cell_someone_else_changed_meanwhile(client, teacher, school_db):
    fields = form_fields(client.get(book_url(school_db)).get_data(as_text=True))
    school_db.execute("UPDATE grades SET value = '1' WHERE student_id = ? AND subject_code = 'TOAN' AND "
                      "school_year = ? AND term = 1 AND kind = 'GK'", [student_id(school_db, HOA), year()])
    fields[f"c-{student_id(school_db, HOA)}-GK"] = "9"
    r = client.post("/staff/entry", data={**fields, "csrf_token": csrf_of(client)})
    assert r.status_code == 400
    assert "người khác vừa sửa ô này (nay là 1): tải lại trang rồi nhập lại" in _problems(r.get_data(as_text=True))


def test_grade_book_a_comment_too_long(client, teacher, school_db):
    r = save(client, school_db, book_url(school_db), {}, {HOA: "Em chăm. " * 150})
    assert r.status_code == 400
    assert "nhận xét dài 1349 ký tự, quá 1000 ký tự (rút gọn lại)" in _problems(r.get_data(as_text=True))


def test_grade_book_a_pupil_not_in_the_class(client, teacher, school_db):
    r = post_form(client, "/staff/entry", {"class": class_id(school_db, "THCS-DD", "8A2"), "subject": "TOAN",
                                            "term": "1", f"c-{student_id(school_db, NAM)}-TX1": "1"},
                  get_from="/staff/entry")
    assert r.status_code == 400
    assert (f"học sinh mã số {student_id(school_db, NAM)} không học lớp 8A2 năm học {year()} (tải lại trang)"
            in _problems(r.get_data(as_text=True)))


def test_grade_book_a_score_out_of_range(client, teacher, school_db):
    r = save(client, school_db, book_url(school_db), {(HOA, "CK"): "12"})
    assert r.status_code == 400 and "CK &#39;12&#39; ngoài khoảng 0-10" in _problems(r.get_data(as_text=True))


def test_grade_book_a_bad_parameter(client, teacher, school_db):
    r = client.get("/staff/entry?class=abc")
    assert r.status_code == 400 and "lớp phải là số như trên trang, không phải &#39;abc&#39;" in r.get_data(as_text=True)


# -- the guard -------------------------------------------------------------------------------------------------------
ENGLISH = ("bad ", " is empty", "use ", "not a ", "must be", "reload", "unknown ", "missing ", "duplicate",
           "is not ", "row ")
GUARDED = sorted((ROOT / "store" / "imports").glob("*.py")) + [ROOT / "store" / "secondary" / "gradebook.py",
                                                              ROOT / "store" / "primary" / "gradebook.py"]
REFUSERS = {"RowRejected", "OutsideSchool", "ImportFileError", "MissingColumnsError", "Problem", "refuse",
            "InvalidValue"}


def _texts(node: ast.AST):
    """The literal text of a call's arguments: string constants and the constant parts of f-strings."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            yield sub.value


# Functions that build a reason as a value (returned, or kept in a variable) instead of raising it.
REASON_FUNCTIONS = {"_check_cell", "not_in_class", "_not_in_class", "unknown_kind", "_unreadable", "_not_utf8"}


def _refusals(tree: ast.AST):
    """(line, text) of every reason the source can give: refusal calls' arguments, reason functions' strings."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name in REFUSERS:
                for arg in [*node.args, *(k.value for k in node.keywords)]:
                    yield node.lineno, " ".join(_texts(arg))
        elif isinstance(node, ast.FunctionDef) and node.name in REASON_FUNCTIONS:
            body = node.body[1:] if ast.get_docstring(node) else node.body
            for stmt in body:
                if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
                        and getattr(stmt.value.func, "attr", "") in ("info", "debug", "warning")):   # the log
                    yield stmt.lineno, " ".join(_texts(stmt))


@pytest.mark.parametrize("path", GUARDED, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_english_reason_in_the_source(path):
    found = [(line, text) for line, text in _refusals(ast.parse(path.read_text(encoding="utf-8")))
             if any(word in text.lower() for word in ENGLISH)]
    assert found == [], f"{path.name}: English in a reason: {found}"


def test_the_guard_sees_an_english_reason():
    tree = ast.parse('raise RowRejected(f"bad {column} {t!r} (use yyyy-mm-dd)")\n'
                     'problems.append(Problem(code, name, label, typed, "changed meanwhile: reload the page"))\n')
    assert [line for line, text in _refusals(tree) if any(w in text.lower() for w in ENGLISH)] == [1, 2]
