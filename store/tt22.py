"""Grade rules of Thông tư 22/2021/TT-BGDĐT (THCS and THPT): pure, Decimal only."""

from __future__ import annotations


def tx_count(periods_per_year: int) -> int:
    """Number of regular (TX) scores per term for a subject of this many periods a year."""
    if periods_per_year <= 35:
        return 2
    if periods_per_year <= 70:
        return 3
    return 4
