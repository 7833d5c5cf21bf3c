"""A staff account's one-time code never appears in a log, a page, a header, the session or the audit log (SPEC §12).

Every way a code is made runs once here: a teachers upload (texted and shown), add with and without a
phone, reset with and without a phone, MK texted from a staff phone (stored and answered as the gateway
does), and a first login with a wrong and then the right code. Logs are captured at DEBUG for every logger;
every response body and header is kept. The only place a code may appear is the one page that shows a
phoneless account's code to the admin who made it, once.
"""
from __future__ import annotations

import json
import logging
import re

import pytest

from demo.staff import SHOWCASE_TEACHER
from gateway.answering import MoAnswerer
from store.core.clock import local_today
from store.messaging import inbox, retention
from store.school.phones import mask, normalise

from .fixtures_imports import write_xlsx
from .fixtures_web import csrf_of, login_staff

TEACHER_PHONE = "+84911222333"


class Recorder:
    """A test client wrapper keeping every response's status, headers and body."""

    def __init__(self, client):
        self.client, self.seen = client, []

    def get(self, url, **kw):
        return self._keep(url, self.client.get(url, **kw))

    def post(self, url, data=None, **kw):
        self.client.get("/staff/") if "/first-login" not in url else self.client.get(url)
        data = {**(data or {}), "csrf_token": csrf_of(self.client)}
        return self._keep(url, self.client.post(url, data=data, **kw))

    def _keep(self, url, response):
        headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        self.seen.append((url, response.status_code, headers, _text_of(response)))
        return response


def _text_of(response) -> str:
    """A page's HTML, or every cell of a spreadsheet download."""
    if "spreadsheetml" not in response.headers.get("Content-Type", ""):
        return response.get_data(as_text=True)
    import io

    import openpyxl
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()), read_only=True)
    return "\n".join(" ".join(str(c) for c in row) for ws in book.worksheets for row in ws.iter_rows(values_only=True))


def _shown(response) -> str:
    """The code an account page or an upload shows once (8 digits)."""
    html = response.get_data(as_text=True)
    found = re.findall(r'id="shown-code">(\d{8})<', html) + re.findall(r'<td class="code">(\d{8})</td>', html)
    assert len(found) == 1, html
    assert response.headers["Cache-Control"] == "no-store"
    return found[0]


def _texted(db) -> list[str]:
    """The 6-digit codes of every staff code SMS (the message body is the only copy, until it expires)."""
    bodies = [r[0] for r in db.execute("SELECT body FROM messages WHERE body IS NOT NULL")]
    return [c for b in bodies for c in re.findall(r"Ma dang nhap So lien lac: (\d{6}) ", b)]


def _uid(db, login):
    return db.execute("SELECT id FROM users WHERE login = ?", [login]).fetchone()[0]


def _mk_by_sms(db, settings, phone: str) -> None:
    """A staff phone texts MK: stored in the inbox and answered into the outbox as the gateway does."""
    inbox_id, _ = inbox.store_mo(db, connection="default", source_addr=phone.lstrip("+"), phone=normalise(phone),
                                 text="MK", data_coding=0, key=f"mk-{phone}", dedup_window_s=0)
    assert MoAnswerer(None, settings, None).answer_one(db, inbox_id)


def _upload_teachers(web, tmp_path):
    file = write_xlsx(tmp_path / "giaovien.xlsx", [
        ["DANH SÁCH CÁN BỘ"], [], ["Mã trường", "Mã cán bộ", "Họ và tên", "Số điện thoại", "Chức vụ"],
        ["THCS-DD", "GV-S1", "Đinh Văn Hải", "0916 111 222", "Giáo viên"],
        ["THCS-DD", "GV-S2", "Lại Thị Hồng", "", "Văn thư"]])
    with open(file, "rb") as fh:
        preview = web.post("/staff/imports", {"kind": "teachers", "file": (fh, "giaovien.xlsx")},
                           content_type="multipart/form-data")
    token = re.search(r'name="token" value="([^"]+)"', preview.get_data(as_text=True)).group(1)
    return web.post("/staff/imports/confirm", {"token": token})


def _make_every_kind_of_code(web, db, settings, tmp_path) -> list[tuple[str, int]]:
    """Codes from every path; returns (code, index of the one response allowed to show it)."""
    shown = [(_shown(_upload_teachers(web, tmp_path)), len(web.seen) - 1)]
    web.post("/staff/accounts", {"code": "GV-S3", "full_name": "Đỗ Minh Tâm", "phone": "0913 999 888",
                                 "position": "gv"})
    shown.append((_shown(web.post("/staff/accounts", {"code": "GV-S4", "full_name": "Vũ Thị Nga",
                                                      "position": "dieu_phoi"})), len(web.seen) - 1))
    web.post(f"/staff/accounts/{_uid(db, 'dd-gv001.thcs-dd')}/reset")
    shown.append((_shown(web.post(f"/staff/accounts/{_uid(db, 'gv-s2.thcs-dd')}/reset")), len(web.seen) - 1))
    _mk_by_sms(db, settings, TEACHER_PHONE)
    return shown


