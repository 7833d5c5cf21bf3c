"""Named exceptions of the import package; the CLI turns them into messages."""
from __future__ import annotations

from dataclasses import dataclass

from .labels import labelled

from store.core.errors import StoreError


class ImportFileError(StoreError):
    """The file as a whole cannot be imported (unreadable, wrong kind, no header)."""

    def __init__(self, file_name: str, reason: str):
        self.file_name = file_name
        self.reason = reason
        super().__init__(f"{file_name}: {reason}")


class MissingColumnsError(ImportFileError):
    """Required columns are absent; ``header_row`` is the best header row found (or None)."""

    def __init__(self, file_name: str, missing: list[str], header_row: int | None, header_cells: list[str]):
        self.missing = missing
        self.header_row = header_row
        self.header_cells = header_cells
        if header_row is None:
            where = "không thấy dòng tiêu đề ở các dòng đầu: kiểm tra tên cột theo tệp mẫu"
        else:
            shown = ", ".join(f"'{c}'" for c in header_cells if c)
            where = f"dòng tiêu đề tìm thấy: dòng {header_row}: {shown}"
        super().__init__(file_name, f"thiếu cột {labelled(missing)} ({where})")


@dataclass(frozen=True)
class RowError:
    """One refused row: its real spreadsheet row number and why."""

    row: int
    reason: str

    def __str__(self) -> str:
        return f"dòng {self.row}: {self.reason}"


@dataclass(frozen=True)
class RowNote:
    """Something changed on the way in that the coordinator should know (a phone mapping)."""

    row: int
    note: str

    def __str__(self) -> str:
        return f"dòng {self.row}: {self.note}"


class ImportRowsError(StoreError):
    """Some rows were refused, so nothing of the file was written; ``report.errors`` lists them."""

    def __init__(self, report):
        self.report = report
        super().__init__(f"{report.file_name}: {report.error_count or len(report.errors)} dòng lỗi, chưa nhập gì "
                         "(sửa các dòng lỗi rồi nhập lại cả tệp)")


class RowRejected(Exception):
    """Raised inside row validation; the runner turns it into a RowError for that row.

    ``reason`` is the Vietnamese sentence the coordinator reads (the column, the value as typed,
    what to type instead); code that must tell reasons apart catches a subclass, never the text.
    """

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


class OutsideSchool(RowRejected):
    """The row belongs to ``school``, not to ``allowed``: the school the import is limited to (--school, the web)."""

    def __init__(self, reason: str, school: str, allowed: str):
        self.school = school
        self.allowed = allowed
        super().__init__(reason)
