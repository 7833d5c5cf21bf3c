"""The approval queue's store (store/review/approvals.py), the staff texts (outbox/notices.py), announcement
recipients (store/messaging/announcements.py) and the GV/NGHI queries, on the demo school (THCS-DD, THPT-CVA)."""
from __future__ import annotations

from datetime import date

import pytest

from outbox import notices
from store.messaging import announcements, teacher_messages
from store.review import approvals
from store.review.approvals import ApprovalError, GroupKey
from store.core.clock import now_iso
from store.secondary.news import approved_between
from .state_moves import checked_review_moves
from store.registry.review import spec

from .builders import insert_grade, this_year as year

TZ = "Asia/Ho_Chi_Minh"
# 2025-10-01 23:59 and 2025-10-02 00:01 in Hanoi (UTC+7).
LATE, EARLY_NEXT = "2025-10-01T16:59:00.000Z", "2025-10-01T17:01:00.000Z"


@pytest.fixture(autouse=True)
def review_moves(request):
    """Every review status these tests change is a move of its machine (store/review/status.py)."""
    yield from checked_review_moves(request)


def ids(db, code):
    """(student id, class id, school id) of a demo student this year."""
    return db.execute("SELECT s.id, e.class_id, s.school_id FROM students s JOIN enrollments e ON e.student_id = s.id "
                      "AND e.school_year = ? WHERE s.code = ?", [year(), code]).fetchone()


def school(db, code):
    return db.execute("SELECT id FROM schools WHERE code = ?", [code]).fetchone()[0]


def classmates(db, code, n):
    """``n`` student codes of the class of ``code`` (itself included)."""
    _, class_id, _ = ids(db, code)
    return [r[0] for r in db.execute("SELECT s.code FROM students s JOIN enrollments e ON e.student_id = s.id "
                                     "WHERE e.class_id = ? ORDER BY s.code LIMIT ?", [class_id, n])]


def pending_grade(db, code, subject="TOAN", seq=1, value="9", *, by="import:toan.csv", at=LATE, term=2):
    sid = ids(db, code)[0]
    return insert_grade(db, sid, subject, year(), term, "TX", seq, value, "pending", entered_by=by, entered_at=at)


def status(db, table, rowid):
    return db.execute(f"SELECT status, approved_by, approved_at FROM {table} WHERE rowid = ?", [rowid]).fetchone()


@pytest.fixture
def queue(school_db):
    """Pending rows in both schools: 3 Toán scores in 8A2, 1 Văn score in 8A2, 1 Toán score at THPT-CVA."""
    db = school_db
    toan = [pending_grade(db, c) for c in classmates(db, "DD900001", 3)]
    van = pending_grade(db, "DD900001", subject="VAN")
    cva = pending_grade(db, "CVA900001")
    return {"toan": toan, "van": van, "cva": cva, "dd": school(db, "THCS-DD"), "cva_school": school(db, "THPT-CVA")}


def test_groups_by_kind_class_subject_batch_and_day(school_db, queue):
    groups = approvals.pending_groups(school_db, TZ, school_id=queue["dd"])
    by_subject = {g.key.subject: g for g in groups}
    assert set(by_subject) == {"TOAN", "VAN"}
    assert by_subject["TOAN"].count == 3 and by_subject["VAN"].count == 1
    assert by_subject["TOAN"].class_name == "8A2" and by_subject["TOAN"].school_code == "THCS-DD"
    assert by_subject["TOAN"].key.day == date(2025, 10, 1)
    # Every school for an operator (None); THPT-CVA's row is never in THCS-DD's queue.
    assert {g.school_code for g in approvals.pending_groups(school_db, TZ)} == {"THCS-DD", "THPT-CVA"}


