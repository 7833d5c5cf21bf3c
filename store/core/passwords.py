"""Password hashes: Argon2id at OWASP's parameters, older Werkzeug hashes upgraded at the next login.

OWASP's Password Storage Cheat Sheet: Argon2id with 19 MiB of memory, 2
iterations, parallelism 1 (~19 ms a check here). Werkzeug's scrypt/pbkdf2
hashes from before still verify, and ``check`` hands back the new hash to
store in their place.
"""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from werkzeug.security import check_password_hash

_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16)
_DUMMY = _HASHER.hash("not a password")


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password``."""
    return _HASHER.hash(password)


def check(stored: str | None, password: str) -> tuple[bool, str | None]:
    """(whether ``password`` matches ``stored``, a replacement hash to store or None); same work for no hash."""
    if not stored:
        _verify(_DUMMY, password)
        return False, None
    if not stored.startswith("$argon2"):
        ok = check_password_hash(stored, password)
        return ok, (hash_password(password) if ok else None)
    if not _verify(stored, password):
        return False, None
    return True, (hash_password(password) if _HASHER.check_needs_rehash(stored) else None)


def _verify(stored: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
