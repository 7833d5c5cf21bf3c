"""The immediate absence alert: an approved absence texted at once, once, for schools that want it."""
from __future__ import annotations

import json
from datetime import timedelta

from outbox import alerts
from store.review import approvals
from store.registry.review import spec
from store.core.clock import local_today, now_iso

from .builders import approve_all
from .fixtures_web import login_staff, post_form

TZ = "Asia/Ho_Chi_Minh"


def hoa(db):
    return db.execute("SELECT id FROM students WHERE code = 'DD900001'").fetchone()[0]


def absent(db, student_id, day, session="S", excused=0, status="pending"):
    cur = db.execute("INSERT INTO attendance (student_id, date, session, excused, status, entered_by, entered_at, "
                     "approved_at) VALUES (?, ?, ?, ?, ?, 'gv.lan', ?, ?)",
                     [student_id, day.isoformat(), session, excused, status, now_iso(),
                      now_iso() if status == "approved" else None])
    return cur.lastrowid


def alerts_to(db, phone):
    return [r[0] for r in db.execute("SELECT body FROM messages WHERE kind = 'alert' AND phone = ? ORDER BY id",
                                     [phone])]


def alerts_on(db, code="THCS-DD"):
    db.execute("UPDATE schools SET absence_alert = 1 WHERE code = ?", [code])


def test_only_schools_that_want_it_text_approved_absences(school_db, sms_settings):
    today = local_today(TZ)
    absent(school_db, hoa(school_db), today, status="approved")
    assert alerts.send_absence_alerts(school_db, sms_settings) == 0, "THCS-DD has not turned alerts on"
    alerts_on(school_db)
    assert alerts.send_absence_alerts(school_db, sms_settings) == 1, "today's approved absence goes once turned on"
    assert alerts.send_absence_alerts(school_db, sms_settings) == 0


def test_an_approved_absence_is_texted_once_with_every_session_approved_together(school_db, sms_settings):
    alerts_on(school_db)
    today = local_today(TZ)
    absent(school_db, hoa(school_db), today, "S", excused=0)
    absent(school_db, hoa(school_db), today, "C", excused=1)
    assert alerts.send_absence_alerts(school_db, sms_settings) == 0, "pending absences are not sent"
    assert approve_all(school_db, actor="co.lan", school=None, kind="attendance") == 2
    assert alerts.send_absence_alerts(school_db, sms_settings) == 1
    assert alerts_to(school_db, "+84912345678") == [
        f"Nguyen Thi Hoa 8A2 vang {today:%d/%m} sang (khong phep), {today:%d/%m} chieu (co phep)."]
    assert alerts.send_absence_alerts(school_db, sms_settings) == 0, "never twice"
    row = school_db.execute("SELECT state, student_id, school_id FROM messages WHERE kind = 'alert'").fetchone()
    assert row[0] == "queued" and row[1] == hoa(school_db)


def test_old_absences_and_opted_out_guardians_get_no_alert(school_db, sms_settings):
    alerts_on(school_db)
    sid = hoa(school_db)
    old = absent(school_db, sid, local_today(TZ) - timedelta(days=5), status="approved")
    assert alerts.send_absence_alerts(school_db, sms_settings) == 0, "last week's absence waits for the digest"
    school_db.execute("UPDATE guardian_links SET digest_opt_out = 1 WHERE student_id = ?", [sid])
    new = absent(school_db, sid, local_today(TZ), status="approved")
    assert alerts.send_absence_alerts(school_db, sms_settings) == 0
    assert alerts_to(school_db, "+84912345678") == []
    alerted = dict(school_db.execute("SELECT id, alerted_at IS NOT NULL FROM attendance WHERE id IN (?, ?)",
                                     [old, new]).fetchall())
    assert alerted == {old: 0, new: 1}, "today's is settled (nobody to text), last week's is left to the digest"


def test_the_approval_page_sends_the_alert_at_once(client, make_staff, school_db, redis_server, web_settings):
    alerts_on(school_db)
    absent(school_db, hoa(school_db), local_today(TZ))
    login_staff(client, make_staff("co.duyet", "reviewer", school="THCS-DD"))
    key = next(g.key for g in approvals.pending_groups(school_db, TZ)
               if g.key.kind is spec("attendance"))
    resp = post_form(client, "/staff/approvals", {"group": json.dumps(key.as_list()), "scope": "groups"},
                     get_from="/staff/approvals")
    assert resp.status_code == 303
    assert len(alerts_to(school_db, "+84912345678")) == 1
    assert redis_server.lrange(f"{web_settings.redis.prefix}outbox:wake", 0, -1) == [b"1"]


def test_school_set_turns_alerts_on_and_off(cli, school_db_path, tmp_path):
    from .conftest import write_config
    cfg = str(write_config(tmp_path / "s.toml", db_path=school_db_path))
    assert "absence alerts on" in cli("-c", cfg, "school", "set", "THCS-DD", "--absence-alert", check=True).stdout
    bad = cli("-c", cfg, "school", "set", "NOPE", "--absence-alert")
    assert bad.returncode != 0 and "unknown school 'NOPE'" in bad.stderr
    none = cli("-c", cfg, "school", "set", "THCS-DD")
    assert none.returncode != 0 and "nothing to change" in none.stderr
    import sqlite3
    with sqlite3.connect(school_db_path) as conn:
        assert conn.execute("SELECT absence_alert FROM schools WHERE code = 'THCS-DD'").fetchone()[0] == 1
