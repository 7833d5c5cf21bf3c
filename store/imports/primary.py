"""Import kinds of primary schools (Thông tư 27): danhgia, phamchat, ketqua_th and SMAS's wide tonghop_th.

Every reason a row is refused is written in Vietnamese, naming the value and
what TT27 allows (store.rules.tt27 decides: where a test is held, which
quality a grade rates). Rows go through approval like grades (upsert_reviewed).
"""
from __future__ import annotations

import re

from store.school import levels
from store.rules import tt27
from store.rules.tt27 import InvalidValue, Point
from store.school.subjects import ALIAS_TO_CODE
from store.core.text import fold

from . import values as v
from .base import Context, ImportHandler, Op, Outcome, Row, Student, upsert_reviewed
from .enrolled import student_of_level
from .errors import RowRejected
from .kind import ImportKind
from .primary_sheet import locate_summary, write_summary

RESULTS = {"HTXS": "HTXS", "HOANTHANHXUATSAC": "HTXS", "HTT": "HTT", "HOANTHANHTOT": "HTT", "HT": "HT",
           "HOANTHANH": "HT", "CHT": "CHT", "CHUAHOANTHANH": "CHT"}
COMMENDATIONS = {"XS": "XS", "HSXS": "XS", "HOCSINHXUATSAC": "XS", "XUATSAC": "XS", "TB": "TB", "HSTB": "TB",
                 "HOCSINHTIEUBIEU": "TB", "TIEUBIEU": "TB"}
_QUALITY_WORDS = {re.sub(r"[^0-9A-Z]", "", fold(name).upper()): code for code, (name, _, _) in tt27.QUALITIES.items()}
_QUALITY_WORDS.update({code: code for code in tt27.QUALITIES} | {"THAMMY": "TM", "GIAIQUYETVANDE": "GQVD",
                                                                 "TUCHU": "TCTH", "TUHOC": "TCTH"})


def year_of(ctx: Context, row: Row) -> str:
    """nam_hoc from the row, else from the sheet's title (tonghop_th)."""
    raw = row.get("nam_hoc")
    if not v.text(raw) and ctx.state.get("title", {}).get("nam_hoc"):
        return ctx.state["title"]["nam_hoc"]
    if not v.text(raw):
        raise RowRejected("thiếu năm học (cột nam_hoc)")
    try:
        return v.parse_year(raw)
    except RowRejected:
        raise RowRejected(f"năm học '{v.text(raw)}' không đúng (ví dụ 2025-2026)") from None


def point_of(ctx: Context, row: Row) -> Point:
    """dot from the row, else from the sheet's title."""
    raw = row.get("dot")
    if not v.text(raw) and ctx.state.get("title", {}).get("dot"):
        return Point(ctx.state["title"]["dot"])
    point = tt27.find_point(raw)
    if point is None:
        raise RowRejected(f"đợt '{v.text(raw)}' không đúng (GK1, CK1, GK2 hoặc CN)")
    return point


def pupil(ctx: Context, code: str, year: str) -> Student:
    """A primary pupil enrolled in ``year``; RowRejected in Vietnamese when unknown, not enrolled or not primary."""
    return student_of_level(ctx, code, year, noun="học sinh", accepts=levels.is_primary, level_name="tiểu học")


def primary_subject(ctx: Context, student: Student, raw) -> str:
    """The subject code of the pupil's grade at their school; RowRejected when the grade has no such subject."""
    code = v.key(raw)
    if not code:
        raise RowRejected("thiếu mã môn")
    code = ALIAS_TO_CODE.get(code, code)
    code = tt27.FROM_SECONDARY.get(code, code)
    found = ctx._cached(("subject", student.school_id, code, student.grade),
                        "SELECT code, kind, periods_per_year FROM subjects WHERE school_id = ? AND code = ? AND grade = ?",
                        (student.school_id, code, student.grade))
    if found is None:
        shown = f"{tt27.subject_name(code)} ({code})" if code in tt27.SUBJECTS else v.text(raw)
        raise RowRejected(f"lớp {student.grade} của trường {student.school_code} không có môn {shown}")
    return code


