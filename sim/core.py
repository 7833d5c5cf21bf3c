"""The simulated SMSC's engine, living in one asyncio loop.

smpp34's server does the protocol; this module scripts it: it answers each
SubmitSmEvent (ids, throttling, random queue-full), schedules receipts,
pushes MO messages and keeps the logs the tests read. What a submit looks
like in the log is built by `submits.py`.
"""
from __future__ import annotations

import asyncio
import itertools
import logging
import random
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import datetime, timezone

import smpp34

from . import mo, receipts, submits, wire
from .behaviour import Behaviour, canonical_phone
from .dispatch import ReceiptDispatcher, cancel_all
from .errors import NoReceiverError
from .front import Connection

logger = logging.getLogger(__name__)

PDU_LOG_SIZE = 100_000


@dataclass(eq=False)
class Session:
    """A bound ESME as the simulator sees it."""

    esme: smpp34.Esme
    conn: Connection | None
    closed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def session_id(self) -> str:
        return self.esme.session_id

    @property
    def system_id(self) -> str:
        return self.esme.system_id

    @property
    def can_receive(self) -> bool:
        return self.esme.can_receive

    def describe(self) -> dict:
        """JSON-friendly description for `binds()`."""
        c = self.conn
        return {"session_id": self.session_id, "system_id": self.system_id,
                "bind": c.bind.kind if c and c.bind else ("trx" if self.can_receive else "tx"),
                "can_receive": self.can_receive, "peer": c.peer if c else None,
                "bound_at": c.bound_at if c else None, "connection": c.id if c else None}


def _retrieve(fut: asyncio.Future) -> None:
    if not fut.cancelled():
        fut.exception()


def _now() -> datetime:
    return datetime.now(timezone.utc)


