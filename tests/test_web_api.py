"""The JSON API (/api/v1) and its bearer tokens: the store, the CLI, scoping between schools, errors, audit."""
from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest

from outbox import delivery as outbox_delivery
from outbox import messages as outbox_messages
from outbox.transport import SubmitResult
from store.messaging import reports
from store.school import tokens
from store.core.clock import utcnow
from store.core.connection import transaction

from .builders import school_id

DAY = "2025-10-06"
CREATED = "2025-10-06T03:00:00.000Z"        # 10:00 in Hà Nội on DAY
OTHER_DAY = "2025-10-05T03:00:00.000Z"
TZ = "Asia/Ho_Chi_Minh"
HOA, NAM, AN = "DD900001", "DD900002", "CVA900001"


# -- building a day of messages with the real outbox functions -------------------------------------------------
class Outbox:
    """Messages of the demo schools moved through their states as the sender and receipts move them."""

    def __init__(self, db, settings):
        self.db = db
        self.settings = settings
        self.conn = settings.smsc[0].name
        self.ids = iter(range(1, 10_000))

    def _student(self, code: str) -> tuple[int, int]:
        return self.db.execute("SELECT id, school_id FROM students WHERE code = ?", [code]).fetchone()

    def create(self, phone: str, kind: str = "digest", student: str | None = None, *, queued: bool = False,
               created_at: str = CREATED) -> int:
        """A message enqueued, then claimed by a worker (`sending`) unless it is to stay queued."""
        student_id, school_id = self._student(student) if student else (None, None)
        # A queued one waits until tomorrow, so a claim never takes it.
        not_before = utcnow() + timedelta(days=1) if queued else None
        with transaction(self.db):
            mid = outbox_messages.enqueue(self.db, self.settings, phone=phone, body="Tin nhan thu", kind=kind,
                                          school_id=school_id, student_id=student_id, not_before=not_before)
        self.db.execute("UPDATE messages SET created_at = ?, not_before = ? WHERE id = ?",
                        [created_at, created_at if not queued else "2999-01-01T00:00:00.000Z", mid])
        if not queued:
            claimed = outbox_messages.claim(self.db, [self.conn], 1, 60)
            assert [m.id for m in claimed] == [mid]
        return mid

    def submit(self, mid: int, statuses: list[int]) -> list[str | None]:
        """The sender's part rows, then each part's submit_sm_resp; returns the SMSC ids."""
        self.db.execute("UPDATE messages SET parts = ? WHERE id = ?", [len(statuses), mid])
        for seq in range(1, len(statuses) + 1):
            self.db.execute("INSERT INTO message_parts (message_id, seq, connection, state) "
                            "VALUES (?, ?, ?, 'sending')", [mid, seq, self.conn])
        ids = [f"{next(self.ids):08x}" if status == 0 else None for status in statuses]
        outcome = outbox_delivery.MessageOutcome(mid, self.conn, tuple(
            outbox_delivery.PartOutcome(seq, SubmitResult(status, smsc_id))
            for seq, (status, smsc_id) in enumerate(zip(statuses, ids), start=1)))
        with transaction(self.db):
            outbox_delivery.apply_submit(self.db, outcome, max_attempts=3)
        return ids

    def receipt(self, smsc_id: str, stat: str, err: str = "000") -> None:
        """A delivery receipt journaled as it arrives, then applied."""
        rid = outbox_delivery.journal_receipt(self.db, self.conn, smsc_id, stat, err, f"id:{smsc_id} stat:{stat}")
        with transaction(self.db):
            assert outbox_delivery.apply_receipt(self.db, rid)

    def state(self, mid: int) -> str:
        return self.db.execute("SELECT state FROM messages WHERE id = ?", [mid]).fetchone()[0]


