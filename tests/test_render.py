import pytest
from hypothesis import given, strategies as st

from outbox import gsm
from outbox.render import budget_chars, fits, make_portable, parts_needed, prepare
from outbox.segment import segment


@pytest.mark.parametrize("text, expected", [
    ("Nguyễn Minh An 8A2 Toán HK1: TX 8 7,5 9; GK 8; CK 7,5; TB 7,9",
     "Nguyen Minh An 8A2 Toan HK1: TX 8 7,5 9; GK 8; CK 7,5; TB 7,9"),
    ("Đặng Thị Hoa 9A1 – Hạnh kiểm HK1: Tốt", "Dang Thi Hoa 9A1 - Hanh kiem HK1: Tot"),
    ("Kết quả HK1 (tạm tính): Khá…", "Ket qua HK1 (tam tinh): Kha..."),
    ("GV nhắn: “Cháu đi học đúng giờ” 👍", 'GV nhan: "Chau di hoc dung gio"'),
    ("Họp phụ huynh 19/10 lúc 7h30 — phòng [A2]", "Hop phu huynh 19/10 luc 7h30 - phong (A2)"),
    ("Xem thêm: sll.edu.vn/p?u=an_8a2 hoặc email gv@truong.edu.vn",
     "Xem them: sll.edu.vn/p?u=an-8a2 hoac email gv(at)truong.edu.vn"),
    ("Học phí 5$ {tháng} ~ 10€ | x^2 \\ ok", "Hoc phi 5USD (thang) - 10EUR / x2 / ok"),
    ("Điểm 9²  ½ ① ﬁnal\u00a0ok\t!", "Diem 92 1/2 1 final ok !"),
    ("Dòng 1  \r\nDòng 2 \n", "Dong 1\nDong 2"),
    ("😀🎉", ""),
])
def test_transliterated_replies_are_portable_gsm(text, expected):
    final, encoding = prepare(text, transliterate=True)
    assert (final, encoding) == (expected, "gsm")


@given(st.text())
def test_any_text_transliterates_to_portable_gsm(text):
    final, encoding = prepare(text, transliterate=True)
    assert encoding == "gsm" and gsm.is_portable(final)
    assert final == make_portable(final)            # idempotent


def test_without_transliteration_diacritics_stay_as_nfc_ucs2():
    final, encoding = prepare("Toa\u0301n HK1: “8,5”", transliterate=False)
    assert (final, encoding) == ('Toán HK1: "8,5"', "ucs2")
    assert prepare("DIEM TOAN HK1: 8.5", transliterate=False) == ("DIEM TOAN HK1: 8.5", "gsm")
    # GSM but not portable: '@' is another byte on an ASCII SMSC, so UCS-2 keeps it exact.
    assert prepare("gv@truong.edu.vn", transliterate=False) == ("gv@truong.edu.vn", "ucs2")
    assert prepare("Chúc mừng 🎉", transliterate=False) == ("Chúc mừng 🎉", "ucs2")


def test_parts_needed_agrees_with_the_segmenter():
    for text, encoding in [("a" * 160, "gsm"), ("a" * 161, "gsm"), ("a" * 400, "gsm"), ("á" * 70, "ucs2"),
                           ("á" * 71, "ucs2"), ("á" * 400, "ucs2"), ("😀" * 40, "ucs2")]:
        assert parts_needed(text, encoding) == len(segment(text, encoding, "udh", 1))


@pytest.mark.parametrize("encoding, max_parts, chars", [("gsm", 1, 160), ("gsm", 3, 459), ("ucs2", 1, 70),
                                                        ("ucs2", 3, 201)])
def test_budget_chars_is_exactly_what_fits(encoding, max_parts, chars):
    assert budget_chars(encoding, max_parts) == chars
    letter = "a" if encoding == "gsm" else "á"
    assert fits(letter * chars, encoding, max_parts)
    assert not fits(letter * (chars + 1), encoding, max_parts)


def test_make_portable_in_one_pass_is_the_step_by_step_result():
    """The one-pass table (outbox.render._ONE_PASS) gives what the separate steps give, byte for byte, on
    random texts mixing Vietnamese (composed and not), marks alone, typography, GSM look-alikes, Hangul
    (NFC joins jamo), emoji and compatibility forms."""
    import random
    import unicodedata

    from outbox.render import _portable_spelling, _tidy, make_portable

    def step_by_step(text: str) -> str:
        return _tidy(_portable_spelling(unicodedata.normalize("NFC", text)))

    vietnamese = "Điểm Toán Tiếng Việt lớp học kỳ ưởng ỹ Ỷ đ Đ ơ Ơ"
    alphabet = (list("abcXYZ019 ;:,.?!'\"()-\n\r\t") + list(vietnamese) + list(unicodedata.normalize("NFD", vietnamese))
                + list("\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b") + list("‘’“”–—…•·\u00a0\u200b\u00ad")
                + list("@$€£_~|\\[]{}^`×÷±§¤") + list("한국\u1100\u1161\u11a8") + ["🎉", "😀", "♥"]
                + list("ﬁ²①Ｋ\u212aΩαßæøłð") + list("中文"))
    rng = random.Random(14)
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
        assert make_portable(text) == step_by_step(text), repr(text)
