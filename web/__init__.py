"""The Flask web UI and JSON API (SPEC §8): one app factory, one blueprint per concern.

    app = create_app(settings)            # `python run_gateway.py web` serves it

Blueprints, registered in the order of BLUEPRINTS (explicit, like the command registry), which is also
the staff menu's order: each blueprint declares its own menu entries as ``MENU`` beside its ``bp``
(web.menu). health (/healthz, /metrics), api (/api/v1, bearer tokens), auth (staff and parent login),
staff (the staff home), reports (delivery report, resend, parents' texts), review (approval queue, GV/NGHI
answers, announcements), entry (teachers' grade book), uploads (spreadsheet imports), overview (the
principal's overview), primary and preschool (TT27 and kindergarten pages), polls and rounds (polls and
sign-ups, rating rounds), accounts (staff accounts, API tokens, first login), selftests (question bank and
self-tests), library (the staff document library), forum and forum_moderation (rooms, topics, the
moderation queue), parents and parent_polls (a parent's children, their answers), contacts, printing,
import_templates.
Every request gets its own SQLite connection (web.db); every form carries a
CSRF token (web.csrf); sessions are signed with `web.secret_key`.
"""
from __future__ import annotations

import importlib
from datetime import timedelta

from flask import Flask

MIN_SECRET_BYTES = 32
# Every blueprint, one line each; their MENU entries (web.menu) make the staff menu in this order.
BLUEPRINTS = ("web.health", "web.api", "web.auth", "web.staff", "web.reports", "web.review.pages", "web.entry",
              "web.uploads", "web.overview", "web.primary.entry", "web.preschool.entry", "web.community.polls",
              "web.community.rounds", "web.accounts", "web.school_settings",
              "web.selftests",  # question bank and self-tests (SPEC §15)
              "web.library", "web.community.forum", "web.community.forum_moderation", "web.parents",
              "web.community.parent_polls", "web.contacts", "web.printing", "web.import_templates",
              "web.review.notice_review")      # teachers' announcements waiting for approval (no menu entry)


def create_app(settings, *, redis=None) -> Flask:
    """The web app for ``settings``; ``redis`` defaults to the settings' Redis (embedded when url is empty)."""
    settings.require_secrets("web.secret_key")
    if len(settings.web.secret_key.encode()) < MIN_SECRET_BYTES:
        from settings import ConfigError
        raise ConfigError("web.secret_key", f"needs at least {MIN_SECRET_BYTES} random bytes (e.g. SLL_WEB_SECRET_KEY="
                                            "$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))'))",
                          settings.source)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.web.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.web.secure_cookies,
        SESSION_COOKIE_NAME="sll_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.web.session_hours),
        SESSION_REFRESH_EACH_REQUEST=False,      # an absolute lifetime (web.sessions)
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,     # spreadsheet uploads
        JSON_SORT_KEYS=False,
    )
    app.extensions["sll.settings"] = settings
    if redis is None:
        from outbox.redisconn import from_settings
        redis = from_settings(settings)
    app.extensions["sll.redis"] = redis
    from . import csrf, db, headers, proxy, sessions
    app.session_interface = sessions.SessionInterface()
    trusted = proxy.parse(settings.web.trusted_proxies)
    if trusted:
        app.wsgi_app = proxy.TrustedProxies(app.wsgi_app, trusted)
    app.after_request(headers.add_headers)
    db.init_app(app)
    csrf.init_app(app)
    for name in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(name).bp)
    app.context_processor(_staff_nav)
    from . import frame
    frame.init_app(app)
    app.register_error_handler(OverflowError, _out_of_range)
    from . import params
    params.init_app(app)       # a parameter or a store refusal no page caught: the 400/404 page
    return app


def _out_of_range(e: OverflowError):
    """A number or date too large for date arithmetic or SQLite's integers came from the request: a 400."""
    from flask import current_app
    from werkzeug.exceptions import BadRequest
    return current_app.handle_http_exception(BadRequest(description="a number or a date in the request is out of "
                                                                    "range (dates from 2000 to 2100, ids as shown)"))


def _staff_nav() -> dict:
    """The menu entries (each blueprint's MENU, web.menu) whose page exists and lets the staff member's role in."""
    from flask import current_app, g

    from .menu import entries, visible
    staff = g.get("staff")
    if staff is None:
        return {"staff_nav": []}
    menu = entries(importlib.import_module(name) for name in BLUEPRINTS)
    return {"staff_nav": visible(menu, current_app.view_functions, staff)}
