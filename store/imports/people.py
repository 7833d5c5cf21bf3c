"""Import kinds about people: students (with their enrollment) and guardians (with their links)."""
from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from store.core.text import fold, given_name

from . import values as v
from .base import Context, ImportHandler, Op, Outcome, Row, upsert_plain
from .errors import RowRejected
from .labels import quoted
from .kind import ImportKind
from .school import school_code



def _email(raw: str) -> str | None:
    """The address normalised by email-validator (syntax only, no DNS), or None; RowRejected when bad.

    An address the digest's SMTP server cannot carry (non-ASCII before the @) is refused here, where a
    coordinator can fix it, instead of failing at 19:00.
    """
    if not raw:
        return None
    try:
        return validate_email(raw, check_deliverability=False, allow_smtputf8=False).normalized
    except EmailNotValidError as e:
        local = raw.rpartition("@")[0]
        why = ("có chữ có dấu trước @: dùng địa chỉ không dấu" if local and not local.isascii()
               else "không hợp lệ (ví dụ ten@gmail.com)")
        raise RowRejected(f"email {quoted(raw)} {why}") from e


def _new_owner(ctx: Context, found, d: dict) -> bool:
    """Whether a known number now belongs to someone else: the file renames it, or it had no active link
    this school year and is linked to a child it never had (a returning family keeps its password)."""
    guardian_id, old_name = found[0], found[1]
    if d["name"] and old_name and fold(d["name"]).lower() != fold(" ".join(old_name.split())).lower():
        return True
    if ctx.one("SELECT 1 FROM guardian_links WHERE guardian_id = ? AND school_year = ? AND active = 1 LIMIT 1",
               (guardian_id, d["year"])):
        return False
    return ctx.one("SELECT 1 FROM guardian_links WHERE guardian_id = ? AND student_id = ? LIMIT 1",
                   (guardian_id, d["student_id"])) is None


class Students(ImportHandler):
    """`students`: ma_hs, ho_ten, ngay_sinh, ma_truong, lop, nam_hoc (an enrollment per year), gioi_tinh."""

    name = "students"
    required = ("ma_hs", "ho_ten", "ma_truong", "lop", "nam_hoc")
    optional = ("ngay_sinh", "gioi_tinh")

    def check(self, ctx: Context, row: Row) -> list[Op]:
        code = v.required(row.get("ma_hs"), "ma_hs")
        full_name = " ".join(v.required(row.get("ho_ten"), "ho_ten").split())
        born = v.parse_date(row.get("ngay_sinh"), "ngay_sinh") if v.text(row.get("ngay_sinh")) else None
        school = ctx.school(school_code(row.get("ma_truong")))
        year = v.parse_year(row.get("nam_hoc"))
        klass = ctx.class_(school, year, v.class_name(row.get("lop")))
        data = {"code": code, "full_name": full_name, "born": born, "school_id": school[0], "year": year,
                "class_id": klass[0]}
        if v.text(row.get("gioi_tinh")):
            data["sex"] = _sex(row.get("gioi_tinh"))     # an empty cell keeps what is known
        return [Op((code,), data)]

    def apply(self, ctx: Context, op: Op) -> Outcome:
        d = op.data
        student = upsert_plain(ctx, "students", {"code": d["code"]},
                               {"full_name": d["full_name"], "given_name_folded": given_name(d["full_name"]),
                                "birth_date": d["born"], "school_id": d["school_id"],
                                **({"sex": d["sex"]} if "sex" in d else {})})
        student_id = ctx.one("SELECT id FROM students WHERE code = ?", (d["code"],))[0]
        enrolled = upsert_plain(ctx, "enrollments", {"student_id": student_id, "school_year": d["year"]},
                                {"class_id": d["class_id"]})
        if student is Outcome.INSERTED:
            return student
        return Outcome.UPDATED if Outcome.UPDATED in (student, enrolled) or enrolled is Outcome.INSERTED \
            else Outcome.UNCHANGED


_SEXES = {"NAM": "nam", "M": "nam", "TRAI": "nam", "BETRAI": "nam", "NU": "nu", "F": "nu", "GAI": "nu",
          "BEGAI": "nu"}


def _sex(raw) -> str:
    """gioi_tinh 'nam' / 'nữ' (also Trai, Gái, M, F) -> 'nam' / 'nu'; RowRejected else."""
    found = _SEXES.get(v.key(raw))
    if found is None:
        raise RowRejected(f"giới tính '{v.text(raw)}' không đúng (nam hoặc nu)")
    return found


