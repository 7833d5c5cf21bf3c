"""The demo primary school written as the files `import` reads (demo.primary_plan plans it).

Complete HK I data (GK1 and CK1): the usual lists, SMAS's wide "Bảng tổng
hợp" per point (tonghop_th, an .xlsx with title rows and merged headers)
and the teachers' comments (danhgia), with two fixed families the tests and
the README transcript use. Deterministic for a seed and a date.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from demo.sheets import Sheet
from store.imports.primary_sheet import write_summary
from store.school.terms import planned_dates

from store.rules import tt27
from demo.primary_plan import COMMENTS, FAMILIES, IMPORT_ORDER, PERIODS, SCHOOL, PrimaryDemo, subjects_of
from store.rules.tt27 import Point

__all__ = ["FAMILIES", "IMPORT_ORDER", "SCHOOL", "generate"]



class _Files:
    """The demo's files as they are written: (kind, path) in import order, dates as the format wants them."""

    def __init__(self, out: Path, fmt: str):
        self.out, self.fmt = out, fmt
        self.files: list[tuple[str, Path]] = []

    def sheet(self, kind: str, title: str, header: list[str]) -> Sheet:
        path = self.out / f"th_{kind}.{self.fmt}"
        self.files.append((kind, path))
        return Sheet(path, self.fmt, title, [header])

    def dmy(self, day):
        return day if self.fmt == "xlsx" else day.strftime("%d/%m/%Y")

    def summary(self, point: Point, demo, pupils, marks) -> None:
        path = self.out / f"th_tonghop_{point.value.lower()}.xlsx"
        write_summary(path, SCHOOL[1], demo.year, point, pupils, marks)
        self.files.append(("tonghop_th", path))


def write_all(out: Path, fmt: str, demo, pupils, marks) -> list[tuple[str, Path]]:
    """Every file of the primary demo; returns (kind, path) in import order."""
    files = _Files(out, fmt)
    _write_structure(files, demo, pupils)
    _write_people(files, demo, pupils)
    files.summary(Point.GK1, demo, pupils, marks)
    _write_comments(files, demo, pupils, marks)
    files.summary(Point.CK1, demo, pupils, marks)
    return files.files


def _write_structure(files: _Files, demo, pupils) -> None:
    """The school, its terms, this year's classes and the subjects per grade."""
    code, name, level = SCHOOL
    sh = files.sheet("schools", "DANH SÁCH TRƯỜNG", ["Mã trường", "Tên trường", "Cấp"])
    sh.write([code, name, level])
    sh.close()
    sh = files.sheet("terms", f"HỌC KỲ NĂM HỌC {demo.year}", ["Mã trường", "Năm học", "Học kỳ", "Bắt đầu", "Kết thúc"])
    for term, (start, end) in planned_dates(demo.year).items():
        sh.write([code, demo.year, term.code, files.dmy(start), files.dmy(end)])
    sh.close()
    classes = sorted({(p[2], p[3]) for p in pupils}, key=lambda c: (c[1], c[0]))
    sh = files.sheet("classes", f"DANH SÁCH LỚP NĂM HỌC {demo.year}", ["Mã trường", "Lớp", "Khối", "Năm học", "GVCN"])
    for cls, grade in classes:
        sh.write([code, cls, grade, demo.year, f"Cô {demo.rng.choice(('Lan', 'Hương', 'Thu', 'Hạnh', 'Nga'))}"])
    sh.close()
    sh = files.sheet("subjects", "DANH MỤC MÔN HỌC", ["Mã trường", "Mã môn", "Tên môn", "Kiểu", "Khối", "Số tiết/năm"])
    for grade in range(1, 6):
        for subject in subjects_of(grade):
            kind = "Điểm số" if tt27.has_tests(subject, grade) else "Nhận xét"
            sh.write([code, subject, tt27.subject_name(subject), kind, grade, PERIODS[subject][grade - 1]])
    sh.close()


def _write_people(files: _Files, demo, pupils) -> None:
    """The pupils and their guardians (the fixed families with their own numbers)."""
    code = SCHOOL[0]
    sh = files.sheet("students", f"DANH SÁCH HỌC SINH NĂM HỌC {demo.year}",
                     ["STT", "Mã học sinh", "Họ và tên", "Ngày sinh", "Mã trường", "Lớp", "Năm học"])
    for n, (pcode, full, cls, grade) in enumerate(pupils, start=1):
        sh.write([n, pcode, full, files.dmy(demo.birth(grade)), code, cls, demo.year])
    sh.close()
    sh = files.sheet("guardians", f"DANH SÁCH PHỤ HUYNH NĂM HỌC {demo.year}",
                     ["STT", "Số điện thoại", "Họ tên phụ huynh", "Email", "Mã HS", "Quan hệ", "Năm học"])
    fixed = {f.code: f for f in FAMILIES}
    for n, (pcode, full, _, _) in enumerate(pupils, start=1):
        f = fixed.get(pcode)
        if f:
            sh.write([n, f.phone, f.guardian, "", pcode, f.relation, demo.year])
        else:
            sh.write([n, f"0858{n:06d}", f"Phụ huynh {full.split()[-1]}", "", pcode, "Mẹ", demo.year])
    sh.close()


def _write_comments(files: _Files, demo, pupils, marks) -> None:
    """The teachers' CK1 comments (danhgia) of the fixed families and a sample of the others."""
    fixed = {f.code for f in FAMILIES}
    sh = files.sheet("danhgia", f"NHẬN XÉT CUỐI HỌC KÌ I NĂM HỌC {demo.year}",
                     ["Mã HS", "Năm học", "Đợt", "Môn", "Mức", "Điểm", "Nhận xét"])
    for pcode, _, _, grade in pupils:
        if pcode not in fixed and demo.rng.random() > 0.15:
            continue
        for subject in subjects_of(grade):
            lvl, score = marks[pcode][Point.CK1]["subjects"][subject]
            if pcode in fixed or demo.rng.random() < 0.3:
                sh.write([pcode, demo.year, "CK1", subject, lvl, "" if score is None else score, COMMENTS[subject]])
    sh.close()


def generate(out_dir: str | Path, *, seed: int = 1, classes_per_grade: int = 2, students_per_class: int = 20,
             fmt: str = "csv", today: date | None = None, marks: bool = True) -> list[tuple[str, Path]]:
    """Write the primary demo's files into ``out_dir``; returns (kind, path) in the order they must be imported.

    ``marks=False``: only the school, pupils and guardians (no assessments)."""
    demo = PrimaryDemo(seed=seed, classes_per_grade=classes_per_grade, students_per_class=students_per_class,
                       today=today)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pupils = demo.pupils()
    files = write_all(out, fmt, demo, pupils, {p[0]: demo.marks(p) for p in pupils})
    return files if marks else [(k, p) for k, p in files if k not in ("tonghop_th", "danhgia")]