class SmscCore:
    """State and behaviour of the simulated SMSC (call only from its loop, except the logs)."""

    def __init__(self, behaviour: Behaviour):
        self.behaviour = behaviour
        self.rng = random.Random(behaviour.seed)
        self.sessions: dict[str, Session] = {}
        self.stats: Counter = Counter()
        self.changed = threading.Condition()   # guards the logs below; notified on every append
        self.submits: list[dict] = []
        self.mos: list[dict] = []
        self.receipts: list[dict] = []
        self.pdu_log: deque = deque(maxlen=PDU_LOG_SIZE)
        self._ids = itertools.count(behaviour.id_start)
        self._pdu_numbers = itertools.count(1)
        self._esme_waiters: deque[asyncio.Future] = deque()
        self._accepted_at: dict[str, deque] = {}
        self._receiver_bound = asyncio.Event()
        self._refuse_until = 0.0
        self._mo_rr = itertools.count()
        self.dispatcher = ReceiptDispatcher(self)
        self._tasks: set[asyncio.Task] = set()
        self._backend_sessions: set[str] = set()   # smpp34 sessions not yet reported Unbound
        self._all_unbound = asyncio.Event()

    # -- configuration -------------------------------------------------------
    def configure(self, **changes) -> Behaviour:
        """Swap in a changed behaviour; a new seed restarts the RNG."""
        self.behaviour = self.behaviour.replace(**changes)
        if "seed" in changes:
            self.rng = random.Random(self.behaviour.seed)
        return self.behaviour

    # -- binds (called by the front door) -----------------------------------
    def bind_status(self, bind: wire.BindRequest) -> int:
        """0 to let ``bind`` through, else the command_status refusing it."""
        b = self.behaviour
        status = wire.ESME_ROK
        if time.monotonic() < self._refuse_until:
            status = wire.ESME_RBINDFAIL
        elif b.system_id is not None and bind.system_id != b.system_id:
            status = wire.ESME_RINVSYSID
        elif b.password is not None and bind.password != b.password:
            status = wire.ESME_RINVPASWD
        elif b.max_binds and sum(s.system_id == bind.system_id for s in self.sessions.values()) >= b.max_binds:
            status = wire.ESME_RBINDFAIL
        self.stats["binds_refused" if status else "bind_requests"] += 1
        return status

    def expect_esme(self) -> asyncio.Future:
        """A future resolved with the next Esme smpp34 reports bound."""
        fut = asyncio.get_running_loop().create_future()
        self._esme_waiters.append(fut)
        return fut

    def cancel_expect(self, fut: asyncio.Future) -> None:
        """Forget a waiter whose bind did not succeed."""
        if fut in self._esme_waiters:
            self._esme_waiters.remove(fut)

    def bound(self, conn: Connection, esme: smpp34.Esme) -> None:
        """The front door paired ``conn`` with its smpp34 session."""
        self.sessions[esme.session_id] = Session(esme, conn)
        self.stats["binds"] += 1
        logger.info("bound %s %r session %s from %s", conn.bind.kind, esme.system_id, esme.session_id, conn.peer)
        if esme.can_receive:
            self._receiver_bound.set()
            self._receiver_bound = asyncio.Event()

    def connection_closed(self, conn: Connection) -> None:
        """The front door lost ``conn``: forget its session now (smpp34's Unbound may come later)."""
        session = self.sessions.pop(conn.session_id, None) if conn.session_id else None
        if session is not None:
            session.closed.set()
            logger.info("session %s (%s) closed", conn.session_id, conn.peer)

    async def deliver(self, session: Session, destination: str, short_message: bytes, **fields) -> int | None:
        """Send one deliver_sm on ``session``; its deliver_sm_resp status, or None when none came.

        smpp34 leaves the awaited response pending when the session dies, so
        a closed session or the behaviour's response_timeout ends the wait.
        """
        if session.closed.is_set():
            return None
        send = asyncio.ensure_future(session.esme.deliver_sm(destination, short_message, **fields))
        send.add_done_callback(_retrieve)   # a late failure after we stopped waiting is expected
        closed = asyncio.ensure_future(session.closed.wait())
        try:
            await asyncio.wait({send, closed}, timeout=self.behaviour.response_timeout,
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            closed.cancel()
        if not send.done():
            send.cancel()
            logger.info("no deliver_sm_resp on session %s", session.session_id)
            return None
        try:
            return send.result().command_status
        except smpp34.SmppError as e:
            logger.info("deliver_sm on session %s failed: %s", session.session_id, e)
            return None

    def drop_connections(self, front, refuse_for: float | None = None) -> int:
        """Abort every connection; refuse binds for ``refuse_for`` seconds (default: the behaviour's)."""
        seconds = self.behaviour.refuse_binds_for if refuse_for is None else refuse_for
        self._refuse_until = time.monotonic() + seconds
        dropped = front.drop_all()
        self.stats["drops"] += 1
        logger.info("dropped %s connections; refusing binds for %.1f s", dropped, seconds)
        return dropped

    def receivers(self, system_id: str | None) -> list[Session]:
        """Live sessions able to receive, of ``system_id`` (any when None)."""
        return [s for s in self.sessions.values()
                if s.can_receive and (system_id is None or s.system_id == system_id)]

    async def wait_for_receiver(self, timeout: float) -> bool:
        """Wait until some receiver binds (or ``timeout``)."""
        try:
            await asyncio.wait_for(self._receiver_bound.wait(), timeout)
            return True
        except asyncio.TimeoutError:
            return False

    # -- logs ----------------------------------------------------------------
    def _append(self, log: list | deque, entry: dict) -> None:
        with self.changed:
            log.append(entry)
            self.changed.notify_all()

    def log_pdu(self, conn: Connection, pdu: bytes) -> None:
        """Record one PDU received from a client."""
        head = wire.header(pdu)
        entry = {"n": next(self._pdu_numbers), "at": _now().isoformat(timespec="milliseconds"),
                 "connection": conn.id, "session_id": conn.session_id,
                 "system_id": conn.bind.system_id if conn.bind else None,
                 "command": wire.command_name(head.command_id), "command_id": head.command_id,
                 "status": head.status, "sequence": head.sequence, "length": head.length}
        self.stats["pdus_received"] += 1
        self._append(self.pdu_log, entry)
        logger.debug("rx conn=%s %s seq=%s status=0x%x len=%s", conn.id, entry["command"], head.sequence,
                     head.status, head.length)

    # -- the smpp34 event loop ----------------------------------------------
    async def run_events(self, server: smpp34.Server) -> None:
        """Consume smpp34 server events until cancelled."""
        while True:
            ev = await server.next()
            if isinstance(ev, smpp34.SubmitSmEvent):
                self.on_submit(ev)
            elif isinstance(ev, smpp34.Esme):
                self._backend_sessions.add(ev.session_id)
                self._all_unbound.clear()
                self._on_esme(ev)
            elif isinstance(ev, smpp34.Unbound):
                self._backend_sessions.discard(ev.session_id)
                if not self._backend_sessions:
                    self._all_unbound.set()
                if self.sessions.pop(ev.session_id, None):
                    logger.info("session %s unbound", ev.session_id)

    async def wait_unbound(self, timeout: float) -> bool:
        """Wait until smpp34 reported every session it bound as ended."""
        if not self._backend_sessions:
            return True
        try:
            await asyncio.wait_for(self._all_unbound.wait(), timeout)
            return True
        except asyncio.TimeoutError:
            return False

    def _on_esme(self, esme: smpp34.Esme) -> None:
        while self._esme_waiters:
            fut = self._esme_waiters.popleft()
            if not fut.done():
                fut.set_result(esme)
                return
        # Bound without passing the front door (someone found the backend port).
        logger.warning("session %s of %r bound directly on the backend", esme.session_id, esme.system_id)
        self.sessions[esme.session_id] = Session(esme, None)

    # -- submit_sm -------------------------------------------------------------
    def _decide(self, rec: dict) -> int:
        """The command_status for a submit (0 = accept)."""
        b = self.behaviour
        forced = b.submit_status_by_dest.get(canonical_phone(rec["destination_addr"]))
        if forced is not None:
            return forced
        if b.tps:
            window, cap = (1.0, int(b.tps)) if b.tps >= 1 else (1.0 / b.tps, 1)
            stamps = self._accepted_at.setdefault(rec["system_id"], deque())
            now = time.monotonic()
            while stamps and stamps[0] <= now - window:
                stamps.popleft()
            if len(stamps) >= cap:
                return b.throttle_status
        if b.queue_full_probability and self.rng.random() < b.queue_full_probability:
            return wire.ESME_RMSGQFUL
        return wire.ESME_ROK

    def on_submit(self, ev: smpp34.SubmitSmEvent) -> None:
        """Answer one submit_sm and schedule its receipts."""
        session = self.sessions.get(ev.session_id)
        rec = submits.record(ev, session, len(self.submits))
        status = self._decide(rec)
        rec["status"] = status
        self.stats["submits"] += 1
        if status:
            self.stats["throttled" if status == wire.ESME_RTHROTTLED
                       else "queue_full" if status == wire.ESME_RMSGQFUL else "rejected"] += 1
            ev.reject(status)
            self._append(self.submits, rec)
            return
        number = next(self._ids)
        b = self.behaviour
        rec["message_id"] = receipts.submit_id(number, b)
        rec["receipt_id"] = receipts.receipt_id(number, b)
        self._accepted_at.setdefault(rec["system_id"], deque()).append(time.monotonic())
        self.stats["accepted"] += 1
        final = b.final_state_for(rec["destination_addr"]).value
        rec["final_state"] = final
        self._append(self.submits, rec)
        if not receipts.wanted(rec["registered_delivery"], final):
            ev.accept(rec["message_id"])
            return
        if b.receipt_before_resp:
            self._spawn(self._receipt_then_accept(ev, rec, number, final))
        else:
            ev.accept(rec["message_id"])
            self._spawn(self._receipt_flow(rec, number, final))

    def _spawn(self, coro) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _send_receipt(self, rec: dict, number: int, state: str) -> asyncio.Future:
        receipt = receipts.build(rec, state, self.behaviour, number, _now())
        return self.dispatcher.send(receipt, rec["system_id"], rec["session_id"])

    async def _receipt_flow(self, rec: dict, number: int, final: str) -> None:
        b = self.behaviour
        ordered = b.out_of_order < 2   # in-order flows wait for each receipt before the next
        for state in b.intermediate:
            fut = self._send_receipt(rec, number, state.value)
            if ordered:
                await fut
        await asyncio.sleep(b.receipt_delay)
        for _ in range(b.receipt_copies):
            fut = self._send_receipt(rec, number, final)
            if ordered:
                await fut

    async def _receipt_then_accept(self, ev, rec: dict, number: int, final: str) -> None:
        # A receipt before its submit_sm_resp: real SMSCs do this under load.
        try:
            await asyncio.wait_for(asyncio.shield(self._send_receipt(rec, number, final)), 5.0)
        except asyncio.TimeoutError:
            logger.info("early receipt for %s not answered; answering the submit anyway", rec["message_id"])
        ev.accept(rec["message_id"])
        for _ in range(self.behaviour.receipt_copies - 1):
            await self._send_receipt(rec, number, final)

    def receipt_attempted(self, receipt: receipts.Receipt, session: Session, status: int | None,
                          attempt: int) -> None:
        """Log one deliver_sm of a receipt and its outcome."""
        self.stats["receipts_sent" if status == 0 else "receipts_failed"] += 1
        self._append(self.receipts, {
            "message_id": receipt.message_id, "state": receipt.state, "session_id": session.session_id,
            "destination_addr": receipt.destination_addr, "source_addr": receipt.source_addr,
            "status": status, "attempt": attempt, "at": _now().isoformat(timespec="milliseconds")})

    # -- MO ------------------------------------------------------------------
    async def push_mo(self, req: mo.MoRequest, wait: float = 0.0) -> list[int]:
        """Deliver ``req`` as one or more deliver_sm; returns their deliver_sm_resp statuses."""
        system_id = req.system_id or self.behaviour.system_id
        deadline = time.monotonic() + wait
        while not self.receivers(system_id):
            left = deadline - time.monotonic()
            if left <= 0:
                raise NoReceiverError(system_id)
            await self.wait_for_receiver(left)
        receivers = self.receivers(system_id)
        session = receivers[next(self._mo_rr) % len(receivers)]
        parts = mo.build(req, self.rng)
        dest = req.destination or self.behaviour.shortcode
        statuses = []
        for part in parts:
            status = await self.deliver(
                session, dest, part.short_message, source_addr=req.source_addr, source_addr_ton=req.source_ton,
                source_addr_npi=req.source_npi, dest_addr_ton=0, dest_addr_npi=1,
                esm_class=part.esm_class, data_coding=req.data_coding,
                tlvs=[smpp34.Tlv(t, v) for t, v in part.tlvs])
            statuses.append(status)
            self.stats["mo_parts"] += 1
            self._append(self.mos, {"source_addr": req.source_addr, "destination_addr": dest,
                                    "session_id": session.session_id, "data_coding": req.data_coding,
                                    "esm_class": part.esm_class, "short_message": part.short_message,
                                    "status": status, "at": _now().isoformat(timespec="milliseconds")})
        return statuses

    async def close(self) -> None:
        """Cancel pending receipts and tasks."""
        await self.dispatcher.close()
        await cancel_all(self._tasks)

