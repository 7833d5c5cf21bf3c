"""Bearer tokens of the JSON API: per school (or every school) and scope, stored hashed.

A token is 256 random bits shown once when it is created; only its SHA-256
is stored. A slow password hash would add nothing here (nobody can guess
256 random bits) and would cost every API request; looking the token up by
its hash also means no comparison of secrets in Python at all.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from enum import Enum

import sqlite_utils

from store.core.clock import now_iso
from store.core.errors import StoreError

PREFIX = "sll_"


class TokenError(StoreError):
    """A token cannot be created or revoked as asked."""


class Scope(str, Enum):
    """What a token may read: the delivery report, single messages, or both."""

    DELIVERY = "delivery"
    MESSAGES = "messages"
    ALL = "all"

    def allows(self, needed: Scope) -> bool:
        return self is Scope.ALL or self is needed


@dataclass(frozen=True)
class Token:
    """A valid (not revoked) token: who is asking, for which school, with which scope."""

    id: int
    school_id: int | None        # None: every school (operator)
    scope: Scope


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create(db: sqlite_utils.Database, scope: str, *, school_code: str | None = None,
           label: str | None = None) -> tuple[int, str]:
    """A new token of ``school_code`` (None = every school); returns (id, secret) — the secret only here."""
    try:
        scope = Scope(scope)
    except ValueError:
        raise TokenError(f"unknown scope {scope!r} (delivery, messages, all)") from None
    school_id = None
    if school_code is not None:
        row = db.execute("SELECT id FROM schools WHERE code = ?", [school_code]).fetchone()
        if row is None:
            raise TokenError(f"unknown school {school_code!r}")
        school_id = row[0]
    secret = PREFIX + secrets.token_urlsafe(32)
    cur = db.execute("INSERT INTO api_tokens (school_id, scope, token_hash, label, created_at) VALUES (?, ?, ?, ?, ?)",
                     [school_id, scope.value, _hash(secret), label, now_iso()])
    return cur.lastrowid, secret


def verify(db: sqlite_utils.Database, secret: str | None) -> Token | None:
    """The token a secret belongs to; None when it is empty, unknown or revoked."""
    if not secret:
        return None
    row = db.execute("SELECT id, school_id, scope FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL",
                     [_hash(secret)]).fetchone()
    return Token(row[0], row[1], Scope(row[2])) if row else None


def list_tokens(db: sqlite_utils.Database) -> list[dict]:
    """Every token (never a secret): id, school code, scope, label, created_at, revoked_at."""
    cols = ("id", "school", "scope", "label", "created_at", "revoked_at")
    return [dict(zip(cols, r)) for r in db.execute(
        "SELECT t.id, s.code, t.scope, t.label, t.created_at, t.revoked_at FROM api_tokens t "
        "LEFT JOIN schools s ON s.id = t.school_id ORDER BY t.id")]


def revoke(db: sqlite_utils.Database, token_id: int) -> None:
    """Revoke a token at once; TokenError when there is no such token or it is already revoked."""
    row = db.execute("SELECT revoked_at FROM api_tokens WHERE id = ?", [token_id]).fetchone()
    if row is None:
        raise TokenError(f"no token #{token_id}")
    if row[0] is not None:
        raise TokenError(f"token #{token_id} was already revoked at {row[0]}")
    db.execute("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [now_iso(), token_id])
