"""Primary imports: SMAS's wide tonghop_th (.xlsx with title rows and merged headers), danhgia, phamchat,
ketqua_th — all or nothing, a Vietnamese reason for every bad row, the same file twice changes nothing."""
from __future__ import annotations

import csv

import openpyxl
import pytest

from store.core.clock import school_year_of
from store.imports import ImportRowsError, import_file
from store.imports.errors import MissingColumnsError
from store.rules import tt27

from .fixtures_commands import hk1_day

import settings as settings_mod

YEAR = school_year_of(hk1_day(settings_mod.load(settings_mod.DEFAULT_CONFIG, env={})))
KHOI, HAN = "KD900004", "KD900002"          # 4A1, 2A1 of the demo primary school


def smas_sheet(path, point_title: str, rows, subjects=("TV", "TOAN", "DD", "AMNHAC"),
               qualities=("YN", "CC", "CNG")):
    """A "Bảng tổng hợp kết quả đánh giá giáo dục" as SMAS exports it: title rows, merged subject headers."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["PHÒNG GD&ĐT QUẬN BA ĐÌNH"])
    ws.append(["TRƯỜNG TIỂU HỌC KIM ĐỒNG"])
    ws.append(["BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ GIÁO DỤC"])
    ws.append([f"Lớp 4A1 - {point_title} - Năm học {YEAR}"])
    top, below = ["STT", "Mã học sinh", "Họ và tên"], ["", "", ""]
    for s in subjects:
        top += [tt27.subject_name(s), None]
        below += ["Mức", "Điểm KTĐK"]
    top += ["Phẩm chất, năng lực"] + [None] * (len(qualities) - 1)
    below += [tt27.quality_name(q) for q in qualities]
    ws.append(top)
    ws.append(below)
    for i in range(len(subjects)):
        ws.merge_cells(start_row=5, start_column=4 + 2 * i, end_row=5, end_column=5 + 2 * i)
    ws.merge_cells(start_row=5, start_column=4 + 2 * len(subjects), end_row=5,
                   end_column=3 + 2 * len(subjects) + len(qualities))
    for r in rows:
        ws.append(list(r))
    ws.append([])
    ws.append(["", "", "Người lập biểu", "", "", "", "Hiệu trưởng"])
    wb.save(path)
    return path


GOOD_ROWS = [(1, KHOI, "Đỗ Minh Khôi", "T", 10, "T", 9, "T", None, "H", None, "T", "Đ", "T"),
             (2, HAN, "Vũ Ngọc Hân", "H", None, "T", None, "T", None, "T", None, "T", "T", None)]


def test_smas_sheet_imports_and_twice_changes_nothing(primary_db, tmp_path):
    path = smas_sheet(tmp_path / "tonghop.xlsx", "Giữa học kì II", GOOD_ROWS)
    first = import_file(primary_db, "tonghop_th", path)
    assert first.header_row == 6 and first.rows == 2
    assert first.inserted == 8 + 3 + 2      # 4 subjects x 2 pupils, Khôi's 3 qualities, Hân's 2 (no CNG in grade 2)
    rows = primary_db.execute("SELECT subject_code, level, score, status FROM primary_assessments a "
                              "JOIN students s ON s.id = a.student_id WHERE s.code = ? AND point = 'GK2' "
                              "ORDER BY subject_code", [KHOI]).fetchall()
    assert rows == [("AMNHAC", "H", None, "pending"), ("DD", "T", None, "pending"), ("TOAN", "T", 9, "pending"),
                    ("TV", "T", 10, "pending")]
    assert primary_db.execute("SELECT q.code, level FROM primary_qualities q JOIN students s ON s.id = q.student_id "
                              "WHERE s.code = ? AND point = 'GK2' ORDER BY q.code", [KHOI]).fetchall() == \
        [("CC", "D"), ("CNG", "T"), ("YN", "T")]
    second = import_file(primary_db, "tonghop_th", path)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 13)
    assert any("chân trang" in str(n) for n in second.notes)


def test_smas_sheet_every_bad_row_reason_and_nothing_written(primary_db, tmp_path):
    rows = [(1, KHOI, "Đỗ Minh Khôi", "T", 8.5, "T", 9, "T", None, "H", None, "T", "T", "T"),     # decimal
            (2, KHOI.replace("4", "9"), "Ai đó", "T", 9, "T", 9, "T", None, "T", None, "T", "T", "T"),  # unknown
            (3, HAN, "Vũ Ngọc Hân", "T", 9, "T", None, "T", None, "T", None, "T", "T", None),     # no GK2 test in grade 2
            (4, HAN, "Vũ Ngọc Hân", "K", None, "T", None, "T", None, "T", None, "T", "T", "T"),   # level K; CNG in grade 2
            (5, KHOI, "Đỗ Minh Khôi", "T", 9, "T", 9, "T", 7, "T", None, "T", "T", "T")]          # DD has no test
    path = smas_sheet(tmp_path / "bad.xlsx", "Giữa học kì II", rows)
    with pytest.raises(ImportRowsError) as e:
        import_file(primary_db, "tonghop_th", path)
    errors = {r.row: r.reason for r in e.value.report.errors}
    assert errors == {
        7: "Tiếng Việt: điểm 8.5 có phần thập phân (TT27: điểm nguyên 0-10)",
        8: "không có học sinh mã KD900009",
        9: "Tiếng Việt: không có bài kiểm tra định kì ở lớp 2 đợt GK2 (điểm 9)",
        10: "Tiếng Việt: mức 'K' không phải T, H hoặc C; lớp 2 không đánh giá Công nghệ (CNG); chỉ từ lớp 3",
        11: "Đạo đức: không có bài kiểm tra định kì ở lớp 4 đợt GK2 (điểm 7)"}
    assert primary_db.execute("SELECT count(*) FROM primary_assessments WHERE point = 'GK2'").fetchone()[0] == 0
    assert primary_db.execute("SELECT count(*) FROM primary_qualities WHERE point = 'GK2'").fetchone()[0] == 0


def _csv(path, header, rows):
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_danhgia_bad_rows(primary_db, tmp_path):
    path = _csv(tmp_path / "danhgia.csv", ["Mã HS", "Năm học", "Đợt", "Môn", "Mức", "Điểm", "Nhận xét"], [
        (KHOI, YEAR, "Cuối năm", "Toán", "T", "9,5", ""),
        (KHOI, YEAR, "CN", "Âm nhạc", "H", "8", ""),
        (KHOI, YEAR, "CN", "Toán", "X", "9", ""),
        ("HS404", YEAR, "CN", "Toán", "T", "9", ""),
        (HAN, YEAR, "CN", "Khoa học", "T", "", ""),
        (KHOI, YEAR, "HK3", "Toán", "T", "9", ""),
        (KHOI, YEAR, "CN", "Tiếng Việt", "Hoàn thành tốt", "10", "Đọc hay."),
        (KHOI, YEAR, "Cuối năm", "Tiếng Việt", "T", "10", ""),
    ])
    with pytest.raises(ImportRowsError) as e:
        import_file(primary_db, "danhgia", path)
    assert [(r.row, r.reason) for r in e.value.report.errors] == [
        (2, "Toán: điểm 9,5 có phần thập phân (TT27: điểm nguyên 0-10)"),
        (3, "Âm nhạc: không có bài kiểm tra định kì ở lớp 4 đợt CN (điểm 8)"),
        (4, "Toán: mức 'X' không phải T, H hoặc C"),
        (5, "không có học sinh mã HS404"),
        (6, "lớp 2 của trường TH-KD không có môn Khoa học (KH)"),
        (7, "đợt 'HK3' không đúng (GK1, CK1, GK2 hoặc CN)"),
        (9, "trùng với dòng 8 (giữ một dòng)")]
    assert primary_db.execute("SELECT count(*) FROM primary_assessments WHERE point = 'CN'").fetchone()[0] == 0


def test_phamchat_and_ketqua_bad_rows(primary_db, tmp_path):
    path = _csv(tmp_path / "pc.csv", ["ma_hs", "nam_hoc", "dot", "ma", "muc"], [
        (HAN, YEAR, "CN", "TH", "T"), (KHOI, YEAR, "CN", "ABC", "T"), (KHOI, YEAR, "CN", "Chăm chỉ", "Khá"),
        (KHOI, YEAR, "CN", "Yêu nước", "Đ")])
    with pytest.raises(ImportRowsError) as e:
        import_file(primary_db, "phamchat", path)
    assert [(r.row, r.reason) for r in e.value.report.errors] == [
        (2, "lớp 2 không đánh giá Tin học (TH); chỉ từ lớp 3"),
        (3, "mã phẩm chất/năng lực 'ABC' không có trong TT27"),
        (4, "Chăm chỉ: mức 'Khá' không phải T, Đ hoặc C")]
    path = _csv(tmp_path / "kq.csv", ["ma_hs", "nam_hoc", "ket_qua", "khen_thuong"], [
        (KHOI, YEAR, "Giỏi", ""), (KHOI, YEAR, "HTT", "Học sinh Xuất sắc"), ("DD900001", YEAR, "HT", "")])
    with pytest.raises(ImportRowsError) as e:
        import_file(primary_db, "ketqua_th", path)
    assert [(r.row, r.reason) for r in e.value.report.errors] == [
        (2, "kết quả 'Giỏi' không đúng (HTXS, HTT, HT hoặc CHT)"),
        (3, "Học sinh Xuất sắc chỉ dành cho kết quả Hoàn thành xuất sắc"),
        (4, "không có học sinh mã DD900001")]


def test_a_secondary_pupil_is_refused(school_db, tmp_path):
    path = _csv(tmp_path / "d.csv", ["ma_hs", "nam_hoc", "dot", "ma_mon", "muc"],
                [("DD900001", YEAR, "CK1", "TOAN", "T")])
    with pytest.raises(ImportRowsError) as e:
        import_file(school_db, "danhgia", path)
    assert e.value.report.errors[0].reason == "học sinh DD900001 học khối 8, không phải tiểu học"


def test_imported_primary_rows_wait_in_the_approval_queue(primary_db, tmp_path):
    from store.review import approvals
    from store.registry.review import spec
    path = smas_sheet(tmp_path / "tonghop.xlsx", "Giữa học kì II", GOOD_ROWS)
    import_file(primary_db, "tonghop_th", path)
    groups = [g for g in approvals.pending_groups(primary_db, "Asia/Ho_Chi_Minh")
              if g.key.kind in (spec("primary_assessments"), spec("primary_qualities"))]
    assert sum(g.count for g in groups) == 13
    toan = next(g for g in groups if g.key.subject == "TOAN" and g.class_name == "4A1")
    rows = approvals.pending_rows(primary_db, toan.key, "Asia/Ho_Chi_Minh")
    assert [r.detail for r in rows] == ["GK2 mức T, KTĐK 9"]
    quals = next(g for g in groups if g.key.kind is spec("primary_qualities") and g.class_name == "4A1")
    assert "GK2 Chăm chỉ: Đạt" in [r.detail for r in approvals.pending_rows(primary_db, quals.key, "Asia/Ho_Chi_Minh")]
    approved = approvals.approve(primary_db, [g.key for g in groups], actor="duyet", tz="Asia/Ho_Chi_Minh",
                                 school_id=None)
    assert approved == 13
    assert primary_db.execute("SELECT count(*) FROM primary_assessments WHERE status = 'pending'").fetchone()[0] == 0


def test_a_school_admin_upload_scope_reads_the_smas_layout(primary_db, tmp_path):
    from store.imports.scope import rows_outside
    path = smas_sheet(tmp_path / "tonghop.xlsx", "Cuối năm học", GOOD_ROWS)
    assert rows_outside(primary_db, "tonghop_th", path, "TH-KD") == []
    assert [f.row for f in rows_outside(primary_db, "tonghop_th", path, "THCS-DD")] == [7, 8]


def smas_three_row_sheet(path, rows):
    """SMAS's layout with a group row over the subjects ("Môn học và hoạt động giáo dục", "Năng lực cốt lõi"
    over "Năng lực chung"/"Năng lực đặc thù"), "Mức đạt được" under each subject, the pupil columns merged down
    the three header rows, and the national motto beside the school's name."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["UBND QUẬN BA ĐÌNH", None, None, None, None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"])
    ws.append(["TRƯỜNG TIỂU HỌC KIM ĐỒNG", None, None, None, None, None, "Độc lập - Tự do - Hạnh phúc"])
    ws.append([])
    ws.append(["BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ GIÁO DỤC"])
    ws.append([f"Lớp 4A1 - Cuối năm học - Năm học {YEAR}"])
    ws.append(["STT", "Mã học sinh", "Họ và tên", "Ngày sinh", "Môn học và hoạt động giáo dục", None, None, None,
               None, "Phẩm chất chủ yếu", None, "Năng lực cốt lõi", None, None])
    ws.append([None] * 4 + ["Tiếng Việt", None, "Toán", None, "Âm nhạc", None, None, "Năng lực chung",
                            "Năng lực đặc thù", None])
    ws.append([None] * 4 + ["Mức đạt được", "Điểm KTĐK", "Mức đạt được", "Điểm KTĐK", "Mức đạt được", "Yêu nước",
                            "Chăm chỉ", "Tự chủ và tự học", "Công nghệ", "Tin học"])
    for merged in ("A6:A8", "B6:B8", "C6:C8", "D6:D8", "E6:I6", "J6:K7", "L6:N6", "E7:F7", "G7:H7", "I7:I8",
                   "M7:N7", "A4:N4", "A5:N5"):
        ws.merge_cells(merged)
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return path


