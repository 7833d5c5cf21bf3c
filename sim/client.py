"""Talk to a running simulator's HTTP control API (what `sim mo` uses)."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

from . import concat
from .errors import NoReceiverError, SimError, SimNotRunningError, SimTimeoutError

DEFAULT_URL = "http://127.0.0.1:2776"
SETTLE = 0.5  # seconds to wait for more reply messages after the first complete one


class ControlClient:
    """Thin JSON client of `sim/control.py`."""

    def __init__(self, url: str = DEFAULT_URL):
        self.url = url.rstrip("/")

    def _request(self, method: str, path: str, body: dict | None = None, timeout: float = 10.0) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return json.loads(resp.read())
        except urllib.error.HTTPError as e:
            try:
                message = json.loads(e.read()).get("error", e.reason)
            except ValueError:
                message = e.reason
            if e.code == 409:
                raise NoReceiverError(None) from e
            if e.code == 504:
                raise SimTimeoutError(message, timeout) from e
            raise SimError(f"{method} {path}: HTTP {e.code}: {message}") from e
        except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
            reason = getattr(e, "reason", e)
            raise SimNotRunningError(self.url, str(reason)) from e

    def push_mo(self, phone: str, text: str, **options) -> dict:
        """POST /mo; returns {"statuses": [...], "submits_since": n}."""
        wait = float(options.get("wait", 0))
        return self._request("POST", "/mo", {"phone": phone, "text": text, **options}, timeout=wait + 35)

    def submits(self, dest: str | None = None, since: int = 0, count: int | None = None,
                timeout: float = 10.0) -> list[dict]:
        """GET /submits (waiting for ``count`` when given)."""
        query = {"since": since}
        if dest:
            query["dest"] = dest
        if count is not None:
            query.update(count=count, timeout=timeout)
        return self._request("GET", "/submits?" + urlencode(query), timeout=timeout + 5)["submits"]

    def stats(self) -> dict:
        """GET /stats."""
        return self._request("GET", "/stats")

    def configure(self, **changes) -> dict:
        """POST /config."""
        return self._request("POST", "/config", changes)

    def drop(self, refuse_for: float | None = None) -> dict:
        """POST /drop."""
        return self._request("POST", "/drop", {"refuse_for": refuse_for})

    def binds(self) -> list[dict]:
        """GET /binds."""
        return self._request("GET", "/binds")["binds"]


def ask(phone: str, text: str, url: str = DEFAULT_URL, timeout: float = 10.0) -> list[str]:
    """Deliver ``text`` from ``phone`` and return the reply texts sent back to ``phone``.

    Waits (within ``timeout``) for a receiver bind, then for the first
    complete reply (concatenated parts reassembled), then briefly for more.
    """
    client = ControlClient(url)
    deadline = time.monotonic() + timeout
    pushed = client.push_mo(phone, text, wait=timeout)
    since, seen = pushed["submits_since"], 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise SimTimeoutError("no reply", timeout)
        try:
            recs = client.submits(phone, since, count=seen + 1, timeout=min(left, 1.0))
        except SimTimeoutError:
            continue
        seen = len(recs)
        if concat.reassemble(recs):
            time.sleep(min(SETTLE, max(0.0, deadline - time.monotonic())))
            return concat.reassemble(client.submits(phone, since))
