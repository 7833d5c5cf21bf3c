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
