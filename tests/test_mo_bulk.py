"""The simulator's bulk MO push (one control call, many texts in flight) and the gateway answering each once."""
from __future__ import annotations

import json
import urllib.request

from .fixtures_gateway import wait_until


def post(url: str, body: dict) -> dict:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def test_a_bulk_push_is_answered_once_per_text(live, make_sim):
    sim = make_sim(control_port=0)
    engine, sim, settings, db = live(sim=sim, sms="mo_dedup_window = 0\nmo_retry_window = 0\ncommands_per_hour = 1000")
    phones = [r[0] for r in db.execute("SELECT phone FROM guardians ORDER BY id LIMIT 20")]
    got = post(sim.control_url + "/mo", {"phones": ["0" + p[3:] for p in phones], "text": "CON", "count": 60,
                                         "window": 20})
    assert got["statuses"] == {"0": 60}
    wait_until(lambda: db.execute("SELECT count(*) FROM inbox WHERE reply_id IS NOT NULL").fetchone()[0] == 60)
    wait_until(lambda: len(sim.submits()) >= 60)
    assert db.execute("SELECT count(*) FROM inbox").fetchone()[0] == 60
    per_phone = {}
    for s in sim.submits():
        per_phone[s["destination_addr"]] = per_phone.get(s["destination_addr"], 0) + 1
    assert sorted(per_phone.values()) == [3] * 20, "three texts each, three answers each"


def test_a_bulk_push_without_phones_is_a_clear_400(make_sim):
    sim = make_sim(control_port=0)
    try:
        post(sim.control_url + "/mo", {"count": 5, "text": "CON"})
    except urllib.error.HTTPError as e:
        assert e.code == 400 and "phones" in json.loads(e.read())["error"]
    else:
        raise AssertionError("accepted a bulk push without phones")
