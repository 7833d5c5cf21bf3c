"""The wire layer of a bind: python-smpplib's Client with one write lock, framing and PDU conversion.

Split from gateway.session (which owns the bind's life: reader thread,
keep-alive, reconnect, window). Nothing here keeps state beyond a socket.
"""
from __future__ import annotations

import itertools
import logging
import random
import select
import socket
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Callable

from smpplib import client as smpp_client
from smpplib import command_codes, consts, exceptions, smpp

from gateway import BindRefused, Deliver, GatewayError, ProtocolError, SessionUnavailable
from outbox.transport import SubmitPart
from settings import SmscSettings

logger = logging.getLogger(__name__)

MAX_PDU = 64 * 1024
BIND_TICK = 0.2         # seconds between reads while waiting for the bind response


class LinkLost(GatewayError):
    """The TCP link of bind ``bind`` is gone (``reason``); pending submits are ambiguous."""

    def __init__(self, bind: str, reason: str):
        self.bind = bind
        self.reason = reason
        super().__init__(f"bind {bind}: {reason}")


class PeerUnbound(GatewayError):
    """The SMSC sent unbind; we answered and reconnect."""


class SequenceGenerator:
    """smpplib's sequence generator, made safe for the reader and the submitters."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counter = itertools.count(1)
        self.sequence = 0

    def next_sequence(self) -> int:
        """The next sequence number (1 .. 0x7FFFFFFF, wrapping)."""
        with self._lock:
            n = next(self._counter)
            if n > 0x7FFFFFFF:
                self._counter = itertools.count(2)
                n = 1
            self.sequence = n
            return n


class ParseOnly:
    """Stand-in client for parsing: incoming PDUs must not consume our sequence numbers."""

    sequence = 0

    @staticmethod
    def next_sequence() -> int:
        return 0


# Linux: acknowledge at once instead of after the delayed-ACK timer (~40 ms). An SMSC that leaves Nagle on
# (smpp34's server does) holds its next small PDU until our ACK comes; the flag resets itself, so it is set
# again after every read.
QUICKACK = getattr(socket, "TCP_QUICKACK", None)


class SmppClient(smpp_client.Client):
    """smpplib Client with one write lock, TCP_NODELAY and buffered framing."""

    def __init__(self, host: str, port: int, timeout: float, sequence, name: str):
        super().__init__(host, port, timeout=timeout, sequence_generator=sequence,
                         logger_name=f"{__name__}.{name}", allow_unknown_opt_params=True)
        self.name = name
        self._write_lock = threading.Lock()
        self._buf = bytearray()

    def connect(self) -> None:
        """Connect, then switch Nagle off (one small PDU per sendall: 49 msg/s with it on)."""
        try:
            super().connect()
        except exceptions.ConnectionError as e:
            raise LinkLost(self.name, f"cannot connect to {self.host}:{self.port}") from e
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def send_pdu(self, p) -> bool:
        """Write one PDU; every writer (submitters and the reader) goes through the lock."""
        allowed = consts.COMMAND_STATES.get(p.command)
        if allowed is not None and self.state not in allowed:
            raise SessionUnavailable(self.name, f"in smpplib state {self.state} for {p.command}")
        self.send_raw(p.generate())
        return True

    def encode_submit(self, part: SubmitPart) -> tuple[int, bytes]:
        """The sequence number and bytes of ``part``'s submit_sm (encoded here when it has no TLVs)."""
        if part.optional or len(part.short_message) > 254:
            pdu = smpp.make_pdu("submit_sm", client=self, **submit_fields(part))
            return pdu.sequence, pdu.generate()
        sequence = self.next_sequence()
        return sequence, encode_submit_sm(part, sequence)

    def send_submit(self, data: bytes) -> None:
        """Write an encoded submit_sm (refused unless bound to transmit)."""
        if self.state not in consts.COMMAND_STATES["submit_sm"]:
            raise SessionUnavailable(self.name, f"in smpplib state {self.state} for submit_sm")
        self.send_raw(data)

    def send_deliver_sm_resp(self, sequence: int, status: int) -> None:
        """A deliver_sm_resp, encoded here (the same 17 bytes smpplib writes, without its PDU object)."""
        allowed = consts.COMMAND_STATES["deliver_sm_resp"]
        if self.state not in allowed:
            raise SessionUnavailable(self.name, f"in smpplib state {self.state} for deliver_sm_resp")
        self.send_raw(DELIVER_SM_RESP_HEAD + status.to_bytes(4, "big") + sequence.to_bytes(4, "big") + b"\0")

    def send_raw(self, data: bytes) -> None:
        """Write encoded PDUs, or keep them for the end of this thread's ``corked()`` block."""
        pending = getattr(_cork, "pending", None)
        if pending is not None:
            pending.setdefault(self, bytearray()).extend(data)
            return
        with self._write_lock:
            sock = self._socket
            if sock is None:
                raise LinkLost(self.name, "socket closed")
            try:
                sock.sendall(data)
            except OSError as e:
                raise LinkLost(self.name, f"write failed: {e}") from e

    def read_frames(self, timeout: float) -> list[bytes]:
        """Wait up to ``timeout`` for bytes; return every complete raw PDU buffered."""
        sock = self._socket
        if sock is None:
            raise LinkLost(self.name, "socket closed")
        try:
            readable, _, _ = select.select([sock], [], [], timeout)
            if readable:
                chunk = sock.recv(65536)
                if not chunk:
                    raise LinkLost(self.name, "peer closed the connection")
                if QUICKACK is not None:
                    sock.setsockopt(socket.IPPROTO_TCP, QUICKACK, 1)
                self._buf += chunk
        except (OSError, ValueError) as e:   # ValueError: fd closed under us by close()
            raise LinkLost(self.name, f"read failed: {e}") from e
        frames = []
        while len(self._buf) >= 4:
            length = int.from_bytes(self._buf[:4], "big")
            if length < 16 or length > MAX_PDU:
                raise ProtocolError(self.name, f"impossible command_length {length}")
            if len(self._buf) < length:
                break
            frames.append(bytes(self._buf[:length]))
            del self._buf[:length]
        return frames

    def shutdown(self) -> None:
        """Break the link so a blocked reader wakes up; then close the socket."""
        sock, self._socket = self._socket, None
        self.state = consts.SMPP_CLIENT_STATE_CLOSED
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()


