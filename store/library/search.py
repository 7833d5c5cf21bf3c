"""The FTS5 index of titles and extracted text, and the search over it (diacritics folded).

Both columns hold folded lower-case words (store.text.fold), so ``giao an``
and ``Giáo án`` are the same query and đ matches d. The last word of a query
matches as a prefix (``giao a`` finds ``giáo án``).
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from .access import Viewer, scope_sql
from .privacy import words

MAX_QUERY_WORDS = 12
TITLE_WEIGHT, BODY_WEIGHT = 10.0, 1.0
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


def index(db: sqlite_utils.Database, item_id: int, title: str, body: str | None = None) -> None:
    """(Re)index item ``item_id``; ``body`` None keeps the text already indexed."""
    if body is None:
        row = db.execute("SELECT body FROM library_fts WHERE rowid = ?", [item_id]).fetchone()
        body = row[0] if row else ""
    else:
        body = folded(body)
    db.execute("DELETE FROM library_fts WHERE rowid = ?", [item_id])
    db.execute("INSERT INTO library_fts (rowid, title, body) VALUES (?, ?, ?)", [item_id, folded(title), body])


def match_expression(query: str) -> str | None:
    """The FTS5 MATCH text for what someone typed, or None when it has no word."""
    terms = words(query)[:MAX_QUERY_WORDS]
    if not terms:
        return None
    quoted = [f'"{t}"' for t in terms]          # words are [0-9a-z]+ only: quoting is safe
    quoted[-1] += "*"
    return " ".join(quoted)


def search(db: sqlite_utils.Database, viewer: Viewer, query: str = "", *, limit: int = 50, offset: int = 0,
           **filters) -> list[Hit]:
    """Items ``viewer`` may see matching ``query`` (best first; newest first without a query) and ``filters``."""
    scope, args = scope_sql(viewer)
    where = [scope]
    for key in FILTERS:
        value = filters.get(key)
        if value not in (None, ""):
            where.append(f"i.{key} = ?")
            args.append(value)
    columns = "i.id, i.title, i.section, i.subject, i.grade, i.department_id, i.state, i.updated_at, i.school_id"
    match = match_expression(query)
    if match is None:
        sql = f"SELECT {columns} FROM library_items i WHERE {' AND '.join(where)} ORDER BY i.updated_at DESC, i.id DESC"
    else:
        sql = (f"SELECT {columns} FROM library_fts f JOIN library_items i ON i.id = f.rowid "
               f"WHERE library_fts MATCH ? AND {' AND '.join(where)} "
               f"ORDER BY bm25(library_fts, {TITLE_WEIGHT}, {BODY_WEIGHT}), i.id DESC")
        args.insert(0, match)
    rows = db.execute(sql + " LIMIT ? OFFSET ?", [*args, limit, offset]).fetchall()
    return [Hit(*r) for r in rows]
