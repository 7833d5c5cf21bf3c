"""The question bank and self-tests on the web, on the demo school, with real files, PDF and XLSX read back."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest

from store.core.clock import iso, school_year_of, utcnow
from store.questions import attempts, bank, quizzes

from .fixtures_parents import login_parent
from .fixtures_questions import BAD_DOCX, GOOD_DOCX, key_letters, write_docx
from .fixtures_web import login_staff, nav_click, post_form


def _school(db, code="THCS-DD") -> int:
    return db.execute("SELECT id FROM schools WHERE code = ?", [code]).fetchone()[0]


def _class(db, name="8A2") -> int:
    year = school_year_of(utcnow().date())
    return db.execute("SELECT id FROM classes WHERE name = ? AND school_year = ?", [name, year]).fetchone()[0]


@pytest.fixture
def teacher(client, make_staff):
    make_staff("gv.toan", "teacher", school="THCS-DD", classes=("8A2",))
    login_staff(client, "gv.toan")
    return "gv.toan"


def test_a_teacher_adds_a_question_and_a_bad_one_is_refused_with_reasons(client, school_db, teacher):
    form = {"subject_code": "toan", "grade": "8", "topic": "Tứ giác", "level": "TH", "body": "Hình vuông có mấy trục đối xứng?",
            "choice_A": "2", "choice_B": "4", "choice_C": "", "answer": "B", "explanation": "Hai đường chéo, hai trung trực"}
    bad = post_form(client, "/staff/questions/new", {**form, "choice_B": "2", "answer": ""})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "hai phương án giống nhau" in page and "chưa có đáp án đúng" in page
    assert "Hình vuông có mấy trục đối xứng?" in page                     # what was typed is kept
    ok = post_form(client, "/staff/questions/new", form)
    assert ok.status_code == 303
    (q,) = bank.search(school_db, _school(school_db))
    assert (q.subject_code, q.grade, q.topic, q.choices, q.key_letter) == ("TOAN", 8, "Tứ giác", ("2", "4"), "B")
    listed = client.get("/staff/questions?subject=TOAN&grade=8").get_data(as_text=True)
    assert "Hình vuông có mấy trục đối xứng?" in listed and "Thông hiểu" in listed
    post_form(client, f"/staff/questions/{q.id}", {**form, "body": "Hình vuông có bao nhiêu trục đối xứng?"})
    assert bank.get(school_db, q.school_id, q.id).body == "Hình vuông có bao nhiêu trục đối xứng?"
    post_form(client, f"/staff/questions/{q.id}/delete", {}, get_from="/staff/questions")
    assert bank.search(school_db, q.school_id) == []


def test_a_reviewer_reads_the_bank_but_cannot_write(client, make_staff, school_db):
    make_staff("rev", "reviewer", school="THCS-DD")
    login_staff(client, "rev")
    assert client.get("/staff/questions").status_code == 200
    assert post_form(client, "/staff/questions/new", {"body": "x"}).status_code == 403
    make_staff("ops", "operator")
    login_staff(client, "ops")
    assert client.get("/staff/questions").status_code == 403


def test_importing_a_word_file_on_the_web(client, school_db, teacher, tmp_path):
    bad = write_docx(tmp_path / "đề sai.docx", BAD_DOCX)
    resp = post_form(client, "/staff/questions/import", {"file": (bad.open("rb"), bad.name), "subject_code": "TOAN",
                                                          "grade": "8", "level": "NB"},
                     content_type="multipart/form-data")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "Chưa nhập câu nào: 5 câu hỏi không hợp lệ" in page
    for where in ("Câu 1", "Câu 2", "Câu 3", "Câu 5", "Câu 6"):
        assert f"<td>{where}</td>" in page
    good = write_docx(tmp_path / "de.docx", GOOD_DOCX)
    resp = post_form(client, "/staff/questions/import", {"file": (good.open("rb"), good.name), "subject_code": "TOAN",
                                                          "grade": "8", "level": ""},
                     content_type="multipart/form-data")
    assert resp.status_code == 303 and len(bank.search(school_db, _school(school_db))) == 4


def _bank(db, n=4) -> list[int]:
    sid = _school(db)
    return [bank.add(db, bank.checked(bank.Draft(f"Câu {i} về hằng đẳng thức", ["một", "hai", "ba", "bốn"], i % 4,
                                                 "NB", "TOAN", 8, "HĐT"), sid), "gv") for i in range(n)]


def _new_test(client, db, ids, **extra):
    now = utcnow().astimezone()
    form = {"subject": "TOAN", "grade": "8", "title": "Kiểm tra 15 phút", "code": "K15", "class": str(_class(db)),
            "opens": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "closes": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"), "attempts": "2", "mode": "pick",
            "question": [str(i) for i in ids], **extra}
    return post_form(client, "/staff/tests/new", form, get_from="/staff/tests/new?subject=TOAN&grade=8")


def test_a_teacher_makes_a_test_and_every_pupil_of_the_class_gets_a_variant(client, school_db, teacher):
    ids = _bank(school_db)
    resp = _new_test(client, school_db, ids)
    assert resp.status_code == 303
    quiz = quizzes.by_code(school_db, "K15")
    pupils = school_db.execute("SELECT COUNT(*) FROM enrollments WHERE class_id = ?", [_class(school_db)]).fetchone()[0]
    variants = quizzes.variants(school_db, quiz.id)
    assert len(variants) == pupils and {v.code for v in variants} == {f"K15-{n}" for n in range(1, pupils + 1)}
    assert [i.question_id for i in quizzes.items(school_db, quiz.id)] == ids
    again = _new_test(client, school_db, ids)
    assert again.status_code == 400 and "mã đề K15 đã có" in again.get_data(as_text=True)
    other = _new_test(client, school_db, ids, code="K16", **{"class": str(_class(school_db, "7A1"))})
    assert other.status_code == 404                                   # not the teacher's class
    drawn = _new_test(client, school_db, [], code="K17", mode="draw", count="3")
    assert drawn.status_code == 303 and len(quizzes.items(school_db, quizzes.by_code(school_db, "K17").id)) == 3
    many = _new_test(client, school_db, [], code="K18", mode="draw", count="9")
    assert many.status_code == 400 and "chỉ có 4 câu phù hợp" in many.get_data(as_text=True)


def test_results_item_analysis_export_and_sheet(client, school_db, teacher, demo_quiz):
    quiz, hoa = demo_quiz
    key = key_letters(school_db, hoa)
    from commands.service import answer
    import settings as settings_mod
    sms = settings_mod.load(settings_mod.DEFAULT_CONFIG, env={})
    answer(school_db, sms, "0912345678", f"BL {hoa.code} {key[:5]}X")
    page = client.get(f"/staff/tests/{quiz.id}").get_data(as_text=True)
    pupils = len(quizzes.variants(school_db, quiz.id))
    assert f"Đã làm: 1/{pupils} học sinh; trung bình lần đầu 5.0/6 câu đúng." in page
    row = re.search(rf'<tr data-code="{hoa.code}">(.*?)</tr>', page, re.S).group(1)
    assert "Nguyễn Thị Hoa" in row and "5/6" in row and "8.3" in row
    item6 = re.search(r'<tr data-item="6">(.*?)</tr>', page, re.S).group(1)
    assert "0%" in item6 and "trống: 100%" in item6
    item1 = re.search(r'<tr data-item="1">(.*?)</tr>', page, re.S).group(1)
    assert "100%" in item1
    import openpyxl
    wb = openpyxl.load_workbook(io.BytesIO(client.get(f"/staff/tests/{quiz.id}/export.xlsx").data))
    rows = list(wb["Ket qua"].iter_rows(values_only=True))
    hoa_row = next(r for r in rows if r[1] == hoa.code)
    assert hoa_row[3] == "Nguyễn Thị Hoa" and hoa_row[4] == 1 and hoa_row[5] == 5 and hoa_row[6] == 8.3
    items = list(wb["Phan tich cau hoi"].iter_rows(values_only=True))
    assert items[1][:5] == (1, "Câu hỏi số 0", "A", 1, 100)
    import pypdf
    pdf = client.get(f"/staff/tests/{quiz.id}/sheet/{hoa.class_id}.pdf")
    assert pdf.mimetype == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(pdf.data))
    first = reader.pages[0].extract_text()
    assert "Trường THCS Đống Đa" in first and "Nguyễn Thị Hoa" in first and hoa.code in first
    pupil_pages = [p.extract_text() for p in reader.pages[1:]]
    hoa_page = next(t for t in pupil_pages if f"MÃ ĐỀ: {hoa.code}" in t)
    assert "Câu 1. Câu hỏi số 0" in hoa_page and f"BL {hoa.code} 1A 2C 3B" in hoa_page
    items_ = quizzes.items(school_db, quiz.id)
    shown = [items_[0].choices[i] for i in hoa.perms[0]]                  # the pupil's own order of item 1
    assert hoa_page.index(f"A. {shown[0]}") < hoa_page.index(f"B. {shown[1]}") < hoa_page.index(f"C. {shown[2]}")


def test_another_teachers_test_is_a_404(client, make_staff, school_db, demo_quiz):
    quiz, _ = demo_quiz
    make_staff("gv.7a1", "teacher", school="THCS-DD", classes=("7A1",))
    login_staff(client, "gv.7a1")
    assert client.get(f"/staff/tests/{quiz.id}").status_code == 404
    assert client.get(f"/staff/tests/{quiz.id}/export.xlsx").status_code == 404
    assert "T9" not in client.get("/staff/tests").get_data(as_text=True)


def test_adopting_scores_makes_pending_grades_and_keeps_existing_ones(client, school_db, teacher, demo_quiz):
    quiz, hoa = demo_quiz
    with school_db.conn:
        attempts.submit(school_db, quiz, hoa, tuple(0 for _ in hoa.perms), source="web", now=utcnow())
    year = school_year_of(utcnow().date())
    school_db.execute("DELETE FROM grades WHERE student_id = ? AND subject_code = 'TOAN' AND term = 2 AND school_year = ?",
                      [hoa.student_id, year])
    resp = post_form(client, f"/staff/tests/{quiz.id}/adopt", {"class": str(hoa.class_id), "term": "2", "column": "TX1",
                                                               "pick": "first", "student": str(hoa.student_id)},
                     get_from=f"/staff/tests/{quiz.id}")
    assert resp.status_code == 303
    mark = attempts.mark_of(school_db, hoa, tuple(0 for _ in hoa.perms))
    row = school_db.execute("SELECT value, status, entered_by FROM grades WHERE student_id = ? AND subject_code = 'TOAN' "
                            "AND term = 2 AND kind = 'TX' AND seq = 1 AND school_year = ?",
                            [hoa.student_id, year]).fetchone()
    assert tuple(row) == (mark.score10, "pending", "gv.toan")
    again = post_form(client, f"/staff/tests/{quiz.id}/adopt", {"class": str(hoa.class_id), "term": "2",
                                                                "column": "TX1", "pick": "best",
                                                                "student": str(hoa.student_id)},
                      get_from=f"/staff/tests/{quiz.id}", follow_redirects=True)
    assert f"Đã ghi 0 điểm vào sổ, chờ duyệt. Bỏ qua — Nguyễn Thị Hoa: cột TX1 đã có điểm {mark.score10}." \
        in again.get_data(as_text=True)
    assert school_db.execute("SELECT COUNT(*) FROM grades WHERE student_id = ? AND term = 2 AND subject_code = 'TOAN'",
                             [hoa.student_id]).fetchone()[0] == 1


def test_a_guardian_answers_on_the_web_and_sees_only_their_child(client, school_db, demo_quiz):
    quiz, hoa = demo_quiz
    login_parent(client, school_db)
    listing = client.get("/parent/tests").get_data(as_text=True)
    assert hoa.code in listing and "Kiểm tra 15 phút" in listing
    page = client.get(f"/parent/tests/{hoa.code}").get_data(as_text=True)
    assert page.count('type="radio"') == 24 and "Lời giải" not in page
    key = key_letters(school_db, hoa)
    form = {f"q{i}": str("ABCD".index(c)) for i, c in enumerate(key, 1)}
    form["q2"] = str(("ABCD".index(key[1]) + 1) % 4)
    resp = post_form(client, f"/parent/tests/{hoa.code}", form)
    assert resp.status_code == 303
    after = client.get(f"/parent/tests/{hoa.code}").get_data(as_text=True)
    assert "Đã chấm: đúng 5/6." in after and "Lần 1 (web): đúng 5/6; sai: 2(" in after
    post_form(client, f"/parent/tests/{hoa.code}", {"q1": "0"})
    done = client.get(f"/parent/tests/{hoa.code}").get_data(as_text=True)
    assert "Lời giải" in done and "Nộp bài" not in done                  # both attempts used: solutions open
    # No other pupil, no rank, no class average anywhere on the guardian's pages.
    others = [r[0] for r in school_db.execute(
        "SELECT s.full_name FROM quiz_variants v JOIN students s ON s.id = v.student_id WHERE v.quiz_id = ? "
        "AND v.student_id != ?", [quiz.id, hoa.student_id])]
    for text in (listing, after, done):
        assert not any(name in text for name in others)
        assert "hạng" not in text.lower() and "trung bình lớp" not in text.lower()
    neighbour = next(v for v in quizzes.variants(school_db, quiz.id) if v.student_id != hoa.student_id)
    assert client.get(f"/parent/tests/{neighbour.code}").status_code == 404
    assert client.get(f"/p/bl/{hoa.code}").headers["Location"].endswith(f"/parent/tests/{hoa.code}")


def test_an_empty_web_submission_is_not_an_attempt(client, school_db, demo_quiz):
    quiz, hoa = demo_quiz
    login_parent(client, school_db)
    post_form(client, f"/parent/tests/{hoa.code}", {})
    assert attempts.of_variant(school_db, hoa.id) == []
    school_db.execute("UPDATE quizzes SET closes_at = ? WHERE id = ?", [iso(utcnow() - timedelta(seconds=1)), quiz.id])
    post_form(client, f"/parent/tests/{hoa.code}", {"q1": "0"})
    page = client.get(f"/parent/tests/{hoa.code}").get_data(as_text=True)
    assert "Bài kiểm tra đã đóng" in page and attempts.of_variant(school_db, hoa.id) == []


@pytest.mark.slow
def test_a_parent_answers_on_a_phone_in_a_real_browser(page, live_server, school_db, demo_quiz):
    from .fixtures_parents import PASSWORD, set_password
    quiz, hoa = demo_quiz
    set_password(school_db, "0912345678")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/p/bl/{hoa.code}")
    page.fill("input[name=phone]", "0912345678")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    nav_click(page, "header nav a[href='/parent/tests']")
    page.click(f"tr[data-code='{hoa.code}'] a")
    key = key_letters(school_db, hoa)
    for i, c in enumerate(key, 1):
        page.check(f"fieldset[data-item='{i}'] input[value='{'ABCD'.index(c)}']")
    page.click("text=Nộp bài")
    page.wait_for_selector("text=Đã chấm: đúng 6/6.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1


def test_a_teacher_closes_a_test_now_and_reopens_it_later(client, school_db, teacher, demo_quiz):
    quiz, hoa = demo_quiz
    resp = post_form(client, f"/staff/tests/{quiz.id}/closing", {"now": "1"}, get_from=f"/staff/tests/{quiz.id}",
                     follow_redirects=True)
    assert "Bài T9 đóng lúc" in resp.get_data(as_text=True)
    assert quizzes.get(school_db, quiz.id).state(utcnow()) == "closed"
    later = (utcnow().astimezone() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    post_form(client, f"/staff/tests/{quiz.id}/closing", {"closes": later}, get_from=f"/staff/tests/{quiz.id}")
    assert quizzes.get(school_db, quiz.id).state(utcnow()) == "open"
    early = (utcnow().astimezone() - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    bad = post_form(client, f"/staff/tests/{quiz.id}/closing", {"closes": early}, get_from=f"/staff/tests/{quiz.id}",
                    follow_redirects=True)
    assert "Chưa đổi: giờ đóng phải sau giờ mở." in bad.get_data(as_text=True)
