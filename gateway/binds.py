"""An account's binds: the sessions of one [[smsc]] entry, as the sender's Transport.

``trx`` opens max_binds transceivers; ``rx+tx`` one receiver plus max_binds-1
transmitters. Every bind that can receive hands deliver_sm to the same
``on_deliver`` (receipts come on any receiving bind, whichever bind submitted).
"""
from __future__ import annotations

import logging
import threading
from typing import Callable, Sequence

from gateway import SessionUnavailable
from gateway.session import BindType, DeliverHandler, Session, SessionState
from outbox.transport import ResultCallback, SubmitPart, SubmitResult, TransportUnavailable
from settings import SmscSettings

logger = logging.getLogger(__name__)


def plan_binds(smsc: SmscSettings, processes: int = 1) -> list[BindType]:
    """The bind types `gateway` opens for the bind_mode within max_binds, leaving one bind to each of
    the other ``processes - 1`` SMPP processes (`worker`s: a transceiver, or a transmitter in rx+tx)."""
    others = processes - 1
    if smsc.bind_mode == "trx":
        return [BindType.TRX] * (smsc.max_binds - others)
    return [BindType.RX] + [BindType.TX] * (smsc.max_binds - 1 - others)


class Account:
    """The binds of one SMSC connection; implements outbox.transport.Transport."""

    def __init__(self, smsc: SmscSettings, on_deliver: DeliverHandler | None = None,
                 kinds: list[BindType] | None = None):
        self.smsc = smsc
        self.connection = smsc.name
        self.sessions = [Session(smsc, kind, f"{smsc.name}/{kind.value}-{i}", on_deliver)
                         for i, kind in enumerate(kinds or plan_binds(smsc), start=1)]
        self._transmitters = [s for s in self.sessions if s.bind_type.can_submit]

    def set_deliver_handler(self, on_deliver: DeliverHandler | None) -> None:
        """Route every receiving bind's deliver_sm to ``on_deliver`` (MO and receipts)."""
        for session in self.sessions:
            session.on_deliver = on_deliver

    def start(self) -> None:
        """Open every bind (each connects and reconnects on its own thread)."""
        for session in self.sessions:
            session.start()

    def wait_bound(self, timeout: float) -> bool:
        """Block until every bind is bound (True) or ``timeout`` seconds pass."""
        return all(s.wait_bound(timeout) for s in self.sessions)

    def stop(self, timeout: float | None = None) -> None:
        """Unbind every bind cleanly, in parallel (SIGTERM)."""
        threads = [threading.Thread(target=s.close, args=(timeout,), name=f"close-{s.name}")
                   for s in self.sessions]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def is_up(self) -> bool:
        """Whether at least one transmitting bind is bound."""
        return any(s.state is SessionState.BOUND for s in self._transmitters)

    def status(self) -> dict:
        """Health of the account's binds for /healthz."""
        return {"connection": self.connection, "up": self.is_up(),
                "binds": [s.status() for s in self.sessions]}

    @property
    def submit_window(self) -> int:
        """Submits that may be unanswered at once on this account: every transmitting bind's window."""
        return sum(s.window for s in self._transmitters)

    def _pick(self, exclude: set[str]) -> Session | None:
        """The bound transmitter with the most free window slots."""
        bound = [s for s in self._transmitters
                 if s.state is SessionState.BOUND and s.name not in exclude]
        return max(bound, key=lambda s: s.free_slots, default=None)

    def wait_room(self, n: int, timeout: float) -> int:
        """Free window slots on the bind the next submit goes to, waiting up to ``timeout`` for ``n``."""
        session = self._pick(set())
        return session.wait_room(n, timeout) if session is not None else 0

    def submit(self, parts: Sequence[SubmitPart], on_result: ResultCallback,
               before_write: Callable[[int], None] | None = None) -> None:
        """Send ``parts`` in order on one bound transmitter (see Transport.submit).

        If the bind goes down after some parts were written, the parts not yet
        written are answered ``command_status=None`` too: the message as a
        whole is ambiguous, since its first parts may have reached the SMSC.
        """
        if not parts:
            return
        tried: set[str] = set()
        while True:
            session = self._pick(tried)
            if session is None:
                raise TransportUnavailable(self.connection)
            try:
                session.submit(parts[0], _bound_callback(on_result, 0), _pace(before_write, 0))
                break
            except SessionUnavailable:
                tried.add(session.name)     # nothing written: another bind may take it
        for index in range(1, len(parts)):
            try:
                session.submit(parts[index], _bound_callback(on_result, index), _pace(before_write, index))
            except SessionUnavailable as e:
                logger.warning("%s: %d of %d parts written before %s; the rest are ambiguous",
                               self.connection, index, len(parts), e)
                for rest in range(index, len(parts)):
                    on_result(rest, SubmitResult(command_status=None, bind=session.name))
                return


def _pace(before_write: Callable[[int], None] | None, index: int) -> Callable[[], None] | None:
    """The sender's pacing for part ``index``, run by the session once the window slot is held."""
    if before_write is None:
        return None
    return lambda: before_write(index)


def _bound_callback(on_result: ResultCallback, index: int):
    def callback(result: SubmitResult) -> None:
        on_result(index, result)
    return callback
