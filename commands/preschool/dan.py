"""DAN [CON] <loi nhan>: a morning note to the kindergarten class teacher; answered like GV."""
from __future__ import annotations

from commands.teacher import TeacherMessage


class Dan(TeacherMessage):
    keyword = "DAN"
    aliases = ("DAN", "DANCO", "LOIDAN")
    help = "DAN <loi dan>: dan co giao buoi sang (mam non), tra loi qua SMS"
    example = "DAN chau uong thuoc luc 10h"
    kind = "DAN"
    sent_template = "dan_ok.txt"
    empty_template = "dan_empty.txt"
    filler_words = ("CO",)           # "dan co ...": the parent's way of saying the keyword
