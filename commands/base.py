"""What every keyword module shares: the context it gets, the reply it returns."""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any, ClassVar

import sqlite_utils

from settings import Settings

from .grammar import Parsed


class ReplyKind(str, Enum):
    REPLY = "reply"   # an answer to a command
    OTP = "otp"       # an MK code (10-minute validity)
    HINT = "hint"     # registration hint / refusal to a stranger or a pump


@dataclass
class Reply:
    """What a command answers: text (before transliteration) and what it concerned."""

    text: str
    kind: ReplyKind = ReplyKind.REPLY
    command: str = ""
    student_ids: list[int] = field(default_factory=list)
    school_id: int | None = None
    more_url: str | None = None       # where the full content is when the text is shortened
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class Context:
    """Everything a command may use: the sender, their family, today, the database."""

    db: sqlite_utils.Database
    settings: Settings
    phone: str
    family: Any                       # store.school.families.Family
    today: date
    connection: str = "default"
    inbox_id: int | None = None
    actor: str = "sms"
    staff: tuple = ()                 # store.school.roster.StaffMember rows of this number (staff keywords)

    @property
    def children(self) -> list:
        return list(self.family.children)


class Audience(str, Enum):
    """Who may use a keyword: guardians (the parent language), staff phones (PC, later PB, TV), or both (MK)."""

    GUARDIAN = "guardian"
    STAFF = "staff"
    ANY = "any"


class Command(ABC):
    """A keyword: its aliases, slots, help line, and ``handle`` returning a Reply."""

    keyword: ClassVar[str]
    aliases: ClassVar[tuple[str, ...]] = ()
    slots: ClassVar[tuple[str, ...]] = ()
    help: ClassVar[str]               # one line, unaccented, shown by HD
    example: ClassVar[str]            # what a parent types
    audience: ClassVar[Audience] = Audience.GUARDIAN
    # Whether a typo may be "corrected" into this command: only commands that just read. One that
    # changes something (HUY, DK, MK, GV, NGHI...) runs only when typed, so the default is False.
    suggestible: ClassVar[bool] = False

    @abstractmethod
    def handle(self, ctx: Context, parsed: Parsed) -> Reply | None:
        """The reply to ``parsed`` from ``ctx``'s sender (text, not sent); None: stay silent."""
