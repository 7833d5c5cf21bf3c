"""Forum content of the demo school: a pinned welcome topic by 8A2's teacher and a parent's question with a reply."""
from __future__ import annotations

import sqlite_utils

from store.community.forum_rules import PostStatus, RoomKind
from store.community import moderation, posts, rooms


def seed(db: sqlite_utils.Database, school_year: str, *, teacher_login: str, moderator_login: str,
         school_code: str = "THCS-DD", class_name: str = "8A2", parent_phone: str = "+84912345678") -> int:
    """Make the demo's forum topics; returns the welcome topic's id (F<id> for THEO / TL)."""
    school_id, class_id = db.execute(
        "SELECT s.id, c.id FROM schools s JOIN classes c ON c.school_id = s.id AND c.school_year = ? "
        "WHERE s.code = ? AND c.name = ?", [school_year, school_code, class_name]).fetchone()
    room = rooms.ensure(db, school_id, RoomKind.CLASS_PARENTS, school_year, class_id=class_id)
    teacher_id = db.execute("SELECT id FROM users WHERE login = ?", [teacher_login]).fetchone()[0]
    teacher = rooms.Viewer(user_id=teacher_id, login=teacher_login, role="teacher", school_id=school_id,
                           class_ids=frozenset({class_id}))
    welcome = posts.create_topic(db, teacher, room, f"Chào mừng phụ huynh lớp {class_name}",
                                 "Đây là phòng trao đổi của phụ huynh lớp. Bài của phụ huynh được duyệt trước khi "
                                 "hiện. Vui lòng không nêu tên hay so sánh học sinh khác.")
    moderation.set_flag(db, welcome.topic_id, "pinned", True, by=teacher_login, school_id=school_id)
    parent_id = db.execute("SELECT id FROM guardians WHERE phone = ?", [parent_phone]).fetchone()[0]
    question = posts.create_topic(db, rooms.Viewer(guardian_id=parent_id), room, "Lịch họp phụ huynh cuối kỳ",
                                  "Cô cho hỏi họp phụ huynh cuối học kỳ I vào ngày nào ạ?")
    if question.status is not PostStatus.APPROVED:
        moderation.decide(db, question.post_id, PostStatus.APPROVED, by=moderator_login, school_id=school_id)
    posts.reply(db, teacher, posts.topic(db, question.topic_id), "Họp lúc 19h thứ Sáu cuối tháng, tại phòng lớp.")
    return welcome.topic_id
