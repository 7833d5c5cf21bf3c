"""Issue 11, web: sessions, the login limit, hashes, proxies, headers, strict parameters (items 4-6, 10-12, 15, 18, 19)."""
from __future__ import annotations

import threading

import pytest
from werkzeug.security import generate_password_hash

import settings as settings_mod
from store.school import otp
from web import create_app

from .conftest import write_config
from .fixtures_web import STAFF_PASSWORD, csrf_of, login_staff, post_form


def _logout(client):
    return client.post("/logout", data={"csrf_token": csrf_of(client)})


def test_item04_logout_ends_the_session_even_for_a_copied_cookie(web_app, make_staff):
    make_staff("co.lan", "admin", school="THCS-DD")
    client = web_app.test_client()
    login_staff(client, "co.lan")
    cookie = client.get_cookie("sll_session").value
    assert client.get("/staff/").status_code == 200
    _logout(client)
    thief = web_app.test_client()
    thief.set_cookie("sll_session", cookie)
    assert thief.get("/staff/").status_code == 302, "the cookie captured before logout opens nothing"


def test_item04_the_lifetime_is_absolute_and_cookies_secure_over_https(web_app, make_staff, redis_server,
                                                                        web_settings):
    make_staff("co.lan", "admin", school="THCS-DD")
    client = web_app.test_client()
    login_staff(client, "co.lan")
    [key] = [k for k in redis_server.scan_iter(match=web_settings.redis.prefix + "session:*")]
    first_ttl = redis_server.ttl(key)
    assert 0 < first_ttl <= 8 * 3600
    client.get("/staff/")
    assert redis_server.ttl(key) <= first_ttl, "activity does not renew the lifetime"
    assert web_app.config["SESSION_REFRESH_EACH_REQUEST"] is False
    secure = web_app.test_client()
    secure.get("/login", base_url="https://localhost")
    r = secure.post("/login", data={"login": "co.lan", "password": STAFF_PASSWORD, "csrf_token": csrf_of(secure)},
                    base_url="https://localhost")
    assert r.status_code == 302 and "Secure" in r.headers["Set-Cookie"]


def test_item04_secure_cookies_forced_by_the_setting_behind_a_tls_proxy(tmp_path, school_db_path, redis_url,
                                                                         redis_prefix, redis_server, make_staff):
    cfg = write_config(tmp_path / "w.toml", f'[redis]\nurl = "{redis_url}"\nprefix = "{redis_prefix}"\n'
                                            '[web]\nsecure_cookies = true\n', db_path=school_db_path)
    app = create_app(settings_mod.load(cfg, env={"SLL_WEB_SECRET_KEY": "k" * 40}), redis=redis_server)
    make_staff("co.lan", "admin", school="THCS-DD")
    client = app.test_client()                 # plain http: the proxy in front speaks TLS and says nothing
    r = login_staff(client, "co.lan")
    assert r.status_code == 302 and "Secure" in r.headers["Set-Cookie"]


def test_item05_the_typed_login_is_stored_only_as_a_short_hash(client, redis_server, web_settings):
    huge = "x" * 400_000
    r = post_form(client, "/login", {"login": huge, "password": "p"})
    assert r.status_code == 400
    post_form(client, "/login", {"login": "y" * 200, "password": "p"})
    keys = list(redis_server.scan_iter(match=web_settings.redis.prefix + "login:*"))
    assert keys and max(len(k) for k in keys) < 120 and all(b"yyyy" not in k for k in keys)