class Guardians(ImportHandler):
    """`guardians`: so_dien_thoai, ho_ten, email, ma_hs, quan_he, nam_hoc; one row per guardian-child link."""

    name = "guardians"
    required = ("so_dien_thoai", "ma_hs", "nam_hoc")
    optional = ("ho_ten", "email", "quan_he")

    def check(self, ctx: Context, row: Row) -> list[Op]:
        phone, note = v.parse_phone(row.get("so_dien_thoai"))
        email = _email(v.text(row.get("email")))
        year = v.parse_year(row.get("nam_hoc"))
        student = ctx.student(v.required(row.get("ma_hs"), "ma_hs"), year)
        if note:
            ctx.note(row.number, f"số điện thoại: {note}")
        name = " ".join(v.text(row.get("ho_ten")).split()) or None
        relation = v.text(row.get("quan_he")) or None
        return [Op((phone, student.id, year), {"phone": phone, "name": name, "email": email, "year": year,
                                               "student_id": student.id, "school_id": student.school_id,
                                               "relation": relation, "row": row.number})]

    def apply(self, ctx: Context, op: Op) -> Outcome:
        d = op.data
        found = ctx.one("SELECT id, full_name, email FROM guardians WHERE phone = ?", (d["phone"],))
        changed = False
        if found is None:
            cur = ctx.conn.execute("INSERT INTO guardians (phone, full_name, email, created_at) VALUES (?, ?, ?, ?)",
                                   (d["phone"], d["name"], d["email"], ctx.now))
            guardian_id = cur.lastrowid
        else:
            guardian_id = found[0]
            # A school's own import (--school, the web) never rewrites a guardian another school also
            # has: the number is shared, the name and e-mail are not this school's to change.
            shared = ctx.school_code and ctx.one(
                "SELECT 1 FROM guardian_links l JOIN students s ON s.id = l.student_id JOIN schools sc "
                "ON sc.id = s.school_id WHERE l.guardian_id = ? AND l.active = 1 AND sc.code != ? LIMIT 1",
                (guardian_id, ctx.school_code))
            if not shared and _new_owner(ctx, found, d):
                # A recycled number: the previous owner's password, sessions (keyed on the password) and
                # e-mail go; the new family sets a password with a new MK.
                ctx.conn.execute("UPDATE guardians SET full_name = ?, email = ?, password_hash = NULL WHERE id = ?",
                                 (d["name"], d["email"], guardian_id))
                ctx.conn.execute("DELETE FROM otp_codes WHERE guardian_id = ?", (guardian_id,))
                ctx.note(d["row"], "số điện thoại đã đổi chủ (tên khác, hoặc con khác và năm học này chưa có liên "
                                   "kết): mật khẩu web và e-mail cũ đã bị xoá, cần nhắn MK để đặt lại")
                changed = True
            else:
                # An empty cell keeps what is known: lists often lack e-mails.
                name = d["name"] or found[1]
                email = d["email"] or found[2]
                if (name, email) != (found[1], found[2]) and not shared:
                    ctx.conn.execute("UPDATE guardians SET full_name = ?, email = ? WHERE id = ?",
                                     (name, email, guardian_id))
                    changed = True
        link = ctx.one("SELECT id, relation, active FROM guardian_links "
                       "WHERE guardian_id = ? AND student_id = ? AND school_year = ?",
                       (guardian_id, d["student_id"], d["year"]))
        ctx.state.setdefault("scope", set()).add((d["school_id"], d["year"]))
        if link is None:
            cur = ctx.conn.execute(
                "INSERT INTO guardian_links (guardian_id, student_id, school_year, relation, consent_source, "
                "consent_at, active) VALUES (?, ?, ?, ?, 'import', ?, 1)",
                (guardian_id, d["student_id"], d["year"], d["relation"], ctx.now))
            ctx.state.setdefault("seen", set()).add(cur.lastrowid)
            return Outcome.INSERTED
        ctx.state.setdefault("seen", set()).add(link[0])
        relation = d["relation"] or link[1]
        if (relation, link[2]) != (link[1], 1):
            ctx.conn.execute("UPDATE guardian_links SET relation = ?, active = 1 WHERE id = ?", (relation, link[0]))
            changed = True
        return Outcome.UPDATED if changed else Outcome.UNCHANGED

    def finish(self, ctx: Context) -> dict[str, int]:
        """--replace: deactivate this year's links of the file's schools that the file no longer lists."""
        if not ctx.replace:
            return {}
        seen = ctx.state.get("seen", set())
        gone: list[int] = []
        for school_id, year in sorted(ctx.state.get("scope", ())):
            rows = ctx.conn.execute(
                "SELECT l.id FROM guardian_links l JOIN students s ON s.id = l.student_id "
                "WHERE l.active = 1 AND l.school_year = ? AND s.school_id = ?", (year, school_id))
            gone.extend(link_id for (link_id,) in rows if link_id not in seen)
        ctx.conn.executemany("UPDATE guardian_links SET active = 0 WHERE id = ?", [(i,) for i in gone])
        return {"deactivated": len(gone)}


STUDENTS = ImportKind(
    "students", "Học sinh", Students(),
    {"ma_hs": "DD900001", "ho_ten": "Nguyễn Thị Hoa", "ma_truong": "THCS-DD", "lop": "8A2", "nam_hoc": "2025-2026",
     "ngay_sinh": "2012-03-14"},
    own_synonyms={"ho_ten": ("hotenhocsinh", "tenhocsinh", "hotenhs")})
GUARDIANS = ImportKind(
    "guardians", "Phụ huynh (liên kết phụ huynh – học sinh)", Guardians(),
    {"so_dien_thoai": "0912345678", "ma_hs": "DD900001", "nam_hoc": "2025-2026", "ho_ten": "Nguyễn Văn Hùng",
     "email": "", "quan_he": "Bố"},
    own_synonyms={"ho_ten": ("hotenphuhuynh", "tenphuhuynh", "hotenph", "phuhuynh", "nguoigiamho",
                             "hotennguoigiamho")},
    replaceable=True)
