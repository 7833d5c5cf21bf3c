"""An Engine (binds, routing, answering, sender) against a fresh simulator and the demo school."""
from __future__ import annotations

import time

import pytest

import settings as settings_mod
from gateway.engine import Engine
from store.core.connection import connect

from .conftest import write_config


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.02):
    """Poll ``predicate`` until it returns something truthy; fail the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s: {predicate.__doc__ or predicate}")


@pytest.fixture
def live(tmp_path, school_db_path, redis_server, redis_prefix, make_sim):
    """Factory: ``live(sim_behaviour={...}, smsc="extra toml", sms="extra toml")`` -> (engine, sim, settings, db)."""
    engines = []

    def make(sim_behaviour: dict | None = None, smsc: str = "", sms: str = "", send: bool = True,
             lease_s: float = 3.0, sim=None):
        sim = sim or make_sim(**(sim_behaviour or {}))
        text = (f'[redis]\nprefix = "{redis_prefix}"\n[sms]\nquiet_hours = ""\n{sms}\n'
                f'[[smsc]]\nport = {sim.port}\nsystem_id = "{sim.system_id}"\nresponse_timeout = 3\n'
                f'enquire_link_interval = 5\nreconnect_max = 1\n{smsc}\n')
        config = write_config(tmp_path / "config.toml", text, db_path=school_db_path)
        app_settings = settings_mod.load(config, env={"SLL_SMSC_PASSWORD": sim.password})
        engine = Engine(app_settings, redis_server, send=send, lease_s=lease_s)
        engine.start()
        assert engine.wait_bound(10), engine.status()
        engines.append(engine)
        return engine, sim, app_settings, connect(school_db_path)

    yield make
    for engine in engines:
        engine.stop(timeout=5)
