"""Fixtures for the SMSC simulator: a fresh simulator per test, and a python-smpplib ESME to drive it."""
from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request

import pytest
import smpplib.client
import smpplib.consts
import smpplib.exceptions

from sim import Simulator

SIM_SYSTEM_ID = "sll"
SIM_PASSWORD = "secret"


@pytest.fixture
def make_sim():
    """Factory: ``make_sim(**behaviour, control_port=None)`` starts a simulator; all are stopped after the test.

    Credentials default to system_id "sll", password "secret" (pass None to accept any).
    """
    sims: list[Simulator] = []

    def make(control_port: int | None = None, host: str = "127.0.0.1", **behaviour) -> Simulator:
        # A short response_timeout keeps a test whose ESME does not read from hanging for long.
        behaviour = {"system_id": SIM_SYSTEM_ID, "password": SIM_PASSWORD, "response_timeout": 3.0, **behaviour}
        sim = Simulator(host=host, port=0, control_port=control_port, **behaviour).start()
        sims.append(sim)
        return sim

    yield make
    for sim in sims:
        sim.stop()


@pytest.fixture
def smsc_sim(make_sim) -> Simulator:
    """A fresh simulator on a free port: ``.host``, ``.port``, ``.system_id``, ``.password`` and the API."""
    return make_sim()


class SmppEsme:
    """A python-smpplib client bound to a simulator, recording what it receives, for tests."""

    def __init__(self, host: str, port: int, kind: str = "trx", system_id: str = SIM_SYSTEM_ID,
                 password: str = SIM_PASSWORD):
        self.client = smpplib.client.Client(host, port, timeout=0.2, allow_unknown_opt_params=True)
        self.client.connect()
        # smpplib sends one PDU per sendall: without NODELAY, Nagle stalls every exchange.
        self.client._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.delivered: list = []        # deliver_sm PDUs (MO and receipts), in arrival order
        self.responses: dict = {}        # sequence -> submit_sm_resp PDU
        self.order: list[tuple] = []     # ("deliver", pdu) / ("resp", pdu) in arrival order
        self.deliver_status = None       # what message_received_handler returns (None = ROK)
        self.on_deliver = None           # optional callback(pdu) run inside the handler
        self.client.set_message_received_handler(self._received)
        self.client.set_message_sent_handler(self._sent)
        self.client.set_error_pdu_handler(lambda pdu: None)  # error statuses are data here
        bind = {"trx": self.client.bind_transceiver, "rx": self.client.bind_receiver,
                "tx": self.client.bind_transmitter}[kind]
        # The bind_resp may take longer than the pump's 0.2 s on a loaded machine: a bind waits up to 10 s.
        self.client._socket.settimeout(10)
        try:
            bind(system_id=system_id, password=password)
        except BaseException:
            self.client.disconnect()      # a refused bind leaves no socket behind
            raise
        self.client._socket.settimeout(0.2)

    def _received(self, pdu, **_):
        status = self.deliver_status
        self.delivered.append(pdu)
        self.order.append(("deliver", pdu))
        if self.on_deliver is not None:
            self.on_deliver(pdu)
        return status

    def _sent(self, pdu, **_):
        self.responses[pdu.sequence] = pdu
        self.order.append(("resp", pdu))

    @property
    def receipts(self) -> list:
        """deliver_sm PDUs flagged as delivery receipts."""
        return [p for p in self.delivered if p.esm_class & 0x3C == 0x04]

    @property
    def mos(self) -> list:
        """deliver_sm PDUs that are not receipts."""
        return [p for p in self.delivered if p.esm_class & 0x3C != 0x04]

    def submit(self, destination: str = "84912345678", short_message: bytes = b"hello", **fields) -> int:
        """Send a submit_sm (receipt requested unless told otherwise); returns its sequence number."""
        fields.setdefault("registered_delivery", 1)
        fields.setdefault("source_addr", "8085")
        pdu = self.client.send_message(destination_addr=destination, short_message=short_message, **fields)
        return pdu.sequence

    def pump(self, until, timeout: float = 5.0):
        """Read PDUs until ``until()`` is true; AssertionError after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while not until():
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout} s; received {len(self.delivered)} "
                                     f"deliver_sm and {len(self.responses)} responses")
            self.client.read_once()
        return True

    def background(self, until, timeout: float = 5.0) -> "Reader":
        """Pump in a thread (while the test blocks in `push_mo`); `join()` it afterwards."""
        return Reader(self, until, timeout)

    def close(self) -> None:
        """Close the socket without an unbind (the simulator is a test peer)."""
        self.client.disconnect()


class Reader(threading.Thread):
    """A thread pumping an SmppEsme; `join()` re-raises what went wrong in it."""

    def __init__(self, esme: SmppEsme, until, timeout: float):
        super().__init__(daemon=True)
        self.esme, self.until, self.timeout = esme, until, timeout
        self.error: BaseException | None = None
        self.start()

    def run(self):
        try:
            self.esme.pump(self.until, self.timeout)
        except (AssertionError, OSError, smpplib.exceptions.ConnectionError) as e:
            self.error = e

    def join(self, timeout: float | None = None):
        """Wait for the pump to finish; raise its error here."""
        super().join(timeout if timeout is not None else self.timeout + 1)
        if self.error is not None:
            raise self.error


@pytest.fixture
def esme_factory():
    """Factory: ``esme_factory(sim, kind="trx", system_id=..., password=...)`` -> a bound SmppEsme, closed after."""
    made: list[SmppEsme] = []

    def make(sim: Simulator, kind: str = "trx", system_id: str | None = None, password: str | None = None):
        esme = SmppEsme(sim.host, sim.port, kind, system_id or sim.system_id or SIM_SYSTEM_ID,
                        password or sim.password or SIM_PASSWORD)
        made.append(esme)
        return esme

    yield make
    for esme in made:
        try:
            esme.close()
        except (OSError, smpplib.exceptions.ConnectionError):
            pass


def http_json(url, body=None, method=None):
    """Call the simulator's HTTP control API: POST ``body`` as JSON (GET without one); the JSON answer."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method or ("POST" if data else "GET"),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())
