"""`Simulator`: the SMSC simulator in a background asyncio thread, driven from anywhere.

    sim = Simulator(Behaviour(system_id="sll", password="secret")).start()
    sim.push_mo("0912345678", "DIEM TOAN HK1")
    sim.wait_for_submits("0912345678", 1, timeout=5)
    sim.stop()
"""
from __future__ import annotations

import asyncio
import copy
import logging
import threading
import time

import smpp34

from . import lag, mo
from .behaviour import Behaviour, canonical_phone
from .core import SmscCore
from .errors import SimError, SimTimeoutError
from .front import FrontDoor, free_port

logger = logging.getLogger(__name__)

CALL_TIMEOUT = 30.0

_shared_loop: asyncio.AbstractEventLoop | None = None
_shared_lock = threading.Lock()


def shared_loop() -> asyncio.AbstractEventLoop:
    """The one asyncio loop (in a daemon thread) every simulator of this process runs in.

    It is never closed: smpp34's Rust side may still complete a cancelled
    future after a simulator stopped, and a closed loop makes that an error.
    """
    global _shared_loop
    with _shared_lock:
        if _shared_loop is None:
            loop = asyncio.new_event_loop()
            ready = threading.Event()

            def run():
                asyncio.set_event_loop(loop)
                loop.call_soon(ready.set)
                loop.run_forever()

            threading.Thread(target=run, name="smsc-sim", daemon=True).start()
            ready.wait()
            _shared_loop = loop
        return _shared_loop


