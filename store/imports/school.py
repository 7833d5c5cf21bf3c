"""Import kinds that describe a school: schools, terms, classes, subjects."""
from __future__ import annotations

from datetime import date

from store.school import levels
from store.core.clock import school_year_of

from . import values as v
from .base import Context, ImportHandler, Op, Outcome, Row, upsert_plain
from .errors import OutsideSchool, RowRejected
from .labels import dmy, label, quoted
from .kind import ImportKind

SUBJECT_KINDS = {"DIEM": "diem", "NHANXET": "nhanxet", "NX": "nhanxet", "DANHGIABANGDIEMSO": "diem",
                 "DANHGIABANGNHANXET": "nhanxet", "DIEMSO": "diem"}


def school_code(value) -> str:
    """ma_truong as stored: trimmed, upper case."""
    code = v.text(value).upper()
    if not code:
        raise RowRejected(f"thiếu {label('ma_truong')}")
    return code


def school_grade(school, value) -> int:
    """A khoi cell as stored, checked against the school's level(s) (store.school.levels); RowRejected else."""
    if not v.text(value):
        raise RowRejected(f"thiếu {label('khoi')}")
    try:
        grade = levels.parse_khoi(value)
    except levels.LevelError as e:
        raise RowRejected(f"khối {quoted(v.text(value))} không đúng (dùng 1-12 hoặc NT, MGB, MGN, MGL)") from e
    allowed = levels.grades_of(school[2])
    if grade not in allowed:
        raise RowRejected(f"khối {levels.khoi_label(grade)} không thuộc cấp {school[2]} "
                          f"(dùng {levels.grades_label(allowed)})")
    return grade


def year_dates(year: str) -> tuple[str, str]:
    """The span a school year may cover: Aug 1 to Jul 31."""
    start = int(year[:4])
    return f"{start}-08-01", f"{start + 1}-07-31"


class Schools(ImportHandler):
    """`schools`: ma_truong, ten_truong, cap (MN, TH, THCS, THPT or several joined by +)."""

    name = "schools"
    required = ("ma_truong", "ten_truong", "cap")

    def check(self, ctx: Context, row: Row) -> list[Op]:
        code = school_code(row.get("ma_truong"))
        if ctx.school_code and code != ctx.school_code:
            raise OutsideSchool(f"mã trường {code} không phải trường đang nhập ({ctx.school_code})", code,
                                ctx.school_code)
        name = v.required(row.get("ten_truong"), "ten_truong")
        try:
            level = levels.parse_levels(v.required(row.get("cap"), "cap"))
        except levels.LevelError as e:
            raise RowRejected(f"cấp học {quoted(v.text(row.get('cap')))} không đúng (dùng MN, TH, THCS, THPT "
                              "hoặc ghép bằng +, ví dụ TH+THCS)") from e
        return [Op((code,), {"code": code, "name": name, "level": level})]

    def apply(self, ctx: Context, op: Op) -> Outcome:
        d = op.data
        return upsert_plain(ctx, "schools", {"code": d["code"]}, {"name": d["name"], "level": d["level"]},
                            extra_insert={"created_at": ctx.now})


class Terms(ImportHandler):
    """`terms`: ma_truong, nam_hoc, hoc_ky, bat_dau, ket_thuc."""

    name = "terms"
    required = ("ma_truong", "nam_hoc", "hoc_ky", "bat_dau", "ket_thuc")

    def check(self, ctx: Context, row: Row) -> list[Op]:
        school = ctx.school(school_code(row.get("ma_truong")))
        year = v.parse_year(row.get("nam_hoc"))
        term = v.parse_term(row.get("hoc_ky"))
        starts = v.parse_date(row.get("bat_dau"), "bat_dau")
        ends = v.parse_date(row.get("ket_thuc"), "ket_thuc")
        if ends < starts:
            raise RowRejected(f"ngày kết thúc {dmy(ends)} trước ngày bắt đầu {dmy(starts)}")
        first, last = year_dates(year)
        if starts < first or ends > last:
            raise RowRejected(f"học kỳ {dmy(starts)}–{dmy(ends)} nằm ngoài năm học {year} (01/08–31/07)")
        return [Op((school[0], year, term), {"school_id": school[0], "year": year, "term": term,
                                              "starts": starts, "ends": ends})]

    def apply(self, ctx: Context, op: Op) -> Outcome:
        d = op.data
        return upsert_plain(ctx, "terms", {"school_id": d["school_id"], "school_year": d["year"], "term": d["term"]},
                            {"starts_on": d["starts"], "ends_on": d["ends"]})


