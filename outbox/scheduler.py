"""The daily schedule: at digest.send_at (local time), one rq job per school builds its digests."""
from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from rq import Queue, Retry
from rq.job import Job

from store.messaging import inbox, retention
from store.community import polls
from store.core.clock import utcnow
from store.core.connection import transaction
from store.school import assignments

from . import alerts, digest, jobs, quiet
from .digest_states import DigestRunState
from .wake import Wake

logger = logging.getLogger(__name__)

# A digest build that fails ("database is locked" during a long import, a full disk) is tried
# again by rq's scheduler after 1, 5 and 15 minutes; /healthz warns when a school still has no
# digest 30 minutes after digest.send_at.
DIGEST_RETRY = Retry(max=3, interval=[60, 300, 900])


def due_jobs(db, settings, now: datetime | None = None) -> list[tuple[int, str]]:
    """(school_id, local date) of the digests due now and not built yet."""
    now = now or utcnow()
    tz = ZoneInfo(settings.sms.timezone)
    local = now.astimezone(tz)
    if local.time() < quiet.parse_hhmm(settings.digest.send_at):
        return []
    day = local.date().isoformat()
    built = {r[0] for r in db.execute(f"SELECT school_id FROM digest_runs WHERE local_date = ? "
                                      f"AND state = '{DigestRunState.BUILT.value}'",
                                      [day])}
    return [(sid, day) for sid, _ in digest.schools(db) if sid not in built]


DIGEST_GRACE = timedelta(minutes=30)


def missing_digests(db, settings, now: datetime | None = None) -> list[tuple[int, str]]:
    """(school_id, local date) of the digests still not built DIGEST_GRACE after digest.send_at."""
    return due_jobs(db, settings, (now or utcnow()) - DIGEST_GRACE)


def tick(db, settings, redis_conn, enqueued: set, now: datetime | None = None) -> int:
    """Enqueue the due digest jobs once each (a re-enqueue would be harmless: builds are idempotent);
    queue the absence alerts; close polls past their closing time; purge SMS bodies past retention;
    show each class the GVCN of the term in force (a new term's assignment takes over the day it starts)."""
    if alerts.send_absence_alerts(db, settings):
        Wake(redis_conn, settings.redis.prefix).ring()
    closed = polls.close_due(db, now, dedup_window_s=inbox.dedup_window(settings.sms))
    if closed:
        logger.info("closed the polls past their closing time: %s", closed)
    retention.purge_codes(db, settings.sms.otp_validity)
    purged = retention.purge_bodies(db, settings.retention.message_body_days)
    if any(purged.values()):
        logger.info("retention: purged bodies %s", purged)
    queue = Queue(jobs.queue_names(settings.redis.prefix)[1], connection=redis_conn)
    count = 0
    for school_id, day in due_jobs(db, settings, now):
        job_id = re.sub(r"[^A-Za-z0-9_-]", "_", f"{settings.redis.prefix}digest-{school_id}-{day}")
        # Queued, running, waiting for its retry or failed for good: rq has it. Gone from Redis (an
        # embedded Redis killed before it saved, a flushed one) while still not built: queued again.
        if (school_id, day) in enqueued and Job.exists(job_id, connection=redis_conn):
            continue
        queue.enqueue(jobs.build_digest, school_id, day, job_id=job_id, result_ttl=86400, retry=DIGEST_RETRY)
        enqueued.add((school_id, day))
        count += 1
        logger.info("queued the digest of school %s for %s", school_id, day)
    _sync_homerooms(db, settings, now)
    return count


def _sync_homerooms(db, settings, now: datetime | None) -> None:
    """Each class shows the GVCN of the term in force (last: the digests are queued whatever happens here).
    A read every tick; a write only on the day a term's assignment takes over."""
    today = (now or utcnow()).astimezone(ZoneInfo(settings.sms.timezone)).date()
    if not assignments.homerooms_to_sync(db, today):
        return
    with transaction(db):
        renamed = assignments.sync_homerooms(db, today)
    logger.info("the new term's homeroom teachers shown for %s classes", renamed)
