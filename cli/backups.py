"""`serve`'s online backups every store.backup_every, and the `restore FILE` command."""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import click

from store.core import backups
from store.core.connection import open_settings_db
from store.core.errors import StoreError

from .context import pass_app

logger = logging.getLogger(__name__)


class BackupSchedule:
    """Takes a backup when the newest one is older than store.backup_every, on its own thread."""

    def __init__(self, settings):
        self.settings = settings
        self.every = settings.store.backup_every
        self.folder = backups.backup_dir(settings)
        self.keep = settings.store.backup_keep
        self.taken: list[Path] = []
        self.failures = 0
        self._thread: threading.Thread | None = None
        self._not_before = 0.0

    def due(self) -> bool:
        """Whether a backup should start now (none running, none failing recently, the newest too old)."""
        if self.every <= 0 or (self._thread and self._thread.is_alive()) or time.monotonic() < self._not_before:
            return False
        newest = backups.listing(self.folder)
        return not newest or time.time() - newest[-1].stat().st_mtime >= self.every

    def tick(self) -> bool:
        """Start a backup when one is due; whether it started."""
        if not self.due():
            return False
        self._thread = threading.Thread(target=self.run, name="backup", daemon=True)
        self._thread.start()
        return True

    def run(self) -> Path | None:
        """Take one backup now (the folder, the check and the retention of the settings)."""
        db = None
        try:
            db = open_settings_db(self.settings)
            path = backups.take(db, self.folder, self.keep)
        except Exception as e:    # a full disk, a locked file: serve goes on; logged and retried later
            self.failures += 1
            self._not_before = time.monotonic() + min(self.every, 300)
            logger.error("backup into %s failed (%s); retrying in %d s", self.folder, e, min(self.every, 300))
            return None
        finally:
            if db is not None:
                db.conn.close()
        self.taken.append(path)
        logger.info("backup %s written and checked", path)
        return path

    def join(self, timeout: float | None = None) -> None:
        if self._thread:
            self._thread.join(timeout)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_app
def restore(app, file, yes):
    """Put backup FILE in place of the database (checked first; the service must be stopped)."""
    target = app.settings.db_path
    try:
        version = backups.verify(Path(file))
        if not yes:
            click.confirm(f"replace {target} with {file} (schema version {version})?", abort=True)
        result = backups.restore(Path(file), target)
    except StoreError as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"restored {target} from {file} (schema version {result['version']})")
    if result["kept"]:
        click.echo(f"the replaced database is kept as {result['kept']}")
    if result["upgrade"]:
        click.echo("the backup is older than this program: run `init` to upgrade it before `serve`")
