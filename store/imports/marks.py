"""Import kinds of assessment: grades (one score a row), bangdiem (the wide grade book), conduct."""
from __future__ import annotations

from store.rules.tt22 import tx_count

from . import values as v
from .base import Context, ImportHandler, Op, Outcome, Row, Student, upsert_reviewed
from .errors import RowRejected
from .labels import dmy
from .headers import MAX_TX
from .kind import ImportKind

GRADE_KINDS = {"TX": "TX", "THUONGXUYEN": "TX", "DDGTX": "TX", "GK": "GK", "GIUAKY": "GK", "DDGGK": "GK",
               "CK": "CK", "CUOIKY": "CK", "DDGCK": "CK"}
RATINGS = {"T": "T", "TOT": "T", "K": "K", "KHA": "K", "D": "D", "DAT": "D", "CD": "CD", "CHUADAT": "CD"}


def _subject_and_term(ctx: Context, row: Row) -> tuple[Student, tuple, str, int, tuple]:
    year = v.parse_year(row.get("nam_hoc"))
    term = v.parse_term(row.get("hoc_ky"))
    student = ctx.student(v.required(row.get("ma_hs"), "ma_hs"), year)
    subject = ctx.subject(student, v.subject_code(row.get("ma_mon")))
    dates = ctx.term(student.school_id, student.school_code, year, term)
    return student, subject, year, term, dates


def check_tx_index(subject, seq: int) -> None:
    """TX seq must not exceed the subject's TX count (Thông tư 22: 2, 3 or 4 by periods a year)."""
    allowed = tx_count(subject[2])
    if seq > allowed:
        raise RowRejected(f"TX{seq} vượt số cột TX của {subject[0]}: môn {subject[2]} tiết/năm có {allowed} cột TX")


def _write_grade(ctx: Context, op: Op) -> Outcome:
    d = op.data
    values = {"value": d["value"]}
    if d.get("date"):
        values["date"] = d["date"]
    return upsert_reviewed(ctx, "grades", {"student_id": d["student_id"], "subject_code": d["subject"],
                                           "school_year": d["year"], "term": d["term"], "kind": d["kind"],
                                           "seq": d["seq"]},
                           values, has_corrected=True, compare=("value",))


class Grades(ImportHandler):
    """`grades`: ma_hs, ma_mon, nam_hoc, hoc_ky, loai, stt, diem, ngay (one score per row)."""

    name = "grades"
    required = ("ma_hs", "ma_mon", "nam_hoc", "hoc_ky", "loai", "diem")
    optional = ("stt", "ngay")

    def check(self, ctx: Context, row: Row) -> list[Op]:
        student, subject, year, term, dates = _subject_and_term(ctx, row)
        kind = v.parse_choice(row.get("loai"), "loai", GRADE_KINDS, hint="TX, GK hoặc CK")
        raw_seq = v.text(row.get("stt"))
        if kind == "TX":
            if not raw_seq:
                raise RowRejected("thiếu lần (stt): điểm TX đánh số 1, 2, …")
            seq = v.parse_int(raw_seq, "stt", 1)
            check_tx_index(subject, seq)
        else:
            seq = v.parse_int(raw_seq, "stt", 1) if raw_seq else 1
            if seq != 1:
                raise RowRejected(f"lần (stt) {seq} không dùng cho {kind}: mỗi học kỳ chỉ có một điểm {kind}")
        value = v.parse_score(row.get("diem"), subject[1])
        day = None
        if v.text(row.get("ngay")):
            day = v.parse_date(row.get("ngay"), "ngay")
            if not dates[0] <= day <= dates[1]:
                raise RowRejected(f"ngày {dmy(day)} ngoài học kỳ {term} năm học {year} ({dmy(dates[0])}–{dmy(dates[1])})")
        return [Op((student.id, subject[0], year, term, kind, seq),
                   {"student_id": student.id, "subject": subject[0], "year": year, "term": term, "kind": kind,
                    "seq": seq, "value": value, "date": day})]

    def apply(self, ctx: Context, op: Op) -> Outcome:
        return _write_grade(ctx, op)


