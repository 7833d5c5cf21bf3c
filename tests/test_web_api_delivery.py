"""The JSON API's reads: GET /api/v1/delivery (a day of one school or all, filters, pages, audit) and GET /api/v1/messages/<id>."""
from __future__ import annotations

import pytest

from store.messaging import reports

from .builders import school_id
from .fixtures_api import CREATED, DAY, HOA, TZ, audit_rows, bearer


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
