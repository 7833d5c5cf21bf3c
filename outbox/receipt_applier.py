"""Applying journaled receipts to parts and messages, in batches, off the reader threads."""
from __future__ import annotations

import logging
import queue
import time
from datetime import timedelta

from store.core.clock import iso, utcnow
from store.core.connection import transaction

from .delivery import apply_receipts
from .queue_thread import QueueThread

logger = logging.getLogger(__name__)

LINGER = 0.002   # seconds receipts gather once one came (after the first batch: a lone receipt is not held)


class ReceiptApplier(QueueThread):
    """A thread: receipt ids in (submitted by the router once journaled), part/message states out; orphans
    retried until their TTL."""

    thread_name = "receipt-applier"

    def __init__(self, db_factory, orphan_ttl_s: int, retry_every_s: float = 2.0):
        super().__init__()
        self.db_factory = db_factory
        self.orphan_ttl_s = orphan_ttl_s
        self.retry_every_s = retry_every_s
        self.applied = 0
        self.orphans = 0

    def _run(self) -> None:
        db = self.db_factory()
        self.retry_orphans(db)
        last_retry = utcnow()
        while not self._stop.is_set():
            batch = []
            try:
                item = self.queue.get(timeout=self.retry_every_s)
                if item is not None and self.applied:
                    time.sleep(LINGER)      # let a few more gather: one transaction, no wake-up for each
                while item is not None and len(batch) < 1000:
                    batch.append(item)
                    item = self.queue.get_nowait()
            except queue.Empty:
                pass
            if batch:
                self.apply(db, batch)
            if (utcnow() - last_retry).total_seconds() >= self.retry_every_s:
                try:
                    self.retry_orphans(db)
                except Exception:
                    logger.exception("orphan receipts not retried this time")
                last_retry = utcnow()

    def apply(self, db, receipt_ids: list[int]) -> None:
        """Apply a batch in one transaction."""
        try:
            with transaction(db):
                applied, orphans = apply_receipts(db, receipt_ids)
            self.applied += applied
            self.orphans += orphans
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