class Simulator:
    """A simulated SMSC: smpp34's server behind a scripting front door, in a background thread."""

    def __init__(self, behaviour: Behaviour | None = None, *, host: str = "127.0.0.1", port: int = 0,
                 control_port: int | None = None, control_host: str = "127.0.0.1", **settings):
        self.host = host
        self.port = port
        self.control_host = control_host
        self.control_port = control_port
        behaviour = behaviour or Behaviour()
        self.core = SmscCore(behaviour.replace(**settings) if settings else behaviour)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._front: FrontDoor | None = None
        self._server: smpp34.Server | None = None
        self._events: asyncio.Task | None = None
        self._lag: asyncio.Task | None = None
        self._control = None

    # -- lifecycle -----------------------------------------------------------
    @property
    def system_id(self) -> str | None:
        """The system_id binds must use (None = any)."""
        return self.core.behaviour.system_id

    @property
    def password(self) -> str | None:
        """The password binds must use (None = any)."""
        return self.core.behaviour.password

    @property
    def control_url(self) -> str | None:
        """Base URL of the HTTP control API, when it runs."""
        return self._control.url if self._control else None

    def start(self) -> "Simulator":
        """Start listening (SMPP, and HTTP control when a control port was given); returns self."""
        self._loop = shared_loop()
        try:
            self._call(self._astart(), timeout=10)
        except BaseException:
            self.stop()
            raise
        if self.control_port is not None:
            from .control import ControlServer
            self._control = ControlServer(self, self.control_host, self.control_port).start()
            self.control_port = self._control.port
        logger.info("SMSC simulator on %s:%s", self.host, self.port)
        return self

    async def _astart(self) -> None:
        for attempt in range(5):
            backend_port = free_port()
            server = smpp34.Server("127.0.0.1", backend_port, system_id="SLLSIM")
            try:
                await server.start()
                break
            except smpp34.SmppError as e:   # the free port was taken meanwhile
                logger.info("backend port %s busy (%s), trying another", backend_port, e)
        else:
            raise SimError("could not start the smpp34 backend")
        self._server = server
        self._events = asyncio.ensure_future(self.core.run_events(server))
        self._lag = asyncio.ensure_future(lag.watch(self.core.stats))
        self._front = FrontDoor(self.core, self.host, self.port, backend_port)
        self.port = await self._front.start()

    async def _astop(self) -> None:
        if self._front is not None:
            await self._front.stop()
        # Let smpp34 finish its sessions while we still listen, so no Rust task
        # calls back into Python after the simulator (or the process) is gone.
        if not await self.core.wait_unbound(1.0):
            logger.info("smpp34 did not report every session ended")
        await self.core.close()
        for task in (self._events, self._lag):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        if self._server is not None:
            await self._server.stop()

    def stop(self) -> None:
        """Drop every connection and stop; safe to call twice."""
        if self._control is not None:
            self._control.stop()
            self._control = None
        if self._loop is None:
            return
        try:
            self._call(self._astop(), timeout=10)
        finally:
            self._loop = None

    def __enter__(self) -> "Simulator":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _call(self, coro, timeout: float = CALL_TIMEOUT):
        if self._loop is None:
            raise SimError("the simulator is not running")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def _in_loop(self, fn, *args, **kwargs):
        async def call():
            return fn(*args, **kwargs)
        return self._call(call())

    # -- control -----------------------------------------------------------
    def configure(self, **changes) -> Behaviour:
        """Change behaviour at run time (keys of `Behaviour`); returns the new behaviour."""
        return self._in_loop(self.core.configure, **changes)

    @property
    def behaviour(self) -> Behaviour:
        """The behaviour in force."""
        return self.core.behaviour

    def push_mo(self, phone: str, text: str | None = None, *, body: bytes | None = None, data_coding: int = 0,
                concat: str | None = None, source_ton: int = 1, source_npi: int = 1, convert: bool = True,
                esm_class: int = 0, tlvs=(), destination: str | None = None, part_size: int | None = None,
                reverse_parts: bool = False, system_id: str | None = None, wait: float = 0.0) -> list[int]:
        """Deliver an MO from ``phone``; returns each part's deliver_sm_resp status (None = no answer).

        ``concat`` is None, "udh8", "udh16" or "sar"; ``part_size`` forces
        smaller parts (bytes of body); ``wait`` seconds for a receiver to
        bind before NoReceiverError.
        """
        req = mo.MoRequest(phone=phone, text=text, body=body, data_coding=data_coding, concat=concat,
                           source_ton=source_ton, source_npi=source_npi, convert=convert, esm_class=esm_class,
                           tlvs=list(tlvs), destination=destination, part_size=part_size,
                           reverse_parts=reverse_parts, system_id=system_id)
        return self._call(self.core.push_mo(req, wait), timeout=CALL_TIMEOUT + wait)

    def push_mo_many(self, phones: list[str], text: str | list[str], *, count: int | None = None, window: int = 50,
                     wait: float = 0.0, **options) -> dict:
        """Deliver ``count`` MOs (default one per phone), cycling through ``phones``, ``window`` in flight.

        ``text`` may be a list: the k-th round through the phones sends ``text[k % len(text)]``, so a
        number texting again within the ESME's re-delivery window sends a different text.

        Returns {"statuses": {status: n}, "seconds": s}: one HTTP call pushes thousands, so the MO
        ceiling measured is the ESME's, not the control API's.
        """
        if not phones:
            raise ValueError("phones must not be empty")
        n = len(phones) if count is None else count
        texts = [text] if isinstance(text, str) else list(text)
        reqs = [mo.MoRequest(phone=phones[i % len(phones)], text=texts[i // len(phones) % len(texts)], **options)
                for i in range(n)]
        return self._call(mo.push_many(self.core, reqs, window, wait), timeout=CALL_TIMEOUT + wait + n / 100)

    def drop_connections(self, refuse_for: float | None = None) -> int:
        """Drop every connection (clients see a disconnect); refuse binds for ``refuse_for`` s."""
        return self._in_loop(self.core.drop_connections, self._front, refuse_for)

    def binds(self) -> list[dict]:
        """The live binds."""
        return self._in_loop(lambda: [s.describe() for s in self.core.sessions.values()])

    def stats(self) -> dict:
        """Counters: submits, accepted, throttled, queue_full, receipts_sent, mo_parts, binds, drops…"""
        out = self._in_loop(lambda: dict(self.core.stats))
        out["binds_active"] = len(self.binds())
        return out

    # -- logs ----------------------------------------------------------------
    def _copy(self, log, since: int = 0) -> list[dict]:
        with self.core.changed:
            return [copy.copy(e) for e in list(log)[since:]]

    def submits(self, dest: str | None = None, since: int = 0) -> list[dict]:
        """Submit records (all fields, `text` decoded, `concat` parsed), optionally to ``dest`` only."""
        recs = self._copy(self.core.submits, since)
        if dest is not None:
            want = canonical_phone(dest)
            recs = [r for r in recs if canonical_phone(r["destination_addr"]) == want]
        return recs

    def wait_for_submits(self, dest: str | None = None, count: int = 1, timeout: float = 5.0,
                         since: int = 0) -> list[dict]:
        """Wait until ``count`` submits (to ``dest``) arrived after index ``since``; SimTimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        with self.core.changed:
            while True:
                recs = self.submits(dest, since)
                if len(recs) >= count:
                    return recs
                left = deadline - time.monotonic()
                if left <= 0:
                    raise SimTimeoutError(f"{len(recs)} of {count} submits to {dest or 'anyone'}", timeout)
                self.core.changed.wait(left)

    def submit_count(self) -> int:
        """How many submits were received so far (an index for `since`)."""
        with self.core.changed:
            return len(self.core.submits)

    def receipts(self, since: int = 0) -> list[dict]:
        """Every receipt deliver_sm attempted, with its outcome."""
        return self._copy(self.core.receipts, since)

    def mos(self, since: int = 0) -> list[dict]:
        """Every MO part delivered."""
        return self._copy(self.core.mos, since)

    def pdu_log(self, since: int = 0) -> list[dict]:
        """PDUs received from clients (oldest first; the last 100,000)."""
        return self._copy(self.core.pdu_log, since)
