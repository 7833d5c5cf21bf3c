"""A "Học sinh Tiêu biểu" round (TT27 art. 15.1b) in the demo primary school: the class's teachers nominate, the
homeroom teacher decides, and the decision becomes the pupil's year-end award pending approval; once approved the
parent reads it (on a computed result still marked tạm tính, and computed again after a correction). The demo primary school: 0977123456 has KD900004 Đỗ Minh Khôi (TH-KD 4A1)."""
from __future__ import annotations

import pytest

import settings as settings_mod
from store.community import round_commendation, rounds
from store.community.poll_rules import PollError
from store.core.clock import local_today, school_year_of
from store.imports import import_file
from store.core.clock import now_iso
from store.primary import assessments, news
from store.review import approvals
from store.rules.tt27 import Commendation, YearResult
from store.school import users

from .conftest import write_config
from .fixtures_commands import Conversation
from .fixtures_web import STAFF_PASSWORD, login_staff, post_form
from .test_primary_sms import TESTED_CN_G4, _csv, _year_end

TZ = "Asia/Ho_Chi_Minh"
HOMEROOM = "gvcn-4a1"


@pytest.fixture
def web_settings(tmp_path, primary_db, redis_url, redis_prefix):
    """The web app on the demo primary school (overrides fixtures_web's secondary one)."""
    cfg = write_config(tmp_path / "web.toml", f'[redis]\nurl = "{redis_url}"\nprefix = "{redis_prefix}"\n',
                       db_path=tmp_path / "sll.db")
    return settings_mod.load(cfg, env={"SLL_WEB_SECRET_KEY": "test-secret-key-of-at-least-32-bytes"})


def _class(db):
    return db.execute("SELECT id, school_id FROM classes WHERE name = '4A1' AND school_year = ?",
                      [school_year_of(local_today(TZ))]).fetchone()


