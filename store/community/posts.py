"""Topics and posts: writing them (with the moderation decision), reading them as a viewer may, following.

A guardian's post is held when it carries a phone number, a link or a
blocked word, waits for a moderator when it is the guardian's first in the
school, comes by SMS, or the school moderates every post; otherwise, and for
staff, it is visible at once. A topic is visible once its opening post is.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from store.core.clock import now_iso
from store.core.connection import atomic
from . import moderation
from .forum_rules import MAX_BODY, MAX_TITLE, ForumError, PostStatus, clean, hold_for, one_line
from .rooms import Room, Viewer


@dataclass(frozen=True)
class Topic:
    """A topic as listed: its state, flags and counts of visible replies."""

    id: int
    room_id: int
    title: str
    status: PostStatus
    pinned: bool
    closed: bool
    created_at: str
    last_post_at: str | None
    replies: int

    @property
    def code(self) -> str:
        """How SMS names it: F27."""
        return f"F{self.id}"


@dataclass(frozen=True)
class Post:
    """A post as shown: the author's public label, whether it is the viewer's own, its state."""

    id: int
    topic_id: int
    guardian_id: int | None
    user_id: int | None
    author_name: str
    body: str
    status: PostStatus
    hold_reason: str | None
    source: str
    created_at: str
    moderation_note: str | None


@dataclass(frozen=True)
class Written:
    """What writing a post did: its ids and state (held and pending posts wait for a moderator)."""

    topic_id: int
    post_id: int
    status: PostStatus
    hold_reason: str | None


def _decide(db: sqlite_utils.Database, viewer: Viewer, school_id: int, body: str, source: str):
    """(status, hold reason) of a new post."""
    if viewer.is_staff:
        return PostStatus.APPROVED, None
    settings = moderation.school_settings(db, school_id)
    hold = hold_for(body, settings.block_words)
    if hold:
        return PostStatus.HELD, hold.reason
    first = db.execute("SELECT 1 FROM forum_posts p JOIN forum_topics t ON t.id = p.topic_id "
                       "JOIN forum_rooms r ON r.id = t.room_id WHERE p.guardian_id = ? AND r.school_id = ? "
                       "AND p.status = 'approved' LIMIT 1", [viewer.guardian_id, school_id]).fetchone() is None
    if first or settings.moderate_all or source == "sms":
        return PostStatus.PENDING, None
    return PostStatus.APPROVED, None


def _author(viewer: Viewer, db: sqlite_utils.Database) -> str:
    # Guardians are shown to other guardians as "Phụ huynh" only: no child's name reaches another family.
    if not viewer.is_staff:
        return "Phụ huynh"
    row = db.execute("SELECT full_name, login FROM users WHERE id = ?", [viewer.user_id]).fetchone()
    return (row[0] or row[1]) if row else (viewer.login or "Cán bộ")


def _insert_post(db, viewer: Viewer, topic_id: int, body: str, status: PostStatus, hold_reason, source: str,
                 inbox_id: int | None, now: str) -> int:
    cur = db.execute(
        "INSERT INTO forum_posts (topic_id, guardian_id, user_id, author_name, body, status, hold_reason, source, "
        "inbox_id, created_at, approved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [topic_id, viewer.guardian_id if not viewer.is_staff else None, viewer.user_id, _author(viewer, db), body,
         status.value, hold_reason, source, inbox_id, now, now if status is PostStatus.APPROVED else None])
    return cur.lastrowid


def create_topic(db: sqlite_utils.Database, viewer: Viewer, room: Room, title: str, body: str) -> Written:
    """A new topic with its opening post (the caller has checked rooms.can_enter)."""
    title = one_line(title, limit=MAX_TITLE, what="Tiêu đề")
    body = clean(body, limit=MAX_BODY, what="Nội dung")
    status, reason = _decide(db, viewer, room.school_id, f"{title}\n{body}", "web")
    now = now_iso()
    with atomic(db):
        topic_id = db.execute(
            "INSERT INTO forum_topics (room_id, title, status, created_at, approved_at, last_post_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [room.id, title, status.value, now, now if status is PostStatus.APPROVED else None,
             now if status is PostStatus.APPROVED else None]).lastrowid
        post_id = _insert_post(db, viewer, topic_id, body, status, reason, "web", None, now)
        if not viewer.is_staff:
            follow(db, viewer.guardian_id, topic_id)
    return Written(topic_id, post_id, status, reason)


def reply(db: sqlite_utils.Database, viewer: Viewer, topic: Topic, body: str, *, source: str = "web",
          inbox_id: int | None = None) -> Written:
    """A reply to a visible, open topic (the caller has checked the room)."""
    if topic.status is not PostStatus.APPROVED:
        raise ForumError("bài này chưa được duyệt nên chưa thể trả lời")
    if topic.closed:
        raise ForumError("chủ đề đã khóa, không nhận thêm trả lời")
    body = clean(body, limit=MAX_BODY, what="Nội dung")
    school_id = db.execute("SELECT r.school_id FROM forum_topics t JOIN forum_rooms r ON r.id = t.room_id "
                           "WHERE t.id = ?", [topic.id]).fetchone()[0]
    status, reason = _decide(db, viewer, school_id, body, source)
    now = now_iso()
    with atomic(db):
        post_id = _insert_post(db, viewer, topic.id, body, status, reason, source, inbox_id, now)
        if status is PostStatus.APPROVED:
            db.execute("UPDATE forum_topics SET last_post_at = ? WHERE id = ?", [now, topic.id])
        if not viewer.is_staff:
            follow(db, viewer.guardian_id, topic.id)
    return Written(topic.id, post_id, status, reason)


_TOPIC_SQL = ("SELECT t.id, t.room_id, t.title, t.status, t.pinned, t.closed, t.created_at, t.last_post_at, "
              "(SELECT COUNT(*) - 1 FROM forum_posts p WHERE p.topic_id = t.id AND p.status = 'approved') "
              "FROM forum_topics t ")


def _topic(row) -> Topic:
    return Topic(row[0], row[1], row[2], PostStatus(row[3]), bool(row[4]), bool(row[5]), row[6], row[7],
                 max(row[8], 0))


def topic(db: sqlite_utils.Database, topic_id: int) -> Topic | None:
    """One topic by id, whatever its state (the caller checks the room and the state)."""
    row = db.execute(_TOPIC_SQL + "WHERE t.id = ?", [topic_id]).fetchone()
    return _topic(row) if row else None


def visible_to(topic_row: Topic, viewer: Viewer, opening: tuple[int | None, int | None]) -> bool:
    """Approved topics: every member; waiting ones: staff and the guardian who opened them; rejected: staff only.

    ``opening`` is opening_author(); the caller has checked the room.
    """
    if topic_row.status is PostStatus.APPROVED or viewer.is_staff:
        return True
    return topic_row.status in (PostStatus.PENDING, PostStatus.HELD) and opening == (viewer.guardian_id, None)


def opening_author(db: sqlite_utils.Database, topic_id: int) -> tuple[int | None, int | None]:
    """(guardian_id, user_id) of the topic's opening post."""
    row = db.execute("SELECT guardian_id, user_id FROM forum_posts WHERE topic_id = ? ORDER BY id LIMIT 1",
                     [topic_id]).fetchone()
    return (row[0], row[1]) if row else (None, None)