def subject_values(student: Student, code: str, point: Point, level_raw, score_raw, label: str = "") -> dict:
    """Level and test score of one subject at one point, checked against TT27; RowRejected with every reason."""
    problems, level, score = [], None, None
    name = label or tt27.subject_name(code)
    if not v.text(level_raw):
        problems.append(f"{name}: thiếu mức (T, H hoặc C)")
    else:
        try:
            level = tt27.parse_subject_level(v.text(level_raw)).value
        except InvalidValue as e:
            problems.append(f"{name}: {e.reason}")
    if score_raw is not None and v.text(score_raw):
        if not tt27.test_held(code, student.grade, point):
            problems.append(f"{name}: không có bài kiểm tra định kì ở lớp {student.grade} đợt {point.value} "
                            f"(điểm {v.text(score_raw)})")
        else:
            try:
                score = tt27.parse_test_score(score_raw)
            except InvalidValue as e:
                problems.append(f"{name}: {e.reason}")
    if problems:
        raise RowRejected("; ".join(problems))
    return {"level": level, "score": score}


def quality_code(student: Student, raw) -> str:
    """A quality or competence code the pupil's grade rates; RowRejected else."""
    code = _QUALITY_WORDS.get(v.key(raw))
    if code is None:
        raise RowRejected(f"mã phẩm chất/năng lực '{v.text(raw)}' không có trong TT27")
    if code not in tt27.rated_qualities(student.grade):
        raise RowRejected(f"lớp {student.grade} không đánh giá {tt27.quality_name(code)} ({code}); "
                          "chỉ từ lớp 3")
    return code


def quality_level(code: str, raw) -> str:
    """A quality level T / Đ / C; RowRejected naming the quality else."""
    try:
        return tt27.parse_quality_level(v.text(raw)).value
    except InvalidValue as e:
        raise RowRejected(f"{tt27.quality_name(code)}: {e.reason}") from e


def assessment_op(student: Student, year: str, point: Point, code: str, values: dict,
                   comment: str | None) -> Op:
    data = {"student_id": student.id, "year": year, "point": point.value, "subject": code, **values}
    if comment:
        data["comment"] = comment       # a sheet without comments leaves the teacher's comment alone
    return Op(("pa", student.id, year, point.value, code), data)


def quality_op(student: Student, year: str, point: Point, code: str, level: str) -> Op:
    return Op(("pq", student.id, year, point.value, code),
              {"student_id": student.id, "year": year, "point": point.value, "code": code, "level": level})


def write(ctx: Context, op: Op) -> Outcome:
    """Write one planned assessment or quality row (both kinds of op)."""
    d = op.data
    if op.key[0] == "pa":
        key = {"student_id": d["student_id"], "school_year": d["year"], "point": d["point"],
               "subject_code": d["subject"]}
        values = {c: d[c] for c in ("level", "score", "comment") if c in d}
        before = ctx.one("SELECT status, level, score FROM primary_assessments WHERE student_id = ? AND "
                         "school_year = ? AND point = ? AND subject_code = ?", tuple(key.values()))
        outcome = upsert_reviewed(ctx, "primary_assessments", key, values)
        # "sửa" marks a changed level or score of an approved row, not a comment added to it.
        if before and before[0] == "approved" and (before[1], before[2]) != (d["level"], d["score"]):
            ctx.conn.execute("UPDATE primary_assessments SET corrected = 1 WHERE student_id = ? AND school_year = ? "
                             "AND point = ? AND subject_code = ?", tuple(key.values()))
        return outcome
    return upsert_reviewed(ctx, "primary_qualities",
                           {"student_id": d["student_id"], "school_year": d["year"], "point": d["point"],
                            "code": d["code"]}, {"level": d["level"]}, has_corrected=True)


