"""The plan of the demo primary school (Trường Tiểu học Kim Đồng, grades 1–5): pupils, families, marks.

Complete HK I data (GK1 and CK1): SMAS's wide "Bảng tổng hợp" per point
(tonghop_th, an .xlsx with title rows and merged headers), the teachers'
comments (danhgia) and the pupils' guardians, with two fixed families the
tests and the README transcript use. Deterministic for a seed and a date.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from store.core.clock import local_today, school_year_of

from store.rules import tt27
from store.rules.tt27 import Point

SCHOOL = ("TH-KD", "Trường Tiểu học Kim Đồng", "TH")
PREFIX = "KD"
# Periods a year of the 2018 programme (Ngoại ngữ 1 is optional, 70 periods, in grades 1–2).
PERIODS = {"TV": (420, 350, 245, 245, 245), "TOAN": (105, 175, 175, 175, 175), "NN": (70, 70, 140, 140, 140),
           "DD": (35,) * 5, "TNXH": (70, 70, 70, 0, 0), "KH": (0, 0, 0, 70, 70), "LSDL": (0, 0, 0, 70, 70),
           "TINCN": (0, 0, 70, 70, 70), "GDTC": (70,) * 5, "AMNHAC": (35,) * 5, "MYTHUAT": (35,) * 5,
           "HDTN": (105,) * 5}
COMMENTS = {"TV": "Đọc to, rõ ràng; cần viết chữ cẩn thận hơn.", "TOAN": "Tính nhanh, làm bài cẩn thận.",
            "NN": "Mạnh dạn giao tiếp bằng tiếng Anh.", "DD": "Lễ phép với thầy cô, hoà nhã với bạn.",
            "TNXH": "Hiểu biết tốt về cây cối, con vật.", "KH": "Thích tìm hiểu, làm thí nghiệm tốt.",
            "LSDL": "Nhớ tốt các sự kiện lịch sử.", "TINCN": "Sử dụng máy tính thành thạo.",
            "GDTC": "Tích cực tham gia tập luyện.", "AMNHAC": "Cần mạnh dạn hơn khi hát trước lớp.",
            "MYTHUAT": "Vẽ có nhiều sáng tạo.", "HDTN": "Tích cực tham gia hoạt động tập thể."}
FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô")
GIVEN = ("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hân", "Khang", "Khôi", "Lan", "Linh", "Minh",
         "Nam", "Ngọc", "Phúc", "Quân", "Sơn", "Thảo", "Trang", "Tùng", "Vy", "Yến", "Đức")
MIDDLE = ("Minh", "Gia", "Ngọc", "Thị", "Văn", "Bảo", "Thanh", "Khánh", "Anh", "Đức")


@dataclass(frozen=True)
class PrimaryFamily:
    """A fixed guardian of the primary demo and their child (the grade-2 and grade-4 transcripts)."""

    phone: str
    guardian: str
    relation: str
    code: str
    full_name: str
    class_name: str


FAMILIES = (
    PrimaryFamily("0977123456", "Đỗ Thị Mai", "Mẹ", "KD900004", "Đỗ Minh Khôi", "4A1"),
    PrimaryFamily("0966234567", "Vũ Văn Tâm", "Bố", "KD900002", "Vũ Ngọc Hân", "2A1"),
)
IMPORT_ORDER = ("schools", "terms", "classes", "subjects", "students", "guardians", "tonghop_th", "danhgia",
                "tonghop_th")


def subjects_of(grade: int) -> list[str]:
    """The subject codes a grade studies, in report-card order."""
    return [c for c, (_, grades) in tt27.SUBJECTS.items() if grade in grades]


class PrimaryDemo:
    """Plans and writes the primary demo files for one seed, size and school year."""

    def __init__(self, *, seed: int = 1, classes_per_grade: int = 2, students_per_class: int = 20,
                 today: date | None = None):
        self.rng = random.Random(seed * 7919 + 27)
        self.classes_per_grade, self.students_per_class = classes_per_grade, students_per_class
        self.today = today or local_today("Asia/Ho_Chi_Minh")
        self.year = school_year_of(self.today)

    def pupils(self) -> list[tuple[str, str, str, int]]:
        """(code, full name, class, grade) of every pupil; the fixed families' children first in their class."""
        fixed = {f.class_name: f for f in FAMILIES}
        out, seq = [], 0
        for grade in range(1, 6):
            for n in range(1, self.classes_per_grade + 1):
                name = f"{grade}A{n}"
                if name in fixed:
                    out.append((fixed[name].code, fixed[name].full_name, name, grade))
                for _ in range(self.students_per_class):
                    seq += 1
                    full = f"{self.rng.choice(FAMILY_NAMES)} {self.rng.choice(MIDDLE)} {self.rng.choice(GIVEN)}"
                    out.append((f"{PREFIX}{seq:06d}", full, name, grade))
        return out

    def marks(self, pupil) -> dict[Point, dict]:
        """GK1 and CK1 levels, scores and qualities of one pupil (the fixed grade-4 child: 9s and 10s, one H)."""
        code, _, _, grade = pupil
        press = code == FAMILIES[0].code
        ability = 9.6 if press else self.rng.gauss(7.6, 1.3)
        out: dict[Point, dict] = {}
        for point in (Point.GK1, Point.CK1):
            subjects, qualities = {}, {}
            for subject in subjects_of(grade):
                score = None
                if tt27.periodic_test(subject, grade, point) is tt27.PeriodicTest.REQUIRED:
                    score = max(0, min(10, round(self.rng.gauss(ability, 0.9 if not press else 0.3))))
                    if press:
                        score = max(9, score)
                level = "T" if ability + self.rng.gauss(0, 0.8) >= 8 else "H" if ability > 4.6 else "C"
                if press:
                    level = "H" if subject == "AMNHAC" else "T"
                subjects[subject] = (level, score)
            for q in tt27.rated_qualities(grade):
                qualities[q] = "T" if press or ability + self.rng.gauss(0, 1) >= 7.5 else "D"
            out[point] = {"subjects": subjects, "qualities": qualities}
        return out

    def birth(self, grade: int) -> date:
        """A birth date for a pupil of ``grade`` this school year."""
        return date(int(self.year[:4]) - grade - 5, 1, 1) + timedelta(days=self.rng.randrange(365))

