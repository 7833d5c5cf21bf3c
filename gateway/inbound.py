"""Inbound routing: every deliver_sm stored before its deliver_sm_resp, then handed on.

Runs on the SMPP reader threads, so it only decodes: receipt or MO (by
esm_class, TLVs, then text), then hands the row to the journal (group
commit) and returns a Deferred: the deliver_sm_resp goes out once the row
is committed. Answering MO and applying receipts happen on other threads
(gateway.answering, outbox.receipt_applier). If the row cannot be written
the SMSC gets ESME_RX_T_APPN and delivers again.
"""
from __future__ import annotations

import logging
from typing import Callable

from outbox.delivery import journal_receipt
from store.messaging import mo_parts
from store.messaging.inbox import dedup_key, insert_mo
from store.school.phones import PhoneError, from_mo, mask

from . import Deferred, Deliver, mo, receipts
from .journal import Journal

logger = logging.getLogger(__name__)

ESME_RX_T_APPN = 0x64


class InboundRouter:
    """The deliver_sm handler of one process (all binds of all connections)."""

    def __init__(self, db_factory, settings, *, on_mo: Callable[[int], None], on_receipt: Callable[[int], None],
                 concat_timeout: float = 120.0, journal_db_factory=None):
        self.db_factory = db_factory
        self.settings = settings
        self.on_mo = on_mo
        self.on_receipt = on_receipt
        self.concat_timeout = concat_timeout
        # The journal's own connection may be stricter (store.inbox_synchronous = FULL): a resp
        # goes out only after its batch is fsynced.
        self.journal = Journal(journal_db_factory or db_factory,
                               sync_wal=settings.store.inbox_synchronous == "GROUP")
        self.counters = {"mo": 0, "mo_duplicate": 0, "receipts": 0, "bad_receipts": 0, "store_failures": 0}

    def start(self) -> None:
        self.journal.start()

    def stop(self) -> None:
        self.journal.stop()

    def __call__(self, deliver: Deliver) -> int | Deferred | None:
        """Handle one deliver_sm: a status now (None = ROK), or a Deferred answered after the commit."""
        if receipts.classify(deliver) is receipts.DeliverKind.RECEIPT:
            return self._receipt(deliver)
        return self._mo(deliver)

    def _failed(self, what: str, source: str) -> int:
        self.counters["store_failures"] += 1
        logger.error("could not store %s from %s: the SMSC will retry", what, mask(source))
        return ESME_RX_T_APPN

    def _receipt(self, deliver: Deliver) -> int | None:
        fmt = self.settings.connection(deliver.connection).receipt_id_format
        try:
            r = receipts.parse_receipt(deliver, fmt)
        except receipts.ReceiptParseError as e:
            # Acknowledged (a retry would be just as unreadable) and logged, never parsed as a command.
            self.counters["bad_receipts"] += 1
            logger.warning("unreadable receipt on %s: %s", deliver.connection, e)
            return None
        later = Deferred()

        def done(rid, error):
            if error is not None:
                later.resolve(self._failed("a receipt", deliver.source_addr))
                return
            self.counters["receipts"] += 1
            later.resolve(0)
            self.on_receipt(rid)

        self.journal.put(lambda db: journal_receipt(db, r.connection, r.message_id, r.stat or "UNKNOWN", r.err,
                                                    r.text[:300]), done)
        return later

    def _mo(self, deliver: Deliver) -> Deferred:
        alphabet = self.settings.connection(deliver.connection).default_alphabet
        part = mo.decode_part(deliver, alphabet)
        later = Deferred()

        def failed():
            later.resolve(self._failed("an MO", part.source_addr))

        if part.concat is None:
            reference = str(deliver.tlvs.get("user_message_reference", ""))
            message = mo.whole(part)
            self.store(message, reference, on_stored=lambda: later.resolve(0), on_failed=failed)
            return later
        # A part of a longer text: stored (and joined) in SQLite before its resp, so neither a
        # crash nor a part arriving on another bind or process loses it.
        c = part.concat
        row = mo_parts.Part(part.connection, part.source_addr, part.source_ton, c.ref, c.total, c.seq,
                            part.data_coding, part.codec, part.payload)

        def work(db):
            outcome, joined = mo_parts.add(db, row, self.settings.sms.mo_dedup_window)
            if joined is None:
                return outcome, None
            return outcome, self._insert_joined(db, joined)

        def done(value, error):
            if error is not None:
                failed()
                return
            later.resolve(0)
            outcome, stored = value
            if outcome == "complete":
                self._stored(*stored)

        self.journal.put(work, done)
        return later

    def _insert_joined(self, db, joined: mo_parts.Joined) -> tuple[int, bool, str]:
        message = mo.joined(joined)
        inbox_id, duplicate = self._insert(db, message, str(joined.ref))
        mo_parts.mark_joined(db, joined, inbox_id)
        return inbox_id, duplicate, message.source_addr

    def store(self, message: mo.InboundMo, reference: str = "", on_stored=None, on_failed=None) -> None:
        """Journal one whole MO; once committed it goes to on_mo unless a re-delivery."""
        def done(value, error):
            if error is not None:
                if on_failed:
                    on_failed()
                return
            if on_stored:
                on_stored()
            self._stored(*value)

        self.journal.put(lambda db: (*self._insert(db, message, reference), message.source_addr), done)

    def _insert(self, db, message: mo.InboundMo, reference: str) -> tuple[int, bool]:
        try:
            phone = from_mo(message.source_addr, message.source_ton)
        except PhoneError:
            phone = None
        text = None if message.is_binary else message.text
        key = dedup_key(f"{message.connection}:{message.source_addr}", text, reference)
        # With the SMSC's reference a repeat is surely a re-delivery; without one, the same text is a
        # re-delivery only within the SMSC's retry window (a second CON a minute later is answered again).
        window = self.settings.sms.mo_dedup_window if reference else self.settings.sms.mo_retry_window
        return insert_mo(db, connection=message.connection, source_addr=message.source_addr, phone=phone, text=text,
                         data_coding=message.data_coding, key=key, dedup_window_s=window)

    def _stored(self, inbox_id: int, duplicate: bool, source_addr: str) -> None:
        if duplicate:
            self.counters["mo_duplicate"] += 1
            logger.info("re-delivered MO from %s not answered again (inbox #%s)", mask(source_addr), inbox_id)
        else:
            self.counters["mo"] += 1
            self.on_mo(inbox_id)

    def flush_incomplete(self) -> None:
        """Join and answer texts whose missing parts never came (as far as they go)."""
        timeout = self.concat_timeout

        def work(db):
            stored = []
            for joined in mo_parts.expired_groups(db, timeout):
                logger.warning("concatenated MO from %s incomplete (%s of %s parts) after %ss",
                               mask(joined.source_addr), joined.parts_received, joined.total, timeout)
                stored.append(self._insert_joined(db, joined))
            mo_parts.purge_joined(db, max(86400, self.settings.sms.mo_dedup_window))
            return stored

        def done(value, error):
            for item in value or ():
                self._stored(*item)

        self.journal.put(work, done)