def _first_logins(web, shown_code: str) -> None:
    """A wrong code, then the right one (a new session), then a few pages of the new account."""
    form = {"login": "gv-s4.thcs-dd", "password": "mat-khau-moi-1", "password2": "mat-khau-moi-1"}
    wrong = "00000000" if shown_code != "00000000" else "11111111"
    assert web.post("/staff/first-login", {**form, "code": wrong}).status_code == 400
    ok = web.post("/staff/first-login", {**form, "code": f" {shown_code[:4]} {shown_code[4:]} "})
    assert ok.status_code == 302
    web.get(ok.headers["Location"])


def _redis_text(redis, prefix: str) -> str:
    out = []
    for key in redis.scan_iter(f"{prefix}*"):
        kind = redis.type(key)
        value = redis.get(key) if kind in (b"string", "string") else redis.dump(key)
        out.append(f"{key!r}={value!r}")
    return "\n".join(out)


def _absent(code: str, text: str) -> bool:
    return re.search(rf"(?<!\d){code}(?!\d)", text) is None


@pytest.fixture
def admin_web(client, make_staff):
    make_staff("ad.dd", "admin", "THCS-DD")
    login_staff(client, "ad.dd")
    return Recorder(client)


def test_the_one_time_code_never_appears_in_a_log_a_page_or_the_audit_log(admin_web, web_app, web_settings,
                                                                           school_db, redis_server, caplog,
                                                                           tmp_path):
    caplog.set_level(logging.DEBUG)
    web = admin_web
    shown = _make_every_kind_of_code(web, school_db, web_settings, tmp_path)
    texted = _texted(school_db)
    assert len(texted) == 4 and len(shown) == 3       # upload, add, reset, MK by SMS; upload, add, reset
    with web.client.session_transaction() as s:
        admin_session = json.dumps(dict(s), default=str)
    day = local_today(web_settings.sms.timezone).isoformat()
    for url in ("/staff/accounts", "/staff/accounts?q=GV-S", f"/staff/accounts/{_uid(school_db, 'gv-s4.thcs-dd')}",
                f"/staff/accounts/{_uid(school_db, 'dd-gv001.thcs-dd')}", f"/staff/delivery?date={day}",
                f"/staff/inbox?date={day}", "/staff/inbox?q=Ma+dang+nhap", "/staff/inbox.xlsx", "/staff/"):
        assert web.get(url).status_code == 200, url
    login_form = web_app.test_client()
    _first_logins(Recorder(login_form), shown[1][0])
    with login_form.session_transaction() as s:
        teacher_session = json.dumps(dict(s), default=str)

    logs = caplog.text + "\n".join(str(r.args) for r in caplog.records)
    audit = "\n".join(str(tuple(r)) for r in school_db.execute("SELECT * FROM audit_log"))
    stored = "\n".join(str(tuple(r)) for r in school_db.execute("SELECT * FROM account_codes"))
    elsewhere = "\n".join([logs, audit, stored, admin_session, teacher_session,
                           _redis_text(redis_server, web_settings.redis.prefix)])
    for code in texted + [c for c, _ in shown]:
        assert _absent(code, elsewhere), code
    pages = [(i, f"{url} {status}\n{headers}\n{body}") for i, (url, status, headers, body) in enumerate(web.seen)]
    for code in texted:
        assert all(_absent(code, text) for _, text in pages), code
    for code, allowed in shown:
        assert [i for i, text in pages if not _absent(code, text)] == [allowed], code
    assert "web:first-login" in audit and "web:account-reset" in audit and "web:account-code" in audit
    [(actor, detail)] = school_db.execute(
        "SELECT actor, detail FROM audit_log WHERE action = 'sms:account-code'").fetchall()
    assert json.loads(detail) == {"account": "dd-gv001.thcs-dd", "delivery": "sms", "phone": mask(TEACHER_PHONE)}

    school_db.execute("UPDATE messages SET state = 'delivered' WHERE kind = 'otp'")
    assert retention.purge_codes(school_db, -1) == 4 and _texted(school_db) == []   # its text goes once it expired


def test_a_staff_code_sms_through_the_real_gateway_leaves_no_trace_in_its_logs(live, caplog):
    """The MK reply of a staff phone, answered and sent over SMPP: nothing of ours logs the code, even at DEBUG."""
    caplog.set_level(logging.DEBUG)
    engine, sim, settings, db = live()
    sim.push_mo(TEACHER_PHONE.lstrip("+"), "MK")
    sub = sim.wait_for_submits(dest=TEACHER_PHONE.lstrip("+"), count=1, timeout=10)[0]
    code = re.search(r": (\d{6}) ", sub["text"]).group(1)
    assert SHOWCASE_TEACHER[0].lower() in sub["text"]
    ours = [r for r in caplog.records if not r.name.startswith(("sim", "smpp34"))]
    assert ours, "the gateway logged nothing at DEBUG: the check would prove nothing"
    text = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in ours)
    assert _absent(code, text)
