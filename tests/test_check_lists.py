"""The schema's CHECK IN lists, kept as OR chains in the file (store/core/check_lists.py): the same rows
accepted and refused as with the lists, every table folded on create and on upgrade, other connections
reading the new text, and the lists of schema.sql untouched."""
from __future__ import annotations

import re
import sqlite3

import pytest
import sqlite_utils

from store.core import check_lists, migrate


def test_fold_rewrites_only_literal_lists_inside_checks():
    sql = ("CREATE TABLE t (\n  a TEXT CHECK (a IN ('x', 'y''s', 'z,w')),\n  b INTEGER CHECK (b IN (0, 1) AND b >= 0),\n"
           "  c TEXT CHECK (c NOT IN ('q')),\n  d TEXT DEFAULT 'IN (1)',\n  CHECK ((a = 'x') = (b IN (1)))\n)")
    folded = check_lists.fold(sql)
    assert "CHECK ((a = 'x' OR a = 'y''s' OR a = 'z,w'))" in folded
    assert "CHECK ((b = 0 OR b = 1) AND b >= 0)" in folded
    assert "CHECK (c NOT IN ('q'))" in folded                       # NOT IN left alone
    assert "DEFAULT 'IN (1)'" in folded                             # outside any CHECK: untouched
    assert "CHECK ((a = 'x') = ((b = 1)))" in folded
    assert check_lists.fold(folded) == folded                        # idempotent


LISTS = "CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT CHECK (s IN ('a', 'b')), n INTEGER CHECK (n IN (1, 2)))"


@pytest.mark.parametrize("value", ["a", "b", "c", "", "A", None, 1, "1", 2.0, 3, "2", b"a"])
def test_the_chains_accept_exactly_what_the_lists_accept(value):
    outcomes = []
    for sql in (LISTS, check_lists.fold(LISTS)):
        db = sqlite3.connect(":memory:")
        db.execute(sql)
        row = []
        for column in ("s", "n"):
            try:
                db.execute(f"INSERT INTO t ({column}) VALUES (?)", [value])
                row.append(db.execute(f"SELECT {column}, typeof({column}) FROM t ORDER BY id DESC").fetchone())
            except sqlite3.IntegrityError:
                row.append("refused")
        outcomes.append(row)
    assert outcomes[0] == outcomes[1]


def _tables_with_lists(conn) -> list[str]:
    return [name for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
            if re.search(r"CHECK \(\w+ IN \(", sql or "")]


def test_a_new_database_holds_chains_and_refuses_a_bad_state(tmp_path):
    db = sqlite_utils.Database(tmp_path / "sll.db")
    migrate.init(db)
    assert _tables_with_lists(db.conn) == []
    assert check_lists.unfolded(db.conn) == {}
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert re.search(r"CREATE TABLE messages .*CHECK \(state IN \(", migrate.SCHEMA.read_text("utf-8"), re.S)
    other = sqlite3.connect(tmp_path / "sll.db")          # another connection reads the new text
    with pytest.raises(sqlite3.IntegrityError, match="state = 'queued' OR"):
        other.execute("INSERT INTO message_parts (message_id, seq, connection, state) VALUES (1, 1, 'c', 'bogus')")


def test_a_version_20_database_is_folded_on_upgrade_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    for number, mpath in migrate.migrations():
        if number <= 20:
            db.conn.executescript(f"BEGIN;\n{mpath.read_text('utf-8')}\nPRAGMA user_version = {number};\nCOMMIT;")
    assert len(_tables_with_lists(db.conn)) >= 40
    db.execute("INSERT INTO schools (code, name, level, created_at) VALUES ('S1', 'Truong', 'THCS', '')")
    db.conn.commit()
    watcher = sqlite3.connect(path)                   # a connection open across the upgrade (another process)
    watcher.execute("SELECT count(*) FROM schools").fetchone()
    result = migrate.init(db, path)
    assert result["action"] == "upgraded" and result["to"] == migrate.latest_version()
    assert _tables_with_lists(db.conn) == []
    assert db.execute("SELECT code FROM schools").fetchall() == [("S1",)]
    assert migrate.schema_fingerprint(db) == _fresh_fingerprint()
    with pytest.raises(sqlite3.IntegrityError, match="kind = 'reply' OR"):
        watcher.execute("INSERT INTO messages (connection, phone, kind, not_before, created_at, updated_at) "
                        "VALUES ('c', '+84', 'spam', '', '', '')")


