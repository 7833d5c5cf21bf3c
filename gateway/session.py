"""One SMPP bind of one account, over python-smpplib.

smpplib gives the PDU codec and the ``Client`` shell; this module adds what it
lacks (see docs/smpp-notes.md): one lock for every write, a thread-safe sequence,
TCP_NODELAY, a reader thread that owns all reading, answers the SMSC's
enquire_link and unbind, notices a dead peer and reconnects with back-off, and
a submit window whose responses are matched by sequence number.

The reader does its own framing instead of ``read_once()``: a socket timeout
inside smpplib's ``read_pdu`` loses the PDU boundary, ``read_once`` raises on a
submit_sm_resp with an error status and only logs an unbind. The loop does
I/O only: a deliver_sm is handed to ``on_deliver`` (which must store it and
return) and its status goes back in the deliver_sm_resp.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable

from smpplib import consts, smpp

from gateway import Deferred, Deliver, GatewayError, SessionUnavailable
from outbox.transport import SubmitPart, SubmitResult
from settings import SmscSettings

from .bind_kinds import BindType
from .session_states import INITIAL, SessionState, checked
from .wire import (LinkLost, PeerUnbound, SequenceGenerator, SmppClient, backoff, connect_and_bind,
                   deliver_from_pdu, nack_unreadable, parse, pdu_text, respond, stamped)

logger = logging.getLogger(__name__)

ESME_ROK = consts.SMPP_ESME_ROK
ESME_RX_T_APPN = consts.SMPP_ESME_RX_T_APPN     # temporary: the SMSC re-delivers later
TICK = 0.2              # seconds between timer checks while the link is quiet
STABLE_AFTER = 10.0     # a bind that lived this long starts the back-off again from 1 s

DeliverHandler = Callable[[Deliver], "int | None"]


@dataclass
class _Pending:
    callback: Callable[[SubmitResult], None]
    deadline: float


class Session:
    """One bind: a reader thread, a submit window, reconnects on its own."""

    def __init__(self, smsc: SmscSettings, bind_type: BindType, name: str | None = None,
                 on_deliver: DeliverHandler | None = None):
        self.smsc = smsc
        self.bind_type = bind_type
        self.name = name or f"{smsc.name}/{bind_type.value}"
        self.on_deliver = on_deliver
        self.window = smsc.window
        self._slots = threading.BoundedSemaphore(smsc.window)
        self._pending: dict[int, _Pending] = {}
        self._lock = threading.Lock()           # guards _pending, _state and _client
        self._room = threading.Condition(self._lock)    # notified when a window slot frees
        self._sequence = SequenceGenerator()
        self._client: SmppClient | None = None
        self._state = INITIAL
        self._closing = threading.Event()
        self._bound = threading.Event()
        self._unbind_done = threading.Event()
        self._unbind_seq: int | None = None
        self._thread: threading.Thread | None = None
        self.bound_since: str | None = None
        self.last_error: str | None = None
        self.reconnects = 0
        self.counters = {"submitted": 0, "responses": 0, "timeouts": 0, "late_responses": 0,
                         "ambiguous_on_drop": 0, "delivers": 0, "enquire_links_answered": 0, "clean_unbinds": 0}

    # ---- lifecycle -------------------------------------------------------
    @property
    def state(self) -> SessionState:
        """Where the bind is now."""
        return self._state

    def _move(self, new: SessionState) -> None:
        self._state = checked(self.name, self._state, new)       # every change asks the table

    def start(self) -> None:
        """Start the reader thread: it connects, binds and keeps the bind up until close()."""
        if self._thread is not None:
            return
        self._closing.clear()
        self._thread = threading.Thread(target=self._run, name=f"smpp-{self.name}", daemon=True)
        self._thread.start()

    def wait_bound(self, timeout: float) -> bool:
        """Block until the bind is bound (True) or ``timeout`` seconds pass (False)."""
        return self._bound.wait(timeout)

    def close(self, timeout: float | None = None) -> None:
        """Clean unbind for SIGTERM: let in-flight submits answer, unbind, wait for unbind_resp."""
        timeout = self.smsc.response_timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        self._closing.set()
        with self._lock:
            client = self._client if self._state is SessionState.BOUND else None
            if client is not None:
                self._move(SessionState.UNBINDING)
        if client is not None:
            while self._pending and time.monotonic() < deadline:
                time.sleep(0.01)
            self._unbind(client, max(0.5, deadline - time.monotonic()))
        with self._lock:
            client = self._client
        if client is not None:
            client.shutdown()
        if self._thread is not None:
            self._thread.join(timeout + 1)
            self._thread = None
        self._move(SessionState.CLOSED)

    def _unbind(self, client: SmppClient, timeout: float) -> None:
        """Send unbind and wait for the unbind_resp with its sequence number."""
        pdu = smpp.make_pdu("unbind", client=client)
        self._unbind_done.clear()
        self._unbind_seq = pdu.sequence        # set before sending: the answer can be fast
        try:
            client.send_pdu(pdu)
        except GatewayError as e:
            logger.warning("bind %s: unbind not sent: %s", self.name, e)
            return
        if not self._unbind_done.wait(timeout):
            logger.warning("bind %s: no unbind_resp within %.1fs, closing anyway", self.name, timeout)

    # ---- submit window ---------------------------------------------------
    @property
    def free_slots(self) -> int:
        """Submits this bind can take now without waiting."""
        return self.window - len(self._pending)

    def wait_room(self, n: int, timeout: float) -> int:
        """Wait up to ``timeout`` until ``n`` window slots are free (fewer if the window is smaller); returns
        the free slots. The sender reserves its rate slots for what can be written at once, so a full
        window does not leave reserved slots to go stale one PDU at a time."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while ((free := self.window - len(self._pending)) < min(n, self.window)
                   and self._state is SessionState.BOUND):
                left = deadline - time.monotonic()
                if left <= 0 or not self._room.wait(min(left, TICK)):
                    break
            return free

    def submit(self, part: SubmitPart, on_result: Callable[[SubmitResult], None],
               before_write: Callable[[], None] | None = None) -> int:
        """Write one submit_sm once a window slot is free; return its sequence number.

        ``on_result`` runs on the reader thread with the submit_sm_resp, or with
        ``command_status=None`` after response_timeout or when the link drops.
        ``before_write()`` runs once the window slot is held, just before the
        write (the rate limiter's wait goes there, so a PDU held back by a full
        window does not spend a rate slot that passed meanwhile).
        Raises SessionUnavailable (nothing written) when the bind is not bound.
        """
        if not self.bind_type.can_submit:
            raise SessionUnavailable(self.name, "a receiver")
        while not self._slots.acquire(timeout=TICK):
            if self._state is not SessionState.BOUND:
                raise SessionUnavailable(self.name, self._state.value)
        try:
            if before_write is not None:
                before_write()
            with self._lock:
                client = self._client
                if self._state is not SessionState.BOUND or client is None:
                    raise SessionUnavailable(self.name, self._state.value)
                sequence, data = client.encode_submit(part)
                # registered before the write: the response may beat us back
                self._pending[sequence] = _Pending(on_result, time.monotonic() + self.smsc.response_timeout)
                self.counters["submitted"] += 1
        except BaseException:
            self._slots.release()
            raise
        try:
            client.send_submit(data)
        except SessionUnavailable:
            if self._take_pending(sequence) is not None:
                raise       # nothing written and nobody answered it yet
            return sequence     # the teardown already answered it as ambiguous
        except LinkLost as e:
            # Possibly half-written: the reader's teardown answers it as ambiguous.
            logger.warning("bind %s: %s", self.name, e)
            client.shutdown()
        return sequence

    def _take_pending(self, sequence: int) -> _Pending | None:
        with self._lock:
            entry = self._pending.pop(sequence, None)
            self._room.notify()
        if entry is not None:
            self._slots.release()
        return entry

    def _fire(self, callback, result: SubmitResult) -> None:
        try:
            callback(result)
        except Exception:   # a sender bug must not kill the reader thread
            logger.exception("bind %s: submit callback failed", self.name)

    def _expire(self, now: float) -> None:
        """Answer submits whose response_timeout passed as ambiguous and free their slots."""
        expired = []
        with self._lock:
            for seq, entry in self._pending.items():
                if entry.deadline > now:
                    break       # insertion order is deadline order
                expired.append(seq)
        for seq in expired:
            entry = self._take_pending(seq)
            if entry is not None:
                self.counters["timeouts"] += 1
                logger.warning("bind %s: no submit_sm_resp for seq %s within %ss: ambiguous",
                               self.name, seq, self.smsc.response_timeout)
                self._fire(entry.callback, SubmitResult(command_status=None, bind=self.name))

    # ---- reader thread ---------------------------------------------------
    def _run(self) -> None:
        """Connect, bind, read until the link ends, back off, again; until close()."""
        attempt = 0
        while not self._closing.is_set():
            self._move(SessionState.CONNECTING)
            try:
                client, backlog = self._connect_and_bind()
            except GatewayError as e:
                self._note_error(e)
            else:
                started = time.monotonic()
                try:
                    self._read_loop(client, backlog)
                except PeerUnbound as e:
                    logger.info("bind %s: %s", self.name, e)
                    self.last_error = stamped(str(e))
                except GatewayError as e:
                    self._note_error(e)
                finally:
                    self._teardown(client)
                if time.monotonic() - started >= STABLE_AFTER:
                    attempt = 0
            if self._closing.is_set():
                break
            self._move(SessionState.RECONNECTING)
            delay = backoff(attempt, self.smsc.reconnect_max)
            attempt += 1
            logger.info("bind %s: reconnecting in %.1fs", self.name, delay)
            self._closing.wait(delay)
        self._move(SessionState.CLOSED)

    def _connect_and_bind(self) -> tuple[SmppClient, list[bytes]]:
        """A bound client and any PDUs that came right behind the bind response."""
        client = SmppClient(self.smsc.host, self.smsc.port, self.smsc.response_timeout, self._sequence, self.name)
        frames = connect_and_bind(client, self.smsc, self.bind_type.value)
        self._on_bound(client)
        return client, frames

    def _on_bound(self, client: SmppClient) -> None:
        with self._lock:
            self._client = client
            self._move(SessionState.BOUND)
        self._last_rx = time.monotonic()
        self._el_seq: int | None = None
        self._el_sent_at = 0.0
        if self.bound_since is not None:
            self.reconnects += 1
        self._mark_bound()
        logger.info("bind %s: bound to %s:%s", self.name, self.smsc.host, self.smsc.port)

    def _read_loop(self, client: SmppClient, frames: list[bytes]) -> None:
        """Handle PDUs until the link ends (raises) or our unbind is answered (returns)."""
        next_check = 0.0
        while True:
            for raw in frames:
                self._last_rx = time.monotonic()
                pdu = parse(raw)
                if pdu is None:
                    nack_unreadable(client, raw)
                elif self._dispatch(client, pdu):
                    return
            now = time.monotonic()
            if now >= next_check:
                self._expire(now)
                self._keepalive(client, now)
                next_check = now + TICK
            frames = client.read_frames(TICK)

    def _dispatch(self, client: SmppClient, pdu) -> bool:
        """Act on one PDU; True when it is the answer to our own unbind."""
        cmd = pdu.command
        if cmd in ("submit_sm_resp", "generic_nack"):
            entry = self._take_pending(pdu.sequence)
            if entry is not None:
                self.counters["responses"] += 1
                message_id = pdu_text(getattr(pdu, "message_id", None)) or None
                self._fire(entry.callback, SubmitResult(command_status=pdu.status, message_id=message_id,
                                                        bind=self.name))
            elif cmd == "submit_sm_resp":
                self.counters["late_responses"] += 1
                logger.warning("bind %s: submit_sm_resp seq %s after its timeout (or unknown), ignored",
                               self.name, pdu.sequence)
            else:
                logger.warning("bind %s: generic_nack 0x%08x for seq %s", self.name, pdu.status, pdu.sequence)
        elif cmd == "deliver_sm":
            self._on_deliver_sm(client, pdu)
        elif cmd == "enquire_link":
            self.counters["enquire_links_answered"] += 1      # counted first: the peer may look at once
            respond(client, "enquire_link_resp", pdu.sequence)
        elif cmd == "unbind":
            respond(client, "unbind_resp", pdu.sequence)
            raise PeerUnbound(f"the SMSC unbound bind {self.name}; answered, reconnecting")
        elif cmd == "unbind_resp" and pdu.sequence == self._unbind_seq:
            self.counters["clean_unbinds"] += 1
            self._unbind_done.set()
            return True
        elif cmd == "alert_notification":
            logger.info("bind %s: alert_notification ignored", self.name)
        elif pdu.is_request():
            respond(client, "generic_nack", pdu.sequence, consts.SMPP_ESME_RINVCMDID)
        return False        # enquire_link_resp: _last_rx already says the peer is alive

    def _on_deliver_sm(self, client: SmppClient, pdu) -> None:
        """Hand the deliver_sm to the handler, then answer with its status (store before resp)."""
        self.counters["delivers"] += 1
        status = ESME_RX_T_APPN
        if self.on_deliver is None:
            logger.error("bind %s: deliver_sm with no handler set: the SMSC will retry", self.name)
        else:
            try:
                result = self.on_deliver(deliver_from_pdu(pdu, self.smsc.name, self.name))
                if isinstance(result, Deferred):
                    # Answered from the committing thread once the row is stored.
                    result.attach(lambda status, seq=pdu.sequence: self._respond_late(client, seq, status))
                    return
                status = ESME_ROK if result is None else int(result)
            except Exception:
                logger.exception("bind %s: deliver handler failed: answering ESME_RX_T_APPN", self.name)
        respond(client, "deliver_sm_resp", pdu.sequence, status)

    def _respond_late(self, client: SmppClient, sequence: int, status: int) -> None:
        """A deferred deliver_sm_resp; dropped if the link it belongs to is gone (the SMSC redelivers)."""
        if client is not self._client:
            logger.info("bind %s: link replaced before deliver_sm_resp %s; the SMSC will redeliver",
                        self.name, sequence)
            return
        try:
            respond(client, "deliver_sm_resp", sequence, status)
        except GatewayError as e:
            logger.info("bind %s: deliver_sm_resp %s not sent (%s); the SMSC will redeliver", self.name, sequence, e)

    def _keepalive(self, client: SmppClient, now: float) -> None:
        """enquire_link after enquire_link_interval of silence; no answer in time = dead link."""
        if self._el_seq is not None:
            if self._last_rx >= self._el_sent_at:
                self._el_seq = None     # anything heard since the probe will do
            elif now - self._el_sent_at > self.smsc.response_timeout:
                raise LinkLost(self.name, f"no answer to enquire_link within {self.smsc.response_timeout}s")
            return
        if now - self._last_rx >= self.smsc.enquire_link_interval:
            pdu = smpp.make_pdu("enquire_link", client=client)
            self._el_seq, self._el_sent_at = pdu.sequence, now
            client.send_pdu(pdu)

    def _teardown(self, client: SmppClient) -> None:
        """Close the link; every unanswered submit becomes ambiguous and the window resets."""
        with self._lock:
            self._client = None
            pending, self._pending = self._pending, {}
            self._move(SessionState.CLOSED if self._closing.is_set() else SessionState.RECONNECTING)
            self._room.notify_all()
        self._bound.clear()
        client.shutdown()
        self._unbind_done.set()
        if pending:
            logger.warning("bind %s: link ended with %d submits unanswered: ambiguous", self.name, len(pending))
        for entry in pending.values():
            self._slots.release()
            self.counters["ambiguous_on_drop"] += 1
            self._fire(entry.callback, SubmitResult(command_status=None, bind=self.name))

    def _note_error(self, error: Exception) -> None:
        self.last_error = stamped(str(error))
        logger.warning("bind %s down: %s", self.name, error)

    # ---- health ----------------------------------------------------------
    def status(self) -> dict:
        """Bind state for /healthz."""
        return {"name": self.name, "bind_type": self.bind_type.value, "state": self._state.value,
                "bound_since": self.bound_since, "last_error": self.last_error,
                "reconnects": self.reconnects, "in_flight": len(self._pending), "window": self.window}

    def _mark_bound(self) -> None:
        self.bound_since = stamped("").strip()
        self._bound.set()
