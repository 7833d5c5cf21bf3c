import math
import unicodedata

import pytest
import smpplib.smpp
from hypothesis import given, settings, strategies as st

from outbox import gsm
from outbox.segment import ConcatRefs, SegmentError, count_parts, reassemble, segment

GSM_CHARS = sorted(set(gsm.BASIC) - {"\x1b"})
EXT_CHARS = sorted(gsm.EXTENSION)
# Escapes weighted heavily so cuts often fall next to one.
_gsm_alphabet = st.one_of(st.sampled_from(EXT_CHARS), st.sampled_from(GSM_CHARS))
# Short texts, and long ones that need several parts.
gsm_text = st.one_of(st.text(alphabet=_gsm_alphabet, max_size=170),
                     st.text(alphabet=_gsm_alphabet, min_size=150, max_size=800))
astral = st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF, blacklist_categories=("Cs", "Cn"))
emoji = st.sampled_from(["😀", "👍🏽", "👨‍👩‍👧", "🇻🇳", "𝔸", "Đ", "ể", "e\u0301"])
_unicode_alphabet = st.one_of(st.characters(blacklist_categories=("Cs",)), astral, emoji)
unicode_text = st.one_of(st.lists(_unicode_alphabet, max_size=80).map("".join),
                         st.lists(_unicode_alphabet, min_size=60, max_size=400).map("".join))
modes = st.sampled_from([("udh", False), ("udh", True), ("sar", False), ("sar", True), ("payload", False)])
refs = st.integers(min_value=0, max_value=255)


def udh_of(part):
    data = part.short_message
    return data[:1 + data[0]] if part.esm_class & 0x40 else b""


def body_of(part):
    return part.short_message[len(udh_of(part)):]


def air_octets(part, concat, ref16):
    """Octets on the air: GSM septets are packed, a UDH is padded to a septet boundary."""
    header = len(udh_of(part))
    if concat == "sar" and part.total > 1:
        header = 7 if ref16 else 6          # the header the SMSC will build from the TLVs
    body = body_of(part)
    if part.data_coding == 0:
        return math.ceil((math.ceil(header * 8 / 7) + len(body)) * 7 / 8)
    return header + len(body)


def check_common(parts, text, concat, ref, ref16):
    assert reassemble(parts) == text
    assert [p.seq for p in parts] == list(range(1, len(parts) + 1))
    assert all(p.total == len(parts) for p in parts)
    if concat == "payload" or len(parts) == 1:
        assert len(parts) == 1
        assert parts[0].esm_class == 0 and udh_of(parts[0]) == b""
    for p in parts:
        if concat != "payload":
            assert air_octets(p, concat, ref16) <= 140
        if concat == "udh" and p.total > 1:
            expected = (bytes((6, 8, 4, ref >> 8, ref & 0xFF, p.total, p.seq)) if ref16
                        else bytes((5, 0, 3, ref, p.total, p.seq)))
            assert udh_of(p) == expected and p.esm_class == 0x40 and not p.optional
        if concat == "sar" and p.total > 1:
            assert p.esm_class == 0
            assert p.optional == {"sar_msg_ref_num": ref, "sar_total_segments": p.total, "sar_segment_seqnum": p.seq}


@settings(max_examples=150, deadline=None)
@given(gsm_text, modes, refs)
def test_gsm_parts_reassemble_and_never_split_an_escape(text, mode, ref):
    concat, ref16 = mode
    parts = segment(text, "gsm", concat, ref, ref16)
    check_common(parts, text, concat, ref, ref16)
    assert len(parts) == 1 or count_parts(text, "gsm", ref16) == len(parts)
    for p in parts:
        assert p.data_coding == 0
        body = p.optional.get("message_payload") or body_of(p)
        assert not body.endswith(b"\x1b")
        # each part decodes on its own: no escape pair was cut
        assert gsm.encode(gsm.decode(body)) == body
    if concat == "udh" and len(parts) > 1:
        limit = 152 if ref16 else 153
        assert all(len(body_of(p)) <= limit for p in parts)
        # packed full: a part is short only by the escape that did not fit
        assert all(len(body_of(p)) >= limit - 1 for p in parts[:-1])


@settings(max_examples=150, deadline=None)
@given(unicode_text, modes, refs)
def test_ucs2_parts_reassemble_and_never_split_a_surrogate_pair(text, mode, ref):
    concat, ref16 = mode
    parts = segment(text, "ucs2", concat, ref, ref16)
    check_common(parts, unicodedata.normalize("NFC", text), concat, ref, ref16)
    for p in parts:
        assert p.data_coding == 8
        body = p.optional.get("message_payload") or body_of(p)
        units = [int.from_bytes(body[i:i + 2], "big") for i in range(0, len(body), 2)]
        if units:
            assert not 0xDC00 <= units[0] <= 0xDFFF, "part starts with a low surrogate"
            assert not 0xD800 <= units[-1] <= 0xDBFF, "part ends with a high surrogate"
        body.decode("utf-16-be")            # strict: each part is valid UTF-16 on its own


