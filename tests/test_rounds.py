"""Teacher rounds (phiếu bình xét, SPEC §13): opened by the homeroom teacher, answered by the class's teachers on
the web or by PB from their phone, the tally only for the homeroom teacher and leaders, conduct pending approval."""
from __future__ import annotations

import pytest

from store.core.clock import local_today, school_year_of
from store.community import rounds
from store.community.poll_rules import PollError
from store.school import users
from store.school.users import set_password

from .fixtures_commands import Conversation
from .fixtures_web import STAFF_PASSWORD, login_staff, post_form
from .state_moves import checked_review_moves

HOMEROOM = "dd-gv001.thcs-dd"          # Nguyễn Thu Hà, GVCN 8A2 in the demo roster, 0911222333


@pytest.fixture(autouse=True)
def review_moves(request):
    """Every review status these tests change is a move of its machine (store/review/status.py)."""
    yield from checked_review_moves(request)


def _class(db, name="8A2"):
    return db.execute("SELECT c.id, c.school_id FROM classes c JOIN schools s ON s.id = c.school_id "
                      "WHERE s.code = 'THCS-DD' AND c.name = ? ORDER BY c.school_year DESC", [name]).fetchone()


def _subject_teacher(db, class_id):
    """(staff id, login, phone) of a teacher of the class who is not its homeroom teacher."""
    return db.execute("SELECT st.id, u.login, st.phone FROM teaching_assignments t JOIN staff st ON st.id = t.staff_id "
                      "JOIN users u ON u.id = st.user_id WHERE t.class_id = ? AND t.homeroom = 0 AND st.phone IS NOT NULL "
                      "AND u.login != ? ORDER BY st.id LIMIT 1", [class_id, HOMEROOM]).fetchone()


def _open(db, settings, kind=rounds.RoundKind.CONDUCT):
    class_id, school_id = _class(db)
    uid = db.execute("SELECT id FROM users WHERE login = ?", [HOMEROOM]).fetchone()[0]
    year = school_year_of(local_today(settings.sms.timezone))
    return rounds.get(db, rounds.open_round(db, school_id=school_id, class_id=class_id, school_year=year, term=1,
                                            kind=kind, user_id=uid, by=HOMEROOM))


def test_a_round_asks_the_assigned_teachers_and_its_outcome_waits_for_approval(school_db, sms_settings):
    rnd = _open(school_db, sms_settings)
    today = local_today(sms_settings.sms.timezone)
    asked = rounds.teachers(school_db, rnd.class_id, rnd.school_id, today)
    teacher = _subject_teacher(school_db, rnd.class_id)
    assert teacher[0] in asked and len(asked) >= 3
    with pytest.raises(PollError, match="đang có một phiếu"):
        _open(school_db, sms_settings)
    pupils = rounds.pupils(school_db, rnd.class_id, rnd.school_year)
    for p in pupils[:3]:
        rounds.vote(school_db, rnd, teacher[0], p.student_id, "K", source="web")
    with pytest.raises(PollError, match="không có"):
        rounds.vote(school_db, rnd, teacher[0], pupils[0].student_id, "X", source="web")
    assert rounds.tally(school_db, rnd.id)[pupils[0].student_id]["K"] == 1
    written = rounds.to_conduct(school_db, rnd, {pupils[0].student_id: "K"}, by=HOMEROOM)
    row = school_db.execute("SELECT rating, status, entered_by FROM conduct WHERE student_id = ? AND term = 1",
                            [pupils[0].student_id]).fetchone()
    assert written == 1 and row == ("K", "pending", HOMEROOM)
    rounds.close(school_db, rnd, by=HOMEROOM)
    with pytest.raises(PollError, match="đã đóng"):
        rounds.vote(school_db, rounds.get(school_db, rnd.id), teacher[0], pupils[0].student_id, "T", source="web")


def test_pb_from_a_teachers_phone_and_never_from_a_parent(school_db, sms_settings):
    rnd = _open(school_db, sms_settings)
    teacher = _subject_teacher(school_db, rnd.class_id)
    pupils = rounds.pupils(school_db, rnd.class_id, rnd.school_year)
    phone = "0" + teacher[2][3:]
    convo = Conversation(school_db, sms_settings)
    reply = convo.send(phone, "PB 8A2 1 T 2 k 99 T")
    first, second = pupils[0].full_name.split()[-1], pupils[1].full_name.split()[-1]
    from outbox.render import prepare
    assert reply == prepare(f"Phiếu rèn luyện lớp 8A2 HK1: đã ghi 1 {first} T, 2 {second} K; không ghi được so 99 "
                            f"(mức T/K/D/CD). Còn {len(pupils) - 2} học sinh chưa chấm.", True)[0]
    assert rounds.votes_of(school_db, rnd.id, teacher[0]) == {pupils[0].student_id: "T", pupils[1].student_id: "K"}
    assert convo.send(phone, "PB 7A1 1 T") == "Lop 7A1 khong co phieu binh xet nao dang mo cho thay/co."
    assert "Khong hieu" in convo.send("0987654321", "PB 8A2 1 T")


def test_the_tally_is_for_the_homeroom_teacher_a_teacher_sees_only_their_own_form(client, school_db, sms_settings):
    class_id, _ = _class(school_db)
    teacher = _subject_teacher(school_db, class_id)
    for login in (HOMEROOM, teacher[1]):
        uid = school_db.execute("SELECT id FROM users WHERE login = ?", [login]).fetchone()[0]
        set_password(school_db, uid, STAFF_PASSWORD)
    login_staff(client, HOMEROOM)
    r = post_form(client, "/staff/rounds/", {"class": str(class_id), "kind": "conduct"})
    assert r.status_code == 303
    url = r.headers["Location"]
    other = client.application.test_client()
    login_staff(other, teacher[1])
    page = other.get(url).get_data(as_text=True)
    assert 'id="vote"' in page and 'id="tally"' not in page
    pupils = rounds.pupils(school_db, class_id, school_year_of(local_today(sms_settings.sms.timezone)))
    assert post_form(other, url, {f"s{pupils[0].student_id}": "D"}, get_from=url).status_code == 303
    assert post_form(other, f"{url}/conduct", {}, get_from=url).status_code == 403
    page = client.get(url).get_data(as_text=True)
    assert 'id="tally"' in page and f'data-student="{pupils[0].student_id}"' in page
    r = post_form(client, f"{url}/conduct", {f"f{pupils[0].student_id}": "D"}, get_from=url)
    assert r.status_code == 303
    assert school_db.execute("SELECT rating, status FROM conduct WHERE student_id = ? AND term = 1",
                             [pupils[0].student_id]).fetchone() == ("D", "pending")
    users.add_user(school_db, "ht-dd", "admin", STAFF_PASSWORD, school_code="THCS-DD")      # the principal
    users.add_user(school_db, "gv-khac", "teacher", STAFF_PASSWORD, school_code="THCS-DD", class_names=["7A1"])
    principal, outsider = client.application.test_client(), client.application.test_client()
    login_staff(principal, "ht-dd")
    login_staff(outsider, "gv-khac")
    page = principal.get(url).get_data(as_text=True)
    assert 'id="tally"' in page and 'id="missing"' in page and 'id="vote"' not in page
    assert outsider.get(url).status_code == 404