@pytest.fixture
def day(school_db, web_settings):
    """DAY's messages: four of THCS-DD (delivered in 2 parts, undeliverable, failed, queued), one submitted
    of THPT-CVA, one of no school; and one THCS-DD message of the day before."""
    box = Outbox(school_db, web_settings)
    ids = {}
    ids["hoa"] = box.create("+84912345678", "digest", HOA)
    for smsc_id in box.submit(ids["hoa"], [0, 0]):
        box.receipt(smsc_id, "DELIVRD")
    ids["nam"] = box.create("+84987654321", "alert", NAM)
    (smsc_id,) = box.submit(ids["nam"], [0])
    box.receipt(smsc_id, "ENROUTE")
    box.receipt(smsc_id, "UNDELIV", "001")
    ids["hoa_failed"] = box.create("+84912345678", "announcement", HOA)
    box.submit(ids["hoa_failed"], [0x0B])                     # ESME_RINVDSTADR: permanent
    ids["nam_queued"] = box.create("+84987654321", "digest", NAM, queued=True)
    ids["an"] = box.create("+84912345678", "digest", AN)
    box.submit(ids["an"], [0])
    ids["stranger"] = box.create("+84911111119", "hint")
    box.submit(ids["stranger"], [0])
    ids["yesterday"] = box.create("+84912345678", "reply", HOA, created_at=OTHER_DAY)
    states = {k: box.state(v) for k, v in ids.items()}
    assert states == {"hoa": "delivered", "nam": "undeliverable", "hoa_failed": "failed", "nam_queued": "queued",
                      "an": "submitted", "stranger": "submitted", "yesterday": "sending"}
    return ids


@pytest.fixture
def make_token(school_db):
    """``make_token(scope, school=None)`` -> (token id, secret)."""
    def make(scope: str, school: str | None = None) -> tuple[int, str]:
        return tokens.create(school_db, scope, school_code=school, label="test")
    return make


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def audit_rows(db, actor: str) -> list[tuple]:
    return [(r[0], r[1], r[2], json.loads(r[3]) if r[3] else None) for r in db.execute(
        "SELECT action, school_id, student_id, detail FROM audit_log WHERE actor = ? ORDER BY id", [actor])]


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


# -- GET /api/v1/delivery ----------------------------------------------------------------------------------------
def test_a_school_token_gets_its_schools_day_with_masked_phones(client, school_db, make_token, day):
    _, secret = make_token("delivery", "THCS-DD")
    r = client.get(f"/api/v1/delivery?date={DAY}", headers=bearer(secret))
    assert r.status_code == 200
    body = r.get_json()
    assert body["date"] == DAY and body["school"] == "THCS-DD" and body["class"] is None
    assert body["counts"] == {"delivered": 1, "undeliverable": 1, "failed": 1, "queued": 1}
    assert body["total"] == 4 and body["next_after_id"] is None
    by_id = {m["id"]: m for m in body["messages"]}
    assert list(by_id) == sorted([day["hoa"], day["nam"], day["hoa_failed"], day["nam_queued"]])
    hoa, nam, failed = by_id[day["hoa"]], by_id[day["nam"]], by_id[day["hoa_failed"]]
    assert (hoa["phone"], hoa["state"], hoa["parts"], hoa["kind"], hoa["school"], hoa["class"]) == \
        ("09xxxx5678", "delivered", 2, "digest", "THCS-DD", "8A2")
    assert (nam["phone"], nam["state"], nam["class"], nam["reason"]) == \
        ("09xxxx4321", "undeliverable", "7A1", "receipt UNDELIV err:001")
    assert failed["state"] == "failed" and failed["error_code"] == 0x0B and "destination address" in failed["reason"]
    assert hoa["created_at"] == CREATED and hoa["submitted_at"] and hoa["final_at"]
    text = r.get_data(as_text=True)
    for full in ("0912345678", "912345678", "0987654321", "987654321"):
        assert full not in text, "never a full number in the day's list"
    # The same counts as `report delivery` for the school.
    from datetime import date
    assert body["counts"] == reports.delivery(school_db, date.fromisoformat(DAY), TZ, school_code="THCS-DD").counts


def test_a_school_token_asking_for_another_school_is_403(client, school_db, make_token, day):
    token_id, secret = make_token("delivery", "THCS-DD")
    r = client.get(f"/api/v1/delivery?date={DAY}&school=THPT-CVA", headers=bearer(secret))
    assert r.status_code == 403 and "THPT-CVA" in r.get_json()["error"]
    assert client.get(f"/api/v1/delivery?date={DAY}&school=THCS-DD", headers=bearer(secret)).status_code == 200
    _, cva = make_token("delivery", "THPT-CVA")
    body = client.get(f"/api/v1/delivery?date={DAY}", headers=bearer(cva)).get_json()
    assert [m["id"] for m in body["messages"]] == [day["an"]] and body["counts"] == {"submitted": 1}
    assert body["messages"][0]["class"] == "11A1"
    assert client.get(f"/api/v1/delivery?date={DAY}&school=THCS-DD", headers=bearer(cva)).status_code == 403
    actions = [a[0] for a in audit_rows(school_db, f"api:{token_id}")]
    assert actions == ["api:refused", "api:delivery"]


