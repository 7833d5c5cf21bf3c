"""Digest e-mails: the evening news of each guardian with an address, with its diacritics.

The SMS digest (outbox/digest.py) is the source: a guardian gets an e-mail
for a school and day exactly when they have a `digests` row for it, and the
news is read again between that run's cutoffs, so the e-mail says what the
SMS said, unshortened. `digests.emailed_at` is set after the SMTP server took
the message: a crash in between may send one e-mail twice, never none.
Runs after the digest is built (the rq job, `digest`); a guardian whose
address the server refuses is logged and skipped, and a connection failure
leaves the rest for the next call.
"""
from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import sqlite_utils

from store.core.clock import now_iso, school_year_of
from store.school.phones import mask

from .digest import BATCH, news_of_page, pages
from .digest_sources import Page, Window, sources, subjects_of
from .digest_states import DigestRunState

logger = logging.getLogger(__name__)


_ONE_RECIPIENT = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused,
                  smtplib.SMTPNotSupportedError, UnicodeError, ValueError)


@dataclass(frozen=True)
class MailResult:
    """What one call did."""

    sent: int
    refused: int     # the server refused the address or the message (5xx): not retried
    left: int        # still to send (connection failure): the next call sends them


def enabled(settings) -> bool:
    """E-mail digests are on and an SMTP server is configured."""
    return bool(settings.digest.email and settings.email.host and settings.email.sender)


def compose(settings, *, school_name: str, day: date, to: str, guardian_name: str | None,
            children: list[dict]) -> EmailMessage:
    """The e-mail of one guardian's digest (plain text, UTF-8)."""
    msg = EmailMessage()
    msg["Subject"] = f"Sổ liên lạc {school_name} ngày {day:%d/%m/%Y}"
    msg["From"] = formataddr((school_name, settings.email.sender))
    msg["To"] = formataddr((guardian_name or "", to))
    msg["Message-ID"] = make_msgid(domain=settings.email.sender.rpartition("@")[2] or None)
    lines = [f"Kính gửi {guardian_name or 'quý phụ huynh'},", "",
             f"Tin mới của {school_name} ngày {day:%d/%m/%Y}:", ""]
    for child in children:
        lines.append(f"{child['name']} – lớp {child['class_name']}")
        lines.extend(f"  • {line}" for line in child["lines"])
        lines.append("")
    lines += [f"Xem đầy đủ: {settings.web.public_url.rstrip('/')}/parent/",
              "Tin nhắn SMS cùng nội dung đã được gửi tới số điện thoại của quý phụ huynh.",
              "Ngừng nhận bản tin buổi tối: nhắn HUY tới số của trường."]
    msg.set_content("\n".join(lines), charset="utf-8")
    return msg


def _pending(db, school_id: int, day: date) -> dict[int, tuple[str, str | None]]:
    rows = db.execute(
        "SELECT g.id, g.email, g.full_name FROM digests d JOIN guardians g ON g.id = d.guardian_id "
        "WHERE d.school_id = ? AND d.local_date = ? AND d.emailed_at IS NULL AND coalesce(g.email, '') != ''",
        [school_id, day.isoformat()])
    return {gid: (email.strip(), name) for gid, email, name in rows}


def _pending_families(db, window: Window, school_year: str, pending: dict):
    """Per page of recipients, the families still waiting for their e-mail, with every line of their news."""
    full = sources(full=True)
    for page, families in pages(db, window.school_id, school_year, BATCH):
        families = [f for f in families if f[0] in pending]
        if not families:
            continue
        ids = sorted({sid for f in families for sid, *_ in f[2]})
        mine = Page(ids, {s: page.class_of[s] for s in ids}, {s: page.grade_of[s] for s in ids})
        yield news_of_page(db, window, mine, families, full)


def _connect(settings) -> smtplib.SMTP:
    e = settings.email
    smtp = smtplib.SMTP(e.host, e.port, timeout=30)
    if e.starttls:
        smtp.starttls()
    if e.user:
        smtp.login(e.user, e.password)
    return smtp


def send_digests(db: sqlite_utils.Database, settings, school_id: int, day: date) -> MailResult:
    """E-mail the built digests of ``school_id`` for ``day`` that were not e-mailed yet."""
    if not enabled(settings):
        return MailResult(0, 0, 0)
    run = db.execute("SELECT cutoff_from, cutoff_to FROM digest_runs WHERE school_id = ? AND local_date = ? "
                     f"AND state = '{DigestRunState.BUILT.value}'", [school_id, day.isoformat()]).fetchone()
    pending = _pending(db, school_id, day) if run else {}
    if not pending:
        return MailResult(0, 0, 0)
    school_name = db.execute("SELECT name FROM schools WHERE id = ?", [school_id]).fetchone()[0]
    window = Window(school_id, run[0] or "", run[1], day, subjects_of(db, school_id))
    sent = refused = 0
    try:
        smtp = _connect(settings)
    except (OSError, smtplib.SMTPException) as e:
        logger.warning("digest e-mails of school %s for %s: cannot reach %s:%s: %s", school_id, day,
                       settings.email.host, settings.email.port, e)
        return MailResult(0, 0, len(pending))
    try:
        for families in _pending_families(db, window, school_year_of(day), pending):   # each page read, then written
            for family in families:
                address, name = pending.pop(family.guardian_id)
                children = [{"name": n, "class_name": c, "lines": [line for p in pieces for line in p.lines]}
                            for _sid, n, c, pieces in family.children]
                try:
                    msg = compose(settings, school_name=school_name, day=day, to=address, guardian_name=name,
                                  children=children)
                    smtp.send_message(msg)
                except _ONE_RECIPIENT as e:
                    # One guardian's address (refused, or one this server cannot carry) never stops the others.
                    refused += 1
                    logger.warning("digest e-mail to the guardian of %s refused: %s", mask(family.phone), e)
                    continue
                db.execute("UPDATE digests SET emailed_at = ? WHERE guardian_id = ? AND school_id = ? AND "
                           "local_date = ?", [now_iso(), family.guardian_id, school_id, day.isoformat()])
                sent += 1
    except (OSError, smtplib.SMTPException) as e:
        logger.warning("digest e-mails of school %s for %s stopped after %s: %s", school_id, day, sent, e)
        return MailResult(sent, refused, len(pending) + 1)
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return MailResult(sent, refused, 0)