class Classes(ImportHandler):
    """`classes`: ma_truong, lop, khoi, nam_hoc, gvcn."""

    name = "classes"
    required = ("ma_truong", "lop", "khoi", "nam_hoc")
    optional = ("gvcn",)

    def check(self, ctx: Context, row: Row) -> list[Op]:
        school = ctx.school(school_code(row.get("ma_truong")))
        name = v.class_name(row.get("lop"))
        grade = school_grade(school, row.get("khoi"))
        year = v.parse_year(row.get("nam_hoc"))
        teacher = v.text(row.get("gvcn")) or None
        return [Op((school[0], year, name), {"school_id": school[0], "year": year, "name": name,
                                              "grade": grade, "teacher": teacher})]

    def apply(self, ctx: Context, op: Op) -> Outcome:
        d = op.data
        return upsert_plain(ctx, "classes", {"school_id": d["school_id"], "school_year": d["year"], "name": d["name"]},
                            {"grade": d["grade"], "homeroom_teacher": d["teacher"]})


class Subjects(ImportHandler):
    """`subjects`: ma_truong, ma_mon, ten_mon, kieu (diem/nhanxet), khoi, so_tiet_nam."""

    name = "subjects"
    required = ("ma_truong", "ma_mon", "ten_mon", "kieu", "khoi", "so_tiet_nam")

    def check(self, ctx: Context, row: Row) -> list[Op]:
        school = ctx.school(school_code(row.get("ma_truong")))
        code = v.subject_code(row.get("ma_mon"))
        name = v.required(row.get("ten_mon"), "ten_mon")
        kind = v.parse_choice(row.get("kieu"), "kieu", SUBJECT_KINDS, hint="diem hoặc nhanxet")
        grade = school_grade(school, row.get("khoi"))
        periods = v.parse_int(row.get("so_tiet_nam"), "so_tiet_nam", 1, 600)
        return [Op((school[0], code, grade), {"school_id": school[0], "code": code, "name": name, "kind": kind,
                                               "grade": grade, "periods": periods})]

    def apply(self, ctx: Context, op: Op) -> Outcome:
        d = op.data
        return upsert_plain(ctx, "subjects", {"school_id": d["school_id"], "code": d["code"], "grade": d["grade"]},
                            {"name": d["name"], "kind": d["kind"], "periods_per_year": d["periods"]})


def current_year_of(day: str) -> str:
    """school_year_of for a 'YYYY-MM-DD' text."""
    return school_year_of(date.fromisoformat(day))


# The kinds that describe a school, in the order a new school is loaded (store.imports.registry lists them).
SCHOOLS = ImportKind("schools", "Trường", Schools(), {"ma_truong": "THCS-DD", "ten_truong": "Trường THCS Đống Đa",
                                                     "cap": "THCS"})
TERMS = ImportKind("terms", "Học kỳ", Terms(), {"ma_truong": "THCS-DD", "nam_hoc": "2025-2026", "hoc_ky": "HK1",
                                                 "bat_dau": "2025-09-05", "ket_thuc": "2026-01-16"})
CLASSES = ImportKind("classes", "Lớp", Classes(), {"ma_truong": "THCS-DD", "lop": "8A2", "khoi": "8",
                                                    "nam_hoc": "2025-2026", "gvcn": "Vũ Minh Khôi"})
SUBJECTS = ImportKind("subjects", "Môn học", Subjects(), {"ma_truong": "THCS-DD", "ma_mon": "TOAN", "ten_mon": "Toán",
                                                          "kieu": "diem", "khoi": "8", "so_tiet_nam": "140"})
