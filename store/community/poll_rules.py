"""Polls' pure rules: kinds, targets, states and their moves, the options as staff type them.

No database here, so property tests drive these directly.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from store.core.errors import StoreError
from store.core.text import is_digits

MAX_QUESTION = 300
MAX_OPTION = 40
MIN_OPTIONS, MAX_OPTIONS = 2, 9


class PollError(StoreError):
    """A poll or an answer that cannot be taken as asked; the message says why (Vietnamese)."""


class PollKind(str, Enum):
    POLL = "poll"          # khảo sát / bình chọn
    SIGNUP = "signup"      # đăng ký, options may have places and a waiting list


class Target(str, Enum):
    SCHOOL = "school"
    GRADE = "grade"
    CLASS = "class"


class PollStatus(str, Enum):
    PENDING = "pending"       # a teacher's poll waiting for a reviewer
    OPEN = "open"             # sent; answers taken until closes_at
    CLOSED = "closed"
    CANCELLED = "cancelled"   # a pending poll turned down


TRANSITIONS: dict[PollStatus, frozenset[PollStatus]] = {
    PollStatus.PENDING: frozenset({PollStatus.OPEN, PollStatus.CANCELLED}),
    PollStatus.OPEN: frozenset({PollStatus.CLOSED}),
    PollStatus.CLOSED: frozenset(),
    PollStatus.CANCELLED: frozenset(),
}


def check_transition(old: PollStatus, new: PollStatus) -> None:
    """Raise PollError unless ``old`` → ``new`` is in TRANSITIONS."""
    if new not in TRANSITIONS[old]:
        raise PollError(f"khảo sát đang “{old.value}”, không thể chuyển sang “{new.value}”")


class Place(str, Enum):
    CONFIRMED = "confirmed"
    WAITING = "waiting"       # the option is full: first come, first moved up


@dataclass(frozen=True)
class Option:
    """One choice: its number (what a parent texts), label and places (None: no limit)."""

    number: int
    label: str
    capacity: int | None = None


_CAPACITY = re.compile(r"^(.*?)\s*\[\s*([0-9]{1,5})\s*\]\s*$")


def parse_options(text: str, *, signup: bool) -> tuple[Option, ...]:
    """Options typed one a line; a sign-up's may end in `[30]` for 30 places. Raises PollError naming the line."""
    lines = [line.strip() for line in (text or "").replace("\r", "").split("\n") if line.strip()]
    if not MIN_OPTIONS <= len(lines) <= MAX_OPTIONS:
        raise PollError(f"cần từ {MIN_OPTIONS} đến {MAX_OPTIONS} lựa chọn, mỗi dòng một lựa chọn (đang có {len(lines)})")
    out = []
    for number, line in enumerate(lines, 1):
        capacity = None
        m = _CAPACITY.match(line)
        if m:
            if not signup:
                raise PollError(f"dòng {number}: số chỗ [..] chỉ dùng cho đăng ký, không cho khảo sát")
            line, capacity = m.group(1).strip(), int(m.group(2))
            if capacity < 1:
                raise PollError(f"dòng {number}: số chỗ phải từ 1 trở lên")
        if not line:
            raise PollError(f"dòng {number}: lựa chọn trống")
        if len(line) > MAX_OPTION:
            raise PollError(f"dòng {number}: “{line[:20]}…” dài quá {MAX_OPTION} ký tự")
        out.append(Option(number, line, capacity))
    return tuple(out)


_FIRST_NUMBER = re.compile(r"[0-9]+")


def answers_poll(text: str, poll_id: int) -> bool:
    """Whether a BC text was about this poll: its first number is the poll's (`BC 31 1`, `bc31 1`, `BC 31-1`),
    or it is a lone digit (the bare answer, when the poll was the only one open)."""
    bare = text.strip().strip(".,;:!")
    if len(bare) == 1 and is_digits(bare):
        return True
    first = _FIRST_NUMBER.search(text)
    return first is not None and int(first.group()) == poll_id
