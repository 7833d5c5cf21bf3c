"""A realistic demo THCS and THPT school, written as the files `import` reads.

Deterministic for a seed (and a date: the school year is the current one).
The files look like SMAS exports: title rows, accented headers, dd/mm/yyyy,
'7,5' scores, phones in mixed formats; everything is then loaded through the
real import path (store.imports), never inserted behind its back.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from store.school import phones
from store.core.clock import local_today, school_year_of
from store.school.terms import planned_dates
from store.rules.tt22 import tx_count

from .sheets import Sheet

DEFAULT_TZ = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True)
class ShowcaseChild:
    """A fixed child the other suites and the demo rely on."""

    code: str
    full_name: str
    school: str
    class_name: str


@dataclass(frozen=True)
class ShowcaseFamily:
    """A fixed guardian (national phone as typed) and their children."""

    phone: str
    guardian: str
    relation: str
    email: str | None
    children: tuple[ShowcaseChild, ...]


# Always generated, with complete HK1 grades in every subject, conduct, one
# absence and one comment each.
SHOWCASE: tuple[ShowcaseFamily, ...] = (
    ShowcaseFamily("0912345678", "Nguyễn Văn Hùng", "Bố", "hung.nguyen@example.vn", (
        ShowcaseChild("DD900001", "Nguyễn Thị Hoa", "THCS-DD", "8A2"),
        ShowcaseChild("CVA900001", "Nguyễn Minh An", "THPT-CVA", "11A1"))),
    ShowcaseFamily("0987654321", "Trần Thị Lan", "Mẹ", None, (
        ShowcaseChild("DD900002", "Lê Hoàng Nam", "THCS-DD", "7A1"),)),
    ShowcaseFamily("0903000111", "Phạm Quốc Bảo", "Bố", None, (
        ShowcaseChild("CVA900002", "Phạm Ngọc Anh", "THPT-CVA", "10A1"),)),
)
SCHOOLS = (("THCS-DD", "Trường THCS Đống Đa", "THCS", (6, 7, 8, 9), "DD"),
           ("THPT-CVA", "Trường THPT Chu Văn An", "THPT", (10, 11, 12), "CVA"))
# The 2018 programme: (code, name, kind, periods a year by grade).
THCS_SUBJECTS = (
    ("TOAN", "Toán", "diem", 140), ("VAN", "Ngữ văn", "diem", 140), ("ANH", "Tiếng Anh", "diem", 105),
    ("KHTN", "Khoa học tự nhiên", "diem", 140), ("LSDL", "Lịch sử và Địa lí", "diem", 105),
    ("GDCD", "Giáo dục công dân", "diem", 35), ("CN", "Công nghệ", "diem", 35), ("TIN", "Tin học", "diem", 35),
    ("GDTC", "Giáo dục thể chất", "nhanxet", 70), ("AMNHAC", "Âm nhạc", "nhanxet", 35),
    ("MYTHUAT", "Mĩ thuật", "nhanxet", 35), ("HDTN", "Hoạt động trải nghiệm, hướng nghiệp", "nhanxet", 105),
    ("GDDP", "Giáo dục địa phương", "nhanxet", 35))
THPT_SUBJECTS = (
    ("TOAN", "Toán", "diem", 105), ("VAN", "Ngữ văn", "diem", 105), ("ANH", "Tiếng Anh", "diem", 105),
    ("SU", "Lịch sử", "diem", 52), ("QPAN", "Giáo dục quốc phòng và an ninh", "diem", 35),
    ("LY", "Vật lí", "diem", 70), ("HOA", "Hoá học", "diem", 70), ("SINH", "Sinh học", "diem", 70),
    ("TIN", "Tin học", "diem", 70), ("DIA", "Địa lí", "diem", 70),
    ("GDKTPL", "Giáo dục kinh tế và pháp luật", "diem", 70), ("CN", "Công nghệ", "diem", 70),
    ("GDTC", "Giáo dục thể chất", "nhanxet", 70), ("HDTN", "Hoạt động trải nghiệm, hướng nghiệp", "nhanxet", 105),
    ("GDDP", "Giáo dục địa phương", "nhanxet", 35))
# THPT electives by class: odd classes natural sciences, even ones social.
NATURAL, SOCIAL = ("LY", "HOA", "SINH", "TIN"), ("DIA", "GDKTPL", "CN", "TIN")
FAMILY = (("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 4), ("Phan", 4),
          ("Vũ", 4), ("Võ", 3), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2), ("Ngô", 2), ("Dương", 1), ("Lý", 1))
MIDDLE = {"m": ("Văn", "Minh", "Đức", "Quang", "Hoàng", "Gia", "Anh", "Thành", "Hữu", "Tuấn", "Bảo", "Quốc"),
          "f": ("Thị", "Ngọc", "Thu", "Thanh", "Phương", "Bảo", "Minh", "Khánh", "Mai", "Hồng", "Thuỳ", "Diệu")}
GIVEN = {"m": ("An", "Bình", "Cường", "Dũng", "Duy", "Hải", "Hiếu", "Hùng", "Huy", "Khang", "Khoa", "Kiên",
               "Long", "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quân", "Sơn", "Tài", "Thắng", "Thịnh", "Trung",
               "Tuấn", "Việt", "Vinh", "Đạt", "Đức", "Khôi"),
         "f": ("Anh", "Chi", "Diệp", "Giang", "Hà", "Hân", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Ly", "Mai",
               "My", "Ngân", "Ngọc", "Nhi", "Như", "Oanh", "Phương", "Quỳnh", "Thảo", "Thư", "Trang", "Trâm",
               "Uyên", "Vy", "Yến", "Hằng", "Nhung")}
# Mobile prefixes (10-digit numbers): Viettel, VinaPhone, MobiFone.
PREFIXES = ("086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038", "039",
            "088", "091", "094", "083", "084", "085", "081", "082",
            "090", "093", "070", "076", "077", "078", "079")
OLD_FORM = {new: old for old, new in phones.OLD_PREFIXES.items()}
COMMENTS = ("Em chăm chỉ, tiến bộ rõ trong học kỳ.", "Cần tập trung hơn trong giờ học.",
            "Hoàn thành tốt các bài tập về nhà.", "Tích cực phát biểu xây dựng bài.",
            "Cần rèn chữ viết cẩn thận hơn.", "Có ý thức giúp đỡ bạn bè.",
            "Nên dành thêm thời gian ôn tập phần hình học.", "Đi học muộn 2 lần trong tháng.")
TET = {2025: "2025-01-29", 2026: "2026-02-17", 2027: "2027-02-06", 2028: "2028-01-26", 2029: "2029-02-13",
       2030: "2030-02-03", 2031: "2031-01-23"}
IMPORT_ORDER = ("schools", "terms", "classes", "subjects", "students", "guardians", "grades", "bangdiem",
                "conduct", "attendance", "comments", "events", "teachers", "assignments")


def subjects_for(level: str, class_number: int) -> list[tuple]:
    """The subjects one class studies (THPT electives depend on the class)."""
    if level == "THCS":
        return list(THCS_SUBJECTS)
    electives = NATURAL if class_number % 2 else SOCIAL
    core = {"TOAN", "VAN", "ANH", "SU", "QPAN", "GDTC", "HDTN", "GDDP"}
    return [s for s in THPT_SUBJECTS if s[0] in core or s[0] in electives]




class DemoSchool:
    """Plans and writes the demo files for one seed, size and school year."""

    def __init__(self, *, seed: int = 1, classes_per_grade: int = 4, students_per_class: int = 40,
                 guardians: int | None = None, today: date | None = None, marks: bool = True):
        self.rng = random.Random(seed)
        self.seed = seed
        self.classes_per_grade = classes_per_grade
        self.students_per_class = students_per_class
        self.guardian_count = guardians
        self.today = today or local_today(DEFAULT_TZ)
        self.year = school_year_of(self.today)
        self.marks = marks
        self.hk1, self.hk2 = planned_dates(self.year).values()
        self._families = [f for f, _ in FAMILY]
        self._weights = [w for _, w in FAMILY]

    # -- values ---------------------------------------------------------
    def _name(self, gender: str, family: str | None = None) -> str:
        family = family or self.rng.choices(self._families, self._weights)[0]
        return f"{family} {self.rng.choice(MIDDLE[gender])} {self.rng.choice(GIVEN[gender])}"

    def _dmy(self, day: date) -> str | date:
        return day if self.fmt == "xlsx" else day.strftime("%d/%m/%Y")

    def _score(self, value: float) -> str | float:
        v = min(10.0, max(0.0, round(value * 2) / 2))
        if self.fmt == "xlsx":
            return v
        return (str(int(v)) if v.is_integer() else str(v)).replace(".", ",")

    def _phone(self, index: int, used: set[str]) -> str:
        """A unique valid mobile number written the many ways spreadsheets hold them."""
        while True:
            prefix = self.rng.choice(PREFIXES)
            national = prefix + f"{self.rng.randrange(10 ** 7):07d}"
            if national not in used and national not in {f.phone for f in SHOWCASE}:
                used.add(national)
                break
        style = index % 10
        if style == 4:
            return "84" + national[1:]
        if style == 5:
            return "+84" + national[1:]
        if style == 6:
            return national[1:]                       # the 0 Excel ate
        if style == 7 and prefix in OLD_FORM:
            return OLD_FORM[prefix] + national[3:]    # pre-2018 11-digit form
        if style == 8:
            return f"{national[:4]} {national[4:7]} {national[7:]}"
        return national

    # -- the plan -------------------------------------------------------
    def _classes(self, school) -> list[tuple[str, int, int]]:
        code, _, _, grades, _ = school
        out = []
        for grade in grades:
            count = self.classes_per_grade
            wanted = [int(c.class_name[-1]) for f in SHOWCASE for c in f.children
                      if c.school == code and c.class_name.startswith(f"{grade}A")]
            count = max([count] + wanted)
            out.extend((f"{grade}A{n}", grade, n) for n in range(1, count + 1))
        return out

    def generate(self, out_dir: str | Path, fmt: str = "csv") -> list[tuple[str, Path]]:
        """Write every file into ``out_dir``; returns (kind, path) in import order."""
        self.fmt = fmt
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {kind: out / f"{kind}.{fmt}" for kind in IMPORT_ORDER}
        students = self._write_structure(paths)
        self._write_guardians(paths["guardians"], students)
        if self.marks:
            self._write_marks(paths, students)
        else:
            del paths["grades"], paths["bangdiem"], paths["conduct"], paths["attendance"], paths["comments"]
        self._write_events(paths["events"])
        self._write_staff(paths)
        return [(k, p) for k, p in paths.items()]

    def _staff_plan(self):
        """teachers and the HK1 assignments (demo.staff), from the same classes and subjects; planned
        first so the classes file names the same homeroom teachers (their own random stream)."""
        from demo import staff as staff_demo
        if getattr(self, "_roster", None) is None:
            self._roster = staff_demo.plan(
                SCHOOLS, self._classes, subjects_for, year=self.year, seed=self.seed,
                names=lambda rng: f"{rng.choice(self._families)} {rng.choice(MIDDLE['f'])} {rng.choice(GIVEN['f'])}",
                phone=lambda rng, i: rng.choice(PREFIXES) + f"{rng.randrange(10 ** 7):07d}")
        return self._roster

    def _write_staff(self, paths) -> None:
        from demo import staff as staff_demo
        staff_demo.write(self._staff_plan(), self._sheet, paths["teachers"], paths["assignments"], self.year)

    def _sheet(self, path: Path, title: str, *headers: list[str]) -> Sheet:
        return Sheet(path, self.fmt, title, list(headers))

    def _write_structure(self, paths) -> list[tuple]:
        """schools, terms, classes, subjects, students; returns the students (code, school, class, ...)."""
        sh = self._sheet(paths["schools"], "DANH SÁCH TRƯỜNG", ["Mã trường", "Tên trường", "Cấp"])
        for code, name, level, _, _ in SCHOOLS:
            sh.write([code, name, level])
        sh.close()
        sh = self._sheet(paths["terms"], f"HỌC KỲ NĂM HỌC {self.year}",
                         ["Mã trường", "Năm học", "Học kỳ", "Bắt đầu", "Kết thúc"])
        for school in SCHOOLS:
            for term, (start, end) in ((1, self.hk1), (2, self.hk2)):
                sh.write([school[0], self.year, f"HK{term}", self._dmy(start), self._dmy(end)])
        sh.close()
        classes = self._sheet(paths["classes"], f"DANH SÁCH LỚP NĂM HỌC {self.year}",
                              ["Mã trường", "Lớp", "Khối", "Năm học", "GVCN"])
        subjects = self._sheet(paths["subjects"], "DANH MỤC MÔN HỌC",
                               ["Mã trường", "Mã môn", "Tên môn", "Kiểu", "Khối", "Số tiết/năm"])
        pupils = self._sheet(paths["students"], f"DANH SÁCH HỌC SINH NĂM HỌC {self.year}",
                             ["STT", "Mã học sinh", "Họ và tên", "Ngày sinh", "Mã trường", "Lớp", "Năm học"])
        showcase = {(c.school, c.class_name): c for f in SHOWCASE for c in f.children}
        homerooms = self._staff_plan().homerooms()
        students, n = [], 0
        start_year = int(self.year[:4])
        for school in SCHOOLS:
            code, _, level, grades, prefix = school
            for grade in grades:
                for s in (THCS_SUBJECTS if level == "THCS" else THPT_SUBJECTS):
                    periods = 52 if level == "THCS" and s[0] == "CN" and grade >= 8 else s[3]
                    subjects.write([code, s[0], s[1], "Điểm số" if s[2] == "diem" else "Nhận xét", grade, periods])
            seq = 0
            for class_name, grade, number in self._classes(school):
                random_gvcn = self._name(self.rng.choice("mf"))      # drawn always: the stream stays the same
                classes.write([code, class_name, grade, self.year, homerooms.get((code, class_name), random_gvcn)])
                chosen = showcase.get((code, class_name))
                for i in range(self.students_per_class + (1 if chosen else 0)):
                    if chosen and i == 0:
                        student_code, full_name = chosen.code, chosen.full_name
                    else:
                        seq += 1
                        student_code, full_name = f"{prefix}{seq:06d}", self._name(self.rng.choice("mf"))
                    born = date(start_year - grade - 6, 1, 1) + timedelta(days=self.rng.randrange(365))
                    n += 1
                    pupils.write([n, student_code, full_name, self._dmy(born), code, class_name, self.year])
                    students.append((student_code, code, level, class_name, grade, number))
        for sheet in (classes, subjects, pupils):
            sheet.close()
        return students

    def _write_guardians(self, path: Path, students: list[tuple]) -> None:
        """Showcase families, then one guardian per child; leftovers become siblings."""
        sh = self._sheet(path, f"DANH SÁCH PHỤ HUYNH NĂM HỌC {self.year}",
                         ["STT", "Số điện thoại", "Họ tên phụ huynh", "Email", "Mã HS", "Quan hệ", "Năm học"])
        n = 0
        for family in SHOWCASE:
            for child in family.children:
                n += 1
                sh.write([n, family.phone, family.guardian, family.email or "", child.code, family.relation,
                          self.year])
        showcase_codes = {c.code for f in SHOWCASE for c in f.children}
        regular = [s[0] for s in students if s[0] not in showcase_codes]
        self.rng.shuffle(regular)
        count = self.guardian_count - len(SHOWCASE) if self.guardian_count else round(len(regular) * 0.92)
        count = max(1, count)
        used: set[str] = set()
        for g in range(count):
            children = [regular[g % len(regular)]] if regular else []
            # Fewer guardians than children: the rest are their brothers and sisters.
            children += regular[count + g::count] if count < len(regular) else []
            gender = "m" if g % 2 else "f"
            name = self._name(gender)
            phone = self._phone(g, used)
            email = ""
            if g % 4 == 0:
                email = f"{_ascii(name.split()[-1])}.{_ascii(name.split()[0])}{g}@gmail.com"
            relation = ("Mẹ", "Bố")[g % 2] if g < len(regular) else ("Ông", "Bà")[g % 2]
            for child in children:
                n += 1
                sh.write([n, phone, name, email, child, relation, self.year])
        sh.close()

    def _write_marks(self, paths, students: list[tuple]) -> None:
        """HK1 grades (bangdiem; the showcase children in `grades` with dates), conduct, absences, comments."""
        rng, year = self.rng, self.year
        showcase_codes = {c.code for f in SHOWCASE for c in f.children}
        book = self._sheet(paths["bangdiem"], f"BẢNG ĐIỂM HỌC KỲ I NĂM HỌC {year}",
                           ["Mã HS", "Môn", "Năm học", "Học kỳ", "Điểm thường xuyên", "", "", "", "GK", "CK"],
                           ["", "", "", "", "1", "2", "3", "4", "", ""])
        long = self._sheet(paths["grades"], f"ĐIỂM CHI TIẾT HỌC KỲ I NĂM HỌC {year}",
                           ["Mã HS", "Mã môn", "Năm học", "Học kỳ", "Loại", "STT", "Điểm", "Ngày"])
        conduct = self._sheet(paths["conduct"], "XẾP LOẠI RÈN LUYỆN HỌC KỲ I",
                              ["Mã HS", "Năm học", "Học kỳ", "Xếp loại"])
        absences = self._sheet(paths["attendance"], "THEO DÕI CHUYÊN CẦN",
                               ["Mã HS", "Ngày", "Buổi", "Có phép", "Lý do"])
        comments = self._sheet(paths["comments"], "NHẬN XÉT CỦA GIÁO VIÊN", ["Mã HS", "Ngày", "Môn", "Nội dung"])
        start, end = self.hk1
        last_day = max(start + timedelta(days=21), min(self.today, end))
        span = (last_day - start).days
        for code, _, level, _, grade, number in students:
            ability = rng.gauss(7.0, 1.2)
            special = code in showcase_codes
            for subj, _, kind, periods in subjects_for(level, number):
                if level == "THCS" and subj == "CN" and grade >= 8:
                    periods = 52
                tx = tx_count(periods)
                if kind == "nhanxet":
                    marks = ["D" if rng.random() > 0.04 else "CD" for _ in range(tx + 2)]
                else:
                    marks = [self._score(rng.gauss(ability, 1.0)) for _ in range(tx + 2)]
                if special:
                    kinds = [("TX", i + 1) for i in range(tx)] + [("GK", 1), ("CK", 1)]
                    for (k, seq), mark in zip(kinds, marks):
                        day = {"GK": start + timedelta(days=60), "CK": end - timedelta(days=10)}.get(
                            k, start + timedelta(days=14 * seq))
                        long.write([code, subj, year, "HK1", k, seq, mark, self._dmy(day)])
                else:
                    row = [code, subj, year, "HK1"] + marks[:tx] + [""] * (4 - tx) + marks[tx:]
                    book.write(row)
            conduct.write([code, year, "HK1", "Tốt" if special else rng.choice(("Tốt",) * 6 + ("Khá", "Khá", "Đạt"))])
            if special or rng.random() < 0.06:
                day = _weekday(start + timedelta(days=rng.randrange(span)))
                excused = special or rng.random() < 0.7
                absences.write([code, self._dmy(day), rng.choice(("Sáng", "Chiều")), "P" if excused else "K",
                                rng.choice(("Ốm", "Việc gia đình", "Đi khám bệnh")) if excused else ""])
            if special or rng.random() < 0.1:
                day = start + timedelta(days=rng.randrange(span))
                subj = rng.choice(("", "TOAN", "VAN", "ANH"))
                comments.write([code, self._dmy(day), subj, rng.choice(COMMENTS)])
        for sheet in (book, long, conduct, absences, comments):
            sheet.close()

    def _write_events(self, path: Path) -> None:
        """Exams, parent meetings, holidays and a couple of announcements (loai thongbao)."""
        sh = self._sheet(path, f"KẾ HOẠCH NĂM HỌC {self.year}",
                         ["Mã trường", "Lớp", "Ngày", "Loại", "Tiêu đề", "Nội dung"])
        start, end = self.hk1
        y2 = int(self.year[5:])
        tet = date.fromisoformat(TET.get(y2, f"{y2}-02-01"))
        for school in SCHOOLS:
            code = school[0]
            rows = [("", start + timedelta(days=60), "thi", "Kiểm tra giữa học kỳ I", "Theo lịch của nhà trường."),
                    ("", end - timedelta(days=14), "thi", "Thi cuối học kỳ I", "Các môn Toán, Ngữ văn, Tiếng Anh."),
                    ("", date(y2, 1, 1), "nghi", "Nghỉ Tết Dương lịch", "Học sinh nghỉ học 1 ngày."),
                    ("", tet - timedelta(days=5), "nghi", "Nghỉ Tết Nguyên đán", "Học sinh nghỉ từ hôm nay."),
                    ("", end - timedelta(days=20), "thongbao", "Lịch thi học kỳ I",
                     "Nhà trường thông báo lịch thi học kỳ I, phụ huynh nhắc con ôn tập."),
                    ("", tet - timedelta(days=12), "thongbao", "Lịch nghỉ Tết Nguyên đán",
                     "Học sinh nghỉ Tết theo lịch của Sở, đi học lại sau 10 ngày.")]
            rows += [(name, start + timedelta(days=16), "hop", "Họp phụ huynh đầu năm", "Phòng học của lớp, 8h00.")
                     for name, _, _ in self._classes(school)]
            for lop, day, kind, title, body in rows:
                sh.write([code, lop, self._dmy(day), kind, title, body])
        sh.close()


def _weekday(day: date) -> date:
    """The day, or the Monday after it when it falls on a weekend."""
    return day + timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


def _ascii(word: str) -> str:
    from store.core.text import fold
    return fold(word).lower()


def generate(out_dir: str | Path, *, seed: int = 1, classes_per_grade: int = 4, students_per_class: int = 40,
             guardians: int | None = None, fmt: str = "csv", today: date | None = None,
             marks: bool = True) -> list[tuple[str, Path]]:
    """Write the demo files; returns (kind, path) in the order they must be imported."""
    school = DemoSchool(seed=seed, classes_per_grade=classes_per_grade, students_per_class=students_per_class,
                        guardians=guardians, today=today, marks=marks)
    return school.generate(out_dir, fmt)