def test_an_operator_token_reads_every_school_or_one(client, make_token, day):
    _, secret = make_token("delivery")
    body = client.get(f"/api/v1/delivery?date={DAY}", headers=bearer(secret)).get_json()
    assert body["school"] is None and body["total"] == 6
    assert {m["id"] for m in body["messages"]} == {v for k, v in day.items() if k != "yesterday"}
    stranger = next(m for m in body["messages"] if m["id"] == day["stranger"])
    assert stranger["school"] is None and stranger["class"] is None and stranger["phone"] == "09xxxx1119"
    body = client.get(f"/api/v1/delivery?date={DAY}&school=THPT-CVA", headers=bearer(secret)).get_json()
    assert [m["id"] for m in body["messages"]] == [day["an"]]
    body = client.get(f"/api/v1/delivery?date=2025-10-05", headers=bearer(secret)).get_json()
    assert [m["id"] for m in body["messages"]] == [day["yesterday"]] and body["counts"] == {"sending": 1}


@pytest.mark.parametrize("token_school, query, expected", [
    ("THCS-DD", "class=8A2", ["hoa", "hoa_failed"]),
    ("THCS-DD", "class=7A1", ["nam", "nam_queued"]),
    (None, "class=11A1", ["an"]),
    (None, "school=THCS-DD&class=7A1", ["nam", "nam_queued"]),
])
def test_the_class_filter(client, make_token, day, token_school, query, expected):
    _, secret = make_token("delivery", token_school)
    body = client.get(f"/api/v1/delivery?date={DAY}&{query}", headers=bearer(secret)).get_json()
    assert [m["id"] for m in body["messages"]] == sorted(day[k] for k in expected)
    assert body["total"] == len(expected)


