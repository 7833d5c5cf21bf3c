"""Creating and upgrading the database (PRAGMA user_version), and backups."""
from __future__ import annotations

import logging
import re
import sqlite3
from pathlib import Path

import sqlite_utils

from store.core import check_lists
from store.core.clock import utcnow
from store.core.connection import private_file
from store.core.errors import SchemaError

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "schema.sql"
MIGRATIONS = ROOT / "migrations"


def migrations() -> list[tuple[int, Path]]:
    """Every migrations/NNN_name.sql as (NNN, path), in order."""
    found = []
    for p in MIGRATIONS.glob("*.sql"):
        m = re.match(r"(\d{3})_", p.name)
        if m:
            found.append((int(m.group(1)), p))
    found.sort()
    numbers = [n for n, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise SchemaError(f"migrations/ must be numbered 001, 002, ... without gaps; found {numbers}")
    return found


def latest_version() -> int:
    """The user_version of a database created from schema.sql."""
    return len(migrations())


def user_version(db: sqlite_utils.Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


# A migration that rebuilds a table (SQLite's 12-step procedure, the only way to change a
# CHECK) starts with this line: foreign keys are off while it runs, since PRAGMA foreign_keys
# is a no-op inside a transaction, and PRAGMA foreign_key_check must find nothing before COMMIT.
FOREIGN_KEYS_OFF = "-- sll: foreign_keys off"


def _apply(db: sqlite_utils.Database, sql: str, version: int) -> None:
    # executescript commits first; wrapping it in BEGIN/COMMIT makes the
    # whole step atomic: a failing statement leaves the previous version.
    rebuild = sql.lstrip().startswith(FOREIGN_KEYS_OFF)
    was_on = db.conn.execute("PRAGMA foreign_keys").fetchone()[0]
    if rebuild:
        db.conn.execute("PRAGMA foreign_keys = OFF")
    try:
        db.conn.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {version};\n")
        check_lists.fold_tables(db.conn)      # the step's new CHECK lists as OR chains (store/core/check_lists.py)
        broken = db.conn.execute("PRAGMA foreign_key_check").fetchmany(5) if rebuild else []
        if broken:
            raise sqlite3.IntegrityError(f"foreign keys broken by the rebuild: {broken}")
        db.conn.execute("COMMIT")
    except sqlite3.Error as e:
        db.conn.execute("ROLLBACK") if db.conn.in_transaction else None
        raise SchemaError(f"could not bring the database to version {version}: {e}") from e
    finally:
        if rebuild and was_on:
            db.conn.execute("PRAGMA foreign_keys = ON")


def init(db: sqlite_utils.Database, path: Path | None = None) -> dict:
    """Create the schema, or upgrade an older database; returns what was done.

    A database at the latest version is left alone, so running init twice
    changes nothing. Before an upgrade the file is backed up next to itself.
    """
    current = user_version(db)
    latest = latest_version()
    if current == 0:
        if db.table_names():
            raise SchemaError("the database has tables but no user_version: not an SLL database")
        _apply(db, SCHEMA.read_text(encoding="utf-8"), latest)
        logger.info("created schema version %s", latest)
        return {"action": "created", "from": 0, "to": latest, "backup": None}
    if current > latest:
        raise SchemaError(f"the database is at version {current}, made by a newer version of this program "
                          f"({latest} here): run that newer version, or restore a backup of this version")
    if current == latest:
        if check_lists.unfolded(db.conn):    # its lists left by a program of this version that did not fold them
            db.conn.execute("BEGIN IMMEDIATE")
            try:
                folded = check_lists.fold_tables(db.conn)
                db.conn.execute("COMMIT")
            except sqlite3.Error as e:
                db.conn.execute("ROLLBACK") if db.conn.in_transaction else None
                raise SchemaError(f"could not keep the CHECK lists as OR chains: {e}") from e
            logger.info("kept the CHECK lists of %s tables as OR chains", folded)
        return {"action": "unchanged", "from": current, "to": current, "backup": None}
    backup_path = None
    if path is not None:
        stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
        backup_path = Path(path).with_name(f"{Path(path).stem}.v{current}.{stamp}.bak.db")
        backup(db, backup_path)
    for number, mpath in migrations():
        if number > current:
            _apply(db, mpath.read_text(encoding="utf-8"), number)
            logger.info("migrated to version %s (%s)", number, mpath.name)
    return {"action": "upgraded", "from": current, "to": latest, "backup": str(backup_path) if backup_path else None}


def missing_tables(db: sqlite_utils.Database) -> list[str]:
    """Tables schema.sql creates that the database lacks (a damaged or hand-edited file)."""
    fresh = sqlite_utils.Database(memory=True)
    try:
        fresh.executescript(SCHEMA.read_text(encoding="utf-8"))
        want = set(fresh.table_names())
    finally:
        fresh.close()
    have = set(db.table_names())
    return sorted(want - have)


def backup(db: sqlite_utils.Database, dest: str | Path) -> Path:
    """A consistent online copy of the database (SQLite's backup API)."""
    dest = Path(dest)
    if dest.exists():
        raise SchemaError(f"{dest} already exists; choose a new file name")
    private_file(dest)
    target = sqlite3.connect(str(dest))
    try:
        db.conn.backup(target)
    finally:
        target.close()
    return dest


def schema_fingerprint(db: sqlite_utils.Database) -> list[tuple]:
    """The structure of every table and index, for comparing a migrated and a fresh database.

    Structural (columns, types, defaults, keys, foreign keys, indexes) rather
    than the CREATE text, which ALTER TABLE rewrites with other spacing.
    """
    out = []
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                              "ORDER BY name").fetchall():
        out.append(("table", name, tuple(db.execute(f"PRAGMA table_info('{name}')").fetchall()),
                    tuple(sorted(db.execute(f"PRAGMA foreign_key_list('{name}')").fetchall()))))
    for name, table, sql in db.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' "
                                       "ORDER BY name").fetchall():
        out.append(("index", name, table, re.sub(r"\s+", " ", sql or "").strip(),
                    tuple(db.execute(f"PRAGMA index_xinfo('{name}')").fetchall())))
    return out
