"""Reading one item and moving it through its states: submit, withdraw, approve, return (with a reason).

The owner submits and withdraws; the item's department head or the school's
principal approves or returns it. A department head never reviews their own
item (the principal does); a principal may.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import sqlite_utils

from store.core.clock import now_iso
from store.core.connection import transaction

from .access import Viewer, scope_sql
from .errors import BadInput, NotAllowed
from .items import record_event
from .states import OWNER_ACTIONS, Action, ItemState, next_state

MAX_REASON = 500


@dataclass(frozen=True)
class Item:
    """One item as its page shows it."""

    id: int
    school_id: int
    title: str
    section: str
    subject: str | None
    grade: int | None
    department_id: int | None
    department: str | None
    source: str
    owner_user_id: int
    owner: str
    state: ItemState
    return_reason: str | None
    updated_at: str


@dataclass(frozen=True)
class Version:
    """One uploaded file of an item."""

    number: int
    sha256: str
    file_name: str
    kind: str
    size: int
    note: str | None
    text_chars: int
    warning: dict | None
    uploader: str
    uploaded_at: str


_ITEM = ("SELECT i.id, i.school_id, i.title, i.section, i.subject, i.grade, i.department_id, d.name, i.source, "
         "i.owner_user_id, coalesce(u.full_name, u.login), i.state, i.return_reason, i.updated_at "
         "FROM library_items i JOIN users u ON u.id = i.owner_user_id LEFT JOIN departments d ON d.id = i.department_id")


def _item(row) -> Item:
    values = list(row)
    values[11] = ItemState(values[11])
    return Item(*values)


def get(db: sqlite_utils.Database, viewer: Viewer, item_id: int) -> Item | None:
    """The item when ``viewer`` may see it, else None (the page answers 404 either way)."""
    scope, args = scope_sql(viewer)
    row = db.execute(f"{_ITEM} WHERE i.id = ? AND {scope}", [item_id, *args]).fetchone()
    return _item(row) if row else None


def versions(db: sqlite_utils.Database, item_id: int) -> list[Version]:
    """The item's versions, newest first."""
    rows = db.execute("SELECT v.number, v.sha256, v.file_name, b.kind, b.size, v.note, v.text_chars, "
                      "v.privacy_warning, coalesce(u.full_name, u.login), v.uploaded_at FROM library_versions v "
                      "JOIN library_blobs b ON b.sha256 = v.sha256 JOIN users u ON u.id = v.uploaded_by "
                      "WHERE v.item_id = ? ORDER BY v.number DESC", [item_id]).fetchall()
    return [Version(*r[:7], json.loads(r[7]) if r[7] else None, *r[8:]) for r in rows]


def history(db: sqlite_utils.Database, item_id: int) -> list[dict]:
    """The item's events, oldest first."""
    rows = db.execute("SELECT e.at, coalesce(u.full_name, u.login), e.action, e.from_state, e.to_state, e.reason "
                      "FROM library_events e JOIN users u ON u.id = e.user_id WHERE e.item_id = ? ORDER BY e.id",
                      [item_id]).fetchall()
    return [dict(zip(("at", "who", "action", "from_state", "to_state", "reason"), r)) for r in rows]


def may(viewer: Viewer, item: Item, action: Action) -> bool:
    """Whether ``viewer`` may do ``action`` to ``item`` now (its state allows it and it is theirs to do)."""
    if next_state(item.state, action) is None or viewer.user_id is None:
        return False
    if action in OWNER_ACTIONS:
        return item.owner_user_id == viewer.user_id
    if not viewer.reviews(item.school_id, item.department_id):
        return False
    return viewer.principal or item.owner_user_id != viewer.user_id


def act(db: sqlite_utils.Database, viewer: Viewer, item_id: int, action: Action, reason: str = "") -> ItemState:
    """Do ``action`` to the item; returns the new state. NotAllowed / BadInput say why not, changing nothing."""
    action = Action(action)
    reason = " ".join(str(reason or "").split())
    if action is Action.RETURN and not reason:
        raise BadInput("Ghi lý do trả lại để người soạn biết cần sửa gì.")
    if len(reason) > MAX_REASON:
        raise BadInput(f"Lý do dài quá {MAX_REASON} ký tự.")
    with transaction(db):
        item = get(db, viewer, item_id)
        if item is None or not may(viewer, item, action):
            raise NotAllowed(_refusal(item, action))
        new = next_state(item.state, action)
        now = now_iso()
        reviewed = action not in OWNER_ACTIONS
        db.execute("UPDATE library_items SET state = ?, updated_at = ?, return_reason = ?, "
                   "reviewed_by = CASE WHEN ? THEN ? ELSE reviewed_by END, "
                   "reviewed_at = CASE WHEN ? THEN ? ELSE reviewed_at END WHERE id = ?",
                   [new.value, now, reason if action is Action.RETURN else None, reviewed, viewer.user_id,
                    reviewed, now, item_id])
        record_event(db, item_id, viewer.user_id, action.value, from_state=item.state.value, to_state=new.value,
                     reason=reason or None)
    return new


def _refusal(item: Item | None, action: Action) -> str:
    if item is None:
        return "Không tìm thấy tài liệu này."
    if next_state(item.state, action) is None:
        return f"Tài liệu đang ở trạng thái «{item.state.label}»: không thể làm việc này."
    if action in OWNER_ACTIONS:
        return "Chỉ người tải tài liệu lên mới gửi duyệt hoặc rút lại được."
    return "Chỉ tổ trưởng của tổ chuyên môn này hoặc hiệu trưởng mới duyệt hay trả lại được (không tự duyệt tài liệu " \
           "của mình)."


def queue(db: sqlite_utils.Database, viewer: Viewer) -> list[Item]:
    """What waits for ``viewer``'s review: submitted items of their department (a principal: of the school)."""
    if viewer.member is None or not (viewer.principal or viewer.head_of is not None):
        return []
    sql, args = f"{_ITEM} WHERE i.school_id = ? AND i.state = 'submitted'", [viewer.school_id]
    if not viewer.principal:
        sql += " AND i.department_id = ? AND i.owner_user_id != ?"
        args += [viewer.head_of, viewer.user_id]
    return [_item(r) for r in db.execute(sql + " ORDER BY i.updated_at, i.id", args)]
