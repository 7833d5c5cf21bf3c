"""The transcript corpus (tests/transcripts/*.txt): texts as parents type them, with the exact replies.

Each file runs as one conversation against a fresh copy of the demo school
plus the twins' family of fixtures_commands.add_twins (two children in one
class). Spellings (ki/kì, hoc ki, lich thi, filler words, `c1 va c2`),
answers for two children without a round trip, confident suggestions only,
and KQ's reasons.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from .fixtures_commands import TWINS_PHONE

CORPUS = sorted((Path(__file__).parent / "transcripts").glob("*.txt"))


def test_the_corpus_has_at_least_300_lines():
    lines = [l for f in CORPUS for l in f.read_text(encoding="utf-8").splitlines() if l.strip()]
    assert len(lines) >= 300


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_transcript(twins_convo, path):
    twins_convo.run(path.read_text(encoding="utf-8"))


def stored(db):
    return db.execute("SELECT t.kind, s.full_name, t.body FROM teacher_messages t "
                      "JOIN students s ON s.id = t.student_id ORDER BY t.id").fetchall()


def test_gv_and_nghi_reach_the_child_named_in_the_text(twins_convo, school_db):
    twins_convo.run(f"""
    {TWINS_PHONE} > cho chau Long nghi hom nay a
    {TWINS_PHONE} ~ Tran Van Long
    {TWINS_PHONE} > GV cô ơi cho cháu Mai về sớm 15h
    {TWINS_PHONE} ~ Da gui toi GVCN lop 8A2
    {TWINS_PHONE} > NGHI hom nay chau Mai bi sot
    {TWINS_PHONE} ~ Tran Thi Mai
    {TWINS_PHONE} > nghi hoc chau Long bi sot C2
    {TWINS_PHONE} ~ Tran Van Long
    """)
    assert stored(school_db) == [
        ("NGHI", "Trần Văn Long", "hom nay a"), ("GV", "Trần Thị Mai", "cô ơi cho cháu Mai về sớm 15h"),
        ("NGHI", "Trần Thị Mai", "hom nay chau Mai bi sot"), ("NGHI", "Trần Văn Long", "bi sot")]


def test_a_word_with_other_marks_is_not_the_childs_name(twins_convo, school_db):
    """`nằm` folds to NAM; a child called Nam is only meant when typed unaccented or as `Nam`."""
    school_db.execute("UPDATE students SET full_name = 'Trần Văn Nam', given_name_folded = 'NAM' "
                      "WHERE full_name = 'Trần Văn Long'")
    twins_convo.run(f"""
    {TWINS_PHONE} > NGHI chau nằm viện
    {TWINS_PHONE} ~ So nay co 2 con
    {TWINS_PHONE} > NGHI chau Nam nằm viện
    {TWINS_PHONE} ~ Da gui xin phep nghi cho Tran Van Nam 8A2
    """)


def test_one_reply_for_two_children_is_recorded_for_both(twins_convo, school_db):
    from commands.service import answer
    result = answer(school_db, twins_convo.settings, TWINS_PHONE, "RL", today=twins_convo.today)
    names = {r[0] for r in school_db.execute(
        f"SELECT full_name FROM students WHERE id IN ({','.join('?' * len(result.reply.student_ids))})",
        result.reply.student_ids)}
    assert names == {"Trần Văn Long", "Trần Thị Mai"}
