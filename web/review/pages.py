"""What staff release to parents: the approval queue, answers to GV / NGHI texts, announcements.

- /staff/approvals: pending rows of the staff member's school grouped by
  kind, class, subject, who entered them and the day; a reviewer, admin or
  operator approves a group, several groups, or chosen rows of one group.
  Teachers see the queue of their classes, read only.
- /staff/messages: parents' GV / NGHI texts (teachers: their classes),
  unanswered first, with a reply box; the answer goes back by SMS.
- /staff/announce: an announcement to a school or one class, previewed with
  the exact text, parts per SMS, recipients and total parts before sending.
  Teachers announce to their own classes, at once or after approval (web/review/notice_review.py).
"""
from __future__ import annotations

# Each page module registers its routes on the one blueprint (endpoints stay review.*).
from web.review import announce, approvals, messages  # noqa: F401
from web.menu import MenuEntry
from web.review.blueprint import bp  # noqa: F401

MENU = (MenuEntry("review.approvals", "Duyệt"),
        MenuEntry("review.teacher_messages", "GV / Nghỉ"),
        MenuEntry("review.announce", "Thông báo"))
