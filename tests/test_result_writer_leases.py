"""The writer renews the leases of the messages still in flight every third of a lease, not with every batch."""
from __future__ import annotations

from tests.test_receipts_in_writer import _claimed, _outcome, _writer

MARK = "2000-01-01T00:00:00.000Z"


def test_leases_in_flight_are_renewed_once_a_third_of_a_lease(tmp_path, db, app_settings):
    waiting, *answered = _claimed(db, app_settings, 4)
    writer = _writer(tmp_path / "sll.db", app_settings, in_flight=[waiting])
    writer.start()

    def lease_after(outcome):
        db.execute("UPDATE messages SET lease_until = ? WHERE id = ?", [MARK, waiting])
        writer.put(outcome)
        writer.wait_written(5)
        return db.execute("SELECT lease_until FROM messages WHERE id = ?", [waiting]).fetchone()[0]

    assert lease_after(_outcome(answered[0], "a1")) > MARK, "the first batch renews"
    assert lease_after(_outcome(answered[1], "a2")) == MARK, "not again within a third of the lease"
    writer._renewed -= writer.lease_s / 3
    assert lease_after(_outcome(answered[2], "a3")) > MARK, "renewed again once a third of the lease passed"
    writer.close()
    assert db.execute("SELECT count(*) FROM messages WHERE state = 'submitted'").fetchone()[0] == 3
