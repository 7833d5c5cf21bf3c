#!/usr/bin/env python3
"""A fast SMSC peer for the benchmarks: the bare third-party smpp34 server, with receipts and no relay.

    .venv/bin/python bench/fast_smsc.py [--port 0] [--no-receipts]

Accepts every bind and every submit_sm at once (hex ids), and for each one
asking for a receipt sends a DELIVRD deliver_sm (TLVs receipted_message_id
and message_state, plus the text form) to the bind that submitted it. It
prints `port N` on stdout once listening and runs until killed. The
simulator (`sim`) decodes, logs and relays every PDU and tops out near
2,700 submits/s here; this peer (`bench_e2e.py --peer smpp34`) reaches ~3,000
with ~0.25 ms of CPU a message. bench/node_smsc/ (node-smpp, ~0.05 ms) is
the default peer of bench_e2e.py: on two cores this one competes with the
gateway it measures.
"""
from __future__ import annotations

import argparse
import asyncio
import socket
import sys

import smpp34

TLV_RECEIPTED_MESSAGE_ID = 0x001E
TLV_MESSAGE_STATE = 0x0427
DELIVRD = 2


def receipt_text(rid: str) -> bytes:
    """The de-facto receipt text of a delivered message."""
    return (f"id:{rid} sub:001 dlvrd:001 submit date:2601010000 done date:2601010000 stat:DELIVRD err:000 "
            "text:").encode("ascii")


def _settled(pending: set):
    """A done-callback that forgets the task and retrieves its error (a bind that went away)."""
    def done(task):
        pending.discard(task)
        if not task.cancelled():
            task.exception()
    return done


async def serve(port: int, receipts: bool) -> None:
    """Listen on ``port`` (0 = a free one) until cancelled."""
    if not port:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
    server = smpp34.Server("127.0.0.1", port, system_id="FASTSMSC")
    await server.start()
    print(f"port {port}", flush=True)
    sessions: dict = {}
    pending: set = set()
    n = 0
    while True:
        ev = await server.next()
        if isinstance(ev, smpp34.SubmitSmEvent):
            n += 1
            rid = f"{n:08X}"
            ev.accept(rid)
            esme = sessions.get(ev.session_id)
            if receipts and esme is not None and ev.registered_delivery & 0x03:
                task = asyncio.ensure_future(esme.deliver_sm(
                    ev.source_addr, receipt_text(rid), source_addr=ev.destination_addr, esm_class=0x04,
                    tlvs=[smpp34.Tlv(TLV_RECEIPTED_MESSAGE_ID, rid.encode("ascii") + b"\0"),
                          smpp34.Tlv(TLV_MESSAGE_STATE, bytes((DELIVRD,)))]))
                pending.add(task)
                task.add_done_callback(_settled(pending))
        elif isinstance(ev, smpp34.Esme):
            sessions[ev.session_id] = ev
        elif isinstance(ev, (smpp34.Unbound, smpp34.Disconnected)):
            sessions.pop(getattr(ev, "session_id", None), None)


def main(argv: list[str] | None = None) -> None:
    """Run the peer until killed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--no-receipts", action="store_true")
    args = parser.parse_args(argv)
    try:
        asyncio.run(serve(args.port, not args.no_receipts))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
