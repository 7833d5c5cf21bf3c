"""The FTS5 index of titles and extracted text, and the search over it (diacritics folded).

Everything indexed is folded lower-case words (store.core.text.fold), so ``giao
an`` and ``Giáo án`` are the same query and đ matches d. The last word of a
query matches as a prefix (``giao a`` finds ``giáo án``). Order: items whose
title matches first, best (bm25 over library_titles) first; then items
matched by their text, newest first. Ranking the text too (bm25 over every
document containing a common word) cost 200 ms at 10,000 documents; this
order keeps p95 under 50 ms (bench/bench_library_search.py).
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from .access import Viewer, scope_sql
from .privacy import words

MAX_QUERY_WORDS = 12
FILTERS = ("section", "subject", "grade", "department_id", "state")


@dataclass(frozen=True)
class Hit:
    """One item found."""

    id: int
    title: str
    section: str
    subject: str | None
    grade: int | None
    department_id: int | None
    state: str
    updated_at: str
    school_id: int


def folded(text: str) -> str:
    """The form stored in the index: folded lower-case words joined by spaces."""
    return " ".join(words(text or ""))


def index(db: sqlite_utils.Database, item_id: int, title: str, body: str) -> None:
    """(Re)index item ``item_id`` with its title and the text of its latest version."""
    drop(db, item_id)
    db.execute("INSERT INTO library_fts (rowid, title, body) VALUES (?, ?, ?)", [item_id, folded(title), folded(body)])
    db.execute("INSERT INTO library_titles (rowid, title) VALUES (?, ?)", [item_id, folded(title)])


def retitle(db: sqlite_utils.Database, item_id: int, title: str) -> None:
    """Index the item's new title, keeping the text of its latest version."""
    db.execute("UPDATE library_fts SET title = ? WHERE rowid = ?", [folded(title), item_id])
    db.execute("UPDATE library_titles SET title = ? WHERE rowid = ?", [folded(title), item_id])


def drop(db: sqlite_utils.Database, item_id: int) -> None:
    """Take a deleted item out of the index."""
    db.execute("DELETE FROM library_fts WHERE rowid = ?", [item_id])
    db.execute("DELETE FROM library_titles WHERE rowid = ?", [item_id])


def match_expression(query: str) -> str | None:
    """The FTS5 MATCH text for what someone typed, or None when it has no word."""
    terms = words(query)[:MAX_QUERY_WORDS]
    if not terms:
        return None
    quoted = [f'"{t}"' for t in terms]          # words are [0-9a-z]+ only: quoting is safe
    quoted[-1] += "*"
    return " ".join(quoted)


COLUMNS = "i.id, i.title, i.section, i.subject, i.grade, i.department_id, i.state, i.updated_at, i.school_id"


def _where(viewer: Viewer, filters: dict) -> tuple[str, list]:
    scope, args = scope_sql(viewer)
    where = [scope]
    for key in FILTERS:
        value = filters.get(key)
        if value not in (None, ""):
            where.append(f"i.{key} = ?")
            args.append(value)
    return " AND ".join(where), args


def search(db: sqlite_utils.Database, viewer: Viewer, query: str = "", *, limit: int = 50, offset: int = 0,
           **filters) -> list[Hit]:
    """Items ``viewer`` may see matching ``query`` and ``filters``: title matches best first, then by text newest
    first; without a query, the newest first."""
    where, args = _where(viewer, filters)
    match = match_expression(query)
    if match is None:
        rows = db.execute(f"SELECT {COLUMNS} FROM library_items i WHERE {where} ORDER BY i.updated_at DESC, i.id DESC "
                          "LIMIT ? OFFSET ?", [*args, limit, offset]).fetchall()
        return [Hit(*r) for r in rows]
    need = offset + limit
    rows = db.execute(f"SELECT {COLUMNS} FROM library_titles t JOIN library_items i ON i.id = t.rowid "
                      f"WHERE library_titles MATCH ? AND {where} ORDER BY bm25(library_titles), i.id DESC LIMIT ?",
                      [match, *args, need]).fetchall()
    if len(rows) < need:
        rows += db.execute(f"SELECT {COLUMNS} FROM library_fts f JOIN library_items i ON i.id = f.rowid "
                           f"WHERE library_fts MATCH ? AND {where} AND i.id NOT IN "
                           "(SELECT rowid FROM library_titles WHERE library_titles MATCH ?) "
                           "ORDER BY f.rowid DESC LIMIT ?", [match, *args, match, need - len(rows)]).fetchall()
    return [Hit(*r) for r in rows[offset:offset + limit]]
