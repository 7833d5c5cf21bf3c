"""One process's SMPP side: binds, inbound routing, answering, receipts, and the sender.

`gateway`, `worker` and `serve` all run an Engine; they differ in whether
it sends the outbox and how many binds it opens. The sender gets the
accounts as its Transport (outbox/ never imports gateway/).
"""
from __future__ import annotations

import dataclasses
import logging
import threading
import time
from typing import Sequence

from outbox.receipt_applier import ReceiptApplier
from outbox.sender import Sender
from outbox.transport import ResultCallback, SubmitPart, SubmitResult
from outbox.wake import Wake
from store.core.connection import open_inbox_db, open_settings_db

from .answering import MoAnswerer
from .binds import Account, plan_binds
from .heartbeat import Heartbeat, spool_dir
from .session import BindType
from .wire import corked
from .inbound import InboundRouter
from .receipts import canonical_submit_id

logger = logging.getLogger(__name__)


class CanonicalIds:
    """An Account as the sender sees it: message ids canonical, so receipts match them."""

    def __init__(self, account: Account, fmt: str):
        self.account = account
        self.connection = account.connection
        self.fmt = fmt

    def submit(self, parts: Sequence[SubmitPart], on_result: ResultCallback, before_write=None) -> None:
        def canonical(index: int, result: SubmitResult) -> None:
            if result.message_id:
                result = dataclasses.replace(result, message_id=canonical_submit_id(result.message_id, self.fmt))
            on_result(index, result)
        self.account.submit(parts, canonical, before_write)

    def is_up(self) -> bool:
        return self.account.is_up()

    def wait_room(self, n: int, timeout: float) -> int:
        return self.account.wait_room(n, timeout)

    def corked(self, before_flush=None):
        """A block whose PDU writes (this thread's) go out together at its end, ``before_flush()`` first."""
        return corked(before_flush)


class Engine:
    """Binds of every [[smsc]] connection plus the threads that serve them."""

    def __init__(self, settings, redis_conn, *, send: bool = True, binds: int | None = None,
                 lease_s: float = 30.0, batch: int = 200):
        self.settings = settings
        self.db_factory = lambda: open_settings_db(settings)
        self.wake = Wake(redis_conn, settings.redis.prefix, sender_here=send)
        self.answerer = MoAnswerer(self.db_factory, settings, self.wake)
        self.applier = ReceiptApplier(self.db_factory, settings.sms.orphan_receipt_ttl)
        self.router = InboundRouter(self.db_factory, settings, on_mo=self.answerer.submit,
                                    on_receipt=self._on_receipt,
                                    journal_db_factory=lambda: open_inbox_db(settings))
        self.accounts = {}
        for conn in settings.smsc:
            kinds = plan_binds(conn, settings.gateway.processes)
            if binds is not None:
                # An extra sender's own binds: transceivers in trx mode, transmitters only in rx+tx
                # (the account's receiver belongs to `gateway`).
                kinds = [BindType.TRX if conn.bind_mode == "trx" else BindType.TX] * binds
            self.accounts[conn.name] = Account(conn, self.router, kinds)
        self.sender = None
        if send:
            transports = {name: CanonicalIds(acc, settings.connection(name).receipt_id_format)
                          for name, acc in self.accounts.items()}
            # Every process's binds together stay within max_binds, so shares of the TPS by binds
            # never add up to more than the licence (the limiters' fallback without Redis).
            shares = {name: len(acc.sessions) / max(1, settings.connection(name).max_binds)
                      for name, acc in self.accounts.items()}
            self.sender = Sender(self.db_factory, settings, transports, redis_conn, prefix=settings.redis.prefix,
                                 wake=self.wake, lease_s=lease_s, batch=batch, rate_shares=shares)
        self.heartbeat = Heartbeat(redis_conn, settings.redis.prefix, self.status, sends=send,
                                   spool_to=spool_dir(settings.data_dir))
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()

    def _on_receipt(self, receipt_id: int) -> None:
        """A journaled receipt: applied by the sender's writer while it runs (one transaction with the submit
        results it follows), else by the receipt applier."""
        if self.sender is None or not self.sender.take_receipt(receipt_id):
            self.applier.submit(receipt_id)

    def start(self, run_sender: bool = True) -> None:
        """Open the binds and start every thread; returns at once.

        ``run_sender=False`` leaves the sender to the caller (``worker --burst`` runs it in the foreground).
        """
        self.applier.start()
        self.answerer.start()
        self.router.start()
        for account in self.accounts.values():
            account.start()
        if self.sender is not None and run_sender:
            self._spawn(lambda: self.sender.run(self._stop), "outbox-sender")
        self._spawn(self._housekeeping, "housekeeping")

    def _spawn(self, target, name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _housekeeping(self) -> None:
        """Every second: publish the status when due (heartbeat); every 5 s: answer stalled MO parts."""
        last_flush = time.monotonic()
        while True:
            try:
                self.heartbeat.beat()
                if time.monotonic() - last_flush >= 5.0:
                    last_flush = time.monotonic()
                    self.router.flush_incomplete()
            except Exception:
                logger.exception("housekeeping failed; retrying")
            if self._stop.wait(1.0):
                break

    def wait_bound(self, timeout: float) -> bool:
        """Whether every bind came up within ``timeout`` seconds."""
        return all(a.wait_bound(timeout) for a in self.accounts.values())

    def stop(self, timeout: float = 10.0) -> None:
        """Stop sending, let in-flight submits answer, unbind cleanly, drain the writers."""
        self._stop.set()
        if self.sender is not None:
            self.sender.stop()
        for thread in self._threads:
            thread.join(timeout)
        self.heartbeat.clear()      # stopping: /healthz no longer counts these binds
        for account in self.accounts.values():
            account.stop(timeout)
        self.router.stop()
        self.answerer.stop()
        self.applier.stop()

    def status(self) -> dict:
        """Binds and counters, for /healthz and /metrics."""
        out = {"connections": [a.status() for a in self.accounts.values()],
               "inbound": dict(self.router.counters), "answered": self.answerer.answered,
               "receipts_applied": self.applier.applied + (self.sender.receipts_applied() if self.sender else 0),
               "store": {"ok": self.router.journal.problem is None, "problem": self.router.journal.problem}}
        if self.sender is not None:
            out["sender"] = dataclasses.asdict(self.sender.stats)
            if self.sender.problem:
                out["store"] = {"ok": False, "problem": out["store"]["problem"] or self.sender.problem}
            out["limiters"] = {name: {"mode": lim.mode.value, "share": round(lim.share, 4),
                                      "local_seconds": round(lim.local_seconds(), 3), "switches": lim.switches}
                               for name, lim in self.sender.limiters.items()}
        return out
