"""The evening digest: only news, only approved, once per guardian, school and day."""
from __future__ import annotations

import re
import threading
from datetime import date, timedelta

from outbox import digest
from store.core.clock import iso, local_today, school_year_of, utcnow
from store.core.connection import connect

def _two_days_this_school_year() -> tuple[date, date]:
    """Two consecutive local dates in the school year the demo school is built for (today's)."""
    today = local_today("Asia/Ho_Chi_Minh")
    first = today if school_year_of(today + timedelta(days=2)) == school_year_of(today) else today - timedelta(days=3)
    return first, first + timedelta(days=1)


DAY1, DAY2 = _two_days_this_school_year()
DAY3 = DAY2 + timedelta(days=1)
# Late in the school year (after every approval of the fixture), still the same school year.
LAST = date(int(school_year_of(DAY1)[:4]) + 1, 7, 30)



def school_id(db, code="THCS-DD"):
    return db.execute("SELECT id FROM schools WHERE code = ?", [code]).fetchone()[0]


def digests_of(db, phone):
    return [r[0] for r in db.execute("SELECT body FROM messages WHERE kind = 'digest' AND phone = ? ORDER BY id",
                                     [phone])]


def test_first_run_sends_each_guardian_one_digest_and_rerun_nothing(school_db, sms_settings):
    sid = school_id(school_db)
    first = digest.build(school_db, sms_settings, sid, DAY1)
    guardians = school_db.execute(
        "SELECT count(DISTINCT l.guardian_id) FROM guardian_links l JOIN students s ON s.id = l.student_id "
        "WHERE s.school_id = ? AND l.active = 1", [sid]).fetchone()[0]
    assert first.created == guardians and not first.already_built
    again = digest.build(school_db, sms_settings, sid, DAY1)
    assert again.already_built and again.created == 0
    assert school_db.execute("SELECT count(*) FROM messages WHERE kind = 'digest'").fetchone()[0] == guardians
    body = digests_of(school_db, "+84912345678")[0]
    # The first evening after a whole term: a summary in one part, not a listing cut at max_parts.
    assert re.match(rf"SLL {DAY1:%d/%m}: Nguyen Thi Hoa 8A2: \d+ diem moi .*du diem HK1: \d+ mon; RL HK1 ", body)
    assert body.endswith(". Xem: http://127.0.0.1:8080/p") and len(body) <= 160, body
    assert "Nguyen Minh An" not in body, "one digest per school: An's school sends its own"


def test_next_day_has_only_what_was_approved_since(school_db, sms_settings):
    sid = school_id(school_db)
    t1 = utcnow()
    digest.build(school_db, sms_settings, sid, DAY1, now=t1)
    hoa = school_db.execute("SELECT id FROM students WHERE code = 'DD900001'").fetchone()[0]
    later = iso(t1 + timedelta(hours=1))
    school_db.execute("UPDATE grades SET value = '9.5', corrected = 1, approved_at = ? WHERE student_id = ? AND "
                      "subject_code = 'TOAN' AND kind = 'GK'", [later, hoa])
    school_db.execute("INSERT INTO comments (student_id, date, subject_code, body, status, entered_at) "
                      "VALUES (?, '2026-11-28', 'VAN', 'Chua duyet', 'pending', ?)", [hoa, later])
    result = digest.build(school_db, sms_settings, sid, DAY2, now=t1 + timedelta(hours=2))
    assert result.created == 1
    assert digests_of(school_db, "+84912345678")[-1] == f"SLL {DAY2:%d/%m}: Nguyen Thi Hoa 8A2: Diem TOAN GK 9.5 (sua)"
    run = school_db.execute("SELECT cutoff_from, cutoff_to FROM digest_runs WHERE local_date = ?",
                            [DAY2.isoformat()]).fetchone()
    assert run[0] == iso(t1)


def test_nothing_new_means_no_digest_and_opted_out_children_get_none(school_db, sms_settings):
    sid = school_id(school_db)
    t1 = utcnow()
    digest.build(school_db, sms_settings, sid, DAY1, now=t1)
    assert digest.build(school_db, sms_settings, sid, DAY2, now=t1 + timedelta(hours=1)).created == 0
    school_db.execute("UPDATE guardian_links SET digest_opt_out = 1 WHERE guardian_id = "
                      "(SELECT id FROM guardians WHERE phone = '+84987654321')")
    result = digest.build(school_db, sms_settings, school_id(school_db), DAY3,
                          now=t1 + timedelta(hours=2))
    assert result.created == 0


