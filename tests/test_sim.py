"""The SMSC simulator (smpp34 scripted), driven by python-smpplib directly."""
from __future__ import annotations

import re
import urllib.error

import pytest
import smpplib.consts
import smpplib.exceptions
import smpplib.gsm

from sim import Behaviour, SimConfigError
from sim import concat as sim_concat
from sim import receipts as sim_receipts

from .fixtures_sim import SmppEsme, http_json

PHONE = "84912345678"
RECEIPT_RE = re.compile(r"id:(\S+) sub:001 dlvrd:(\d{3}) submit date:\d{10} done date:\d{10} "
                        r"stat:(\w+) err:(\d{3}) text:(.*)")


def text_receipt(pdu) -> dict:
    m = RECEIPT_RE.fullmatch(pdu.short_message.decode("ascii"))
    assert m, pdu.short_message
    return {"id": m[1], "dlvrd": m[2], "stat": m[3], "err": m[4], "text": m[5]}


# -- binds ----------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["tx", "rx", "trx"])
def test_binds_of_each_kind_are_accepted_and_listed(smsc_sim, esme_factory, kind):
    esme_factory(smsc_sim, kind)
    binds = smsc_sim.binds()
    assert [(b["system_id"], b["bind"], b["can_receive"]) for b in binds] == [("sll", kind, kind != "tx")]


@pytest.mark.parametrize("system_id,password,status", [
    ("sll", "wrong", smpplib.consts.SMPP_ESME_RINVPASWD),
    ("other", "secret", smpplib.consts.SMPP_ESME_RINVSYSID)])
def test_bind_with_wrong_credentials_is_refused(smsc_sim, system_id, password, status):
    with pytest.raises(smpplib.exceptions.PDUError) as e:
        SmppEsme(smsc_sim.host, smsc_sim.port, "trx", system_id, password)
    assert e.value.args[1] == status
    assert smsc_sim.binds() == []
    assert smsc_sim.stats()["binds_refused"] == 1


def test_max_binds_refuses_one_bind_too_many(make_sim, esme_factory):
    sim = make_sim(max_binds=1)
    esme_factory(sim)
    with pytest.raises(smpplib.exceptions.PDUError) as e:
        esme_factory(sim)
    assert e.value.args[1] == smpplib.consts.SMPP_ESME_RBINDFAIL


# -- submit and receipts ------------------------------------------------------------
@pytest.mark.parametrize("form", ["both", "text", "tlv"])
def test_submit_gets_an_id_and_a_receipt(make_sim, esme_factory, form):
    sim = make_sim(receipt_form=form)
    esme = esme_factory(sim)
    seq = esme.submit(PHONE, b"Diem Toan HK1: 8.5", validity_period="000001000000R")
    esme.pump(lambda: esme.receipts)
    resp = esme.responses[seq]
    assert resp.status == 0 and re.fullmatch(rb"[0-9A-F]+", resp.message_id)
    receipt = esme.receipts[0]
    assert receipt.source_addr == PHONE.encode() and receipt.destination_addr == b"8085"
    if form in ("both", "tlv"):
        assert receipt.receipted_message_id == resp.message_id
        assert receipt.message_state == 2  # DELIVERED
        assert receipt.network_error_code == b"\x03\x00\x00"
    else:
        assert getattr(receipt, "receipted_message_id", None) is None
    if form in ("both", "text"):
        parsed = text_receipt(receipt)
        assert (parsed["id"], parsed["stat"], parsed["err"], parsed["dlvrd"]) == (
            resp.message_id.decode(), "DELIVRD", "000", "001")
        assert parsed["text"] == "Diem Toan HK1: 8.5"
    else:
        assert receipt.short_message == b""
    record = sim.submits(PHONE)[0]
    assert record["validity_period"] == "000001000000R"
    assert record["message_id"] == resp.message_id.decode() and record["text"] == "Diem Toan HK1: 8.5"


def test_decimal_ids_with_leading_zeros(make_sim, esme_factory):
    sim = make_sim(id_format="dec", id_width=12, id_start=4711)
    esme = esme_factory(sim)
    seq = esme.submit()
    esme.pump(lambda: esme.receipts)
    assert esme.responses[seq].message_id == b"000000004711"
    assert esme.receipts[0].receipted_message_id == b"000000004711"