class GradeBook(ImportHandler):
    """`bangdiem`: ma_hs, ma_mon, nam_hoc, hoc_ky, TX1..TXn, GK, CK (empty cells are skipped)."""

    name = "bangdiem"
    required = ("ma_hs", "ma_mon", "nam_hoc", "hoc_ky")
    optional = ("gk", "ck")
    wide = True

    def check(self, ctx: Context, row: Row) -> list[Op]:
        student, subject, year, term, _ = _subject_and_term(ctx, row)
        cells = [(f"tx{i}", "TX", i) for i in range(1, MAX_TX + 1)] + [("gk", "GK", 1), ("ck", "CK", 1)]
        ops, problems = [], []
        for column, kind, seq in cells:
            raw = row.get(column)
            if not v.text(raw):
                continue
            label = f"TX{seq}" if kind == "TX" else kind
            try:
                if kind == "TX":
                    check_tx_index(subject, seq)
                value = v.parse_score(raw, subject[1], label)
            except RowRejected as e:
                problems.append(e.reason)
                continue
            ops.append(Op((student.id, subject[0], year, term, kind, seq),
                          {"student_id": student.id, "subject": subject[0], "year": year, "term": term,
                           "kind": kind, "seq": seq, "value": value}))
        if problems:
            raise RowRejected("; ".join(problems))
        return ops

    def duplicate_key(self, op: Op) -> tuple:
        """One row per pupil, subject and term: the prefix of its cells' keys (1 key a row, not 10)."""
        return op.key[:4]

    def apply(self, ctx: Context, op: Op) -> Outcome:
        return _write_grade(ctx, op)


class Conduct(ImportHandler):
    """`conduct`: ma_hs, nam_hoc, hoc_ky (1, 2 or CN), xep_loai (T, K, D, CD)."""

    name = "conduct"
    required = ("ma_hs", "nam_hoc", "hoc_ky", "xep_loai")

    def check(self, ctx: Context, row: Row) -> list[Op]:
        year = v.parse_year(row.get("nam_hoc"))
        term = v.parse_term(row.get("hoc_ky"), allow_year=True)
        student = ctx.student(v.required(row.get("ma_hs"), "ma_hs"), year)
        rating = v.parse_choice(row.get("xep_loai"), "xep_loai", RATINGS, hint="T, K, Đ hoặc CĐ")
        return [Op((student.id, year, term), {"student_id": student.id, "year": year, "term": term,
                                               "rating": rating})]

    def apply(self, ctx: Context, op: Op) -> Outcome:
        d = op.data
        return upsert_reviewed(ctx, "conduct", {"student_id": d["student_id"], "school_year": d["year"],
                                                "term": d["term"]}, {"rating": d["rating"]})


GRADES = ImportKind("grades", "Điểm (mỗi dòng một điểm)", Grades(),
                    {"ma_hs": "DD900001", "ma_mon": "TOAN", "nam_hoc": "2025-2026", "hoc_ky": "HK1", "loai": "TX",
                     "diem": "8", "stt": "1", "ngay": "2025-10-06"}, reviewed_in=("grades",))
BANGDIEM = ImportKind("bangdiem", "Bảng điểm (TX1…TXn, GK, CK)", GradeBook(),
                      {"ma_hs": "DD900001", "ma_mon": "TOAN", "nam_hoc": "2025-2026", "hoc_ky": "HK1", "TX1": "8",
                       "TX2": "7.5", "TX3": "9", "TX4": "8", "gk": "8", "ck": "7.5"}, reviewed_in=("grades",))
CONDUCT = ImportKind("conduct", "Rèn luyện / hạnh kiểm", Conduct(),
                     {"ma_hs": "DD900001", "nam_hoc": "2025-2026", "hoc_ky": "HK1", "xep_loai": "T"},
                     reviewed_in=("conduct",))
