"""Moderation: the school's forum settings, the queue of waiting posts, decisions, pins and closing.

Every decision goes through forum_rules.TRANSITIONS and is written to the
audit log with who decided and why.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from store.core import audit
from store.core.clock import now_iso
from store.core.connection import atomic
from store.review.status import MODERATION, sql_in
from .forum_rules import ForumError, PostStatus, block_list, check_transition, clean

# The moderator's queue: every status a post may be approved from (pending, held, and any added later).
WAITING = sql_in(MODERATION.sources_of(PostStatus.APPROVED))

MAX_NOTE = 500
MAX_BLOCK_LIST = 5_000


@dataclass(frozen=True)
class ForumSettings:
    """A school's choices: moderate every guardian post or only the first; the block list."""

    moderate_all: bool
    block_words: tuple[str, ...]
    block_text: str


def school_settings(db: sqlite_utils.Database, school_id: int) -> ForumSettings:
    """The school's settings (defaults: only a guardian's first post waits; no blocked words)."""
    row = db.execute("SELECT moderate_all, block_words FROM forum_settings WHERE school_id = ?",
                     [school_id]).fetchone()
    if row is None:
        return ForumSettings(False, (), "")
    return ForumSettings(bool(row[0]), block_list(row[1]), row[1])


def save_settings(db: sqlite_utils.Database, school_id: int, *, moderate_all: bool, block_text: str,
                  by: str) -> ForumSettings:
    """Store the school's settings (audited); the block list is cleaned and capped."""
    text = "\n".join(block_list(block_text or ""))
    if len(text) > MAX_BLOCK_LIST:
        raise ForumError(f"danh sách chặn dài {len(text)} ký tự, tối đa {MAX_BLOCK_LIST}")
    with atomic(db):
        db.execute("INSERT INTO forum_settings (school_id, moderate_all, block_words) VALUES (?, ?, ?) "
                   "ON CONFLICT (school_id) DO UPDATE SET moderate_all = excluded.moderate_all, "
                   "block_words = excluded.block_words", [school_id, int(moderate_all), text])
        audit.record(db, by, "forum:settings", school_id=school_id, moderate_all=moderate_all,
                     block_words=len(block_list(text)))
    return school_settings(db, school_id)


@dataclass(frozen=True)
class Waiting:
    """A post in the moderation queue, with what a moderator needs to decide (author details: staff only)."""

    post_id: int
    topic_id: int
    topic_title: str
    opening: bool
    room_id: int
    body: str
    status: PostStatus
    hold_reason: str | None
    source: str
    created_at: str
    guardian_name: str | None
    guardian_phone: str | None


def queue(db: sqlite_utils.Database, room_ids: list[int], limit: int = 200) -> list[Waiting]:
    """Pending and held posts in ``room_ids``, oldest first."""
    if not room_ids:
        return []
    marks = ",".join("?" * len(room_ids))
    rows = db.execute(
        "SELECT p.id, t.id, t.title, p.id = (SELECT MIN(id) FROM forum_posts WHERE topic_id = t.id), t.room_id, "
        "p.body, p.status, p.hold_reason, p.source, p.created_at, g.full_name, g.phone "
        "FROM forum_posts p JOIN forum_topics t ON t.id = p.topic_id LEFT JOIN guardians g ON g.id = p.guardian_id "
        f"WHERE t.room_id IN ({marks}) AND p.status IN {WAITING} ORDER BY p.id LIMIT ?",
        [*room_ids, limit]).fetchall()
    return [Waiting(r[0], r[1], r[2], bool(r[3]), r[4], r[5], PostStatus(r[6]), *r[7:]) for r in rows]


def post_room(db: sqlite_utils.Database, post_id: int) -> tuple[int, int, PostStatus, bool] | None:
    """(room_id, topic_id, status, is the opening post) of a post, or None."""
    row = db.execute("SELECT t.room_id, t.id, p.status, p.id = (SELECT MIN(id) FROM forum_posts WHERE topic_id = t.id) "
                     "FROM forum_posts p JOIN forum_topics t ON t.id = p.topic_id WHERE p.id = ?",
                     [post_id]).fetchone()
    return (row[0], row[1], PostStatus(row[2]), bool(row[3])) if row else None


def decide(db: sqlite_utils.Database, post_id: int, new: PostStatus, *, by: str, school_id: int,
           note: str | None = None) -> None:
    """Approve or reject a post (a rejection needs its reason); the opening post decides its topic too."""
    found = post_room(db, post_id)
    if found is None:
        raise ForumError(f"không có bài số {post_id}")
    _, topic_id, old, opening = found
    check_transition(old, new)
    if new is PostStatus.REJECTED:
        note = clean(note, limit=MAX_NOTE, what="Lý do từ chối")
    now = now_iso()
    with atomic(db):
        cur = db.execute("UPDATE forum_posts SET status = ?, moderated_by = ?, moderated_at = ?, moderation_note = ?, "
                         f"approved_at = CASE WHEN ? = '{PostStatus.APPROVED.value}' THEN ? ELSE approved_at END "
                         "WHERE id = ? AND status = ?",
                         [new.value, by, now, note, new.value, now, post_id, old.value])
        if cur.rowcount != 1:
            raise ForumError("bài vừa được người khác xử lý; tải lại trang")
        if opening:
            db.execute(f"UPDATE forum_topics SET status = ?, approved_at = CASE WHEN ? = '{PostStatus.APPROVED.value}' "
                       f"THEN ? ELSE approved_at END WHERE id = ? AND status IN {sql_in(MODERATION.sources_of(new))}",
                       [new.value, new.value, now, topic_id])
        if new is PostStatus.APPROVED:
            db.execute("UPDATE forum_topics SET last_post_at = ? WHERE id = ?", [now, topic_id])
        audit.record(db, by, f"forum:{new.value}", school_id=school_id, post=post_id, topic=topic_id,
                     was=old.value, why=note)


def set_flag(db: sqlite_utils.Database, topic_id: int, flag: str, value: bool, *, by: str, school_id: int) -> None:
    """Pin/unpin or close/reopen a topic (audited)."""
    if flag not in ("pinned", "closed"):
        raise ForumError(f"không rõ thao tác {flag}")
    with atomic(db):
        db.execute(f"UPDATE forum_topics SET {flag} = ? WHERE id = ?", [int(value), topic_id])
        audit.record(db, by, f"forum:{flag}", school_id=school_id, topic=topic_id, value=value)