class Danhgia(ImportHandler):
    """`danhgia`: ma_hs, nam_hoc, dot, ma_mon, muc (T/H/C), diem (whole 0-10 where a test is held), nhan_xet."""

    name = "danhgia"
    required = ("ma_hs", "nam_hoc", "dot", "ma_mon", "muc")
    optional = ("diem", "nhan_xet")

    def check(self, ctx: Context, row: Row) -> list[Op]:
        year = year_of(ctx, row)
        point = point_of(ctx, row)
        student = pupil(ctx, v.text(row.get("ma_hs")), year)
        code = primary_subject(ctx, student, row.get("ma_mon"))
        values = subject_values(student, code, point, row.get("muc"), row.get("diem"))
        return [assessment_op(student, year, point, code, values, v.text(row.get("nhan_xet")) or None)]

    def apply(self, ctx: Context, op: Op) -> Outcome:
        return write(ctx, op)


class Phamchat(ImportHandler):
    """`phamchat`: ma_hs, nam_hoc, dot, ma (YN, NA, … TC), muc (T/Đ/C)."""

    name = "phamchat"
    required = ("ma_hs", "nam_hoc", "dot", "ma", "muc")

    def check(self, ctx: Context, row: Row) -> list[Op]:
        year = year_of(ctx, row)
        point = point_of(ctx, row)
        student = pupil(ctx, v.text(row.get("ma_hs")), year)
        code = quality_code(student, row.get("ma"))
        return [quality_op(student, year, point, code, quality_level(code, row.get("muc")))]

    def apply(self, ctx: Context, op: Op) -> Outcome:
        return write(ctx, op)


class KetquaTh(ImportHandler):
    """`ketqua_th`: ma_hs, nam_hoc, ket_qua (HTXS/HTT/HT/CHT), khen_thuong (XS / TB / empty): official results."""

    name = "ketqua_th"
    required = ("ma_hs", "nam_hoc", "ket_qua")
    optional = ("khen_thuong",)

    def check(self, ctx: Context, row: Row) -> list[Op]:
        year = year_of(ctx, row)
        student = pupil(ctx, v.text(row.get("ma_hs")), year)
        result = RESULTS.get(v.key(row.get("ket_qua")))
        if result is None:
            raise RowRejected(f"kết quả '{v.text(row.get('ket_qua'))}' không đúng (HTXS, HTT, HT hoặc CHT)")
        award = None
        if v.text(row.get("khen_thuong")):
            award = COMMENDATIONS.get(v.key(row.get("khen_thuong")))
            if award is None:
                raise RowRejected(f"khen thưởng '{v.text(row.get('khen_thuong'))}' không đúng "
                                  "(Học sinh Xuất sắc hoặc Học sinh Tiêu biểu)")
            if award == "XS" and result != "HTXS":
                raise RowRejected("Học sinh Xuất sắc chỉ dành cho kết quả Hoàn thành xuất sắc")
        return [Op((student.id, year), {"student_id": student.id, "year": year, "result": result, "award": award})]

    def apply(self, ctx: Context, op: Op) -> Outcome:
        d = op.data
        return upsert_reviewed(ctx, "primary_results", {"student_id": d["student_id"], "school_year": d["year"]},
                               {"result": d["result"], "commendation": d["award"], "computed": 0})


