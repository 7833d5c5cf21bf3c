"""CSRF protection for every form: a per-session token checked on every unsafe request.

Templates put ``{{ csrf_field() }}`` in each form. The JSON API is exempt: it
authenticates with a bearer token, never with the session cookie.
"""
from __future__ import annotations

import hmac
import secrets

from flask import Flask, abort, request, session
from markupsafe import Markup, escape

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
EXEMPT_PREFIXES = ("/api/",)
FIELD = "csrf_token"


def token() -> str:
    """This session's CSRF token (created on first use)."""
    if FIELD not in session:
        session[FIELD] = secrets.token_urlsafe(32)
    return session[FIELD]


def field() -> Markup:
    """The hidden input a form needs."""
    return Markup(f'<input type="hidden" name="{FIELD}" value="{escape(token())}">')


def _check() -> None:
    if request.method in SAFE_METHODS or request.path.startswith(EXEMPT_PREFIXES):
        return
    sent = request.form.get(FIELD) or request.headers.get("X-CSRF-Token", "")
    expected = session.get(FIELD)
    if not expected or not hmac.compare_digest(str(sent), expected):
        abort(400, description="The form expired or did not come from this site (CSRF token missing or wrong). "
                               "Reload the page and try again.")


def init_app(app: Flask) -> None:
    app.before_request(_check)
    app.jinja_env.globals.update(csrf_field=field, csrf_token=token)
