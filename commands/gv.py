"""GV [CON] <noi dung>: a message to the homeroom teacher; the answer comes back by SMS."""
from __future__ import annotations

from .teacher import TeacherMessage


class Gv(TeacherMessage):
    keyword = "GV"
    aliases = ("GV", "GVCN", "GUIGV")
    help = "GV <noi dung>: gui tin cho GVCN, tra loi se nhan lai qua SMS"
    example = "GV xin gap co chieu thu 6"
    kind = "GV"
    sent_template = "gv_ok.txt"
    empty_template = "gv_empty.txt"
