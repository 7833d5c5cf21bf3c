import itertools
import re
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from outbox.states import (
    ALLOWED, FINAL, TLV_MESSAGE_STATE, MessageState as S, ReceiptStat as R, SubmitOutcome as O,
    UnknownReceiptStat, can_move, classify, combine, settle, status_reason,
)

ROOT = Path(__file__).resolve().parent.parent

# The transition table written out row by row, independently of ALLOWED.
EXPECTED = {
    S.queued: {S.sending, S.expired, S.failed, S.submitted, S.ambiguous},
    S.sending: {S.submitted, S.failed, S.ambiguous, S.queued, S.expired},
    S.submitted: {S.delivered, S.undeliverable, S.expired, S.rejected, S.unknown},
    S.unknown: {S.delivered, S.undeliverable, S.expired, S.rejected},
    S.ambiguous: {S.queued, S.submitted, S.failed, S.sending, S.delivered, S.undeliverable, S.expired, S.rejected},
    S.delivered: set(), S.undeliverable: set(), S.expired: set(), S.rejected: set(), S.failed: set(),
}


def test_states_are_exactly_the_schema_check_list():
    schema = (ROOT / "schema.sql").read_text(encoding="utf-8")
    table = schema[schema.index("CREATE TABLE messages"):schema.index("CREATE TABLE message_parts")]
    check = re.search(r"state TEXT NOT NULL DEFAULT 'queued' CHECK \(state IN \((.*?)\)\)", table, re.S)
    assert {s.strip().strip("'") for s in check[1].split(",")} == {s.value for s in S}


@pytest.mark.parametrize("current, new", list(itertools.product(S, S)))
def test_every_cell_of_the_transition_table(current, new):
    assert can_move(current, new) == (new in EXPECTED[current])
    assert can_move(current.value, new.value) == can_move(current, new)


def test_finals_never_move_and_only_finals_are_dead_ends():
    assert FINAL == {S.delivered, S.undeliverable, S.expired, S.rejected, S.failed}
    for state in S:
        assert (not ALLOWED[state]) == (state in FINAL)


def test_every_state_is_reachable_from_queued_and_every_path_ends_in_a_final():
    seen, todo = {S.queued}, [S.queued]
    while todo:
        for nxt in ALLOWED[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(S)
    for state in S:
        assert state in FINAL or any(f in ALLOWED[state] for f in FINAL) or S.queued in ALLOWED[state]


@pytest.mark.parametrize("parts, expected", [
    ([S.delivered], S.delivered),
    ([S.delivered, S.delivered, S.delivered], S.delivered),
    ([S.delivered, S.submitted], S.submitted),
    ([S.delivered, S.unknown], S.unknown),
    ([S.submitted, S.ambiguous], S.ambiguous),
    ([S.queued, S.submitted], S.queued),
    ([S.sending, S.submitted], S.sending),
    ([S.delivered, S.expired], S.expired),
    ([S.expired, S.undeliverable], S.undeliverable),
    ([S.undeliverable, S.rejected], S.rejected),
    ([S.rejected, S.failed, S.delivered], S.failed),
    ([S.submitted, S.undeliverable], S.undeliverable),    # cannot arrive whole any more
    (["delivered", "expired"], S.expired),
])
def test_part_states_combine_into_the_message_state(parts, expected):
    assert combine(parts) == expected


@given(st.lists(st.sampled_from(list(S)), min_size=1, max_size=6))
def test_combine_is_delivered_only_when_every_part_is_and_final_bad_wins(parts):
    result = combine(parts)
    assert (result == S.delivered) == all(p == S.delivered for p in parts)
    bad = [p for p in parts if p in FINAL and p != S.delivered]
    if bad:
        assert result in bad
    assert result in parts


def test_combine_needs_parts():
    with pytest.raises(ValueError):
        combine([])


def test_settle_never_regresses_a_final_message():
    assert settle(S.submitted, [S.delivered, S.delivered]) == S.delivered
    assert settle(S.submitted, [S.delivered, S.submitted]) == S.submitted
    assert settle(S.expired, [S.rejected, S.expired]) == S.expired      # finals stay
    assert settle(S.delivered, [S.delivered, S.unknown]) == S.delivered
    assert settle(S.unknown, [S.delivered, S.delivered]) == S.delivered  # a late receipt counts


@pytest.mark.parametrize("stat, state, final", [
    (R.DELIVRD, S.delivered, True), (R.UNDELIV, S.undeliverable, True), (R.EXPIRED, S.expired, True),
    (R.REJECTD, S.rejected, True), (R.DELETED, S.expired, True), (R.UNKNOWN, S.unknown, False),
    (R.ACCEPTD, None, False), (R.ENROUTE, None, False),
])
def test_receipt_stats_map_to_part_states(stat, state, final):
    assert stat.message_state == state
    assert stat.is_final is final


def test_intermediate_receipts_never_overwrite_a_final_state():
    for final in FINAL:
        for stat in R:
            new = stat.message_state
            assert new is None or not can_move(final, new)


@pytest.mark.parametrize("value, stat", [(1, R.ENROUTE), (2, R.DELIVRD), (3, R.EXPIRED), (4, R.DELETED),
                                         (5, R.UNDELIV), (6, R.ACCEPTD), (7, R.UNKNOWN), (8, R.REJECTD)])
def test_message_state_tlv_values(value, stat):
    assert R.from_tlv(value) is stat
    assert TLV_MESSAGE_STATE[stat] == value


def test_receipt_stat_parsing():
    assert R.parse(" delivrd ") is R.DELIVRD
    assert R.parse(b"DELIVERED") is R.DELIVRD
    assert R.parse("Undeliverable") is R.UNDELIV
    with pytest.raises(UnknownReceiptStat) as exc:
        R.parse("GONE")
    assert exc.value.value == "GONE"
    with pytest.raises(UnknownReceiptStat):
        R.from_tlv(9)


@pytest.mark.parametrize("status, outcome", [
    (0x00, O.ok), (0x58, O.throttled), (0x14, O.throttled),
    (0x08, O.transient), (0x45, O.transient), (0x64, O.transient), (0xFF, O.transient), (0x04, O.transient),
    (0x0B, O.permanent), (0x0A, O.permanent), (0x01, O.permanent), (0x43, O.permanent), (0x104, O.permanent),
    (0x62, O.permanent), (0x66, O.permanent), (0x50, O.permanent),
    (0x401, O.transient), (0x12345, O.transient),          # unknown: retried up to max_attempts
])
def test_submit_statuses_are_classified(status, outcome):
    assert classify(status) is outcome


def test_status_reasons_are_the_stored_text():
    assert status_reason(0x0B) == "0x0000000B ESME_RINVDSTADR invalid destination address"
    assert status_reason(0x58) == "0x00000058 ESME_RTHROTTLED throttling error, message rate exceeded"
    assert status_reason(0x401) == "0x00000401 unknown status (vendor-specific)"
    assert status_reason(0x9999) == "0x00009999 unknown status"
