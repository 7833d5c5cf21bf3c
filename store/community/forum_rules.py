"""The forum's pure rules: room kinds, post states and their transitions, what holds a post, clean text.

No database here, so property tests drive these functions directly.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum

from store.core.errors import StoreError
from store.review.status import MODERATION, ReviewStatus
from store.core.text import fold

MAX_TITLE = 120
MAX_BODY = 10_000


class ForumError(StoreError):
    """A post, topic or moderation decision that cannot be made as asked; the message says why (Vietnamese)."""


class RoomKind(str, Enum):
    CLASS_PARENTS = "class_parents"     # parents of one class (and its teachers)
    SCHOOL_PARENTS = "school_parents"   # parents of the school (and its staff)
    SCHOOL_STAFF = "school_staff"       # staff of the school only
    CLASS_STAFF = "class_staff"         # homeroom + subject teachers of a class
    PUPIL = "pupil"                     # staff thread about one pupil

    @property
    def for_guardians(self) -> bool:
        """Whether guardians may ever see this kind of room (staff rooms and pupil threads: never)."""
        return self in (RoomKind.CLASS_PARENTS, RoomKind.SCHOOL_PARENTS)


ROOM_LABELS = {
    RoomKind.CLASS_PARENTS: "Phụ huynh lớp {cls}",
    RoomKind.SCHOOL_PARENTS: "Phụ huynh toàn trường",
    RoomKind.SCHOOL_STAFF: "Cán bộ, giáo viên toàn trường",
    RoomKind.CLASS_STAFF: "Giáo viên lớp {cls}",
    RoomKind.PUPIL: "Trao đổi về học sinh {pupil}",
}


# A post's status is the review status: pending waits for a moderator (a guardian's first post; every post
# when the school says so), held is held automatically (a phone number, a link or a blocked word).
PostStatus = ReviewStatus

# The one table of moves a moderation decision may make (store/review/status.py MODERATION); the store
# refuses anything else.
TRANSITIONS: dict[PostStatus, frozenset[PostStatus]] = {s: MODERATION.allowed(s) for s in ReviewStatus}


def check_transition(old: PostStatus, new: PostStatus) -> None:
    """Raise ForumError unless ``old`` → ``new`` is in TRANSITIONS."""
    if new not in TRANSITIONS[old]:
        raise ForumError(f"không thể chuyển bài từ “{old.value}” sang “{new.value}”")


# -- what holds a post -------------------------------------------------------------------------------
# Nine or more digits, possibly split by spaces, dots or dashes: a phone number (0912 345 678, +84 912.345.678).
_PHONE = re.compile(r"(?:\+|\b)\d(?:[\s.\-]?\d){8,}")
_LINK = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:vn|com|net|org|info|io|me|ly|xyz|edu)\b(?:/\S*)?",
                   re.IGNORECASE)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", unicodedata.normalize("NFC", text).lower())


def _same_word(typed: str, blocked: str) -> bool:
    # "ngủ" (sleep) must not match a blocked "ngu": accents count when the writer typed them; a word
    # typed without accents ("lua dao") matches the blocked word folded, as parents often write.
    return typed == blocked or (fold(typed) == typed and typed == fold(blocked))


def _has_phrase(words: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return any(all(_same_word(w, p) for w, p in zip(words[i:i + n], phrase)) for i in range(len(words) - n + 1))


@dataclass(frozen=True)
class Hold:
    """Why a post is held for a moderator (Vietnamese, shown to staff only)."""

    reason: str


def hold_for(text: str, block_words: tuple[str, ...] = ()) -> Hold | None:
    """A Hold when ``text`` has a phone number, a link or a word of the school's block list; else None."""
    if _PHONE.search(text):
        return Hold("có số điện thoại")
    if _LINK.search(text):
        return Hold("có đường dẫn (link)")
    words = _words(text)
    for entry in block_words:
        phrase = _words(entry)
        if phrase and _has_phrase(words, phrase):
            return Hold(f"có từ trong danh sách chặn: “{entry.strip()}”")
    return None


def block_list(raw: str) -> tuple[str, ...]:
    """The school's block list, one word or phrase a line (blank lines dropped)."""
    return tuple(line.strip() for line in (raw or "").splitlines() if line.strip())


# -- clean text --------------------------------------------------------------------------------------
# Direction overrides and isolates can make a post display as something else than it is: dropped.
_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"))


def clean(text: str | None, *, limit: int, what: str) -> str:
    """``text`` as the forum stores it: NFC, control and direction characters dropped, trimmed, within ``limit``.

    Raises ForumError naming ``what`` when it is empty or too long. Line
    breaks and tabs are kept; everything else in Unicode category C (controls,
    format characters, unassigned) goes.
    """
    text = unicodedata.normalize("NFC", (text or "").replace("\r\n", "\n").replace("\r", "\n")).translate(_BIDI)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C").strip()
    if not text:
        raise ForumError(f"{what} đang trống")
    if len(text) > limit:
        raise ForumError(f"{what} dài {len(text):,} ký tự, tối đa {limit:,}".replace(",", "."))
    return text


def one_line(text: str | None, *, limit: int, what: str) -> str:
    """A title: clean() with every run of white space made one space."""
    return " ".join(clean(text, limit=limit, what=what).split())
