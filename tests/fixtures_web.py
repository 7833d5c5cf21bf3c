"""Web fixtures: the app on the demo school with a real Redis, a test client, staff accounts,
the app served on a free port, and headless Chromium (Debian's, driven by Playwright)."""
from __future__ import annotations

import re
import shutil
import threading
from html import unescape

import pytest
from werkzeug.serving import make_server

import settings as settings_mod
from store.school import users
from web import create_app

from .conftest import write_config

STAFF_PASSWORD = "correct-horse-1"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def web_settings(tmp_path, school_db_path, redis_url, redis_prefix):
    cfg = write_config(tmp_path / "web.toml", f'[redis]\nurl = "{redis_url}"\nprefix = "{redis_prefix}"\n',
                       db_path=school_db_path)
    return settings_mod.load(cfg, env={"SLL_WEB_SECRET_KEY": "test-secret-key-of-at-least-32-bytes"})


@pytest.fixture
def web_app(web_settings, redis_server):
    app = create_app(web_settings, redis=redis_server)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(web_app):
    return web_app.test_client()


@pytest.fixture
def make_staff(school_db):
    """``make_staff(login, role, school=None, classes=())`` -> the login (password STAFF_PASSWORD)."""
    def make(login: str, role: str, school: str | None = None, classes: tuple[str, ...] = ()) -> str:
        users.add_user(school_db, login, role, STAFF_PASSWORD, school_code=school, class_names=list(classes))
        return login
    return make


def csrf_of(client) -> str:
    """The CSRF token of the client's session (after any GET)."""
    with client.session_transaction() as s:
        return s.get("csrf_token") or ""


def post_form(client, url: str, data: dict, **kw):
    """POST a form the way the browser does: GET first for the session's CSRF token."""
    client.get(url if not kw.get("get_from") else kw.pop("get_from"))
    return client.post(url, data={**data, "csrf_token": csrf_of(client)}, **kw)


def login_staff(client, login: str, password: str = STAFF_PASSWORD):
    return post_form(client, "/login", {"login": login, "password": password})


def menu_labels(client) -> list[str]:
    """The labels of the staff menu (the page's <nav>) as the logged-in account sees it."""
    page = client.get("/staff/").get_data(as_text=True)
    nav = re.search(r"<nav[^>]*>(.*?)</nav>", page, re.S).group(1)
    return [unescape(label) for label in re.findall(r"<a [^>]*>([^<]+)</a>", nav)]


def page_text(response) -> str:
    """A response's page as plain text: tags dropped, entities read, spaces folded."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


@pytest.fixture
def live_server(web_app):
    """The app served by werkzeug on a free port in a thread: its base URL."""
    server = make_server("127.0.0.1", 0, web_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="session")
def chromium():
    """Headless Debian Chromium under Playwright (no browser download: `./dev` installs the package)."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context()
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


def nav_click(page, selector: str) -> None:
    """Click a menu link the way a person does: on a phone the menu folds behind its button first."""
    button = page.locator("label.menu-button")
    if button.count() and button.is_visible() and not page.locator(selector).first.is_visible():
        button.click()
    page.click(selector)