def test_item06_an_attacker_cannot_lock_the_owner_out_from_another_address(web_app, make_staff):
    make_staff("co.lan", "admin", school="THCS-DD")
    attacker = web_app.test_client()
    for _ in range(6):
        post_form(attacker, "/login", {"login": "co.lan", "password": "wrong"},
                  environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert post_form(attacker, "/login", {"login": "co.lan", "password": STAFF_PASSWORD},
                     environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 429
    owner = web_app.test_client()
    r = post_form(owner, "/login", {"login": "co.lan", "password": STAFF_PASSWORD},
                  environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert r.status_code == 302, "the owner's right password from elsewhere still works"


def test_item06_a_spread_out_attack_meets_the_slower_global_backstop(web_app, make_staff):
    make_staff("co.lan", "admin", school="THCS-DD")
    for n in range(50):                   # 50 addresses, one wrong guess each: no pair and no address limit
        r = post_form(web_app.test_client(), "/login", {"login": "co.lan", "password": "wrong"},
                      environ_base={"REMOTE_ADDR": f"198.18.{n // 200}.{n % 200 + 1}"})
        assert r.status_code == 401, n
    r = post_form(web_app.test_client(), "/login", {"login": "co.lan", "password": "wrong"},
                  environ_base={"REMOTE_ADDR": "198.18.9.9"})
    assert r.status_code == 429, "the 51st attempt on the account from anywhere is held for the window"


def test_item06_a_locked_parents_number_can_still_set_a_password_from_home(web_app, school_db):
    attacker = web_app.test_client()
    for _ in range(6):
        post_form(attacker, "/parent/login", {"phone": "0912345678", "password": "wrong-one"},
                  environ_base={"REMOTE_ADDR": "203.0.113.9"})
    gid = school_db.execute("SELECT id FROM guardians WHERE phone = '+84912345678'").fetchone()[0]
    home = web_app.test_client()
    r = post_form(home, "/parent/password", {"phone": "0912345678", "code": otp.issue(school_db, gid, 600),
                                             "password": "mat-khau-moi"}, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert r.status_code == 302


def test_item10_parallel_guesses_never_pass_the_address_limit(web_app, make_staff):
    for i in range(8):
        make_staff(f"gv{i}", "admin", school="THCS-DD")
    checked, lock = [], threading.Lock()

    def guess(n):
        client = web_app.test_client()
        r = post_form(client, "/login", {"login": f"gv{n % 8}", "password": f"sai-{n}"},
                      environ_base={"REMOTE_ADDR": "203.0.113.50"})
        with lock:
            checked.append(r.status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(45)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert checked.count(401) <= 30, "no more than the address limit reached the password check"


@pytest.mark.parametrize("value", ["²", "٣", "1²", "-1", "1e3"])
def test_item11_integer_parameters_are_parsed_strictly(client, make_staff, value):
    make_staff("co.gv", "teacher", school="THCS-DD", classes=("8A2",))
    login_staff(client, "co.gv")
    assert client.get(f"/staff/entry?class={value}").status_code == 400


def test_item12_a_short_secret_key_is_refused(tmp_path, school_db_path, redis_server):
    cfg = write_config(tmp_path / "w.toml", "", db_path=school_db_path)
    with pytest.raises(settings_mod.ConfigError, match="32 random bytes"):
        create_app(settings_mod.load(cfg, env={"SLL_WEB_SECRET_KEY": "a"}), redis=redis_server)


def test_item12_a_forged_session_for_a_number_without_password_opens_nothing(web_app, school_db):
    gid = school_db.execute("SELECT id FROM guardians WHERE phone = '+84987654321'").fetchone()[0]
    client = web_app.test_client()
    client.get("/parent/login")
    with client.session_transaction() as s:       # signed with the real key: what a leaked key allows
        s.update(guardian_id=gid, pw="", sid="made-up")
    assert client.get("/parent/").status_code == 302


def test_item15_security_headers_and_a_quiet_healthz(client):
    r = client.get("/login")
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert (r.headers["X-Frame-Options"], r.headers["X-Content-Type-Options"]) == ("DENY", "nosniff")
    assert r.headers["Referrer-Policy"] == "same-origin"
    page = r.get_data(as_text=True)
    assert "<style" not in page and " style=" not in page and "<script>" not in page


def _metrics_scraper(tmp_path, school_db_path, redis_url, redis_prefix, redis_server, web: str, env: dict):
    cfg = write_config(tmp_path / f"w{len(web)}.toml", f'[redis]\nurl = "{redis_url}"\nprefix = "{redis_prefix}"\n'
                                                       f'[web]\n{web}', db_path=school_db_path)
    client = create_app(settings_mod.load(cfg, env={"SLL_WEB_SECRET_KEY": "k" * 40, **env}),
                        redis=redis_server).test_client()

    def scrape(addr, **headers):
        return client.get("/metrics", environ_base={"REMOTE_ADDR": addr}, headers=headers).status_code
    return client, scrape


def test_item15_metrics_only_for_a_scrape_on_the_host_or_with_the_token(tmp_path, school_db_path, redis_url,
                                                                         redis_prefix, redis_server):
    fixtures = (tmp_path, school_db_path, redis_url, redis_prefix, redis_server)
    client, scrape = _metrics_scraper(*fixtures, "", {})              # no proxy, no token: the host itself
    assert scrape("127.0.0.1") == 200 and scrape("::1") == 200
    assert scrape("203.0.113.9") == 403
    for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP", "Via"):  # a local proxy saying so
        assert scrape("127.0.0.1", **{header: "for=203.0.113.9"}) == 403, header
    assert client.get("/healthz", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code in (200, 503)
    # nginx on the same host with a bare proxy_pass adds no header: with a proxy configured, a
    # loopback request may be anyone's, so only the token reads /metrics.
    _, scrape = _metrics_scraper(*fixtures, 'trusted_proxies = "127.0.0.1"\n', {})
    assert scrape("127.0.0.1") == 403
    token = "t" * 40
    _, scrape = _metrics_scraper(*fixtures, 'trusted_proxies = "127.0.0.1"\n', {"SLL_WEB_METRICS_TOKEN": token})
    assert scrape("127.0.0.1") == 403, "with a token set, the token is the only key"
    assert scrape("203.0.113.9", Authorization="Bearer wrong") == 403
    assert scrape("203.0.113.9", Authorization=f"Bearer {token}") == 200
    assert scrape("127.0.0.1", Authorization=f"Bearer {token}") == 200


def test_item15_pages_keep_their_styles_under_the_csp_in_a_browser(page, live_server):
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/login")
    background = page.eval_on_selector("header", "e => getComputedStyle(e).backgroundColor")
    assert background == "rgb(29, 78, 137)" and violations == []


def test_item18_forwarded_for_is_believed_only_from_a_trusted_proxy(tmp_path, school_db_path, redis_url,
                                                                      redis_prefix, redis_server, make_staff):
    cfg = write_config(tmp_path / "w.toml", f'[redis]\nurl = "{redis_url}"\nprefix = "{redis_prefix}"\n'
                                            '[web]\ntrusted_proxies = "10.0.0.2"\n', db_path=school_db_path)
    app = create_app(settings_mod.load(cfg, env={"SLL_WEB_SECRET_KEY": "k" * 40}), redis=redis_server)
    make_staff("co.lan", "admin", school="THCS-DD")
    for n in range(31):                   # made-up accounts from many clients behind the proxy
        post_form(app.test_client(), "/login", {"login": f"ai-{n}", "password": "x"},
                  environ_base={"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": f"198.51.100.{n}"})
    real = app.test_client()
    r = post_form(real, "/login", {"login": "co.lan", "password": STAFF_PASSWORD},
                  environ_base={"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "192.0.2.44"})
    assert r.status_code == 302, "the proxy's address is not everyone's"
    for n in range(31):                   # the header from anyone else is ignored
        post_form(app.test_client(), "/login", {"login": f"ai-{n}", "password": "x"},
                  environ_base={"REMOTE_ADDR": "203.0.113.7", "HTTP_X_FORWARDED_FOR": f"198.51.100.{n}"})
    r = post_form(app.test_client(), "/login", {"login": "co.lan", "password": STAFF_PASSWORD},
                  environ_base={"REMOTE_ADDR": "203.0.113.7", "HTTP_X_FORWARDED_FOR": "192.0.2.99"})
    assert r.status_code == 429


def test_item19_argon2id_hashes_and_old_ones_upgraded_at_login(client, make_staff, school_db):
    make_staff("co.lan", "admin", school="THCS-DD")
    assert school_db.execute("SELECT password_hash FROM users WHERE login = 'co.lan'").fetchone()[0] \
        .startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    school_db.execute("UPDATE users SET password_hash = ? WHERE login = 'co.lan'",
                      [generate_password_hash(STAFF_PASSWORD)])
    assert login_staff(client, "co.lan").status_code == 302
    assert school_db.execute("SELECT password_hash FROM users WHERE login = 'co.lan'").fetchone()[0] \
        .startswith("$argon2id$")


def test_item05_the_embedded_redis_has_a_memory_cap(tmp_path):
    from outbox.redisconn import connect
    embedded = connect("", tmp_path)
    try:
        assert int(embedded.config_get("maxmemory")["maxmemory"]) == 256 * 1024 * 1024
        assert embedded.config_get("maxmemory-policy")["maxmemory-policy"] == "noeviction"
    finally:
        embedded.shutdown(nosave=True)
