"""MO decoding by data_coding, UDH and SAR reassembly."""
from __future__ import annotations

import threading

import pytest

from gateway import Deliver
from gateway.mo import Concat, Reassembler, codec_for, decode_part, split_udh
from outbox import gsm


def deliver(data: bytes = b"", *, dc: int = 0, esm: int = 0, source: str = "84912345678",
            connection: str = "viettel", **tlvs) -> Deliver:
    return Deliver(connection=connection, bind="viettel/trx-1", source_addr=source, dest_addr="8088",
                   short_message=data, source_ton=1, source_npi=1, esm_class=esm, data_coding=dc,
                   tlvs=tlvs)


def text_of(d: Deliver, alphabet: str = "gsm") -> str:
    mo = Reassembler().add(decode_part(d, alphabet))
    return mo.text


@pytest.mark.parametrize("alphabet, data, expected", [
    ("gsm", gsm.encode("DIEM TOAN HK1 @£$"), "DIEM TOAN HK1 @£$"),
    ("gsm", gsm.encode("gia {1} ~ 5€ [a|b] ^\\"), "gia {1} ~ 5€ [a|b] ^\\"),
    ("gsm", b"\x00\x01\x02", "@£$"),                        # GSM 0x00 is '@', not NUL
    ("ascii", b"DIEM @ toan", "DIEM @ toan"),
    ("ascii", b"caf\xe9", "caf\ufffd"),                      # not ASCII: replaced, no crash
    ("latin1", b"caf\xe9 \xa3", "café £"),
])
def test_data_coding_0_follows_the_smsc_default_alphabet(alphabet, data, expected):
    assert text_of(deliver(data, dc=0), alphabet) == expected


@pytest.mark.parametrize("dc, data, expected", [
    (1, b"HD", "HD"),
    (3, b"\xe9t\xe9", "été"),
    (8, "Điểm Toán HK1".encode("utf-16-be"), "Điểm Toán HK1"),
    (8, "cười 😀".encode("utf-16-be"), "cười 😀"),               # surrogate pair
    (8, "ab".encode("utf-16-be") + b"\x00", "ab\ufffd"),         # odd byte count
    (8, b"\xd8\x3d\x00\x41", "\ufffdA"),                         # lone high surrogate
    (0x18, "Xin chào".encode("utf-16-be"), "Xin chào"),          # GSM group 00xx, UCS-2
    (0xF0, gsm.encode("HD"), "HD"),                              # class 0 flash, GSM
])
def test_other_data_codings_decode(dc, data, expected):
    assert text_of(deliver(data, dc=dc)) == expected


@pytest.mark.parametrize("dc", [2, 4, 0xF4, 0x04 | 0x10, 0x24])
def test_binary_data_codings_give_no_text_and_are_flagged(dc):
    mo = Reassembler().add(decode_part(deliver(b"\x01\x02\xff", dc=dc)))
    assert mo.is_binary and mo.text == ""
    assert codec_for(dc) is None


def test_message_payload_tlv_is_read_when_short_message_is_empty():
    d = deliver(b"", dc=8, message_payload="Tin nhắn dài".encode("utf-16-be"))
    assert text_of(d) == "Tin nhắn dài"


def udh8(ref: int, total: int, seq: int) -> bytes:
    return bytes([5, 0x00, 3, ref, total, seq])


def udh16(ref: int, total: int, seq: int) -> bytes:
    return bytes([6, 0x08, 4, ref >> 8, ref & 0xFF, total, seq])


def test_udh_parsing_skips_other_information_elements():
    header = bytes([11, 0x05, 4, 0x0B, 0x84, 0x23, 0xF0, 0x00, 3, 7, 2, 1])   # port IE, then concat
    concat, body = split_udh(header + b"hello")
    assert concat == Concat(7, 2, 1, "udh8") and body == b"hello"
    assert split_udh(bytes([3, 0x05, 4, 1]) + b"x") == (None, b"x")        # truncated IE: no crash
    assert split_udh(udh8(1, 2, 3) + b"x")[0] is None                      # seq beyond total