def test_hex_in_the_response_decimal_in_the_receipt(make_sim, esme_factory):
    sim = make_sim(id_format="hex", receipt_id_format="dec", id_start=0x2A3B0000)
    esme = esme_factory(sim)
    seq = esme.submit()
    esme.pump(lambda: esme.receipts)
    hex_id = esme.responses[seq].message_id.decode()
    assert hex_id == "2A3B0000"
    assert esme.receipts[0].receipted_message_id.decode() == str(int(hex_id, 16))
    assert text_receipt(esme.receipts[0])["id"] == str(int(hex_id, 16))


def test_intermediate_receipts_then_final_and_duplicates(make_sim, esme_factory):
    sim = make_sim(intermediate=("ACCEPTD", "ENROUTE"), receipt_copies=2)
    esme = esme_factory(sim)
    esme.submit()
    esme.pump(lambda: len(esme.receipts) == 4)
    assert [text_receipt(r)["stat"] for r in esme.receipts] == ["ACCEPTD", "ENROUTE", "DELIVRD", "DELIVRD"]
    assert [r.message_state for r in esme.receipts] == [6, 1, 2, 2]
    assert len({r.receipted_message_id for r in esme.receipts}) == 1


def test_out_of_order_receipts_put_the_final_state_first(make_sim, esme_factory):
    sim = make_sim(intermediate=("ENROUTE",), out_of_order=2)
    esme = esme_factory(sim)
    esme.submit()
    esme.pump(lambda: len(esme.receipts) == 2)
    assert [text_receipt(r)["stat"] for r in esme.receipts] == ["DELIVRD", "ENROUTE"]


def test_one_destination_can_be_made_to_fail(make_sim, esme_factory):
    sim = make_sim(final_state_by_dest={"0987654321": "UNDELIV"})
    esme = esme_factory(sim)
    esme.submit("84912345678")
    esme.submit("84987654321")
    esme.pump(lambda: len(esme.receipts) == 2)
    by_dest = {r.source_addr.decode(): r for r in esme.receipts}
    assert text_receipt(by_dest["84912345678"])["stat"] == "DELIVRD"
    failed = by_dest["84987654321"]
    assert (text_receipt(failed)["stat"], text_receipt(failed)["err"], failed.message_state) == ("UNDELIV", "001", 5)
    assert failed.network_error_code == b"\x03\x00\x01"


def test_registered_delivery_decides_whether_a_receipt_comes(make_sim, esme_factory):
    sim = make_sim(final_state_by_dest={"84900000002": "EXPIRED"})
    esme = esme_factory(sim)
    esme.submit("84900000000", registered_delivery=0)
    esme.submit("84900000001", registered_delivery=2)  # failures only; this one is delivered
    esme.submit("84900000002", registered_delivery=2)
    esme.submit("84900000003", registered_delivery=1)
    esme.pump(lambda: len(esme.receipts) == 2)
    esme.pump(lambda: sim.stats().get("receipts_sent") == 2)
    assert sorted(r.source_addr for r in esme.receipts) == [b"84900000002", b"84900000003"]


def test_receipt_can_come_before_the_submit_response(make_sim, esme_factory):
    sim = make_sim(receipt_before_resp=True)
    esme = esme_factory(sim)
    esme.submit()
    esme.pump(lambda: esme.receipts and esme.responses)
    assert [kind for kind, _ in esme.order] == ["deliver", "resp"]


def test_receipt_goes_to_a_receiver_bind_not_the_transmitter(make_sim, esme_factory):
    sim = make_sim()
    tx = esme_factory(sim, "tx")
    rx = esme_factory(sim, "rx")
    seq = tx.submit()
    tx.pump(lambda: seq in tx.responses)
    rx.pump(lambda: rx.receipts)
    assert rx.receipts[0].receipted_message_id == tx.responses[seq].message_id


def test_round_robin_spreads_receipts_over_the_receivers(make_sim, esme_factory):
    sim = make_sim(receipt_routing="round_robin")
    trx = esme_factory(sim, "trx")
    rx = esme_factory(sim, "rx")
    for _ in range(4):
        trx.submit()
    trx.pump(lambda: len(trx.responses) == 4)
    trx.pump(lambda: len(trx.receipts) == 2)
    rx.pump(lambda: len(rx.receipts) == 2)


