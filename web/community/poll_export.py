"""A poll's results as an XLSX file (openpyxl's write-only mode: rows streamed, little memory)."""
from __future__ import annotations

import io

from flask import g, send_file
from openpyxl import Workbook

from store.core import audit
from store.community import poll_results, polls

PLACE = {"confirmed": "đã nhận", "waiting": "danh sách chờ"}


def workbook(db, poll: polls.Poll):
    """The download response: sheets Kết quả, Theo lớp, Trả lời and (named polls) Chưa trả lời; audited."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Kết quả")
    sheet.append([f"Khảo sát {poll.id}", poll.question])
    sheet.append(["Lựa chọn", "Nội dung", "Số chỗ", "Đã nhận", "Danh sách chờ"])
    for c in poll_results.counts(db, poll):
        sheet.append([c.number, c.label, c.capacity, c.confirmed, c.waiting])
    sheet = book.create_sheet("Theo lớp")
    sheet.append(["Lớp", "Số học sinh được hỏi", "Đã trả lời", "Tỉ lệ"])
    for r in poll_results.per_class(db, poll):
        sheet.append([r.class_name, r.asked, r.answered, round(r.answered / r.asked, 3) if r.asked else None])
    sheet = book.create_sheet("Trả lời")
    sheet.append(["Lớp", "Mã HS", "Học sinh", "Lựa chọn", "Nội dung", "Chỗ", "Qua", "Lúc (UTC)"])
    for row in poll_results.answers(db, poll):
        sheet.append([*row[:5], PLACE.get(row[5], row[5]), row[6], row[7]])
    missing = poll_results.not_answered(db, poll)
    if not poll.anonymous:
        sheet = book.create_sheet("Chưa trả lời")
        sheet.append(["Lớp", "Mã HS", "Học sinh"])
        for m in missing:
            sheet.append([m.class_name, m.student_code, m.student_name])
    audit.record(db, g.staff.login, "web:poll-export", school_id=poll.school_id, poll=poll.id,
                 named=not poll.anonymous)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return send_file(data, as_attachment=True, download_name=f"khao-sat-{poll.id}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