def _homeroom(db) -> tuple[int, int]:
    """(user id, staff id) of 4A1's homeroom teacher by this term's assignment; also a subject teacher."""
    class_id, school_id = _class(db)
    year = school_year_of(local_today(TZ))
    from store.school import terms
    term = terms.current_term(db, school_id, local_today(TZ)).term
    ids = []
    for login, code, homeroom in ((HOMEROOM, "GV-CN", 1), ("gv-tin-4a1", "GV-TIN", 0)):
        uid = users.add_user(db, login, "teacher", STAFF_PASSWORD, school_code="TH-KD")
        sid = db.execute("INSERT INTO staff (school_id, code, full_name, position, user_id) VALUES (?, ?, ?, 'gv', ?)",
                         [school_id, code, f"Cô {code}", uid]).lastrowid
        db.execute("INSERT INTO teaching_assignments (school_id, school_year, term, staff_id, class_id, subject_code, "
                   "homeroom) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   [school_id, year, int(term), sid, class_id, "" if homeroom else "TINCN", homeroom])
        ids.append((uid, sid))
    return ids[0]


def _pupil_ids(db) -> dict[str, int]:
    class_id, _ = _class(db)
    return dict(db.execute("SELECT s.code, s.id FROM enrollments e JOIN students s ON s.id = e.student_id "
                           "WHERE e.class_id = ?", [class_id]).fetchall())


def _results(db, student_id):
    return db.execute("SELECT result, commendation, status FROM primary_results WHERE student_id = ?",
                      [student_id]).fetchone()


def test_the_homeroom_decision_becomes_a_pending_tieu_bieu_and_reaches_the_parent_once_approved(
        primary_db, sms_settings, tmp_path):
    year = _year_end(tmp_path, primary_db, music="T", tests={**TESTED_CN_G4, "TOAN": 8})    # Khôi: computed HTT
    pupils = _pupil_ids(primary_db)
    khoi = pupils.pop("KD900004")
    (ht, ht_id), (_, none_id), (tb, tb_id) = sorted(pupils.items())[:3]
    import_file(primary_db, "ketqua_th", _csv(tmp_path / "kq.csv", ["ma_hs", "nam_hoc", "ket_qua", "khen_thuong"],
                                              [(ht, year, "Hoàn thành", ""),
                                               (tb, year, "Hoàn thành tốt", "Học sinh Tiêu biểu")]), approve=True)
    uid, _ = _homeroom(primary_db)
    class_id, school_id = _class(primary_db)
    rnd = rounds.get(primary_db, rounds.open_round(primary_db, school_id=school_id, class_id=class_id,
                                                   school_year=year, term=2, kind=rounds.RoundKind.COMMENDATION,
                                                   user_id=uid, by=HOMEROOM))
    with pytest.raises(PollError, match="chỉ phiếu rèn luyện"):
        rounds.to_conduct(primary_db, rnd, {khoi: "C"}, by=HOMEROOM)
    with pytest.raises(PollError, match="THCS, THPT"):
        rounds.open_round(primary_db, school_id=school_id, class_id=class_id, school_year=year, term=2,
                          kind=rounds.RoundKind.CONDUCT, user_id=uid, by=HOMEROOM)
    talk = Conversation(primary_db, sms_settings)
    before = talk.send("0977123456", "KQ CN")
    outcome = round_commendation.to_commendation(primary_db, rnd, {khoi: "C", ht_id: "C", none_id: "C", tb_id: "K"},
                                                 by=HOMEROOM)
    assert outcome.written == 2
    assert dict(outcome.skipped).keys() == {n for n, in primary_db.execute(
        "SELECT full_name FROM students WHERE id IN (?, ?)", [ht_id, none_id])}
    assert any("cần Hoàn thành tốt" in why for _, why in outcome.skipped)
    assert any("chưa có kết quả" in why for _, why in outcome.skipped)
    assert _results(primary_db, khoi) == ("HTT", "TB", "pending")
    assert _results(primary_db, tb_id) == ("HTT", None, "pending"), "K takes back an approved Tiêu biểu, for review"
    assert _results(primary_db, ht_id) == ("HT", None, "approved") and _results(primary_db, none_id) is None
    assert talk.send("0977123456", "KQ CN") == before, "nothing pending reaches the parent"
    assert round_commendation.to_commendation(primary_db, rnd, {khoi: "C"}, by=HOMEROOM).written == 0, "unchanged"
    stranger = primary_db.execute("SELECT max(id) + 1 FROM students").fetchone()[0]
    with pytest.raises(PollError, match="không thuộc lớp 4A1"):
        round_commendation.to_commendation(primary_db, rnd, {stranger: "C"}, by=HOMEROOM)

    groups = [gr for gr in approvals.pending_groups(primary_db, TZ, school_id=school_id)
              if gr.key.kind.name == "primary_results"]
    assert sum(gr.count for gr in groups) == 2 and {gr.key.entered_by for gr in groups} == {HOMEROOM}
    approvals.approve(primary_db, [gr.key for gr in groups], actor="kd-th", tz=TZ, school_id=school_id)
    def outcome_now():
        marks = assessments.subject_marks(primary_db, khoi, school_id, 4, year)
        out = assessments.year_outcome(primary_db, khoi, 4, year, marks, assessments.qualities(primary_db, khoi, year))
        return out.result, out.commendation, out.provisional
    assert outcome_now() == (YearResult.HTT, Commendation.TIEU_BIEU, True), "the award, on a result still tạm tính"
    assert news.approved_between(primary_db, school_id, None, now_iso())[khoi].result_provisional, "digest: tạm tính"
    after = talk.send("0977123456", "KQ CN")
    assert "Khen thuong: Hoc sinh Tieu bieu" in after and "Hoan thanh tot (tam tinh)" in after, after
    _year_end(tmp_path, primary_db, music="H", tests={**TESTED_CN_G4, "TOAN": 8})      # a CN level corrected
    assert outcome_now() == (YearResult.HT, None, True), "computed again: Hoàn thành, so no Tiêu biểu"
    assert "Tieu bieu" not in talk.send("0977123456", "KQ CN")
    audit = primary_db.execute("SELECT actor FROM audit_log WHERE action = 'round:to-commendation'").fetchall()
    assert audit and audit[0] == (HOMEROOM,)


def test_a_commendation_round_is_for_primary_classes_only(school_db, sms_settings):
    class_id, school_id = school_db.execute(
        "SELECT c.id, c.school_id FROM classes c JOIN schools s ON s.id = c.school_id WHERE s.code = 'THCS-DD' "
        "AND c.name = '8A2' ORDER BY c.school_year DESC").fetchone()
    uid = users.add_user(school_db, "gv-x", "teacher", STAFF_PASSWORD, school_code="THCS-DD")
    with pytest.raises(PollError, match="tiểu học"):
        rounds.open_round(school_db, school_id=school_id, class_id=class_id,
                          school_year=school_year_of(local_today(TZ)), term=1,
                          kind=rounds.RoundKind.COMMENDATION, user_id=uid, by="gv-x")


def test_on_the_web_the_tally_presets_the_decision_and_the_button_writes_it_pending(client, primary_db, sms_settings,
                                                                                   tmp_path):
    year = _year_end(tmp_path, primary_db, music="T", tests={**TESTED_CN_G4, "TOAN": 8})
    khoi = _pupil_ids(primary_db)["KD900004"]
    _homeroom(primary_db)
    class_id, _ = _class(primary_db)
    login_staff(client, HOMEROOM)
    r = post_form(client, "/staff/rounds/", {"class": str(class_id), "kind": "commendation"})
    assert r.status_code == 303
    url = r.headers["Location"]
    teacher = client.application.test_client()
    login_staff(teacher, "gv-tin-4a1")
    assert post_form(teacher, url, {f"s{khoi}": "C"}, get_from=url).status_code == 303
    assert post_form(teacher, f"{url}/commendation", {f"f{khoi}": "C"}, get_from=url).status_code == 403
    page = client.get(url).get_data(as_text=True)
    row = page[page.index(f'data-student="{khoi}"'):]
    row = row[:row.index("</tr>")]
    assert '<option value="C" selected>' in row and 'id="to-commendation"' in page
    r = post_form(client, f"{url}/commendation", {f"f{khoi}": "C"}, get_from=url)
    assert r.status_code == 303
    assert "Đã ghi 1 khen thưởng cuối năm, chờ duyệt." in client.get(url).get_data(as_text=True)
    assert _results(primary_db, khoi) == ("HTT", "TB", "pending")
    assert primary_db.execute("SELECT count(*) FROM primary_results WHERE school_year = ?", [year]).fetchone()[0] == 1
