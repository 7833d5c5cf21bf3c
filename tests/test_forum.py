"""The forum (SPEC §14): rooms by school year and scope, moderation, rendering, the web (SMS and digest:
test_forum_sms.py).

On the demo school: 0912345678 has Hoa (THCS-DD 8A2) and An (THPT-CVA
11A1); 0987654321 has Nam (THCS-DD 7A1).
"""
from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from store.school import users
from store.core.clock import local_today, school_year_of
from store.community import moderation, posts, rooms
from store.community.forum_rules import (TRANSITIONS, ForumError, PostStatus, RoomKind, check_transition, clean,
                                         hold_for)
from web.community.forum_text import render_post

from .fixtures_parents import login_parent
from .fixtures_web import login_staff, post_form
from .state_moves import checked_review_moves

HUNG, LAN = "+84912345678", "+84987654321"


# -- helpers ------------------------------------------------------------------------------------------
def year_of(settings) -> str:
    return school_year_of(local_today(settings.sms.timezone))


@pytest.fixture(autouse=True)
def review_moves(request):
    """Every review status these tests change is a move of its machine (store/review/status.py)."""
    yield from checked_review_moves(request)


def ids(db, phone: str) -> tuple[int, int]:
    """(guardian id, school id of THCS-DD)."""
    gid = db.execute("SELECT id FROM guardians WHERE phone = ?", [phone]).fetchone()[0]
    return gid, db.execute("SELECT id FROM schools WHERE code = 'THCS-DD'").fetchone()[0]


def class_id(db, name: str, school: str = "THCS-DD") -> int:
    return db.execute("SELECT c.id FROM classes c JOIN schools s ON s.id = c.school_id WHERE c.name = ? "
                      "AND s.code = ? ORDER BY c.school_year DESC LIMIT 1", [name, school]).fetchone()[0]


def other_guardian_of(db, class_name: str, but: str) -> str:
    """A guardian's phone with a child in ``class_name`` of THCS-DD, other than ``but``."""
    return db.execute(
        "SELECT g.phone FROM guardians g JOIN guardian_links l ON l.guardian_id = g.id AND l.active = 1 "
        "JOIN enrollments e ON e.student_id = l.student_id AND e.school_year = l.school_year "
        "JOIN classes c ON c.id = e.class_id JOIN schools s ON s.id = c.school_id "
        "WHERE c.name = ? AND s.code = 'THCS-DD' AND g.phone != ? ORDER BY g.id LIMIT 1",
        [class_name, but]).fetchone()[0]


def class_room(db, settings, name: str = "8A2") -> rooms.Room:
    school = db.execute("SELECT id FROM schools WHERE code = 'THCS-DD'").fetchone()[0]
    return rooms.ensure(db, school, RoomKind.CLASS_PARENTS, year_of(settings), class_id=class_id(db, name))


def guardian(db, phone: str) -> rooms.Viewer:
    return rooms.Viewer(guardian_id=ids(db, phone)[0])


def staff_viewer(db, login: str = "admin-dd", role: str = "admin", classes: tuple[str, ...] = ()) -> rooms.Viewer:
    """A real staff account of THCS-DD as the forum sees it."""
    uid = users.add_user(db, login, role, "mat-khau-dai-1", school_code="THCS-DD", class_names=list(classes))
    school = db.execute("SELECT id FROM schools WHERE code = 'THCS-DD'").fetchone()[0]
    class_ids = frozenset(r[0] for r in db.execute("SELECT class_id FROM user_classes WHERE user_id = ?", [uid]))
    return rooms.Viewer(user_id=uid, login=login, role=role, school_id=school, class_ids=class_ids)


def approved_topic(db, settings, phone: str = HUNG, title: str = "Lịch họp phụ huynh", room=None) -> posts.Written:
    """A guardian's topic in 8A2's parent room, approved by a moderator."""
    room = room or class_room(db, settings)
    written = posts.create_topic(db, guardian(db, phone), room, title, "Họp lúc 19h thứ Sáu được không ạ?")
    if written.status is not PostStatus.APPROVED:
        moderation.decide(db, written.post_id, PostStatus.APPROVED, by="admin-dd", school_id=room.school_id)
    return written


# -- rules (pure) ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, held", [
    ("Gọi em 0912 345 678 nhé", "số điện thoại"),
    ("zalo +84.912.345.678", "số điện thoại"),
    ("xem https://example.com/a", "đường dẫn"),
    ("vào www.lua-dao.vn mà xem", "đường dẫn"),
    ("trang abc.com.vn có bán", "đường dẫn"),
    ("Họp lúc 19h ngày 28/11, phòng 203", None),
    ("Quỹ lớp đã thu 25 bạn", None),
])
def test_hold_for_phone_numbers_and_links(text, held):
    hold = hold_for(text)
    assert (hold.reason if hold else None) == (None if held is None else hold.reason)
    assert (held is None) == (hold is None)
    if held:
        assert held in hold.reason


