"""The JSON API (/api/v1) and its bearer tokens: the store, authentication, scopes, JSON errors, the CLI.

What the endpoints read (delivery, one message) is in tests/test_web_api_delivery.py.
"""
from __future__ import annotations

import hashlib
import json

import pytest

from store.school import tokens

from .builders import school_id
from .fixtures_api import DAY, audit_rows, bearer


# -- store/school/tokens.py -------------------------------------------------------------------------------------------
def test_a_token_is_stored_only_as_its_hash_and_verifies_until_revoked(school_db):
    token_id, secret = tokens.create(school_db, "delivery", school_code="THCS-DD", label="So GD")
    row = school_db.execute("SELECT * FROM api_tokens WHERE id = ?", [token_id]).fetchone()
    assert secret not in [str(v) for v in row], "the secret itself is never stored"
    assert hashlib.sha256(secret.encode()).hexdigest() in row
    assert tokens.verify(school_db, secret) == tokens.Token(token_id, school_id(school_db, "THCS-DD"),
                                                            tokens.Scope.DELIVERY)
    for wrong in ("", None, secret[:-1], secret + "x", secret.upper()):
        assert tokens.verify(school_db, wrong) is None
    other_id, other = tokens.create(school_db, "all")
    assert other != secret and tokens.verify(school_db, other).school_id is None
    tokens.revoke(school_db, token_id)
    assert tokens.verify(school_db, secret) is None
    assert tokens.verify(school_db, other) is not None, "revoking one token leaves the others"
    with pytest.raises(tokens.TokenError, match="already revoked"):
        tokens.revoke(school_db, token_id)
    with pytest.raises(tokens.TokenError, match="no token #9999"):
        tokens.revoke(school_db, 9999)
    listed = tokens.list_tokens(school_db)
    assert [(t["id"], t["school"], t["scope"], t["revoked_at"] is not None) for t in listed] == [
        (token_id, "THCS-DD", "delivery", True), (other_id, None, "all", False)]
    assert secret not in json.dumps(listed) and other not in json.dumps(listed)


@pytest.mark.parametrize("scope, school, error", [
    ("everything", None, "unknown scope 'everything'"),
    ("delivery", "NOPE", "unknown school 'NOPE'"),
])
def test_a_token_needs_a_known_scope_and_school(school_db, scope, school, error):
    with pytest.raises(tokens.TokenError, match=error):
        tokens.create(school_db, scope, school_code=school)
    assert school_db.execute("SELECT count(*) FROM api_tokens").fetchone()[0] == 0


@pytest.mark.parametrize("scope, needed, allowed", [
    ("delivery", "delivery", True), ("delivery", "messages", False), ("messages", "messages", True),
    ("messages", "delivery", False), ("all", "delivery", True), ("all", "messages", True)])
def test_scopes(scope, needed, allowed):
    assert tokens.Scope(scope).allows(tokens.Scope(needed)) is allowed


# -- authentication --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("headers, challenge", [
    ({}, 'Bearer realm="sll"'),
    ({"Authorization": "Bearer "}, 'Bearer realm="sll"'),
    ({"Authorization": "Basic dXNlcjpwYXNz"}, 'Bearer realm="sll"'),
    ({"Authorization": "Bearer sll_not-a-real-token"}, 'Bearer realm="sll", error="invalid_token"'),
])
@pytest.mark.parametrize("url", [f"/api/v1/delivery?date={DAY}", "/api/v1/messages/1"])
def test_no_or_an_unknown_token_is_401_with_a_bearer_challenge(client, headers, challenge, url):
    r = client.get(url, headers=headers)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == challenge
    assert r.is_json and r.get_json()["status"] == 401


def test_a_revoked_token_stops_working_at_once(client, school_db, make_token, day):
    token_id, secret = make_token("all", "THCS-DD")
    assert client.get(f"/api/v1/delivery?date={DAY}", headers=bearer(secret)).status_code == 200
    tokens.revoke(school_db, token_id)
    r = client.get(f"/api/v1/delivery?date={DAY}", headers=bearer(secret))
    assert r.status_code == 401 and r.get_json()["error"] == "unknown or revoked token"
    assert client.get(f"/api/v1/messages/{day['hoa']}", headers=bearer(secret)).status_code == 401


@pytest.mark.parametrize("scope, delivery_status, message_status", [
    ("delivery", 200, 403), ("messages", 403, 200), ("all", 200, 200)])
