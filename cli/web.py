"""`web`: the Flask UI and JSON API under waitress (a pure-Python production WSGI server), until SIGTERM."""
from __future__ import annotations

import logging
import os
import signal

import click

from .context import pass_app
from .runtime import open_redis

logger = logging.getLogger(__name__)


def web_url(app_settings) -> str:
    """Where `web` listens (web.host, web.port), as a URL."""
    host = app_settings.web.host
    return f"http://{'[' + host + ']' if ':' in host else host}:{app_settings.web.port}"


def _stop_on_signals() -> None:
    """SIGTERM (and Ctrl-C, unless supervised) stops the server.

    waitress's loop ends on SystemExit raised in the main thread, then lets
    the requests being served finish (up to 5 s) before it returns.
    """
    def handler(signum, frame):
        logger.info("signal %s: shutting down", signum)
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, handler)
    # Under `serve` Ctrl-C reaches the whole group; the supervisor stops its children with SIGTERM.
    signal.signal(signal.SIGINT, signal.SIG_IGN if os.environ.get("SLL_SUPERVISED") else handler)


@click.command()
@click.option("--threads", type=click.IntRange(1), default=8, show_default=True,
              help="Requests served at the same time.")
@pass_app
def web(app, threads):
    """The staff and parent web UI, the JSON API, /healthz and /metrics on web.host:web.port."""
    import waitress

    from web import create_app
    app.require("web.secret_key")
    app.db  # fail early on a missing or old database
    flask_app = create_app(app.settings, redis=open_redis(app))
    host, port = app.settings.web.host, app.settings.web.port
    try:
        server = waitress.create_server(flask_app, host=host, port=port, threads=threads, ident="sll-gateway")
    except OSError as e:
        raise click.ClickException(f"cannot listen on {host}:{port} (web.host, web.port): {e}") from e
    url = web_url(app.settings)
    click.echo(f"web: serving {url}/ (health: {url}/healthz, metrics: {url}/metrics)", err=True)
    _stop_on_signals()
    server.run()        # returns after SIGTERM, once the requests in progress are answered
    server.close()
    click.echo("web: stopped", err=True)