def test_hold_for_the_school_block_list_matches_folded_whole_words():
    words = ("lừa đảo", "ngu")
    assert hold_for("Đây là LUA DAO rõ ràng", words).reason.startswith("có từ trong danh sách chặn")
    assert hold_for("bị lừa đảo", words) is not None
    assert hold_for("con ngủ ngon", words) is None, "ngủ (sleep) is not the blocked ngu"
    assert hold_for("con ngu qua", words) is not None
    assert hold_for("lửa đạo", words) is None


def test_every_moderation_move_follows_the_table():
    for old in PostStatus:
        for new in PostStatus:
            if new in TRANSITIONS[old]:
                check_transition(old, new)
            else:
                with pytest.raises(ForumError):
                    check_transition(old, new)


def test_clean_drops_controls_and_direction_overrides_and_names_the_limit():
    assert clean("a\x00b\u202ec\u200fd\r\ne\x1b", limit=100, what="Nội dung") == "abcd\ne"
    with pytest.raises(ForumError, match="Nội dung đang trống"):
        clean(" \u202e\x00 ", limit=100, what="Nội dung")
    with pytest.raises(ForumError, match="tối đa 10"):
        clean("x" * 11, limit=10, what="Nội dung")
    assert len(clean("á" * 10_000, limit=10_000, what="Nội dung")) == 10_000


class _Tags(HTMLParser):
    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.text = [], [], []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(tag, k, v) for k, v in attrs]

    def handle_data(self, data):
        self.text.append(data)

    @property
    def shown(self) -> str:
        """The characters a reader sees (<br> is followed by the stored line break)."""
        return "".join(self.text)


@hsettings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("<>\"'&/=:;() \nabcjsvrptxhwe.") + [
    "<script>", "javascript:", "onerror=", "https://x.vn/", "<a href=", "<img src=x ", "\u202e", "\x00"]),
    max_size=40).map("".join))
def test_rendered_posts_carry_no_markup_of_the_user(text):
    tags = _Tags(str(render_post(text)))
    stored = "".join(ch for ch in text if ch not in "\x00\u202e")     # what clean() would have kept
    assert _Tags(str(render_post(stored))).shown == stored, "the page shows exactly the characters stored"
    assert set(tags.tags) <= {"a", "br"}
    for tag, name, value in tags.attrs:
        assert (tag, name) in {("a", "href"), ("a", "rel")}
        if name == "href":
            assert value.lower().startswith(("http://", "https://"))


def test_a_link_followed_by_quotes_is_cut_before_them_and_the_text_is_kept():
    text = 'xem https://x.vn/"onmouseover="alert(1)" nhé, và https://a.vn/b.'
    html = str(render_post(text))
    tags = _Tags(html)
    assert tags.shown == text and {name for _, name, _ in tags.attrs} == {"href", "rel"}
    assert '<a href="https://x.vn/" rel=' in html and '<a href="https://a.vn/b" rel=' in html


def test_a_script_is_shown_as_text_and_a_link_is_safe():
    html = str(render_post('<script>alert(1)</script>\nxem https://truong.vn/a?b=1&c=2 nhé'))
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;<br>" in html
    assert '<a href="https://truong.vn/a?b=1&amp;c=2" rel="nofollow noopener noreferrer ugc">' in html


# -- posting and moderation -------------------------------------------------------------------------------
def test_a_guardians_first_post_waits_then_the_next_goes_up_at_once(school_db, sms_settings):
    room = class_room(school_db, sms_settings)
    hung = guardian(school_db, HUNG)
    first = posts.create_topic(school_db, hung, room, "Lịch họp", "Họp lúc nào ạ?")
    assert first.status is PostStatus.PENDING
    other = guardian(school_db, other_guardian_of(school_db, "8A2", HUNG))
    assert [t.id for t in posts.topics(school_db, room.id, other)] == []
    assert [t.id for t in posts.topics(school_db, room.id, hung)] == [first.topic_id], "the author sees their own"
    moderation.decide(school_db, first.post_id, PostStatus.APPROVED, by="admin-dd", school_id=room.school_id)
    assert [t.id for t in posts.topics(school_db, room.id, other)] == [first.topic_id]
    second = posts.reply(school_db, hung, posts.topic(school_db, first.topic_id), "Cảm ơn cô")
    assert second.status is PostStatus.APPROVED
    audit = school_db.execute("SELECT actor, action, detail FROM audit_log WHERE action LIKE 'forum:%'").fetchall()
    assert audit[0][:2] == ("admin-dd", "forum:approved") and '"was": "pending"' in audit[0][2]


