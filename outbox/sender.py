"""The outbox sender: claims due rows, submits them at the licensed rate, writes the results.

Threads: the sender loop (claim, segment, wait for the shared TPS limiter,
hand parts to a Transport), the SMPP reader threads (deliver the
submit_sm_resp results through callbacks) and one writer thread that
writes the results in batches. The Transport bounds the window per bind;
the limiter in Redis bounds PDUs per second across every worker.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta

from store.core.clock import iso, parse_iso, utcnow
from store.core.connection import transaction
from store.core.disk import describe, is_transient
from store.school.phones import international, national

from . import delivery, messages, quiet
from .limiter import GRANT_SPAN, FallbackLimiter, TpsLimiter, grant
from .messages import Message
from .render import prepare
from .result_writer import ResultWriter
from .segment import ConcatRefs, count_parts, segment
from .transport import SubmitPart, SubmitResult, Transport, TransportUnavailable
from .wake import Wake

logger = logging.getLogger(__name__)


PACING = 0.98
# Replies first for real, across every worker: bulk is claimed in slices of about BULK_SLICE seconds of the
# licence and reserves its slots only when the shared schedule is at most BULK_HORIZON ahead, so a reply
# never queues behind more than a chunk of bulk slots; a reply queued in this process also stops the
# slice between two chunks. Replies reserve as far ahead as REPLY_HORIZON.
BULK_SLICE = 0.25
BULK_HORIZON = 0.02
REPLY_HORIZON = 0.5
ROOM_WAIT = 1.0       # at most this long for window room before a chunk; then the submits wait slot by slot


@dataclass
class SenderStats:
    """Counters for /metrics and the benchmarks."""

    messages: int = 0
    parts: int = 0
    throttled: int = 0
    failed: int = 0
    ambiguous: int = 0
    recovered_parts: int = 0
    unavailable: int = 0
    errors: int = 0


@dataclass
class _InFlight:
    message: Message
    expected: int
    results: dict = field(default_factory=dict)


class Sender:
    """One worker's sender over the transports it was handed (connection name -> Transport)."""

    def __init__(self, db_factory, settings, transports: dict[str, Transport], redis_conn, *, prefix: str,
                 wake: Wake | None = None, batch: int = 200, lease_s: float = 30.0, poll_s: float = 0.5,
                 rate_shares: dict[str, float] | None = None):
        self.db_factory = db_factory
        self.db = db_factory()
        self.settings = settings
        self.transports = transports
        self.connections = list(transports)
        # Paced 2 % under the licence: the SMSC counts arrivals on its own clock, after its own
        # queueing, and a PDU that lands a few ms early in its window is throttled.
        # While Redis is unreachable each limiter falls back to this process's share of the
        # account (its binds over max_binds; rate_shares), never the whole licence twice.
        shares = rate_shares or {}
        self.limiters = {name: FallbackLimiter(TpsLimiter(redis_conn, prefix, name,
                                                          settings.connection(name).tps * PACING),
                                               shares.get(name, 1.0))
                         for name in transports}
        self.refs = ConcatRefs(redis_conn, prefix)
        self.wake = wake or Wake(redis_conn, prefix)
        self.batch = batch
        # A lease outlives the longest wait for a response (results renew it), so a live sender
        # never loses its rows to another one.
        self.lease_s = max(lease_s, max(c.response_timeout for c in settings.smsc) + 2)
        self.poll_s = poll_s
        self.stats = SenderStats()
        self.problem: str | None = None      # storage trouble that paused the loop (for /healthz)
        self._writer = ResultWriter(db_factory, settings, self.stats, self.limiters, self.wake, self._in_flight_ids,
                                    self.lease_s)
        self._results = self._writer       # put() from the reader threads
        self._inflight: dict[int, _InFlight] = {}
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._stop = threading.Event()
        self._sent_ids: set[int] = set()

    # -- the loop --------------------------------------------------------------------------
    def run(self, stop: threading.Event | None = None, *, burst: bool = False) -> SenderStats:
        """Send until ``stop`` is set (or, with ``burst``, until nothing is due and nothing is in flight)."""
        stop = stop or self._stop
        self._writer.start()
        last_sweep = 0.0
        failures = 0
        try:
            while not stop.is_set():
                try:
                    if time.monotonic() - last_sweep > max(1.0, self.lease_s / 3):
                        self.sweep()
                        last_sweep = time.monotonic()
                    up = [c for c in self.connections if self.transports[c].is_up()]
                    self.wake.reply.clear()
                    claimed = messages.claim(self.db, up, self.batch, self.lease_s, self._bulk_slice(up)) if up else []
                    if claimed:
                        self._send_batch(claimed, stop)
                        failures = 0
                        self.problem = None
                        continue
                    if burst and self._drained() and not self.sweep() and not self._due_soon(up):
                        break
                    self.wake.wait(self._sleep_for(up))
                    failures = 0
                    self.problem = None
                except Exception as e:
                    # Redis down, the database locked by a long import, a full disk, a bad PDU: the rows
                    # stay in SQLite under their lease and are taken back; the loop pauses, then carries on.
                    if is_transient(e):
                        self.problem = describe(e)
                    failures += 1
                    self.stats.errors += 1
                    logger.exception("sender loop failed (%s in a row); retrying", failures)
                    # Storage trouble is looked at again every few seconds: sending resumes soon after
                    # space is back.
                    stop.wait(min(5.0 if self.problem else 30.0, 0.5 * 2 ** min(failures, 6)))
        finally:
            self._wait_inflight(timeout=max(s.response_timeout for s in self.settings.smsc) + 2)
            self._writer.close(timeout=10)
        return self.stats

    def take_receipt(self, receipt_id: int) -> bool:
        """Hand a journaled receipt to the writer thread; False when it is not running."""
        return self._writer.take_receipt(receipt_id)

    def receipts_applied(self) -> int:
        return self._writer.receipts_applied

    def stop(self) -> None:
        self._stop.set()
        self.wake.local.set()

    def sweep(self) -> int:
        """Take back dead workers' rows, resend ambiguous ones, expire stale and silent ones.

        Returns how many messages went back to the queue.
        """
        if not self.connections:
            return 0
        got = messages.recover(self.db, self.connections)
        self.stats.recovered_parts += got["parts_resent"]
        with transaction(self.db):
            delivery.expire_stale_queued(self.db)
            delivery.expire_unknown(self.db, self.settings.sms.receipt_timeout)
        return got["stale"] + got["ambiguous"]

    def _bulk_slice(self, up: list[str]) -> int:
        """Bulk messages claimed at once: about BULK_SLICE seconds at the slowest licence sending now."""
        tps = min((self.settings.connection(c).tps for c in up), default=1)
        return max(1, min(self.batch, int(tps * BULK_SLICE)))

    def _sleep_for(self, up: list[str]) -> float:
        if not up:
            return self.poll_s
        due = messages.next_due(self.db, up)
        if due is None:
            return self.poll_s
        return max(0.0, min(self.poll_s, (due - utcnow()).total_seconds()))

    def _due_soon(self, up: list[str]) -> bool:
        due = messages.next_due(self.db, up or self.connections)
        return due is not None and (due - utcnow()).total_seconds() < 1.0

    # -- a claimed batch ---------------------------------------------------------------------
    def _send_batch(self, claimed: list[Message], stop: threading.Event) -> None:
        """Segment the batch (one transaction), then submit it in chunks under the TPS limiter."""
        ready = self._prepare(claimed)
        ready.sort(key=lambda item: (not item[0].kind.is_reply, item[0].id))
        chunk: list[tuple[Message, list[tuple[int, SubmitPart]]]] = []
        interrupted = False
        for item in ready:
            if stop.is_set():
                break
            if not item[0].kind.is_reply and self.wake.reply.is_set() and not chunk:
                interrupted = True       # a reply is waiting: the rest of the bulk slice goes back
                break
            chunk.append(item)
            if sum(len(p) for _, p in chunk) >= self._chunk_parts(item[0].connection):
                self._send_chunk(chunk)
                chunk = []
        if chunk and not stop.is_set():
            self._send_chunk(chunk)
        if stop.is_set() or interrupted:
            # Claimed but never written: back to the queue at once, not after the lease.
            left = [m.id for m, _ in ready if m.id not in self._sent_ids]
            self._release(left)
        self._sent_ids.clear()

    def _chunk_parts(self, connection: str) -> int:
        """Parts marked `sending` and granted together: small enough that a crash leaves few in doubt
        and a grant is spent at once; large enough to save round trips at high TPS."""
        conn = self.settings.connection(connection)
        return max(1, min(conn.window // 2, conn.tps // 20))

    def _prepare(self, claimed: list[Message]) -> list[tuple[Message, list[tuple[int, SubmitPart]]]]:
        """Each message's parts still to send; part rows are created here the first time."""
        now = utcnow()
        ready, expired, unsendable, new_parts = [], [], [], []
        todo_of = messages.parts_to_send(self.db, [m.id for m in claimed if m.parts is not None])
        for msg in claimed:
            if msg.valid_until and parse_iso(msg.valid_until) < now:
                expired.append(msg.id)
                continue
            try:
                segments, encoding, ref = self._segments(msg)
            except ValueError as e:   # unsendable text: SegmentError, GsmEncodeError
                unsendable.append((f"cannot segment: {e}", msg.id))
                continue
            if msg.parts is None:
                new_parts.append((msg, segments, encoding, ref))
                todo = {s.seq for s in segments}
            else:
                todo = todo_of.get(msg.id, set())
            ready.append((msg, [(s.seq, self._submit_part(msg, s)) for s in segments if s.seq in todo]))
        stamp = iso(now)
        with transaction(self.db):
            messages.add_parts(self.db, [(m.id, m.connection, [s.seq for s in segs], enc, ref)
                                         for m, segs, enc, ref in new_parts])
            messages.give_up(self.db, expired, unsendable, stamp)
        self.stats.failed += len(unsendable)
        return ready

    def _segments(self, msg: Message):
        """Parts of the message; a resend reuses the stored reference so the handset joins old and new parts."""
        conn = self.settings.connection(msg.connection)
        text, encoding = prepare(msg.body, self.settings.sms.transliterate)
        if msg.concat_ref is not None:
            ref = msg.concat_ref
        else:
            ref = self.refs.next(msg.phone) if count_parts(text, encoding) > 1 else 0
        return segment(text, encoding, conn.concat, ref), encoding, ref

    def _submit_part(self, msg: Message, s) -> SubmitPart:
        conn = self.settings.connection(msg.connection)
        international_form = conn.dest_format == "international"
        return SubmitPart(destination_addr=international(msg.phone) if international_form else national(msg.phone),
                          dest_ton=1 if international_form else 2, dest_npi=1, source_addr=conn.source_addr,
                          source_ton=conn.source_ton, source_npi=conn.source_npi, short_message=s.short_message,
                          data_coding=s.data_coding, esm_class=s.esm_class, registered_delivery=1,
                          validity_period=(quiet.smpp_absolute_time(parse_iso(msg.valid_until))
                                           if msg.valid_until else None),
                          optional=dict(s.optional))

    def _send_chunk(self, chunk: list[tuple[Message, list[tuple[int, SubmitPart]]]]) -> None:
        done = [m for m, parts in chunk if not parts]
        for msg in done:    # every part already answered (a recovered row): just settle it
            self._sent_ids.add(msg.id)
            self._results.put(delivery.MessageOutcome(msg.id, msg.connection, ()))
        chunk = [(m, parts) for m, parts in chunk if parts]
        if not chunk:
            return
        urgent = any(m.kind.is_reply for m, _ in chunk)
        connection, count = chunk[0][0].connection, sum(len(p) for _, p in chunk)
        self._wait_persisted(connection, count)
        # Marked before the rate slots are reserved (a write lock waited for here would make them stale):
        # after a crash, only this chunk and the window are in doubt.
        self._mark_sending([m.id for m, _ in chunk])
        room = getattr(self.transports[connection], "wait_room", None)
        # Rate slots reserved for PDUs that can be written at once: a full window would leave them to go
        # stale one by one (a fresh Redis reservation each) and wake this thread for every response.
        free = room(count, ROOM_WAIT) if room is not None else 0
        limiter, horizon = self.limiters[connection], REPLY_HORIZON if urgent else BULK_HORIZON
        corked = getattr(self.transports[connection], "corked", None)
        # When the window has room for the whole chunk and its slots span next to nothing (a licence far
        # above what one process sends), its PDUs are encoded first and go out in one write, granted right
        # before it: one Redis round trip a chunk, no system call (and no switch to another thread) between
        # two PDUs. Without room a held PDU could wait for a slot that only its own unwritten predecessors'
        # responses would free.
        if corked is not None and free >= count and count / limiter.tps <= GRANT_SPAN:
            with corked(lambda: grant(limiter, count, horizon)):
                self._submit_all(chunk, lambda base: None)
            return
        slots = limiter.reserve(count, horizon=horizon)
        # Each PDU waits for its own slot: exactly tps a second, never a burst.
        self._submit_all(chunk, lambda base: lambda i: slots.wait(base + i))

    def _submit_all(self, chunk: list[tuple[Message, list[tuple[int, SubmitPart]]]], pacing) -> None:
        """Submit the chunk's messages in order (``pacing(first slot)`` paces each one's parts); the rest go
        back to the queue when the account is unavailable."""
        slot = 0
        for index, (msg, parts) in enumerate(chunk):
            if not self._submit(msg, parts, pacing(slot)):
                self._release([m.id for m, _ in chunk[index:]])
                break
            slot += len(parts)

    def _wait_persisted(self, connection: str, count: int) -> None:
        """At most the account's window of parts in doubt: written to the SMSC and not yet committed (no
        response yet, or a response the writer has not written). A resp frees the bind's window slot at
        once, so without this a stalled writer (a busy disk, a loaded host) let more go out than the window,
        all resent after a crash; the wait ends after ROOM_WAIT whatever happens (the crash bound is then
        the writer's lag). Per connection: one account's backlog never holds another's chunks."""
        transport = self.transports[connection]
        window = getattr(transport, "submit_window", None) or self.settings.connection(connection).window
        deadline = time.monotonic() + ROOM_WAIT
        while self._unpersisted(connection) > max(0, window - count) and time.monotonic() < deadline:
            self._writer.wait_written(0.01)

    def _unpersisted(self, connection: str) -> int:
        with self._lock:
            sent = sum(e.expected for e in self._inflight.values() if e.message.connection == connection)
            # Read under the lock: a message leaving _inflight is already counted by the writer (_collect).
            return sent + self._writer.unwritten(connection)

    def _mark_sending(self, ids: list[int]) -> None:
        """The chunk's parts `sending` and its leases renewed, just before they go out."""
        with transaction(self.db):
            messages.mark_sending(self.db, ids, iso(utcnow() + timedelta(seconds=self.lease_s)))

    def _submit(self, msg: Message, parts: list[tuple[int, SubmitPart]], before_write) -> bool:
        seqs = [seq for seq, _ in parts]
        with self._lock:
            self._inflight[msg.id] = _InFlight(msg, len(parts))

        def on_result(index: int, result: SubmitResult, _mid=msg.id, _seqs=seqs) -> None:
            self._collect(_mid, _seqs[index], result)

        try:
            self.transports[msg.connection].submit([p for _, p in parts], on_result, before_write)
        except TransportUnavailable:
            self.stats.unavailable += 1
            with self._lock:
                self._inflight.pop(msg.id, None)
            time.sleep(0.2)
            return False
        self._sent_ids.add(msg.id)
        self.stats.messages += 1
        self.stats.parts += len(parts)
        return True

    def _release(self, message_ids: list[int]) -> None:
        """Claimed rows that were not written: queued again now (their parts too)."""
        if not message_ids:
            return
        with transaction(self.db):
            messages.release(self.db, message_ids, iso(utcnow()))

    def _collect(self, message_id: int, seq: int, result: SubmitResult) -> None:
        """Reader thread: one part's result in; the whole message goes to the writer when complete."""
        with self._lock:
            entry = self._inflight.get(message_id)
            if entry is None:
                return
            entry.results[seq] = result
            if len(entry.results) < entry.expected:
                return
            parts = tuple(delivery.PartOutcome(s, r) for s, r in sorted(entry.results.items()))
            # Handed over before it leaves _inflight, so _unpersisted never misses it in between.
            self._results.put(delivery.MessageOutcome(message_id, entry.message.connection, parts))
            del self._inflight[message_id]
            if not self._inflight:
                self._idle.notify_all()

    def _in_flight_ids(self) -> list[int]:
        with self._lock:
            return list(self._inflight)

    def _drained(self) -> bool:
        with self._lock:
            return not self._inflight and self._writer.queue.empty()

    def _wait_inflight(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._inflight and time.monotonic() < deadline:
                self._idle.wait(timeout=0.2)
