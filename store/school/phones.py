"""Phone numbers: E.164 normalisation, the 2018 prefix change, masking."""
from __future__ import annotations

import functools
import re

import phonenumbers

# Vietnam moved 11-digit mobile numbers to 10 digits in 2018 (016x -> 03x, ...).
OLD_PREFIXES = {
    "0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036",
    "0167": "037", "0168": "038", "0169": "039",                    # Viettel
    "0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078",  # MobiFone
    "0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082",  # VinaPhone
    "0186": "056", "0188": "058",                                   # Vietnamobile
    "0199": "059",                                                  # Gmobile
}

TON_INTERNATIONAL = 1
TON_NATIONAL = 2


class PhoneError(ValueError):
    """Not a usable Vietnamese mobile number; ``raw`` is what was given, ``reason`` why (Vietnamese where a
    school reads it: an import's row, a corrected number; the MO sender checks are for the log)."""

    def __init__(self, raw: str, reason: str):
        self.raw = raw
        self.reason = reason
        super().__init__(f"{raw!r}: {reason}")


def _digits(raw: str) -> str:
    return re.sub(r"[\s.\-()]", "", str(raw))


def modernise(raw: str) -> tuple[str, str | None]:
    """Map a national number to today's form; returns (number, note or None).

    Handles a lost leading 0 (spreadsheets eat it: 912345678) and the
    pre-2018 11-digit prefixes (01662345678 -> 0362345678).
    """
    d = _digits(raw)
    if d.startswith("+84"):
        d = "0" + d[3:]
    elif d.startswith("84") and len(d) in (11, 12):
        d = "0" + d[2:]
    note = None
    if re.fullmatch(r"[1-9]\d{8,9}", d):
        d = "0" + d
        note = f"thêm số 0 ở đầu ({raw} → {d})"
    if len(d) == 11 and d[:4] in OLD_PREFIXES:
        new = OLD_PREFIXES[d[:4]] + d[4:]
        lost_zero = "thêm số 0 ở đầu và " if note else ""
        note = f"{lost_zero}đổi đầu số cũ {d[:4]} → {OLD_PREFIXES[d[:4]]} ({raw} → {new})"
        d = new
    return d, note


_E164_VN_MOBILE = re.compile(r"\+84[35789]\d{8}")


def normalise(raw: str, ton: int | None = None) -> str:
    """The E.164 form (+84...) of a Vietnamese mobile number, or PhoneError.

    ``ton`` is the SMPP type of number of an MO source: international digits
    carry the country code without '+', national ones do not.
    """
    if raw is None or not str(raw).strip():
        raise PhoneError(str(raw), "trống")
    if isinstance(raw, str) and _E164_VN_MOBILE.fullmatch(raw):
        return _valid_e164(raw)
    d = _digits(str(raw))
    if ton == TON_INTERNATIONAL and not d.startswith("+"):
        d = "+" + d
    elif ton == TON_NATIONAL and not d.startswith("0"):
        d = "0" + d
    if not d.startswith("+"):
        d, _ = modernise(d)
    try:
        num = phonenumbers.parse(d, "VN")
    except phonenumbers.NumberParseException as e:
        raise PhoneError(str(raw), "không phải số điện thoại") from e
    if not phonenumbers.is_valid_number(num):
        raise PhoneError(str(raw), "không phải số hợp lệ")
    if num.country_code == 84 and phonenumbers.number_type(num) not in (
            phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise PhoneError(str(raw), "không phải số di động")
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


_MSISDN = re.compile(r"\+?[0-9]{6,15}")
_NATIONAL = re.compile(r"0[1-9][0-9]{8,9}|84[1-9][0-9]{8,9}|\+84[1-9][0-9]{8,9}")


def from_mo(source_addr: str, ton: int | None) -> str:
    """The E.164 number of an MO's sender, or PhoneError when the sender is no phone that can be a guardian.

    Only numeric MSISDNs identify a guardian: TON 1 (international) or 2 (national), or TON 0 (unknown)
    in a Vietnamese pattern. An alphanumeric sender (TON 5), a ``tel:`` prefix or full-width digits
    are refused here, though phonenumbers would read them. Remembered per sender (a pure function of its
    arguments, on the journal thread's path for every MO): a parent texts from the same number again.
    """
    phone, reason = _from_mo(source_addr, ton)
    if reason is not None:
        raise PhoneError(source_addr, reason)
    return phone


@functools.lru_cache(maxsize=65536)
def _from_mo(source_addr: str, ton: int | None) -> tuple[str | None, str | None]:
    """from_mo's (number, None) or (None, why not)."""
    try:
        return _read_mo_sender(source_addr, ton), None
    except PhoneError as e:
        return None, e.reason


def _read_mo_sender(source_addr: str, ton: int | None) -> str:
    if ton not in (0, TON_INTERNATIONAL, TON_NATIONAL):
        raise PhoneError(source_addr, f"not a numeric sender (TON {ton})")
    if not _MSISDN.fullmatch(source_addr or ""):
        raise PhoneError(source_addr, "not a numeric MSISDN")
    if ton == 0 and not _NATIONAL.fullmatch(source_addr):
        raise PhoneError(source_addr, "TON 0 without a Vietnamese number pattern")
    return normalise(source_addr, ton or None)


@functools.lru_cache(maxsize=65536)
def _valid_e164(e164: str) -> str:
    """An already-normalised number (what the inbox stores) checked once, then remembered."""
    num = phonenumbers.parse(e164, "VN")
    if not phonenumbers.is_valid_number(num) or phonenumbers.number_type(num) not in (
            phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise PhoneError(e164, "không phải số di động hợp lệ")
    return e164


def national(e164: str) -> str:
    """+84912345678 -> 0912345678."""
    return "0" + e164[3:] if e164.startswith("+84") else e164.lstrip("+")


def international(e164: str) -> str:
    """+84912345678 -> 84912345678 (SMPP TON 1 digits)."""
    return e164.lstrip("+")


def mask(phone: str | None) -> str:
    """For logs: 0912345678 / +84912345678 -> 09xxxx5678."""
    if not phone:
        return "-"
    n = national(phone) if phone.startswith("+") else phone
    if len(n) < 7:
        return "x" * len(n)
    return n[:2] + "x" * (len(n) - 6) + n[-4:]