class TonghopTh(ImportHandler):
    """`tonghop_th`: SMAS's "Bảng tổng hợp kết quả đánh giá giáo dục": one row per pupil, Mức/Điểm pairs per
    subject and a column per quality and competence, under title rows naming the class, point and year."""

    name = "tonghop_th"
    required = ("ma_hs",)
    optional = ("nam_hoc", "dot")

    def locate(self, file_name, first_rows, optional, vocabulary):
        return locate_summary(file_name, first_rows)

    def check(self, ctx: Context, row: Row) -> list[Op]:
        year = year_of(ctx, row)
        point = point_of(ctx, row)
        student = pupil(ctx, v.text(row.get("ma_hs")), year)
        ops, problems = [], []
        # A subject is named by its Mức column, its Điểm column or both (a score without a level is a bad row).
        words = dict.fromkeys(c.split(":")[1] for c in row.cells if c.startswith("mon:"))
        for word in words:
            raw, score = row.get(f"mon:{word}:muc"), row.get(f"mon:{word}:diem")
            if not v.text(raw) and not v.text(score):
                continue        # a subject the pupil's grade does not study (blank in SMAS)
            try:
                code = primary_subject(ctx, student, word)
                ops.append(assessment_op(student, year, point, code,
                                          subject_values(student, code, point, raw, score), None))
            except RowRejected as e:
                problems.append(e.reason)
        for column, raw in row.cells.items():
            if column.startswith("pc:") and v.text(raw):
                try:
                    code = quality_code(student, column[3:])
                    ops.append(quality_op(student, year, point, code, quality_level(code, raw)))
                except RowRejected as e:
                    problems.append(e.reason)
        if problems:
            raise RowRejected("; ".join(problems))
        if not ops:
            raise RowRejected(f"học sinh {student.code}: không có mức nào")
        return ops

    def apply(self, ctx: Context, op: Op) -> Outcome:
        return write(ctx, op)


def _summary_template(path) -> None:
    """tonghop_th's template: SMAS's own layout (title rows, a Mức/Điểm pair under each subject), one pupil in it."""
    example = {"subjects": {"TV": ("T", 9), "TOAN": ("T", 10), "TNXH": ("H", None)}, "qualities": {"CC": "T"}}
    write_summary(path, "Trường Tiểu học Kim Đồng", "2025-2026", Point.CK1,
                  [("KD900004", "Đỗ Minh Khôi", "4A1", 4)], {"KD900004": {Point.CK1: example}})


# TT27's own columns: a quality or competence's code, the year's result and award.
TT27_COLUMNS = {
    "ma": ("ma", "mapc", "manl", "mapcnl", "phamchatnangluc", "maphamchat", "manangluc"),
    "ket_qua": ("ketqua", "ketquagiaoduc", "ketquacuoinam", "danhgiacuoinam"),
    "khen_thuong": ("khenthuong", "danhhieu", "danhhieukhenthuong"),
}
DANHGIA = ImportKind("danhgia", "Đánh giá tiểu học (môn học)", Danhgia(),
                     {"ma_hs": "KD900004", "nam_hoc": "2025-2026", "dot": "CK1", "ma_mon": "TOAN", "muc": "T",
                      "diem": "9", "nhan_xet": "Tính nhanh, cẩn thận"}, reviewed_in=("primary_assessments",))
PHAMCHAT = ImportKind("phamchat", "Phẩm chất, năng lực (tiểu học)", Phamchat(),
                      {"ma_hs": "KD900004", "nam_hoc": "2025-2026", "dot": "CK1", "ma": "CC", "muc": "T"},
                      synonyms=TT27_COLUMNS, reviewed_in=("primary_qualities",),
                      no_demo="the demo's qualities come in tonghop_th's columns (SMAS's layout)")
KETQUA_TH = ImportKind("ketqua_th", "Kết quả cuối năm (tiểu học)", KetquaTh(),
                       {"ma_hs": "KD900004", "nam_hoc": "2025-2026", "ket_qua": "HTT", "khen_thuong": ""},
                       synonyms=TT27_COLUMNS, reviewed_in=("primary_results",),
                       no_demo="the official year-end result exists only after CN; the demo is mid-year")
TONGHOP_TH = ImportKind("tonghop_th", "Bảng tổng hợp kết quả đánh giá (tiểu học, SMAS)", TonghopTh(),
                        {"ma_hs": "KD900004", "nam_hoc": "2025-2026", "dot": "CK1"},
                        reviewed_in=("primary_assessments", "primary_qualities"), template=_summary_template)
PRIMARY_KINDS = (DANHGIA, PHAMCHAT, KETQUA_TH, TONGHOP_TH)