def gsm_parts(text: str, size: int) -> list[bytes]:
    data = gsm.encode(text)
    return [data[i:i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize("header", [udh8, udh16])
def test_udh_parts_reassemble_in_any_order_with_duplicates(header):
    text = "GV C1 Chau xin phep nghi hoc ngay mai vi bi sot, mong co thong cam {gia dinh} " * 3
    chunks = gsm_parts(text, 70)     # the split even lands inside an escape pair
    total = len(chunks)
    pdus = [deliver(header(300 if header is udh16 else 42, total, i + 1) + c, esm=0x40)
            for i, c in enumerate(chunks)]
    for order in [list(range(total))[::-1], [1, 0, 3, 2] + list(range(4, total))]:
        r = Reassembler()
        results = [r.add(decode_part(pdus[i])) for i in order + [order[0]]]    # plus a duplicate
        done = [m for m in results if m is not None]
        assert len(done) == 1
        assert done[0].text == text and done[0].complete and done[0].parts_received == total
        assert done[0].concat_ref == (300 if header is udh16 else 42)
        assert r.pending() == 0


def test_ucs2_surrogate_pair_split_across_parts_still_reads():
    data = "Con 😀 ngoan".encode("utf-16-be")
    cut = data.index("😀".encode("utf-16-be")) + 2          # between the two surrogates
    r = Reassembler()
    assert r.add(decode_part(deliver(udh8(9, 2, 2) + data[cut:], dc=8, esm=0x40))) is None
    mo = r.add(decode_part(deliver(udh8(9, 2, 1) + data[:cut], dc=8, esm=0x40)))
    assert mo.text == "Con 😀 ngoan"


def test_sar_parts_reassemble():
    parts = [b"NGHI C1 ", b"bi om ", b"sot cao"]
    r = Reassembler()
    out = [r.add(decode_part(deliver(p, sar_msg_ref_num=513, sar_total_segments=3, sar_segment_seqnum=i + 1)))
           for i, p in sorted(enumerate(parts), key=lambda x: -x[0])]
    assert out[:2] == [None, None]
    assert out[2].text == "NGHI C1 bi om sot cao" and out[2].concat_ref == 513


def test_parts_of_different_senders_or_refs_do_not_mix():
    r = Reassembler()
    assert r.add(decode_part(deliver(udh8(1, 2, 1) + b"AB", esm=0x40, source="84911111111"))) is None
    assert r.add(decode_part(deliver(udh8(1, 2, 2) + b"CD", esm=0x40, source="84922222222"))) is None
    assert r.add(decode_part(deliver(udh8(2, 2, 2) + b"EF", esm=0x40, source="84911111111"))) is None
    mo = r.add(decode_part(deliver(udh8(1, 2, 2) + b"GH", esm=0x40, source="84911111111")))
    assert mo.text == "ABGH" and mo.source_addr == "84911111111"
    assert r.pending() == 2


def test_incomplete_message_is_given_up_after_the_timeout_with_what_arrived():
    r = Reassembler(timeout=60, clock=lambda: 0.0)
    r.add(decode_part(deliver(udh8(5, 3, 1) + b"DIEM ", esm=0x40)))
    r.add(decode_part(deliver(udh8(5, 3, 3) + b"HK1", esm=0x40)))
    assert r.expire(30.0) == []
    late = r.expire(61.0)
    assert len(late) == 1
    assert (late[0].text, late[0].complete, late[0].parts_received, late[0].concat_total) == ("DIEM HK1", False, 2, 3)
    assert r.pending() == 0


def test_resent_part_after_completion_is_dropped_but_a_reused_ref_starts_a_new_message():
    r = Reassembler(timeout=60, clock=lambda: 0.0)
    r.add(decode_part(deliver(udh8(7, 2, 1) + b"AB", esm=0x40)))
    assert r.add(decode_part(deliver(udh8(7, 2, 2) + b"CD", esm=0x40))).text == "ABCD"
    assert r.add(decode_part(deliver(udh8(7, 2, 2) + b"CD", esm=0x40))) is None     # SMSC re-sent it
    assert r.pending() == 0
    assert r.add(decode_part(deliver(udh8(7, 2, 1) + b"XY", esm=0x40))) is None     # a new message, same ref
    assert r.add(decode_part(deliver(udh8(7, 2, 2) + b"ZW", esm=0x40))).text == "XYZW"


def test_fingerprint_is_same_source_text_and_reference():
    r = Reassembler()
    a = r.add(decode_part(deliver(b"DIEM TOAN")))
    b = r.add(decode_part(deliver(b"DIEM TOAN")))
    c = r.add(decode_part(deliver(b"DIEM VAN")))
    d = r.add(decode_part(deliver(b"DIEM TOAN", source="84900000000")))
    assert a.fingerprint == b.fingerprint
    assert len({a.fingerprint, c.fingerprint, d.fingerprint}) == 3


def test_reassembler_is_thread_safe():
    r = Reassembler()
    total, senders = 6, 40
    done = []
    lock = threading.Lock()

    def feed(sender: int):
        for seq in range(total, 0, -1):
            mo = r.add(decode_part(deliver(udh8(sender % 256, total, seq) + bytes([65 + seq]), esm=0x40,
                                           source=f"849{sender:08d}")))
            if mo is not None:
                with lock:
                    done.append(mo)

    threads = [threading.Thread(target=feed, args=(s,)) for s in range(senders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(done) == senders and {m.text for m in done} == {"BCDEFG"}
    assert r.pending() == 0
