"""The BL answer parser: a corpus of real-world answer strings, and properties of parsing and marking."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from store.questions.answers import LETTERS, AnswerError, code_candidates, parse_answers
from store.questions.marking import mark, shown_key, shuffled

CORPUS = Path(__file__).resolve().parent / "data" / "questions" / "answers_corpus.tsv"


def _corpus() -> list[tuple[str, int, str]]:
    rows = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip("\n"):
            continue
        text, n, meant = line.split("\t")
        rows.append((text.replace("\\n", "\n"), int(n), meant))
    return rows


def _letters(picks) -> str:
    return "".join("X" if p is None else LETTERS[p] for p in picks)


def test_the_corpus_is_read_as_meant_and_never_scored_wrongly():
    rows = _corpus()
    assert len(rows) >= 200
    right, wrong, hinted = 0, [], []
    for text, n, meant in rows:
        try:
            got = _letters(parse_answers(text, [4] * n))
        except AnswerError as e:
            assert e.reason, text                    # every refusal says what is wrong
            (hinted if meant != "!" else []).append(text)
            right += meant == "!"
            continue
        if got == meant:
            right += 1
        else:
            wrong.append((text, meant, got))
    assert not wrong, f"read differently from what was meant: {wrong}"
    assert right / len(rows) >= 0.99, f"{len(rows) - right} of {len(rows)} not read as meant: {hinted}"


@pytest.mark.parametrize("text", ["1A 2C 3B", "1a2c3b", "1.A 2.C 3.B", "1-a, 2-c, 3-b", "ACB", "a c b", "acb",
                                  "Câu 1: A câu 2: C câu 3: B", "ĐA: ACB", "3B 1A 2C", "1ÀC3B"])
def test_every_spelling_gives_the_same_answers(text):
    assert parse_answers(text, [4, 4, 4]) == (0, 2, 1)


@pytest.mark.parametrize("text, reason", [
    ("ABC", "đề có 4 câu mà tin có 3 chữ cái"), ("1A 5B", "không có câu 5"), ("1A 2E", "câu 2: “E”"),
    ("1AB", "chỉ chọn một"), ("1A 1B", "hai đáp án khác nhau"), ("", "không thấy đáp án"),
    ("ÃCB", "bộ gõ tiếng Việt"),
])
def test_unreadable_answers_name_what_is_wrong(text, reason):
    with pytest.raises(AnswerError) as e:
        parse_answers(text, [4, 4, 4, 4])
    assert reason in e.value.reason


def test_a_question_with_fewer_choices_refuses_the_letters_it_has_not():
    assert parse_answers("1A 2B 3F", [2, 2, 6]) == (0, 1, 5)
    with pytest.raises(AnswerError, match="A–B"):
        parse_answers("1C 2A 3A", [2, 2, 6])


pick_lists = st.integers(1, 12).flatmap(lambda n: st.tuples(
    st.lists(st.integers(2, 6), min_size=n, max_size=n),
    st.lists(st.one_of(st.none(), st.integers(0, 5)), min_size=n, max_size=n)))


def _spellings(letters: str) -> list[str]:
    pairs = [(i, c) for i, c in enumerate(letters, 1)]
    return [letters, letters.lower(), " ".join(letters), " ".join(f"{i}{c}" for i, c in pairs),
            "".join(f"{i}{c.lower()}" for i, c in pairs), " ".join(f"{i}.{c}" for i, c in pairs),
            ", ".join(f"{i}-{c}" for i, c in reversed(pairs)), "ĐA: " + letters]


@settings(max_examples=150, deadline=None)
@given(pick_lists)
def test_every_accepted_spelling_parses_to_the_same_answers(case):
    counts, raw = case
    picks = tuple(None if p is None else p % k for p, k in zip(raw, counts))
    letters = _letters(picks)
    for text in _spellings(letters):
        assert parse_answers(text, counts) == picks, text


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(2, 6), min_size=1, max_size=30), st.integers(0, 2**32))
def test_a_variant_answered_by_its_own_key_scores_full_and_maps_back(counts, seed):
    rng = random.Random(seed)
    perms = shuffled(counts, rng)
    keys = [rng.randrange(k) for k in counts]
    shown = tuple(shown_key(p, k) for p, k in zip(perms, keys))
    result = mark(shown, perms, keys)
    assert (result.correct, result.wrong) == (len(counts), ())
    assert list(result.chosen) == keys
    assert all(sorted(p) == list(range(k)) for p, k in zip(perms, counts))


def test_copying_a_neighbours_letters_scores_at_chance():
    """1,000 random pairs on a 20-item, 4-choice test: the copier's mean is a quarter, not the neighbour's."""
    rng = random.Random(2026)
    counts = [4] * 20
    keys = [rng.randrange(4) for _ in counts]
    copied = []
    for _ in range(1000):
        me, neighbour = shuffled(counts, rng), shuffled(counts, rng)
        their_letters = tuple(shown_key(p, k) for p, k in zip(neighbour, keys))     # the neighbour: all right
        copied.append(mark(their_letters, me, keys).correct / len(counts))
    mean = sum(copied) / len(copied)
    assert 0.22 <= mean <= 0.28, mean            # chance is 0.25; sd of the mean ~0.003
    assert sum(c == 1.0 for c in copied) == 0


@pytest.mark.parametrize("text, first", [("T5-12 1A", "T5-12"), ("t5.12: acb", "T5-12"), ("T5 ACB", "T5"),
                                         ("de3 - 4 1a", "DE3-4"), ("", None)])
def test_code_candidates(text, first):
    found = code_candidates(text)
    assert (found[0][0] if found else None) == first
    if text == "T5 ACB":
        assert found == [("T5", " ACB")]
