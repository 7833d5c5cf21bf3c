"""The question bank and self-tests (SPEC §15).

bank (questions and their checks), levels (TT27 M1-M3, TT22's four levels),
answers (reading `BL` answer strings: pure), marking (variants' shuffles and
scores: pure), quizzes (tests, their items and per-pupil variants), attempts
(submitting and the stored results), analysis (results per pupil, item
analysis, XLSX export), docx_import / xlsx_import (files into the bank),
sheet (the printable PDF), adopt (a score into the grade book, pending).
"""
