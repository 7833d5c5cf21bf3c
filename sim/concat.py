"""Message bodies: encode MO texts into parts, decode and reassemble MT parts.

Concatenation comes in three forms: an 8-bit reference UDH (IEI 0x00), a
16-bit reference UDH (IEI 0x08) and the SAR TLVs. Parts are cut on
character boundaries, so a GSM escape pair or a UTF-16 surrogate pair is
never split.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from outbox import gsm

DC_DEFAULT = 0
DC_LATIN1 = 3
DC_UCS2 = 8
ESM_UDHI = 0x40

TLV_SAR_MSG_REF_NUM = 0x020C
TLV_SAR_TOTAL_SEGMENTS = 0x020E
TLV_SAR_SEGMENT_SEQNUM = 0x020F
TLV_MESSAGE_PAYLOAD = 0x0424

CONCAT_KINDS = ("udh8", "udh16", "sar")
UDH_LEN = {"udh8": 6, "udh16": 7, "sar": 0}


class EncodeError(ValueError):
    """``text`` cannot be sent with ``data_coding``; ``reason`` says why."""

    def __init__(self, text: str, data_coding: int, reason: str):
        self.text = text
        self.data_coding = data_coding
        self.reason = reason
        super().__init__(f"cannot encode with data_coding {data_coding}: {reason}")


@dataclass
class Part:
    """One deliver_sm's body: short_message bytes plus its TLVs (tag, value)."""

    short_message: bytes
    esm_class: int = 0
    tlvs: list[tuple[int, bytes]] = field(default_factory=list)


def _char_bytes(ch: str, data_coding: int) -> bytes:
    if data_coding == DC_DEFAULT:
        return gsm.encode(ch)
    if data_coding == DC_UCS2:
        return ch.encode("utf-16-be")
    if data_coding == DC_LATIN1:
        return ch.encode("latin-1")
    return ch.encode("ascii")


def encode(text: str, data_coding: int) -> bytes:
    """``text`` as short_message bytes for ``data_coding`` (0 GSM unpacked, 3 Latin-1, 8 UCS-2, else ASCII)."""
    try:
        return b"".join(_char_bytes(ch, data_coding) for ch in text)
    except (gsm.GsmEncodeError, UnicodeEncodeError) as e:
        raise EncodeError(text, data_coding, str(e)) from e


def chunks(text: str, data_coding: int, size: int) -> list[bytes]:
    """Encode ``text`` in pieces of at most ``size`` bytes, cut between characters."""
    out, current = [], b""
    for ch in text:
        try:
            b = _char_bytes(ch, data_coding)
        except (gsm.GsmEncodeError, UnicodeEncodeError) as e:
            raise EncodeError(text, data_coding, str(e)) from e
        if current and len(current) + len(b) > size:
            out.append(current)
            current = b""
        current += b
    if current or not out:
        out.append(current)
    return out


def single_limit(data_coding: int) -> int:
    """Bytes of one unconcatenated part: 160 septets, or 140 octets."""
    return 160 if data_coding in (DC_DEFAULT,) else 140