def test_400_characters_take_3_gsm_parts_and_6_ucs2_parts():
    text = ("Diem TB mon Toan HK1: 8.5. " * 20)[:400]
    assert len(segment(text, "gsm", "udh", 1)) == 3
    assert len(segment(text, "ucs2", "udh", 1)) == 6
    assert count_parts(text, "gsm") == 3 and count_parts(text, "ucs2") == 6


@pytest.mark.parametrize("text, parts", [
    ("a" * 160, 1), ("a" * 161, 2), ("a" * 159 + "€", 2), ("a" * 158 + "€", 1),
    ("a" * 306, 2), ("a" * 307, 3), ("€" * 80, 1), ("€" * 81, 2),
])
def test_gsm_limits(text, parts):
    assert len(segment(text, "gsm", "udh", 9)) == parts


def test_escape_straddling_the_cut_moves_whole_to_the_next_part():
    text = "a" * 152 + "€" + "b" * 10
    first, second = segment(text, "gsm", "udh", 9)
    assert body_of(first) == b"a" * 152
    assert body_of(second) == b"\x1b\x65" + b"b" * 10


def test_surrogate_pair_straddling_the_cut_moves_whole_to_the_next_part():
    text = "a" * 66 + "😀" + "b" * 10
    first, second = segment(text, "ucs2", "udh", 9)
    assert body_of(first).decode("utf-16-be") == "a" * 66
    assert body_of(second).decode("utf-16-be") == "😀" + "b" * 10
    assert len(segment("😀" * 35, "ucs2", "udh", 1)) == 1       # 70 code units
    assert len(segment("😀" * 35 + "a", "ucs2", "udh", 1)) == 2


def test_ucs2_text_is_sent_nfc():
    (part,) = segment("Toa\u0301n", "ucs2", "udh", 1)
    assert part.short_message == "Toán".encode("utf-16-be")


def test_single_part_in_every_mode_has_no_header_and_no_tlvs():
    for concat in ("udh", "sar", "payload"):
        (part,) = segment("DIEM TOAN HK1", "gsm", concat, 5)
        assert part.short_message == b"DIEM TOAN HK1" and part.esm_class == 0 and part.optional == {}


def test_payload_mode_sends_one_pdu_with_the_whole_text():
    (part,) = segment("x" * 400, "gsm", "payload", 5)
    assert part.short_message == b"" and part.optional == {"message_payload": b"x" * 400}
    assert (part.seq, part.total) == (1, 1)


def test_bad_arguments_are_refused():
    with pytest.raises(SegmentError):
        segment("a" * 200, "gsm", "udh", 256)
    with pytest.raises(SegmentError):
        segment("a", "latin1", "udh", 1)
    with pytest.raises(SegmentError):
        segment("a", "gsm", "concat", 1)
    with pytest.raises(SegmentError):
        segment("x" * (67 * 256), "ucs2", "udh", 1)
    with pytest.raises(gsm.GsmEncodeError):
        segment("Điểm", "gsm", "udh", 1)
    segment("a" * 200, "gsm", "udh", 65535, ref16=True)
    segment("a" * 200, "gsm", "sar", 65535)


def test_reassemble_refuses_missing_parts_and_accepts_any_order():
    parts = segment("a" * 400, "gsm", "udh", 3)
    assert reassemble(list(reversed(parts))) == "a" * 400
    with pytest.raises(SegmentError):
        reassemble(parts[:2])


class _Seq:
    """The bit of a client smpplib needs to number a PDU."""

    sequence = 1

    def next_sequence(self):
        return 1


@pytest.mark.parametrize("concat", ["udh", "sar", "payload"])
def test_segments_survive_a_real_smpplib_submit_sm_round_trip(concat):
    text = "Thông báo họp phụ huynh 😀 " * 8
    sent = segment(text, "ucs2", concat, 200)
    received = []
    for part in sent:
        pdu = smpplib.smpp.make_pdu("submit_sm", client=_Seq(), source_addr="8088", destination_addr="84912345678",
                                    short_message=part.short_message, data_coding=part.data_coding,
                                    esm_class=part.esm_class, **part.optional)
        back = smpplib.smpp.parse_pdu(pdu.generate(), client=_Seq())
        optional = {name: getattr(back, name) for name in part.optional}
        received.append(type(part)(part.seq, part.total, back.short_message or b"", back.data_coding,
                                   back.esm_class, optional))
    assert reassemble(received) == unicodedata.normalize("NFC", text)


def test_concat_refs_per_phone_skip_zero_and_expire(redis_server, redis_prefix):
    refs = ConcatRefs(redis_server, redis_prefix)
    assert [refs.next("+84912345678") for _ in range(3)] == [1, 2, 3]
    assert refs.next("+84987654321") == 1
    redis_server.set(f"{redis_prefix}ref:+84912345678", 254)
    assert [refs.next("+84912345678") for _ in range(3)] == [255, 1, 2]
    redis_server.set(f"{redis_prefix}ref:+84912345678", 65534)
    assert [refs.next("+84912345678", ref16=True) for _ in range(2)] == [65535, 1]
    assert 0 < redis_server.ttl(f"{redis_prefix}ref:+84912345678") <= ConcatRefs.TTL
