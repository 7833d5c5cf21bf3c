"""Server-side login sessions: a random id in the signed cookie, the session itself in Redis.

Logout deletes it, so a cookie copied before logout opens nothing; its Redis
key lives ``web.session_hours`` from login and activity never renews it (an
absolute lifetime), so neither does a forged cookie without a live id. The
cookie is Secure when ``web.secure_cookies`` says so or the request came over
HTTPS (directly, or through a trusted proxy's X-Forwarded-Proto).
"""
from __future__ import annotations

import secrets

from flask import request
from flask.sessions import SecureCookieSessionInterface

from .db import redis, settings


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the Secure flag also whenever the request is HTTPS."""

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or (request and request.is_secure))


def _key(sid: str) -> str:
    return f"{settings().redis.prefix}session:{sid}"


def open_session() -> str:
    """A new session id, alive for the configured lifetime."""
    sid = secrets.token_urlsafe(24)
    redis().set(_key(sid), "1", ex=settings().web.session_hours * 3600)
    return sid


def alive(sid: str | None) -> bool:
    """Whether ``sid`` is a session that was opened and has not ended."""
    return bool(sid) and bool(redis().exists(_key(sid)))


def end(sid: str | None) -> None:
    """End the session now (logout)."""
    if sid:
        redis().delete(_key(sid))
