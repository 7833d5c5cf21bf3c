"""The schema's `CHECK (x IN ('a', 'b', …))` lists kept as OR chains in the database file.

SQLite builds the list of an IN operator as an ephemeral b-tree each time it
evaluates a CHECK with one, that is for every row written: 6 µs a list and a
row here, where the same check written `x = 'a' OR x = 'b' …` costs 0.1 µs
(`bench/bench_check_lists.py`). `messages` has two lists, `grades` three, and
44 tables one or more, so every MO, receipt, digest and imported grade paid it.

schema.sql and the migrations keep the readable lists (the Enums' tests read
them there); after each step of `store.core.migrate` the CREATE TABLE text of
every table is rewritten in `sqlite_master` with each list as the equivalent OR
chain (`PRAGMA writable_schema`, the procedure SQLite documents for changing a
CHECK without rebuilding the table: the file's format does not depend on it).
The two forms accept exactly the same rows: a NULL passes both, a value passes
both only when it equals one of the literals, under the column's affinity.
"""
from __future__ import annotations

import logging
import re
import sqlite3

logger = logging.getLogger(__name__)

_LITERAL = r"'(?:[^']|'')*'|-?\d+(?:\.\d+)?"
# column IN (literal, literal, …), not preceded by NOT (NOT IN lists are left as they are)
_IN_LIST = re.compile(rf"(?<![\w.])(?<!NOT )(?!NOT\b)([A-Za-z_]\w*)\s+IN\s*\(\s*((?:{_LITERAL})(?:\s*,\s*(?:{_LITERAL}))*)\s*\)",
                      re.I)
_ITEM = re.compile(_LITERAL)
_CHECK = re.compile(r"\bCHECK\s*\(", re.I)


def _chain(match: re.Match) -> str:
    column = match.group(1)
    return "(" + " OR ".join(f"{column} = {item}" for item in _ITEM.findall(match.group(2))) + ")"


def _end_of(sql: str, start: int) -> int:
    """The index just past the parenthesis that closes the one opened at ``start - 1`` (strings skipped)."""
    depth, i = 1, start
    while depth:
        c = sql[i]
        if c == "'":
            i = sql.index("'", i + 1)
            while sql.startswith("''", i):
                i = sql.index("'", i + 2)
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        i += 1
    return i


def fold(sql: str) -> str:
    """``sql`` (a CREATE TABLE) with every IN list of literals inside a CHECK written as an OR chain."""
    out, pos = [], 0
    for m in _CHECK.finditer(sql):
        if m.start() < pos:
            continue
        end = _end_of(sql, m.end())
        out += [sql[pos:m.end()], _IN_LIST.sub(_chain, sql[m.end():end - 1]), ")"]
        pos = end
    return "".join(out) + sql[pos:]


def unfolded(conn: sqlite3.Connection) -> dict[str, str]:
    """{table: its folded CREATE text} of the tables whose CHECKs still hold IN lists."""
    rows = conn.execute("SELECT name, sql FROM main.sqlite_master WHERE type = 'table' AND sql IS NOT NULL "
                        "AND name NOT LIKE 'sqlite_%'").fetchall()
    return {name: folded for name, sql in rows if (folded := fold(sql)) != sql}


def fold_tables(conn: sqlite3.Connection) -> int:
    """Rewrite the CHECK lists of every table as OR chains, inside the caller's transaction; how many tables.

    The steps SQLite's documentation gives for a change that leaves the file's format alone: edit the
    CREATE text in sqlite_master, then bump the schema cookie so every connection (other processes' too)
    reads the schema again before its next statement."""
    todo = unfolded(conn)
    if not todo:
        return 0
    version = conn.execute("PRAGMA schema_version").fetchone()[0]
    conn.execute("PRAGMA writable_schema = ON")
    try:
        conn.execute("SAVEPOINT fold_check_lists")
        try:
            for name, sql in todo.items():
                conn.execute("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", [sql, name])
            conn.execute(f"PRAGMA schema_version = {version + 1}")
        except sqlite3.DatabaseError as e:
            # An SQLite built defensive (SQLITE_DBCONFIG_DEFENSIVE) refuses to edit sqlite_master: the lists
            # stay as they are, correct and only slower, and the migration goes on.
            conn.execute("ROLLBACK TO fold_check_lists")
            logger.warning("the CHECK lists stay IN lists (%s): this SQLite does not let sqlite_master be edited", e)
            return 0
        finally:
            conn.execute("RELEASE fold_check_lists")
    finally:
        conn.execute("PRAGMA writable_schema = OFF")
    return len(todo)
