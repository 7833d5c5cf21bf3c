"""What every composer of a bulk SMS shares (announcements, polls; the next domains' sends too).

A composer shows staff the exact text, its parts and encoding, the
recipients and the cost (parts x recipients) before anything is queued,
then sends exactly what was previewed, once:
- `prepared(settings, text)`: the exact text, encoding and parts (never
  shortened: over sms.max_parts `fits` is False and staff rewrite it);
- `preview(sms, recipients)`: the figures the page shows and posts back;
- `Preview.matches(posted)`: the send refuses when recipients or parts
  changed since the preview (someone imported guardians, edited the text);
- `claim_once` / `release`: a one-time key per preview in Redis, so a
  double click or a reloaded POST queues nothing twice (a send that fails
  before queueing releases it, and the preview stays usable).
"""
from __future__ import annotations

from dataclasses import dataclass

from . import gsm
from .render import parts_needed, prepare
from .segment import GSM

CHANGED = "Số người nhận hoặc số tin đã thay đổi từ lúc xem trước: hãy kiểm tra lại rồi gửi."
SEND_ONCE_SECONDS = 86400        # a preview's key outlives any page left open overnight


@dataclass(frozen=True)
class Prepared:
    """The exact text that will go out, its encoding and parts."""

    text: str
    encoding: str
    parts: int
    max_parts: int

    @property
    def fits(self) -> bool:
        return self.parts <= self.max_parts

    @property
    def units(self) -> int:
        """GSM septets (an escape counts two) or UCS-2 code units: what the part sizes are counted in."""
        return gsm.septets(self.text) if self.encoding == GSM else len(self.text.encode("utf-16-be")) // 2


def prepared(settings, text: str) -> Prepared:
    """``text`` as it will go out (unaccented GSM-7 unless sms.transliterate is off), measured in parts."""
    final, encoding = prepare(text, settings.sms.transliterate)
    return Prepared(final, encoding, parts_needed(final, encoding), settings.sms.max_parts)


@dataclass(frozen=True)
class Preview:
    """The exact SMS of a send and whom it goes to: what staff approve before it is queued."""

    sms: Prepared
    recipients: int

    @property
    def parts(self) -> int:
        return self.sms.parts

    @property
    def encoding(self) -> str:
        return self.sms.encoding

    @property
    def total_parts(self) -> int:
        """The cost: parts of one SMS times the recipients."""
        return self.sms.parts * self.recipients

    @property
    def stamp(self) -> str:
        """'recipients:parts', the figures the preview page posts back with the send."""
        return f"{self.recipients}:{self.sms.parts}"

    def matches(self, posted: str | tuple[str, str] | None) -> bool:
        """Whether the posted stamp ('n:p', or the pair (n, p) as typed) is still this preview's."""
        if isinstance(posted, tuple):
            posted = ":".join(posted)
        return posted == self.stamp

    def queued(self, sent: int, what: str, when: str = "") -> str:
        """The staff message after queueing ``sent`` SMS of kind ``what`` ('tin thông báo')."""
        return f"Đã xếp {sent} {what} ({self.sms.parts * sent} phần SMS) vào hàng gửi{when}."


def preview(sms: Prepared, recipients: int) -> Preview:
    """The preview of ``sms`` sent to ``recipients`` guardians."""
    return Preview(sms, recipients)


def _key(prefix: str, area: str, nonce: str) -> str:
    return f"{prefix}{area}:{nonce}"


def claim_once(redis, prefix: str, area: str, nonce: str) -> bool:
    """Take the preview's one-time key; False when it was already used (or no key was posted)."""
    return bool(nonce) and bool(redis.set(_key(prefix, area, nonce), 1, nx=True, ex=SEND_ONCE_SECONDS))


def release(redis, prefix: str, area: str, nonce: str) -> None:
    """Give the key back: nothing was queued, the same preview may be sent."""
    redis.delete(_key(prefix, area, nonce))