def test_receipt_waits_for_a_receiver_to_bind(make_sim, esme_factory):
    sim = make_sim(receipt_retry_delay=0.05)
    tx = esme_factory(sim, "tx")
    seq = tx.submit()
    tx.pump(lambda: seq in tx.responses)
    rx = esme_factory(sim, "rx")
    rx.pump(lambda: rx.receipts)
    assert rx.receipts[0].receipted_message_id == tx.responses[seq].message_id


def test_a_refused_receipt_is_sent_again(make_sim, esme_factory):
    sim = make_sim(receipt_retry_delay=0.05)
    esme = esme_factory(sim)
    esme.deliver_status = smpplib.consts.SMPP_ESME_RX_T_APPN
    esme.on_deliver = lambda pdu: setattr(esme, "deliver_status", None)  # accept the next try
    esme.submit()
    esme.pump(lambda: len(sim.receipts()) == 2)
    assert len(esme.receipts) == 2
    assert [r["status"] for r in sim.receipts()] == [smpplib.consts.SMPP_ESME_RX_T_APPN, 0]


# -- refusals --------------------------------------------------------------------
def test_throttling_above_the_configured_rate(make_sim, esme_factory):
    sim = make_sim(tps=3)
    esme = esme_factory(sim)
    seqs = [esme.submit(registered_delivery=0) for _ in range(10)]
    esme.pump(lambda: len(esme.responses) == 10)
    statuses = [esme.responses[s].status for s in seqs]
    # smpp34 hands submits over in its own order: the simulator's order decides who is first.
    assert [r["status"] for r in sim.submits()][:3] == [0, 0, 0]
    assert smpplib.consts.SMPP_ESME_RTHROTTLED in statuses
    assert set(statuses) <= {0, smpplib.consts.SMPP_ESME_RTHROTTLED}
    assert sim.stats()["throttled"] == statuses.count(smpplib.consts.SMPP_ESME_RTHROTTLED)


def test_queue_full_at_random_is_reproducible_with_a_seed(make_sim, esme_factory):
    patterns = []
    for _ in range(2):
        sim = make_sim(queue_full_probability=0.4, seed=7)
        esme = esme_factory(sim)
        seqs = [esme.submit(registered_delivery=0) for _ in range(30)]
        esme.pump(lambda: len(esme.responses) == 30)
        # smpp34 may hand submits over out of order: compare per submit order seen by the simulator.
        patterns.append([r["status"] for r in sim.submits()])
        assert {esme.responses[s].status for s in seqs} == {0, smpplib.consts.SMPP_ESME_RMSGQFUL}
    assert patterns[0] == patterns[1]


def test_submit_status_by_destination(make_sim, esme_factory):
    sim = make_sim(submit_status_by_dest={"0900000000": smpplib.consts.SMPP_ESME_RINVDSTADR})
    esme = esme_factory(sim)
    seq = esme.submit("84900000000")
    esme.pump(lambda: seq in esme.responses)
    assert esme.responses[seq].status == smpplib.consts.SMPP_ESME_RINVDSTADR


def test_drop_connections_and_refuse_binds_for_a_while(make_sim, esme_factory):
    sim = make_sim()
    esme = esme_factory(sim)
    assert sim.drop_connections(refuse_for=0.3) == 1
    with pytest.raises(smpplib.exceptions.ConnectionError):
        esme.pump(lambda: False)
    assert sim.binds() == []
    refused = 0
    while True:   # refused during the window, accepted again after it
        try:
            esme_factory(sim)
            break
        except smpplib.exceptions.PDUError as e:
            assert e.args[1] == smpplib.consts.SMPP_ESME_RBINDFAIL
            refused += 1
    assert refused >= 1 and len(sim.binds()) == 1


def test_configure_at_run_time(smsc_sim, esme_factory):
    esme = esme_factory(smsc_sim)
    smsc_sim.configure(final_state="REJECTD")
    esme.submit()
    esme.pump(lambda: esme.receipts)
    assert text_receipt(esme.receipts[0])["stat"] == "REJECTD"
    with pytest.raises(SimConfigError) as e:
        smsc_sim.configure(final_state="LOST")
    assert e.value.key == "final_state"
    with pytest.raises(SimConfigError):
        smsc_sim.configure(no_such_setting=1)


