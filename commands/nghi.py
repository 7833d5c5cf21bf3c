"""NGHI [CON] <ly do>: the parent reports an absence (xin phep nghi) to the homeroom teacher."""
from __future__ import annotations

from .teacher import TeacherMessage


class Nghi(TeacherMessage):
    keyword = "NGHI"
    aliases = ("NGHI", "XINNGHI", "XINPHEP")
    help = "NGHI <ly do>: xin phep nghi hoc, gui GVCN"
    example = "NGHI con bi sot"
    kind = "NGHI"
    sent_template = "nghi_ok.txt"
    empty_template = "nghi_no_reason.txt"
    filler_words = ("HOC",)          # "nghi hoc": the parent's way of saying the keyword
