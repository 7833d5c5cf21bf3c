"""Mobile-originated messages: what a handset's text becomes on the SMPP side."""
from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field

from . import concat
from .behaviour import canonical_phone

TON_INTERNATIONAL = 1
TON_NATIONAL = 2


def source_address(phone: str, ton: int) -> str:
    """The source_addr a handset number gets for ``ton``: 0912345678 -> 84912345678 (TON 1) or 0912345678 (TON 2)."""
    if ton == TON_INTERNATIONAL:
        return canonical_phone(phone)
    if ton == TON_NATIONAL:
        digits = canonical_phone(phone)
        return "0" + digits[2:] if digits.startswith("84") else digits
    return phone


@dataclass
class MoRequest:
    """Everything `push_mo` accepts; see `Simulator.push_mo`."""

    phone: str
    text: str | None = None
    body: bytes | None = None
    data_coding: int = 0
    concat: str | None = None
    source_ton: int = TON_INTERNATIONAL
    source_npi: int = 1
    convert: bool = True
    esm_class: int = 0
    tlvs: list = field(default_factory=list)   # (tag, bytes) pairs added to every part
    destination: str | None = None
    part_size: int | None = None
    reverse_parts: bool = False
    system_id: str | None = None

    def __post_init__(self):
        if (self.text is None) == (self.body is None):
            raise ValueError("give exactly one of text or body")
        if self.concat is not None and self.concat not in concat.CONCAT_KINDS:
            raise ValueError(f"concat must be one of {concat.CONCAT_KINDS}, not {self.concat!r}")

    @property
    def source_addr(self) -> str:
        """The source address as sent."""
        return source_address(self.phone, self.source_ton) if self.convert else self.phone


def build(req: MoRequest, rng: random.Random) -> list[concat.Part]:
    """The deliver_sm bodies of ``req``, in the order they are sent."""
    if req.body is not None:
        bodies = [req.body]
        if req.concat:
            size = req.part_size or concat.part_limit(req.data_coding, req.concat)
            bodies = [req.body[i:i + size] for i in range(0, len(req.body), size)] or [b""]
    elif req.concat:
        size = req.part_size or concat.part_limit(req.data_coding, req.concat)
        bodies = concat.chunks(req.text, req.data_coding, size)
    else:
        bodies = [concat.encode(req.text, req.data_coding)]
    ref = rng.randrange(1, 0x100 if req.concat == "udh8" else 0x10000)
    parts = concat.build_parts(bodies, req.concat, ref)
    for part in parts:
        part.esm_class |= req.esm_class
        part.tlvs.extend((int(t), bytes(v)) for t, v in req.tlvs)
    return list(reversed(parts)) if req.reverse_parts else parts


async def push_many(core, requests: list[MoRequest], window: int = 50, wait: float = 0.0) -> dict:
    """Deliver every request through ``core`` with up to ``window`` deliver_sm unanswered at once.

    Returns counts of the deliver_sm_resp statuses ({"0": n, ...}) and the seconds it took.
    """
    gate = asyncio.Semaphore(max(1, window))
    counts: dict[str, int] = {}
    started = time.monotonic()

    async def one(req):
        async with gate:
            for status in await core.push_mo(req, wait):
                key = str(status)
                counts[key] = counts.get(key, 0) + 1

    await asyncio.gather(*(one(r) for r in requests))
    return {"statuses": counts, "seconds": round(time.monotonic() - started, 3)}
