"""Grade rules of Thông tư 22/2021/TT-BGDĐT (THCS and THPT): pure, Decimal only.

Every number a parent sees is checked against the school's official report,
so nothing here ever touches a binary float: scores are Decimals built from
their exact text, and rounding is decimal half-up to one place (7.25 -> 7.3).

Decisions (SPEC §7 leaves them open; TT22 settles them):
- The year average uses the term averages *as recorded*, i.e. each already
  rounded to one decimal, then rounds the result again. This is what the
  học bạ and SMAS/vnEdu print: ĐTBmhkI 6.3 and ĐTBmhkII 7.0 give
  (6.3 + 14.0) / 3 = 6.7666… -> 6.8, whatever the unrounded 6.25 was.
- A comment subject's term result is Đ when GK and CK exist and every
  assessment of the term (TX, GK, CK) is Đ, CĐ when one is CĐ (TT22 art. 9.1a);
  its year result is its term II result.
- Learning results compare the rounded averages (the recorded ones) with
  the 6.5 / 8.0 / 5.0 / 3.5 thresholds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from enum import Enum

ONE_PLACE = Decimal("0.1")
ZERO = Decimal(0)
TEN = Decimal(10)
# "at least 6 subjects" of the Tốt / Khá / Đạt rules.
MIN_SUBJECTS = 6


class Level(str, Enum):
    """A learning result or conduct rating, by the code stored in results.learning / conduct.rating."""

    T = "T"
    K = "K"
    D = "D"
    CD = "CD"

    @property
    def label(self) -> str:
        """The Vietnamese name, accented ('Chưa đạt'); the SMS layer folds it."""
        return _LEVEL_LABELS[self]

    @property
    def rank(self) -> int:
        """3 for Tốt down to 0 for Chưa đạt, so levels compare as TT22 reads them."""
        return _LEVEL_RANKS[self]


_LEVEL_LABELS = {Level.T: "Tốt", Level.K: "Khá", Level.D: "Đạt", Level.CD: "Chưa đạt"}
_LEVEL_RANKS = {Level.T: 3, Level.K: 2, Level.D: 1, Level.CD: 0}


class Mark(str, Enum):
    """The value of a comment-assessed subject (GDTC, Nghệ thuật, HĐTN-HN, GDĐP): Đ or CĐ."""

    D = "D"
    CD = "CD"

    @property
    def label(self) -> str:
        """The Vietnamese name, accented ('Đạt' / 'Chưa đạt')."""
        return "Đạt" if self is Mark.D else "Chưa đạt"


Score = Decimal | Mark


class SubjectKind(str, Enum):
    """How a subject is assessed, as stored in subjects.kind."""

    SCORED = "diem"
    COMMENT = "nhanxet"


class InvalidScore(ValueError):
    """A stored or imported score is neither 0–10 with at most one decimal nor D / CD."""

    def __init__(self, text: object, reason: str):
        super().__init__(f"invalid score {text!r}: {reason}")
        self.text = text
        self.reason = reason


def parse_score(text: str) -> Score:
    """'7.5', '7,5', '10' -> Decimal; 'D', 'Đ', 'CD', 'CĐ' (any case) -> Mark; else InvalidScore."""
    if not isinstance(text, str):
        raise InvalidScore(text, "a score is text, never a float")
    return _parse_text(text)


@lru_cache(maxsize=4096)    # pure, and a school's scores are a few hundred distinct texts
def _parse_text(text: str) -> Score:
    cleaned = text.strip().upper().replace("Đ", "D")
    if cleaned in ("D", "CD"):
        return Mark(cleaned)
    cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidScore(text, "not a number, D or CD") from None
    if not value.is_finite():
        raise InvalidScore(text, "not a number")
    if value < ZERO or value > TEN:
        raise InvalidScore(text, "outside 0-10")
    if value != value.quantize(ONE_PLACE):
        raise InvalidScore(text, "more than one decimal")
    return value.quantize(ONE_PLACE) if value.as_tuple().exponent < -1 else value


def tx_count(periods_per_year: int) -> int:
    """Number of regular (TX) scores per term for a subject of this many periods a year."""
    if periods_per_year <= 35:
        return 2
    if periods_per_year <= 70:
        return 3
    return 4


def round_half_up(value: Decimal) -> Decimal:
    """Round to one decimal, half away from zero as schools do: 7.25 -> 7.3, 7.24 -> 7.2."""
    if not isinstance(value, Decimal):
        raise TypeError(f"round_half_up takes a Decimal, not {type(value).__name__}")
    return value.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def _decimals(values: Iterable[Score], what: str) -> list[Decimal]:
    out = []
    for v in values:
        if not isinstance(v, Decimal):
            raise TypeError(f"{what} of a scored subject must be Decimal, got {v!r}")
        out.append(v)
    return out


def term_average(tx: Sequence[Decimal], gk: Decimal | None, ck: Decimal | None) -> Decimal | None:
    """ĐTBmhk = (ΣTX + 2·GK + 3·CK) / (nTX + 5), rounded; None until both GK and CK exist."""
    if gk is None or ck is None:
        return None
    regular = _decimals(tx, "TX")
    gk, ck = _decimals([gk, ck], "GK/CK")
    total = sum(regular, ZERO) + 2 * gk + 3 * ck
    return round_half_up(total / Decimal(len(regular) + 5))


def term_average_of_tenths(tx_sum: int, tx: int, gk: int | None, ck: int | None) -> Decimal | None:
    """term_average from sums in tenths of a point (ΣTX over ``tx`` scores, GK, CK), as SQL can add them exactly."""
    if gk is None or ck is None:
        return None
    return round_half_up(Decimal(tx_sum + 2 * gk + 3 * ck) / Decimal(10 * (tx + 5)))


def year_average(term1: Decimal | None, term2: Decimal | None) -> Decimal | None:
    """ĐTBmcn = (ĐTBmhkI + 2·ĐTBmhkII) / 3 over the recorded (rounded) term averages; None if one is missing."""
    if term1 is None or term2 is None:
        return None
    # Rounding the inputs is a no-op for recorded averages and makes an
    # unrounded caller agree with the official report anyway.
    return round_half_up((round_half_up(term1) + 2 * round_half_up(term2)) / Decimal(3))


def comment_term_result(tx: Sequence[Mark], gk: Mark | None, ck: Mark | None,
                        tx_required: int | None = None) -> Mark | None:
    """A comment subject's term result: Đ when every assessment is Đ, CĐ when one is CĐ; None until complete.

    Complete means GK and CK exist and, when ``tx_required`` is given, that
    many TX too: provisional data still being entered is "not yet", not CĐ.
    """
    if gk is None or ck is None:
        return None
    if tx_required is not None and len(tx) < tx_required:
        return None
    marks = [*tx, gk, ck]
    for m in marks:
        if not isinstance(m, Mark):
            raise TypeError(f"assessments of a comment subject must be D/CD, got {m!r}")
    return Mark.CD if Mark.CD in marks else Mark.D


def comment_year_result(term1: Mark | None, term2: Mark | None) -> Mark | None:
    """A comment subject's year result is its term II result (TT22 art. 9.1a)."""
    return term2


