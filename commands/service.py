"""answer(): one parent text in, one reply (or None) out. The only entry of the language."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

import sqlite_utils

from settings import Settings
from outbox.render import prepare
from outbox.templating import render
from store.core import audit
from store.school import families
from store.school import roster
from store.core.clock import local_today
from store.school.phones import PhoneError, mask, normalise

from . import policy
from .base import Audience, Context, Reply, ReplyKind
from commands.community.bc import bare_answer
from outbox.fit import fit
from .grammar import parse
from .registry import instances, keyword_table
from .suggest import suggest

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    """The reply to send (None = stay silent) and what the text was taken as."""

    reply: Reply | None
    command: str | None
    phone: str | None


def _unknown(raw: str | None, parsed=None) -> Reply:
    unknown = " ".join(parsed.unknown) if parsed is not None else None
    return Reply(render("khong_hieu.txt", unknown=unknown, suggestion=suggest(raw, parsed)), command="?")


def answer(db: sqlite_utils.Database, settings: Settings, sender: str, text: str | None, *, ton: int | None = None,
           today: date | None = None, connection: str = "default", inbox_id: int | None = None,
           actor: str = "sms", rate_limit: bool = True) -> Answer:
    """Answer ``text`` from ``sender`` as the SMS service would.

    Strangers get one registration hint a day and no data; a number over
    sms.commands_per_hour gets one refusal, then silence; anything else gets
    exactly one reply fitted to sms.max_parts. Never raises for bad input.
    """
    today = today or local_today(settings.sms.timezone)
    try:
        phone = normalise(sender, ton)
    except PhoneError:
        logger.info("text from a non-phone sender %s ignored", mask(sender))
        return Answer(None, None, None)
    if rate_limit and policy.commands_last_hour(db, phone) > settings.sms.commands_per_hour:
        if policy.first_notice_today(db, phone, today, "rate_limited"):
            return _finish(settings, Reply(render("qua_nhieu.txt", limit=settings.sms.commands_per_hour),
                                           kind=ReplyKind.HINT, command="LIMIT"), phone)
        return Answer(None, "LIMIT", phone)
    family = families.guardian_by_phone(db, phone, today)
    guardian = family is not None and bool(family.children)
    staff = tuple(roster.by_phone(db, phone))
    if not guardian and not staff:
        if policy.stranger_hint_allowed(db, phone, today, settings) and \
                policy.first_notice_today(db, phone, today, "stranger"):
            return _finish(settings, Reply(render("la.txt"), kind=ReplyKind.HINT, command="STRANGER"), phone)
        return Answer(None, "STRANGER", phone)
    names = frozenset(c.given_name_folded for c in family.children) if guardian else frozenset()
    codes = frozenset(c.code.upper() for c in family.children) if guardian else frozenset()
    spelled: dict[str, set[str]] = {}
    for c in (family.children if guardian else ()):
        spelled.setdefault(c.given_name_folded, set()).add(c.full_name.split()[-1].lower())
    parsed = parse(text, keyword_table(), names=names, codes=codes,
                   spelled={k: frozenset(v) for k, v in spelled.items()})
    ctx = Context(db=db, settings=settings, phone=phone, family=family, today=today, connection=connection,
                  inbox_id=inbox_id, actor=actor, staff=staff)
    command = instances()[parsed.keyword] if parsed is not None and not parsed.unknown else None
    if command is not None and command.audience is Audience.STAFF and not staff:
        command = None                  # a staff keyword from a parent's phone is just unknown text
    bare = bare_answer(ctx, text) if parsed is None and guardian else None
    if command is not None and command.audience is Audience.GUARDIAN and not guardian:
        reply = _staff_help(staff)      # a staff phone never gets a guardian's data (unless it is one too)
    elif bare is not None:
        reply = bare                    # a lone digit answers the one poll open for this number (SPEC §13)
    elif command is None and parsed is not None and not parsed.unknown and guardian:
        reply = _unknown(None)          # no "did you mean PC?" to a parent either
    elif command is None:
        reply = _unknown(text, parsed if parsed is not None and parsed.unknown else None) if guardian \
            else _staff_help(staff)
    else:
        reply = command.handle(ctx, parsed)
        if reply is None:                       # a command may choose silence (BL's second refusal)
            return Answer(None, parsed.keyword, phone)
    return _finish(settings, reply, phone)


def _staff_help(staff) -> Reply:
    """What a staff phone that is not a guardian's may text."""
    lines = "; ".join(c.help for c in instances().values() if c.audience is Audience.STAFF)
    return Reply(render("nv_hd.txt", schools=", ".join(sorted({m.school_code for m in staff})), commands=lines),
                 command="HD", school_id=staff[0].school_id)


def ask(db: sqlite_utils.Database, settings: Settings, sender: str, text: str, *, actor: str = "cli:ask",
        today: date | None = None) -> Answer:
    """Answer as if ``sender`` had texted ``text``, changing nothing but the audit log.

    Side effects of the command (an opt-out, a GV message, a code) are rolled
    back: staff can try anything safely. Every child whose data the answer
    shows is recorded as read by ``actor``.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        result = answer(db, settings, sender, text, today=today, actor=actor, rate_limit=False)
    finally:
        db.execute("ROLLBACK")
    reply = result.reply
    for student_id in (reply.student_ids if reply else []) or [None]:
        audit.record(db, actor, "ask", school_id=reply.school_id if reply else None, student_id=student_id,
                     phone=mask(result.phone or sender), text=text, command=result.command)
    return result


def _finish(settings: Settings, reply: Reply, phone: str) -> Answer:
    url = settings.web.public_url.rstrip("/") + (reply.more_url or "")
    fitted = fit(reply.text, transliterate=settings.sms.transliterate, max_parts=settings.sms.max_parts,
                 more_url=url)
    reply.text, reply.meta["encoding"] = prepare(fitted, settings.sms.transliterate)
    return Answer(reply, reply.command, phone)