def topics(db: sqlite_utils.Database, room_id: int, viewer: Viewer, limit: int = 100) -> list[Topic]:
    """The room's approved topics (pinned first, latest activity first), plus the viewer's own waiting ones."""
    rows = db.execute(
        _TOPIC_SQL + "WHERE t.room_id = ? AND (t.status = 'approved' OR EXISTS (SELECT 1 FROM forum_posts o "
        "WHERE o.topic_id = t.id AND o.guardian_id = ? AND o.id = (SELECT MIN(id) FROM forum_posts "
        "WHERE topic_id = t.id)) AND t.status IN ('pending', 'held')) "
        "ORDER BY t.pinned DESC, COALESCE(t.last_post_at, t.created_at) DESC, t.id DESC LIMIT ?",
        [room_id, viewer.guardian_id if not viewer.is_staff else -1, limit]).fetchall()
    return [_topic(r) for r in rows]


def posts(db: sqlite_utils.Database, topic_id: int, viewer: Viewer) -> list[Post]:
    """The topic's approved posts in order, with the viewer's own waiting ones (marked by their state)."""
    rows = db.execute(
        "SELECT id, topic_id, guardian_id, user_id, author_name, body, status, hold_reason, source, created_at, "
        "moderation_note FROM forum_posts WHERE topic_id = ? AND (status = 'approved' OR "
        "(guardian_id = ? AND status IN ('pending', 'held'))) ORDER BY id",
        [topic_id, viewer.guardian_id if not viewer.is_staff else -1]).fetchall()
    return [Post(*r[:6], PostStatus(r[6]), *r[7:]) for r in rows]


def follow(db: sqlite_utils.Database, guardian_id: int, topic_id: int) -> bool:
    """Follow a topic; False when already followed."""
    cur = db.execute("INSERT OR IGNORE INTO forum_follows (guardian_id, topic_id, created_at) VALUES (?, ?, ?)",
                     [guardian_id, topic_id, now_iso()])
    return cur.rowcount == 1


def unfollow(db: sqlite_utils.Database, guardian_id: int, topic_id: int) -> bool:
    """Stop following a topic; False when it was not followed."""
    cur = db.execute("DELETE FROM forum_follows WHERE guardian_id = ? AND topic_id = ?", [guardian_id, topic_id])
    return cur.rowcount == 1


def follows(db: sqlite_utils.Database, guardian_id: int, topic_id: int) -> bool:
    """Whether the guardian follows the topic."""
    return db.execute("SELECT 1 FROM forum_follows WHERE guardian_id = ? AND topic_id = ?",
                      [guardian_id, topic_id]).fetchone() is not None
