"""Import kinds of the staff roster (SPEC §12): `teachers` and `assignments`, as SMAS/vnEdu export them.

`teachers` (Danh sách cán bộ): one row per staff member; creates or updates
the staff row, its department (tổ chuyên môn) and its account (role from
chuc_vu, no password: the first one-time code follows the import).
`assignments` (Bảng phân công giảng dạy): one row per teacher, class and
subject of a term (a cell may list several classes, "8A1, 8A2"); chu_nhiem
marks the homeroom teacher. Both take --replace: what the file no longer
lists is deactivated. Reasons are in Vietnamese: the school reads them.
"""
from __future__ import annotations

import re

import sqlite_utils

from store.core.clock import local_today, parse_iso
from store.school import phones
from store.staff import accounts
from store.school import assignments, roster
from store.school.roster import Position

from . import values as v
from .base import Context, ImportHandler, Op, Outcome, Row, upsert_plain
from .errors import RowRejected
from .labels import quoted
from .kind import ImportKind
from .people import _email
from .school import school_code

POSITIONS = {"GV": "gv", "GIAOVIEN": "gv", "GVBM": "gv", "GIAOVIENBOMON": "gv", "TOPHO": "gv",
             "TT": "to_truong", "TOTRUONG": "to_truong", "TOTRUONGCHUYENMON": "to_truong",
             "HT": "hieu_truong", "HIEUTRUONG": "hieu_truong",
             "PHT": "pho_hieu_truong", "PHOHIEUTRUONG": "pho_hieu_truong",
             "VT": "van_thu", "VANTHU": "van_thu", "DP": "dieu_phoi", "DIEUPHOI": "dieu_phoi",
             "DIEUPHOIVIEN": "dieu_phoi"}
POSITIONS.update({p.value.replace("_", "").upper(): p.value for p in Position})
HOMEROOM_YES = {"X", "1", "CO", "C", "CN", "GVCN", "TRUE", "YES", "V"}
HOMEROOM_NO = {"", "0", "KHONG", "K", "FALSE", "NO"}


def _staff_code(value) -> str:
    code = re.sub(r"\s+", "", v.text(value)).upper()
    if not code:
        raise RowRejected("thiếu mã GV")
    return code


def _school(ctx: Context, value):
    try:
        return ctx.school(school_code(value))
    except RowRejected as e:
        raise RowRejected(f"trường không hợp lệ: {e.reason}") from None


def _phone(ctx: Context, row: Row) -> str | None:
    raw = v.text(row.get("so_dien_thoai"))
    if not raw:
        return None
    _, note = phones.modernise(raw)
    try:
        phone = phones.normalise(raw)
    except phones.PhoneError:
        raise RowRejected(f"số điện thoại {quoted(raw)} không phải số di động Việt Nam (kiểm tra lại số)") from None
    if note:
        ctx.note(row.number, f"số điện thoại: {note}")
    return phone


def _locked(ctx: Context, row_number: int, code: str, account) -> bool:
    """Whether the row's account stays locked: an admin deactivated it on the accounts page (noted on the row)."""
    if account is None or account[0] is None:
        return False
    known = ctx.state.setdefault("locked_by", {})
    if account[0] not in known:         # looked up and noted once per account and file
        known[account[0]] = accounts.locked_by(sqlite_utils.Database(ctx.conn), account[0])
        if known[account[0]] is not None:
            ctx.note(row_number, f"tài khoản của {code} bị {known[account[0]]} khoá ở trang Tài khoản: vẫn khoá "
                                 "(mở lại ở trang đó)")
    return known[account[0]] is not None


