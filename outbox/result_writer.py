"""The sender's writer thread: submit results in (from the SMPP reader threads), written a batch at a time.

Split from outbox.sender: the reader threads never wait for SQLite, and one
transaction writes every result that arrived meanwhile (and renews the
leases of what is still in flight), so a busy account costs a few commits a
second, not one a PDU. Journaled receipts of this process are applied here
too (``take_receipt``), in the same transaction, after the results: one
writer, no second transaction for them, and a receipt that came right behind
its response is matched once, not first missed as an orphan elsewhere.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter
from datetime import timedelta
from typing import Callable

from store.core.clock import iso, utcnow
from store.core.connection import transaction

from . import delivery, messages

logger = logging.getLogger(__name__)

THROTTLE_HOLD = 0.1   # seconds every worker of the account pauses after ESME_RTHROTTLED / ESME_RMSGQFUL
LINGER = 0.002        # results gather this long while more are in flight (fewer transactions, fewer wake-ups)
MAX_BATCH = 500


class ResultWriter:
    """``put(outcome)`` from any thread; a thread writes them; ``close()`` drains and stops it."""

    def __init__(self, db_factory, settings, stats, limiters: dict, wake, in_flight: Callable[[], list[int]],
                 lease_s: float):
        self.db_factory = db_factory
        self.settings = settings
        self.stats = stats
        self.limiters = limiters
        self.wake = wake
        self.in_flight = in_flight          # ids of the messages still waiting for a response here
        self.lease_s = lease_s
        self._renewed = float("-inf")       # time.monotonic() of the last renewal of the leases in flight
        self.queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._unwritten: Counter = Counter()    # connection -> parts handed in, results not committed yet
        self._written = threading.Condition()
        self._open = False                      # taking receipts (between start and close)
        self.receipts_applied = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="outbox-writer", daemon=True)
        with self._written:
            self._open = True
        self._thread.start()

    def take_receipt(self, receipt_id: int) -> bool:
        """Apply a journaled receipt with the next batch; False when the writer is not running (the caller
        applies it some other way). A receipt whose part is not known yet stays an orphan (journaled) and is
        matched when its submit result is written, here or by another process."""
        with self._written:
            if not self._open:
                return False
            self.queue.put(receipt_id)
        return True

    def put(self, outcome: delivery.MessageOutcome) -> None:
        """Hand one message's results to the writer."""
        with self._written:
            self._unwritten[outcome.connection] += len(outcome.parts)
        self.queue.put(outcome)

    def unwritten(self, connection: str) -> int:
        """Parts of ``connection`` whose submit results are here but not committed: a crash resends them."""
        with self._written:
            return self._unwritten[connection]

    def wait_written(self, timeout: float) -> None:
        """Sleep until the next batch is committed (or ``timeout``)."""
        with self._written:
            self._written.wait(timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued, then stop the thread."""
        with self._written:
            self._open = False
            self.queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout=timeout)

    def _loop(self) -> None:
        db = self.db_factory()
        stop = False
        while not stop:
            item = self.queue.get()
            if item is not None and self.in_flight():
                time.sleep(LINGER)
            batch = []
            while item is not None:
                batch.append(item)
                if len(batch) >= MAX_BATCH:
                    break
                try:
                    item = self.queue.get_nowait()
                except queue.Empty:
                    break
            else:
                stop = True
            if batch:
                self._write(db, batch)
        db.close()

    def _renew_leases(self, db) -> None:
        """Extend the lease of every message still in flight here, so no one takes them back: every third of
        a lease, not with every batch (a row written again for each message in flight, a few times a message
        under load). A lease was set at most a lease ago (claim, mark_sending or this), so a renewal every
        third of one comes well before it runs out."""
        now = time.monotonic()
        if now - self._renewed < self.lease_s / 3:
            return
        messages.renew_leases(db, self.in_flight(), iso(utcnow() + timedelta(seconds=self.lease_s)))
        self._renewed = now

    def _write(self, db, items: list) -> None:
        batch = [o for o in items if isinstance(o, delivery.MessageOutcome)]
        receipt_ids = [i for i in items if isinstance(i, int)]
        for attempt in range(1, 1000):
            try:
                with transaction(db):
                    self._renew_leases(db)
                    # The receipts after the results: one whose response is in this batch finds its part.
                    decisions, applied = delivery.apply_batch(db, batch, receipt_ids,
                                                              max_attempts=self.settings.sms.max_attempts)
                break
            except Exception:
                # The SMSC accepted these: dropping the results would resend them. Keep trying.
                logger.exception("could not write %s submit results (attempt %s); retrying", len(batch), attempt)
                time.sleep(min(5.0, 0.1 * attempt))
        else:
            decisions = None        # given up: these parts stay `sending` and are recovered after their lease
            applied = 0             # the receipts stay journaled: the orphan sweep applies them
        self.receipts_applied += applied
        with self._written:
            for o in batch:
                self._unwritten[o.connection] -= len(o.parts)
            self._written.notify_all()
        if decisions is None or not batch:
            return
        try:
            self._count(batch, decisions)
            self.wake.local.set()
        except Exception:           # the results are written: a stats or wake failure must not end the thread
            logger.exception("could not count %s written submit results", len(batch))

    def _count(self, batch: list[delivery.MessageOutcome], decisions: list[delivery.Decision]) -> None:
        """Stats for /metrics; a throttled account holds every worker a moment."""
        throttle = 0.0
        for decision in decisions:
            if decision.throttled:
                self.stats.throttled += 1
                throttle = max(throttle, decision.retry_in)
            elif decision.state.value == "failed":
                self.stats.failed += 1
            elif decision.state.value == "ambiguous":
                self.stats.ambiguous += 1
        if throttle:
            for name in {o.connection for o in batch}:
                self.limiters[name].penalise(min(throttle, THROTTLE_HOLD))
