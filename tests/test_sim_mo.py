"""The SMSC simulator pushing MO messages, and `sim mo` / `sim` from the command line, driven by python-smpplib."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import pytest
import smpplib.consts
import smpplib.exceptions
import smpplib.gsm

from outbox import gsm
from sim import NoReceiverError

from .conftest import ROOT
from .fixtures_sim import SmppEsme, http_json


# -- MO ---------------------------------------------------------------------
def test_mo_in_gsm_from_a_national_number_is_sent_international(smsc_sim, esme_factory):
    esme = esme_factory(smsc_sim)
    reader = esme.background(lambda: esme.mos)
    assert smsc_sim.push_mo("0912345678", "DIEM TOAN HK1 @ 5€") == [0]
    reader.join()
    mo = esme.mos[0]
    assert (mo.source_addr, mo.source_addr_ton, mo.destination_addr) == (b"84912345678", 1, b"8085")
    assert mo.data_coding == 0 and gsm.decode(mo.short_message) == "DIEM TOAN HK1 @ 5€"
    assert mo.short_message == gsm.encode("DIEM TOAN HK1 @ 5€")


def test_mo_with_national_ton_keeps_the_trunk_zero(smsc_sim, esme_factory):
    esme = esme_factory(smsc_sim)
    reader = esme.background(lambda: esme.mos)
    smsc_sim.push_mo("+84912345678", "KQ", source_ton=2)
    reader.join()
    assert (esme.mos[0].source_addr, esme.mos[0].source_addr_ton) == (b"0912345678", 2)


def test_mo_in_ucs2_with_vietnamese_diacritics(smsc_sim, esme_factory):
    esme = esme_factory(smsc_sim)
    text = "Điểm Toán học kỳ 1 của con Nguyễn Văn Ấn"
    reader = esme.background(lambda: esme.mos)
    smsc_sim.push_mo("0912345678", text, data_coding=8)
    reader.join()
    assert esme.mos[0].data_coding == 8
    assert esme.mos[0].short_message.decode("utf-16-be") == text


def _udh_parts(pdus):
    out = []
    for p in pdus:
        assert p.esm_class & 0x40
        udh_len = p.short_message[0]
        udh, body = p.short_message[1:1 + udh_len], p.short_message[1 + udh_len:]
        if udh[0] == 0x00:
            out.append((udh[2], udh[3], udh[4], body))
        else:
            assert udh[0] == 0x08
            out.append((int.from_bytes(udh[2:4], "big"), udh[4], udh[5], body))
    return out


@pytest.mark.parametrize("kind", ["udh8", "udh16", "sar"])
@pytest.mark.parametrize("data_coding", [0, 8])
def test_concatenated_mo_arrives_as_parts(smsc_sim, esme_factory, kind, data_coding):
    esme = esme_factory(smsc_sim)
    text = ("Xin phep cho con nghi hoc ngay mai vi bi sot. " * 5 if data_coding == 0
            else "Xin phép cho con nghỉ học ngày mai vì bị sốt. " * 3)
    pushed = threading.Event()
    reader = esme.background(pushed.is_set)  # reads while push_mo waits for each answer
    statuses = smsc_sim.push_mo("0912345678", text, data_coding=data_coding, concat=kind)
    pushed.set()
    reader.join()
    n = len(statuses)
    assert n >= 2 and statuses == [0] * n and len(esme.mos) == n
    if kind == "sar":
        parts = [(p.sar_msg_ref_num, p.sar_total_segments, p.sar_segment_seqnum, p.short_message) for p in esme.mos]
    else:
        parts = _udh_parts(esme.mos)
    assert {ref for ref, *_ in parts} == {parts[0][0]} and {total for _, total, *_ in parts} == {n}
    assert [seq for _, _, seq, _ in parts] == list(range(1, n + 1))
    body = b"".join(b for *_, b in parts)
    assert (gsm.decode(body) if data_coding == 0 else body.decode("utf-16-be")) == text
    limit = 160 if data_coding == 0 else 140
    assert all(len(p.short_message) <= limit for p in esme.mos)


def test_concatenated_parts_can_come_in_reverse(smsc_sim, esme_factory):
    esme = esme_factory(smsc_sim)
    reader = esme.background(lambda: len(esme.mos) == 3)
    smsc_sim.push_mo("0912345678", "ABCDEFGHIJ", concat="udh8", part_size=4, reverse_parts=True)
    reader.join()
    assert [(seq, body) for _, _, seq, body in _udh_parts(esme.mos)] == [(3, b"IJ"), (2, b"EFGH"), (1, b"ABCD")]


def test_mo_without_a_receiver_raises(smsc_sim, esme_factory):
    esme_factory(smsc_sim, "tx")
    with pytest.raises(NoReceiverError):
        smsc_sim.push_mo("0912345678", "HD")


def test_mo_returns_the_esme_answer(smsc_sim, esme_factory):
    esme = esme_factory(smsc_sim)
    esme.deliver_status = smpplib.consts.SMPP_ESME_RX_T_APPN
    reader = esme.background(lambda: esme.mos)
    assert smsc_sim.push_mo("0912345678", "HD") == [smpplib.consts.SMPP_ESME_RX_T_APPN]
    reader.join()


# -- `sim mo` and `sim` from the command line --------------------------------------------
class EchoEsme:
    """A tiny python-smpplib ESME that answers each MO with a submit_sm (the reply `sim mo` prints)."""

    def __init__(self, sim, reply):
        self.esme = SmppEsme(sim.host, sim.port, "trx", sim.system_id, sim.password)
        self.reply = reply
        self.esme.on_deliver = self._answer
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _answer(self, pdu):
        if pdu.esm_class & 0x04:
            return
        text = self.reply(pdu.short_message.decode("ascii"))
        parts, coding, esm_class = smpplib.gsm.make_parts(text)
        for part in parts:
            self.esme.submit(pdu.source_addr.decode(), part, data_coding=coding, esm_class=esm_class)

    def _run(self):
        try:
            self.esme.pump(self.stop.is_set, timeout=60)
        except (smpplib.exceptions.ConnectionError, AssertionError, OSError):
            pass

    def close(self):
        self.stop.set()
        self.thread.join(5)
        self.esme.close()


@pytest.fixture
def echo_esme():
    made = []

    def make(sim, reply):
        made.append(EchoEsme(sim, reply))
        return made[-1]

    yield make
    for echo in made:
        echo.close()


def test_sim_mo_prints_the_echo_reply(make_sim, echo_esme, cli):
    sim = make_sim(control_port=0)
    echo_esme(sim, lambda text: "ECHO " + text)
    proc = cli("sim", "mo", "0912345678", "DIEM TOAN HK1", "--control", sim.control_url, "--timeout", "10")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ECHO DIEM TOAN HK1"
    assert sim.mos()[0]["source_addr"] == "84912345678"


def test_sim_mo_reassembles_a_long_ucs2_reply(make_sim, echo_esme, cli):
    sim = make_sim(control_port=0)
    long_reply = "Điểm Toán HK1 của Nguyễn Minh An lớp 8A2: TX 8 7,5 9; GK 8; CK 7,5; TB 7,9. Xem thêm tại web."
    echo_esme(sim, lambda text: long_reply)
    proc = cli("sim", "mo", "0912345678", "DIEM TOAN HK1", "--control", sim.control_url)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == long_reply
    assert len(sim.submits("0912345678")) >= 2


def test_sim_mo_without_a_simulator_fails_clearly(cli):
    proc = cli("sim", "mo", "0912345678", "HD", "--control", "http://127.0.0.1:9", "--timeout", "1")
    assert proc.returncode != 0 and "no simulator at http://127.0.0.1:9" in proc.stderr


def test_sim_mo_times_out_when_nobody_replies(make_sim, esme_factory, cli):
    sim = make_sim(control_port=0)
    esme = esme_factory(sim)
    reader = esme.background(lambda: esme.mos)
    proc = cli("sim", "mo", "0912345678", "HD", "--control", sim.control_url, "--timeout", "1")
    reader.join()
    assert proc.returncode != 0 and "no reply within 1 s" in proc.stderr


def test_sim_command_serves_until_sigterm(tmp_path):
    from sim.front import free_port
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(ROOT / "run_gateway.py"), "sim", "--port", str(port),
                             "--system-id", "sll", "--password", "secret", "--control-port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                            env={k: v for k, v in os.environ.items() if not k.startswith("SLL_")})
    try:
        first = proc.stdout.readline()
        assert f"listening on 127.0.0.1:{port}" in first
        control = proc.stdout.readline().split()[2]
        esme = SmppEsme("127.0.0.1", port)
        assert http_json(control + "/binds")["binds"][0]["system_id"] == "sll"
        esme.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "simulator stopped" in out
