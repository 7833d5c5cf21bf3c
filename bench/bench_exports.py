"""Figures of the staff downloads: XLSX rows per second (openpyxl write-only) and PDF report cards per second.

    .venv/bin/python bench/bench_exports.py [--rows 100000] [--cards 40]

1. the XLSX of ``--rows`` delivery-report-like rows through web.xlsx.response (the code the pages use);
2. a class's phiếu liên lạc: ``--cards`` pupils, 13 subjects each, through web.report_card.render.
Prints seconds and rates; nothing is asserted.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from web import report_card, xlsx  # noqa: E402


def bench_xlsx(rows: int) -> None:
    data = ([i, "01/12/2026 17:07", "Nguyễn Thị Hoa", "8A2", "Trần Thị Lan", "09xxxx4321", "trả lời",
             "không đến được", "Không đến được máy — kiểm tra lại số", "receipt UNDELIV err:001"] for i in range(rows))
    start = time.perf_counter()
    response = xlsx.response("bench.xlsx", [("Tin lỗi", [str(i) for i in range(10)], data)])
    took = time.perf_counter() - start
    print(f"xlsx  {rows} rows x 10 columns: {took:.2f} s ({rows / took:,.0f} rows/s, {len(response.data) / 1e6:.1f} MB)")


def bench_pdf(cards: int) -> None:
    subjects = ["Toán", "Ngữ văn", "Tiếng Anh", "Khoa học tự nhiên", "Lịch sử và Địa lí", "Giáo dục công dân",
                "Công nghệ", "Tin học", "Giáo dục thể chất", "Âm nhạc", "Mĩ thuật", "Hoạt động trải nghiệm",
                "Giáo dục địa phương"]
    card = report_card.Card("Trường THCS Đống Đa", "2026-2027", 1, "Nguyễn Thị Hoa", "DD900001", "8A2",
                            "Vũ Minh Khôi", [(s, "8 7.5 9 8", "8", "7.5", "7.9") for s in subjects],
                            "Khá (tạm tính)", "Tốt", 1, 0, ["07/11/2026 VAN: Có ý thức giúp đỡ bạn bè"] * 3)
    start = time.perf_counter()
    pdf = report_card.render([card] * cards, "bench")
    took = time.perf_counter() - start
    print(f"pdf   {cards} report cards: {took:.2f} s ({cards / took:.1f} pages/s, {len(pdf) / 1e3:.0f} kB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--cards", type=int, default=40)
    args = parser.parse_args()
    bench_xlsx(args.rows)
    bench_pdf(args.cards)


if __name__ == "__main__":
    main()
