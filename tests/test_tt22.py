"""TT22 grade rules (SPEC §7) from hand-computed worked examples."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store.rules import tt22
from store.rules.tt22 import InvalidScore, Level, Mark, SubjectKind, SubjectResult, comment_term_result, comment_year_result, learning_level, learning_level_of, official_or_computed, parse_score, round_half_up, term_average, tx_count, year_average, year_conduct


def D(text: str) -> Decimal:
    return Decimal(text)


def Ds(*texts: str) -> list[Decimal]:
    return [Decimal(t) for t in texts]


# --- TX count -------------------------------------------------------------

@pytest.mark.parametrize("periods,expected", [(1, 2), (35, 2), (36, 3), (52, 3), (70, 3), (71, 4), (105, 4),
                                               (140, 4)])
def test_tx_count_by_periods_a_year(periods, expected):
    assert tx_count(periods) == expected


# --- parsing --------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [("7.5", D("7.5")), ("7,5", D("7.5")), (" 10 ", D("10")), ("0", D("0")),
                                           ("8.50", D("8.5")), ("D", Mark.D), ("Đ", Mark.D), ("đ", Mark.D),
                                           ("CD", Mark.CD), ("CĐ", Mark.CD), ("cđ", Mark.CD)])
def test_parse_score_accepts(text, expected):
    value = parse_score(text)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("text", ["10.5", "-1", "7.25", "abc", "", "NaN", "Infinity", "7..5"])
def test_parse_score_refuses(text):
    with pytest.raises(InvalidScore) as exc:
        parse_score(text)
    assert exc.value.text == text and exc.value.reason


def test_parse_score_refuses_binary_floats():
    with pytest.raises(InvalidScore):
        parse_score(7.5)


# --- rounding -------------------------------------------------------------

@pytest.mark.parametrize("value,expected", [("7.25", "7.3"), ("7.24", "7.2"), ("7.249999", "7.2"), ("7.35", "7.4"),
                                            ("6.45", "6.5"), ("0.05", "0.1"), ("9.95", "10.0"), ("8", "8.0"),
                                            ("6.35", "6.4"), ("2.675", "2.7")])
def test_round_half_up_one_decimal(value, expected):
    assert round_half_up(D(value)) == D(expected)
    assert str(round_half_up(D(value))) == expected


def test_round_half_up_refuses_floats():
    with pytest.raises(TypeError):
        round_half_up(7.25)


# --- term average ---------------------------------------------------------

def test_term_average_worked_example():
    # TX 8, 7.5, 9; GK 8; CK 7.5: (24.5 + 16 + 22.5) / (3 + 5) = 63 / 8 = 7.875 -> 7.9
    assert term_average(Ds("8", "7.5", "9"), D("8"), D("7.5")) == D("7.9")


def test_term_average_exactly_x25_rounds_up_where_float_rounds_down():
    # TX 7, 7, 7; GK 6.5; CK 8: (21 + 13 + 24) / 8 = 58 / 8 = 7.25 exactly -> 7.3.
    # Python's float round(7.25, 1) gives 7.2 (half-even on the binary value).
    assert round((7 + 7 + 7 + 2 * 6.5 + 3 * 8) / 8, 1) == 7.2
    assert term_average(Ds("7", "7", "7"), D("6.5"), D("8")) == D("7.3")


def test_term_average_x35_that_float_arithmetic_gets_wrong():
    # TX 6, 6, 6; GK 6.5; CK 6.6: (18 + 13 + 19.8) / 8 = 50.8 / 8 = 6.35 exactly -> 6.4.
    # The nearest binary float to 6.35 is 6.34999999999999964…, so float arithmetic rounds to 6.3.
    float_mean = (6.0 + 6.0 + 6.0 + 2 * 6.5 + 3 * 6.6) / 8
    assert Decimal(float_mean) < Decimal("6.35") and round(float_mean, 1) == 6.3
    assert term_average(Ds("6", "6", "6"), D("6.5"), D("6.6")) == D("6.4")


def test_term_average_with_two_tx():
    # TX 5, 6; GK 7; CK 4: (11 + 14 + 12) / 7 = 37 / 7 = 5.2857… -> 5.3
    assert term_average(Ds("5", "6"), D("7"), D("4")) == D("5.3")


def test_term_average_with_five_tx_half_case():
    # TX 6, 6, 6, 6, 6.5; GK 6; CK 6.5: (30.5 + 12 + 19.5) / 10 = 62 / 10 = 6.2
    assert term_average(Ds("6", "6", "6", "6", "6.5"), D("6"), D("6.5")) == D("6.2")
    # TX 8.5, 8, 8, 8, 8; GK 8; CK 8.1: (40.5 + 16 + 24.3) / 10 = 80.8 / 10 = 8.08 -> 8.1
    assert term_average(Ds("8.5", "8", "8", "8", "8"), D("8"), D("8.1")) == D("8.1")
    # TX 9.5, 9, 9, 9, 9; GK 9; CK 9: (45.5 + 18 + 27) / 10 = 90.5 / 10 = 9.05 -> 9.1
    assert term_average(Ds("9.5", "9", "9", "9", "9"), D("9"), D("9")) == D("9.1")


def test_term_average_with_no_tx_yet():
    # GK 8, CK 9: (16 + 27) / 5 = 8.6
    assert term_average([], D("8"), D("9")) == D("8.6")


@pytest.mark.parametrize("gk,ck", [(None, D("8")), (D("8"), None), (None, None)])
def test_term_average_needs_gk_and_ck(gk, ck):
    assert term_average(Ds("8", "9"), gk, ck) is None


def test_term_average_refuses_marks():
    with pytest.raises(TypeError):
        term_average([Mark.D], D("8"), D("9"))


def test_term_average_extremes():
    assert term_average(Ds("10", "10", "10", "10"), D("10"), D("10")) == D("10.0")
    assert term_average(Ds("0", "0"), D("0"), D("0")) == D("0.0")


# --- year average ---------------------------------------------------------

def test_year_average_worked_example():
    # (6.3 + 2 * 7.0) / 3 = 20.3 / 3 = 6.7666… -> 6.8
    assert year_average(D("6.3"), D("7.0")) == D("6.8")


def test_year_average_uses_the_rounded_term_averages():
    # Term I exactly 6.25 (recorded 6.3), term II exactly 7.25 (recorded 7.3).
    # Recorded: (6.3 + 14.6) / 3 = 20.9 / 3 = 6.966… -> 7.0.
    # Unrounded would give (6.25 + 14.5) / 3 = 6.916… -> 6.9: not what the report prints.
    assert year_average(D("6.25"), D("7.25")) == D("7.0")
    assert year_average(D("6.3"), D("7.3")) == D("7.0")


def test_year_average_half_up():
    # (7.1 + 2 * 7.7) / 3 = 22.5 / 3 = 7.5 exactly; (6.5 + 2 * 6.5) / 3 = 6.5;
    # (7.3 + 2 * 7.1) / 3 = 21.5 / 3 = 7.1666… -> 7.2
    assert year_average(D("7.1"), D("7.7")) == D("7.5")
    assert year_average(D("6.5"), D("6.5")) == D("6.5")
    assert year_average(D("7.3"), D("7.1")) == D("7.2")


@pytest.mark.parametrize("one,two", [(None, D("7")), (D("7"), None), (None, None)])
def test_year_average_needs_both_terms(one, two):
    assert year_average(one, two) is None


# --- comment subjects -----------------------------------------------------

def test_comment_term_result():
    assert comment_term_result([Mark.D, Mark.D], Mark.D, Mark.D) is Mark.D
    assert comment_term_result([Mark.D, Mark.CD], Mark.D, Mark.D) is Mark.CD
    assert comment_term_result([Mark.D], Mark.D, Mark.CD) is Mark.CD
    assert comment_term_result([Mark.D], None, Mark.D) is None
    assert comment_term_result([Mark.D], Mark.D, None) is None
    # Fewer TX than the subject's count: not complete yet, not CĐ.
    assert comment_term_result([Mark.D], Mark.D, Mark.D, tx_required=2) is None
    assert comment_term_result([Mark.D, Mark.D], Mark.D, Mark.D, tx_required=2) is Mark.D


def test_comment_year_result_follows_term_two():
    assert comment_year_result(Mark.CD, Mark.D) is Mark.D
    assert comment_year_result(Mark.D, Mark.CD) is Mark.CD
    assert comment_year_result(Mark.D, None) is None


def test_labels_are_accented_vietnamese():
    assert [lv.label for lv in Level] == ["Tốt", "Khá", "Đạt", "Chưa đạt"]
    assert [lv.value for lv in Level] == ["T", "K", "D", "CD"]
    assert Mark.D.label == "Đạt" and Mark.CD.label == "Chưa đạt"
    assert Level("K") is Level.K and Level.K == "K"


# --- learning result ------------------------------------------------------

ALL_D = [Mark.D] * 4
ONE_CD = [Mark.D] * 3 + [Mark.CD]
TWO_CD = [Mark.D] * 2 + [Mark.CD] * 2


@pytest.mark.parametrize("averages,comments,expected,why", [
    (["8.0"] * 6 + ["6.5"] * 2, ALL_D, Level.T, "6 at exactly 8.0, the rest at exactly 6.5"),
    (["9.5"] * 8, ALL_D, Level.T, "all high"),
    (["8.0"] * 6 + ["6.5", "6.4"], ALL_D, Level.K, "one below 6.5 breaks Tốt; 7 ≥ 6.5, all ≥ 5"),
    (["8.0"] * 5 + ["7.9"] * 3, ALL_D, Level.K, "only 5 at ≥ 8.0"),
    (["8.0"] * 6 + ["6.5"] * 2, ONE_CD, Level.D, "Tốt scores but one comment CĐ: at most Đạt"),
    (["6.5"] * 6 + ["5.0"] * 2, ALL_D, Level.K, "6 at exactly 6.5, the rest at exactly 5.0"),
    (["6.5"] * 6 + ["5.0", "4.9"], ALL_D, Level.D, "one below 5.0 breaks Khá"),
    (["6.5"] * 5 + ["6.4"] * 3, ALL_D, Level.D, "only 5 at ≥ 6.5"),
    (["5.0"] * 6 + ["3.5"] * 2, ONE_CD, Level.D, "Đạt at every edge: 6 at 5.0, none below 3.5, one CĐ"),
    (["5.0"] * 6 + ["3.5", "3.4"], ALL_D, Level.CD, "one below 3.5"),
    (["5.0"] * 5 + ["4.9"] * 3, ALL_D, Level.CD, "only 5 at ≥ 5.0"),
    (["9.0"] * 8, TWO_CD, Level.CD, "two comment subjects CĐ"),
    (["10"] * 5, ALL_D, Level.CD, "fewer than 6 scored subjects can never reach 6 (SPEC read literally)"),
    (["7.95"] * 6 + ["6.5"] * 2, ALL_D, Level.T, "7.95 is recorded as 8.0"),
])
def test_learning_level(averages, comments, expected, why):
    assert learning_level(Ds(*averages), comments) is expected, why


def test_learning_level_of_waits_for_every_subject():
    scored = [SubjectResult(f"S{i}", SubjectKind.SCORED, D("8.0")) for i in range(8)]
    comment = [SubjectResult("GDTC", SubjectKind.COMMENT, Mark.D)]
    assert learning_level_of(scored + comment) is Level.T
    missing = scored + [SubjectResult("GDTC", SubjectKind.COMMENT, None)]
    assert learning_level_of(missing) is None
    assert learning_level_of([]) is None


# --- conduct --------------------------------------------------------------

T, K, DAT, CD = Level.T, Level.K, Level.D, Level.CD
# SPEC §7, row by row: the year follows term II.
YEAR_CONDUCT = {
    # II Tốt: I ≥ Khá -> Tốt; I ≤ Đạt -> Khá
    (T, T): T, (K, T): T, (DAT, T): K, (CD, T): K,
    # II Khá: I ≥ Đạt -> Khá; I Chưa đạt -> Đạt
    (T, K): K, (K, K): K, (DAT, K): K, (CD, K): DAT,
    # II Đạt: I Tốt -> Khá; I ≤ Khá -> Đạt
    (T, DAT): K, (K, DAT): DAT, (DAT, DAT): DAT, (CD, DAT): DAT,
    # II Chưa đạt: Chưa đạt whatever I was
    (T, CD): CD, (K, CD): CD, (DAT, CD): CD, (CD, CD): CD,
}


@pytest.mark.parametrize("one,two", [(a, b) for a in Level for b in Level])
def test_year_conduct_every_combination(one, two):
    assert year_conduct(one, two) is YEAR_CONDUCT[(one, two)]


def test_year_conduct_accepts_codes_and_needs_both_terms():
    assert year_conduct("T", "K") is Level.K
    assert year_conduct(None, Level.T) is None
    assert year_conduct(Level.T, None) is None


def test_official_or_computed():
    assert official_or_computed(Level.K, Level.T) == tt22.Outcome(Level.K, provisional=False)
    assert official_or_computed(None, Level.T) == tt22.Outcome(Level.T, provisional=True)
    assert official_or_computed(None, None) == tt22.Outcome(None, provisional=False)


# --- properties -----------------------------------------------------------

scores = st.integers(min_value=0, max_value=100).map(lambda n: Decimal(n) / 10)


def oracle(tx, gk, ck) -> Decimal:
    """Exact rational mean, then half-up to one decimal by integer arithmetic (an independent path)."""
    mean = (sum(Fraction(str(v)) for v in tx) + 2 * Fraction(str(gk)) + 3 * Fraction(str(ck))) / (len(tx) + 5)
    tenths = (mean * 10 + Fraction(1, 2)).__floor__()
    return Decimal(tenths) / 10


@given(st.lists(scores, max_size=6), scores, scores, st.randoms())
def test_term_average_stays_in_range_ignores_order_and_matches_exact_arithmetic(tx, gk, ck, rnd):
    avg = term_average(tx, gk, ck)
    assert Decimal(0) <= avg <= Decimal(10)
    shuffled = list(tx)
    rnd.shuffle(shuffled)
    assert term_average(shuffled, gk, ck) == avg
    assert avg == oracle(tx, gk, ck)
    assert avg == avg.quantize(Decimal("0.1"))


@given(scores, scores)
def test_year_average_stays_in_range(one, two):
    avg = year_average(one, two)
    assert Decimal(0) <= avg <= Decimal(10)
    assert min(one, two) - Decimal("0.05") <= avg <= max(one, two) + Decimal("0.05")