def _fresh_fingerprint():
    fresh = sqlite_utils.Database(memory=True)
    migrate.init(fresh)
    return migrate.schema_fingerprint(fresh)


def test_a_database_at_this_version_with_its_lists_left_is_folded_by_init(tmp_path):
    """A program of the latest version that did not fold (one that ran from a half-updated tree, say) leaves the
    lists in place: `init` folds them even though there is no migration left to run."""
    db = sqlite_utils.Database(tmp_path / "sll.db")
    db.conn.executescript(f"BEGIN;\n{migrate.SCHEMA.read_text('utf-8')}\nPRAGMA user_version = "
                          f"{migrate.latest_version()};\nCOMMIT;")
    assert len(_tables_with_lists(db.conn)) >= 40
    assert migrate.init(db, tmp_path / "sll.db")["action"] == "unchanged"
    assert _tables_with_lists(db.conn) == [] and db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


class _Defensive:
    """A connection of an SQLite built defensive: sqlite_master may not be edited."""

    def __init__(self, conn):
        self.conn = conn

    def execute(self, sql, *args):
        if sql.startswith("UPDATE sqlite_master"):
            raise sqlite3.OperationalError("table sqlite_master may not be modified")
        return self.conn.execute(sql, *args)


def test_an_sqlite_that_refuses_the_edit_keeps_the_lists_and_the_migration_goes_on(tmp_path, caplog):
    conn = sqlite3.connect(tmp_path / "d.db", isolation_level=None)
    conn.execute(LISTS)
    conn.execute("BEGIN")
    conn.execute("INSERT INTO t (s) VALUES ('a')")
    assert check_lists.fold_tables(_Defensive(conn)) == 0
    conn.execute("COMMIT")
    assert "may not be modified" in caplog.text
    assert conn.execute("SELECT sql FROM sqlite_master WHERE name = 't'").fetchone()[0] == LISTS
    assert conn.execute("SELECT s FROM t").fetchall() == [("a",)], "the caller's transaction is intact"
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO t (s) VALUES ('c')")


def test_comments_and_quoted_names_are_never_rewritten():
    sql = ("CREATE TABLE t (\n"
           "  a TEXT CHECK (a IN ('x', 'y')),   -- don't check (a IN ('x')) here: a comment\n"
           "  /* CHECK (b IN (1, 2)) in a block comment, isn't code */\n"
           "  b INTEGER CHECK (b IN (1, 2) -- a comment inside the check\n  ),\n"
           "  \"c d\" TEXT CHECK (\"c d\" IN ('p', 'q')),\n"
           "  e TEXT CHECK (e IN ('(', ')'))\n)")
    folded = check_lists.fold(sql)
    assert "CHECK ((a = 'x' OR a = 'y'))" in folded
    assert "-- don't check (a IN ('x')) here: a comment\n" in folded
    assert "/* CHECK (b IN (1, 2)) in a block comment, isn't code */" in folded
    assert "CHECK (b IN (1, 2) -- a comment inside the check\n  )" in folded
    assert "CHECK (\"c d\" IN ('p', 'q'))" in folded
    assert "CHECK ((e = '(' OR e = ')'))" in folded
    db = sqlite3.connect(":memory:")
    db.execute(folded)                       # still SQL SQLite accepts
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO t (a) VALUES ('z')")