def test_local_midnight_splits_batches_and_other_entries(school_db, queue):
    code = classmates(school_db, "DD900001", 5)[4]
    pending_grade(school_db, code, at=EARLY_NEXT)                       # next local day
    pending_grade(school_db, code, seq=2, by="teacher1")                 # another author, same day
    groups = [g for g in approvals.pending_groups(school_db, TZ, school_id=queue["dd"]) if g.key.subject == "TOAN"]
    assert sorted((g.key.entered_by, g.key.day.isoformat(), g.count) for g in groups) == [
        ("import:toan.csv", "2025-10-01", 3), ("import:toan.csv", "2025-10-02", 1), ("teacher1", "2025-10-01", 1)]


def test_teacher_class_scope(school_db, queue):
    _, class_8a2, _ = ids(school_db, "DD900001")
    _, class_7a1, _ = ids(school_db, "DD900002")
    assert {g.class_name for g in approvals.pending_groups(school_db, TZ, school_id=queue["dd"],
                                                           class_ids={class_8a2})} == {"8A2"}
    assert approvals.pending_groups(school_db, TZ, school_id=queue["dd"], class_ids={class_7a1}) == []
    assert approvals.pending_groups(school_db, TZ, school_id=queue["dd"], class_ids=set()) == []


def test_approving_a_group_moves_exactly_its_rows(school_db, queue):
    key = next(g.key for g in approvals.pending_groups(school_db, TZ, school_id=queue["dd"]) if g.key.subject == "TOAN")
    before = now_iso()
    n = approvals.approve(school_db, [key], actor="rv1", tz=TZ, school_id=queue["dd"])
    assert n == 3
    for rowid in queue["toan"]:
        st, by, at = status(school_db, "grades", rowid)
        assert (st, by) == ("approved", "rv1") and at >= before
    assert status(school_db, "grades", queue["van"])[0] == "pending"
    assert status(school_db, "grades", queue["cva"])[0] == "pending"
    # Approving again changes nothing (already approved rows are not pending).
    assert approvals.approve(school_db, [key], actor="rv2", tz=TZ, school_id=queue["dd"]) == 0
    assert status(school_db, "grades", queue["toan"][0])[1] == "rv1"


def test_approved_at_is_what_the_digest_reads(school_db, queue):
    key = next(g.key for g in approvals.pending_groups(school_db, TZ, school_id=queue["dd"]) if g.key.subject == "VAN")
    # The previous digest's cutoff: the latest approval so far (the demo data's import).
    cutoff = max(school_db.execute(f"SELECT max(approved_at) FROM {t}").fetchone()[0] or ""
                 for t in ("grades", "comments", "attendance", "conduct", "events"))
    approvals.approve(school_db, [key], actor="rv1", tz=TZ, school_id=queue["dd"])
    news = approved_between(school_db, queue["dd"], cutoff, now_iso())
    hoa = ids(school_db, "DD900001")[0]
    assert [(g.subject_code, str(g.value)) for g in news.students[hoa].grades] == [("VAN", "9")]
    assert set(news.students) == {hoa}


def test_chosen_rows_only_and_only_inside_the_group(school_db, queue):
    key = next(g.key for g in approvals.pending_groups(school_db, TZ, school_id=queue["dd"]) if g.key.subject == "TOAN")
    # The VAN row id is not of this group: ignored.
    n = approvals.approve(school_db, [key], actor="rv1", tz=TZ, school_id=queue["dd"],
                          row_ids=[queue["toan"][0], queue["van"]])
    assert n == 1
    assert [status(school_db, "grades", r)[0] for r in queue["toan"]] == ["approved", "pending", "pending"]
    assert status(school_db, "grades", queue["van"])[0] == "pending"


def test_another_schools_group_is_refused_before_anything_moves(school_db, queue):
    keys = [g.key for g in approvals.pending_groups(school_db, TZ)]
    with pytest.raises(ApprovalError, match="another school"):
        approvals.approve(school_db, keys, actor="rv1", tz=TZ, school_id=queue["dd"])
    assert school_db.execute("SELECT count(*) FROM grades WHERE status = 'pending'").fetchone()[0] == 5
    # A forged key naming THCS-DD's id cannot reach THPT-CVA's rows either.
    cva_key = next(k for k in keys if k.school_id == queue["cva_school"])
    forged = GroupKey(cva_key.kind, queue["dd"], cva_key.class_id, cva_key.subject, cva_key.entered_by, cva_key.day)
    assert approvals.approve(school_db, [forged], actor="rv1", tz=TZ, school_id=queue["dd"]) == 0
    assert status(school_db, "grades", queue["cva"])[0] == "pending"


