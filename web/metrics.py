"""The Prometheus collector behind `/metrics`: SQLite counts and the SMPP processes' published counters.

Outbox, inbox, receipt and digest counts are gauges over every row kept
(store/messaging/stats.py, each from an index). Bind gauges and the per-process
counters (sender, inbound PDUs, answers, receipts applied) come from the
statuses the `gateway`/`worker` processes publish to Redis; a counter is
labelled with its process (``host:pid``) and restarts from 0 with it.
"""
from __future__ import annotations

import logging
import re
import sqlite3

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from gateway.session import SessionState
from outbox.digest_states import DigestRunState
from outbox.messages import MessageKind
from outbox.states import MessageState
from store.messaging import stats

logger = logging.getLogger(__name__)

INBOX_STATES = ("received", "answered", "duplicate", "ignored")      # schema.sql CHECK
DIGEST_RUN_STATES = tuple(s.value for s in DigestRunState)


def _name(key: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_]", "_", str(key))


class SllCollector:
    """One scrape's metrics; ``db`` is None when the database is down (then only sll_up says so)."""

    def __init__(self, db, redis_ok: bool, statuses: list[dict], settings):
        self.db = db
        self.redis_ok = redis_ok
        self.statuses = statuses
        self.settings = settings

    def collect(self):
        database = self._database()
        up = GaugeMetricFamily("sll_up", "1 when the component answers (database: at the right schema version).",
                               labels=["component"])
        up.add_metric(["database"], 1 if database else 0)
        up.add_metric(["redis"], 1 if self.redis_ok else 0)
        yield up
        yield from database
        yield from self._binds()
        yield from self._process_counters()
        yield from self._limiters()

    def _limiters(self):
        """Time on the local TPS limiter (Redis unreachable) and whether it is local now, per process."""
        seconds = CounterMetricFamily("sll_limiter_local_seconds", "Seconds the process's TPS limiter ran on its "
                                      "local share because Redis was unreachable.", labels=["connection", "process"])
        local = GaugeMetricFamily("sll_limiter_local", "1 while the process's TPS limiter is local (Redis "
                                  "unreachable), 0 when shared.", labels=["connection", "process"])
        for status in self.statuses:
            for name, limiter in (status.get("limiters") or {}).items():
                labels = [name, str(status.get("process"))]
                seconds.add_metric(labels, limiter.get("local_seconds", 0))
                local.add_metric(labels, 1 if limiter.get("mode") == "local" else 0)
        return [seconds, local]

    def _database(self) -> list:
        if self.db is None:
            return []
        try:
            messages = stats.message_counts(self.db)
            due = stats.due_count(self.db)
            inbox = stats.inbox_counts(self.db)
            receipts = stats.receipt_counts(self.db, self.settings.sms.orphan_receipt_ttl)
            runs = stats.digest_run_counts(self.db)
        except sqlite3.Error:
            logger.exception("metrics: database counts failed")
            return []
        out = GaugeMetricFamily("sll_outbox_messages", "Outbox messages by state and kind.", labels=["state", "kind"])
        for state in MessageState:
            for kind in MessageKind:
                out.add_metric([state.value, kind.value], messages.get((state.value, kind.value), 0))
        backlog = GaugeMetricFamily("sll_outbox_due", "Queued messages whose send time has come.", value=due)
        mo = GaugeMetricFamily("sll_inbox_messages", "Parent texts (MO) by state.", labels=["state"])
        for state in INBOX_STATES:
            mo.add_metric([state], inbox.get(state, 0))
        rc = GaugeMetricFamily("sll_receipts", "Delivery receipts: matched to a part, orphan (waiting for its "
                               "submit_sm_resp), given_up (orphan past sms.orphan_receipt_ttl).", labels=["status"])
        for status, n in receipts.items():
            rc.add_metric([status], n)
        dr = GaugeMetricFamily("sll_digest_runs", "Evening digest runs (one per school and date) by state.",
                               labels=["state"])
        for state in DIGEST_RUN_STATES:
            dr.add_metric([state], runs.get(state, 0))
        return [out, backlog, mo, rc, dr]

    def _binds(self):
        opened = GaugeMetricFamily("sll_smpp_binds", "SMPP binds the live processes hold open or try to.",
                                   labels=["connection"])
        bound = GaugeMetricFamily("sll_smpp_binds_up", "SMPP binds bound now.", labels=["connection"])
        allowed = GaugeMetricFamily("sll_smpp_max_binds", "Binds the account allows (smsc.max_binds).",
                                    labels=["connection"])
        in_flight = GaugeMetricFamily("sll_smpp_in_flight", "submit_sm waiting for their response.",
                                      labels=["connection", "process"])
        reconnects = CounterMetricFamily("sll_smpp_reconnects", "Reconnects of the process's binds.",
                                         labels=["connection", "process"])
        processes = GaugeMetricFamily("sll_processes", "Live SMPP processes (gateway, worker) by whether they send.",
                                      labels=["sends"])
        sends = sum(1 for s in self.statuses if s.get("sends"))
        processes.add_metric(["true"], sends)
        processes.add_metric(["false"], len(self.statuses) - sends)
        for conn in self.settings.smsc:
            total = up = 0
            for status in self.statuses:
                for account in status.get("connections", ()):
                    if account.get("connection") != conn.name:
                        continue
                    binds = account.get("binds", ())
                    total += len(binds)
                    up += sum(1 for b in binds if b.get("state") == SessionState.BOUND.value)
                    labels = [conn.name, str(status.get("process"))]
                    in_flight.add_metric(labels, sum(b.get("in_flight", 0) for b in binds))
                    reconnects.add_metric(labels, sum(b.get("reconnects", 0) for b in binds))
            opened.add_metric([conn.name], total)
            bound.add_metric([conn.name], up)
            allowed.add_metric([conn.name], conn.max_binds)
        return [processes, opened, bound, allowed, in_flight, reconnects]

    def _process_counters(self):
        """Whatever counters Engine.status() carries, one family per counter, labelled by process."""
        families: dict[str, CounterMetricFamily] = {}

        def add(name: str, doc: str, process: str, value) -> None:
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                return
            if name not in families:
                families[name] = CounterMetricFamily(name, doc, labels=["process"])
            families[name].add_metric([process], value)

        for status in self.statuses:
            process = str(status.get("process"))
            for key, value in (status.get("sender") or {}).items():
                add(f"sll_sender_{_name(key)}", f"Sender: {key} (outbox/sender.py SenderStats).", process, value)
            for key, value in (status.get("inbound") or {}).items():
                add(f"sll_inbound_{_name(key)}", f"Inbound deliver_sm: {key}.", process, value)
            add("sll_mo_answered", "Parent texts answered by the process.", process, status.get("answered"))
            add("sll_receipts_applied", "Receipts applied to their message by the process.", process,
                status.get("receipts_applied"))
        return list(families.values())
