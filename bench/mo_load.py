"""MO at a steady rate against the simulator and a gateway, with each MO's reply latency (bench and tests)."""
from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import redis

import settings as settings_mod
from gateway.engine import Engine
from sim import Simulator

# Showcase parents of the demo school (demo.school.SHOWCASE), as the SMSC sends them.
PHONES = ("84912345678", "84987654321", "84903000111")


@dataclass
class MoResult:
    """One MO: who, when, its deliver_sm_resp status and the seconds until its reply was submitted."""

    phone: str
    sent_at: datetime
    status: int | None
    latency: float | None = None


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank ``p``th percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


class MoLoad:
    """A simulator plus an in-process gateway on ``db_path``; ``send_while`` pushes `CON` at ``rate``/s."""

    def __init__(self, db_path: Path, work: Path, *, rate: float = 5.0, redis_url: str = "redis://127.0.0.1:6379/0"):
        self.db_path, self.work, self.rate = db_path, work, rate
        self.redis_url = redis_url
        self.redis = redis.Redis.from_url(redis_url)
        self.prefix = f"slltest:{uuid.uuid4().hex[:10]}:"
        self.config_path = work / "mo_load.toml"
        self.results: list[MoResult] = []
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def __enter__(self) -> "MoLoad":
        self.sim = Simulator(host="127.0.0.1", port=0, system_id="sll", password="secret").start()
        self.config_path.write_text(
            f'[store]\npath = "{self.db_path}"\n[redis]\nurl = "{self.redis_url}"\n'
            f'prefix = "{self.prefix}"\n[sms]\nquiet_hours = ""\ncommands_per_hour = 100000\n'
            f'[[smsc]]\nport = {self.sim.port}\nsystem_id = "sll"\n', encoding="utf-8")
        self.settings = settings_mod.load(self.config_path, env={"SLL_SMSC_PASSWORD": "secret"})
        self.engine = Engine(self.settings, self.redis, send=True)
        self.engine.start()
        if not self.engine.wait_bound(10):
            raise RuntimeError(f"gateway did not bind: {self.engine.status()}")
        return self

    def __exit__(self, *exc) -> None:
        self.engine.stop(timeout=5)
        self.sim.stop()
        keys = list(self.redis.scan_iter(match=self.prefix + "*", count=1000))
        if keys:
            self.redis.delete(*keys)

    def _push(self, n: int) -> None:
        phone = PHONES[n % len(PHONES)]
        # `CON` with 1-60 trailing spaces: one short reply each, and no text twice from one number within
        # the SMSC retry window (sms.mo_retry_window), so none looks like a re-delivery.
        sent_at = datetime.now(timezone.utc)
        statuses = self.sim.push_mo(phone, "CON" + " " * (1 + (n // len(PHONES)) % 60))
        with self._lock:
            self.results.append(MoResult(phone, sent_at, statuses[0] if statuses else None))

    def send_while(self, running, minimum: int = 0) -> None:
        """Push one MO every 1/rate s (each in its own thread) while ``running()``, and at least ``minimum``."""
        n, start = 0, time.monotonic()
        while running() or n < minimum:
            thread = threading.Thread(target=self._push, args=(n,), daemon=True)
            thread.start()
            self._threads.append(thread)
            n += 1
            time.sleep(max(0.0, start + n / self.rate - time.monotonic()))

    def collect(self, timeout: float = 15.0) -> list[MoResult]:
        """Wait for the pushes and their replies; each MO's latency is to the next unmatched reply to its phone."""
        for thread in self._threads:
            thread.join(timeout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.sim.submits()) < len(self.results):
            time.sleep(0.1)
        by_phone: dict[str, list[datetime]] = {}
        for rec in self.sim.submits():
            at = rec["received_at_dt"]
            by_phone.setdefault(rec["destination_addr"].lstrip("+"), []).append(at)
        for phone, replies in by_phone.items():
            replies.sort()
            mos = sorted((r for r in self.results if r.phone == phone), key=lambda r: r.sent_at)
            for mo, at in zip(mos, replies):
                mo.latency = (at - mo.sent_at).total_seconds()
        return sorted(self.results, key=lambda r: r.sent_at)