def test_a_light_evening_reads_no_page_and_still_finds_the_one_new_comment(school_db, sms_settings):
    """Nothing approved since yesterday: each source says so from one index seek and no page of guardians is
    read; one comment approved the next day makes its source (only it) read the pages again."""
    sid = school_id(school_db)
    t1 = utcnow()
    digest.build(school_db, sms_settings, sid, DAY1, now=t1)
    statements = []
    school_db.conn.set_trace_callback(statements.append)
    try:
        assert digest.build(school_db, sms_settings, sid, DAY2, now=t1 + timedelta(hours=1)).created == 0
    finally:
        school_db.conn.set_trace_callback(None)
    assert statements and not [q for q in statements if "JOIN guardians g ON g.id = l.guardian_id" in q]
    hoa = school_db.execute("SELECT id FROM students WHERE code = 'DD900001'").fetchone()[0]
    later = iso(t1 + timedelta(hours=2))
    school_db.execute("INSERT INTO comments (student_id, date, subject_code, body, status, entered_at, approved_at) "
                      "VALUES (?, '2026-11-28', 'VAN', 'Con tien bo', 'approved', ?, ?)", [hoa, later, later])
    run = digest.open_run(school_db, sid, DAY3, t1 + timedelta(hours=3), dry_run=True)
    assert [source.name for source in digest.Builder(school_db, sms_settings, run).sources] == ["comments"]
    assert digest.build(school_db, sms_settings, sid, DAY3, now=t1 + timedelta(hours=3)).created == 1
    assert digests_of(school_db, "+84912345678")[-1] == f"SLL {DAY3:%d/%m}: Nguyen Thi Hoa 8A2: NX VAN: Con tien bo"


