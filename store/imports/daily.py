"""Import kinds of school life: attendance, teacher comments, events and announcements."""
from __future__ import annotations

from . import values as v
from .base import Context, ImportHandler, Op, Outcome, Row, upsert_reviewed
from .errors import RowRejected
from .labels import dmy
from .kind import ImportKind
from .school import current_year_of, school_code

SESSIONS = {"S": "S", "SANG": "S", "BUOISANG": "S", "C": "C", "CHIEU": "C", "BUOICHIEU": "C",
            "N": "N", "CANGAY": "N", "NGAY": "N"}
EXCUSED = {"P": "1", "COPHEP": "1", "CP": "1", "1": "1", "CO": "1", "X": "1",
           "K": "0", "KHONGPHEP": "0", "KP": "0", "0": "0", "KHONG": "0"}
EVENT_KINDS = {"THI": "thi", "KIEMTRA": "thi", "LICHTHI": "thi", "HOP": "hop", "HOPPHUHUYNH": "hop",
               "HOPPH": "hop", "NGHI": "nghi", "NGHILE": "nghi", "THONGBAO": "thongbao", "TB": "thongbao",
               "KHAC": "khac", "SUKIEN": "khac"}


class Attendance(ImportHandler):
    """`attendance`: ma_hs, ngay, buoi (S/C/N), co_phep (P/K or 1/0), optional ly_do."""

    name = "attendance"
    required = ("ma_hs", "ngay", "buoi", "co_phep")
    optional = ("ly_do",)

    def check(self, ctx: Context, row: Row) -> list[Op]:
        day = v.parse_date(row.get("ngay"), "ngay")
        year = current_year_of(day)
        student = ctx.student(v.required(row.get("ma_hs"), "ma_hs"), year)
        in_term = ctx.one("SELECT term FROM terms WHERE school_id = ? AND school_year = ? "
                          "AND ? BETWEEN starts_on AND ends_on", (student.school_id, year, day))
        if in_term is None:
            raise RowRejected(f"ngày {dmy(day)} ngoài các học kỳ năm học {year} của {student.school_code}")
        session = v.parse_choice(row.get("buoi"), "buoi", SESSIONS, hint="S sáng, C chiều hoặc N cả ngày")
        excused = int(v.parse_choice(row.get("co_phep"), "co_phep", EXCUSED, hint="P có phép, K không phép, hoặc 1/0"))
        reason = v.text(row.get("ly_do")) or None
        return [Op((student.id, day, session), {"student_id": student.id, "date": day, "session": session,
                                                 "excused": excused, "reason": reason})]

    def apply(self, ctx: Context, op: Op) -> Outcome:
        d = op.data
        return upsert_reviewed(ctx, "attendance", {"student_id": d["student_id"], "date": d["date"],
                                                   "session": d["session"]},
                               {"excused": d["excused"], "reason": d["reason"]})


class Comments(ImportHandler):
    """`comments`: ma_hs, ngay, ma_mon (empty = the homeroom teacher's), noi_dung."""

    name = "comments"
    required = ("ma_hs", "ngay", "noi_dung")
    optional = ("ma_mon",)

    def check(self, ctx: Context, row: Row) -> list[Op]:
        day = v.parse_date(row.get("ngay"), "ngay")
        student = ctx.student(v.required(row.get("ma_hs"), "ma_hs"), current_year_of(day))
        subject = ""
        if v.text(row.get("ma_mon")):
            subject = ctx.subject(student, v.subject_code(row.get("ma_mon")))[0]
        body = " ".join(v.required(row.get("noi_dung"), "noi_dung").split())
        return [Op((student.id, day, subject, body), {"student_id": student.id, "date": day, "subject": subject,
                                                       "body": body})]

    def apply(self, ctx: Context, op: Op) -> Outcome:
        d = op.data
        return upsert_reviewed(ctx, "comments", {"student_id": d["student_id"], "date": d["date"],
                                                 "subject_code": d["subject"], "body": d["body"]}, {})


class Events(ImportHandler):
    """`events`: ma_truong, lop (empty = whole school), ngay, loai, tieu_de, noi_dung."""

    name = "events"
    required = ("ma_truong", "ngay", "loai", "tieu_de")
    optional = ("lop", "noi_dung")

    def check(self, ctx: Context, row: Row) -> list[Op]:
        school = ctx.school(school_code(row.get("ma_truong")))
        day = v.parse_date(row.get("ngay"), "ngay")
        class_id = None
        if v.text(row.get("lop")):
            class_id = ctx.class_(school, current_year_of(day), v.class_name(row.get("lop")))[0]
        kind = v.parse_choice(row.get("loai"), "loai", EVENT_KINDS,
                              hint="thi, hop, nghi, thongbao hoặc khac")
        title = " ".join(v.required(row.get("tieu_de"), "tieu_de").split())
        body = v.text(row.get("noi_dung"))
        return [Op((school[0], class_id, day, kind, title), {"school_id": school[0], "class_id": class_id,
                                                              "date": day, "kind": kind, "title": title,
                                                              "body": body})]

    def apply(self, ctx: Context, op: Op) -> Outcome:
        d = op.data
        return upsert_reviewed(ctx, "events", {"school_id": d["school_id"], "class_id": d["class_id"],
                                               "date": d["date"], "kind": d["kind"], "title": d["title"]},
                               {"body": d["body"]})


ATTENDANCE = ImportKind("attendance", "Chuyên cần (ngày nghỉ)", Attendance(),
                        {"ma_hs": "DD900001", "ngay": "2025-10-16", "buoi": "S", "co_phep": "1", "ly_do": "ốm"},
                        reviewed_in=("attendance",))
COMMENTS = ImportKind("comments", "Nhận xét", Comments(),
                      {"ma_hs": "DD900001", "ngay": "2025-11-07", "noi_dung": "Có ý thức giúp đỡ bạn bè", "ma_mon": "VAN"},
                      reviewed_in=("comments",))
EVENTS = ImportKind("events", "Sự kiện", Events(),
                    {"ma_truong": "THCS-DD", "ngay": "2025-11-20", "loai": "hop", "tieu_de": "Họp phụ huynh",
                     "lop": "8A2", "noi_dung": "19h tại phòng 8A2"}, reviewed_in=("events",))
