"""Power loss, by simulation: every MO the gateway acknowledged is on disk, fsynced before its resp.

The gateway runs as a real process under strace, bound to the third-party
smpp34 server (tests/smpp_peer.py) acting as the SMSC. After the last
deliver_sm_resp arrives the process is killed with SIGKILL and the database
reopened: every acknowledged MO is there (a crash loses nothing). A power
loss also loses what the kernel had not written to the disk yet; strace shows
that too: with ``store.inbox_synchronous`` GROUP (the default: the batch is
committed, then one fdatasync of the WAL on another thread) or FULL (SQLite
fsyncs inside the commit), every deliver_sm_resp is written only after an
fdatasync of the WAL that follows the last WAL write, so the row it
acknowledges was on the disk when the SMSC heard "stored". With NORMAL (the
earlier default) the same check finds resps that went out before any fsync:
the texts a power loss could have lost.
"""
from __future__ import annotations

import re
import shutil
import signal

import psutil
import pytest

from store.core.connection import connect

from .conftest import write_config
from .fixtures_gateway import wait_until
from .smpp_peer import SmppPeer

pytestmark = pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace")

DELIVER_SM_RESP = r"\x00\x00\x00\x11\x80\x00\x00\x05"   # command_length 17, command_id 0x80000005
LINE = re.compile(r"^(\d+)\s+(\w+)\((\d+)<([^>]*)>(?:, \"([^\"]*)\")?")


def syscalls(log: str) -> list[tuple[int, str, str, str]]:
    """(tid, syscall, fd path, first bytes) of each traced call, in the order they started."""
    out = []
    for line in log.splitlines():
        m = LINE.match(line)
        if m:
            path = bytes.fromhex(m.group(4).replace("\\x", "")).decode(errors="replace")    # -xx: hex
            out.append((int(m.group(1)), m.group(2), path, m.group(5) or ""))
    return out


REDIS_COMMAND = r"\x2a"     # '*': a RESP array, what a Redis client sends


def unsynced_resps(calls) -> list[int]:
    """Indexes of deliver_sm_resps sent while a WAL write (the journal's among them) was not yet fsynced.

    The WAL writes of a thread that talks to Redis (the answerer: it commits replies, then rings the
    outbox bell) are left out: a resp acknowledges the journal's rows, and frames written after an
    fdatasync never undo the ones it covered (SQLite's recovery keeps every commit before the first torn
    frame). Counting them made the check fail now and then when the answerer wrote between the journal's
    fsync and its resp.
    """
    answerers = {tid for tid, name, _, data in calls if name == "sendto" and data.startswith(REDIS_COMMAND)}
    dirty = True        # nothing proven durable yet
    bad = []
    for i, (tid, name, path, data) in enumerate(calls):
        if path.endswith("-wal") and name.startswith("pwrite") and tid not in answerers:
            dirty = True
        elif path.endswith("-wal") and name in ("fdatasync", "fsync"):
            dirty = False
        elif name in ("sendto", "write") and data.startswith(DELIVER_SM_RESP):
            if dirty:
                bad.append(i)
    return bad


@pytest.mark.parametrize("mode", ["GROUP", "FULL", "NORMAL"])
def test_kill_9_after_deliver_sm_resp_loses_no_acknowledged_mo(tmp_path, db, redis_url, redis_prefix,
                                                               run_in_background, mode):
    peer = SmppPeer().start()
    try:
        config = write_config(tmp_path / "config.toml",
                              f'inbox_synchronous = "{mode}"\n[redis]\nurl = "{redis_url}"\nprefix = "{redis_prefix}"\n'
                              f'[[smsc]]\nport = {peer.port}\nsystem_id = "SIM"\nreconnect_max = 1\n')
        trace = tmp_path / "strace.log"
        gateway = run_in_background(config, {"SLL_SMSC_PASSWORD": "pw"}, "gateway", "--no-send",
                                    wrap=("strace", "-f", "-qq", "-y", "-xx", "-s", "8", "-o", str(trace),
                                          "-e", "trace=pwrite64,write,sendto,fdatasync,fsync"))
        wait_until(lambda: peer.esmes, timeout=30)
        sources = [f"8491100{i:04d}" for i in range(20)]
        for source in sources:
            assert peer.deliver(peer.esmes[0], b"HD", source_addr=source) == 0      # acknowledged
        tracee = psutil.Process(gateway.proc.pid).children()[0]
        tracee.send_signal(signal.SIGKILL)                  # right after the last deliver_sm_resp
        gateway.proc.wait(10)
    finally:
        peer.stop()

    reopened = connect(tmp_path / "sll.db")
    stored = {r[0] for r in reopened.execute("SELECT source_addr FROM inbox")}
    reopened.close()
    assert stored == set(sources)                           # nothing acknowledged was lost by the crash

    calls = syscalls(trace.read_text())
    resps = [c for c in calls if c[1] in ("sendto", "write") and c[3].startswith(DELIVER_SM_RESP)]
    assert len(resps) == len(sources), resps
    if mode != "NORMAL":
        assert unsynced_resps(calls) == []                  # each row was on the disk before its resp
    else:
        assert unsynced_resps(calls), "NORMAL should show resps before any fsync (what power loss could lose)"
