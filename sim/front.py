"""The simulator's front door: a TCP relay in front of the smpp34 server.

smpp34's Python server accepts every bind (any password), cannot close a
session's socket and does not surface the PDUs it reads. Real SMSCs refuse
wrong passwords, drop connections and, for a test, must show what they
received. So each client connection lands here first: the bind is checked
(and refused with a bind_*_resp of our own when it must be), then the bytes
are relayed to smpp34 unchanged, each inbound PDU logged on its way. Every
other protocol answer (submit_sm_resp, deliver_sm, enquire_link_resp,
unbind_resp, generic_nack) comes from smpp34.
"""
from __future__ import annotations

import asyncio
import itertools
import logging
import os
import socket
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime, timezone

import smpp34

from . import wire

logger = logging.getLogger(__name__)

BIND_TIMEOUT = 10.0   # seconds a new connection has to send its bind (smpp34 allows 5 itself)
ESME_EVENT_TIMEOUT = 5.0


def submit_key(destination_addr, short_message, esm_class, data_coding, registered_delivery, tlvs) -> tuple:
    """What pairs a raw submit_sm seen here with smpp34's SubmitSmEvent for it."""
    return (destination_addr, bytes(short_message), esm_class, data_coding, registered_delivery,
            tuple((t.tag, bytes(t.value)) for t in tlvs))


def nodelay_on_accepted(server_port: int, client_port: int) -> bool:
    """Set TCP_NODELAY on smpp34's end of our backend connection (it lives in this process).

    smpp34's server leaves Nagle on: a deliver_sm written while its previous
    small segment waits for our delayed ACK is held ~40 ms, which is then what
    every MO -> reply latency measured through the simulator shows. Found by
    its addresses among this process's sockets; True when it was set.
    """
    for name in os.listdir("/proc/self/fd"):
        try:
            if not os.readlink(f"/proc/self/fd/{name}").startswith("socket:"):
                continue
            sock = socket.socket(fileno=os.dup(int(name)))
        except OSError:
            continue
        with sock:
            try:
                if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.type != socket.SOCK_STREAM \
                        or sock.getsockname()[1] != server_port \
                        or sock.getpeername()[1] != client_port:
                    continue
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                return True
            except OSError:
                continue
    return False


@dataclass(eq=False)
class Connection:
    """One client TCP connection and the backend connection it is relayed to."""

    id: int
    peer: str
    client: asyncio.StreamWriter
    backend: asyncio.StreamWriter | None = None
    bind: wire.BindRequest | None = None
    session_id: str | None = None
    bound_at: str | None = None
    # Raw submit_sm PDUs decoded by smpp34.decode, waiting for their SubmitSmEvent.
    pending_submits: dict = field(default_factory=lambda: defaultdict(deque))

    def abort(self) -> None:
        """Close both sides at once (the client sees its connection drop)."""
        for w in (self.client, self.backend):
            if w is not None and not w.is_closing():
                w.transport.abort()

    def take_submit(self, key: tuple):
        """The decoded raw submit_sm matching ``key``, or None."""
        queue = self.pending_submits.get(key)
        return queue.popleft() if queue else None


