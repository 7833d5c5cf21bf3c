"""Making a reply fit sms.max_parts: shortened at a boundary, with a pointer to the website."""
from __future__ import annotations

from .render import parts_needed, prepare

POINTER = " ...Xem đủ: {url}"
BOUNDARIES = ("; ", ", ", " ")


def fits(text: str, transliterate: bool, max_parts: int) -> bool:
    """Whether ``text`` goes out in at most ``max_parts`` parts."""
    final, encoding = prepare(text, transliterate)
    return parts_needed(final, encoding) <= max_parts


def fit(text: str, *, transliterate: bool, max_parts: int, more_url: str | None) -> str:
    """``text`` itself when it fits, else cut at the last ';', ',' or space that leaves room for
    a pointer to the full content: never mid-word, never mid-number."""
    if fits(text, transliterate, max_parts):
        return text
    tail = POINTER.format(url=more_url) if more_url else " ..."
    for boundary in BOUNDARIES:
        cuts = [i for i in range(len(text)) if text.startswith(boundary, i)]
        lo, hi, best = 0, len(cuts) - 1, None
        while lo <= hi:
            mid = (lo + hi) // 2
            candidate = text[:cuts[mid]].rstrip(" ;,:") + tail
            if fits(candidate, transliterate, max_parts):
                best, lo = candidate, mid + 1
            else:
                hi = mid - 1
        if best is not None:
            return best
    # Not even the first word fits beside the pointer: the pointer alone.
    return tail.strip(" .") if fits(tail.strip(" ."), transliterate, max_parts) else "Xem tren web"
