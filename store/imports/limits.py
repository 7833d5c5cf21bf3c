"""The caps every import file meets: rows, decompressed size, and how many bad rows are listed.

A file past a cap is refused as a whole with a message naming the cap, before
anything is written: a 372 KB XLSX can hold 80 MB of sheet XML, and a
158 KB one a shared-strings table that would need gigabytes of memory.
"""
from __future__ import annotations

from dataclasses import dataclass

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Caps of one import run (defaults fit a province's 1.3M-row grade book as CSV)."""

    max_rows: int = 2_000_000            # data rows of a file (an XLSX sheet holds at most 1,048,576)
    max_errors_listed: int = 200         # bad rows listed; the count is always whole
    max_csv_bytes: int = 512 * MiB       # a CSV file as it is on disk
    max_sheet_bytes: int = 512 * MiB     # the first sheet's XML, decompressed (it is streamed)
    max_shared_strings_bytes: int = 32 * MiB   # the shared-strings XML, decompressed (openpyxl holds it in memory)


DEFAULT = Limits()


def mib(n: int) -> str:
    """``n`` bytes as whole MiB for messages."""
    return f"{n / MiB:.0f} MB"
