"""An anonymous poll, once closed, keeps its tally and nothing that ties a family to an answer (SPEC §13).

While it is open, an answer by SMS loses its text as soon as it is recorded, and so does every re-delivery of
it (the same inbox dedup key: the ones already stored here, later ones in store.messaging.inbox.insert_mo), and
the reply does not repeat the choice (`Da ghi cau tra loi khao sat 31 (an danh)`), so the staff's page of
parents' texts shows neither. (While open, poll_answers itself still knows who answered what: a change of mind
replaces the guardian's answer.)
At closing (store.community.polls.close), in the same transaction:
- every answer loses its guardian, child and source (sms/web), and the rows are written again in (class, option,
  place) order with the closing time as their time, so neither the row ids, the timestamps nor the channel can be
  matched against the SMS log;
- the text of each `BC` the poll's guardians sent (`BC 31 1`, `bc31 1`, a lone digit) and of each re-delivered
  copy (inbox state `duplicate`) still there, the body of the gateway's reply to it (`Da ghi cau tra loi khao
  sat 31 (an danh)`, `Da rut cau tra loi khao sat 31...`) and of any "Da co cho" text of a sign-up are blanked
  as retention blanks old SMS;
- the inbox dedup key of those texts, a hash of the text (`BC 31 0`..`BC 31 9` would give the choice back), is
  replaced by `forgotten:<row id>` once the dedup window (sms.mo_dedup_window, mo_retry_window) has passed: until
  then a re-delivery must still be recognised (and is stored without its text).
What was still in flight or inside the dedup window at closing is done by serve's scheduler (forget_settled,
every tick): it reads what is left (indexed by phone), writes only those rows, and stamps the poll
`forgotten_at` once nothing is left, after which it is never read again.

What stays is what any SMS log keeps: that a number texted something to the gateway, and when (the inbox row
with command `BC`, no text, no key derived from it), that a reply went back (its row, no body); the counts and
the per-class response rates stay exact.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlite_utils

from store.core.clock import iso, parse_iso, utcnow
from store.core.connection import atomic
from store.messaging.states import IN_FLIGHT, sql_in
from .poll_rules import answers_poll

FORGOTTEN = "forgotten:"       # the dedup key of an inbox row whose key no longer derives from its text
_RECIPIENT_PHONES = ("SELECT DISTINCT g.phone FROM poll_recipients r JOIN guardians g ON g.id = r.guardian_id "
                     "WHERE r.poll_id = ?")
_FLYING = {s.value for s in IN_FLIGHT}


def _reshuffle(db: sqlite_utils.Database, poll_id: int, stamp: str) -> None:
    rows = db.execute("SELECT class_id, option, place FROM poll_answers WHERE poll_id = ? "
                      "ORDER BY class_id, option, place", [poll_id]).fetchall()
    db.execute("DELETE FROM poll_answers WHERE poll_id = ?", [poll_id])
    db.conn.executemany("INSERT INTO poll_answers (poll_id, guardian_id, student_id, class_id, option, place, source, "
                        "answered_at) VALUES (?, NULL, NULL, ?, ?, ?, 'sms', ?)",
                        [(poll_id, *row, stamp) for row in rows])


def gateway_bodies(poll_id: int) -> list[str]:
    """LIKE patterns of the gateway's texts that tell a family answered this poll (not the refusal after closing):
    the anonymous confirmation, the withdrawal and a sign-up's "place freed", unaccented and accented."""
    out = [f"Da ghi cau tra loi khao sat {poll_id} (an danh)%", f"Đã ghi câu trả lời khảo sát {poll_id} (ẩn danh)%",
           f"Da co cho% (dang ky {poll_id})%", f"Đã có chỗ% (đăng ký {poll_id})%"]
    for word in ("khao sat", "dang ky", "khảo sát", "đăng ký"):
        lead = "Da rut cau tra loi" if word.isascii() else "Đã rút câu trả lời"
        out += [f"{lead} {word} {poll_id}.", f"{lead} {word} {poll_id} cho %"]
    return out


@dataclass
class Plan:
    """What one pass will write, read first: inbox texts and keys, message bodies; whether anything is left."""

    texts: list[int] = field(default_factory=list)
    keys: list[int] = field(default_factory=list)
    bodies: list[int] = field(default_factory=list)
    left: bool = False

    def __bool__(self) -> bool:
        return bool(self.texts or self.keys or self.bodies)


def sent_bodies_sql(patterns: int) -> str:
    """The gateway's texts to the poll's families in its window whose body matches one of ``patterns``
    LIKE patterns. ``kind IN ('reply', 'announcement')`` is word for word the WHERE of the partial index
    messages_phone (migration 022): SQLite uses a partial index only for a query that names its terms."""
    return (f"SELECT id, state FROM messages WHERE phone IN ({_RECIPIENT_PHONES}) AND created_at >= ? "
            f"AND created_at <= ? AND body IS NOT NULL AND kind IN ('reply', 'announcement') "
            f"AND ({' OR '.join(['body LIKE ?'] * patterns)})")