@dataclass(frozen=True)
class SubjectResult:
    """One subject's result for a term or the year: an average (scored) or a mark (comment)."""

    code: str
    kind: SubjectKind
    value: Score | None  # None: not complete yet


def learning_level(scored: Sequence[Decimal], comment: Sequence[Mark]) -> Level:
    """Tốt / Khá / Đạt / Chưa đạt from every scored average and every comment mark (SPEC §7).

    Tốt: every comment Đ, every average ≥ 6.5 and at least 6 ≥ 8.0.
    Khá: every comment Đ, every average ≥ 5.0 and at least 6 ≥ 6.5.
    Đạt: at most one comment CĐ, at least 6 averages ≥ 5.0, none < 3.5.
    """
    averages = [round_half_up(a) for a in _decimals(scored, "average")]
    failed_comments = sum(1 for m in comment if Mark(m) is Mark.CD)

    def at_least(threshold: str) -> int:
        return sum(1 for a in averages if a >= Decimal(threshold))

    def all_at_least(threshold: str) -> bool:
        return all(a >= Decimal(threshold) for a in averages)

    if failed_comments == 0 and all_at_least("6.5") and at_least("8.0") >= MIN_SUBJECTS:
        return Level.T
    if failed_comments == 0 and all_at_least("5.0") and at_least("6.5") >= MIN_SUBJECTS:
        return Level.K
    if failed_comments <= 1 and at_least("5.0") >= MIN_SUBJECTS and all_at_least("3.5"):
        return Level.D
    return Level.CD


