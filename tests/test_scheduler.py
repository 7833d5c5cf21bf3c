"""The daily schedule: at digest.send_at an rq job per school builds the digests, once."""
from __future__ import annotations

from datetime import datetime, timezone

from rq import SimpleWorker

import settings as settings_mod
from outbox import jobs, scheduler

from .conftest import clean_rq, write_config
from .fixtures_commands import hk1_day


def test_digest_jobs_are_queued_at_send_at_and_run_by_rq(tmp_path, school_db, school_db_path, redis_server,
                                                         redis_url, redis_prefix, monkeypatch):
    config = write_config(tmp_path / "sched.toml", f'[redis]\nurl = "{redis_url}"\nprefix = "{redis_prefix}"\n',
                          db_path=school_db_path)
    monkeypatch.setenv("SLL_CONFIG", str(config))
    app_settings = settings_mod.load(config, env={})
    day = hk1_day(app_settings)
    before = datetime(day.year, day.month, day.day, 11, 0, tzinfo=timezone.utc)    # 18:00 in Ha Noi
    after = datetime(day.year, day.month, day.day, 12, 5, tzinfo=timezone.utc)     # 19:05
    enqueued: set = set()
    try:
        assert scheduler.tick(school_db, app_settings, redis_server, enqueued, now=before) == 0
        assert scheduler.tick(school_db, app_settings, redis_server, enqueued, now=after) == 2
        assert scheduler.tick(school_db, app_settings, redis_server, enqueued, now=after) == 0
        SimpleWorker(jobs.queue_names(redis_prefix), connection=redis_server).work(burst=True)
        built = school_db.execute("SELECT count(*) FROM digest_runs WHERE state = 'built' AND local_date = ?",
                                  [day.isoformat()]).fetchone()[0]
        assert built == 2
        assert school_db.execute("SELECT count(*) FROM messages WHERE kind = 'digest'").fetchone()[0] > 0
        assert scheduler.due_jobs(school_db, app_settings, after) == []
    finally:
        clean_rq(redis_server, redis_prefix)
