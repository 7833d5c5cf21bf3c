"""Recording every state a writer sets: triggers in the test database log each move, and a check feeds
them through a state table. Shared by the state-machine tests of each machine (messages, review, runs)."""
from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Callable, Iterable

# The folders whose code may write a state (the tests' own setup SQL is not a writer).
CODE = ("outbox", "store", "gateway", "commands", "web", "cli")


def watch(db, tables: Iterable[str], column: str = "state") -> None:
    """Log every insert and every change of ``column`` in ``tables`` (of this test database) from now on."""
    db.execute("CREATE TABLE IF NOT EXISTS test_state_moves (id INTEGER PRIMARY KEY, tbl TEXT, old TEXT, new TEXT)")
    for table in tables:
        db.execute(f"CREATE TRIGGER IF NOT EXISTS test_moves_{table}_u AFTER UPDATE OF {column} ON {table} "
                   f"WHEN old.{column} IS NOT new.{column} BEGIN INSERT INTO test_state_moves (tbl, old, new) "
                   f"VALUES ('{table}', old.{column}, new.{column}); END")
        db.execute(f"CREATE TRIGGER IF NOT EXISTS test_moves_{table}_i AFTER INSERT ON {table} "
                   f"BEGIN INSERT INTO test_state_moves (tbl, old, new) VALUES ('{table}', NULL, new.{column}); END")
    db.conn.commit()


def moves(db, table: str | None = None) -> set[tuple[str | None, str]]:
    """The (old, new) moves logged so far (old None: an insert), of one table or of all."""
    rows = db.execute("SELECT tbl, old, new FROM test_state_moves").fetchall()
    return {(old, new) for tbl, old, new in rows if table is None or tbl == table}


def forbidden(db, can_move: Callable[[str, str], bool], initial: Iterable[str], table: str | None = None) -> set:
    """The logged moves the table does not allow (an insert must be in ``initial``)."""
    starts = {getattr(s, "value", s) for s in initial}
    return {(old, new) for old, new in moves(db, table)
            if (new not in starts if old is None else not can_move(old, new))}


def clear(db) -> None:
    """Forget the moves logged so far (after seeding)."""
    db.execute("DELETE FROM test_state_moves")
    db.conn.commit()


def _writes(tables: str) -> re.Pattern:
    """SQL that sets a state column of ``tables`` (a regex alternation): an UPDATE ... SET state, an INSERT."""
    return re.compile(rf"UPDATE\s+({tables})(?:\s+INDEXED\s+BY\s+\w+|\s+NOT\s+INDEXED)?\s+SET\s+state\b"
                      rf"|INSERT\b.*\bINTO\s+({tables})\b", re.S)


def _strings(node) -> str:
    """The string constants of one function's own body (not of the functions nested in it)."""
    found, todo = [], list(ast.iter_child_nodes(node))
    while todo:
        child = todo.pop()
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(child, ast.Constant) and isinstance(child.value, str):
            found.append(child.value)
        todo.extend(ast.iter_child_nodes(child))
    return " ".join(found)


def writers_in(path: Path, tables: str = "messages|message_parts") -> set[str]:
    """The functions of ``path`` whose own SQL sets a state of ``tables``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    pattern = _writes(tables)
    return {node.name for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and pattern.search(_strings(node))}


_CHECK = re.compile(r"\b(status|state) TEXT NOT NULL(?: DEFAULT '\w+')? CHECK \(\1 IN \(([^)]*)\)\)")


def reviewed_tables(db) -> dict[str, tuple[str, object]]:
    """Each table of ``db`` whose status CHECK list is a review machine's statuses: {table: (column, machine)}.

    The lists are read in schema.sql (the database holds them as OR chains: store/core/check_lists.py)."""
    from store.core.migrate import SCHEMA
    from store.review.status import MACHINES
    by_values = {frozenset(s.value for s in m.statuses): m for m in MACHINES}
    have = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    found = {}
    for name, sql in re.findall(r"CREATE TABLE (\w+) \(((?:(?!CREATE ).)*)", SCHEMA.read_text(encoding="utf-8"), re.S):
        if name not in have:
            continue
        for column, values in _CHECK.findall(sql):
            machine = by_values.get(frozenset(v.strip().strip("'") for v in values.split(",")))
            if machine is not None:
                found[name] = (column, machine)
    return found


def checked_review_moves(request):
    """An autouse fixture's body: every review status a test's writers change in its ``school_db`` is a
    move of that table's machine (store/review/status.py); inserts (the test's own setup) are not checked."""
    if "school_db" not in request.fixturenames:
        yield {}
        return
    db = request.getfixturevalue("school_db")
    tables = reviewed_tables(db)
    for table, (column, _) in tables.items():
        watch(db, [table], column)
    clear(db)
    yield tables
    bad = {table: {(old, new) for old, new in moves(db, table) if old is not None and not m.can_move(old, new)}
           for table, (_, m) in tables.items()}
    assert not any(bad.values()), {t: b for t, b in bad.items() if b}
