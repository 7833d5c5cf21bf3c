"""`gateway` and `worker`: the long-running SMPP processes, until SIGTERM."""
from __future__ import annotations

import logging
import os
import signal
import threading
import time

import click

from outbox import delivery
from outbox.redisconn import RedisUnavailable, from_settings
from store.core.clock import iso, utcnow

from .context import pass_app

logger = logging.getLogger(__name__)


def wait_for_signal(stop: threading.Event) -> None:
    """Block until SIGTERM / SIGINT (or ``stop`` is set by someone else)."""
    def handler(signum, frame):
        logger.info("signal %s: shutting down", signum)
        stop.set()
    signal.signal(signal.SIGTERM, handler)
    # Under `serve` a Ctrl-C reaches the whole process group; the supervisor stops its
    # children in order with SIGTERM, so they leave SIGINT to it.
    signal.signal(signal.SIGINT, signal.SIG_IGN if os.environ.get("SLL_SUPERVISED") else handler)
    while not stop.wait(0.5):
        pass


def open_redis(app):
    """The Redis of the settings, or a clear error."""
    try:
        return from_settings(app.settings)
    except RedisUnavailable as e:
        raise click.ClickException(str(e)) from e


def run_engine(app, *, send: bool, binds: int | None, lease: float, burst: bool = False,
               receipt_wait: float = 0.0) -> None:
    from gateway.engine import Engine
    app.require("smsc.password")
    app.db  # fail early on a missing or old database
    engine = Engine(app.settings, open_redis(app), send=send, binds=binds, lease_s=lease)
    engine.start(run_sender=not burst)
    if not engine.wait_bound(30):
        logger.warning("not every bind is up yet: %s", engine.status()["connections"])
    click.echo(f"bound: {', '.join(engine.accounts)}; {'sending' if send else 'receiving only'}", err=True)
    stop = threading.Event()
    try:
        if burst:
            started = iso(utcnow())
            engine.sender.run(stop, burst=True)
            wait_for_receipts(app, list(engine.accounts), started, receipt_wait)
        else:
            wait_for_signal(stop)
    finally:
        engine.stop()
        click.echo("unbound cleanly", err=True)


def wait_for_receipts(app, connections: list[str], since: str, timeout: float) -> None:
    """Stay bound until what this run submitted has its final receipt, at most ``timeout`` seconds.

    Receipts that come later are not lost: the SMSC keeps them for the next
    bind (`gateway` or the next worker), and `receipt_timeout` settles the rest.
    """
    deadline = time.monotonic() + timeout
    while (left := delivery.awaiting_receipts(app.db, connections, since)) and time.monotonic() < deadline:
        time.sleep(0.1)
    if left:
        click.echo(f"{left} messages still wait for their receipt; the next bind receives them", err=True)


@click.command()
@click.option("--no-send", is_flag=True, help="Only receive (MO, receipts) and answer; leave sending to `worker`.")
@pass_app
def gateway(app, no_send):
    """The SMPP binds for MO and receipts (and, by default, the sender); runs until SIGTERM."""
    run_engine(app, send=not no_send, binds=None, lease=30.0)


@click.command()
@click.option("--burst", is_flag=True, help="Send what is due now, then exit.")
@click.option("--receipt-wait", type=click.FloatRange(0), default=30.0, show_default=True,
              help="With --burst: seconds to stay bound for the receipts of what was sent.")
@click.option("--binds", type=click.IntRange(1), default=1, show_default=True,
              help="Binds this worker opens per connection (within the account's max_binds).")
@click.option("--lease", type=click.FloatRange(1), default=30.0, show_default=True,
              help="Seconds a claimed row belongs to this worker before others may take it back.")
@pass_app
def worker(app, burst, receipt_wait, binds, lease):
    """The outbox sender: claims due messages and submits them at the account's TPS."""
    run_engine(app, send=True, binds=binds, lease=lease, burst=burst, receipt_wait=receipt_wait)
