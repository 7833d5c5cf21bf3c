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