def test_corrected_grades_are_counted_and_marked(school_db):
    hoa, _, dd = ids(school_db, "DD900001")
    rowid = school_db.execute("SELECT rowid FROM grades WHERE student_id = ? AND subject_code = 'TOAN' AND term = 1 "
                              "AND kind = 'GK'", [hoa]).fetchone()[0]
    school_db.execute("UPDATE grades SET value = '4', status = 'pending', corrected = 1, entered_by = 'gv', "
                      "entered_at = ?, approved_at = NULL WHERE rowid = ?", [LATE, rowid])
    (group,) = approvals.pending_groups(school_db, TZ, school_id=dd)
    assert (group.count, group.corrected) == (1, 1)
    (row,) = approvals.pending_rows(school_db, group.key, TZ)
    assert row.corrected and row.detail == "HK1 GK: 4" and row.student_code == "DD900001"


def test_every_kind_finds_its_school_and_class(school_db):
    hoa, class_id, dd = ids(school_db, "DD900001")
    day = f"{year()[:4]}-11-20"
    stamp = {"status": "pending", "entered_by": "gv", "entered_at": LATE}
    school_db["attendance"].insert({"student_id": hoa, "date": day, "session": "S", "excused": 1, "reason": "sot",
                                    **stamp})
    school_db["comments"].insert({"student_id": hoa, "date": day, "subject_code": "", "body": "Ngoan", **stamp})
    school_db["conduct"].insert({"student_id": hoa, "school_year": year(), "term": 2, "rating": "T", **stamp})
    school_db["events"].insert({"school_id": dd, "class_id": None, "date": day, "kind": "hop", "title": "Hop PH",
                                **stamp})
    groups = {g.key.kind: g for g in approvals.pending_groups(school_db, TZ, school_id=dd)}
    assert set(groups) == {spec("attendance"), spec("comments"), spec("conduct"), spec("events")}
    assert all(groups[k].key.class_id == class_id for k in (spec("attendance"), spec("comments"), spec("conduct")))
    assert groups[spec("events")].key.class_id is None
    assert approvals.pending_rows(school_db, groups[spec("attendance")].key, TZ)[0].detail.startswith("Vắng")
    n = approvals.approve(school_db, [g.key for g in groups.values()], actor="rv1", tz=TZ, school_id=dd)
    assert n == 4
    assert approvals.pending_groups(school_db, TZ) == []


@pytest.mark.parametrize("value", [None, "x", [], ["grades", "1", None, "", None, "2025-10-01"],
                                   ["nope", 1, None, "", None, "2025-10-01"], ["grades", 1, None, "", None, "bad"]])
def test_bad_group_keys_are_refused(value):
    with pytest.raises(ApprovalError):
        GroupKey.from_list(value)


def test_rows_of_several_groups_at_once_are_refused(school_db, queue):
    keys = [g.key for g in approvals.pending_groups(school_db, TZ, school_id=queue["dd"])]
    with pytest.raises(ApprovalError, match="one group"):
        approvals.approve(school_db, keys, actor="rv1", tz=TZ, school_id=queue["dd"], row_ids=queue["toan"])


# -- staff texts -------------------------------------------------------------------------------
def test_teacher_answer_is_unaccented_gsm(sms_settings):
    sms = notices.teacher_answer(sms_settings, kind="GV", class_name="8A2", student_name="Nguyễn Thị Hoa",
                                 answer="Cô sẽ gặp anh chiều thứ Sáu — 15h.")
    assert sms.text == "GV lop 8A2 tra loi ve Nguyen Thi Hoa: Co se gap anh chieu thu Sau - 15h."
    assert (sms.encoding, sms.parts, sms.fits) == ("gsm", 1, True)