class Teachers(ImportHandler):
    """`teachers`: ma_truong, ma_gv, ho_ten, so_dien_thoai, email, to_chuyen_mon, chuc_vu."""

    name = "teachers"
    required = ("ma_gv", "ma_truong", "ho_ten")          # ma_gv first: a row without it is the footer
    optional = ("so_dien_thoai", "email", "to_chuyen_mon", "chuc_vu")

    def check(self, ctx: Context, row: Row) -> list[Op]:
        school = _school(ctx, row.get("ma_truong"))
        code = _staff_code(row.get("ma_gv"))
        name = " ".join(v.text(row.get("ho_ten")).split())
        if not name:
            raise RowRejected("thiếu họ tên")
        phone = _phone(ctx, row)
        try:        # the same validator (email-validator) as the guardians' import
            email = _email(v.text(row.get("email")))
        except RowRejected:
            raise RowRejected(f"email {quoted(v.text(row.get('email')))} không hợp lệ (ví dụ ten@gmail.com)") from None
        position = POSITIONS.get(v.key(row.get("chuc_vu")) or "GV")
        if position is None:
            raise RowRejected(f"chức vụ {quoted(v.text(row.get('chuc_vu')))} không đúng (dùng gv, to_truong, hieu_truong, "
                              "pho_hieu_truong, van_thu, dieu_phoi)")
        seen = ctx.state.setdefault("teachers", {})
        first = seen.get((school[0], code))
        if first and first[1] != name:
            raise RowRejected(f"mã GV {code} đã có ở dòng {first[0]} với tên khác ({first[1]} / {name})")
        seen.setdefault((school[0], code), (row.number, name))
        if phone:
            owner = ctx.state.setdefault("phones", {}).setdefault((school[0], phone), (row.number, code))
            if owner[1] != code:
                raise RowRejected(f"số điện thoại {phones.national(phone)} trùng với {owner[1]} ở dòng {owner[0]}")
        department = " ".join(v.text(row.get("to_chuyen_mon")).split()) or None
        account = ctx.one("SELECT user_id FROM staff WHERE school_id = ? AND code = ?", (school[0], code))
        login = accounts.login_for(school[1], code)
        if (account is None or account[0] is None) and ctx.one("SELECT 1 FROM users WHERE login = ?", (login,)):
            raise RowRejected(f"tên đăng nhập {login} đã là của một tài khoản khác")
        locked = _locked(ctx, row.number, code, account)
        return [Op(("staff", school[0], code), {"school_id": school[0], "code": code, "name": name, "phone": phone,
                                                "email": email, "department": department, "position": position,
                                                "locked": locked})]

    def apply(self, ctx: Context, op: Op) -> Outcome:
        d = op.data
        db = sqlite_utils.Database(ctx.conn)
        dept = roster.department_id(db, d["school_id"], d["department"])[0] if d["department"] else None
        found = ctx.one("SELECT id, position, user_id FROM staff WHERE school_id = ? AND code = ?",
                        (d["school_id"], d["code"]))
        outcome = upsert_plain(ctx, "staff", {"school_id": d["school_id"], "code": d["code"]},
                               {"full_name": d["name"], "phone": d["phone"], "email": d["email"],
                                "department_id": dept, "position": d["position"], "active": 0 if d["locked"] else 1})
        staff_id = found[0] if found else ctx.one("SELECT id FROM staff WHERE school_id = ? AND code = ?",
                                                  (d["school_id"], d["code"]))[0]
        ctx.state.setdefault("seen", set()).add(staff_id)
        ctx.state.setdefault("schools", set()).add(d["school_id"])
        if found is None or found[2] is None:
            accounts.create_for(db, staff_id)
            ctx.state["accounts"] = ctx.state.get("accounts", 0) + 1
            return outcome
        # The role follows chuc_vu when it changes; a role set on the accounts page survives re-imports.
        if found[1] != d["position"]:
            ctx.conn.execute("UPDATE users SET role = ? WHERE id = ?", (Position(d["position"]).role.value, found[2]))
        ctx.conn.execute("UPDATE users SET full_name = ?, active = ? WHERE id = ?",
                         (d["name"], 0 if d["locked"] else 1, found[2]))
        ctx.state["locked"] = ctx.state.get("locked", 0) + d["locked"]
        return outcome

    def finish(self, ctx: Context) -> dict[str, int]:
        """New accounts, and with --replace the staff of the file's schools it no longer lists, deactivated."""
        counts = {k: ctx.state[k] for k in ("accounts", "locked") if ctx.state.get(k)}
        if ctx.replace:
            seen = ctx.state.get("seen", set())
            gone = [sid for school_id in sorted(ctx.state.get("schools", ())) for (sid,) in ctx.conn.execute(
                "SELECT id FROM staff WHERE school_id = ? AND active = 1", (school_id,)) if sid not in seen]
            for sid in gone:
                ctx.conn.execute("UPDATE users SET active = 0 WHERE id = (SELECT user_id FROM staff WHERE id = ?)",
                                 (sid,))
            ctx.conn.executemany("UPDATE staff SET active = 0 WHERE id = ?", [(sid,) for sid in gone])
            counts["deactivated"] = len(gone)
        return counts


