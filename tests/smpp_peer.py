"""A real SMPP peer for the gateway tests: the third-party smpp34 server, scripted.

``SmppPeer`` runs ``smpp34.Server`` on its own asyncio loop in a thread.
``TapProxy`` is a byte relay put between our bind and that server: it records
every PDU header both ways (what the peer really saw), can push a PDU to our
side as the SMSC would (smpp34 sends enquire_link only every 30 s) and can cut
the TCP connections (smpp34 has no call to drop a session).
"""
from __future__ import annotations

import asyncio
import itertools
import socket
import struct
import threading
import time
from dataclasses import dataclass

import smpp34

ENQUIRE_LINK = 0x00000015
ENQUIRE_LINK_RESP = 0x80000015
UNBIND = 0x00000006
UNBIND_RESP = 0x80000006
SUBMIT_SM = 0x00000004
DELIVER_SM_RESP = 0x80000005


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float = 10.0, interval: float = 0.01) -> bool:
    """Poll ``predicate`` until true or ``timeout``; return its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


class SmppPeer:
    """smpp34.Server in a thread. ``on_submit(event)`` decides each submit_sm (default: accept)."""

    def __init__(self, system_id: str = "SIM"):
        self.port = free_port()
        self.system_id = system_id
        self.loop = asyncio.new_event_loop()
        self.esmes: list = []
        self.submits: list = []
        self.held: list = []
        self.unbound: list[str] = []
        self.on_submit = self.accept
        self._ids = itertools.count(1)
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self.loop.run_forever, name="smpp34-peer", daemon=True)

    def start(self) -> "SmppPeer":
        self._thread.start()
        self.call(self._start)
        return self

    async def _start(self):
        self.server = smpp34.Server("127.0.0.1", self.port, system_id=self.system_id)
        await self.server.start()
        self._task = asyncio.ensure_future(self._serve())

    async def _serve(self):
        while True:
            ev = await self.server.next()
            if isinstance(ev, smpp34.Esme):
                self.esmes.append(ev)
            elif isinstance(ev, smpp34.SubmitSmEvent):
                self.submits.append(ev)
                self.on_submit(ev)
            elif isinstance(ev, smpp34.Unbound):
                self.unbound.append(ev.session_id)

    def stop(self) -> None:
        async def _stop():
            self._task.cancel()
            await self.server.stop()
        self.call(_stop)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)

    def call(self, coro_fn, timeout: float = 10.0):
        """Run ``await coro_fn()`` on the peer's loop and return its result."""
        async def run():
            return await coro_fn()
        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout)

    # -- submit policies (run on the peer's loop) --
    def accept(self, ev) -> None:
        """Accept with the next message id, upper-case hex with leading zeros."""
        ev.accept(f"{next(self._ids):08X}")

    def hold(self, ev) -> None:
        """Answer nothing now; the test accepts later (or never)."""
        self.held.append(ev)

    def accept_held(self, order) -> None:
        """Accept held submits in the given index order, on the peer's loop."""
        async def go():
            for i in order:
                self.held[i].accept(f"H{i}")
        self.call(go)

    def deliver(self, esme, short_message: bytes, source_addr: str = "84912345678", **kw) -> int:
        """Push a deliver_sm to ``esme``; return the deliver_sm_resp status it got."""
        async def go():
            resp = await esme.deliver_sm("8088", short_message, source_addr=source_addr, **kw)
            return resp.command_status
        return self.call(go)

    def deliver_nowait(self, esme, short_message: bytes, source_addr: str = "84912345678", **kw) -> None:
        """Push a deliver_sm without awaiting its response.

        smpp34 1.5.0 answers a deliver_sm_resp from a *receiver* bind with
        generic_nack ESME_RINVCMDID and never completes the await: read the
        response from a TapProxy instead.
        """
        async def go():
            asyncio.ensure_future(esme.deliver_sm("8088", short_message, source_addr=source_addr, **kw))
        self.call(go)

    def unbind(self, esme) -> None:
        """Send unbind to ``esme`` (smpp34 never completes the await; do not wait on it)."""
        async def go():
            asyncio.ensure_future(esme.unbind())
        self.call(go)