def plan(db: sqlite_utils.Database, poll_id: int, opened_at: str, closed_at: str, now: datetime,
         dedup_window_s: int) -> Plan:
    """Read what still ties the poll's families to their answers (inbox by phone and time, messages likewise)."""
    window = timedelta(seconds=dedup_window_s)
    until, cutoff = iso(parse_iso(closed_at) + window), iso(now - window)
    out = Plan(left=iso(now) <= until)                  # a re-delivery may still come
    rows = db.execute(f"SELECT i.id, i.text, i.received_at, m.state FROM inbox i LEFT JOIN messages m "
                      f"ON m.id = i.reply_id WHERE i.phone IN ({_RECIPIENT_PHONES}) AND i.received_at >= ? "
                      f"AND i.received_at <= ? AND (i.command = 'BC' OR i.state = 'duplicate') "
                      f"AND substr(i.dedup_key, 1, {len(FORGOTTEN)}) != '{FORGOTTEN}'",
                      [poll_id, opened_at, until]).fetchall()
    for inbox_id, text, received_at, reply_state in rows:
        if text is not None:
            if not answers_poll(text, poll_id):
                continue
            if reply_state in _FLYING:                  # left whole, with its reply, for a later pass
                out.left = True
                continue
            out.texts.append(inbox_id)
        if received_at < cutoff:
            out.keys.append(inbox_id)
        else:
            out.left = True
    patterns = gateway_bodies(poll_id)
    for message_id, state in db.execute(sent_bodies_sql(len(patterns)), [poll_id, opened_at, until, *patterns]):
        if state in _FLYING:
            out.left = True
        else:
            out.bodies.append(message_id)
    return out


def _ids(ids: list[int]) -> str:
    return ",".join(str(int(i)) for i in ids)


def apply(db: sqlite_utils.Database, todo: Plan) -> int:
    """Write a plan inside the caller's transaction; how many rows changed (a body gone in flight is kept)."""
    changed = db.execute(f"UPDATE inbox SET text = NULL WHERE id IN ({_ids(todo.texts)}) "
                         "AND text IS NOT NULL").rowcount if todo.texts else 0
    if todo.keys:
        changed += db.execute(f"UPDATE inbox SET dedup_key = '{FORGOTTEN}' || id "
                              f"WHERE id IN ({_ids(todo.keys)})").rowcount
    if todo.bodies:
        changed += db.execute(f"UPDATE messages SET body = NULL WHERE id IN ({_ids(todo.bodies)}) "
                              f"AND body IS NOT NULL AND state NOT IN {sql_in(IN_FLIGHT)}").rowcount
    return changed


def forget_text(db: sqlite_utils.Database, inbox_id: int) -> None:
    """An anonymous poll's answer by SMS, once recorded: its text is blanked at once, and so is any re-delivered
    copy already stored (same dedup key); the reply, which does not repeat the choice, is the gateway's record
    that it was answered. The key stays while a re-delivery may still come (forget_settled replaces it later)."""
    db.execute("UPDATE inbox SET text = NULL WHERE dedup_key = (SELECT dedup_key FROM inbox WHERE id = ?) "
               "AND text IS NOT NULL", [inbox_id])


def forget_voters(db: sqlite_utils.Database, poll_id: int, opened_at: str, closed_at: str,
                  dedup_window_s: int) -> None:
    """At closing, inside the caller's transaction: answers without families, texts without answers."""
    _reshuffle(db, poll_id, closed_at)
    apply(db, plan(db, poll_id, opened_at, closed_at, parse_iso(closed_at), dedup_window_s))


def forget_settled(db: sqlite_utils.Database, dedup_window_s: int, now: datetime | None = None) -> int:
    """What was still in flight or in the dedup window when an anonymous poll closed (polls closed in the last day
    and not yet stamped done): read first, outside any transaction; then one short write of those rows only."""
    now = now or utcnow()
    polls = db.execute("SELECT id, opened_at, closed_at FROM polls WHERE anonymous = 1 AND status = 'closed' "
                       "AND forgotten_at IS NULL AND closed_at >= ? AND opened_at IS NOT NULL",
                       [iso(now - timedelta(days=1))]).fetchall()
    changed = 0
    for poll_id, opened_at, closed_at in polls:
        todo = plan(db, poll_id, opened_at, closed_at, now, dedup_window_s)
        if not todo and todo.left:
            continue
        with atomic(db):
            changed += apply(db, todo)
            if not todo.left:
                db.execute("UPDATE polls SET forgotten_at = ? WHERE id = ?", [iso(now), poll_id])
    return changed
