"""Receipt vs MO, receipt parsing (TLV and text forms), canonical message ids."""
from __future__ import annotations

import pytest

from gateway import Deliver
from gateway.receipts import (DeliverKind, ReceiptParseError, canonical_receipt_id, canonical_submit_id,
                              classify, parse_receipt, parse_text)


def deliver(text: str = "", *, esm: int = 0, dc: int = 0, **tlvs) -> Deliver:
    return Deliver(connection="viettel", bind="viettel/trx-1", source_addr="84912345678", dest_addr="8088",
                   short_message=text.encode("latin-1"), esm_class=esm, data_coding=dc, tlvs=tlvs)


FULL = "id:0001A2 sub:001 dlvrd:001 submit date:2611281930 done date:2611281931 stat:DELIVRD err:000 text:Diem Toan HK1"


@pytest.mark.parametrize("d, kind", [
    (deliver(FULL, esm=0x04), DeliverKind.RECEIPT),
    (deliver("", esm=0x04, receipted_message_id="A1", message_state=2), DeliverKind.RECEIPT),
    (deliver("", esm=0x20, receipted_message_id="A1", message_state=1), DeliverKind.RECEIPT),  # intermediate
    (deliver("ok", esm=0x08), DeliverKind.RECEIPT),                                           # SME ack
    (deliver("", esm=0x00, receipted_message_id="A1"), DeliverKind.RECEIPT),                  # TLV only
    (deliver(FULL, esm=0x00), DeliverKind.RECEIPT),                                           # text only
    (deliver("ID:77 STAT:UNDELIV", esm=0x00), DeliverKind.RECEIPT),
    (deliver("DIEM TOAN HK1"), DeliverKind.MO),
    (deliver("id cua con la gi? stat"), DeliverKind.MO),
    (deliver("GV co cho hoi id:abc"), DeliverKind.MO),
    (deliver("DIEM TOAN", esm=0x40), DeliverKind.MO),                                       # UDHI only: MO
])
def test_classify(d, kind):
    assert classify(d) is kind


def test_tlv_receipt_is_preferred_over_the_text():
    d = deliver("id:999 stat:UNDELIV err:001", esm=0x04, receipted_message_id="0001A2", message_state=2,
                network_error_code=b"\x03\x00\x0b")
    r = parse_receipt(d, "same")
    assert (r.message_id, r.raw_id, r.stat, r.message_state) == ("1a2", "0001A2", "DELIVRD", 2)
    assert r.network_error_code == "03000b" and r.err == "001"
    assert r.is_final and not r.intermediate and r.connection == "viettel"


@pytest.mark.parametrize("text, id_, stat, err", [
    (FULL, "0001A2", "DELIVRD", "000"),
    (FULL.upper(), "0001A2", "DELIVRD", "000"),
    (FULL.lower(), "0001a2", "DELIVRD", "000"),
    ("id:12345 sub:001 dlvrd:000 submit date:2611281930 done date:2611282330 stat:EXPIRED err:", "12345", "EXPIRED", None),
    ("id:12345 sub:001 dlvrd:000 submit date:2611281930 done date:2611282330 stat:UNDELIV", "12345", "UNDELIV", None),
    ("id:12345 stat:DELIVRD", "12345", "DELIVRD", None),
    ("Id: 7788 Stat: Delivered Err: 0", "7788", "DELIVRD", "0"),
    ("id:AB-12 submit_date:2611281930 done_date:2611281931 stat:REJECTED err:0B text:", "AB-12", "REJECTD", "0B"),
    ("id:55 sub:001 dlvrd:001 submit date:26112819", "55", "", None),          # truncated before stat
    ("id:9f sub:1 dlvrd:1 submit date:2611281930 done date:2611281931 stat:ACCEPTD err:000 text:id:1 x", "9f", "ACCEPTD", "000"),
])
def test_text_receipts_are_parsed_leniently(text, id_, stat, err):
    r = parse_receipt(deliver(text, esm=0x04), "same")
    assert (r.raw_id, r.stat, r.err) == (id_, stat, err)


def test_text_fields():
    fields = parse_text(FULL)
    assert fields == {"id": "0001A2", "sub": "001", "dlvrd": "001", "submit_date": "2611281930",
                      "done_date": "2611281931", "stat": "DELIVRD", "err": "000", "text": "Diem Toan HK1"}


