"""The forum over SMS and in the digest (SPEC §14): TL/THEO/BO and GY transcripts, the one digest line.

On the demo school: 0912345678 has Hoa (THCS-DD 8A2) and An (THPT-CVA 11A1);
0987654321 has Nam (THCS-DD 7A1).
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from outbox import digest
from store.school import users
from store.core.clock import iso, local_today, utcnow
from store.community import forum_news, posts, rooms
from store.community.forum_rules import RoomKind

from .fixtures_commands import Conversation
from .fixtures_web import login_staff, post_form
from .state_moves import checked_review_moves
from .test_forum import (HUNG, LAN, approved_topic, class_id, class_room, guardian, ids, other_guardian_of,
                         staff_viewer, year_of)


@pytest.fixture(autouse=True)
def review_moves(request):
    """Every review status these tests change is a move of its machine (store/review/status.py)."""
    yield from checked_review_moves(request)


# -- SMS ----------------------------------------------------------------------------------------------------
def test_tl_theo_bo_transcript(school_db, sms_settings):
    topic = approved_topic(school_db, sms_settings, phone=other_guardian_of(school_db, "8A2", HUNG)).topic_id
    lan_topic = approved_topic(school_db, sms_settings, phone=LAN, title="Lớp 7A1 đi dã ngoại",
                               room=class_room(school_db, sms_settings, "7A1")).topic_id
    Conversation(school_db, sms_settings).run(f"""
        0912345678 > TL F{topic} Gia đình em đồng ý
        0912345678 < Da nhan tra loi cho F{topic} "Lich hop phu huynh". Bai se hien sau khi duoc duyet.
        0912345678 > tl f {topic}
        0912345678 < Nhan TL F<so bai> <noi dung>, vd: TL F{topic} Gia dinh em dong y
        0912345678 > TL F{lan_topic} cho em hoi
        0912345678 < Khong tim thay bai F{lan_topic} trong dien dan lop/truong cua con ban.
        0912345678 > TL F999999 a
        0912345678 < Khong tim thay bai F999999 trong dien dan lop/truong cua con ban.
        0912345678 > TL
        0912345678 < Nhan TL F<so bai> <noi dung>, vd: TL F27 Gia dinh em dong y
        0912345678 > theo doi F{topic}
        0912345678 < Da theo doi F{topic} "Lich hop phu huynh". Tra loi moi se co trong tin toi. Bo theo doi: BO F{topic}
        0912345678 > BO F{topic}
        0912345678 < Da bo theo doi F{topic} "Lich hop phu huynh".
        0912345678 > bỏ theo dõi {topic}
        0912345678 < Da bo theo doi F{topic} "Lich hop phu huynh".
        0912345678 > THEOF{topic}
        0912345678 ~ Da theo doi F{topic}
    """)
    held = school_db.execute("SELECT status, source, body FROM forum_posts WHERE topic_id = ? AND guardian_id = ?",
                             [topic, ids(school_db, HUNG)[0]]).fetchall()
    assert held == [("pending", "sms", "Gia đình em đồng ý")], "an SMS reply always waits for the moderator"


def test_gy_goes_to_the_leaders_queue_not_the_class_teacher(client, school_db, sms_settings, make_staff):
    Conversation(school_db, sms_settings).run("""
        0987654321 > GY đề nghị trường làm mái che khu để xe
        0987654321 < Da gui gop y toi Ban giam hieu Truong THCS Dong Da. Cau tra loi se duoc nhan lai qua SMS.
        0987654321 > gop y
        0987654321 < Nhan GY kem noi dung gop y gui Ban giam hieu, vd: GY de nghi truong lam mai che khu de xe
        0912345678 > GY hoc phi
        0912345678 ~ C1
    """)
    row = school_db.execute("SELECT kind, class_id, body FROM teacher_messages WHERE kind = 'GY'").fetchall()
    assert row == [("GY", None, "đề nghị trường làm mái che khu để xe")]
    make_staff("gv-7a1", "teacher", "THCS-DD", ("7A1",))
    make_staff("adm-dd", "admin", "THCS-DD")
    login_staff(client, "gv-7a1")
    assert "mái che" not in client.get("/staff/messages").get_data(as_text=True)
    admin = client.application.test_client()
    login_staff(admin, "adm-dd")
    page = admin.get("/staff/messages").get_data(as_text=True)
    assert "mái che" in page
    mid = school_db.execute("SELECT id FROM teacher_messages WHERE kind = 'GY'").fetchone()[0]
    r = post_form(admin, f"/staff/messages/{mid}/answer", {"answer": "Trường sẽ làm trong tháng 12."},
                  get_from="/staff/messages")
    assert r.status_code == 303
    body, kind, due, made = school_db.execute("SELECT body, kind, not_before, created_at FROM messages WHERE phone = ? "
                                              "ORDER BY id DESC LIMIT 1", [LAN]).fetchone()
    assert body == "Nha truong tra loi gop y cua phu huynh: Truong se lam trong thang 12."
    from outbox.quiet import next_send_time
    from store.core.clock import parse_iso
    held = next_send_time(parse_iso(made), sms_settings.sms.quiet_hours, sms_settings.sms.timezone)
    assert kind == "teacher" and due >= iso(held), "an answer at night waits for the morning"


# -- the digest line -------------------------------------------------------------------------------------------
def test_the_digest_has_one_forum_line_for_followed_rooms_and_none_when_nothing_is_new(school_db, sms_settings):
    sid = ids(school_db, HUNG)[1]
    day = local_today(sms_settings.sms.timezone)
    t0 = utcnow()
    digest.build(school_db, sms_settings, sid, day - timedelta(days=1), now=t0)
    before = {r[0] for r in school_db.execute("SELECT id FROM messages")}
    author = other_guardian_of(school_db, "8A2", HUNG)
    topic = approved_topic(school_db, sms_settings, phone=author, title="Lịch họp phụ huynh cuối học kỳ một")
    lan_room = class_room(school_db, sms_settings, "7A1")
    digest.build(school_db, sms_settings, sid, day, now=utcnow() + timedelta(seconds=1))
    new = {r[0]: r[1] for r in school_db.execute("SELECT phone, body FROM messages WHERE id NOT IN (%s)"
                                                 % ",".join(map(str, before)) or "0")}
    assert new[HUNG].endswith(f'Dien dan 8A2: 1 bai moi: F{topic.topic_id} "Lich hop phu huynh cuoi hoc..."'), new[HUNG]
    assert author not in new, "the author's own topic is no news to them"
    assert LAN not in new, "7A1's parents follow their own rooms"
    assert rooms.can_enter(school_db, guardian(school_db, LAN), lan_room)
    line = forum_news.ForumDigest(school_db, sid, iso(t0), iso(utcnow() + timedelta(seconds=5)))
    hung = ids(school_db, HUNG)[0]
    school_db.execute("INSERT INTO forum_room_mutes (guardian_id, room_id) VALUES (?, ?)",
                      [hung, class_room(school_db, sms_settings).id])
    muted = forum_news.ForumDigest(school_db, sid, iso(t0), iso(utcnow() + timedelta(seconds=5)))
    assert line.line(hung, {class_id(school_db, "8A2")}) and muted.line(hung, {class_id(school_db, "8A2")}) is None
    later = forum_news.ForumDigest(school_db, sid, iso(utcnow() + timedelta(seconds=6)),
                                   iso(utcnow() + timedelta(seconds=9)))
    assert later.line(hung, {class_id(school_db, "8A2")}) is None
    school_db.execute("DELETE FROM forum_room_mutes")
    t1 = iso(utcnow())
    room = class_room(school_db, sms_settings)
    hoa = school_db.execute("SELECT id FROM students WHERE code = 'DD900001'").fetchone()[0]
    staff = staff_viewer(school_db)
    for kind, extra in ((RoomKind.CLASS_STAFF, {"class_id": room.class_id}), (RoomKind.PUPIL, {"student_id": hoa}),
                        (RoomKind.SCHOOL_STAFF, {})):
        posts.create_topic(school_db, staff, rooms.ensure(school_db, sid, kind, room.school_year, **extra),
                           "Riêng giáo viên", "Không bao giờ vào tin tối")
    staff_only = forum_news.ForumDigest(school_db, sid, t1, iso(utcnow() + timedelta(seconds=1)))
    assert staff_only.line(hung, {class_id(school_db, "8A2")}) is None, "staff rooms are never quoted in a digest"


def test_replies_in_a_followed_topic_make_the_line(school_db, sms_settings):
    sid = ids(school_db, HUNG)[1]
    t0 = iso(utcnow() - timedelta(seconds=1))
    written = approved_topic(school_db, sms_settings)          # Hung opened it and follows it
    staff = staff_viewer(school_db)
    posts.reply(school_db, staff, posts.topic(school_db, written.topic_id), "Cô xác nhận 19h")
    news = forum_news.ForumDigest(school_db, sid, t0, iso(utcnow() + timedelta(seconds=1)))
    assert news.line(ids(school_db, HUNG)[0], {class_id(school_db, "8A2")}) == \
        "Diễn đàn: 1 trả lời mới ở bài bạn theo dõi"


def test_the_demo_forum_has_a_pinned_welcome_and_an_answered_question(school_db, sms_settings):
    from demo import forum as forum_demo
    users.add_user(school_db, "demo.gv", "teacher", "mat-khau-dai-1", school_code="THCS-DD", class_names=["8A2"])
    users.add_user(school_db, "demo.admin", "admin", "mat-khau-dai-1", school_code="THCS-DD")
    welcome = forum_demo.seed(school_db, year_of(sms_settings), teacher_login="demo.gv", moderator_login="demo.admin")
    room = class_room(school_db, sms_settings)
    listed = posts.topics(school_db, room.id, guardian(school_db, other_guardian_of(school_db, "8A2", HUNG)))
    assert [t.id for t in listed][0] == welcome and listed[0].pinned
    assert [t.replies for t in listed] == [0, 1]
    Conversation(school_db, sms_settings).run(f"""
        0912345678 > TL F{listed[1].id} Gia dinh em se den
        0912345678 ~ Bai se hien sau khi duoc duyet
    """)
