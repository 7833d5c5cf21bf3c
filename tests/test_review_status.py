"""The review status (store/review/status.py): one str Enum, one table per machine, matching the schema.

The moves the writers make are checked where they run: tests/test_approvals.py, test_forum.py,
test_library_store.py and test_rounds.py watch every review status their scenarios change
(tests/state_moves.py: checked_review_moves) and fail on a move outside its machine.
"""
from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from store.community.forum_rules import TRANSITIONS as FORUM_MOVES, PostStatus
from store.library.states import LABELS as LIBRARY_LABELS, TRANSITIONS as LIBRARY_ACTIONS, ItemState
from store.review.status import APPROVAL, LABELS, LIBRARY, MACHINES, MODERATION, ReviewStatus as R, sql_in

from .state_moves import checked_review_moves, moves, reviewed_tables

ROOT = Path(__file__).resolve().parent.parent

# Each machine written out cell by cell, independently of the module.
EXPECTED = {
    APPROVAL: {(R.PENDING, R.APPROVED), (R.APPROVED, R.PENDING)},
    MODERATION: {(R.PENDING, R.APPROVED), (R.PENDING, R.REJECTED), (R.HELD, R.APPROVED), (R.HELD, R.REJECTED),
                 (R.APPROVED, R.REJECTED)},
    LIBRARY: {(R.DRAFT, R.SUBMITTED), (R.RETURNED, R.SUBMITTED), (R.SUBMITTED, R.DRAFT), (R.SUBMITTED, R.APPROVED),
              (R.SUBMITTED, R.RETURNED)},
}


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.name)
def test_every_cell_of_each_review_table(machine):
    for old, new in itertools.product(R, R):
        assert machine.can_move(old, new) == ((old, new) in EXPECTED[machine]), (old, new)
        assert machine.can_move(old.value, new.value) == machine.can_move(old, new)
    assert set(machine.initial) <= set(machine.statuses)


def test_every_reviewed_table_of_the_schema_uses_one_machine(db):
    found = reviewed_tables(db)
    checks = re.findall(r"CREATE TABLE (\w+) \((?:(?!CREATE TABLE).)*?\b(status|state) TEXT NOT NULL"
                        r"(?: DEFAULT '\w+')? CHECK \(\2 IN \('pending', 'approved'\)\)",
                        (ROOT / "schema.sql").read_text(encoding="utf-8"), re.S)
    assert {t for t, _ in checks} == {t for t, (_, m) in found.items() if m is APPROVAL}
    assert {t for t, (_, m) in found.items() if m is MODERATION} == {"forum_posts", "forum_topics"}
    assert {t for t, (_, m) in found.items() if m is LIBRARY} == {"library_items"}
    assert len({t for t, (_, m) in found.items() if m is APPROVAL}) >= 10


def test_the_domains_use_the_one_enum_and_their_machine():
    assert PostStatus is R and ItemState is R
    assert {(old, new) for old, targets in FORUM_MOVES.items() for new in targets} == EXPECTED[MODERATION]
    assert {(old, new) for (old, _), new in LIBRARY_ACTIONS.items()} == EXPECTED[LIBRARY]
    assert LIBRARY_LABELS == {s: LABELS[s] for s in (R.DRAFT, R.SUBMITTED, R.APPROVED, R.RETURNED)}
    assert all(s.label for s in R)


def test_sources_and_sql_lists_come_from_the_table():
    assert APPROVAL.sources_of(R.APPROVED) == (R.PENDING,)
    assert MODERATION.sources_of(R.REJECTED) == (R.PENDING, R.HELD, R.APPROVED)
    assert sql_in(MODERATION.sources_of(R.APPROVED)) == "('pending', 'held')"
    with pytest.raises(ValueError):
        sql_in(())


def test_a_forbidden_review_move_fails_the_check(school_db, request):
    checker = checked_review_moves(request)
    tables = next(checker)
    assert tables["forum_posts"][1] is MODERATION and tables["library_items"] == ("state", LIBRARY)
    school_db.execute("UPDATE grades SET status = 'pending' WHERE rowid = (SELECT min(rowid) FROM grades "
                      "WHERE status = 'approved')")
    school_db.conn.commit()
    assert moves(school_db, "grades") == {("approved", "pending")}      # logged, and allowed: a changed value
    school_db.execute("INSERT INTO test_state_moves (tbl, old, new) VALUES ('forum_posts', 'rejected', 'approved')")
    with pytest.raises(AssertionError, match="forum_posts"):
        next(checker)
