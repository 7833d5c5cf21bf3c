"""Texts staff write on the web: a teacher's answer to GV / NGHI and a school announcement.

Prepared exactly like every other SMS (templates_sms/, then outbox.render:
unaccented portable GSM-7 unless sms.transliterate is off) and measured in
parts as the segmenter will split them. They are never shortened: a text
over sms.max_parts is refused so staff can rewrite it, instead of parents
getting half a sentence.
"""
from __future__ import annotations

from .composer import Prepared, prepared as _prepared
from .templating import render


def teacher_answer(settings, *, kind: str, class_name: str | None, student_name: str, answer: str) -> Prepared:
    """The SMS a parent gets when staff answer their GV / NGHI text."""
    return _prepared(settings, render("gv_tra_loi.txt", kind=kind, class_name=class_name or "",
                                      student_name=student_name, answer=answer.strip()))


def announcement(settings, *, school_name: str, class_name: str | None, text: str,
                 group: str | None = None) -> Prepared:
    """The SMS each guardian gets for an announcement of the school, one class, or a ``group`` ('khối 8')."""
    return _prepared(settings, render("thong_bao.txt", school_name=school_name, class_name=class_name,
                                      text=text.strip(), group=group))


def pickup_decision(settings, *, pickup, class_name: str) -> Prepared:
    """The SMS a guardian gets when the teacher confirms or refuses their DON pickup change."""
    return _prepared(settings, render("don_xac_nhan.txt", p=pickup, class_name=class_name))
