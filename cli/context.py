"""What every command gets: settings, loaded once, and the database."""
from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field

import click

import settings as settings_mod
from store.core.connection import open_settings_db


@dataclass
class App:
    """Lazily loaded settings and database for one CLI invocation."""

    config_path: str | None
    _settings: settings_mod.Settings | None = field(default=None, repr=False)
    _db: object = field(default=None, repr=False)

    @property
    def settings(self) -> settings_mod.Settings:
        if self._settings is None:
            try:
                self._settings = settings_mod.load(self.config_path)
            except settings_mod.ConfigError as e:
                raise click.ClickException(str(e)) from e
        return self._settings

    def require(self, *secrets: str) -> None:
        """Stop with a clear message unless the named secrets are set."""
        try:
            self.settings.require_secrets(*secrets)
        except settings_mod.ConfigError as e:
            raise click.ClickException(str(e)) from e

    @property
    def db(self):
        """The database, which must have been created by `init`."""
        if self._db is None:
            path = self.settings.db_path
            if not path.exists():
                self._use_running_demo(path)
                path = self.settings.db_path
            from store.core.migrate import latest_version, user_version
            try:
                self._db = open_settings_db(self.settings)
                version = user_version(self._db)
            except sqlite3.Error as e:
                raise click.ClickException(database_problem(path, e)) from e
            if version > latest_version():
                raise click.ClickException(
                    f"{path} is at schema version {version}, made by a newer version of this program (which "
                    f"knows {latest_version()}): run that newer version, or restore a backup of this version")
            if version != latest_version():
                raise click.ClickException(
                    f"{path} is at schema version {version}, this program needs {latest_version()}: "
                    "run `python run_gateway.py init` to upgrade it")
        return self._db


    def _use_running_demo(self, missing) -> None:
        """No database where the config says: the running demo's, unless SLL_STORE_PATH was given."""
        import os

        from . import demo_marker
        demo = None if os.environ.get("SLL_STORE_PATH") else demo_marker.running_store()
        if demo is None:
            raise click.ClickException(demo_marker.hint(missing))
        click.echo(f"(using the running demo's database {demo})", err=True)
        try:
            self._settings = settings_mod.load(self.config_path, env={**os.environ, "SLL_STORE_PATH": str(demo)})
        except settings_mod.ConfigError as e:
            raise click.ClickException(str(e)) from e

    def ring(self) -> None:
        """Wake the senders (a `serve` beside this command: same settings, so the same Redis, embedded or not)."""
        from outbox.redisconn import RedisUnavailable, embedded_running, from_settings
        from outbox.wake import Wake
        if not self.settings.redis.url and not embedded_running(self.settings.data_dir):
            # No embedded server, so no sender waits on one: starting a server only to ring it costs ~0.3 s
            # and wakes nobody (a gateway started later claims what is due at once).
            return
        try:
            Wake(from_settings(self.settings), self.settings.redis.prefix).ring()
        except RedisUnavailable as e:
            logging.getLogger(__name__).warning("%s; the senders will find the new messages at their next poll", e)


pass_app = click.make_pass_decorator(App)


def database_problem(path, e: Exception) -> str:
    """One line naming the database file, what is wrong with it and what to do."""
    text = str(e)
    if "not a database" in text or "malformed" in text:
        return f"{path} is not an SQLite database ({text}): check store.path, or restore a backup"
    if "readonly" in text or "unable to open" in text:
        return f"{path} cannot be opened for writing ({text}): check the folder's permissions (the service's user)"
    if "disk is full" in text or "disk I/O" in text:
        return f"{path}: the disk is full or failing ({text}): free space, then try again; nothing was half-written"
    return f"{path}: {text}"


def setup_logging(verbose: int) -> None:
    """Log to stderr; -v for INFO, -vv for DEBUG."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