def test_concurrent_runs_build_once(school_db_path, sms_settings):
    dbs = [connect(school_db_path) for _ in range(4)]
    sid = school_id(dbs[0])
    results = []

    def run(db):
        results.append(digest.build(db, sms_settings, sid, DAY1))

    threads = [threading.Thread(target=run, args=(db,)) for db in dbs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = dbs[0].execute("SELECT count(*) FROM messages WHERE kind = 'digest'").fetchone()[0]
    assert sum(r.created for r in results) == total > 0
    assert dbs[0].execute("SELECT count(*), count(DISTINCT guardian_id) FROM digests").fetchone() == (total, total)


def test_a_crashed_run_resumes_without_duplicates(school_db, sms_settings):
    sid = school_id(school_db)
    first = digest.build(school_db, sms_settings, sid, DAY1)
    # Simulate a crash after part of the guardians: forget half their digests and reopen the run.
    school_db.execute("UPDATE digest_runs SET state = 'building' WHERE id = ?", [first.run_id])
    half = school_db.execute("SELECT guardian_id, message_id FROM digests ORDER BY guardian_id LIMIT ?",
                             [first.created // 2]).fetchall()
    for gid, mid in half:
        school_db.execute("DELETE FROM digests WHERE guardian_id = ?", [gid])
        school_db.execute("DELETE FROM messages WHERE id = ?", [mid])
    resumed = digest.build(school_db, sms_settings, sid, DAY1)
    assert resumed.created == len(half) and resumed.skipped_existing == first.created - len(half)
    assert school_db.execute("SELECT count(*) FROM messages WHERE kind = 'digest'").fetchone()[0] == first.created


def test_digests_valid_until_nine_pm(school_db, sms_settings):
    from datetime import datetime, timezone
    at_1900 = datetime(LAST.year, LAST.month, LAST.day, 12, 0, tzinfo=timezone.utc)      # 19:00 in Ha Noi
    digest.build(school_db, sms_settings, school_id(school_db), LAST, now=at_1900)
    row = school_db.execute("SELECT min(not_before), max(valid_until) FROM messages WHERE kind = 'digest'").fetchone()
    assert row == (f"{LAST}T12:00:00.000Z", f"{LAST}T14:00:00.000Z")


def test_a_digest_built_in_quiet_hours_waits_for_the_morning(school_db, sms_settings):
    from datetime import datetime, timezone
    late = datetime(LAST.year, LAST.month, LAST.day, 15, 30, tzinfo=timezone.utc)      # 22:30 in Ha Noi
    result = digest.build(school_db, sms_settings, school_id(school_db), LAST, now=late)
    row = school_db.execute("SELECT min(not_before), max(valid_until) FROM messages WHERE kind = 'digest'").fetchone()
    # Held until 07:00 the next morning, valid until 21:00 that day: late, never at night, never lost.
    after = LAST + timedelta(days=1)
    assert row == (f"{after}T00:00:00.000Z", f"{after}T14:00:00.000Z")
    assert "quiet hours" in result.warning


def test_without_quiet_hours_a_digest_built_after_nine_pm_still_goes_out(school_db):
    """A school with no quiet hours that builds at 22:30: sent at once, valid until the next evening (it
    expired at once before: the evening's 21:00 was already past)."""
    from datetime import datetime, timezone

    import settings as settings_mod
    no_quiet = settings_mod.load(settings_mod.DEFAULT_CONFIG, env={"SLL_SMS_QUIET_HOURS": ""})
    late = datetime(LAST.year, LAST.month, LAST.day, 15, 30, tzinfo=timezone.utc)      # 22:30 in Ha Noi
    digest.build(school_db, no_quiet, school_id(school_db), LAST, now=late)
    row = school_db.execute("SELECT min(not_before), max(valid_until) FROM messages WHERE kind = 'digest'").fetchone()
    assert row == (f"{LAST}T15:30:00.000Z", f"{LAST + timedelta(days=1)}T14:00:00.000Z")


def test_warning_when_the_parts_would_run_into_quiet_hours(sms_settings):
    from datetime import datetime, timezone
    at_2050 = datetime(2026, 11, 27, 13, 50, tzinfo=timezone.utc)   # 20:50 local, quiet from 21:00
    assert digest.quiet_hours_warning(sms_settings, 700 * 100, at_2050) is not None   # 700 s at 100 TPS
    assert digest.quiet_hours_warning(sms_settings, 100, at_2050) is None


def test_a_run_interrupted_yesterday_is_finished_before_todays(school_db, sms_settings):
    sid = school_id(school_db)
    t1 = utcnow()
    first = digest.build(school_db, sms_settings, sid, DAY1, now=t1)
    school_db.execute("UPDATE digest_runs SET state = 'building' WHERE id = ?", [first.run_id])
    gid, mid = school_db.execute("SELECT guardian_id, message_id FROM digests ORDER BY guardian_id LIMIT 1").fetchone()
    school_db.execute("DELETE FROM digests WHERE guardian_id = ?", [gid])
    school_db.execute("DELETE FROM messages WHERE id = ?", [mid])
    digest.build(school_db, sms_settings, sid, DAY2, now=t1 + timedelta(hours=1))
    assert school_db.execute("SELECT state FROM digest_runs WHERE id = ?", [first.run_id]).fetchone()[0] == "built"
    assert school_db.execute("SELECT count(*) FROM digests WHERE guardian_id = ? AND local_date = ?",
                             [gid, DAY1.isoformat()]).fetchone()[0] == 1, "the guardian missed by the crash got it"


def test_a_build_survives_other_writers_committing_while_it_runs(school_db, school_db_path, sms_settings,
                                                                  monkeypatch):
    """The gateway commits all the time: a build must not write while its recipient query is still open."""
    other = connect(school_db_path)
    real = digest.news_of_page

    def news_while_someone_commits(*args, **kwargs):
        other.execute("INSERT INTO audit_log (at, actor, action) VALUES ('2026-01-01', 'gateway', 'mo')")
        return real(*args, **kwargs)

    monkeypatch.setattr(digest, "BATCH", 2)       # flush inside the loop, as a 500-guardian school does
    monkeypatch.setattr(digest, "news_of_page", news_while_someone_commits)
    result = digest.build(school_db, sms_settings, school_id(school_db), DAY1)
    assert result.created > 2
    other.close()
