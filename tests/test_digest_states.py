"""The digest run's state table (outbox/digest_states.py) is what digest.build does: every move it makes
on `digest_runs`, over a first run, a re-run and a crashed run finished the next day, is in the table."""
from __future__ import annotations

import itertools
import re
from datetime import timedelta
from pathlib import Path

import pytest

from outbox import digest, digest_states
from outbox.digest_states import INITIAL, DigestRunState as R, can_move
from store.core.clock import iso, utcnow

from .state_moves import CODE, forbidden, moves, watch, writers_in
from .test_digest import DAY1, DAY2, school_id

ROOT = Path(__file__).resolve().parent.parent


def test_the_states_are_the_schema_check_list():
    schema = (ROOT / "schema.sql").read_text(encoding="utf-8")
    table = schema[schema.index("CREATE TABLE digest_runs"):]
    check = re.search(r"state TEXT NOT NULL DEFAULT '(\w+)' CHECK \(state IN \((.*?)\)\)", table)
    assert {s.strip().strip("'") for s in check[2].split(",")} == {s.value for s in R}
    assert check[1] == INITIAL.value


@pytest.mark.parametrize("current, new", list(itertools.product(R, R)))
def test_every_cell_of_the_run_table(current, new):
    assert can_move(current, new) == ((current, new) == (R.BUILDING, R.BUILT))


def test_every_move_a_digest_build_makes_is_in_the_table(school_db, sms_settings):
    sid = school_id(school_db)
    # A run of the day before that crashed half way: the next build finishes it first.
    school_db.execute("INSERT INTO digest_runs (school_id, local_date, cutoff_to, started_at) VALUES (?, ?, ?, ?)",
                      [sid, (DAY1 - timedelta(days=1)).isoformat(), iso(utcnow()), iso(utcnow())])
    school_db.conn.commit()
    watch(school_db, ["digest_runs"])
    digest.build(school_db, sms_settings, sid, DAY1)
    digest.build(school_db, sms_settings, sid, DAY1)
    digest.build(school_db, sms_settings, sid, DAY2, dry_run=True)
    assert moves(school_db) == {(None, "building"), ("building", "built")}
    assert not forbidden(school_db, can_move, [INITIAL])
    assert {r[0] for r in school_db.execute("SELECT state FROM digest_runs")} == {"built"}


def test_no_writer_of_a_run_state_is_left_out():
    found = {p.relative_to(ROOT).as_posix(): names for folder in CODE for p in sorted((ROOT / folder).rglob("*.py"))
             if (names := writers_in(p, "digest_runs"))}
    assert found == {"outbox/digest.py": {"_open_run", "finish"}}
    assert digest_states.sources_of(R.BUILT) == (R.BUILDING,)