def test_intermediate_notifications_are_not_final():
    enroute = parse_receipt(deliver("", esm=0x20, receipted_message_id="5", message_state=1))
    accepted = parse_receipt(deliver("id:5 stat:ACCEPTD", esm=0x04))
    assert enroute.intermediate and not enroute.is_final and enroute.stat == "ENROUTE"
    assert not accepted.is_final
    assert parse_receipt(deliver("id:5 stat:EXPIRED", esm=0x04)).is_final


def test_receipt_without_an_id_is_an_error_with_the_text():
    with pytest.raises(ReceiptParseError) as err:
        parse_receipt(deliver("stat:DELIVRD", esm=0x04))
    assert err.value.text == "stat:DELIVRD" and err.value.connection == "viettel"


@pytest.mark.parametrize("fmt, submit_id, receipt_id", [
    ("same", "0001A2", "1a2"),
    ("same", "1A2", "00001a2"),
    ("same", "000123", "123"),
    ("same", "0", "000"),
    ("same", "9b4c8630-5a12-4d1b", "9b4c8630-5a12-4d1b"),
    ("hex_to_dec", "0001A2", "418"),
    ("hex_to_dec", "1a2", "0000000418"),
    ("hex_to_dec", "FFFFFFFFFF", "1099511627775"),
    ("dec_to_hex", "418", "1A2"),
    ("dec_to_hex", "0000418", "000001a2"),
])
def test_canonical_ids_of_both_sides_match(fmt, submit_id, receipt_id):
    assert canonical_submit_id(submit_id, fmt) == canonical_receipt_id(receipt_id, fmt)


@pytest.mark.parametrize("fmt, submit_id, receipt_id", [
    ("same", "1A2", "1A3"),
    ("same", "msg-A", "msg-a"),          # not a number: case is kept
    ("hex_to_dec", "10", "10"),          # 0x10 is 16, not 10
    ("dec_to_hex", "10", "10"),
])
def test_different_ids_stay_different(fmt, submit_id, receipt_id):
    assert canonical_submit_id(submit_id, fmt) != canonical_receipt_id(receipt_id, fmt)


def test_receipt_ids_are_canonicalised_per_format():
    d = deliver("id:0000000418 stat:DELIVRD", esm=0x04)
    assert parse_receipt(d, "hex_to_dec").message_id == canonical_submit_id("000001A2", "hex_to_dec") == "418"


def test_an_id_in_the_wrong_base_falls_back_to_same():
    assert canonical_receipt_id("00AB", "hex_to_dec") == "ab"
    with pytest.raises(ValueError):
        canonical_submit_id("1", "base64")


def test_the_one_match_reading_of_the_usual_text_form_agrees_with_the_lenient_one():
    import random

    from gateway.receipts import _CANONICAL, parse_text, parse_text_leniently
    rng = random.Random(14)
    DIGITS = "0123456789"
    pieces = ["a", "Z", "0", "9", "_", ":", " ", "-", "\x00", "id:", "stat:", "err:", "text:", "sub:", "é", "."]

    def value(chars, n=6, usual="0123456789abcdef"):
        """Mostly what the field usually holds, else anything from ``chars`` (empty too)."""
        if rng.random() < 0.85:
            return "".join(rng.choice(usual) for _ in range(rng.randint(1, n)))
        return "".join(rng.choice(chars) for _ in range(rng.randint(0, n)))

    canonical = 0
    for _ in range(3000):
        fields = [f"id:{value(pieces)}", f"sub:{value('01a_:', usual=DIGITS)}", f"dlvrd:{value('01x ', usual=DIGITS)}",
                  f"submit date:{value('0123a', 10, DIGITS)}", f"done date:{value('0123 ', 10, DIGITS)}", f"stat:{value('DELIVRDdx_1', usual='DELIVRDUNKNOWNEXPIRED')}",
                  f"err:{value('0a_:', usual=DIGITS)}", f"text:{value(pieces, 20, usual=''.join(pieces))}"]
        if rng.random() < 0.1:
            rng.shuffle(fields)
        text = " ".join(fields)
        canonical += _CANONICAL.match(text) is not None
        assert parse_text(text) == parse_text_leniently(text), text
    assert canonical > 300, "the one-match reading was tried"
