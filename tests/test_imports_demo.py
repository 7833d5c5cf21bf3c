"""The demo school generator, the school_db fixture it feeds, and the import / demo-data commands."""
from __future__ import annotations

import csv
from datetime import date

import phonenumbers
import pytest

from demo import school as demo_school
from store.school import phones
from demo import preschool as preschool_demo
from demo import primary as primary_demo
from store.core.clock import local_today, school_year_of
from store.imports import import_file
from store.rules.tt22 import tx_count
from tests.fixtures_imports import BAD, GOOD, dump

TODAY = date(2026, 11, 28)


def test_same_seed_same_files_other_seed_other_files(tmp_path):
    a = demo_school.generate(tmp_path / "a", seed=3, classes_per_grade=1, students_per_class=5, today=TODAY)
    b = demo_school.generate(tmp_path / "b", seed=3, classes_per_grade=1, students_per_class=5, today=TODAY)
    c = demo_school.generate(tmp_path / "c", seed=4, classes_per_grade=1, students_per_class=5, today=TODAY)
    assert [k for k, _ in a] == list(demo_school.IMPORT_ORDER)
    assert all(pa.read_bytes() == pb.read_bytes() for (_, pa), (_, pb) in zip(a, b))
    assert dict(a)["students"].read_bytes() != dict(c)["students"].read_bytes()


def test_guardian_phones_are_valid_mobiles_in_mixed_formats(tmp_path):
    files = dict(demo_school.generate(tmp_path, seed=1, classes_per_grade=2, students_per_class=20, today=TODAY,
                                      marks=False))
    rows = list(csv.reader(files["guardians"].read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))[4:]
    raw = [r[1] for r in rows]
    assert {p[:1] for p in raw} >= {"0", "8", "+", "9", "3", "7"}
    assert any(len(p) == 11 and p[:4] in phones.OLD_PREFIXES for p in raw)
    assert any(" " in p for p in raw)
    for p in raw:
        number = phonenumbers.parse(phones.normalise(p))
        assert phonenumbers.is_valid_number(number), p
    assert len({r[1] for r in rows}) < len(rows)          # some guardians have two children
    assert sum(1 for r in rows if r[3]) > len(rows) // 8  # some have an e-mail


def test_guardian_count_is_a_parameter(tmp_path):
    files = dict(demo_school.generate(tmp_path, seed=1, classes_per_grade=1, students_per_class=10, today=TODAY,
                                      guardians=30, marks=False))
    rows = list(csv.reader(files["guardians"].read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))[4:]
    assert len({phones.normalise(r[1]) for r in rows}) == 30


def test_school_db_holds_the_showcase_families_with_complete_hk1(school_db):
    db = school_db
    year = school_year_of(local_today(demo_school.DEFAULT_TZ))
    for family in demo_school.SHOWCASE:
        children = db.execute(
            "SELECT s.code, s.full_name, c.name, sc.code, l.active FROM guardian_links l "
            "JOIN guardians g ON g.id = l.guardian_id JOIN students s ON s.id = l.student_id "
            "JOIN enrollments e ON e.student_id = s.id AND e.school_year = l.school_year "
            "JOIN classes c ON c.id = e.class_id JOIN schools sc ON sc.id = s.school_id "
            "WHERE g.phone = ? AND l.school_year = ? ORDER BY s.code DESC",
            [phones.normalise(family.phone), year]).fetchall()
        assert children == [(c.code, c.full_name, c.class_name, c.school, 1) for c in family.children]
        for child in family.children:
            subjects = db.execute(
                "SELECT su.code, su.periods_per_year FROM subjects su JOIN schools sc ON sc.id = su.school_id "
                "JOIN classes c ON c.grade = su.grade AND c.school_id = sc.id WHERE sc.code = ? AND c.name = ? "
                "AND c.school_year = ?", [child.school, child.class_name, year]).fetchall()
            graded = dict(db.execute(
                "SELECT subject_code || kind, count(*) FROM grades g JOIN students s ON s.id = g.student_id "
                "WHERE s.code = ? AND term = 1 AND status = 'approved' GROUP BY subject_code, kind",
                [child.code]).fetchall())
            taken = {code for code, _ in subjects if f"{code}GK" in graded}
            assert len(taken) >= 10
            for code, periods in subjects:
                if code in taken:
                    assert (graded[f"{code}TX"], graded[f"{code}GK"], graded[f"{code}CK"]) == (tx_count(periods), 1, 1)
            for table in ("conduct", "attendance", "comments"):
                assert db.execute(f"SELECT count(*) FROM {table} t JOIN students s ON s.id = t.student_id "
                                  "WHERE s.code = ? AND status = 'approved'", [child.code]).fetchone() == (1,)
    hoa = db.execute("SELECT given_name_folded FROM students WHERE code = 'DD900001'").fetchone()
    assert hoa == ("HOA",)