def test_smas_sheet_with_a_group_row_over_the_subjects(primary_db, tmp_path):
    rows = [(1, KHOI, "Đỗ Minh Khôi", "01/02/2016", "T", 10, "Hoàn thành tốt", "9", "H", "T", "Đ", "T", "T", "T")]
    path = smas_three_row_sheet(tmp_path / "tonghop.xlsx", rows)
    first = import_file(primary_db, "tonghop_th", path)
    assert (first.header_row, first.rows, first.inserted) == (8, 1, 3 + 5)
    assert primary_db.execute("SELECT subject_code, level, score FROM primary_assessments a JOIN students s "
                              "ON s.id = a.student_id WHERE s.code = ? AND point = 'CN' ORDER BY subject_code",
                              [KHOI]).fetchall() == [("AMNHAC", "H", None), ("TOAN", "T", 9), ("TV", "T", 10)]
    assert primary_db.execute("SELECT q.code, level FROM primary_qualities q JOIN students s ON s.id = q.student_id "
                              "WHERE s.code = ? AND point = 'CN' ORDER BY q.code", [KHOI]).fetchall() == \
        [("CC", "D"), ("CNG", "T"), ("TCTH", "T"), ("TH", "T"), ("YN", "T")]
    second = import_file(primary_db, "tonghop_th", path)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 8)


def test_a_score_column_without_its_level_column_refuses_the_file(primary_db, tmp_path):
    """A level header the reader does not know ('Kết quả') must not drop the subject's levels and scores."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([f"Lớp 4A1 - Giữa học kì II - Năm học {YEAR}"])
    ws.append(["STT", "Mã học sinh", "Tiếng Việt", None, "Phẩm chất", None])
    ws.append([None, None, "Kết quả", "Điểm KTĐK", "Yêu nước", "Chăm chỉ"])
    ws.append([1, KHOI, "T", 10, "T", "T"])
    wb.save(tmp_path / "lac.xlsx")
    with pytest.raises(MissingColumnsError, match="thiếu cột Mức của môn Tiếng Việt"):
        import_file(primary_db, "tonghop_th", tmp_path / "lac.xlsx")
    assert primary_db.execute("SELECT count(*) FROM primary_qualities WHERE point = 'GK2'").fetchone()[0] == 0
