"""The README's first command: the demo answers a parent's text end to end."""
from __future__ import annotations

import os
import subprocess
import sys

from .conftest import ROOT


def test_demo_once_answers_through_sim_and_serve(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLL_")}
    proc = subprocess.run([sys.executable, str(ROOT / "run_gateway.py"), "demo", "--data-dir", str(tmp_path / "demo"),
                           "--port", "0", "--once", "DIEM TOAN HK1 C1"], env=env, capture_output=True, text=True,
                          timeout=240, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "0912345678 < Nguyen Thi Hoa 8A2 Toan HK1: TX " in proc.stdout
    assert "unbound cleanly" in proc.stderr and "serve: stopped" in proc.stderr
    # The demo's staff accounts, with the password kept in the data dir and printed by the banner.
    from store.users import check_login
    password = (tmp_path / "demo" / "staff-password").read_text().strip()
    assert oct((tmp_path / "demo" / "staff-password").stat().st_mode & 0o777) == "0o600"
    from store.connection import connect
    db = connect(tmp_path / "demo" / "sll.db")
    assert {u: check_login(db, u, password)["role"] for u in ("demo.admin", "demo.gv", "demo.ops", "demo.duyet")} == \
        {"demo.admin": "admin", "demo.gv": "teacher", "demo.ops": "operator", "demo.duyet": "reviewer"}
    db.close()
