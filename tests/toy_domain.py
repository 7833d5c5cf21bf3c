"""A toy domain for the registry tests: teachers' reminders to a family ("lời dặn"), as a new domain would add one.

Everything the domain needs is here: its table (what its migration would
create), its import kind with its own header synonyms, its review spec and
its digest news source. Registering it is one line in each registry
(store.imports.registry.KINDS, store.registry.review.REVIEW_SPECS,
outbox.digest_sources.NEWS_SOURCES); tests append them with monkeypatch.
"""
from __future__ import annotations

from collections import defaultdict

from outbox.digest_sources import NewsSource, Page, Piece, Window, approved_in
from store.imports import values as v
from store.imports.base import Context, ImportHandler, Op, Outcome, Row, upsert_reviewed
from store.imports.errors import RowRejected
from store.imports.kind import ImportKind
from store.review.spec import per_student

SCHEMA = ("CREATE TABLE toy_notes (student_id INTEGER NOT NULL REFERENCES students(id), school_year TEXT NOT NULL, "
          "body TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending', approved_by TEXT, approved_at TEXT, "
          "entered_by TEXT, entered_at TEXT NOT NULL, UNIQUE (student_id, school_year, body))")


class ToyNotes(ImportHandler):
    """`toy_notes`: ma_hs, nam_hoc, loi_nhan: one reminder per row, waiting for approval."""

    name = "toy_notes"
    required = ("ma_hs", "nam_hoc", "loi_nhan")

    def check(self, ctx: Context, row: Row) -> list[Op]:
        year = v.parse_year(row.get("nam_hoc"))
        student = ctx.student(v.text(row.get("ma_hs")), year)
        body = " ".join(v.text(row.get("loi_nhan")).split())
        if not body:
            raise RowRejected("thiếu lời dặn (cột loi_nhan)")
        return [Op((student.id, year, body), {"student_id": student.id, "school_year": year, "body": body})]

    def apply(self, ctx: Context, op: Op) -> Outcome:
        return upsert_reviewed(ctx, "toy_notes", op.data, {})


KIND = ImportKind("toy_notes", "Lời dặn (thử)", ToyNotes(),
                  {"ma_hs": "DD900001", "nam_hoc": "2025-2026", "loi_nhan": "Mang áo mưa"},
                  synonyms={"loi_nhan": ("loinhan", "loidan", "loidanphuhuynh")}, reviewed_in=("toy_notes",))
REVIEW = per_student("toy_notes", "Lời dặn (thử)", "t.school_year", "t.body", lambda values: f"Lời dặn: {values[0]}")


class ToySource:
    """The approved reminders of the window, each listed; "N loi dan" when space is short."""

    SQL = ("SELECT student_id, body FROM toy_notes WHERE student_id IN ({ids}) AND status = 'approved' "
           "AND approved_at > ? AND approved_at <= ? ORDER BY student_id, rowid")
    maybe = approved_in("toy_notes")      # a light evening reads no page of it

    def read(self, db, w: Window, page: Page) -> dict[int, Piece]:
        found: dict[int, list[str]] = defaultdict(list)
        marks = ",".join("?" * len(page.student_ids))
        for sid, body in db.execute(self.SQL.format(ids=marks), [*page.student_ids, w.after, w.until]).fetchall():
            found[sid].append(f"Loi dan: {body}")
        return {sid: Piece(lines, f"{len(lines)} loi dan") for sid, lines in found.items()}


NEWS = NewsSource("toy_notes", lambda full: ToySource())
