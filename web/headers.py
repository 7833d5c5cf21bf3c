"""Security headers on every response: a strict CSP, no framing, no sniffing, no referrer to other sites.

Pages have no inline script or style (CSS and JS are static files), so the
CSP allows only this site's own.
"""
from __future__ import annotations

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def add_headers(response):
    """after_request: the headers above, unless a view set its own."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response