def part_limit(data_coding: int, concat: str) -> int:
    """Bytes of body per concatenated part, header excluded (GSM counts unpacked septets)."""
    if data_coding == DC_DEFAULT:
        # 140 octets hold 160 septets; the UDH's octets cost ceil(8n/7) septets.
        return 160 - (-(-UDH_LEN[concat] * 8 // 7))
    size = 140 - UDH_LEN[concat]
    return size - size % 2 if data_coding == DC_UCS2 else size


def build_parts(bodies: list[bytes], concat: str | None, ref: int) -> list[Part]:
    """Wrap body pieces into Parts carrying concatenation info of kind ``concat``."""
    if concat is None:
        return [Part(b) for b in bodies]
    total = len(bodies)
    parts = []
    for i, body in enumerate(bodies, start=1):
        if concat == "udh8":
            parts.append(Part(bytes((5, 0x00, 3, ref & 0xFF, total, i)) + body, ESM_UDHI))
        elif concat == "udh16":
            parts.append(Part(bytes((6, 0x08, 4, (ref >> 8) & 0xFF, ref & 0xFF, total, i)) + body, ESM_UDHI))
        elif concat == "sar":
            parts.append(Part(body, 0, [(TLV_SAR_MSG_REF_NUM, (ref & 0xFFFF).to_bytes(2, "big")),
                                        (TLV_SAR_TOTAL_SEGMENTS, bytes((total,))),
                                        (TLV_SAR_SEGMENT_SEQNUM, bytes((i,)))]))
        else:
            raise ValueError(f"unknown concat kind {concat!r}; use one of {CONCAT_KINDS}")
    return parts


@dataclass(frozen=True)
class ConcatInfo:
    """Where a part belongs: reference, total parts, this part's number (1-based)."""

    ref: int
    total: int
    seq: int
    kind: str


def split_udh(short_message: bytes, esm_class: int) -> tuple[bytes, ConcatInfo | None]:
    """(body without UDH, concatenation info from the UDH or None)."""
    if not esm_class & ESM_UDHI or not short_message:
        return short_message, None
    udhl = short_message[0]
    udh, body = short_message[1:1 + udhl], short_message[1 + udhl:]
    info, i = None, 0
    while i + 2 <= len(udh):
        iei, ielen = udh[i], udh[i + 1]
        data = udh[i + 2:i + 2 + ielen]
        if iei == 0x00 and ielen == 3 and len(data) == 3:
            info = ConcatInfo(data[0], data[1], data[2], "udh8")
        elif iei == 0x08 and ielen == 4 and len(data) == 4:
            info = ConcatInfo(int.from_bytes(data[:2], "big"), data[2], data[3], "udh16")
        i += 2 + ielen
    return body, info


def sar_info(tlvs: dict[int, bytes]) -> ConcatInfo | None:
    """Concatenation info from the SAR TLVs, when all three are present."""
    try:
        return ConcatInfo(int.from_bytes(tlvs[TLV_SAR_MSG_REF_NUM], "big"),
                          tlvs[TLV_SAR_TOTAL_SEGMENTS][0], tlvs[TLV_SAR_SEGMENT_SEQNUM][0], "sar")
    except (KeyError, IndexError):
        return None


def decode_body(body: bytes, data_coding: int) -> str:
    """Best-effort text of a body: GSM for 0, UCS-2 for 8, Latin-1 for 3, else ASCII-ish."""
    if data_coding == DC_DEFAULT:
        return gsm.decode(body)
    if data_coding == DC_UCS2:
        return body.decode("utf-16-be", errors="replace")
    if data_coding == DC_LATIN1:
        return body.decode("latin-1")
    return body.decode("ascii", errors="replace")


def reassemble(parts: list[dict]) -> list[str]:
    """Texts of complete messages among submit records (each with `text` and `concat`), in arrival order.

    Concatenated parts are grouped by (kind, ref, total) and joined once
    every part is there; incomplete groups and refused submits are left out.
    """
    messages: list[tuple[int, str]] = []
    groups: dict[tuple, dict[int, tuple[int, str]]] = {}
    for order, rec in enumerate(parts):
        if rec.get("status"):
            continue  # refused (throttled, queue full): the ESME sends it again
        info = rec.get("concat")
        if not info:
            messages.append((order, rec["text"]))
            continue
        key = (info["kind"], info["ref"], info["total"])
        groups.setdefault(key, {})[info["seq"]] = (order, rec["text"])
    for (_kind, _ref, total), got in groups.items():
        if len(got) == total and set(got) == set(range(1, total + 1)):
            first = min(o for o, _ in got.values())
            messages.append((first, "".join(got[i][1] for i in range(1, total + 1))))
    return [text for _, text in sorted(messages)]
