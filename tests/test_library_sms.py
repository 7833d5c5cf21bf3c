"""SMS TV from a registered staff phone: three approved titles with short links; nothing for anyone else."""
from __future__ import annotations

import json

import pytest

from commands.service import ask

from .fixtures_commands import Conversation
from .fixtures_library import STAFF_PHONES, add_item, approve, docx_bytes, pdf_bytes


@pytest.fixture
def library(school_db, lib_settings, people):
    """Four approved items about fractions and one draft, at THCS-DD."""
    ids = []
    for n, title in enumerate(["Giáo án Toán 6 – Phân số", "Đề kiểm tra phân số lớp 6", "Phiếu học tập phân số",
                               "Bài giảng Hình học 7"], 1):
        stored = add_item(school_db, lib_settings, people, title=title,
                          content=docx_bytes(f"Tài liệu số {n}", "phân số" if n < 4 else "tam giác"))
        approve(school_db, people, stored.item_id)
        ids.append(stored.item_id)
    draft = add_item(school_db, lib_settings, people, title="Bản nháp phân số", content=pdf_bytes("phan so nhap"),
                     name="nhap.pdf")
    return ids, draft.item_id


def test_a_staff_phone_gets_three_approved_titles_with_short_links(school_db, lib_settings, library):
    ids, draft = library
    convo = Conversation(school_db, lib_settings)
    reply = convo.send(STAFF_PHONES["gv.van"], "TV phân số")
    assert reply.startswith("TV phan so: 1) ")
    links = [f"https://sll.example.vn/l/{i}" for i in ids[:3]]
    assert all(link in reply for link in links), reply
    assert f"/l/{draft}" not in reply and f"/l/{ids[3]}" not in reply and "Ban nhap" not in reply
    assert "Giao an Toan 6" in reply and "De kiem tra phan so lop 6" in reply
    convo.run(f"""
    {STAFF_PHONES['tt.toan']} > tv hinh hoc
    {STAFF_PHONES['tt.toan']} < TV hinh hoc: 1) Bai giang Hinh hoc 7 https://sll.example.vn/l/{ids[3]}
    {STAFF_PHONES['ht.dd']} > THUVIEN hoa hoc
    {STAFF_PHONES['ht.dd']} < TV hoa hoc: khong tim thay tai lieu da duyet nao. Thu tu khoa khac, vd: TV giao an toan 6
    {STAFF_PHONES['gv.toan']} > TV
    {STAFF_PHONES['gv.toan']} < Nhan TV kem tu khoa de tim tai lieu trong thu vien cua truong, vd: TV giao an toan 6
    """)
    row = school_db.execute("SELECT actor, detail FROM audit_log WHERE action = 'library:sms-search' "
                            "ORDER BY id LIMIT 1").fetchone()
    assert row[0] == "sms" and sorted(json.loads(row[1])["items"]) == ids[:3]


def test_guardians_and_strangers_learn_nothing_of_the_library(school_db, lib_settings, library):
    convo = Conversation(school_db, lib_settings)
    guardian = convo.send("0912345678", "TV phan so")
    assert "/l/" not in guardian and "Phan so" not in guardian and guardian.startswith("Khong hieu") or \
        "Ban co y" in guardian, guardian
    stranger = convo.send("0977000111", "TV phan so")
    assert "/l/" not in stranger and "phan so" not in stranger.lower()
    school_db.execute("UPDATE staff SET active = 0 WHERE phone = ?", [STAFF_PHONES["gv.van"]])
    former = convo.send(STAFF_PHONES["gv.van"], "TV phan so")
    assert former is None or "/l/" not in former


def test_a_staff_member_who_is_also_a_guardian_keeps_the_parent_commands(school_db, lib_settings, library):
    school_db.execute("UPDATE staff SET phone = '+84912345678' WHERE phone = ?", [STAFF_PHONES["gv.van"]])
    convo = Conversation(school_db, lib_settings)
    assert "/l/" in convo.send("0912345678", "TV phan so")
    assert "Toan" in convo.send("0912345678", "DIEM TOAN HK1 C1")


def test_ask_shows_the_reply_and_changes_nothing_else(school_db, lib_settings, library):
    result = ask(school_db, lib_settings, STAFF_PHONES["gv.toan"], "TV phan so")
    assert result.command == "TV" and result.reply.text.count("/l/") == 3
