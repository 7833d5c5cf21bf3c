"""The SMSC peers the benchmarks drive, each in its own process: the simulator, the bare smpp34 server and the
node-smpp server (bench/node_smsc/)."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-pw"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SimProcess:
    """`run_gateway.py sim` in its own process, driven through its HTTP control API."""

    def __init__(self, *extra: str):
        self.port, self.control = free_port(), free_port()
        env = dict(os.environ, SLL_SIM_PASSWORD=PASSWORD)
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "run_gateway.py"), "sim", "--port", str(self.port),
                                      "--control-port", str(self.control), "--system-id", "sll",
                                      "--receipt-delay", "0", *extra], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                self.get("/stats")
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("the simulator did not start")

    def get(self, path: str):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.control}{path}", timeout=30) as r:
            return json.loads(r.read())

    def post(self, path: str, body: dict):
        req = urllib.request.Request(f"http://127.0.0.1:{self.control}{path}", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


class FastPeer:
    """bench/fast_smsc.py (bare smpp34, receipts, no relay) in its own process: a peer that is not the bottleneck."""

    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "bench" / "fast_smsc.py")], stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("port "):
            raise SystemExit("the fast peer did not start")
        self.port = int(line.split()[1])

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


NODE_DIR = ROOT / "bench" / "node_smsc"


def node_missing() -> str | None:
    """Why the node peer cannot run here (None when it can): node and npm are needed for the benches only."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        return ("node and npm are not installed: the fast peer bench/node_smsc/ needs Node.js 18 or later "
                "(Debian: apt-get install nodejs npm)")
    return None


def node_install() -> None:
    """`npm ci` in bench/node_smsc/ when its node_modules is missing (the lock file pins node-smpp)."""
    if (NODE_DIR / "node_modules" / "smpp").is_dir():
        return
    why = node_missing()
    if why:
        raise SystemExit(why)
    print("installing bench/node_smsc/ (npm ci) ...", flush=True)
    subprocess.run(["npm", "ci", "--silent", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True)


class NodePeer:
    """bench/node_smsc/smsc.js (the third-party node-smpp server, receipts, a bulk MO push) in its own process,
    driven through its HTTP control API: a peer that is not the bottleneck."""

    def __init__(self, *extra: str):
        node_install()
        self.proc = subprocess.Popen(["node", str(NODE_DIR / "smsc.js"), "--password", PASSWORD, *extra],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("port "):
            self.proc.kill()
            raise SystemExit("the node peer did not start")
        self.port, self.control = (int(x) for x in line.split()[1:3])

    get = SimProcess.get
    post = SimProcess.post

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)