@pytest.mark.parametrize("token_school, query, parameter", [
    ("THCS-DD", "date=2025-13-01", "date"),
    ("THCS-DD", "date=2025-02-30", "date"),
    ("THCS-DD", "date=06/10/2025", "date"),
    ("THCS-DD", "date=20251006", "date"),
    ("THCS-DD", "date=", "date"),
    (None, f"date={DAY}&school=NOPE", "school"),
    ("THCS-DD", f"date={DAY}&school=NOPE", "school"),
    ("THCS-DD", f"date={DAY}&class=9Z9", "class"),
    ("THCS-DD", f"date={DAY}&class=11A1", "class"),          # THPT-CVA's class is not one of this school
    ("THCS-DD", f"date={DAY}&limit=0", "limit"),
    ("THCS-DD", f"date={DAY}&limit=5000", "limit"),
    ("THCS-DD", f"date={DAY}&limit=ten", "limit"),
    ("THCS-DD", f"date={DAY}&after_id=-1", "after_id"),
])
def test_a_bad_parameter_is_400_naming_it(client, school_db, make_token, token_school, query, parameter):
    token_id, secret = make_token("delivery", token_school)
    r = client.get(f"/api/v1/delivery?{query}", headers=bearer(secret))
    assert r.status_code == 400 and r.is_json
    assert r.get_json()["parameter"] == parameter and parameter in r.get_json()["error"]
    assert audit_rows(school_db, f"api:{token_id}") == [], "nothing was read"


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_pages_walk_the_whole_day_once(client, school_db, make_token, day, limit):
    token_id, secret = make_token("delivery")
    seen, after, pages = [], 0, 0
    while True:
        body = client.get(f"/api/v1/delivery?date={DAY}&limit={limit}&after_id={after}",
                          headers=bearer(secret)).get_json()
        pages += 1
        assert len(body["messages"]) <= limit and body["total"] == 6, "every page carries the whole day's counts"
        seen += [m["id"] for m in body["messages"]]
        if body["next_after_id"] is None:
            break
        assert body["next_after_id"] == body["messages"][-1]["id"]
        after = body["next_after_id"]
    assert seen == sorted(v for k, v in day.items() if k != "yesterday")
    assert pages == -(-6 // limit)
    reads = audit_rows(school_db, f"api:{token_id}")
    assert len(reads) == pages and all(a[0] == "api:delivery" for a in reads)


def test_every_delivery_read_is_audited_with_what_was_asked(client, school_db, make_token, day):
    token_id, secret = make_token("delivery", "THCS-DD")
    client.get(f"/api/v1/delivery?date={DAY}&class=8A2", headers=bearer(secret))
    assert audit_rows(school_db, f"api:{token_id}") == [
        ("api:delivery", school_id(school_db, "THCS-DD"), None,
         {"date": DAY, "school": "THCS-DD", "class_name": "8A2", "after_id": 0, "returned": 2})]


# -- GET /api/v1/messages/<id> ----------------------------------------------------------------------------------
def test_one_message_with_its_parts_and_receipts_and_the_full_number(client, school_db, make_token, day):
    token_id, secret = make_token("messages", "THCS-DD")
    r = client.get(f"/api/v1/messages/{day['hoa']}", headers=bearer(secret))
    assert r.status_code == 200
    m = r.get_json()
    assert (m["id"], m["phone"], m["state"], m["part_count"], m["kind"], m["school"], m["class"]) == \
        (day["hoa"], "+84912345678", "delivered", 2, "digest", "THCS-DD", "8A2")
    assert [(p["seq"], p["state"]) for p in m["parts"]] == [(1, "delivered"), (2, "delivered")]
    assert all(p["smsc_id"] and p["submitted_at"] and p["final_at"] for p in m["parts"])
    assert [(x["part_seq"], x["stat"], x["smsc_id"]) for x in m["receipts"]] == \
        [(p["seq"], "DELIVRD", p["smsc_id"]) for p in m["parts"]]
    assert "body" not in m and "school_id" not in m and "student_id" not in m
    nam = client.get(f"/api/v1/messages/{day['nam']}", headers=bearer(secret)).get_json()
    assert [x["stat"] for x in nam["receipts"]] == ["ENROUTE", "UNDELIV"] and nam["receipts"][1]["err"] == "001"
    assert nam["parts"][0]["state"] == "undeliverable" and nam["parts"][0]["error_code"] == 1
    failed = client.get(f"/api/v1/messages/{day['hoa_failed']}", headers=bearer(secret)).get_json()
    assert failed["parts"][0]["error_code"] == 0x0B and failed["parts"][0]["smsc_id"] is None
    hoa_id = school_db.execute("SELECT id FROM students WHERE code = ?", [HOA]).fetchone()[0]
    assert audit_rows(school_db, f"api:{token_id}")[0] == (
        "api:message", school_id(school_db, "THCS-DD"), hoa_id, {"message": day["hoa"]})


def test_another_schools_message_is_404_like_one_that_does_not_exist(client, school_db, make_token, day):
    token_id, dd = make_token("messages", "THCS-DD")
    _, cva = make_token("messages", "THPT-CVA")
    missing = client.get("/api/v1/messages/999999", headers=bearer(dd))
    hidden = client.get(f"/api/v1/messages/{day['an']}", headers=bearer(dd))
    assert missing.status_code == hidden.status_code == 404
    assert hidden.get_json() == {"status": 404, "error": f"no message #{day['an']}"}
    assert client.get(f"/api/v1/messages/{day['stranger']}", headers=bearer(dd)).status_code == 404
    assert client.get(f"/api/v1/messages/{day['hoa']}", headers=bearer(cva)).status_code == 404
    assert client.get(f"/api/v1/messages/{day['an']}", headers=bearer(cva)).get_json()["phone"] == "+84912345678"
    refused = audit_rows(school_db, f"api:{token_id}")
    assert [(a[0], a[3]["message"]) for a in refused] == [("api:refused", day["an"]), ("api:refused", day["stranger"])]


def test_an_operator_token_reads_any_message(client, make_token, day):
    _, secret = make_token("all")
    for key in ("hoa", "an", "stranger"):
        r = client.get(f"/api/v1/messages/{day[key]}", headers=bearer(secret))
        assert r.status_code == 200 and r.get_json()["id"] == day[key]


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
