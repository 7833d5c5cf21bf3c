"""The evening digest opt-out of guardian links (HUY / DK)."""
from __future__ import annotations

import sqlite_utils


def set_opt_out(db: sqlite_utils.Database, link_ids: list[int], opted_out: bool) -> int:
    """Stop (True) or resume (False) the digest for these links; returns rows changed."""
    if not link_ids:
        return 0
    marks = ",".join("?" * len(link_ids))
    cur = db.execute(f"UPDATE guardian_links SET digest_opt_out = ? WHERE id IN ({marks}) AND digest_opt_out != ?",
                     [int(opted_out), *link_ids, int(opted_out)])
    return cur.rowcount
