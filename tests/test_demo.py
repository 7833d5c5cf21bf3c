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
    from store.school.users import check_login
    password = (tmp_path / "demo" / "staff-password").read_text().strip()
    assert oct((tmp_path / "demo" / "staff-password").stat().st_mode & 0o777) == "0o600"
    from store.core.connection import connect
    db = connect(tmp_path / "demo" / "sll.db")
    assert {u: check_login(db, u, password)["role"] for u in ("demo.admin", "demo.gv", "demo.ops", "demo.duyet")} == \
        {"demo.admin": "admin", "demo.gv": "teacher", "demo.ops": "operator", "demo.duyet": "reviewer"}
    # The demo's self-test (SPEC §15): every pupil of 8A2 has a variant of DEMO.
    assert db.execute("SELECT COUNT(*) FROM quiz_variants v JOIN quizzes q ON q.id = v.quiz_id "
                      "WHERE q.code = 'DEMO'").fetchone()[0] > 0
    # The primary school (TT27), grades 1-5 with complete HK I data, and its demo parent.
    assert db.execute("SELECT group_concat(DISTINCT c.grade) FROM classes c JOIN schools s ON s.id = c.school_id "
                      "WHERE s.code = 'TH-KD'").fetchone()[0] == "1,2,3,4,5"
    assert db.execute("SELECT count(DISTINCT point) FROM primary_assessments WHERE status = 'approved'").fetchone()[0] == 2
    assert check_login(db, "demo.th", password)["role"] == "teacher"
    db.close()
