"""One period type per level (store.rules.periods): what each spelling means, its labels, and the level registry's view."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from commands.grammar import parse
from commands.registry import keyword_table
from store.secondary import grades
from store.school import levels
from store.secondary.grades import SubjectReport
from store.rules.periods import SMS_TERM_WORDS, Asked, PeriodError, Point, Semester, Stage
from store.school.subjects import Subject
from store.rules.tt22 import SubjectKind

# The SMS KY words as the language had them before the type (commands/lexicon.py), KI spellings included.
OLD_SMS = {"HK1": 1, "HKI": 1, "1": 1, "KY1": 1, "KYI": 1, "HOCKY1": 1, "HK2": 2, "HKII": 2, "2": 2, "KY2": 2,
           "KYII": 2, "HOCKY2": 2, "CN": 0, "CANAM": 0, "GK1": 1, "GKI": 1, "GIUAKY1": 1, "GIUAHK1": 1, "CK1": 1,
           "CKI": 1, "CUOIKY1": 1, "CUOIHK1": 1, "GK2": 2, "GKII": 2, "GIUAKY2": 2, "GIUAHK2": 2, "CK2": 2,
           "CKII": 2, "CUOINAM": 0}
OLD_SMS.update({k.replace("KY", "KI"): v for k, v in list(OLD_SMS.items()) if "KY" in k})
MID_TERM = {"GK1": "GK1", "GKI": "GK1", "GIUAKY1": "GK1", "GIUAKI1": "GK1", "GIUAHK1": "GK1",
            "GK2": "GK2", "GKII": "GK2", "GIUAKY2": "GK2", "GIUAKI2": "GK2", "GIUAHK2": "GK2"}


def test_the_sms_words_mean_what_they_meant():
    assert {w: int(s) for w, s in SMS_TERM_WORDS.items()} == OLD_SMS
    for word, term in OLD_SMS.items():
        asked = Asked.from_word(word)
        assert asked.term == term
        assert asked.point.value == MID_TERM.get(word, "CK1" if term == 1 else "CN")


@pytest.mark.parametrize("word", ["NAM", "I", "II", "0", "HK3", "TOAN", ""])
def test_words_a_parent_types_for_other_things_are_no_period(word):
    """NAM is a given name, a lone I a letter: only documents read them as periods."""
    assert Semester.from_word(word) is None and Asked.from_word(word) is None


@pytest.mark.parametrize("cell, term", [
    ("1", Semester.HK1), (1, Semester.HK1), (2.0, Semester.HK2), ("HK I", Semester.HK1), ("Học kỳ II", Semester.HK2),
    ("học kì 2", Semester.HK2), ("KI 1", Semester.HK1), ("II", Semester.HK2), ("CN", Semester.YEAR),
    ("Cả năm", Semester.YEAR), ("0", Semester.YEAR), ("hk2", Semester.HK2),
])
def test_a_cell_or_a_parameter_names_a_semester(cell, term):
    assert Semester.parse(cell) is term


@pytest.mark.parametrize("cell", ["3", "HK9", "", None, "abc", 1.5])
def test_anything_else_is_a_period_error(cell):
    with pytest.raises(PeriodError):
        Semester.parse(cell)


def test_the_whole_year_only_where_yearly_rows_exist():
    with pytest.raises(PeriodError, match="1, 2"):
        Semester.parse("CN", allow_year=False)
    assert Semester.parse("2", allow_year=False) is Semester.HK2


def test_each_semester_says_its_names():
    assert [(s.code, s.param, s.short, s.sms, s.label) for s in (Semester.HK1, Semester.YEAR)] == [
        ("HK1", "1", "HK1", "HK1", "Học kỳ I"), ("CN", "CN", "cả năm", "ca nam", "Cả năm")]
    assert Semester.HK2 == 2 and f"HK{Semester.HK2}" == "HK2"          # the stored integer, as it was
    assert Semester.HK1.end_point is Point.CK1 and Semester.YEAR.end_point is Point.CN


@pytest.mark.parametrize("cell, point", [
    ("GK1", Point.GK1), ("CKI", Point.CK1), ("HK2", Point.CN), ("Giữa học kì II", Point.GK2),
    ("CUỐI NĂM HỌC 2025-2026", Point.CN), ("cuối HK I", Point.CK1), ("ca nam", Point.CN), ("dot 7", None),
])
def test_a_cell_or_title_names_a_point(cell, point):
    assert Point.find(cell) is point


def test_a_point_knows_its_term_and_names():
    assert [p.term for p in Point] == [Semester.HK1, Semester.HK1, Semester.HK2, Semester.HK2]
    assert Point.GK2.label == "giữa HK II" and Point.CN.sms == "CN"
    with pytest.raises(PeriodError):
        Point.parse("giua nam")


def test_a_stage_is_the_schools_own_name():
    assert Stage.parse("  Chủ đề   Gia đình ") == Stage("Chủ đề Gia đình")
    assert Stage("Chủ đề Gia đình").sms == "Chu de Gia dinh"
    for bad in ("", "   ", "x" * 61):
        with pytest.raises(PeriodError):
            Stage.parse(bad)


def test_the_registry_names_each_levels_period_type():
    assert [levels.periods_of(g) for g in (-3, 0, 1, 5, 6, 9, 10, 12)] == \
        [Stage, Stage, Point, Point, Semester, Semester, Semester, Semester]


def test_the_grammar_fills_both_readings_of_one_word():
    parsed = parse("diem toan gk2", keyword_table())
    assert (parsed.term, parsed.point) == (Semester.HK2, Point.GK2)
    assert parse("kq", keyword_table()).term is None


def _report(code: str, scored: bool) -> SubjectReport:
    subject = Subject(code, code, SubjectKind.SCORED, 70)
    return SubjectReport(subject, "2025-2026", 1, ck=Decimal(8) if scored else None)


@given(st.lists(st.tuples(st.sampled_from(["TOAN", "VAN", "LY", "HOA", "SINH", "TIN", "DIA", "GDKTPL"]), st.booleans()),
                unique_by=lambda t: t[0]))
def test_only_thpt_leaves_out_a_chosen_subject_without_scores(subjects):
    reports = [_report(code, scored) for code, scored in subjects]
    assert grades.taken(reports, 8) == reports                  # THCS: every subject is studied
    kept = grades.taken(reports, 11)
    assert [r.subject.code for r in kept] == \
        [c for c, scored in subjects if scored or c in levels.SPECS[levels.SchoolLevel.THPT].required_subjects]
