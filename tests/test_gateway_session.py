"""Binds against a real SMPP peer: the third-party smpp34 server (tests/smpp_peer.py)."""
from __future__ import annotations

import struct
import threading

import pytest
import smpp34

from gateway.binds import Account
from gateway.mo import Reassembler, decode_part
from gateway import session_states
from gateway.session import ESME_RX_T_APPN, BindType, Session, SessionState
from outbox.transport import SubmitPart, TransportUnavailable
from settings import SmscSettings
from tests.smpp_peer import (DELIVER_SM_RESP, ENQUIRE_LINK, ENQUIRE_LINK_RESP, SUBMIT_SM, UNBIND,
                             UNBIND_RESP, SmppPeer, TapProxy, wait_for)


@pytest.fixture(autouse=True)
def session_moves(monkeypatch):
    """Every state move a bind makes in these scenarios, checked against the table when the test ends."""
    made, move = [], Session._move

    def recording(self, new):
        if new is not self.state:
            made.append((self.state, new))
        move(self, new)

    monkeypatch.setattr(Session, "_move", recording)
    yield made
    assert [m for m in made if not session_states.can_move(*m)] == []


def test_the_session_table_catches_a_forbidden_move(session_moves):
    s = Session(smsc(1), BindType.TRX)
    s._move(SessionState.BOUND)
    assert session_moves == [(SessionState.CLOSED, SessionState.BOUND)]
    assert not session_states.can_move(*session_moves.pop())


