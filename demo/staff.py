"""The demo schools' staff: a roster (Danh sách cán bộ) and a term's Bảng phân công giảng dạy, as SMAS writes them.

Deterministic for a seed, with its own random stream (the other demo files
do not change when this one does). Always present: THCS-DD's teacher
DD-GV001 Nguyễn Thu Hà (0911222333, Tổ Toán - Tin), homeroom teacher of 8A2
who teaches Toán in 8A1, 8A2 and two more classes, and one teacher without a phone.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

SHOWCASE_TEACHER = ("DD-GV001", "Nguyễn Thu Hà", "0911222333")
DEPARTMENTS = {"TOAN": "Tổ Toán - Tin", "TIN": "Tổ Toán - Tin", "VAN": "Tổ Ngữ văn", "ANH": "Tổ Ngoại ngữ",
               "KHTN": "Tổ Khoa học tự nhiên", "LY": "Tổ Khoa học tự nhiên", "HOA": "Tổ Khoa học tự nhiên",
               "SINH": "Tổ Khoa học tự nhiên", "CN": "Tổ Khoa học tự nhiên"}
OTHER_DEPARTMENT = "Tổ Xã hội - Năng khiếu"
HEAVY_PERIODS = 105            # a teacher of a subject this heavy takes 4 classes, of a lighter one 8
TEACHER_HEADERS = ["STT", "Mã trường", "Mã cán bộ", "Họ và tên", "Số điện thoại", "Email", "Tổ chuyên môn", "Chức vụ"]
ASSIGNMENT_HEADERS = ["STT", "Mã trường", "Năm học", "Học kỳ", "Mã cán bộ", "Lớp", "Môn học", "Chủ nhiệm"]
FOOTER = [[], ["", "", "", "Hà Nội, ngày 05 tháng 09"], ["", "Người lập biểu", "", "Hiệu trưởng"]]


@dataclass
class Roster:
    """Rows of the two files (without titles): teachers, and assignments of one term."""

    teachers: list[list]
    assignments: list[list]

    def homerooms(self) -> dict[tuple[str, str], str]:
        """(ma_truong, class) -> the homeroom teacher's name."""
        names = {(t[0], t[1]): t[2] for t in self.teachers}
        return {(r[0], r[4]): names[(r[0], r[3])] for r in self.assignments if r[6]}


def plan(schools, classes_of, subjects_of, *, year: str, term: int = 1, seed: int = 1, names=None,
         phone=None) -> Roster:
    """The staff of ``schools`` (code, name, level, grades, prefix) for their classes and subjects.

    ``classes_of(school)`` gives (class name, grade, number); ``subjects_of(level, number)`` the
    (code, name, kind, periods) a class studies; ``names(rng)`` a full name; ``phone(rng, i)`` a phone as typed.
    """
    rng = random.Random(seed)
    teachers, rows = [], []
    for school in schools:
        code, _, level, _, prefix = school
        staff = _School(code, prefix, rng, names, phone, teachers)
        for position in ("hieu_truong", "pho_hieu_truong", "dieu_phoi", "van_thu"):
            staff.add(position, OTHER_DEPARTMENT if position != "van_thu" else "")
        classes = classes_of(school)
        every = {s[0]: s for number in (1, 2) for s in subjects_of(level, number)}
        for subject, _, _, periods in every.values():
            cap = 4 if periods >= HEAVY_PERIODS else 8
            taught = [c for c in classes if subject in {s[0] for s in subjects_of(level, c[2])}]
            if code == "THCS-DD" and subject == "TOAN":      # the showcase teacher's 8A1 and 8A2 come first
                taught.sort(key=lambda c: c[0] not in ("8A1", "8A2"))
            for i in range(0, len(taught), cap):
                gv = staff.add("to_truong" if i == 0 else "gv", DEPARTMENTS.get(subject, OTHER_DEPARTMENT),
                               showcase=code == "THCS-DD" and subject == "TOAN" and i == 0)
                for class_name, _, _ in taught[i:i + cap]:
                    rows.append([code, year, f"HK{term}", gv, class_name, subject, ""])
        _homerooms(rows, code)
    return Roster(teachers, rows)


def _homerooms(rows: list[list], school: str) -> None:
    """Each class's GVCN: the showcase teacher for 8A2, else the first teacher of the class not yet one."""
    taken, done = set(), set()
    mine = [r for r in rows if r[0] == school]
    for r in mine:
        if r[3] == SHOWCASE_TEACHER[0] and r[4] == "8A2":
            r[6] = "x"
            taken.add(r[3])
            done.add(r[4])
    for r in mine:
        if r[4] not in done and r[3] not in taken:
            r[6] = "x"
            taken.add(r[3])
            done.add(r[4])


class _School:
    """Numbers a school's staff and writes their roster rows."""

    def __init__(self, code, prefix, rng, names, phone, out):
        self.code, self.prefix, self.rng, self.names, self.phone, self.out = code, prefix, rng, names, phone, out
        self.n = 0

    def add(self, position: str, department: str, showcase: bool = False) -> str:
        self.n += 1
        ma = SHOWCASE_TEACHER[0] if showcase else f"{self.prefix}-GV{self.n + 100:03d}"
        name = SHOWCASE_TEACHER[1] if showcase else self.names(self.rng)
        tel = SHOWCASE_TEACHER[2] if showcase else ("" if self.n == 3 else self.phone(self.rng, self.n))
        mail = f"{ma.lower()}@{self.code.lower()}.edu.vn" if self.n % 3 == 0 else ""
        label = {"gv": "Giáo viên", "to_truong": "Tổ trưởng", "hieu_truong": "Hiệu trưởng",
                 "pho_hieu_truong": "Phó hiệu trưởng", "dieu_phoi": "Điều phối", "van_thu": "Văn thư"}[position]
        self.out.append([self.code, ma, name, tel, mail, department, label])
        return ma


def write(roster: Roster, sheet, teachers_path, assignments_path, year: str, term: int = 1) -> None:
    """The two files through the demo's SMAS-like ``sheet(path, title, headers)`` (title rows, STT, signatures)."""
    for path, title, headers, rows in (
            (teachers_path, f"DANH SÁCH CÁN BỘ, GIÁO VIÊN NĂM HỌC {year}", TEACHER_HEADERS, roster.teachers),
            (assignments_path, f"BẢNG PHÂN CÔNG GIẢNG DẠY HỌC KỲ {'I' * term} NĂM HỌC {year}", ASSIGNMENT_HEADERS,
             roster.assignments)):
        sh = sheet(path, title, headers)
        for i, row in enumerate(rows, start=1):
            sh.write([i, *row])
        for row in FOOTER:
            sh.write(row)
        sh.close()
