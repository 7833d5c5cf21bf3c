"""A digest build that fails once is retried by rq's scheduler; /healthz warns while it is missing."""
from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

from rq import Queue, SimpleWorker
from rq.job import Job, JobStatus
from rq.registry import ScheduledJobRegistry

import settings as settings_mod
from outbox import jobs, scheduler
from web import create_app

from .conftest import clean_rq, write_config
from .fixtures_commands import hk1_day


def test_a_locked_database_fails_the_digest_once_then_rq_retries_it(tmp_path, school_db, school_db_path, redis_server,
                                                                    redis_url, redis_prefix, monkeypatch):
    config = write_config(tmp_path / "sched.toml", f'busy_timeout_ms = 50\n[redis]\nurl = "{redis_url}"\n'
                          f'prefix = "{redis_prefix}"\n', db_path=school_db_path)
    monkeypatch.setenv("SLL_CONFIG", str(config))
    app_settings = settings_mod.load(config, env={})
    day = hk1_day(app_settings)
    at_send = datetime(day.year, day.month, day.day, 12, 5, tzinfo=timezone.utc)       # 19:05 in Ha Noi
    queues = jobs.queue_names(redis_prefix)
    try:
        assert scheduler.tick(school_db, app_settings, redis_server, set(), now=at_send) == 2
        importer = sqlite3.connect(school_db_path, isolation_level=None)
        importer.execute("BEGIN IMMEDIATE")          # a long import holds the write lock
        SimpleWorker(queues, connection=redis_server).work(burst=True)
        importer.execute("ROLLBACK")
        importer.close()
        assert scheduler.due_jobs(school_db, app_settings, at_send) != []     # nothing built this time
        bulk = Queue(queues[1], connection=redis_server)
        scheduled = ScheduledJobRegistry(queue=bulk)
        ids = scheduled.get_job_ids()
        assert len(ids) == 2                         # not failed for good: waiting for their retry
        for job in Job.fetch_many(ids, connection=redis_server):
            assert job.get_status() == JobStatus.SCHEDULED and job.retries_left == 2
            scheduled.schedule(job, datetime.now(timezone.utc) - timedelta(seconds=1))    # its minute has come

        # 40 minutes after send_at the missing digests are a /healthz warning (the status stays as it is).
        late = at_send + timedelta(minutes=40)
        assert len(scheduler.missing_digests(school_db, app_settings, late)) == 2
        monkeypatch.setattr("web.health.utcnow", lambda: late)
        web = create_app(settings_mod.load(config, env={"SLL_WEB_SECRET_KEY": "k" * 40}), redis=redis_server)
        body = web.test_client().get("/healthz").get_json()
        assert sum("digest of school" in w and "missing 30 min" in w for w in body["warnings"]) == 2

        # rq's scheduler (the one `jobs` runs with with_scheduler=True) puts them back; the retry builds.
        SimpleWorker(queues, connection=redis_server).work(burst=True, with_scheduler=True)
        assert scheduler.missing_digests(school_db, app_settings, late) == []
        assert web.test_client().get("/healthz").get_json()["warnings"] == []
    finally:
        clean_rq(redis_server, redis_prefix)


def test_a_digest_job_lost_with_redis_is_queued_again_while_the_digest_is_still_missing(
        tmp_path, school_db, school_db_path, redis_server, redis_url, redis_prefix, monkeypatch):
    """An embedded Redis SIGKILLed before it saved forgets its queues: the scheduler's memory of what it
    queued must not keep that evening without a digest."""
    config = write_config(tmp_path / "sched.toml", f'[redis]\nurl = "{redis_url}"\nprefix = "{redis_prefix}"\n',
                          db_path=school_db_path)
    monkeypatch.setenv("SLL_CONFIG", str(config))
    app_settings = settings_mod.load(config, env={})
    day = hk1_day(app_settings)
    at_send = datetime(day.year, day.month, day.day, 12, 5, tzinfo=timezone.utc)       # 19:05 in Ha Noi
    enqueued: set = set()
    try:
        assert scheduler.tick(school_db, app_settings, redis_server, enqueued, now=at_send) == 2
        assert scheduler.tick(school_db, app_settings, redis_server, enqueued, now=at_send) == 0    # rq has them
        clean_rq(redis_server, redis_prefix)           # Redis came back without them
        assert scheduler.tick(school_db, app_settings, redis_server, enqueued, now=at_send) == 2
        SimpleWorker(jobs.queue_names(redis_prefix), connection=redis_server).work(burst=True)
        assert scheduler.missing_digests(school_db, app_settings, at_send + timedelta(minutes=40)) == []
        assert scheduler.tick(school_db, app_settings, redis_server, enqueued, now=at_send) == 0    # built
    finally:
        clean_rq(redis_server, redis_prefix)


def test_the_jobs_worker_restarts_its_rq_scheduler_within_a_minute(monkeypatch, tmp_path):
    from cli import serve
    seen = {}

    class Recorder:
        def __init__(self, queues, connection, maintenance_interval=600):
            seen["maintenance_interval"] = maintenance_interval

        def work(self, **kwargs):
            seen.update(kwargs)
    monkeypatch.setattr("rq.Worker", Recorder)
    monkeypatch.setattr(serve, "open_redis", lambda app: None)
    app = type("App", (), {"settings": settings_mod.load(write_config(tmp_path / "c.toml"), env={})})()
    serve.jobs.callback.__wrapped__(app)
    assert seen == {"maintenance_interval": 60, "logging_level": "WARNING", "with_scheduler": True}
