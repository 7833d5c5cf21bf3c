"""Submit throughput: raw python-smpplib windowed loop vs gateway.binds.Account.submit.

The SMSC is the third-party smpp34 server in another *process* (so it does
not share the GIL with the client), accepting every submit_sm at once.

    .venv/bin/python bench/bench_smpp_raw.py [--count 5000] [--windows 10,50]

Prints msg/s of (a) a bare smpplib loop with TCP_NODELAY keeping `window`
submits in flight and (b) the same number of one-part messages through
Account.submit (one transceiver, same window), and their ratio.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import socket
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from outbox.transport import SubmitPart  # noqa: E402


def _serve(port_queue) -> None:
    """The SMSC process: smpp34.Server accepting everything with a hex id."""
    import smpp34

    async def main():
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = smpp34.Server("127.0.0.1", port, system_id="BENCH")
        await server.start()
        port_queue.put(port)
        n = 0
        while True:
            ev = await server.next()
            if isinstance(ev, smpp34.SubmitSmEvent):
                n += 1
                ev.accept(f"{n:08X}")

    asyncio.run(main())


def raw_smpplib(port: int, count: int, window: int) -> float:
    """msg/s of bare smpplib: a sender thread holding ``window`` in flight, a read_once() thread."""
    import smpplib.client
    import smpplib.exceptions

    client = smpplib.client.Client("127.0.0.1", port, timeout=2, allow_unknown_opt_params=True)
    client.connect()
    client._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    client.bind_transceiver(system_id="bench", password="bench")
    slots = threading.Semaphore(window)
    answered = [0]
    done = threading.Event()

    def on_sent(pdu):
        slots.release()
        answered[0] += 1
        if answered[0] == count:
            done.set()

    client.set_message_sent_handler(on_sent)

    def read():
        while not done.is_set():
            client.read_once()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    started = time.perf_counter()
    for _ in range(count):
        slots.acquire()
        client.send_message(source_addr_ton=3, source_addr="8088", dest_addr_ton=1, dest_addr_npi=1,
                            destination_addr="84912345678", short_message=b"DIEM TOAN HK1: 8.5")
    done.wait(60)
    elapsed = time.perf_counter() - started
    reader.join(15)
    try:
        client.unbind()
    except smpplib.exceptions.ConnectionError:
        pass        # smpp34 hangs up on a transceiver's unbind instead of answering it
    client.disconnect()
    return count / elapsed


def via_account(port: int, count: int, window: int) -> float:
    """msg/s of one-part messages through Account.submit (one transceiver)."""
    from gateway.binds import Account
    from settings import SmscSettings

    account = Account(SmscSettings(name="bench", host="127.0.0.1", port=port, system_id="bench",
                                   password="bench", window=window, response_timeout=30))
    account.start()
    if not account.wait_bound(10):
        raise SystemExit("account did not bind")
    done = threading.Event()
    answered = [0]
    lock = threading.Lock()

    def on_result(_index, result):
        with lock:
            answered[0] += 1
            if answered[0] == count:
                done.set()

    part = SubmitPart(destination_addr="84912345678", dest_ton=1, dest_npi=1, source_addr="8088",
                      source_ton=3, source_npi=0, short_message=b"DIEM TOAN HK1: 8.5")
    started = time.perf_counter()
    for _ in range(count):
        account.submit([part], on_result)
    done.wait(60)
    elapsed = time.perf_counter() - started
    account.stop(5)
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--windows", default="10,50")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    ctx = multiprocessing.get_context("spawn")
    ports = ctx.Queue()
    server = ctx.Process(target=_serve, args=(ports,), daemon=True)
    server.start()
    port = ports.get(timeout=30)
    print(f"{args.count} submit_sm per run, smpp34 server in process {server.pid}, loopback")
    print(f"{'window':>6} {'raw smpplib msg/s':>18} {'Account.submit msg/s':>21} {'ratio':>6}")
    try:
        for window in (int(w) for w in args.windows.split(",")):
            raw = raw_smpplib(port, args.count, window)
            ours = via_account(port, args.count, window)
            print(f"{window:>6} {raw:>18,.0f} {ours:>21,.0f} {ours / raw:>6.2f}")
    finally:
        server.terminate()
        server.join(5)


if __name__ == "__main__":
    main()
