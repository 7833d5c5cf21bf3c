"""What every command gets: settings, loaded once, and the database."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

import click

import settings as settings_mod
from store.connection import open_settings_db


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
                raise click.ClickException(f"no database at {path}: run `python run_gateway.py init` first")
            self._db = open_settings_db(self.settings)
            from store.migrate import latest_version, user_version
            if user_version(self._db) != latest_version():
                raise click.ClickException(
                    f"{path} is at schema version {user_version(self._db)}, this program needs {latest_version()}: "
                    "run `python run_gateway.py init` to upgrade it")
        return self._db


    def ring(self) -> None:
        """Wake the senders (a `serve` beside this command: same settings, so the same Redis, embedded or not)."""
        from outbox.redisconn import RedisUnavailable, from_settings
        from outbox.wake import Wake
        try:
            Wake(from_settings(self.settings), self.settings.redis.prefix).ring()
        except RedisUnavailable as e:
            logging.getLogger(__name__).warning("%s; the senders will find the new messages at their next poll", e)


pass_app = click.make_pass_decorator(App)


def setup_logging(verbose: int) -> None:
    """Log to stderr; -v for INFO, -vv for DEBUG."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
