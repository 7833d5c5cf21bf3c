"""The forum's line in the evening digest: new topics in the parent rooms a guardian follows, replies in followed topics.

At most one line per guardian, none when nothing is new. A guardian follows
the parent rooms of their children's classes and school unless they muted one;
their own topics and replies are not news to them. Only what a moderator let
through (approved) in the digest's window counts.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import sqlite_utils

TITLE_CHARS = 28
TOPICS_SHOWN = 2


@dataclass(frozen=True)
class NewTopic:
    id: int
    title: str
    room_id: int
    class_id: int | None       # None: the school's parent room
    class_name: str | None
    opener: int | None         # guardian who opened it


def new_topics(db: sqlite_utils.Database, school_id: int, after: str | None, until: str) -> list[NewTopic]:
    """Topics of the school's parent rooms approved in (after, until]."""
    rows = db.execute(
        "SELECT t.id, t.title, t.room_id, r.class_id, c.name, "
        "(SELECT guardian_id FROM forum_posts WHERE topic_id = t.id ORDER BY id LIMIT 1) "
        "FROM forum_topics t JOIN forum_rooms r ON r.id = t.room_id LEFT JOIN classes c ON c.id = r.class_id "
        "WHERE r.school_id = ? AND r.kind IN ('class_parents', 'school_parents') AND t.status = 'approved' "
        "AND t.approved_at > ? AND t.approved_at <= ? ORDER BY t.id", [school_id, after or "", until]).fetchall()
    return [NewTopic(*r) for r in rows]


def replies_followed(db: sqlite_utils.Database, school_id: int, after: str | None,
                     until: str) -> dict[int, dict[int, tuple[int, int | None]]]:
    """guardian -> topic -> (new replies by others, the topic's class or None) in (after, until]."""
    rows = db.execute(
        "SELECT f.guardian_id, t.id, r.class_id, COUNT(*) FROM forum_follows f "
        "JOIN forum_topics t ON t.id = f.topic_id JOIN forum_rooms r ON r.id = t.room_id "
        "JOIN forum_posts p ON p.topic_id = t.id "
        "WHERE r.school_id = ? AND r.kind IN ('class_parents', 'school_parents') AND t.status = 'approved' "
        "AND p.status = 'approved' AND p.approved_at > ? AND p.approved_at <= ? "
        "AND p.id != (SELECT MIN(id) FROM forum_posts WHERE topic_id = t.id) "
        "AND (p.guardian_id IS NULL OR p.guardian_id != f.guardian_id) "
        "GROUP BY f.guardian_id, t.id", [school_id, after or "", until]).fetchall()
    out: dict[int, dict[int, tuple[int, int | None]]] = defaultdict(dict)
    for gid, tid, class_id, n in rows:
        out[gid][tid] = (n, class_id)
    return out


def muted_rooms(db: sqlite_utils.Database, school_id: int) -> dict[int, set[int]]:
    """guardian -> rooms of the school they muted."""
    out: dict[int, set[int]] = defaultdict(set)
    for gid, rid in db.execute("SELECT m.guardian_id, m.room_id FROM forum_room_mutes m "
                               "JOIN forum_rooms r ON r.id = m.room_id WHERE r.school_id = ?", [school_id]):
        out[gid].add(rid)
    return out


def _short(title: str) -> str:
    if len(title) <= TITLE_CHARS:
        return title
    cut = title[:TITLE_CHARS].rsplit(" ", 1)[0] or title[:TITLE_CHARS]
    return cut.rstrip(" ,.;:") + "..."


def _topics_clause(topics: list[NewTopic]) -> str:
    shown = ", ".join(f'F{t.id} "{_short(t.title)}"' for t in topics[:TOPICS_SHOWN])
    return f"{len(topics)} bài mới: {shown}{'...' if len(topics) > TOPICS_SHOWN else ''}"


class ForumDigest:
    """One school's forum news for one digest window; ``line(guardian, class_ids)`` per recipient."""

    def __init__(self, db: sqlite_utils.Database, school_id: int, after: str | None, until: str):
        self.topics = new_topics(db, school_id, after, until)
        self.replies = replies_followed(db, school_id, after, until)
        self.muted = muted_rooms(db, school_id) if (self.topics or self.replies) else {}

    @property
    def empty(self) -> bool:
        """Nothing new on the school's forum in the window, for anyone."""
        return not self.topics and not self.replies

    def line(self, guardian_id: int, class_ids: set[int] | frozenset[int]) -> str | None:
        """The guardian's forum line (None when nothing is new for them)."""
        if not self.topics and guardian_id not in self.replies:
            return None
        muted = self.muted.get(guardian_id, set())
        by_room: dict[str | None, list[NewTopic]] = defaultdict(list)
        for t in self.topics:
            mine = t.class_id is None or t.class_id in class_ids
            if mine and t.room_id not in muted and t.opener != guardian_id:
                by_room[t.class_name].append(t)
        replies = sum(n for n, cid in self.replies.get(guardian_id, {}).values() if cid is None or cid in class_ids)
        clauses = [f"{'lớp ' + name if name else 'trường'} {_topics_clause(ts)}"
                   for name, ts in sorted(by_room.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))]
        if replies:
            clauses.append(f"{replies} trả lời mới ở bài bạn theo dõi")
        if not clauses:
            return None
        if len(by_room) == 1 and len(clauses) == 1:
            name = next(iter(by_room))
            return f"Diễn đàn {name or 'trường'}: {_topics_clause(by_room[name])}"
        return "Diễn đàn: " + "; ".join(clauses)
