"""The JSON API (SPEC §8) under /api/v1, for bearer tokens of one school or of every school.

    GET /api/v1/delivery?date=YYYY-MM-DD[&school=CODE][&class=NAME][&limit=N][&after_id=ID]
    GET /api/v1/messages/<id>

A token (`token add`) has a scope: `delivery`, `messages` or `all`. A school's
token reads that school only: another school's report is 403, another
school's message 404 (its existence is not revealed). Phone numbers are
masked in the day's list and shown in full only for one message. Every read
(and every refused one of a valid token) is in the audit log as
``api:<token id>``. Errors are JSON everywhere under /api/.
"""
from __future__ import annotations

import functools
import re
from datetime import date

from flask import Blueprint, g, jsonify, request
from werkzeug.exceptions import HTTPException

from store.core import audit
from store.messaging import message_reads, reports
from store.school import tokens
from store.core.clock import local_today
from store.school.phones import mask
from store.school.tokens import Scope

from .db import get_db, settings

bp = Blueprint("api", __name__, url_prefix="/api/v1")

DEFAULT_LIMIT = 200
MAX_LIMIT = 1000
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class ApiError(Exception):
    """A request the API answers with a JSON error: ``status``, ``message``, the ``parameter`` at fault."""

    def __init__(self, status: int, message: str, *, parameter: str | None = None, challenge: str | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameter = parameter
        self.challenge = challenge          # the WWW-Authenticate value of a 401


def _error(status: int, message: str, *, parameter: str | None = None, challenge: str | None = None):
    body = {"status": status, "error": message}
    if parameter:
        body["parameter"] = parameter
    response = jsonify(body)
    response.status_code = status
    if challenge:
        response.headers["WWW-Authenticate"] = challenge
    return response


@bp.errorhandler(ApiError)
def _api_error(e: ApiError):
    return _error(e.status, e.message, parameter=e.parameter, challenge=e.challenge)


@bp.app_errorhandler(HTTPException)
def _http_error(e: HTTPException):
    """JSON for any HTTP error under /api/ (unknown URL, wrong method, a crash); other paths keep theirs."""
    if not request.path.startswith("/api/"):
        return e
    message = e.description if e.code != 500 else "internal error; it has been logged"
    response = _error(e.code or 500, message)
    if e.code == 405 and getattr(e, "valid_methods", None):
        response.headers["Allow"] = ", ".join(e.valid_methods)
    return response


# -- who is asking -----------------------------------------------------------------------------------------------
def _actor() -> str:
    return f"api:{g.token.id}"


def _refuse(status: int, error: str, /, **detail) -> ApiError:
    """A valid token asked for what it may not read: audited, then refused."""
    audit.record(get_db(), _actor(), "api:refused", school_id=g.token.school_id, path=request.path,
                 status=status, **detail)
    return ApiError(status, error)


def token_required(needed: Scope):
    """View decorator: a valid bearer token whose scope allows ``needed``, in ``g.token``."""
    def wrap(view):
        @functools.wraps(view)
        def inner(*args, **kwargs):
            kind, _, secret = request.headers.get("Authorization", "").partition(" ")
            if kind.lower() != "bearer" or not secret.strip():
                raise ApiError(401, "send the token as 'Authorization: Bearer <token>'", challenge='Bearer realm="sll"')
            token = tokens.verify(get_db(), secret.strip())
            if token is None:
                raise ApiError(401, "unknown or revoked token",
                               challenge='Bearer realm="sll", error="invalid_token"')
            g.token = token
            if not token.scope.allows(needed):
                raise _refuse(403, f"this token's scope ({token.scope.value}) does not include {needed.value}")
            return view(*args, **kwargs)
        return inner
    return wrap


# -- parameters --------------------------------------------------------------------------------------------------
def _date_arg(name: str, default: date) -> date:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        if not _DATE.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(400, f"{name} must be a date as YYYY-MM-DD, not {raw[:40]!r}", parameter=name) from None


def _int_arg(name: str, default: int, low: int, high: int | None = None) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or int(raw) < low or int(raw) > (high or 2 ** 62):
        bounds = f"{low}..{high}" if high is not None else f"{low} or more"
        raise ApiError(400, f"{name} must be a whole number {bounds}, not {raw[:40]!r}", parameter=name)
    return int(raw)


# -- endpoints ---------------------------------------------------------------------------------------------------
@bp.get("/delivery")
@token_required(Scope.DELIVERY)
def delivery():
    """A day's delivery report: counts per state and the messages, one page at a time."""
    db, tz, token = get_db(), settings().sms.timezone, g.token
    day = _date_arg("date", local_today(tz))
    limit = _int_arg("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    after_id = _int_arg("after_id", 0, 0)
    school_code = request.args.get("school") or None
    class_name = request.args.get("class") or None
    if school_code is not None:
        school_id = message_reads.school_id(db, school_code)
        if school_id is None:
            raise ApiError(400, f"unknown school {school_code[:40]!r}", parameter="school")
        if token.school_id is not None and school_id != token.school_id:
            raise _refuse(403, f"this token does not read school {school_code}", school=school_code)
    else:
        school_id = token.school_id
        school_code = message_reads.school_code(db, school_id) if school_id is not None else None
    if class_name is not None and not message_reads.class_exists(db, class_name, school_id):
        where = f" in {school_code}" if school_code else ""
        raise ApiError(400, f"unknown class {class_name[:40]!r}{where}", parameter="class")
    # The counts are the whole day's; the messages one page of the same selection.
    report = reports.delivery(db, day, tz, school_code=school_code, class_name=class_name)
    page = reports.delivery_messages(db, day, tz, school_code=school_code, class_name=class_name,
                                     after_id=after_id, limit=limit + 1)
    more = len(page) > limit
    page = page[:limit]
    for m in page:
        m["phone"] = mask(m["phone"])
    audit.record(db, _actor(), "api:delivery", school_id=school_id, date=day.isoformat(), school=school_code,
                 class_name=class_name, after_id=after_id, returned=len(page))
    return jsonify({"date": day.isoformat(), "school": school_code, "class": class_name, "total": report.total,
                    "counts": report.counts, "duplicates": report.duplicates, "messages": page,
                    "next_after_id": page[-1]["id"] if more else None})


@bp.get("/messages/<int:message_id>")
@token_required(Scope.MESSAGES)
def message(message_id: int):
    """One message with its parts and receipts; the full phone number."""
    db, token = get_db(), g.token
    msg = message_reads.message(db, message_id)
    if msg is None or (token.school_id is not None and msg["school_id"] != token.school_id):
        if msg is not None:
            raise _refuse(404, f"no message #{message_id}", message=message_id)
        raise ApiError(404, f"no message #{message_id}")
    audit.record(db, _actor(), "api:message", school_id=msg["school_id"], student_id=msg["student_id"],
                 message=message_id)
    del msg["school_id"], msg["student_id"]
    return jsonify(msg)