# -- logs --------------------------------------------------------------------
def test_every_received_pdu_is_logged(smsc_sim, esme_factory):
    esme = esme_factory(smsc_sim)
    seq = esme.submit()
    esme.pump(lambda: esme.receipts)
    esme.client.send_pdu(smpplib.smpp.make_pdu("enquire_link", client=esme.client))
    reader = esme.background(lambda: esme.mos)
    smsc_sim.push_mo("0912345678", "HD")  # answered with a deliver_sm_resp
    reader.join()
    commands = [e["command"] for e in smsc_sim.pdu_log()]
    assert commands[:2] == ["bind_transceiver", "submit_sm"]
    assert "enquire_link" in commands and commands.count("deliver_sm_resp") >= 1
    submit = [e for e in smsc_sim.pdu_log() if e["command"] == "submit_sm"][0]
    assert submit["sequence"] == seq and submit["system_id"] == "sll"


def test_submit_records_decode_concatenated_ucs2(smsc_sim, esme_factory):
    esme = esme_factory(smsc_sim)
    text = "Thông báo: họp phụ huynh lớp 8A2 lúc 7 giờ 30 sáng Chủ nhật, ngày 15 tháng 12. Kính mời quý phụ huynh."
    parts, coding, esm_class = smpplib.gsm.make_parts(text)
    assert len(parts) >= 2
    for part in parts:
        esme.submit(PHONE, part, data_coding=coding, esm_class=esm_class)
    records = smsc_sim.wait_for_submits("0912345678", len(parts), timeout=5)
    assert {r["concat"]["total"] for r in records} == {len(parts)}
    assert sim_concat.reassemble(records) == [text]


# -- HTTP control API ----------------------------------------------------------------
def test_http_control_api(make_sim, esme_factory):
    sim = make_sim(control_port=0)
    base = sim.control_url
    esme = esme_factory(sim)
    reader = esme.background(lambda: esme.mos)
    assert http_json(base + "/mo", {"phone": "0912345678", "text": "DIEM TOAN HK1"})["statuses"] == [0]
    reader.join()
    assert esme.mos[0].short_message == b"DIEM TOAN HK1"
    esme.submit(PHONE, b"Toan HK1: 8.5")
    got = http_json(base + "/submits?dest=0912345678&count=1&timeout=5")["submits"]
    assert got[0]["text"] == "Toan HK1: 8.5" and got[0]["short_message"] == b"Toan HK1: 8.5".hex()
    assert http_json(base + "/binds")["binds"][0]["bind"] == "trx"
    assert http_json(base + "/config", {"tps": 7})["tps"] == 7 and sim.behaviour.tps == 7
    stats = http_json(base + "/stats")
    assert stats["submits"] == 1 and stats["mo_parts"] == 1
    assert http_json(base + "/drop", {"refuse_for": 0}) == {"dropped": 1}
    with pytest.raises(urllib.error.HTTPError) as e:
        http_json(base + "/mo", {"phone": "0912345678", "text": "HD"})
    assert e.value.code == 409
    with pytest.raises(urllib.error.HTTPError) as e:
        http_json(base + "/config", {"final_state": "LOST"})
    assert e.value.code == 400


# -- units -----------------------------------------------------------------------
def test_receipt_text_format():
    from datetime import datetime
    when = datetime(2025, 1, 2, 3, 4)
    assert sim_receipts.receipt_text("0A1B", "UNDELIV", 1, when, when, "x" * 30) == (
        "id:0A1B sub:001 dlvrd:000 submit date:2501020304 done date:2501020304 stat:UNDELIV err:001 "
        "text:" + "x" * 20)


def test_parts_never_split_an_escape_or_a_surrogate_pair():
    assert sim_concat.chunks("ab€", 0, 3) == [b"ab", b"\x1b\x65"]
    assert sim_concat.chunks("a😀", 8, 4) == [b"\x00a", "😀".encode("utf-16-be")]


def test_behaviour_validation():
    with pytest.raises(SimConfigError) as e:
        Behaviour(queue_full_probability=2)
    assert e.value.key == "queue_full_probability"
    assert Behaviour(final_state_by_dest={"0912345678": "EXPIRED"}).final_state_for("+84912345678").value == "EXPIRED"
