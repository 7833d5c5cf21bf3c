"""DK / BAT [CON]: resume the evening digest."""
from __future__ import annotations

from .huy import Huy


class Dk(Huy):
    keyword = "DK"
    aliases = ("DK", "BAT", "DANGKY")
    help = "DK (hoac BAT): nhan lai tin tong hop buoi toi"
    example = "DK"
    opt_out = False
    template = "dk.txt"
