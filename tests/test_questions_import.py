"""Importing questions from Word .docx and Excel .xlsx files as teachers write them."""
from __future__ import annotations

import pytest

from store.questions import bank
from store.questions.errors import ImportRejected, QuestionError
from store.questions.importing import Defaults, import_questions
from store.questions.levels import Level, parse_level

from .fixtures_questions import BAD_DOCX, GOOD_DOCX, XLSX_HEADER, write_docx, write_xlsx

DEFAULTS = Defaults(subject_code="TOAN", grade=8, topic="", level="NB")


@pytest.fixture
def school(db):
    return db.execute("INSERT INTO schools (code, name, level, created_at) VALUES ('S1', 'T', 'THCS', 'x')").lastrowid


def test_a_word_file_in_the_common_form_is_read_with_keys_levels_and_topics(db, school, tmp_path):
    path = write_docx(tmp_path / "de.docx", GOOD_DOCX)
    done = import_questions(db, path, school, "gv", DEFAULTS)
    assert done.questions == 4
    qs = bank.search(db, school, subject="TOAN", grade=8)
    assert [(q.key_letter, q.level, q.topic) for q in qs] == [
        ("A", Level.NB, "Hằng đẳng thức"), ("B", Level.NB, "Hằng đẳng thức"), ("B", Level.TH, "Hằng đẳng thức"),
        ("A", Level.VDC, "Hằng đẳng thức")]
    assert qs[0].choices == ("x² − 4", "x² + 4", "x² − 2", "2x − 4")     # two choices a line, tab between
    assert qs[2].explanation.startswith("x² − 2x + 1 = (x − 1)²")
    assert qs[3].body == "Số nghiệm của x² + 1 = 0 là" and len(qs[3].choices) == 3


def test_a_word_file_with_bad_questions_names_each_and_writes_nothing(db, school, tmp_path):
    path = write_docx(tmp_path / "de.docx", BAD_DOCX)
    with pytest.raises(ImportRejected) as e:
        import_questions(db, path, school, "gv", DEFAULTS)
    named = {p.where: p.reason for p in e.value.problems}
    assert set(named) == {"Câu 1", "Câu 2", "Câu 3", "Câu 5", "Câu 6"}
    assert "đánh dấu 2 đáp án" in named["Câu 1"]
    assert "chưa có đáp án" in named["Câu 2"]
    assert "chỉ có 1 phương án" in named["Câu 3"]
    assert "quá 6 phương án" in named["Câu 5"]
    assert "A, C" in named["Câu 6"]
    assert db.execute("SELECT COUNT(*) FROM questions").fetchone()[0] == 0


def test_a_spreadsheet_with_title_rows_and_accented_headers(db, school, tmp_path):
    path = write_xlsx(tmp_path / "nh.xlsx", [XLSX_HEADER,
        [1, "2 + 2 = ?", 3, 4, 5, None, None, None, "B", "Nhận biết", "TOAN", 8, "Số học", "Cộng"],
        [2, "Thủ đô của Việt Nam", "Huế", "Hà Nội", "Đà Nẵng", "TP HCM", "Cần Thơ", "Hải Phòng", "b", "M1",
         "TNXH", 3, "Quê hương", None],
        [], [3, "Chọn số chẵn", "1", "3", "4", "5", None, None, "C.", "vận dụng", None, None, None, None]])
    assert import_questions(db, path, school, "gv", DEFAULTS).questions == 3
    qs = {q.body: q for q in bank.search(db, school)}
    assert qs["2 + 2 = ?"].choices == ("3", "4", "5") and qs["2 + 2 = ?"].key_letter == "B"
    capital = qs["Thủ đô của Việt Nam"]
    assert (capital.subject_code, capital.grade, capital.level, len(capital.choices)) == ("TNXH", 3, Level.M1, 6)
    assert (qs["Chọn số chẵn"].subject_code, qs["Chọn số chẵn"].grade) == ("TOAN", 8)   # the form's defaults