def test_every_session_state_is_reachable_and_every_one_can_close():
    seen, todo = {session_states.INITIAL}, [session_states.INITIAL]
    while todo:
        for nxt in session_states.ALLOWED[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(SessionState)
    assert all(SessionState.CLOSED in session_states.ALLOWED[s] for s in SessionState if s is not SessionState.CLOSED)


@pytest.fixture
def peer():
    p = SmppPeer().start()
    yield p
    p.stop()


@pytest.fixture
def tap(peer):
    t = TapProxy(peer.port)
    yield t
    t.close()


def smsc(port: int, **kw) -> SmscSettings:
    values = dict(name="viettel", host="127.0.0.1", port=port, system_id="sll", password="secret",
                  window=10, response_timeout=1, reconnect_max=1, enquire_link_interval=30)
    values.update(kw)
    return SmscSettings(**values)


def part(text: str, dest: str = "84912345678") -> SubmitPart:
    return SubmitPart(destination_addr=dest, dest_ton=1, dest_npi=1, source_addr="8088", source_ton=3,
                      source_npi=0, short_message=text.encode())


def submit_text(frame) -> bytes:
    """short_message of a submit_sm frame the tap recorded, decoded by smpp34."""
    raw = struct.pack(">LLLL", 16 + len(frame.body), SUBMIT_SM, 0, frame.sequence) + frame.body
    return smpp34.decode(raw).short_message


class Results:
    """Collects submit results from the reader threads."""

    def __init__(self):
        self.items: dict = {}
        self.lock = threading.Lock()

    def __call__(self, key, result=None):
        if result is None:          # Session.submit callbacks carry only the result
            return lambda r: self(key, r)
        with self.lock:
            assert key not in self.items, f"second result for {key}"
            self.items[key] = result

    def wait(self, n: int, timeout: float = 10) -> bool:
        return wait_for(lambda: len(self.items) >= n, timeout)


@pytest.fixture
def started():
    """Start sessions/accounts and always close them."""
    opened = []

    def start(obj):
        obj.start()
        opened.append(obj)
        assert obj.wait_bound(10)
        return obj

    yield start
    for obj in opened:
        obj.stop(1) if isinstance(obj, Account) else obj.close(1)


def test_trx_account_binds_and_submits_all_parts_on_one_bind(peer, tap, started):
    account = started(Account(smsc(tap.port, max_binds=2)))
    assert wait_for(lambda: len(peer.esmes) == 2)
    assert all(e.can_receive for e in peer.esmes)
    results = Results()
    account.submit([part("part one"), part("part two")], results)
    assert results.wait(2)
    assert [results.items[i].command_status for i in (0, 1)] == [0, 0]
    ids = [results.items[i].message_id for i in (0, 1)]
    assert all(isinstance(i, str) and len(i) == 8 for i in ids) and ids[0] != ids[1]
    # in order on the wire (smpp34 may hand its own events over in another order)
    assert [submit_text(f) for f in tap.seen("out", SUBMIT_SM)] == [b"part one", b"part two"]
    assert sorted(e.short_message for e in peer.submits) == [b"part one", b"part two"]
    assert len({e.session_id for e in peer.submits}) == 1
    assert account.is_up() and account.status()["binds"][0]["state"] == "bound"


def test_rx_tx_account_submits_on_transmitters_and_receives_on_the_receiver(peer, tap, started):
    got = []
    account = started(Account(smsc(tap.port, bind_mode="rx+tx", max_binds=3), on_deliver=got.append))
    assert [s.bind_type for s in account.sessions] == [BindType.RX, BindType.TX, BindType.TX]
    assert wait_for(lambda: len(peer.esmes) == 3)
    receivers = [e for e in peer.esmes if e.can_receive]
    assert len(receivers) == 1
    results = Results()
    account.submit([part("hello")], results)
    assert results.wait(1) and results.items[0].command_status == 0
    assert peer.submits[0].session_id != receivers[0].session_id
    peer.deliver_nowait(receivers[0], b"DIEM TOAN")
    assert wait_for(lambda: tap.seen("out", DELIVER_SM_RESP))
    assert tap.seen("out", DELIVER_SM_RESP)[0].status == 0
    assert got[0].short_message == b"DIEM TOAN" and got[0].source_addr == "84912345678"
    assert got[0].connection == "viettel" and got[0].bind.endswith("receiver-1")


def test_window_caps_unanswered_submits_and_out_of_order_responses_match(peer, started):
    peer.on_submit = peer.hold
    session = started(Session(smsc(peer.port, window=3, response_timeout=30), BindType.TRX))
    results = Results()
    writer = threading.Thread(target=lambda: [session.submit(part(f"m{i}"), results(f"m{i}")) for i in range(5)])
    writer.start()
    assert wait_for(lambda: len(peer.held) == 3)
    assert not wait_for(lambda: len(peer.held) > 3, timeout=0.5)    # the 4th waits for a slot
    order = [2, 0, 1]
    peer.accept_held(order)
    assert wait_for(lambda: len(peer.held) == 5)
    peer.accept_held([4, 3])
    writer.join(10)
    assert results.wait(5)
    # the peer answered seq by seq in its own order; each result carries its own submit's id
    for i, ev in enumerate(peer.held):
        assert results.items[ev.short_message.decode()].message_id == f"H{i}"
    assert session.free_slots == 3


def test_missing_response_is_ambiguous_after_timeout_and_late_one_is_ignored(peer, started):
    peer.on_submit = peer.hold
    session = started(Session(smsc(peer.port, window=2, response_timeout=1), BindType.TRX))
    results = Results()
    session.submit(part("lost"), results("lost"))
    assert results.wait(1)
    assert results.items["lost"].command_status is None
    assert session.free_slots == 2 and session.counters["timeouts"] == 1
    peer.accept_held([0])
    assert wait_for(lambda: session.counters["late_responses"] == 1)
    assert len(results.items) == 1


def test_peer_drop_makes_pending_ambiguous_then_reconnects_and_submits_again(peer, tap, started):
    peer.on_submit = peer.hold
    session = started(Session(smsc(tap.port, response_timeout=30), BindType.TRX))
    results = Results()
    session.submit(part("a"), results("a"))
    session.submit(part("b"), results("b"))
    assert wait_for(lambda: len(peer.held) == 2)
    tap.drop()
    assert results.wait(2)
    assert [results.items[k].command_status for k in "ab"] == [None, None]
    assert wait_for(lambda: session.state is SessionState.BOUND and session.reconnects == 1)
    assert session.free_slots == session.window
    peer.on_submit = peer.accept
    session.submit(part("c"), results("c"))
    assert results.wait(3) and results.items["c"].command_status == 0


def test_reconnect_backs_off_while_the_smsc_refuses(peer, tap, started):
    session = started(Session(smsc(tap.port), BindType.TRX))
    tap.pause()
    tap.drop()
    assert wait_for(lambda: session.state in (SessionState.RECONNECTING, SessionState.CONNECTING))
    with pytest.raises(Exception) as err:
        session.submit(part("x"), lambda r: None)
    assert type(err.value).__name__ == "SessionUnavailable"
    assert wait_for(lambda: "cannot connect" in (session.last_error or ""))
    tap.resume()
    assert wait_for(lambda: session.state is SessionState.BOUND)
    assert session.reconnects == 1


def test_hung_peer_is_detected_by_enquire_link_and_replaced(peer, tap, started):
    session = started(Session(smsc(tap.port, enquire_link_interval=1, response_timeout=1), BindType.TRX))
    assert wait_for(lambda: tap.seen("in", ENQUIRE_LINK_RESP))       # idle keep-alive answered
    tap.mute = True
    assert wait_for(lambda: "enquire_link" in (session.last_error or ""))
    tap.mute = False
    assert wait_for(lambda: session.state is SessionState.BOUND and session.reconnects == 1)


def test_peer_unbind_is_answered_and_the_bind_comes_back(peer, tap, started):
    session = started(Session(smsc(tap.port), BindType.TRX))
    assert wait_for(lambda: len(peer.esmes) == 1)
    peer.unbind(peer.esmes[0])
    assert wait_for(lambda: tap.seen("out", UNBIND_RESP))
    assert tap.seen("out", UNBIND_RESP)[0].sequence == tap.seen("in", UNBIND)[0].sequence
    assert wait_for(lambda: len(peer.esmes) == 2 and session.state is SessionState.BOUND)
    assert session.reconnects == 1


def test_enquire_link_from_the_peer_is_answered(peer, tap, started):
    session = started(Session(smsc(tap.port), BindType.TRX))
    tap.inject(ENQUIRE_LINK, 0x70000001)
    assert wait_for(lambda: tap.seen("out", ENQUIRE_LINK_RESP))
    resp = tap.seen("out", ENQUIRE_LINK_RESP)[0]
    assert (resp.sequence, resp.status) == (0x70000001, 0)
    assert session.counters["enquire_links_answered"] == 1


@pytest.mark.parametrize("bind_type", [BindType.TX, BindType.TRX])
def test_close_unbinds_cleanly(peer, tap, bind_type):
    session = Session(smsc(tap.port), bind_type)
    session.start()
    assert session.wait_bound(10)
    session.close(2)
    assert session.state is SessionState.CLOSED
    unbind = tap.seen("out", UNBIND)
    assert len(unbind) == 1
    # smpp34 answers an unbind, or (transceivers, and sometimes transmitters) just hangs up
    assert [f.sequence for f in tap.seen("in", UNBIND_RESP)] in ([], [unbind[0].sequence])
    assert wait_for(lambda: len(peer.unbound) == 1)
    assert not session.wait_bound(0.3)      # and it stays down


@pytest.mark.parametrize("reply, clean", [("answer", 1), ("stray", 0)])
def test_close_waits_for_the_unbind_resp_with_its_own_sequence(peer, tap, reply, clean):
    session = Session(smsc(tap.port), BindType.TX)
    session.start()
    assert session.wait_bound(10)
    tap.on_unbind = reply       # a stray unbind_resp and an enquire_link_resp with our seq come first
    session.close(1)
    assert session.counters["clean_unbinds"] == clean
    assert session.state is SessionState.CLOSED


def test_submit_without_a_bound_transmitter_raises_transport_unavailable(peer):
    account = Account(smsc(peer.port))      # never started
    with pytest.raises(TransportUnavailable):
        account.submit([part("x")], lambda i, r: None)


@pytest.mark.parametrize("handler, expected", [
    (lambda d: None, 0),
    (lambda d: 0, 0),
    (lambda d: ESME_RX_T_APPN, ESME_RX_T_APPN),
    (lambda d: 1 / 0, ESME_RX_T_APPN),
])
def test_deliver_sm_resp_status_is_the_handlers_answer(peer, tap, started, handler, expected):
    seen = []

    def on_deliver(deliver):
        seen.append(deliver)
        return handler(deliver)

    started(Session(smsc(tap.port), BindType.TRX, on_deliver=on_deliver))
    assert wait_for(lambda: peer.esmes)
    status = peer.deliver(peer.esmes[0], b"id:1 stat:DELIVRD", esm_class=0x04,
                          tlvs=[smpp34.Tlv(smpp34.TLV_RECEIPTED_MESSAGE_ID, b"00A1\0"),
                                smpp34.Tlv(smpp34.TLV_MESSAGE_STATE, b"\x02")])
    assert status == expected
    assert [f.status for f in tap.seen("out", DELIVER_SM_RESP)] == [expected]
    assert seen[0].esm_class == 0x04
    assert seen[0].tlvs["receipted_message_id"] == "00A1" and seen[0].tlvs["message_state"] == 2


def test_concatenated_ucs2_mo_from_the_peer_is_reassembled(peer, started):
    reassembler = Reassembler()
    whole = []

    def on_deliver(deliver):
        mo = reassembler.add(decode_part(deliver, "gsm"))
        if mo is not None:
            whole.append(mo)

    started(Session(smsc(peer.port), BindType.TRX, on_deliver=on_deliver))
    assert wait_for(lambda: peer.esmes)
    data = "GV C1 cô ơi cháu bị ốm 😷 hôm nay".encode("utf-16-be")
    cut = data.index("😷".encode("utf-16-be")) + 2          # the split lands inside the surrogate pair
    for seq, chunk in ((2, data[cut:]), (1, data[:cut])):
        udh = bytes([5, 0x00, 3, 0x2A, 2, seq])
        assert peer.deliver(peer.esmes[0], udh + chunk, esm_class=0x40, data_coding=8) == 0
    assert [m.text for m in whole] == ["GV C1 cô ơi cháu bị ốm 😷 hôm nay"]
    assert whole[0].source_addr == "84912345678" and whole[0].concat_ref == 0x2A


def test_concurrent_submitters_never_interleave_pdu_bytes(peer, tap, started):
    account = started(Account(smsc(tap.port, window=50, response_timeout=30)))
    results = Results()
    threads, per_thread = 4, 150

    def hammer(t):
        for i in range(per_thread):
            account.submit([part(f"t{t}-{i:03d}-" + "x" * (i % 120))],
                           lambda _index, r, key=(t, i): results(key, r))

    workers = [threading.Thread(target=hammer, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    total = threads * per_thread
    assert results.wait(total, timeout=30)
    assert all(r.command_status == 0 for r in results.items.values())
    assert len({r.message_id for r in results.items.values()}) == total
    frames = tap.seen("out", SUBMIT_SM)
    assert len(frames) == total
    texts = set()
    for f in frames:   # every frame the peer got decodes as one whole submit_sm
        texts.add(submit_text(f))
    expected = {f"t{t}-{i:03d}-".encode() + b"x" * (i % 120) for t in range(threads) for i in range(per_thread)}
    assert texts == expected
    assert {e.short_message for e in peer.submits} == expected
