"""One SQLite connection per request, and the app's settings and Redis."""
from __future__ import annotations

from flask import Flask, current_app, g

from store.core.connection import open_settings_db


def settings():
    """The settings the app was created with."""
    return current_app.extensions["sll.settings"]


def redis():
    """The app's Redis connection."""
    return current_app.extensions["sll.redis"]


def get_db():
    """This request's database connection (opened on first use, closed at teardown)."""
    if "db" not in g:
        g.db = open_settings_db(settings())
    return g.db


def _close(exc=None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.conn.close()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(_close)
