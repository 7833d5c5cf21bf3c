"""Applying journaled receipts to parts and messages, in batches, off the reader threads."""
from __future__ import annotations

import logging
import queue
import threading
from datetime import timedelta

from store.clock import iso, utcnow
from store.connection import transaction

from .delivery import apply_receipt

logger = logging.getLogger(__name__)


class ReceiptApplier:
    """A thread: receipt ids in, part/message states out; orphans retried until their TTL."""

    def __init__(self, db_factory, orphan_ttl_s: int, retry_every_s: float = 2.0):
        self.db_factory = db_factory
        self.orphan_ttl_s = orphan_ttl_s
        self.retry_every_s = retry_every_s
        self.queue: queue.Queue = queue.Queue()
        self.applied = 0
        self.orphans = 0
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def submit(self, receipt_id: int) -> None:
        """Called by the router once the receipt is journaled."""
        self.queue.put(receipt_id)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="receipt-applier", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self.queue.put(None)
        if self._thread:
            self._thread.join(timeout)

    def _run(self) -> None:
        db = self.db_factory()
        self.retry_orphans(db)
        last_retry = utcnow()
        while not self._stop.is_set():
            batch = []
            try:
                item = self.queue.get(timeout=self.retry_every_s)
                while item is not None and len(batch) < 1000:
                    batch.append(item)
                    item = self.queue.get_nowait()
            except queue.Empty:
                pass
            if batch:
                self.apply(db, batch)
            if (utcnow() - last_retry).total_seconds() >= self.retry_every_s:
                self.retry_orphans(db)
                last_retry = utcnow()

    def apply(self, db, receipt_ids: list[int]) -> None:
        """Apply a batch in one transaction."""
        try:
            with transaction(db):
                for rid in receipt_ids:
                    if apply_receipt(db, rid):
                        self.applied += 1
                    else:
                        self.orphans += 1
        except Exception:
            logger.exception("could not apply %s receipts; they stay journaled and are retried", len(receipt_ids))

    def retry_orphans(self, db) -> int:
        """Receipts that came before their submit_sm_resp was written, still within the TTL."""
        since = iso(utcnow() - timedelta(seconds=self.orphan_ttl_s))
        ids = [r[0] for r in db.execute("SELECT id FROM receipts WHERE part_id IS NULL AND received_at >= ? "
                                        "ORDER BY id LIMIT 5000", [since])]
        if ids:
            self.apply(db, ids)
        return len(ids)