def test_the_scope_decides_which_endpoints_a_token_reads(client, school_db, make_token, day, scope,
                                                        delivery_status, message_status):
    token_id, secret = make_token(scope, "THCS-DD")
    answers = [client.get(f"/api/v1/delivery?date={DAY}", headers=bearer(secret)),
               client.get(f"/api/v1/messages/{day['hoa']}", headers=bearer(secret))]
    assert [r.status_code for r in answers] == [delivery_status, message_status]
    assert all(r.is_json for r in answers)
    for r in answers:
        if r.status_code == 403:
            assert f"scope ({scope}) does not include" in r.get_json()["error"]
    refused = [a for a in audit_rows(school_db, f"api:{token_id}") if a[0] == "api:refused"]
    assert len(refused) == (1 if scope != "all" else 0)


# -- JSON errors everywhere under /api/ -------------------------------------------------------------------------
def test_errors_under_api_are_json_and_elsewhere_not(client, make_token):
    _, secret = make_token("all")
    for url in ("/api/v1/nothing-here", "/api/v1/messages/abc", "/api/v2/delivery"):
        r = client.get(url, headers=bearer(secret))
        assert r.status_code == 404 and r.is_json and r.get_json()["status"] == 404
    r = client.post(f"/api/v1/delivery?date={DAY}", headers=bearer(secret))
    assert r.status_code == 405 and r.is_json and "GET" in r.headers["Allow"]
    r = client.get("/no-such-page")
    assert r.status_code == 404 and not r.is_json


def test_a_crash_inside_the_api_answers_json_500(web_app, make_token, monkeypatch):
    from store.messaging import message_reads

    def broken(db, message_id):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(message_reads, "message", broken)
    web_app.config["PROPAGATE_EXCEPTIONS"] = False
    _, secret = make_token("all")
    r = web_app.test_client().get("/api/v1/messages/1", headers=bearer(secret))
    assert r.status_code == 500 and r.is_json
    assert "disk on fire" not in r.get_data(as_text=True)


# -- the CLI ----------------------------------------------------------------------------------------------------
def test_token_commands(cli, school_db, client, day):
    r = cli("token", "add", "--school", "THCS-DD", "--scope", "delivery", "--label", "So GD Ha Noi", check=True)
    secret = r.stdout.strip().splitlines()[-1]
    assert secret.startswith("sll_") and "shown once" in r.stdout
    token = tokens.verify(school_db, secret)
    assert token.school_id == school_id(school_db, "THCS-DD") and token.scope is tokens.Scope.DELIVERY
    assert client.get(f"/api/v1/delivery?date={DAY}", headers=bearer(secret)).status_code == 200
    r = cli("token", "add", "--all-schools", "--scope", "all", check=True)
    operator = r.stdout.strip().splitlines()[-1]
    assert tokens.verify(school_db, operator).school_id is None
    listing = cli("token", "list", check=True).stdout
    assert f"#{token.id}" in listing and "THCS-DD" in listing and "So GD Ha Noi" in listing and "active" in listing
    assert secret not in listing and operator not in listing
    r = cli("token", "revoke", str(token.id), check=True)
    assert f"revoked token #{token.id}" in r.stdout
    assert tokens.verify(school_db, secret) is None
    assert client.get(f"/api/v1/delivery?date={DAY}", headers=bearer(secret)).status_code == 401
    assert "revoked" in cli("token", "list", check=True).stdout.splitlines()[0]
    again = cli("token", "revoke", str(token.id))
    assert again.returncode == 1 and "already revoked" in again.stderr
    actions = [r[0] for r in school_db.execute("SELECT action FROM audit_log WHERE actor = 'cli:token' ORDER BY id")]
    assert actions == ["token:add", "token:add", "token:revoke"]


@pytest.mark.parametrize("args, code, message", [
    (("--scope", "delivery"), 2, "exactly one of --school CODE or --all-schools"),
    (("--school", "THCS-DD", "--all-schools", "--scope", "all"), 2, "exactly one of"),
    (("--school", "NOPE", "--scope", "all"), 1, "unknown school 'NOPE'"),
    (("--school", "THCS-DD", "--scope", "write"), 2, "Invalid value for '--scope'"),
])
def test_token_add_refuses_bad_options(cli, school_db, args, code, message):
    r = cli("token", "add", *args)
    assert r.returncode == code and message in r.stderr
    assert school_db.execute("SELECT count(*) FROM api_tokens").fetchone()[0] == 0
