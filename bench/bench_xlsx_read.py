"""Reading a large .xlsx: openpyxl's read-only mode (what imports use) against python-calamine.

    .venv/bin/python bench/bench_xlsx_read.py [--rows 200000] [--runs 3]

Writes a `bangdiem`-shaped sheet (a header, then one row a student and subject: codes, a
Vietnamese name, ten score cells) once into a temporary folder, then reads every cell of it
in a fresh process per run, the two readers alternated: wall and CPU seconds, the reading
process's peak RSS (getrusage of the child), and a checksum of the cells, so both read the
same values. Prints figures, asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

READ = r'''
import hashlib, json, sys, time
path, reader = sys.argv[1], sys.argv[2]
start, cpu = time.perf_counter(), time.process_time()
digest, rows = hashlib.blake2b(digest_size=8), 0
def cell(v):
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return "" if v is None else str(v)
def line(row):                  # calamine pads a row to the sheet's width with "", openpyxl stops at its last cell
    cells = [cell(v) for v in row]
    while cells and cells[-1] == "":
        cells.pop()
    return "\x1f".join(cells).encode()
if reader == "openpyxl":
    import openpyxl
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    for row in wb.worksheets[0].iter_rows(values_only=True):
        rows += 1
        digest.update(line(row))
    wb.close()
else:
    from python_calamine import CalamineWorkbook
    wb = CalamineWorkbook.from_path(path)
    for row in wb.get_sheet_by_index(0).iter_rows():
        rows += 1
        digest.update(line(row))
print(json.dumps({"rows": rows, "digest": digest.hexdigest(),
                  "wall": time.perf_counter() - start, "cpu": time.process_time() - cpu}))
'''


def write_sheet(path: Path, rows: int) -> None:
    import openpyxl
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("bangdiem")
    ws.append(["Mã trường", "Mã học sinh", "Họ và tên", "Lớp", "Môn", "Học kỳ",
               "TX1", "TX2", "TX3", "TX4", "GK", "CK", "TB", "Nhận xét"])
    subjects = ["Toán", "Ngữ văn", "Tiếng Anh", "Vật lí", "Hóa học", "Sinh học", "Lịch sử", "Địa lí"]
    for i in range(rows):
        s = i % 97
        ws.append(["THCS-DD", f"HS{i // 8:07d}", f"Nguyễn Thị Hồng {i // 8 % 1000}", f"8A{i // 320 % 40 + 1}",
                   subjects[i % 8], "HK1", 5 + s % 6, 6 + s % 5, 7.5, 8 + s % 3, 7 + s % 4, 8.5, 7.8,
                   "Chăm chỉ, tiến bộ" if s % 5 == 0 else None])
    wb.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, help="where the sheet is kept (default: a temporary folder)")
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="sll-xlsx-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"bangdiem-{args.rows}.xlsx"
    if not path.exists():
        t = time.perf_counter()
        write_sheet(path, args.rows)
        print(f"wrote {path} ({path.stat().st_size / 2**20:.1f} MiB) in {time.perf_counter() - t:.1f} s")
    print(f"$ {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"{os.cpu_count()} cores; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    results: dict[str, list[dict]] = {"openpyxl": [], "calamine": []}
    for _ in range(args.runs):
        for reader in results:
            results[reader].append(peak_of(path, reader))
    digests = {r[0]["digest"] for r in results.values()}
    print(f"{args.rows + 1} rows x 14 columns; both read the same cells: {len(digests) == 1}")
    for reader, runs in results.items():
        print(f"  {reader:<9} wall {statistics.median(r['wall'] for r in runs):6.2f} s "
              f"({', '.join(format(r['wall'], '.2f') for r in runs)}), CPU {statistics.median(r['cpu'] for r in runs):6.2f} s, "
              f"peak RSS {max(r['rss_mib'] for r in runs):6.0f} MiB")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def peak_of(path: Path, reader: str) -> dict:
    """One read in a fresh process, and that process's own peak RSS (wait4)."""
    proc = subprocess.Popen([sys.executable, "-c", READ, str(path), reader], stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{reader} failed ({proc.returncode})")
    result = json.loads(out)
    result["rss_mib"] = usage.ru_maxrss / 1024
    return result


if __name__ == "__main__":
    main()
