"""Thông tư 27 rules: tests by subject, grade and point; the year-end result and its one-clause reason."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from store.rules import tt27
from store.rules.tt27 import Point, QualityLevel as Q, SubjectLevel as S, PeriodicTest, YearInputs, YearResult

SUBJECTS_G4 = [c for c, (_, grades) in tt27.SUBJECTS.items() if 4 in grades]


@pytest.mark.parametrize("subject, grade, point, rule", [
    ("TV", 1, Point.CK1, PeriodicTest.REQUIRED), ("TV", 2, Point.GK1, PeriodicTest.NONE), ("TOAN", 4, Point.GK1, PeriodicTest.REQUIRED),
    ("TOAN", 5, Point.GK2, PeriodicTest.REQUIRED), ("TOAN", 3, Point.GK2, PeriodicTest.NONE),
    ("NN", 2, Point.CN, PeriodicTest.OPTIONAL), ("NN", 3, Point.CN, PeriodicTest.REQUIRED), ("NN", 4, Point.GK1, PeriodicTest.NONE),
    ("KH", 4, Point.CK1, PeriodicTest.REQUIRED), ("LSDL", 5, Point.CN, PeriodicTest.REQUIRED), ("LSDL", 5, Point.GK2, PeriodicTest.NONE),
    ("TINCN", 3, Point.CN, PeriodicTest.REQUIRED), ("AMNHAC", 4, Point.CN, PeriodicTest.NONE), ("DD", 5, Point.CK1, PeriodicTest.NONE),
    ("TNXH", 2, Point.CN, PeriodicTest.NONE), ("GDTC", 1, Point.CN, PeriodicTest.NONE),
])
def test_one_place_knows_where_tests_are_held(subject, grade, point, rule):
    assert tt27.periodic_test(subject, grade, point) is rule


def test_rated_qualities_by_grade():
    assert "CNG" not in tt27.rated_qualities(2) and "TH" not in tt27.rated_qualities(1)
    assert {"CNG", "TH", "YN", "GQVD", "TC"} <= set(tt27.rated_qualities(3))
    assert len(tt27.rated_qualities(5)) == 15 and len(tt27.rated_qualities(1)) == 13


@pytest.mark.parametrize("text", ["7.5", "7,5", "8.25"])
def test_a_decimal_test_score_is_refused(text):
    with pytest.raises(tt27.InvalidValue, match="thập phân"):
        tt27.parse_test_score(text)


@pytest.mark.parametrize("cell, value", [("9", 9), (10, 10), (7.0, 7), ("0", 0)])
def test_whole_test_scores(cell, value):
    assert tt27.parse_test_score(cell) == value


@pytest.mark.parametrize("cell", ["11", "-1", "chín", 6.5])
def test_bad_test_scores(cell):
    with pytest.raises(tt27.InvalidValue):
        tt27.parse_test_score(cell)


@pytest.mark.parametrize("text, level", [("T", S.T), ("h", S.H), ("Hoàn thành tốt", S.T), ("CHT", S.C), ("Hoàn thành", S.H)])
def test_subject_levels(text, level):
    assert tt27.parse_subject_level(text) is level


@pytest.mark.parametrize("text, level", [("Đ", Q.D), ("d", Q.D), ("Tốt", Q.T), ("Cần cố gắng", Q.C)])
def test_quality_levels(text, level):
    assert tt27.parse_quality_level(text) is level


def test_level_that_is_not_t_h_c_is_refused():
    with pytest.raises(tt27.InvalidValue, match="không phải T, H hoặc C"):
        tt27.parse_subject_level("K")


def _inputs(grade=4, **over):
    subjects = {c: S.T for c in SUBJECTS_G4}
    qualities = {c: Q.T for c in tt27.rated_qualities(grade)}
    tests = {c: 10 for c in SUBJECTS_G4 if tt27.periodic_test(c, grade, Point.CN) is PeriodicTest.REQUIRED}
    subjects.update(over.get("subjects", {}))
    qualities.update(over.get("qualities", {}))
    tests.update(over.get("tests", {}))
    return YearInputs(subjects, qualities, tests)


def test_press_case_nines_and_tens_and_one_h_in_music_is_hoan_thanh_and_says_why():
    inputs = _inputs(subjects={"AMNHAC": S.H}, tests={"TOAN": 9, "TV": 10})
    assert tt27.year_result(inputs) is YearResult.HT
    assert tt27.explain(inputs) == "1 môn mức H (Âm nhạc) nên chưa đạt HT tốt, HT xuất sắc"


@pytest.mark.parametrize("over, result, reason", [
    ({}, YearResult.HTXS, ""),
    ({"tests": {"TOAN": 8}}, YearResult.HTT, "1 bài KTĐK dưới 9 (Toán 8) nên chưa đạt HT xuất sắc"),
    ({"qualities": {"CC": Q.D}}, YearResult.HT, "1 PC/NL mức Đ (Chăm chỉ) nên chưa đạt HT tốt, HT xuất sắc"),
    ({"tests": {"TV": 6}}, YearResult.HT, "1 bài KTĐK dưới 7 (Tiếng Việt 6) nên chưa đạt HT tốt"),
    ({"tests": {"TV": 4}}, YearResult.CHT, "1 bài KTĐK dưới 5 (Tiếng Việt 4) nên chưa đạt Hoàn thành"),
    ({"subjects": {"KH": S.C, "DD": S.C}}, YearResult.CHT,
     "2 môn mức C (Đạo đức, Khoa học) nên chưa đạt Hoàn thành"),
])
def test_year_results_and_reasons(over, result, reason):
    inputs = _inputs(**over)
    assert tt27.year_result(inputs) is result
    assert tt27.explain(inputs) == reason


levels_s = st.sampled_from(list(S))
levels_q = st.sampled_from(list(Q))
scores = st.integers(0, 10)


@st.composite
def year_inputs(draw):
    subjects = {c: draw(levels_s) for c in SUBJECTS_G4}
    qualities = {c: draw(levels_q) for c in tt27.rated_qualities(4)}
    tests = {c: draw(scores) for c in ("TV", "TOAN", "NN", "KH", "LSDL", "TINCN")}
    return YearInputs(subjects, qualities, tests)


@given(year_inputs())
def test_one_h_anywhere_is_never_xuat_sac_or_tot(inputs):
    if S.H in inputs.subjects.values():
        assert tt27.year_result(inputs) not in (YearResult.HTXS, YearResult.HTT)


@given(year_inputs())
def test_a_test_below_5_is_chua_hoan_thanh(inputs):
    if min(inputs.tests.values()) < 5:
        assert tt27.year_result(inputs) is YearResult.CHT
        assert "dưới 5" in tt27.explain(inputs)


@given(year_inputs(), st.data())
def test_raising_any_input_never_lowers_the_result(inputs, data):
    before = tt27.year_result(inputs)
    which = data.draw(st.sampled_from(["subjects", "qualities", "tests"]))
    values = dict(getattr(inputs, which))
    code = data.draw(st.sampled_from(sorted(values)))
    if which == "tests":
        values[code] = data.draw(st.integers(values[code], 10))
    else:
        kind = S if which == "subjects" else Q
        values[code] = data.draw(st.sampled_from([v for v in kind if v.rank >= values[code].rank]))
    raised = YearInputs(**{**{"subjects": inputs.subjects, "qualities": inputs.qualities, "tests": inputs.tests},
                          which: values})
    assert tt27.year_result(raised).rank >= before.rank


@given(year_inputs())
def test_every_result_below_the_top_is_explained(inputs):
    result = tt27.year_result(inputs)
    assert (tt27.explain(inputs) == "") == (result is YearResult.HTXS)


def test_commendation_follows_xuat_sac_only():
    assert tt27.commendation(YearResult.HTXS) is tt27.Commendation.XUAT_SAC
    assert tt27.commendation(YearResult.HTT) is None


def test_missing_for_year_names_what_is_not_in_yet():
    missing = tt27.missing_for_year(4, {"TOAN": S.T, "AMNHAC": None}, {}, {})
    assert "Âm nhạc" in missing and "KTĐK Toán" in missing and "Chăm chỉ" in missing
