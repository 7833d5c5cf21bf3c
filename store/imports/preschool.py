"""Import kinds of kindergartens (mầm non, SPEC §11): nhatky, cando and danhgia_mn.

Every reason a row is refused is in Vietnamese, naming the value (store.rules.preschool and
.growth decide). A date after the school's today is refused (the settings' time zone, when the caller
gives it; else a date no time zone on earth has reached yet).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from store.school import levels
from store.core.clock import local_today, parse_iso
from store.rules.periods import PeriodError, Stage
from store.preschool import notes, weighing
from store.rules import preschool as rules
from store.rules.preschool import InvalidValue

from . import values as v
from .base import Context, ImportHandler, Op, Outcome, Row, Student, upsert_reviewed
from .enrolled import student_of_level
from .errors import RowRejected
from .kind import ImportKind
from .school import current_year_of


def _day(ctx: Context, raw, column: str) -> date:
    """A past or present date; RowRejected in Vietnamese else."""
    if not v.text(raw) and not isinstance(raw, (date, datetime, int, float)):
        raise RowRejected(f"thiếu ngày (cột {column})")
    try:
        day = date.fromisoformat(v.parse_date(raw, column))
    except RowRejected:
        raise RowRejected(f"ngày '{v.text(raw)}' không đúng (ví dụ 14/03/2026)") from None
    today = local_today(ctx.tz) if ctx.tz else (parse_iso(ctx.now) + timedelta(hours=14)).date()
    if day > today:
        raise RowRejected(f"ngày {day:%d/%m/%Y} chưa tới")
    return day


def child(ctx: Context, raw_code, year: str) -> Student:
    """A kindergarten child enrolled in ``year``; RowRejected in Vietnamese when unknown or not in mầm non."""
    return student_of_level(ctx, v.text(raw_code), year, noun="trẻ", accepts=levels.is_preschool,
                            level_name="mầm non")


def _rejected(e: InvalidValue) -> RowRejected:
    return RowRejected(e.reason)


class Nhatky(ImportHandler):
    """`nhatky`: ma_hs, ngay, an, ngu, ve_sinh, suc_khoe, nhac, nhan_xet (and ngu_phut, vang): daily notes."""

    name = "nhatky"
    required = ("ma_hs", "ngay")
    optional = ("an", "ngu", "ngu_phut", "ve_sinh", "suc_khoe", "nhac", "nhan_xet", "vang")

    def check(self, ctx: Context, row: Row) -> list[Op]:
        day = _day(ctx, row.get("ngay"), "ngay")
        student = child(ctx, row.get("ma_hs"), current_year_of(day.isoformat()))
        absent = v.key(row.get("vang")) in ("X", "1", "CO", "VANG", "NGHI", "V")
        try:
            note = rules.parse_note(present=not absent, **{c: row.get(c) for c in self.optional if c != "vang"})
        except InvalidValue as e:
            raise _rejected(e) from None
        return [Op((student.id, day), {"student_id": student.id, "school_id": student.school_id, "date": day,
                                        "note": note})]

    def apply(self, ctx: Context, op: Op) -> Outcome:
        d = op.data
        existed = ctx.one("SELECT 1 FROM daily_notes WHERE student_id = ? AND date = ?",
                          (d["student_id"], d["date"].isoformat()))
        approved = ctx.approve or not notes.need_approval(ctx.conn, d["school_id"])
        changed = notes.write_note(ctx.conn, d["student_id"], d["date"], d["note"], by=ctx.entered_by,
                                   approved=approved, now=ctx.now)
        return Outcome.UNCHANGED if not changed else Outcome.UPDATED if existed else Outcome.INSERTED


class Cando(ImportHandler):
    """`cando`: ma_hs, ngay, can_nang (kg), chieu_cao (cm); `.` or `,` decimals; checked against the WHO tables."""

    name = "cando"
    required = ("ma_hs", "ngay", "can_nang", "chieu_cao")

    def check(self, ctx: Context, row: Row) -> list[Op]:
        day = _day(ctx, row.get("ngay"), "ngay")
        student = child(ctx, row.get("ma_hs"), current_year_of(day.isoformat()))
        born, sex = ctx.one("SELECT birth_date, sex FROM students WHERE id = ?", (student.id,))
        try:
            weight, height = weighing.check(sex, born, student.code, day, v.text(row.get("can_nang")),
                                            v.text(row.get("chieu_cao")))
        except InvalidValue as e:
            raise _rejected(e) from None
        return [Op((student.id, day), {"student_id": student.id, "date": day.isoformat(), "w": weight, "h": height})]

    def apply(self, ctx: Context, op: Op) -> Outcome:
        d = op.data
        return upsert_reviewed(ctx, "growth_measurements", {"student_id": d["student_id"], "date": d["date"]},
                               {"weight_kg": d["w"], "height_cm": d["h"]})


class DanhgiaMn(ImportHandler):
    """`danhgia_mn`: ma_hs, nam_hoc, dot, linh_vuc (TC, NT, NN, TCXH, TM), muc (D/CD), nhan_xet."""

    name = "danhgia_mn"
    required = ("ma_hs", "nam_hoc", "dot", "linh_vuc", "muc")
    optional = ("nhan_xet",)

    def check(self, ctx: Context, row: Row) -> list[Op]:
        try:
            year = v.parse_year(row.get("nam_hoc"))
        except RowRejected:
            raise RowRejected(f"năm học '{v.text(row.get('nam_hoc'))}' không đúng (ví dụ 2025-2026)") from None
        student = child(ctx, row.get("ma_hs"), year)
        try:
            stage = Stage.parse(v.text(row.get("dot"))).name
        except PeriodError:
            raise RowRejected("đợt (chủ đề hoặc độ tuổi) trống hoặc dài quá 60 ký tự") from None
        try:
            domain, level = rules.parse_domain(row.get("linh_vuc")), rules.parse_level(row.get("muc"))
            comment = rules.free_text(row.get("nhan_xet"), "nhận xét") or None
        except InvalidValue as e:
            raise _rejected(e) from None
        return [Op((student.id, year, stage, domain), {"student_id": student.id, "year": year, "dot": stage,
                                                       "domain": domain, "level": level, "comment": comment})]

    def apply(self, ctx: Context, op: Op) -> Outcome:
        d = op.data
        return upsert_reviewed(ctx, "preschool_assessments", {"student_id": d["student_id"], "school_year": d["year"],
                                                              "dot": d["dot"], "domain": d["domain"]},
                               {"level": d["level"], "comment": d["comment"]})


# The kindergarten's own columns (mầm non).
PRESCHOOL_COLUMNS = {
    "can_nang": ("cannang", "cannangkg"),
    "chieu_cao": ("chieucao", "chieucaocm"),
    "linh_vuc": ("linhvuc", "linhvucphattrien"),
    "an": ("an", "anuong", "buaan"),
    "ngu": ("ngu", "giacngu", "ngutrua"),
    "ngu_phut": ("nguphut", "phutngu", "thoigianngu"),
    "ve_sinh": ("vesinh",),
    "suc_khoe": ("suckhoe", "tinhhinhsuckhoe"),
    "nhac": ("nhac", "loinhac", "nhacnho", "canmang"),
    "vang": ("vang", "nghihoc", "vangmat"),
}
NHATKY = ImportKind("nhatky", "Nhật ký mầm non (ăn, ngủ, nhắc)", Nhatky(),
                    {"ma_hs": "HM900001", "ngay": "2025-11-20", "an": "tot", "ngu": "it", "nhac": "ta",
                     "nhan_xet": "Bé hát hay"}, synonyms=PRESCHOOL_COLUMNS, reviewed_in=("daily_notes",))
CANDO = ImportKind("cando", "Cân đo (mầm non)", Cando(),
                   {"ma_hs": "HM900001", "ngay": "2025-11-20", "can_nang": "18,5", "chieu_cao": "108"},
                   synonyms=PRESCHOOL_COLUMNS, reviewed_in=("growth_measurements",))
DANHGIA_MN = ImportKind("danhgia_mn", "Đánh giá giai đoạn (mầm non)", DanhgiaMn(),
                        {"ma_hs": "HM900001", "nam_hoc": "2025-2026", "dot": "CK1", "linh_vuc": "NN", "muc": "D",
                         "nhan_xet": ""}, synonyms=PRESCHOOL_COLUMNS, reviewed_in=("preschool_assessments",))
PRESCHOOL_KINDS = (NHATKY, CANDO, DANHGIA_MN)
