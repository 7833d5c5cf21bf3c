"""Question levels: TT27's M1-M3 (primary) and TT22's four (nhận biết ... vận dụng cao)."""
from __future__ import annotations

from enum import Enum

from store.core.text import fold


class Level(str, Enum):
    M1 = "M1"
    M2 = "M2"
    M3 = "M3"
    NB = "NB"     # nhận biết
    TH = "TH"     # thông hiểu
    VD = "VD"     # vận dụng
    VDC = "VDC"   # vận dụng cao

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS = {Level.M1: "Mức 1", Level.M2: "Mức 2", Level.M3: "Mức 3", Level.NB: "Nhận biết",
          Level.TH: "Thông hiểu", Level.VD: "Vận dụng", Level.VDC: "Vận dụng cao"}
_SPELLINGS = {"M1": Level.M1, "MUC1": Level.M1, "1": Level.M1, "M2": Level.M2, "MUC2": Level.M2, "2": Level.M2,
              "M3": Level.M3, "MUC3": Level.M3, "3": Level.M3, "NB": Level.NB, "NHANBIET": Level.NB,
              "BIET": Level.NB, "TH": Level.TH, "THONGHIEU": Level.TH, "HIEU": Level.TH, "VD": Level.VD,
              "VANDUNG": Level.VD, "VDT": Level.VD, "VANDUNGTHAP": Level.VD, "VDC": Level.VDC,
              "VANDUNGCAO": Level.VDC}


def parse_level(text: str | None) -> Level | None:
    """'Mức 2' / 'M2' / 'thông hiểu' / 'VDC' -> the Level; None when it is not one."""
    if text is None:
        return None
    key = "".join(ch for ch in fold(str(text)).upper() if ch.isalnum())
    return _SPELLINGS.get(key)
