"""The raw loop the gateway is measured against: bare python-smpplib, a window of submits in flight, receipts counted.

    .venv/bin/python bench/raw_client.py PORT COUNT WINDOW

As a program (bench_e2e runs two side by side to show the peer's own ceiling): binds, prints `ready`, waits
for a line on stdin, sends COUNT submit_sm, then prints one JSON line {started, ended, cpu} (wall clock
seconds since the epoch, CPU seconds of this process for the run).
"""
from __future__ import annotations

import json
import logging
import socket
import sys
import threading
import time

import smpplib.client
import smpplib.exceptions

from peers import PASSWORD      # bench/ is on the path: this file's folder, or put there by bench_e2e


class RawClient:
    """One transceiver bind with TCP_NODELAY and a reader thread."""

    def __init__(self, port: int, password: str = PASSWORD):
        self.client = smpplib.client.Client("127.0.0.1", port, timeout=2, allow_unknown_opt_params=True)
        self.client.connect()
        self.client._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.client.bind_transceiver(system_id="sll", password=password)
        self.slots = threading.Semaphore(0)        # a window's worth for each run
        self.lock = threading.Lock()
        self.receipts, self.count = 0, 0
        self.done = threading.Event()
        self.closed = threading.Event()
        self.client.set_message_sent_handler(lambda pdu: self.slots.release())
        self.client.set_message_received_handler(self._on_receipt)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _on_receipt(self, pdu):
        with self.lock:
            self.receipts += 1
            if self.receipts == self.count:
                self.done.set()

    def _read(self):
        while not self.closed.is_set():
            try:
                self.client.read_once()
            except (smpplib.exceptions.ConnectionError, smpplib.exceptions.PDUError, OSError):
                return          # closed, or an idle enquire_link after the unbind

    def run(self, count: int, window: int) -> tuple[float, float, float]:
        """Send ``count`` submit_sm, ``window`` unanswered at most, until every receipt came: (started, ended,
        CPU seconds), the times by the wall clock."""
        with self.lock:
            self.receipts, self.count = 0, count
            self.done.clear()
        self.slots = threading.Semaphore(window)
        started, cpu = time.time(), time.process_time()
        for i in range(count):
            self.slots.acquire()
            self.client.send_message(source_addr_ton=3, source_addr="8088", dest_addr_ton=1, dest_addr_npi=1,
                                     destination_addr=f"8492{i:07d}", registered_delivery=1,
                                     short_message=f"Thong bao so {i}: hop phu huynh thu 7".encode())
        self.done.wait(300)
        ended, cpu = time.time(), time.process_time() - cpu
        return started, ended, cpu

    def close(self):
        self.closed.set()
        try:
            self.client.unbind()
        except (smpplib.exceptions.ConnectionError, smpplib.exceptions.PDUError, OSError):
            pass
        self.client.disconnect()


def raw_loop(port: int, count: int, window: int) -> tuple[float, float]:
    """SMS/s and CPU ms a message of one raw loop in this process."""
    client = RawClient(port)
    try:
        started, ended, cpu = client.run(count, window)
    finally:
        client.close()
    return count / (ended - started), cpu * 1000 / count


def main() -> None:
    logging.basicConfig(level=logging.CRITICAL)
    port, count, window = (int(x) for x in sys.argv[1:4])
    client = RawClient(port)
    print("ready", flush=True)
    sys.stdin.readline()
    started, ended, cpu = client.run(count, window)
    client.close()
    print(json.dumps({"started": started, "ended": ended, "cpu": cpu}), flush=True)


if __name__ == "__main__":
    main()
