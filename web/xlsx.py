"""Spreadsheet downloads: openpyxl's write-only mode (rows stream out, memory stays flat)."""
from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from flask import Response
from openpyxl import Workbook

MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def response(filename: str, sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]) -> Response:
    """An XLSX attachment of ``sheets`` (title, header row, rows); titles are cut to Excel's 31 characters."""
    book = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append(list(header))
        for row in rows:
            sheet.append(["" if v is None else v for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return Response(buffer.getvalue(), mimetype=MIME,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