DELIVER_SM_RESP_HEAD = (17).to_bytes(4, "big") + (0x80000005).to_bytes(4, "big")
SUBMIT_SM_RESP = 0x80000004
_cork = threading.local()


@contextmanager
def corked(before_flush: Callable[[], None] | None = None):
    """Within the block, this thread's writes are gathered per link and sent with one sendall each at its
    end (the deliver_sm_resps of a committed batch: one system call for the lot, not one each).

    ``before_flush()`` runs at the end of the block when something was gathered, just before it is written
    (the sender takes the chunk's rate slots there: they are then spent by the write itself, not by the
    encoding before it). Inside an outer block the writes wait for the outer one, which its own
    ``before_flush`` does not cover: the sender never nests.
    """
    if getattr(_cork, "pending", None) is not None:
        yield
        return
    _cork.pending = {}
    try:
        yield
    finally:
        pending, _cork.pending = _cork.pending, None
        if pending and before_flush is not None:
            before_flush()
        for client, data in pending.items():
            try:
                client.send_raw(bytes(data))
            except GatewayError as e:
                # Submits among them are answered as ambiguous by the reader's teardown; a deliver_sm whose
                # resp is lost is delivered again by the SMSC.
                logger.info("bind %s: %d bytes of PDUs not sent (%s)", client.name, len(data), e)


def connect_and_bind(client: SmppClient, s: SmscSettings, bind_type: str) -> list[bytes]:
    """Connect ``client`` and bind it as ``bind_type`` (transceiver, ...); returns any PDUs that came right
    behind the bind response. Raises BindRefused or LinkLost (the client shut down)."""
    try:
        client.connect()
        pdu = smpp.make_pdu(f"bind_{bind_type}", client=client, system_id=s.system_id,
                            password=s.password, system_type=s.system_type)
        client.send_pdu(pdu)
        deadline = time.monotonic() + s.response_timeout
        while (left := deadline - time.monotonic()) > 0:
            frames = client.read_frames(min(left, BIND_TICK))
            for i, raw in enumerate(frames):
                resp = parse(raw)
                if resp is None or resp.sequence != pdu.sequence:
                    logger.warning("bind %s: PDU before the bind response ignored", client.name)
                    continue
                if resp.status != consts.SMPP_ESME_ROK:
                    raise BindRefused(client.name, resp.status)
                client.state = consts.STATE_SETTERS[f"{pdu.command}_resp"]
                return frames[i + 1:]
        raise LinkLost(client.name, f"no bind response within {s.response_timeout}s")
    except BaseException:
        client.shutdown()
        raise


