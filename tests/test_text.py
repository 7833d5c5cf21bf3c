import pytest

from store.core.text import fold, given_name


@pytest.mark.parametrize("raw, folded", [
    ("ĐIỂM Toán hk1", "DIEM Toan hk1"),
    ("Nguyễn Thị Hoà", "Nguyen Thi Hoa"),
    ("đường", "duong"),
    ("Tiếng Anh", "Tieng Anh"),
    ("Nghỉ học có phép", "Nghi hoc co phep"),
    ("Ưu tiên", "Uu tien"),
    ("plain ASCII 123", "plain ASCII 123"),
])
def test_fold(raw, folded):
    assert fold(raw) == folded


def test_fold_handles_decomposed_input():
    import unicodedata
    assert fold(unicodedata.normalize("NFD", "Điểm Toán")) == "Diem Toan"


def test_given_name():
    assert given_name("Nguyễn Thị Hoa") == "HOA"
    assert given_name("  Trần   Đức  ") == "DUC"
    assert given_name("") == ""


def test_phone_mapping_notes_say_every_change():
    from store.school.phones import mask, modernise, normalise
    assert modernise("1662345678") == ("0362345678", "thêm số 0 ở đầu và đổi đầu số cũ 0166 → 036 "
                                                     "(1662345678 → 0362345678)")
    assert normalise("84912345678", ton=1) == normalise("0912345678") == normalise("912345678") == "+84912345678"
    assert mask("+84912345678") == "09xxxx5678"