def test_school_db_marks_follow_the_subject_kind(school_db):
    kinds = dict(school_db.execute(
        "SELECT su.kind, group_concat(DISTINCT CASE WHEN g.value IN ('D', 'CD') THEN 'dcd' ELSE 'num' END) "
        "FROM grades g JOIN students s ON s.id = g.student_id JOIN enrollments e ON e.student_id = s.id "
        "JOIN classes c ON c.id = e.class_id "
        "JOIN subjects su ON su.school_id = s.school_id AND su.code = g.subject_code AND su.grade = c.grade "
        "GROUP BY su.kind").fetchall())
    assert kinds == {"diem": "num", "nhanxet": "dcd"}
    assert school_db.execute("SELECT count(*) FROM events WHERE kind = 'thongbao'").fetchone()[0] >= 2
    assert school_db.execute("SELECT count(DISTINCT code) FROM schools").fetchone() == (2,)


def test_school_db_is_a_private_copy(school_db, school_db_path, tmp_path):
    assert school_db_path == tmp_path / "sll.db"
    school_db.execute("DELETE FROM comments")
    assert school_db.execute("SELECT count(*) FROM comments").fetchone() == (0,)


def test_school_db_copy_is_fresh_again(school_db):
    assert school_db.execute("SELECT count(*) FROM comments").fetchone()[0] > 0


def test_reimporting_the_generated_school_changes_nothing(school_db, tmp_path):
    files = demo_school.generate(tmp_path, seed=7, classes_per_grade=2, students_per_class=10)
    before = dump(school_db)
    for kind, path in files:
        report = import_file(school_db, kind, path, approve=True)
        assert (report.inserted, report.updated) == (0, 0) and report.unchanged > 0, kind
        if kind not in ("bangdiem", "assignments"):   # scores / class-subjects (and a GVCN mark), several a row
            assert report.unchanged == report.rows, kind
    after = dump(school_db)
    assert {t: r for t, r in after.items() if t != "import_batches"} == \
        {t: r for t, r in before.items() if t != "import_batches"}


def test_generated_xlsx_imports_like_csv(db, tmp_path):
    for kind, path in demo_school.generate(tmp_path, seed=2, classes_per_grade=1, students_per_class=3,
                                           fmt="xlsx", today=TODAY):
        assert not import_file(db, kind, path).errors
    # THCS 4 grades x 1 class x 3 + the extra 8A2 the showcase needs (3) + THPT 3 x 3 + 4 showcase children.
    assert db.execute("SELECT count(*) FROM students").fetchone() == (12 + 3 + 9 + 4,)
    assert db.execute("SELECT count(*) FROM students WHERE code LIKE '%9000%'").fetchone() == (4,)


def test_cli_import_reports_rows_and_exit_status(cli, tmp_path):
    cli("init", check=True)
    bad = cli("import", "schools", str(BAD / "schools.csv"))
    assert bad.returncode == 1
    assert "schools.csv: dòng 4: cấp học 'Đại học' không đúng" in bad.stderr
    assert "schools.csv: dòng 7: trùng với dòng 3" in bad.stderr
    assert "4 dòng lỗi, chưa nhập gì" in bad.stderr
    dry = cli("import", "schools", str(GOOD / "schools.csv"), "--dry-run", check=True)
    assert "schools.csv (schools): 2 dòng: 2 thêm mới, 0 cập nhật, 0 không đổi (chạy thử: chưa ghi gì)" in dry.stdout
    first = cli("import", "schools", str(GOOD / "schools.csv"), "--approve", check=True)
    assert "2 thêm mới" in first.stdout
    again = cli("import", "schools", str(GOOD / "schools.csv"), check=True)
    assert "schools.csv (schools): 2 dòng: 0 thêm mới, 0 cập nhật, 2 không đổi" in again.stdout
    missing = cli("import", "grades", str(BAD / "grades_missing_column.csv"))
    assert missing.returncode == 1 and "thiếu cột điểm (diem) (dòng tiêu đề tìm thấy: dòng 2:" in missing.stderr


def test_cli_demo_data_imports_then_reports_everything_unchanged(cli, tmp_path):
    cli("init", check=True)
    args = ("demo-data", str(tmp_path / "demo"), "--classes-per-grade", "1", "--students-per-class", "4",
            "--import", "--approve")
    first = cli(*args, check=True)
    assert "students.csv (students)" in first.stdout and "guardians.csv: dòng" in first.stdout
    second = cli(*args, check=True)
    summaries = [line for line in second.stdout.splitlines() if " dòng: " in line]
    assert len(summaries) == len(demo_school.IMPORT_ORDER) + len(primary_demo.IMPORT_ORDER) + len(preschool_demo.IMPORT_ORDER)
    assert all(" 0 thêm mới, 0 cập nhật, " in line for line in summaries), summaries


@pytest.mark.parametrize("family", demo_school.SHOWCASE, ids=lambda f: f.phone)
def test_showcase_numbers_are_valid_mobiles(family):
    assert phones.normalise(family.phone).startswith("+84")
