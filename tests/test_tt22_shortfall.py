"""tt22.shortfall: why a learning result is Chưa đạt or Đạt, for KQ replies."""
from __future__ import annotations

from decimal import Decimal

from store.rules.tt22 import Level, Mark, SubjectKind, SubjectResult, learning_level_of, shortfall

S, C = SubjectKind.SCORED, SubjectKind.COMMENT


def results(scores: dict[str, str], marks: dict[str, str]) -> list[SubjectResult]:
    return [SubjectResult(k, S, Decimal(v)) for k, v in scores.items()] + \
        [SubjectResult(k, C, Mark(v)) for k, v in marks.items()]


GOOD = {"TOAN": "8", "VAN": "8", "ANH": "8", "KHTN": "8", "LSDL": "8", "GDCD": "8", "TIN": "8", "CN": "8"}


def test_two_failed_comment_subjects_are_the_reason():
    r = results(GOOD, {"AMNHAC": "CD", "MYTHUAT": "CD", "GDTC": "D"})
    assert learning_level_of(r) is Level.CD
    assert shortfall(r, Level.CD) == ["AMNHAC, MYTHUAT: CĐ"]


def test_low_averages_and_too_few_passes():
    r = results({**GOOD, "TOAN": "3.2", "VAN": "4", "ANH": "4", "KHTN": "4"}, {"GDTC": "D"})
    assert learning_level_of(r) is Level.CD
    assert shortfall(r, Level.CD) == ["TOAN 3.2 dưới 3.5", "chỉ 4 môn TB từ 5"]


def test_dat_says_what_keeps_it_from_kha():
    r = results({**GOOD, "TOAN": "4.8"}, {"GDTC": "CD"})
    assert learning_level_of(r) is Level.D
    assert shortfall(r, Level.D) == ["GDTC: CĐ", "TOAN 4.8 dưới 5"]


def test_no_reason_for_kha_tot_or_incomplete():
    assert shortfall(results(GOOD, {"GDTC": "D"}), Level.T) == []
    assert shortfall(results({**GOOD, "TOAN": "6"}, {}), Level.K) == []
    assert shortfall([SubjectResult("TOAN", S, None)], Level.CD) == []
