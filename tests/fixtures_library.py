"""Library fixtures: a department with its head, a principal and teachers (the issue-18 tables written
directly), and real files of every kind the tests upload (PDF with text, DOCX, bad files)."""
from __future__ import annotations

import functools
import io
import zipfile
from dataclasses import dataclass

import pytest

from store.core.clock import now_iso
import settings as settings_mod
from store.library import access, items, review
from store.library.states import Action
from store.core.text import fold

from .conftest import write_config
from .fixtures_web import STAFF_PASSWORD

MB = 1024 * 1024


def pdf_bytes(*lines: str) -> bytes:
    """A small real PDF whose page shows ``lines`` (ASCII) in Helvetica: pypdf extracts them as text."""
    text = " ".join(f"({line.replace('(', '').replace(')', '')}) Tj 0 -16 Td" for line in lines)
    stream = f"BT /F1 12 Tf 40 760 Td {text} ET".encode("latin-1")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
               b"/Contents 5 0 R >>",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def docx_bytes(*paragraphs: str) -> bytes:
    """A real DOCX (python-docx) with ``paragraphs``; the same paragraphs give the same bytes (a zip stamps
    each member with the time of writing: two builds either side of a second differed, and the
    stored-once-by-hash test failed about once a full run)."""
    import zipfile
    from datetime import datetime

    import docx
    document = docx.Document()
    document.core_properties.created = document.core_properties.modified = datetime(2026, 1, 1)
    for p in paragraphs:
        document.add_paragraph(p)
    built, out = io.BytesIO(), io.BytesIO()
    document.save(built)
    with zipfile.ZipFile(built) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for member in src.infolist():
            stamped = zipfile.ZipInfo(member.filename, date_time=(2026, 1, 1, 0, 0, 0))
            stamped.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(stamped, src.read(member))
    return out.getvalue()


def encrypted_pdf() -> bytes:
    """A PDF that opens only with a password."""
    from pypdf import PdfWriter
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("mat-khau", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def docx_zip_bomb() -> bytes:
    """A zip laid out like a DOCX whose document.xml expands to 64 MB of zeros (about 64 KB on disk)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/content-types"/>')
        with zf.open("word/document.xml", "w") as member:
            block = b"\0" * (1024 * 1024)
            for _ in range(64):
                member.write(block)
    return buf.getvalue()


ELF = b"\x7fELF\x02\x01\x01" + b"\0" * 9 + b"\x02\x00\x3e\x00" + b"\0" * 200


@functools.lru_cache(maxsize=1)
def _password_hash() -> str:
    """STAFF_PASSWORD hashed once per session (hashing is slow on purpose)."""
    from werkzeug.security import generate_password_hash
    return generate_password_hash(STAFF_PASSWORD)


@dataclass(frozen=True)
class People:
    """THCS-DD's library people: login -> user id, and their staff rows."""

    school_id: int
    math: int              # Tổ Toán - Tin
    literature: int        # Tổ Ngữ văn
    ids: dict

    def viewer(self, db, login: str) -> access.Viewer:
        return access.for_account(db, self.ids[login], login, self.school_id)


STAFF_PHONES = {"gv.toan": "+84911000001", "tt.toan": "+84911000002", "tt.van": "+84911000003",
                "ht.dd": "+84911000004", "gv.van": "+84911000005"}


def _department(db, school_id: int, name: str) -> int:
    key = " ".join(fold(name).lower().split())
    # The demo school's own roster (issue 18) may have the department already: get or make it.
    db.execute("INSERT OR IGNORE INTO departments (school_id, name, name_key) VALUES (?, ?, ?)", [school_id, name, key])
    return db.execute("SELECT id FROM departments WHERE school_id = ? AND name_key = ?", [school_id, key]).fetchone()[0]


@pytest.fixture
def people(school_db) -> People:
    """Teachers gv.toan (Toán) and gv.van (Văn), heads tt.toan and tt.van, principal ht.dd, all at THCS-DD
    with web accounts (password STAFF_PASSWORD) linked through staff.user_id, and a staff phone each."""
    school_id = school_db.execute("SELECT id FROM schools WHERE code = 'THCS-DD'").fetchone()[0]
    math, literature = _department(school_db, school_id, "Tổ Toán - Tin"), _department(school_db, school_id,
                                                                                        "Tổ Ngữ văn")
    plan = {"gv.toan": ("teacher", "gv", math, "Trần Văn Toán"), "tt.toan": ("teacher", "to_truong", math,
                                                                             "Lê Thị Tổ"),
            "tt.van": ("teacher", "to_truong", literature, "Phan Văn Văn"),
            "gv.van": ("teacher", "gv", literature, "Đỗ Thị Thơ"), "ht.dd": ("admin", "hieu_truong", None,
                                                                             "Ngô Bảo Hiệu")}
    ids = {}
    for n, (login, (role, position, department, name)) in enumerate(plan.items(), 1):
        ids[login] = school_db.execute(
            "INSERT INTO users (login, password_hash, role, school_id, full_name, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            [login, _password_hash(), role, school_id, name, now_iso()]).lastrowid
        school_db.execute("INSERT INTO staff (school_id, code, full_name, phone, department_id, position, user_id) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?)", [school_id, f"GV{n:03d}", name, STAFF_PHONES[login],
                                                           department, position, ids[login]])
    return People(school_id, math, literature, ids)


@pytest.fixture
def lib_settings(tmp_path, school_db_path):
    """The demo school's database with a 1 MB file limit and a 2 MB quota per school."""
    cfg = write_config(tmp_path / "lib.toml", '[library]\nmax_mb = 1\nquota_mb = 2\n[web]\n'
                       'public_url = "https://sll.example.vn"\n', db_path=school_db_path)
    return settings_mod.load(cfg, env={})


DEFAULT_FIELDS = {"title": "Giáo án Toán 6 – Bài 1", "section": "giang_day", "source": "Tự biên soạn",
                  "subject": "TOAN", "grade": "6"}


def add_item(db, settings, people, login="gv.toan", content=None, name="giao-an.docx", **fields):
    """Upload a file as ``login`` through store.library.items (a draft; DOCX about fractions by default)."""
    viewer = people.viewer(db, login)
    checked = items.check_fields(db, people.school_id, {**DEFAULT_FIELDS, **fields})
    data = docx_bytes("Giáo án môn Toán lớp 6", "Phân số và số thập phân") if content is None else content
    return items.create(db, settings, viewer, checked, items.Upload(name, io.BytesIO(data)))


def approve(db, people, item_id: int, owner: str = "gv.toan") -> None:
    """Submit as ``owner`` and approve as the principal."""
    review.act(db, people.viewer(db, owner), item_id, Action.SUBMIT)
    review.act(db, people.viewer(db, "ht.dd"), item_id, Action.APPROVE)
