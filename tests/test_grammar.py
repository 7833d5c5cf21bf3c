"""Normalisation and the positional grammar, across the spellings parents type."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from commands.grammar import ChildRef, parse, split_glued
from commands.lexicon import YEAR
from commands.normalize import normalize
from commands.registry import keyword_table


@pytest.mark.parametrize("raw, expected", [
    ("ĐIỂM Toán hk1", "DIEM TOAN HK1"),
    ("diem.toan.hk1", "DIEM TOAN HK1"),
    ("  diem   toan ,hk1 ", "DIEM TOAN HK1"),
    ("Diem+toan;HK1:", "DIEM TOAN HK1"),
    ("diem_toan-hk1", "DIEM TOAN HK1"),
    ("ＤＩＥＭ　ＴＯＡＮ　１", "DIEM TOAN 1"),
    ("điểm tiếng anh", "DIEM TIENG ANH"),
    ("?", "?"),
    ("", ""),
    (None, ""),
    ("😀😀", ""),
])
def test_normalize(raw, expected):
    assert normalize(raw) == expected


def p(text, names=(), codes=()):
    return parse(text, keyword_table(), names=frozenset(names), codes=frozenset(codes))


@pytest.mark.parametrize("raw", [
    "DIEM TOAN HK1", "diem toan hk1", "ĐIỂM Toán hk1", "DIEMTOAN1", "DIEMTOANHK1", "diem.toan.hk1",
    "diem toan 1", "diem toan ky1", "DIEM TOAN HKI", "Điểm  toán  HK 1".replace("HK 1", "HK1"),
])
def test_diem_toan_hk1_spellings(raw):
    parsed = p(raw)
    assert (parsed.keyword, parsed.subject, parsed.term, parsed.child, parsed.unknown) == ("DIEM", "TOAN", 1, None, [])


@pytest.mark.parametrize("raw, subject, term", [
    ("DIEM CN", "CN", None),          # CN in the MON slot: Cong nghe
    ("DIEM CN CN", "CN", YEAR),       # Cong nghe, whole year
    ("DIEM TOAN CN", "TOAN", YEAR),   # CN in the KY slot: whole year
    ("DIEM CANAM", None, YEAR),
    ("DIEM 2", None, 2),              # bare digits are terms
    ("DIEM HKII", None, 2),
    ("DIEM VATLY 2", "LY", 2),
    ("diem tieng anh hk2", "ANH", 2),
    ("Điểm Tiếng Anh học kỳ 2", "ANH", 2),
    ("diem vat ly ca nam", "LY", YEAR),
    ("diem hoa hoc 1", "HOA", 1),
    ("DIEMCNCN", "CN", YEAR),
])
def test_cn_and_terms(raw, subject, term):
    parsed = p(raw)
    assert (parsed.subject, parsed.term) == (subject, term)


def test_kq_has_no_subject_slot_so_cn_is_the_year():
    assert p("KQ CN").term == YEAR
    assert p("RL 2").term == 2 and p("HK 1").keyword == "RL" and p("HK1").keyword == "RL"
    assert p("HANHKIEM HK2").term == 2


@pytest.mark.parametrize("raw, child", [
    ("DIEM TOAN HK1 C2", ChildRef(index=2)),
    ("diemtoanhk1c2", ChildRef(index=2)),
    ("DIEM TOAN CON2", ChildRef(index=2)),
    ("DIEM TOAN HK1 HOA", ChildRef(name="HOA")),
    ("DIEM TOAN HS001", ChildRef(code="HS001")),
])
def test_child_selection(raw, child):
    assert p(raw, names={"HOA", "NAM"}, codes={"HS001"}).child == child


def test_position_decides_between_subject_and_name():
    parsed = p("DIEM HOA HK1 HOA", names={"HOA"})
    assert parsed.subject == "HOA" and parsed.child == ChildRef(name="HOA") and parsed.term == 1
    assert p("DIEM ANH", names={"ANH"}).subject == "ANH"        # the MON slot comes first
    assert p("DIEM HK1 ANH", names={"ANH"}).child == ChildRef(name="ANH")
    assert p("DIEM HK1 NAM", names={"NAM"}).child == ChildRef(name="NAM")
    # A given name only counts in the last position.
    assert p("DIEM NAM HK1", names={"NAM"}).unknown == ["NAM"]


def test_unknown_words_and_keywords():
    assert p("DIEM TOAM HK1").unknown == ["TOAM"]
    assert p("XYZ") is None and p("") is None and p("!!!") is None
    assert p("?").keyword == "HD" and p("???").keyword == "HD" and p("help").keyword == "HD"


def test_free_text_keeps_the_original_spelling():
    parsed = p("GV Con em xin nghỉ chiều nay ạ")
    assert parsed.keyword == "GV" and parsed.text == "Con em xin nghỉ chiều nay ạ"
    parsed = p("nghi c2: Cháu bị sốt", names=set())
    assert parsed.child == ChildRef(index=2) and parsed.text == "Cháu bị sốt"
    assert p("NGHI").text == ""
    assert p("xin phép: con ốm").keyword == "NGHI" and p("xin phép: con ốm").text == "con ốm"


def test_split_glued():
    assert split_glued("TOANHK1C2") == ("TOAN", "HK1", "C2")
    assert split_glued("TOAN1") == ("TOAN", "1")
    assert split_glued("XYZ") is None


@given(st.text(max_size=300))
def test_parse_never_raises(text):
    parsed = p(text, names={"HOA"}, codes={"HS1"})
    assert parsed is None or parsed.keyword in {k for k, _ in keyword_table().values()}
