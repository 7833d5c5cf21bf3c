"""Library search over 10,000 documents' text: query latency percentiles (target p95 <= 50 ms).

    .venv/bin/python bench/bench_library_search.py [--docs 10000] [--words 800] [--queries 300] [--seed 1]

Builds a fresh database (schema.sql) in a temporary folder with one school,
one approved item per document and its generated Vietnamese text (a Zipf mix
of syllables with diacritics, so common words match most documents and rare
ones few), indexed through store.library.search.index as an upload would be.
Then times store.library.search.search as the search page calls it (50 hits,
the teacher's scope, a quarter of the queries with a filter) and as SMS TV
does (3 approved hits), for one-, two- and three-word queries typed without
accents, the last word as a prefix. Prints the build time and p50/p95/p99/max.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from store.core import migrate  # noqa: E402
from store.core.clock import now_iso  # noqa: E402
from store.core.connection import connect, transaction  # noqa: E402
from store.library import access, search  # noqa: E402

ONSETS = ["", "b", "c", "ch", "d", "đ", "g", "gi", "h", "k", "kh", "l", "m", "n", "ng", "nh", "p", "ph", "qu", "r",
          "s", "t", "th", "tr", "v", "x"]
RHYMES = ["a", "á", "à", "ả", "ã", "ạ", "an", "án", "ang", "ành", "ăn", "ắt", "âm", "ấy", "e", "é", "em", "ên", "ết",
          "i", "ình", "iệt", "o", "ó", "òn", "ông", "ốc", "ơi", "ởi", "u", "ú", "uân", "ưa", "ức", "ương", "ước",
          "y", "yêu", "oa", "oài", "uy", "uyên", "iêu", "ai", "ại", "ao", "ảo", "âu", "ầu", "ôi"]
SUBJECTS = ["TOAN", "VAN", "ANH", "LY", "HOA", "SINH", "SU", "DIA", "TIN", "CN"]


def vocabulary(rng: random.Random, size: int = 4000) -> list[str]:
    words = sorted({o + r for o in ONSETS for r in RHYMES})
    rng.shuffle(words)
    return words[:size]


def zipf_weights(n: int) -> list[float]:
    return [1.0 / (rank + 1) for rank in range(n)]


def build(db, docs: int, words: int, rng: random.Random) -> float:
    vocab = vocabulary(rng)
    weights = zipf_weights(len(vocab))
    school = db.execute("INSERT INTO schools (code, name, level, created_at) VALUES ('B', 'Bench', 'THCS', ?)",
                        [now_iso()]).lastrowid
    user = db.execute("INSERT INTO users (login, password_hash, role, school_id, created_at) "
                      "VALUES ('bench', 'x', 'teacher', ?, ?)", [school, now_iso()]).lastrowid
    start = time.perf_counter()
    batch = 500
    for first in range(0, docs, batch):
        with transaction(db):
            for n in range(first, min(first + batch, docs)):
                title = " ".join(rng.choices(vocab, weights, k=6)).capitalize()
                body = " ".join(rng.choices(vocab, weights, k=words))
                item = db.execute(
                    "INSERT INTO library_items (school_id, title, section, subject, grade, source, owner_user_id, "
                    "state, created_at, updated_at) VALUES (?, ?, 'giang_day', ?, ?, 'bench', ?, 'approved', ?, ?)",
                    [school, title, SUBJECTS[n % len(SUBJECTS)], 6 + n % 7, user, now_iso(), now_iso()]).lastrowid
                search.index(db, item, title, body)
    db.execute("INSERT INTO library_fts (library_fts) VALUES ('optimize')")
    db.execute("INSERT INTO library_titles (library_titles) VALUES ('optimize')")
    return time.perf_counter() - start, vocab, school, user


def queries(vocab: list[str], count: int, rng: random.Random) -> list[str]:
    common, rare = vocab[:50], vocab[500:]
    out = []
    for n in range(count):
        kind = n % 4
        if kind == 0:
            words = [rng.choice(common)]
        elif kind == 1:
            words = [rng.choice(common), rng.choice(rare)]
        elif kind == 2:
            words = rng.sample(common, 3)
        else:
            words = [rng.choice(rare)[:-1] or "a"]          # a prefix, as typed half-way
        out.append(" ".join(words))
    return [search.folded(q) for q in out]                  # typed without accents


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--words", type=int, default=800, help="words of extracted text per document")
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        db = connect(path)
        migrate.init(db, path)
        seconds, vocab, school, user = build(db, args.docs, args.words, rng)
        size_mb = path.stat().st_size / 1e6
        print(f"built {args.docs} documents x {args.words} words in {seconds:.1f} s; database {size_mb:.0f} MB")
        viewer = access.Viewer(user, school, "bench")
        for label, limit, state in (("search page (50 hits)", 50, None), ("SMS TV (3 hits)", 3, "approved")):
            times, found = [], []
            for n, q in enumerate(queries(vocab, args.queries, rng)):
                filters = {"grade": 6 + n % 7} if n % 4 == 1 else {}
                t0 = time.perf_counter()
                hits = search.search(db, viewer, q, limit=limit, state=state, **filters)
                times.append((time.perf_counter() - t0) * 1000)
                found.append(len(hits))
            print(f"{label}: {len(times)} queries, p50 {percentile(times, 50):.1f} ms, p95 "
                  f"{percentile(times, 95):.1f} ms, p99 {percentile(times, 99):.1f} ms, max {max(times):.1f} ms; "
                  f"mean hits {statistics.mean(found):.1f}")
        db.close()


if __name__ == "__main__":
    main()