def learning_level_of(results: Iterable[SubjectResult]) -> Level | None:
    """learning_level() over every subject of the grade; None while any subject has no result yet."""
    scored: list[Decimal] = []
    comment: list[Mark] = []
    for r in results:
        if r.value is None:
            return None
        if r.kind is SubjectKind.SCORED:
            scored.append(r.value)
        else:
            comment.append(r.value)
    if not scored and not comment:
        return None
    return learning_level(scored, comment)


def _fmt(value: Decimal) -> str:
    text = format(round_half_up(value).normalize(), "f")
    return text


def _below(averages: dict[str, Decimal], threshold: str) -> str | None:
    low = [f"{code} {_fmt(a)}" for code, a in averages.items() if a < Decimal(threshold)]
    return f"{', '.join(low[:3])}{' ...' if len(low) > 3 else ''} dưới {threshold.rstrip('0').rstrip('.')}" \
        if low else None


def _fewer(averages: dict[str, Decimal], threshold: str) -> str | None:
    count = sum(1 for a in averages.values() if a >= Decimal(threshold))
    return f"chỉ {count} môn TB từ {threshold.rstrip('0').rstrip('.')}" if count < MIN_SUBJECTS else None


def shortfall(results: Iterable[SubjectResult], level: Level) -> list[str]:
    """Why a complete result is ``level`` and not the next one up (Chưa đạt: why not Đạt; Đạt: why
    not Khá), as short Vietnamese phrases: ['AMNHAC, MYTHUAT: CĐ', 'TOAN 3.2 dưới 3.5']."""
    averages: dict[str, Decimal] = {}
    failed: list[str] = []
    for r in results:
        if r.value is None:
            return []
        if r.kind is SubjectKind.SCORED:
            averages[r.code] = round_half_up(Decimal(r.value))
        elif Mark(r.value) is Mark.CD:
            failed.append(r.code)
    marks = f"{', '.join(failed)}: CĐ" if failed else None
    if level is Level.CD:
        reasons = [marks if len(failed) > 1 else None, _below(averages, "3.5"), _fewer(averages, "5.0")]
    elif level is Level.D:
        reasons = [marks, _below(averages, "5.0"), _fewer(averages, "6.5")]
    else:
        return []
    return [r for r in reasons if r]


def year_conduct(term1: Level | None, term2: Level | None) -> Level | None:
    """The year's conduct from terms I and II (TT22 art. 8; SPEC §7 table); None if one is missing.

    Tốt: II Tốt and I ≥ Khá.  Khá: II Khá and I ≥ Đạt, or II Đạt and I Tốt,
    or II Tốt and I ≤ Đạt.  Đạt: II Đạt and I ≤ Khá, or II Khá and I Chưa đạt.
    Otherwise (II Chưa đạt) Chưa đạt.
    """
    if term1 is None or term2 is None:
        return None
    one, two = Level(term1), Level(term2)
    if two is Level.T:
        return Level.T if one.rank >= Level.K.rank else Level.K
    if two is Level.K:
        return Level.K if one.rank >= Level.D.rank else Level.D
    if two is Level.D:
        return Level.K if one is Level.T else Level.D
    return Level.CD


@dataclass(frozen=True)
class Outcome:
    """A level as shown to a parent: official when imported and approved, else computed ("tam tinh")."""

    level: Level | None
    provisional: bool


def official_or_computed(official: Level | None, computed: Level | None) -> Outcome:
    """The official level wins; a computed one is marked provisional; neither gives level None."""
    if official is not None:
        return Outcome(Level(official), provisional=False)
    return Outcome(computed, provisional=computed is not None)


def studied(reports: Iterable, required: frozenset[str]) -> list:
    """The subject reports of what a pupil studies where some subjects are chosen (THPT, 2018 programme).

    A chosen subject without a single score is another class's choice and
    left out; a required one always stays (missing = not complete). Each
    report needs ``has_scores`` and ``subject.code``.
    """
    return [r for r in reports if r.has_scores or r.subject.code in required]