@dataclass(frozen=True)
class Frame:
    direction: str          # "in": peer -> our bind, "out": our bind -> peer
    command_id: int
    status: int
    sequence: int
    body: bytes


class TapProxy:
    """TCP relay our bind -> smpp34 that records PDUs, injects PDUs and cuts links."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.frames: list[Frame] = []
        self.mute = False                        # stop passing the peer's PDUs to our bind (a hung SMSC)
        self.on_unbind: str | None = None        # "stray": answer our unbind with a wrong sequence only;
                                                 # "answer": a wrong one, then the right one (peer never sees it)
        self._links: list[tuple[socket.socket, socket.socket, threading.Lock]] = []
        self._swallow: set[int] = set()          # our answers to injected requests stop here
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, args=(self.listener,), name="tap-accept", daemon=True).start()

    def pause(self) -> None:
        """Stop listening: connection attempts are refused, as when the SMSC is down."""
        try:
            self.listener.shutdown(socket.SHUT_RDWR)    # wakes the blocked accept() on Linux
        except OSError:
            pass
        self.listener.close()

    def resume(self) -> None:
        """Listen again on the same port."""
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self.listener,), name="tap-accept", daemon=True).start()

    def _accept(self, listener: socket.socket):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            to_client = threading.Lock()
            with self._lock:
                self._links.append((client, upstream, to_client))
            threading.Thread(target=self._pump, args=(client, upstream, "out", threading.Lock()), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, "in", to_client), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, direction: str, write_lock: threading.Lock):
        buf = b""
        try:
            while True:
                chunk = src.recv(65536)
                if not chunk:
                    break
                buf += chunk
                while len(buf) >= 16 and len(buf) >= struct.unpack(">L", buf[:4])[0]:
                    length, cid, status, seq = struct.unpack(">LLLL", buf[:16])
                    raw, buf = buf[:length], buf[length:]
                    with self._lock:
                        self.frames.append(Frame(direction, cid, status, seq, raw[16:]))
                        swallow = (direction == "out" and cid & 0x80000000 and seq in self._swallow) \
                            or (direction == "in" and self.mute)
                    if direction == "out" and cid == UNBIND and self.on_unbind:
                        self._answer_unbind(src, seq)
                    elif not swallow:
                        with write_lock:
                            dst.sendall(raw)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _answer_unbind(self, client: socket.socket, seq: int) -> None:
        with self._lock:
            to_client = next(lock for c, _, lock in self._links if c is client)
        replies = [(UNBIND_RESP, seq ^ 0x40000000), (ENQUIRE_LINK_RESP, seq)]
        if self.on_unbind == "answer":
            replies.append((UNBIND_RESP, seq))
        with to_client:
            for cid, s in replies:
                client.sendall(struct.pack(">LLLL", 16, cid, 0, s))

    def inject(self, command_id: int, sequence: int, body: bytes = b"") -> None:
        """Send a PDU to our bind on the newest link, as the SMSC would."""
        with self._lock:
            client, _, to_client = self._links[-1]
            self._swallow.add(sequence)
        with to_client:
            client.sendall(struct.pack(">LLLL", 16 + len(body), command_id, 0, sequence) + body)

    def drop(self) -> None:
        """Cut every relayed connection at once, as a crashed SMSC or a broken line would."""
        with self._lock:
            links, self._links = self._links, []
        for client, upstream, _ in links:
            for s in (client, upstream):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def seen(self, direction: str, command_id: int) -> list[Frame]:
        """Frames of one command seen in one direction."""
        with self._lock:
            return [f for f in self.frames if f.direction == direction and f.command_id == command_id]

    def close(self) -> None:
        self.pause()
        self.drop()
