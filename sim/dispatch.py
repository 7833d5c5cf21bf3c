"""Getting receipts to the ESME: which bind, when, in what order, again on failure."""
from __future__ import annotations

import asyncio
import itertools
import logging
from collections import defaultdict

import smpp34

from .behaviour import ReceiptRouting
from .receipts import Receipt

logger = logging.getLogger(__name__)

REORDER_FLUSH = 0.3   # seconds an incomplete out-of-order group waits before it goes anyway
MAX_ATTEMPTS = 20


class ReceiptDispatcher:
    """Sends receipts on a receiving bind of the submitter's system_id.

    With no receiving bind, a receipt waits until one binds (real SMSCs keep
    them); a refused or failed deliver_sm is tried again later.
    """

    def __init__(self, core):
        self.core = core
        self._rr = defaultdict(itertools.count)
        self._groups: dict[str, list] = defaultdict(list)
        self._flushers: dict[str, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task] = set()

    def send(self, receipt: Receipt, system_id: str, session_id: str | None) -> asyncio.Future:
        """Queue ``receipt``; the returned future resolves once it was delivered (or given up)."""
        loop = asyncio.get_running_loop()
        group = self.core.behaviour.out_of_order
        if group >= 2:
            done = loop.create_future()
            pending = self._groups[system_id]
            pending.append((receipt, session_id, done))
            if len(pending) >= group:
                self._flush(system_id)
            elif system_id not in self._flushers:
                self._flushers[system_id] = loop.call_later(REORDER_FLUSH, self._flush, system_id)
            return done
        return self._spawn(self._deliver(receipt, system_id, session_id))

    def _flush(self, system_id: str) -> None:
        handle = self._flushers.pop(system_id, None)
        if handle is not None:
            handle.cancel()
        group, self._groups[system_id] = self._groups[system_id], []
        if group:
            self._spawn(self._deliver_group(list(reversed(group)), system_id))

    async def _deliver_group(self, group: list, system_id: str) -> None:
        for receipt, session_id, done in group:
            await self._deliver(receipt, system_id, session_id)
            if not done.done():
                done.set_result(None)

    def _spawn(self, coro) -> asyncio.Task:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def pick(self, system_id: str, session_id: str | None):
        """The session a receipt for ``system_id`` goes to now, or None."""
        receivers = self.core.receivers(system_id)
        if not receivers:
            return None
        if self.core.behaviour.receipt_routing == ReceiptRouting.SAME:
            for s in receivers:
                if s.session_id == session_id:
                    return s
            return receivers[0]
        return receivers[next(self._rr[system_id]) % len(receivers)]

    async def _deliver(self, receipt: Receipt, system_id: str, session_id: str | None) -> None:
        attempt = 0
        while attempt < MAX_ATTEMPTS:
            session = self.pick(system_id, session_id)
            if session is None:
                # Waiting for a receiver to bind is not a failed attempt.
                await self.core.wait_for_receiver(self.core.behaviour.receipt_retry_delay)
                continue
            attempt += 1
            status = await self.core.deliver(
                session, receipt.destination_addr, receipt.short_message, source_addr=receipt.source_addr,
                source_addr_ton=receipt.source_addr_ton, source_addr_npi=receipt.source_addr_npi,
                dest_addr_ton=receipt.dest_addr_ton, dest_addr_npi=receipt.dest_addr_npi,
                esm_class=receipt.esm_class, tlvs=[smpp34.Tlv(t, v) for t, v in receipt.tlvs])
            self.core.receipt_attempted(receipt, session, status, attempt)
            if status == 0:
                return
            await asyncio.sleep(self.core.behaviour.receipt_retry_delay)
        logger.warning("gave up receipt %s %s after %s attempts", receipt.message_id, receipt.state, MAX_ATTEMPTS)

    async def close(self) -> None:
        """Cancel whatever is still waiting."""
        for handle in self._flushers.values():
            handle.cancel()
        await cancel_all(self._tasks)


async def cancel_all(tasks: set) -> None:
    """Cancel ``tasks`` until they are all done.

    Python 3.11's wait_for can swallow a cancellation that races with its
    result, so one round of cancel() is not always enough.
    """
    while tasks:
        pending = list(tasks)
        for task in pending:
            task.cancel()
        await asyncio.wait(pending, timeout=0.05)
        tasks.difference_update(t for t in pending if t.done())
