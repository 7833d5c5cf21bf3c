"""HUY / STOP [CON]: stop the evening digest (answers to commands still work)."""
from __future__ import annotations

from .digest_switch import DigestSwitch


class Huy(DigestSwitch):
    keyword = "HUY"
    aliases = ("HUY", "STOP", "TAT", "DUNG")
    help = "HUY (hoac STOP): dung tin tong hop buoi toi; tra cuu van dung duoc"
    example = "HUY"
    opt_out = True
    template = "huy.txt"
