"""A small local HTTP JSON API over a running `Simulator` (stdlib http.server).

    POST /mo      {"phone", "text" | "body_hex", "data_coding", "concat", "source_ton", "wait", …}
                  {"phones": [...] | "phone", "text" | "texts", "count", "window"}  (a bulk push, `window` in
                  flight; with "texts", round k through the phones sends texts[k % len])
    GET  /submits ?dest=&since=&count=&timeout=   (count+timeout wait for that many)
    GET  /stats   GET /binds   GET /config   GET /receipts?since=   GET /pdus?since=   GET /mos?since=
    POST /drop    {"refuse_for": seconds}
    POST /config  {behaviour key: value, …}
"""
from __future__ import annotations

import json
import logging
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from .errors import NoReceiverError, SimConfigError, SimTimeoutError

logger = logging.getLogger(__name__)

MO_KEYS = {"data_coding", "concat", "source_ton", "source_npi", "convert", "esm_class", "destination",
           "part_size", "reverse_parts", "system_id", "wait"}


def jsonable(value):
    """Bytes as hex, datetimes dropped, recursively."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items() if not k.endswith("_dt")}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    return value


def _masked(config: dict) -> dict:
    """The behaviour without its password (the control API may be reachable by others)."""
    if config.get("password") is not None:
        config["password"] = "***"
    return config


class BadRequest(Exception):
    """The request body or query is unusable; ``reason`` says why."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


class _Handler(BaseHTTPRequestHandler):
    server_version = "SLLSimControl/1"
    sim = None  # set on the subclass made per server

    def log_message(self, fmt, *args):  # route http.server's access log to logging
        logger.debug("control %s " + fmt, self.address_string(), *args)

    def _reply(self, status: int, payload) -> None:
        data = json.dumps(jsonable(payload), ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        if not length:
            return {}
        try:
            data = json.loads(self.rfile.read(length))
        except ValueError as e:
            raise BadRequest(f"body is not JSON: {e}") from e
        if not isinstance(data, dict):
            raise BadRequest("body must be a JSON object")
        return data

    def _dispatch(self, routes: dict) -> None:
        url = urlparse(self.path)
        route = routes.get(url.path.rstrip("/") or "/")
        if route is None:
            self._reply(HTTPStatus.NOT_FOUND, {"error": f"no such endpoint {url.path}"})
            return
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        try:
            self._reply(HTTPStatus.OK, route(self, query))
        except (BadRequest, SimConfigError, ValueError, TypeError) as e:
            self._reply(HTTPStatus.BAD_REQUEST, {"error": str(e)})
        except NoReceiverError as e:
            self._reply(HTTPStatus.CONFLICT, {"error": str(e)})
        except SimTimeoutError as e:
            self._reply(HTTPStatus.GATEWAY_TIMEOUT, {"error": str(e)})

    def do_GET(self):
        self._dispatch({"/submits": _Handler.get_submits, "/stats": lambda h, q: h.sim.stats(),
                        "/binds": lambda h, q: {"binds": h.sim.binds()},
                        "/config": lambda h, q: _masked(h.sim.behaviour.to_dict()),
                        "/receipts": lambda h, q: {"receipts": h.sim.receipts(int(q.get("since", 0)))},
                        "/mos": lambda h, q: {"mos": h.sim.mos(int(q.get("since", 0)))},
                        "/pdus": lambda h, q: {"pdus": h.sim.pdu_log(int(q.get("since", 0)))},
                        "/": lambda h, q: {"smpp_port": h.sim.port, "system_id": h.sim.system_id}})

    def do_POST(self):
        self._dispatch({"/mo": _Handler.post_mo, "/drop": _Handler.post_drop, "/config": _Handler.post_config})

    def get_submits(self, q: dict) -> dict:
        since = int(q.get("since", 0))
        dest = q.get("dest") or None
        if "count" in q:
            recs = self.sim.wait_for_submits(dest, int(q["count"]), float(q.get("timeout", 10)), since)
        else:
            recs = self.sim.submits(dest, since)
        return {"submits": recs, "next": self.sim.submit_count()}

    def post_mo(self, _q: dict) -> dict:
        body = self._body()
        if "count" in body or "phones" in body:
            return self._post_mo_many(body)
        if "phone" not in body:
            raise BadRequest("phone is required")
        kwargs = {k: body[k] for k in MO_KEYS if k in body}
        if "body_hex" in body:
            kwargs["body"] = bytes.fromhex(body["body_hex"])
        if "tlvs" in body:
            kwargs["tlvs"] = [(int(tag), bytes.fromhex(value)) for tag, value in body["tlvs"]]
        since = self.sim.submit_count()
        statuses = self.sim.push_mo(body["phone"], body.get("text"), **kwargs)
        return {"statuses": statuses, "submits_since": since}

    def _post_mo_many(self, body: dict) -> dict:
        phones = body.get("phones") or ([body["phone"]] if "phone" in body else None)
        texts = body.get("texts") or ([body["text"]] if "text" in body else None)
        if not phones or not isinstance(phones, list) or not texts or not isinstance(texts, list):
            raise BadRequest("a bulk push needs phone (or phones, a list) and text (or texts, a list)")
        count = body.get("count")
        if count is not None and (not isinstance(count, int) or count < 1):
            raise BadRequest("count must be a positive integer")
        kwargs = {k: body[k] for k in ("data_coding", "source_ton", "source_npi", "destination") if k in body}
        since = self.sim.submit_count()
        result = self.sim.push_mo_many(phones, texts, count=count, window=int(body.get("window", 50)),
                                       wait=float(body.get("wait", 0)), **kwargs)
        return {**result, "submits_since": since}

    def post_drop(self, _q: dict) -> dict:
        body = self._body()
        return {"dropped": self.sim.drop_connections(body.get("refuse_for"))}

    def post_config(self, _q: dict) -> dict:
        return _masked(self.sim.configure(**self._body()).to_dict())


class ControlServer:
    """The HTTP control API of one simulator, served from a daemon thread."""

    def __init__(self, sim, host: str = "127.0.0.1", port: int = 0):
        handler = type("Handler", (_Handler,), {"sim": sim})
        self._httpd = ThreadingHTTPServer((host, port), handler)
        self._httpd.daemon_threads = True
        self.host = host
        self.port = self._httpd.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:2776."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> "ControlServer":
        """Serve in the background; returns self."""
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="smsc-sim-control", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(5)
