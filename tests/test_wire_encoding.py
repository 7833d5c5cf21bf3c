"""The live path's own PDU codec against smpplib's: the same bytes out, the same fields read back."""
from __future__ import annotations

import random

from smpplib import consts, smpp

from gateway import wire
from outbox.transport import SubmitPart


class _Numbers:
    """A client stand-in handing smpplib one given sequence number."""

    sequence = 0

    def __init__(self, n: int):
        self.n = n

    def next_sequence(self) -> int:
        return self.n


def _smpplib_submit(part: SubmitPart, sequence: int) -> bytes:
    return smpp.make_pdu("submit_sm", client=_Numbers(sequence), **wire.submit_fields(part)).generate()


def test_submit_sm_is_encoded_byte_for_byte_as_smpplib_does():
    rng = random.Random(14)
    for _ in range(500):
        part = SubmitPart(destination_addr=str(rng.randint(10 ** 8, 10 ** 12)), dest_ton=rng.randint(0, 6),
                          dest_npi=rng.randint(0, 18), source_addr=rng.choice(["8088", "SLL", "TRUONG"]),
                          source_ton=rng.randint(0, 6), source_npi=rng.randint(0, 18),
                          short_message=bytes(rng.randrange(256) for _ in range(rng.randint(0, 160))),
                          data_coding=rng.choice([0, 3, 8]), esm_class=rng.choice([0, 0x40]),
                          registered_delivery=rng.choice([0, 1]),
                          validity_period=rng.choice([None, "261201120000000+", "000001000000000R"]))
        sequence = rng.randint(1, 0x7FFFFFFF)
        assert wire.encode_submit_sm(part, sequence) == _smpplib_submit(part, sequence)


def test_a_submit_sm_resp_reads_as_smpplib_reads_it():
    for status, body in [(0, b"00000A1F\0"), (0x58, b""), (0x45, b"\0")]:
        raw = (16 + len(body)).to_bytes(4, "big") + bytes.fromhex("80000004") + status.to_bytes(4, "big") \
            + (77).to_bytes(4, "big") + body
        ours = wire.parse(raw)
        theirs = smpp.parse_pdu(raw, client=wire.ParseOnly(), allow_unknown_opt_params=True)
        assert (ours.command, ours.status, ours.sequence) == (theirs.command, theirs.status, theirs.sequence)
        assert wire.pdu_text(ours.message_id) == wire.pdu_text(getattr(theirs, "message_id", None))


def test_a_deliver_sm_resp_is_the_bytes_smpplib_writes(monkeypatch):
    sent = []
    client = wire.SmppClient("127.0.0.1", 1, 1.0, wire.SequenceGenerator(), "test")
    client.state = consts.SMPP_CLIENT_STATE_BOUND_TRX
    monkeypatch.setattr(client, "send_raw", sent.append)
    client.send_deliver_sm_resp(77, 0x64)
    resp = smpp.make_pdu("deliver_sm_resp", client=_Numbers(1), status=0x64)
    resp.sequence = 77
    assert sent == [resp.generate()]


def test_a_deliver_sm_reads_as_smpplib_reads_it():
    rng = random.Random(15)
    read_here = 0
    for _ in range(400):
        fields = dict(source_addr_ton=rng.randint(0, 6), source_addr_npi=rng.randint(0, 9),
                      source_addr=str(rng.randint(10 ** 8, 10 ** 11)), dest_addr_ton=rng.randint(0, 6),
                      dest_addr_npi=rng.randint(0, 9), destination_addr=rng.choice(["8088", "SLL"]),
                      esm_class=rng.choice([0, 4, 0x40]), protocol_id=rng.randint(0, 3),
                      data_coding=rng.choice([0, 8]), registered_delivery=rng.randint(0, 1),
                      short_message=bytes(rng.randrange(256) for _ in range(rng.randint(0, 160))))
        kind = rng.random()
        if kind < 0.5:      # a receipt's TLVs: read here
            fields.update(receipted_message_id=f"{rng.randint(1, 10 ** 9):X}", message_state=rng.randint(1, 8))
            if rng.random() < 0.5:
                fields.update(network_error_code=bytes((rng.randint(1, 3), 0, rng.randrange(256))))
        elif kind < 0.7:    # any other TLV: smpplib reads it
            fields.update(user_message_reference=rng.randint(1, 60000))
        raw = smpp.make_pdu("deliver_sm", client=_Numbers(rng.randint(1, 2 ** 31 - 1)), **fields).generate()
        theirs = smpp.parse_pdu(raw, client=wire.ParseOnly(), allow_unknown_opt_params=True)
        ours = wire.parse(raw)
        read_here += type(ours) is not type(theirs)
        assert wire.deliver_from_pdu(ours, "c", "b") == wire.deliver_from_pdu(theirs, "c", "b")
    assert read_here > 280, "receipts (with a network_error_code too) and TLV-less texts are read without smpplib"