def _homeroom(value, classes: list[str]) -> str | None:
    """The class the row makes its teacher GVCN of: a yes for the row's one class, or a class name."""
    k = v.key(value)
    if k in HOMEROOM_NO:
        return None
    if k in HOMEROOM_YES:
        if len(classes) != 1:
            raise RowRejected("chủ nhiệm đánh dấu nhưng dòng có nhiều lớp: ghi tên lớp chủ nhiệm")
        return classes[0]
    name = v.class_name(value)
    if re.fullmatch(r"\d{1,2}[A-Z0-9]*", name):
        return name
    raise RowRejected(f"chủ nhiệm {quoted(v.text(value))} không đúng (dùng x, 1, có, hoặc tên lớp)")


class Assignments(ImportHandler):
    """`assignments`: ma_truong, nam_hoc, hoc_ky, ma_gv, lop, ma_mon, chu_nhiem (one term's teaching)."""

    name = "assignments"
    required = ("ma_gv", "ma_truong", "nam_hoc", "hoc_ky", "lop")
    optional = ("ma_mon", "chu_nhiem")

    def _class(self, ctx: Context, school, year: str, name: str):
        row = ctx.one("SELECT id, grade FROM classes WHERE school_id = ? AND school_year = ? AND name = ?",
                      (school[0], year, name))
        if row is None:
            raise RowRejected(f"không có lớp {name} ở {school[1]} năm học {year}")
        return row

    def check(self, ctx: Context, row: Row) -> list[Op]:
        school = _school(ctx, row.get("ma_truong"))
        year, term = v.parse_year(row.get("nam_hoc")), v.parse_term(row.get("hoc_ky"))
        code = _staff_code(row.get("ma_gv"))
        staff = ctx.one("SELECT id, active, user_id FROM staff WHERE school_id = ? AND code = ?", (school[0], code))
        if staff is None:
            raise RowRejected(f"không có giáo viên {code} trong danh sách cán bộ của {school[1]} (nhập danh sách cán bộ trước)")
        if not staff[1] and not _locked(ctx, row.number, code, (staff[2],)):
            raise RowRejected(f"giáo viên {code} đã ngừng hoạt động (danh sách cán bộ không còn tên)")
        names = [v.class_name(p) for p in re.split(r"[,;]", v.text(row.get("lop"))) if p.strip()]
        if not names:
            raise RowRejected("thiếu lớp")
        classes = {n: self._class(ctx, school, year, n) for n in names}
        homeroom = _homeroom(row.get("chu_nhiem"), names)
        subject = v.subject_code(row.get("ma_mon")) if v.text(row.get("ma_mon")) else ""
        if not subject and not homeroom:
            raise RowRejected("thiếu mã môn (chỉ được trống ở dòng chủ nhiệm)")
        ops = []
        for name, (class_id, grade) in classes.items():
            if subject and ctx.one("SELECT 1 FROM subjects WHERE school_id = ? AND code = ? AND grade = ?",
                                   (school[0], subject, grade)) is None:
                raise RowRejected(f"không có môn {subject} cho khối {grade} ở {school[1]}")
            if subject:
                ops.append(self._op(school, year, term, staff[0], class_id, subject, 0))
        if homeroom:
            class_id = (classes.get(homeroom) or self._class(ctx, school, year, homeroom))[0]
            first = ctx.state.setdefault("homerooms", {}).setdefault((year, term, class_id), (row.number, code))
            if first[1] != code:
                raise RowRejected(f"lớp {homeroom} đã có GVCN {first[1]} ở dòng {first[0]}")
            ops.append(self._op(school, year, term, staff[0], class_id, "", 1))
        return ops

    @staticmethod
    def _op(school, year: str, term: int, staff_id: int, class_id: int, subject: str, homeroom: int) -> Op:
        return Op(("ta", year, term, staff_id, class_id, subject),
                  {"school_id": school[0], "school_code": school[1], "year": year, "term": term,
                   "staff_id": staff_id, "class_id": class_id, "subject": subject, "homeroom": homeroom})

    def apply(self, ctx: Context, op: Op) -> Outcome:
        d = op.data
        key = {"school_year": d["year"], "term": d["term"], "staff_id": d["staff_id"], "class_id": d["class_id"],
               "subject_code": d["subject"]}
        outcome = upsert_plain(ctx, "teaching_assignments", key,
                               {"school_id": d["school_id"], "homeroom": d["homeroom"], "active": 1})
        row_id = ctx.one("SELECT id FROM teaching_assignments WHERE school_year = ? AND term = ? AND staff_id = ? "
                         "AND class_id = ? AND subject_code = ?", tuple(key.values()))[0]
        ctx.state.setdefault("seen", set()).add(row_id)
        ctx.state.setdefault("terms", set()).add((d["school_id"], d["school_code"], d["year"], d["term"]))
        ctx.state.setdefault("planned", {}).setdefault((d["school_id"], d["year"], d["term"]), set()).add(
            (d["staff_id"], d["class_id"], d["subject"], d["homeroom"]))
        if d["homeroom"]:
            self._set_homeroom(ctx, d, row_id)
        return outcome

    @staticmethod
    def _set_homeroom(ctx: Context, d: dict, row_id: int) -> None:
        """A class has one GVCN a term: another teacher's homeroom row goes (the class shows the new name once
        the term is in force: finish() and the daily tick, `assignments.sync_homerooms`)."""
        ctx.conn.execute("UPDATE teaching_assignments SET active = 0 WHERE school_year = ? AND term = ? "
                         "AND class_id = ? AND homeroom = 1 AND id != ?", (d["year"], d["term"], d["class_id"], row_id))

    def finish(self, ctx: Context) -> dict[str, int]:
        """--replace: the term's rows of the file's schools it no longer lists go; then the diff is printed."""
        counts = {}
        terms = sorted(ctx.state.get("terms", ()))
        if ctx.replace:
            seen = ctx.state.get("seen", set())
            gone = [rid for school_id, _, year, term in terms for (rid,) in ctx.conn.execute(
                "SELECT id FROM teaching_assignments WHERE school_id = ? AND school_year = ? AND term = ? "
                "AND active = 1", (school_id, year, term)) if rid not in seen]
            ctx.conn.executemany("UPDATE teaching_assignments SET active = 0 WHERE id = ?", [(r,) for r in gone])
            # A class whose GVCN the file no longer lists has no homeroom account any more.
            ctx.conn.executemany(
                "UPDATE classes SET homeroom_user_id = NULL WHERE id = (SELECT class_id FROM teaching_assignments "
                "WHERE id = ? AND homeroom = 1) AND NOT EXISTS (SELECT 1 FROM teaching_assignments t WHERE "
                "t.class_id = classes.id AND t.homeroom = 1 AND t.active = 1)", [(r,) for r in gone])
            counts["deactivated"] = len(gone)
        db = sqlite_utils.Database(ctx.conn)
        today = local_today(ctx.tz) if ctx.tz else parse_iso(ctx.now).date()
        renamed = assignments.sync_homerooms(db, today, sorted({t[0] for t in terms}))
        if renamed:
            counts["homerooms"] = renamed       # classes whose shown GVCN changed
        summary = ctx.state.setdefault("summary", [])
        for school_id, code, year, term in terms:
            planned = ctx.state.get("planned", {}).get((school_id, year, term), set())
            summary.extend(assignments.diff(db, school_id, code, (year, term), planned=planned,
                                            replace=ctx.replace).lines())
        return counts


