"""The command line beside a running demo: `ask`, `report`, `user add` find the demo's database while it runs,
and otherwise the error names SLL_STORE_PATH=demo-data/sll.db (cli/demo_marker.py)."""
from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

import run_gateway
from cli import demo_marker

from .conftest import write_config


@pytest.fixture
def no_db_config(tmp_path, monkeypatch):
    """A config whose database does not exist, no SLL_ variables, the marker and ROOT in tmp_path."""
    for key in [k for k in os.environ if k.startswith("SLL_")]:
        monkeypatch.delenv(key)
    monkeypatch.setattr(demo_marker, "MARKER", tmp_path / ".sll-demo.json")
    monkeypatch.setattr(demo_marker, "ROOT", tmp_path)
    return write_config(tmp_path / "config.toml", db_path=tmp_path / "missing" / "sll.db")


def run(config, *args):
    return CliRunner().invoke(run_gateway.main, ["-c", str(config), *args], catch_exceptions=False)


def test_without_a_demo_the_error_names_the_demo_database(no_db_config, tmp_path):
    assert "run `python run_gateway.py init` first" in run(no_db_config, "ask", "0912345678", "CON").output
    (tmp_path / "demo-data").mkdir()
    (tmp_path / "demo-data" / "sll.db").write_bytes(b"")
    out = run(no_db_config, "ask", "0912345678", "CON").output
    assert "SLL_STORE_PATH=" in out and "demo-data/sll.db" in out


def test_a_running_demo_is_the_default(no_db_config, tmp_path, school_db_path):
    demo_marker.MARKER.write_text(json.dumps({"pid": os.getpid(), "store": str(school_db_path)}))
    result = run(no_db_config, "ask", "0912345678", "CON")
    assert result.exit_code == 0, result.output
    assert "So nay co 2 con" in result.output and "running demo's database" in result.output
    result = run(no_db_config, "user", "add", "co.mai", "--role", "teacher", "--school", "THCS-DD",
                 "--class", "8A2", "--generate")
    assert result.exit_code == 0, result.output


def test_a_dead_demo_is_not_used(no_db_config, school_db_path):
    demo_marker.MARKER.write_text(json.dumps({"pid": 2 ** 22 + 12345, "store": str(school_db_path)}))
    assert run(no_db_config, "ask", "0912345678", "CON").exit_code != 0


def test_the_marker_is_removed_only_by_its_own_process(no_db_config, tmp_path):
    demo_marker.announce(tmp_path / "sll.db")
    assert json.loads(demo_marker.MARKER.read_text())["pid"] == os.getpid()
    demo_marker.withdraw()
    assert not demo_marker.MARKER.exists()
    demo_marker.MARKER.write_text(json.dumps({"pid": 1, "store": "x"}))
    demo_marker.withdraw()
    assert demo_marker.MARKER.exists()
