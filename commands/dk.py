"""DK / BAT [CON]: resume the evening digest."""
from __future__ import annotations

from .digest_switch import DigestSwitch


class Dk(DigestSwitch):
    keyword = "DK"
    aliases = ("DK", "BAT", "DANGKY")
    help = "DK (hoac BAT): nhan lai tin tong hop buoi toi"
    example = "DK"
    opt_out = False
    template = "dk.txt"
