"""Imports of the spreadsheets schools really have (SPEC §6): CSV and XLSX, all or nothing.

    report = import_file(db, "grades", "diem_hk1.xlsx", approve=False)

raises ImportFileError (file-level: unreadable, missing columns) or
ImportRowsError (``.report.errors``: every bad row with its row number).
Every kind is one ImportKind in the one list ``registry.KINDS``.
"""
from .errors import ImportFileError, ImportRowsError, MissingColumnsError, RowError, RowNote
from .kind import ImportKind
from .registry import KINDS
from .runner import ImportReport, import_file

__all__ = ["KINDS", "ImportFileError", "ImportKind", "ImportReport", "ImportRowsError", "MissingColumnsError",
           "RowError", "RowNote", "import_file"]