def test_a_spreadsheet_names_every_bad_row(db, school, tmp_path):
    path = write_xlsx(tmp_path / "nh.xlsx", [XLSX_HEADER,
        [1, "Đúng", "x", "y", None, None, None, None, "A", "NB", "TOAN", 8, "", ""],
        [2, "Đáp án ngoài", "x", "y", None, None, None, None, "D", "NB", "TOAN", 8, "", ""],
        [3, "", "x", "y", None, None, None, None, "A", "NB", "TOAN", 8, "", ""],
        [4, "Mức lạ", "x", "y", None, None, None, None, "A", "rất khó", "TOAN", 8, "", ""],
        [5, "Khối lạ", "x", "y", None, None, None, None, "A", "NB", "TOAN", 13, "", ""],
        [6, "Hai đáp án", "x", "y", None, None, None, None, "A, B", "NB", "TOAN", 8, "", ""],
        [7, "Trùng", "x", "x", None, None, None, None, "A", "NB", "TOAN", 8, "", ""],
        [8, "Một phương án", "x", None, None, None, None, None, "A", "NB", "TOAN", 8, "", ""],
        [9, "Đáp án số", "x", "y", None, None, None, None, "1", "NB", "TOAN", 8, "", ""]])
    with pytest.raises(ImportRejected) as e:
        import_questions(db, path, school, "gv", DEFAULTS)
    named = {p.where: p.reason for p in e.value.problems}
    assert list(named) == [f"Dòng {r} (câu {r - 3})" for r in range(5, 13)]
    assert "đáp án D không có" in named["Dòng 5 (câu 2)"]
    assert "thiếu nội dung" in named["Dòng 6 (câu 3)"]
    assert "mức độ “rất khó”" in named["Dòng 7 (câu 4)"]
    assert "khối “13”" in named["Dòng 8 (câu 5)"]
    assert "2 đáp án" in named["Dòng 9 (câu 6)"]
    assert "giống nhau" in named["Dòng 10 (câu 7)"]
    assert "chỉ có 1 phương án" in named["Dòng 11 (câu 8)"]
    assert "“1” không phải một chữ cái" in named["Dòng 12 (câu 9)"]
    assert db.execute("SELECT COUNT(*) FROM questions").fetchone()[0] == 0


@pytest.mark.parametrize("name, content, message", [
    ("de.docx", b"not a zip", "không phải tệp Word"), ("de.xlsx", b"not a zip", "không đọc được"),
    ("de.pdf", b"%PDF", "chỉ nhận tệp Word .docx hoặc Excel .xlsx"),
])
def test_unreadable_files_get_a_vietnamese_message(db, school, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(QuestionError, match=message):
        import_questions(db, path, school, "gv", DEFAULTS)


def test_a_word_file_with_broken_xml_is_a_file_error(db, school, tmp_path):
    import zipfile
    good = write_docx(tmp_path / "good.docx", GOOD_DOCX)
    broken = tmp_path / "broken.docx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item, data[:len(data) // 2] if item.filename == "word/document.xml" else data)
    with pytest.raises(QuestionError, match="không phải tệp Word"):
        import_questions(db, broken, school, "gv", DEFAULTS)


def test_a_sheet_without_the_columns_says_which(db, school, tmp_path):
    path = write_xlsx(tmp_path / "x.xlsx", [["Họ tên", "Lớp"], ["An", "8A"]])
    with pytest.raises(QuestionError, match="cau_hoi, A, B, dap_an"):
        import_questions(db, path, school, "gv", DEFAULTS)


@pytest.mark.parametrize("text, level", [("M2", Level.M2), ("Mức 3", Level.M3), ("nhận biết", Level.NB),
                                         ("Thông hiểu", Level.TH), ("VD", Level.VD), ("Vận dụng cao", Level.VDC),
                                         ("khó", None), ("", None)])
def test_levels_are_read_in_every_usual_spelling(text, level):
    assert parse_level(text) is level


def test_the_cli_imports_a_word_file_and_names_bad_questions(cli, tmp_path):
    from store.core.connection import connect
    cli("init", check=True)
    db = connect(tmp_path / "sll.db")
    db.execute("INSERT INTO schools (code, name, level, created_at) VALUES ('S1', 'T', 'THCS', 'x')")
    bad = cli("questions", "import", str(write_docx(tmp_path / "bad.docx", BAD_DOCX)), "--school", "S1",
              "--subject", "toan", "--grade", "8")
    assert bad.returncode == 1 and "bad.docx: Câu 1: đánh dấu 2 đáp án" in bad.stderr and "5 bad question(s)" in bad.stderr
    good = write_docx(tmp_path / "good.docx", GOOD_DOCX)
    dry = cli("questions", "import", str(good), "--school", "S1", "--subject", "toan", "--grade", "8", "--dry-run",
              check=True)
    assert "4 question(s) would be added" in dry.stdout and db.execute("SELECT COUNT(*) FROM questions").fetchone()[0] == 0
    cli("questions", "import", str(good), "--school", "S1", "--subject", "toan", "--grade", "8", check=True)
    assert db.execute("SELECT COUNT(*), MIN(subject_code) FROM questions").fetchone() == (4, "TOAN")
