"""Finding the running demo's database from another terminal (`./dev run user add …`, `ask`, `report`).

`demo` writes ROOT/.sll-demo.json (its pid and database) while it runs and
removes it when it stops. A command whose configured database does not
exist, with no SLL_STORE_PATH given, uses the running demo's database; when
the demo is not running but left a database, the error says how to use it.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = ROOT / ".sll-demo.json"


def announce(store_path: Path) -> None:
    """Record that this process is the demo and where its database is."""
    MARKER.write_text(json.dumps({"pid": os.getpid(), "store": str(store_path)}), encoding="utf-8")


def withdraw() -> None:
    """The demo stopped: remove the marker if it is this process's."""
    try:
        if json.loads(MARKER.read_text(encoding="utf-8")).get("pid") == os.getpid():
            MARKER.unlink()
    except (OSError, ValueError):
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running_store() -> Path | None:
    """The database of a demo running now, or None."""
    try:
        marker = json.loads(MARKER.read_text(encoding="utf-8"))
        store = Path(marker["store"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return store if _alive(int(marker.get("pid", 0))) and store.exists() else None


def hint(missing: Path) -> str:
    """The error for a missing database, naming the demo's database when one exists."""
    demo = ROOT / "demo-data" / "sll.db"
    text = f"no database at {missing}: run `python run_gateway.py init` first"
    if demo.exists():
        rel = os.path.relpath(demo, Path.cwd())
        text += f", or use the demo's data: SLL_STORE_PATH={rel} ./dev run …"
    return text