def test_the_school_may_moderate_every_post_and_links_are_always_held(school_db, sms_settings):
    room = class_room(school_db, sms_settings)
    written = approved_topic(school_db, sms_settings)
    topic = posts.topic(school_db, written.topic_id)
    hung = guardian(school_db, HUNG)
    assert posts.reply(school_db, hung, topic, "xem www.abc.vn").status is PostStatus.HELD
    moderation.save_settings(school_db, room.school_id, moderate_all=True, block_text="", by="admin-dd")
    assert posts.reply(school_db, hung, topic, "Dạ vâng").status is PostStatus.PENDING
    staff = staff_viewer(school_db)
    assert posts.reply(school_db, staff, topic, "Cô đã nhận").status is PostStatus.APPROVED


def test_a_rejection_needs_its_reason_and_a_decision_is_taken_once(school_db, sms_settings):
    room = class_room(school_db, sms_settings)
    written = posts.create_topic(school_db, guardian(school_db, HUNG), room, "Chuyện lớp", "Nội dung")
    with pytest.raises(ForumError, match="Lý do từ chối đang trống"):
        moderation.decide(school_db, written.post_id, PostStatus.REJECTED, by="admin-dd", school_id=room.school_id)
    moderation.decide(school_db, written.post_id, PostStatus.REJECTED, by="admin-dd", school_id=room.school_id,
                      note="Nêu tên học sinh khác")
    assert posts.topic(school_db, written.topic_id).status is PostStatus.REJECTED
    why = school_db.execute("SELECT actor, detail FROM audit_log WHERE action = 'forum:rejected'").fetchone()
    assert why[0] == "admin-dd" and '"why": "Nêu tên học sinh khác"' in why[1]
    with pytest.raises(ForumError):
        moderation.decide(school_db, written.post_id, PostStatus.APPROVED, by="admin-dd", school_id=room.school_id)


def test_a_closed_topic_takes_no_reply(school_db, sms_settings):
    written = approved_topic(school_db, sms_settings)
    room = class_room(school_db, sms_settings)
    moderation.set_flag(school_db, written.topic_id, "closed", True, by="admin-dd", school_id=room.school_id)
    with pytest.raises(ForumError, match="đã khóa"):
        posts.reply(school_db, guardian(school_db, HUNG), posts.topic(school_db, written.topic_id), "Thêm ý")


def test_membership_follows_the_school_years_links(school_db, sms_settings):
    room = class_room(school_db, sms_settings)
    hung, lan = guardian(school_db, HUNG), guardian(school_db, LAN)
    assert rooms.can_enter(school_db, hung, room) and not rooms.can_enter(school_db, lan, room)
    school_room = rooms.ensure(school_db, room.school_id, RoomKind.SCHOOL_PARENTS, room.school_year)
    assert rooms.can_enter(school_db, lan, school_room)
    for kind in (RoomKind.SCHOOL_STAFF, RoomKind.CLASS_STAFF):
        staff_room = rooms.ensure(school_db, room.school_id, kind, room.school_year, class_id=room.class_id)
        assert not rooms.can_enter(school_db, hung, staff_room)
    school_db.execute("UPDATE guardian_links SET active = 0 WHERE guardian_id = ?", [hung.guardian_id])
    assert not rooms.can_enter(school_db, hung, room), "a number the year's list no longer has loses the room"


# -- the web ------------------------------------------------------------------------------------------------
def test_a_guardian_cannot_open_a_staff_room_a_pupil_thread_or_another_class(client, school_db, sms_settings,
                                                                              make_staff):
    room = class_room(school_db, sms_settings)
    staff_room = rooms.ensure(school_db, room.school_id, RoomKind.CLASS_STAFF, room.school_year, class_id=room.class_id)
    hoa = school_db.execute("SELECT id FROM students WHERE code = 'DD900001'").fetchone()[0]
    pupil = rooms.ensure(school_db, room.school_id, RoomKind.PUPIL, room.school_year, student_id=hoa)
    staff_topic = posts.create_topic(school_db, staff_viewer(school_db), pupil, "Về em Hoa", "Riêng GV")
    login_parent(client, school_db, "0987654321")        # Lan: 7A1 only
    for url in (f"/forum/room/{room.id}", f"/forum/room/{staff_room.id}", f"/forum/room/{pupil.id}",
                f"/forum/topic/{staff_topic.topic_id}", f"/forum/pupil/{hoa}", "/forum/moderation/"):
        r = client.get(url)
        assert r.status_code in (404, 302), (url, r.status_code)
        assert "Riêng GV" not in r.get_data(as_text=True)
    page = client.get("/forum/").get_data(as_text=True)
    assert "Phụ huynh lớp 7A1" in page and "8A2" not in page and "Giáo viên" not in page