def respond(client: SmppClient, command: str, sequence: int, status: int = consts.SMPP_ESME_ROK) -> None:
    """Answer the SMSC's request ``sequence`` with ``command`` (deliver_sm_resp, enquire_link_resp, ...)."""
    try:
        if command == "deliver_sm_resp":
            client.send_deliver_sm_resp(sequence, status)
            return
        resp = smpp.make_pdu(command, client=client, status=status)
        resp.sequence = sequence
        client.send_pdu(resp)
    except SessionUnavailable as e:     # e.g. a deliver_sm on a transmitter bind
        logger.warning("bind %s: cannot answer %s: %s", client.name, command, e)


def nack_unreadable(client: SmppClient, raw: bytes) -> None:
    """generic_nack for a request smpplib cannot read (unknown command, or a damaged known one)."""
    command_id = int.from_bytes(raw[4:8], "big")
    if not command_id & 0x80000000:
        known = command_id in consts_command_ids()
        respond(client, "generic_nack", int.from_bytes(raw[12:16], "big"),
                consts.SMPP_ESME_RSYSERR if known else consts.SMPP_ESME_RINVCMDID)


def stamped(text: str) -> str:
    """``text`` after the UTC time, to the second (a bind's last error)."""
    return f"{datetime.now(timezone.utc).isoformat(timespec='seconds')} {text}"


def backoff(attempt: int, cap: float) -> float:
    """Exponential back-off from 1 s, with jitter, capped at ``cap`` (reconnect_max)."""
    return min(cap, 2.0 ** attempt) * random.uniform(0.5, 1.0)


def consts_command_ids() -> set[int]:
    """Command ids smpplib knows (an unreadable one of these is damaged, not unknown)."""
    return set(command_codes.commands.values())


def parse(raw: bytes):
    """An smpplib PDU from raw bytes, or None when smpplib cannot read it.

    A submit_sm_resp (half of what arrives under load) is read here: its header and message_id are all
    the session looks at, and smpplib's PDU objects cost more than the rest of its handling.
    """
    command_id = int.from_bytes(raw[4:8], "big")
    if command_id == SUBMIT_SM_RESP:
        return SimpleNamespace(command="submit_sm_resp", status=int.from_bytes(raw[8:12], "big"),
                               sequence=int.from_bytes(raw[12:16], "big"),
                               message_id=raw[16:].split(b"\0", 1)[0] if len(raw) > 16 else None)
    if command_id == DELIVER_SM:
        fast = _plain_deliver_sm(raw)
        if fast is not None:
            return fast
    try:
        return smpp.parse_pdu(raw, client=ParseOnly(), allow_unknown_opt_params=True)
    except (exceptions.UnknownCommandError, ValueError, IndexError, KeyError, TypeError) as e:
        logger.warning("unreadable PDU %s: %s", raw[:16].hex(), e)
        return None


DELIVER_SM = 0x00000005
_RECEIPT_TLVS = {0x001E: "receipted_message_id", 0x0427: "message_state", 0x0423: "network_error_code"}
_TLV_SIZES = {"message_state": 1, "network_error_code": 3}     # fixed sizes; smpplib reads any other


def _c_string(raw: bytes, at: int) -> tuple[bytes, int]:
    end = raw.index(b"\0", at)
    return raw[at:end], end + 1


