import pytest
from hypothesis import given, strategies as st

from outbox import gsm


def test_basic_and_extension_round_trip():
    text = "Diem TB: 7.5 {ok} [x] ~ ^ | \\ € @ £ $ _ Ä"
    data = gsm.encode(text)
    assert gsm.decode(data) == text
    assert gsm.septets(text) == len(data)
    assert gsm.septets("€") == 2 and gsm.septets("a") == 1
    assert gsm.encode("@") == b"\x00" and gsm.encode("€") == b"\x1b\x65"


def test_non_gsm_is_refused_with_position():
    with pytest.raises(gsm.GsmEncodeError) as exc:
        gsm.encode("Điểm")
    assert exc.value.position == 0 and exc.value.char == "Đ"
    assert not gsm.is_gsm("Toán") and gsm.is_gsm("Toan")


def test_portable_excludes_characters_that_differ_from_ascii():
    assert gsm.is_portable("DIEM TOAN HK1: TB 7.5 (tam tinh)")
    for ch in "@$_[]{}~^|\\€`":
        assert not gsm.is_portable(ch), ch


def test_decode_never_fails_on_any_byte():
    assert isinstance(gsm.decode(bytes(range(256))), str)
    assert gsm.decode(b"\x1b") == " "


@given(st.text(alphabet=st.sampled_from(sorted(set(gsm.BASIC) - {"\x1b"} | set(gsm.EXTENSION)))))
def test_any_gsm_text_round_trips(text):
    assert gsm.decode(gsm.encode(text)) == text
    assert gsm.septets(text) == len(gsm.encode(text))