def _prefix(settings) -> str:
    return notices.announcement(settings, school_name="Trường THCS Đống Đa", class_name=None, text="x").text[:-1]


def test_announcement_parts_count_septets(sms_settings):
    room = 160 - len(_prefix(sms_settings))

    def parts(text):
        return notices.announcement(sms_settings, school_name="Trường THCS Đống Đa", class_name=None, text=text)

    assert (parts("a" * room).units, parts("a" * room).parts) == (160, 1)
    assert (parts("a" * (room + 1)).units, parts("a" * (room + 1)).parts) == (161, 2)
    euro = parts("a" * (room - 2) + "€")      # portable text spells € as EUR: three septets, not one
    assert euro.text.endswith("aEUR") and (euro.units, euro.parts) == (161, 2)
    assert parts("Họp phụ huynh").text == "Truong THCS Dong Da thong bao: Hop phu huynh"
    too_long = parts("a" * 500)
    assert too_long.parts == 4 and not too_long.fits      # sms.max_parts = 3


# -- recipients and GV/NGHI --------------------------------------------------------------------
def test_announcement_recipients_one_per_guardian_opt_outs_marked(school_db):
    hoa, class_8a2, dd = ids(school_db, "DD900001")
    everyone = announcements.recipients(school_db, dd, year())
    phones_ = [r.phone for r in everyone]
    assert len(phones_) == len(set(phones_))
    assert "+84912345678" in phones_ and "+84987654321" in phones_
    cva_only = "+84903000111"
    assert cva_only not in phones_
    in_class = announcements.recipients(school_db, dd, year(), class_8a2)
    assert "+84912345678" in [r.phone for r in in_class] and "+84987654321" not in [r.phone for r in in_class]
    school_db.execute("UPDATE guardian_links SET digest_opt_out = 1 WHERE student_id = ?", [hoa])
    hung = next(r for r in announcements.recipients(school_db, dd, year(), class_8a2) if r.phone == "+84912345678")
    assert hung.opted_out and hung.student_id == hoa
    school_db.execute("UPDATE guardian_links SET active = 0 WHERE student_id = ?", [hoa])
    assert "+84912345678" not in [r.phone for r in announcements.recipients(school_db, dd, year())]


def test_teacher_messages_scoped_and_unanswered_first(school_db):
    hoa, class_8a2, dd = ids(school_db, "DD900001")
    an, class_11a1, cva = ids(school_db, "CVA900001")
    gid = school_db.execute("SELECT id FROM guardians WHERE phone = '+84912345678'").fetchone()[0]
    first = teacher_messages.create(school_db, "GV", school_id=dd, class_id=class_8a2, student_id=hoa,
                                    guardian_id=gid, body="xin gap co")
    second = teacher_messages.create(school_db, "NGHI", school_id=dd, class_id=class_8a2, student_id=hoa,
                                     guardian_id=gid, body="con bi sot")
    other = teacher_messages.create(school_db, "GV", school_id=cva, class_id=class_11a1, student_id=an,
                                    guardian_id=gid, body="hoi diem")
    assert teacher_messages.record_answer(school_db, second, answer="ok", answered_by="gv1", answer_message_id=None)
    assert not teacher_messages.record_answer(school_db, second, answer="again", answered_by="gv2",
                                              answer_message_id=None)
    assert [m.id for m in teacher_messages.for_staff(school_db, school_id=dd)] == [first, second]
    assert [m.id for m in teacher_messages.for_staff(school_db, school_id=None)][-1] == second
    assert {m.id for m in teacher_messages.for_staff(school_db, school_id=None)} == {first, second, other}
    assert teacher_messages.for_staff(school_db, school_id=dd, class_ids=set()) == []
    assert teacher_messages.get(school_db, second).answered_by == "gv1"
