"""Question bank and self-tests on the web (SPEC §15): one blueprint, its pages in three modules.

- bank_pages: /staff/questions — the school's bank: filter, add, edit, remove, import .docx/.xlsx.
- quiz_pages: /staff/tests — make a test (picked or drawn questions), per-class PDF sheets, results per
  pupil, item analysis, XLSX export, adopting scores into the grade book (pending approval).
- parent_pages: /parent/tests — a guardian's children's tests, answered on the web; /p/bl/<code> from the SMS.

Teachers work in their classes (user_classes), admins in their school; reviewers read; operators have
no school bank (403). A guardian sees only their own children's variants, never a rank or a class average.
"""
from __future__ import annotations

from . import bank_pages, parent_pages, quiz_pages  # noqa: F401  (each adds its routes to bp)
from .blueprint import MENU, bp

__all__ = ["MENU", "bp"]
