"""X-Forwarded-For and -Proto believed only from the configured reverse proxies (``web.trusted_proxies``).

Behind a proxy every client has the proxy's address: the login limit would
lock everyone out together. Werkzeug's ProxyFix reads the headers, but from
anyone; this wrapper lets it only for requests whose peer is a listed proxy,
so a client cannot claim another address by sending the header itself.
"""
from __future__ import annotations

from werkzeug.middleware.proxy_fix import ProxyFix


class TrustedProxies:
    """WSGI middleware: ProxyFix (one hop) for requests from ``trusted`` addresses, the plain app for others."""

    def __init__(self, app, trusted: set[str]):
        self.plain = app
        self.fixed = ProxyFix(app, x_for=1, x_proto=1)
        self.trusted = trusted

    def __call__(self, environ, start_response):
        app = self.fixed if environ.get("REMOTE_ADDR") in self.trusted else self.plain
        return app(environ, start_response)


def parse(value: str) -> set[str]:
    """The addresses of ``web.trusted_proxies`` ("10.0.0.2, 10.0.0.3")."""
    return {a.strip() for a in value.split(",") if a.strip()}