def _plain_deliver_sm(raw: bytes):
    """A deliver_sm read here when its only TLVs are a receipt's (receipted_message_id, message_state,
    network_error_code): the fields deliver_from_pdu() reads, as smpplib would give them. None for anything
    else (smpplib reads it)."""
    try:
        at = raw.index(b"\0", 16) + 1                          # service_type
        pdu = SimpleNamespace(command="deliver_sm", status=int.from_bytes(raw[8:12], "big"),
                              sequence=int.from_bytes(raw[12:16], "big"), params=[],
                              source_addr_ton=raw[at], source_addr_npi=raw[at + 1])
        pdu.source_addr, at = _c_string(raw, at + 2)
        pdu.dest_addr_ton, pdu.dest_addr_npi = raw[at], raw[at + 1]
        pdu.destination_addr, at = _c_string(raw, at + 2)
        pdu.esm_class, pdu.protocol_id = raw[at], raw[at + 1]
        at = raw.index(b"\0", raw.index(b"\0", at + 3) + 1) + 1      # schedule_delivery_time, validity_period
        pdu.data_coding, length = raw[at + 2], raw[at + 4]
        pdu.short_message, at = raw[at + 5:at + 5 + length], at + 5 + length
        while at < len(raw):
            tag, size = int.from_bytes(raw[at:at + 2], "big"), int.from_bytes(raw[at + 2:at + 4], "big")
            name, value = _RECEIPT_TLVS.get(tag), raw[at + 4:at + 4 + size]
            if name is None or len(value) != size or _TLV_SIZES.get(name, size) != size:
                return None
            setattr(pdu, name, value[0] if name == "message_state" else value)
            pdu.params.append(name)
            at += 4 + size
    except (ValueError, IndexError):
        return None
    return pdu if len(pdu.short_message) == length and at == len(raw) else None


def pdu_text(value) -> str:
    """A C-octet string field as str (smpplib hands back bytes)."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.split(b"\0", 1)[0].decode("ascii", "replace").strip()
    return str(value)


def deliver_from_pdu(pdu, connection: str, bind: str) -> Deliver:
    """The fields of a smpplib deliver_sm as a Deliver."""
    tlvs = {}
    for name in pdu.params:
        if name in consts.OPTIONAL_PARAMS:
            value = getattr(pdu, name, None)
            if value is not None:
                tlvs[name] = pdu_text(value) if name == "receipted_message_id" else value
    return Deliver(connection=connection, bind=bind, source_addr=pdu_text(pdu.source_addr),
                   dest_addr=pdu_text(pdu.destination_addr), short_message=pdu.short_message or b"",
                   source_ton=pdu.source_addr_ton or 0, source_npi=pdu.source_addr_npi or 0,
                   dest_ton=pdu.dest_addr_ton or 0, dest_npi=pdu.dest_addr_npi or 0,
                   esm_class=pdu.esm_class or 0, data_coding=pdu.data_coding or 0,
                   protocol_id=pdu.protocol_id or 0, sequence=pdu.sequence, tlvs=tlvs)


def encode_submit_sm(part: SubmitPart, sequence: int) -> bytes:
    """The submit_sm of ``part`` without TLVs, byte for byte as smpplib writes it, in about 1 % of smpplib's
    time (its PDU objects cost more than the rest of a submit's handling)."""
    body = b"".join((
        b"\0", bytes((part.source_ton, part.source_npi)), part.source_addr.encode("ascii"), b"\0",
        bytes((part.dest_ton, part.dest_npi)), part.destination_addr.encode("ascii"), b"\0",
        bytes((part.esm_class, 0, 0)), b"\0", (part.validity_period or "").encode("ascii"), b"\0",
        bytes((part.registered_delivery, 0, part.data_coding, 0, len(part.short_message))), part.short_message))
    return (16 + len(body)).to_bytes(4, "big") + SUBMIT_SM_HEAD + sequence.to_bytes(4, "big") + body


SUBMIT_SM_HEAD = (4).to_bytes(4, "big") + bytes(4)


def submit_fields(part: SubmitPart) -> dict:
    """smpplib submit_sm keyword arguments for one SubmitPart."""
    fields = dict(source_addr_ton=part.source_ton, source_addr_npi=part.source_npi,
                  source_addr=part.source_addr, dest_addr_ton=part.dest_ton,
                  dest_addr_npi=part.dest_npi, destination_addr=part.destination_addr,
                  short_message=part.short_message, data_coding=part.data_coding,
                  esm_class=part.esm_class, registered_delivery=part.registered_delivery)
    if part.validity_period:
        fields["validity_period"] = part.validity_period
    fields.update(part.optional)
    return fields
