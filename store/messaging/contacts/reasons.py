"""A failed message's reason as a school can act on it: what happened and what to do, in Vietnamese.

The SMSC's words ('receipt UNDELIV err:001', '0x0000000B ESME_RINVDSTADR …')
stay beside it for the operator; this is the sentence the school reads.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Advice:
    """What happened, what to do, and whether a corrected number is the likely fix."""

    text: str
    check_number: bool


BAD_NUMBER = Advice("Số không tồn tại — kiểm tra lại số", True)
UNDELIVERED = Advice("Không đến được máy — số có thể sai hoặc đã huỷ; kiểm tra lại số, rồi gửi lại", True)
EXPIRED = Advice("Hết hạn — máy tắt hoặc ngoài vùng phủ sóng quá lâu; gửi lại khi phụ huynh bật máy", False)
REJECTED = Advice("Nhà mạng từ chối — số có thể chặn tin từ đầu số của trường; hỏi phụ huynh hoặc dùng số khác",
                  True)
BUSY = Advice("Nhà mạng đang quá tải — gửi lại sau ít phút", False)
SENDER = Advice("Đầu số gửi của trường bị nhà mạng từ chối — báo bộ phận vận hành", False)
UNKNOWN = Advice("Chưa có báo nhận từ nhà mạng — chưa rõ đã đến hay chưa; chỉ gửi lại nếu phụ huynh báo chưa nhận",
                 False)
OTHER = Advice("Không gửi được — xem lý do của nhà mạng bên cạnh, hoặc báo bộ phận vận hành", False)

# SMPP command_status values (SMPP 3.4 §5.1.3) and receipt stat words, checked in this order.
_BY_WORD = (
    (("RINVDSTADR", "0X0000000B", "INVALID DEST", "UNKNOWN SUBSCRIBER"), BAD_NUMBER),
    (("RINVSRCADR", "0X0000000A"), SENDER),
    (("RTHROTTLED", "0X00000058", "RMSGQFUL", "0X00000014"), BUSY),
    (("EXPIRED",), EXPIRED),
    (("REJECTD", "REJECTED"), REJECTED),
    (("UNDELIV",), UNDELIVERED),
)
_BY_STATE = {"undeliverable": UNDELIVERED, "expired": EXPIRED, "rejected": REJECTED, "unknown": UNKNOWN,
             "ambiguous": UNKNOWN}


def advice(state: str | None, reason: str | None) -> Advice:
    """The school's reading of a failed message's state and the SMSC's reason."""
    words = (reason or "").upper()
    for needles, found in _BY_WORD:
        if any(n in words for n in needles):
            return found
    return _BY_STATE.get(state or "", OTHER)