def test_a_guardian_posts_on_the_web_and_sees_it_waiting_until_approved(client, school_db, sms_settings, make_staff):
    room = class_room(school_db, sms_settings)
    login_parent(client, school_db)
    r = post_form(client, f"/forum/room/{room.id}/topics", {"title": "Quỹ lớp", "body": "<b>Xin</b> hỏi\nquỹ lớp"},
                  get_from=f"/forum/room/{room.id}")
    assert r.status_code == 303
    topic_url = r.headers["Location"]
    page = client.get(topic_url).get_data(as_text=True)
    assert "đang chờ duyệt" in page and "&lt;b&gt;Xin&lt;/b&gt; hỏi<br>" in page
    make_staff("adm-dd", "admin", "THCS-DD")
    staff = client.application.test_client()
    login_staff(staff, "adm-dd")
    queue = staff.get("/forum/moderation/").get_data(as_text=True)
    post_id = school_db.execute("SELECT max(id) FROM forum_posts").fetchone()[0]
    assert f'data-post="{post_id}"' in queue and "Chờ duyệt" in queue
    r = post_form(staff, f"/forum/moderation/{post_id}", {"decision": "approve"}, get_from="/forum/moderation/")
    assert r.status_code == 303
    assert "đang chờ duyệt" not in client.get(topic_url).get_data(as_text=True)


def test_a_teachers_pupil_thread_is_audited_and_out_of_reach_of_other_classes(client, school_db, make_staff):
    make_staff("gv-8a2", "teacher", "THCS-DD", ("8A2",))
    make_staff("gv-7a1", "teacher", "THCS-DD", ("7A1",))
    hoa = school_db.execute("SELECT id FROM students WHERE code = 'DD900001'").fetchone()[0]
    login_staff(client, "gv-8a2")
    r = client.get(f"/forum/pupil/{hoa}")
    assert r.status_code == 302
    assert "Trao đổi về học sinh Nguyễn Thị Hoa" in client.get(r.headers["Location"]).get_data(as_text=True)
    read = school_db.execute("SELECT actor FROM audit_log WHERE action = 'forum:pupil-read' AND student_id = ?",
                             [hoa]).fetchall()
    assert read == [("gv-8a2",)]
    other = client.application.test_client()
    login_staff(other, "gv-7a1")
    assert other.get(f"/forum/pupil/{hoa}").status_code == 404
    assert other.get(r.headers["Location"]).status_code == 404
    assert other.get("/forum/moderation/settings").status_code == 403


def test_a_subject_teacher_is_in_the_class_staff_room_by_the_assignment_and_leaves_with_it(client, school_db,
                                                                                         sms_settings):
    room = class_room(school_db, sms_settings)
    staff_room = rooms.ensure(school_db, room.school_id, RoomKind.CLASS_STAFF, room.school_year, class_id=room.class_id)
    staff_id, login = school_db.execute(
        "SELECT st.id, u.login FROM teaching_assignments t JOIN staff st ON st.id = t.staff_id JOIN users u "
        "ON u.id = st.user_id WHERE t.class_id = ? AND t.homeroom = 0 AND t.active = 1 AND NOT EXISTS (SELECT 1 "
        "FROM user_classes uc WHERE uc.user_id = u.id) ORDER BY st.id LIMIT 1", [room.class_id]).fetchone()
    users.set_password(school_db, school_db.execute("SELECT id FROM users WHERE login = ?", [login]).fetchone()[0],
                       "mat-khau-dai-1")
    hoa = school_db.execute("SELECT id FROM students WHERE code = 'DD900001'").fetchone()[0]
    login_staff(client, login, "mat-khau-dai-1")
    assert client.get(f"/forum/room/{staff_room.id}").status_code == 200, "in the room by the term's assignment"
    assert client.get(f"/forum/pupil/{hoa}").status_code == 302
    assert "Giáo viên lớp 8A2" in client.get("/forum/").get_data(as_text=True)
    school_db.execute("UPDATE teaching_assignments SET active = 0 WHERE staff_id = ? AND class_id = ?",
                      [staff_id, room.class_id])
    assert client.get(f"/forum/room/{staff_room.id}").status_code == 404, "the day the assignment changes"
    assert client.get(f"/forum/pupil/{hoa}").status_code == 404
