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
_IN_LIST = re.compile(rf"(?<![\w.])(?<!NOT )(?!NOT\b)([A-Za-z_]\w*)\s+IN\s*\("
                      rf"\s*((?:{_LITERAL})(?:\s*,\s*(?:{_LITERAL}))*)\s*\)", re.I)
_ITEM = re.compile(_LITERAL)
_CHECK = re.compile(r"\bCHECK\s*\(", re.I)


def _chain(match: re.Match) -> str:
    column = match.group(1)
    return "(" + " OR ".join(f"{column} = {item}" for item in _ITEM.findall(match.group(2))) + ")"


def _classes(sql: str) -> str:
    """One letter a character of ``sql``: c code, s inside a string literal, x inside a comment or a quoted
    identifier (SQLite's lexical rules: '' inside a string, -- to the end of the line, /* */, "", ``, [])."""
    out, i, n = [], 0, len(sql)
    closers = {"'": "'", '"': '"', "`": "`", "[": "]"}
    while i < n:
        c = sql[i]
        if c in closers:
            close, j = closers[c], i + 1
            while j < n and (sql[j] != close or (close != "]" and sql.startswith(close * 2, j))):
                j += 2 if sql[j] == close else 1
            j = min(j + 1, n)
            out.append(("s" if c == "'" else "x") * (j - i))
        elif sql.startswith("--", i):
            j = sql.find("\n", i)
            j = n if j < 0 else j
            out.append("x" * (j - i))
        elif sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("x" * (j - i))
        else:
            out.append("c")
            j = i + 1
        i = j
    return "".join(out)


def _close(sql: str, classes: str, start: int) -> int | None:
    """The index just past the parenthesis (in code) that closes the one opened at ``start - 1``."""
    depth = 1
    for i in range(start, len(sql)):
        if classes[i] == "c" and sql[i] in "()":
            depth += 1 if sql[i] == "(" else -1
            if depth == 0:
                return i + 1
    return None


def fold(sql: str) -> str:
    """``sql`` (a CREATE TABLE) with every IN list of literals inside a CHECK written as an OR chain.

    Only a CHECK in code, and only one whose body holds nothing but code and string literals (no comment,
    no quoted name), is touched: anything else is left exactly as it is."""
    classes = _classes(sql)
    out, pos = [], 0
    for m in _CHECK.finditer(sql):
        if m.start() < pos or classes[m.start()] != "c":
            continue
        end = _close(sql, classes, m.end())
        if end is None:
            break
        if "x" in classes[m.end():end - 1]:
            continue
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