# The staff's own columns (SPEC §12): Danh sách cán bộ, Bảng phân công giảng dạy.
STAFF_COLUMNS = {
    "ma_gv": ("magv", "magiaovien", "macanbo", "macb", "masocanbo", "mscb", "magvien"),
    "to_chuyen_mon": ("tochuyenmon", "to", "tobomon", "tocm", "tochuyenmonbomon"),
    "chuc_vu": ("chucvu", "chucdanh", "vitri", "vitrivieclam"),
    "chu_nhiem": ("chunhiem", "lopchunhiem", "cn"),
}
TEACHERS = ImportKind(
    "teachers", "Danh sách cán bộ, giáo viên", Teachers(),
    {"ma_truong": "THCS-DD", "ma_gv": "DD-GV001", "ho_ten": "Nguyễn Thu Hà", "so_dien_thoai": "0911222333",
     "email": "", "to_chuyen_mon": "Tổ Toán - Tin", "chuc_vu": "gv"},
    synonyms=STAFF_COLUMNS,
    own_synonyms={"ho_ten": ("hotengiaovien", "tengiaovien", "hotencanbo", "tencanbo", "hotengv")},
    replaceable=True)
ASSIGNMENTS = ImportKind(
    "assignments", "Bảng phân công giảng dạy (một học kỳ)", Assignments(),
    {"ma_truong": "THCS-DD", "nam_hoc": "2025-2026", "hoc_ky": "HK1", "ma_gv": "DD-GV001", "lop": "8A2",
     "ma_mon": "TOAN", "chu_nhiem": "x"},
    synonyms=STAFF_COLUMNS,
    own_synonyms={"lop": ("lopday", "lopphancong", "caclop", "lopgiangday", "caclopday"),
                  "ma_mon": ("monday", "mongiangday", "monphancong"), "chu_nhiem": ("gvcn",)},
    replaceable=True)