class FrontDoor:
    """Accepts ESME connections, gates binds, relays PDUs to the smpp34 backend."""

    def __init__(self, core, host: str, port: int, backend_port: int):
        self.core = core
        self.host = host
        self.port = port
        self.backend_port = backend_port
        self.connections: dict[int, Connection] = {}
        self._ids = itertools.count(1)
        self._bind_lock = asyncio.Lock()  # one bind at a time: pairs it with its Esme event
        self._server: asyncio.base_events.Server | None = None

    async def start(self) -> int:
        """Listen; returns the port (useful when asked for port 0)."""
        self._server = await asyncio.start_server(self._handle, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        """Stop listening and drop every connection."""
        if self._server is not None:
            self._server.close()
        self.drop_all()
        if self._server is not None:
            await self._server.wait_closed()

    def drop_all(self) -> int:
        """Abort every connection; returns how many there were."""
        conns = list(self.connections.values())
        for conn in conns:
            conn.abort()
        return len(conns)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = "%s:%s" % writer.get_extra_info("peername")[:2]
        conn = Connection(next(self._ids), peer, writer)
        self.connections[conn.id] = conn
        try:
            await self._serve(conn, reader)
        except (ConnectionError, asyncio.IncompleteReadError, wire.FramingError, asyncio.TimeoutError) as e:
            logger.info("connection %s from %s ended: %s", conn.id, peer, e or type(e).__name__)
        finally:
            self.connections.pop(conn.id, None)
            conn.abort()
            self.core.connection_closed(conn)

    async def _serve(self, conn: Connection, reader: asyncio.StreamReader) -> None:
        buffer = bytearray()
        first = await asyncio.wait_for(self._read_pdu(reader, buffer), BIND_TIMEOUT)
        self.core.log_pdu(conn, first)
        bind = wire.parse_bind(first)
        status = self.core.bind_status(bind) if bind is not None else 0
        if status:
            # Refused before any backend connection is opened: an ESME retrying in a tight loop while binds
            # are refused must not pile up connections to smpp34 (a bind then timed out now and then).
            logger.info("refused %s bind of %r from %s: status 0x%02x", bind.kind, bind.system_id,
                        conn.peer, status)
            conn.client.write(wire.bind_refusal(bind, status))
            await conn.client.drain()
            return
        backend_reader, conn.backend = await asyncio.open_connection("127.0.0.1", self.backend_port)
        await self._nodelay_backend(conn)
        if bind is None:
            # Not a bind: let smpp34 answer it as it does (generic_nack) and close.
            conn.backend.write(first)
        else:
            await self._bind(conn, bind, first, backend_reader)
        relay_out = asyncio.ensure_future(self._relay_back(conn, backend_reader))
        try:
            await self._relay_in(conn, reader, buffer)
        finally:
            relay_out.cancel()

    async def _nodelay_backend(self, conn: Connection) -> None:
        # smpp34 accepts on its own thread: its socket may appear a moment after ours connected.
        client_port = conn.backend.get_extra_info("sockname")[1]
        for _ in range(100):
            if nodelay_on_accepted(self.backend_port, client_port):
                return
            await asyncio.sleep(0.002)
        logger.warning("could not set TCP_NODELAY on smpp34's socket for connection %s", conn.id)

    async def _bind(self, conn, bind, pdu, backend_reader) -> None:
        async with self._bind_lock:
            waiter = self.core.expect_esme()
            conn.backend.write(pdu)
            resp_buffer = bytearray()
            resp = await asyncio.wait_for(self._read_pdu(backend_reader, resp_buffer), ESME_EVENT_TIMEOUT)
            if wire.header(resp).status == wire.ESME_ROK:
                esme = await asyncio.wait_for(waiter, ESME_EVENT_TIMEOUT)
                conn.bind = bind
                conn.session_id = esme.session_id
                conn.bound_at = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
                self.core.bound(conn, esme)
            else:
                self.core.cancel_expect(waiter)
            conn.client.write(resp + bytes(resp_buffer))

    @staticmethod
    async def _read_pdu(reader: asyncio.StreamReader, buffer: bytearray) -> bytes:
        while True:
            pdus = wire.split_pdus(buffer)
            if pdus:
                # Only one is expected here; keep any extra bytes for the relay.
                buffer[:0] = b"".join(pdus[1:])
                return pdus[0]
            data = await reader.read(65536)
            if not data:
                raise ConnectionError("closed before a complete PDU")
            buffer += data

    async def _relay_in(self, conn: Connection, reader: asyncio.StreamReader, buffer: bytearray) -> None:
        """Client -> smpp34: log each PDU, remember submit_sm details, forward the bytes."""
        while True:
            pdus = wire.split_pdus(buffer)
            if pdus:
                for pdu in pdus:
                    self.core.log_pdu(conn, pdu)
                    if wire.header(pdu).command_id == wire.SUBMIT_SM:
                        self._remember_submit(conn, pdu)
                conn.backend.write(b"".join(pdus))
                await conn.backend.drain()
            data = await reader.read(65536)
            if not data:
                return
            buffer += data

    @staticmethod
    def _remember_submit(conn: Connection, pdu: bytes) -> None:
        try:
            sm = smpp34.decode(pdu)
        except smpp34.SmppError as e:
            logger.warning("connection %s: undecodable submit_sm (%s)", conn.id, e)
            return
        key = submit_key(sm.destination_addr, sm.short_message, sm.esm_class, sm.data_coding,
                         sm.registered_delivery, sm.tlvs)
        conn.pending_submits[key].append(sm)

    @staticmethod
    async def _relay_back(conn: Connection, reader: asyncio.StreamReader) -> None:
        """smpp34 -> client: bytes as they come."""
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                conn.client.write(data)
                await conn.client.drain()
        except ConnectionError:
            pass
        conn.abort()


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free right now (for smpp34, which cannot listen on port 0 and tell)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]
