"""rq jobs: plain module-level functions taking ids (rq's own habit).

The worker process that runs them (`run_gateway.py jobs`, started by
`serve`) finds its settings through SLL_CONFIG like every other command.
Queues: `<prefix>replies` is listed before `<prefix>bulk`.
"""
from __future__ import annotations

import logging
from datetime import date

import settings as settings_mod
from store.core.connection import open_settings_db

from . import digest, mail
from .redisconn import from_settings
from .wake import Wake

logger = logging.getLogger(__name__)


def queue_names(prefix: str) -> list[str]:
    """The rq queues in the order a worker serves them: replies first."""
    return [f"{prefix}replies", f"{prefix}bulk"]


def build_digest(school_id: int, day: str) -> dict:
    """Build and queue one school's digests for local date ``day`` (idempotent), wake the senders,
    then e-mail them to guardians with an address."""
    app_settings = settings_mod.load()
    digest.lower_priority()
    db = open_settings_db(app_settings)
    try:
        result = digest.build(db, app_settings, school_id, date.fromisoformat(day))
        if result.created:
            Wake(from_settings(app_settings), app_settings.redis.prefix).ring()
        emails = mail.send_digests(db, app_settings, school_id, date.fromisoformat(day))
    finally:
        db.close()
    logger.info("digest of school %s for %s: %s queued, %s e-mailed", school_id, day, result.created, emails.sent)
    return {"created": result.created, "parts": result.parts, "warning": result.warning,
            "already_built": result.already_built, "emailed": emails.sent, "email_refused": emails.refused,
            "email_left": emails.left}
