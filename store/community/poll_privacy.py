"""An anonymous poll, once closed, keeps its tally and nothing that ties a family to an answer (SPEC §13).

While it is open, an answer by SMS loses its text as soon as it is recorded and the reply does not repeat the
choice (`Da ghi cau tra loi khao sat 31 (an danh)`), so the staff's page of parents' texts shows neither.
At closing (store.community.polls.close), in the same transaction:
- every answer loses its guardian and child, and the rows are written again
  in (class, option, place) order with the closing time as their time, so
  neither the row ids nor the timestamps can be matched against the SMS log;
- the text of each `BC` the poll's guardians sent while it was open (`BC 31 1`,
  `bc31 1`, a lone digit) still there and the body of the gateway's reply to it
  (`Da ghi cau tra loi khao sat 31 (an danh)`, `Da rut ...`), and of any
  "Da co cho" text of a sign-up, are
  blanked as retention blanks old SMS. A reply still in flight at closing keeps
  its body until it settles: serve's scheduler blanks it then
  (forget_settled, over the polls closed in the last day).

What stays is what any SMS log keeps: that a number texted the poll keyword,
and when; the counts and the per-class response rates stay exact.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlite_utils

from store.core.clock import iso, utcnow
from store.messaging.states import IN_FLIGHT, sql_in
from .poll_rules import answers_poll

_RECIPIENT_PHONES = ("SELECT g.phone FROM poll_recipients r JOIN guardians g ON g.id = r.guardian_id "
                     "WHERE r.poll_id = ?")


def _reshuffle(db: sqlite_utils.Database, poll_id: int, stamp: str) -> None:
    rows = db.execute("SELECT class_id, option, place, source FROM poll_answers WHERE poll_id = ? "
                      "ORDER BY class_id, option, place, source", [poll_id]).fetchall()
    db.execute("DELETE FROM poll_answers WHERE poll_id = ?", [poll_id])
    db.conn.executemany("INSERT INTO poll_answers (poll_id, guardian_id, student_id, class_id, option, place, source, "
                        "answered_at) VALUES (?, NULL, NULL, ?, ?, ?, ?, ?)",
                        [(poll_id, *row, stamp) for row in rows])


def _blank_texts(db: sqlite_utils.Database, poll_id: int, opened_at: str, closed_at: str) -> int:
    """Blank the BC texts of the poll's guardians with their settled replies; how many rows changed.

    A text whose reply is still in flight is left whole (with its reply) for the next pass.
    """
    found = db.execute(f"SELECT id, text, reply_id FROM inbox WHERE command = 'BC' AND text IS NOT NULL "
                       f"AND received_at >= ? AND received_at <= ? AND phone IN ({_RECIPIENT_PHONES})",
                       [opened_at, closed_at, poll_id]).fetchall()
    flying = sql_in(IN_FLIGHT)
    changed = 0
    for inbox_id, text, reply_id in found:
        if not answers_poll(text, poll_id):
            continue
        if reply_id is not None:
            if db.execute(f"SELECT 1 FROM messages WHERE id = ? AND state IN {flying}", [reply_id]).fetchone():
                continue
            changed += db.execute("UPDATE messages SET body = NULL WHERE id = ? AND body IS NOT NULL",
                                  [reply_id]).rowcount
        changed += db.execute("UPDATE inbox SET text = NULL WHERE id = ?", [inbox_id]).rowcount
    changed += db.execute(f"UPDATE messages SET body = NULL WHERE body IS NOT NULL AND state NOT IN {flying} "
                          "AND kind = 'announcement' AND created_at >= ? AND (body LIKE ? OR body LIKE ?) "
                          "AND guardian_id IN (SELECT guardian_id FROM poll_recipients WHERE poll_id = ?)",
                          [opened_at, f"% (dang ky {poll_id})%", f"% (đăng ký {poll_id})%", poll_id]).rowcount
    replies = [f"Da ghi cau tra loi khao sat {poll_id} (an danh)%", f"Đã ghi câu trả lời khảo sát {poll_id} (ẩn danh)%",
               f"Da rut cau tra loi % {poll_id}%", f"Đã rút câu trả lời % {poll_id}%"]
    changed += db.execute(f"UPDATE messages SET body = NULL WHERE body IS NOT NULL AND state NOT IN {flying} "
                          f"AND kind = 'reply' AND created_at >= ? AND ({' OR '.join(['body LIKE ?'] * 4)}) "
                          f"AND phone IN ({_RECIPIENT_PHONES})", [opened_at, *replies, poll_id]).rowcount
    return changed


def forget_text(db: sqlite_utils.Database, inbox_id: int) -> None:
    """An anonymous poll's answer by SMS, once recorded: its text is blanked at once (the reply, which does not
    repeat the choice, is the gateway's record that it was answered)."""
    db.execute("UPDATE inbox SET text = NULL WHERE id = ?", [inbox_id])


def forget_voters(db: sqlite_utils.Database, poll_id: int, opened_at: str, closed_at: str) -> None:
    """At closing, inside the caller's transaction: answers without families, texts without answers."""
    _reshuffle(db, poll_id, closed_at)
    _blank_texts(db, poll_id, opened_at, closed_at)


def forget_settled(db: sqlite_utils.Database, now: datetime | None = None) -> int:
    """Blank what was still in flight when an anonymous poll closed (polls closed in the last day)."""
    since = iso((now or utcnow()) - timedelta(days=1))
    polls = db.execute("SELECT id, opened_at, closed_at FROM polls WHERE anonymous = 1 AND status = 'closed' "
                       "AND closed_at >= ? AND opened_at IS NOT NULL", [since]).fetchall()
    return sum(_blank_texts(db, pid, opened, closed) for pid, opened, closed in polls)
