"""`init`, `backup`, `user add`, `school set`: creating and keeping the database and its accounts."""
from __future__ import annotations

import sqlite3

import click

from store.core import audit, migrate
from store.review import teacher_notices as teacher_notices_store
from store.school import users
from store.core.connection import open_settings_db, transaction
from store.review.teacher_notices import TeacherNotices
from store.core.errors import StoreError

from .context import database_problem, pass_app


@click.command()
@pass_app
def init(app):
    """Create the database, or upgrade it through migrations/ (backing it up first)."""
    s = app.settings
    try:
        s.data_dir.mkdir(parents=True, mode=0o700, exist_ok=True)
        db = open_settings_db(s)
        result = migrate.init(db, s.db_path)
        missing = migrate.missing_tables(db)
    except OSError as e:
        raise click.ClickException(f"{s.data_dir}: cannot create the data folder or database ({e.strerror}): "
                                   "check store.path and the folder's permissions") from e
    except sqlite3.Error as e:
        raise click.ClickException(database_problem(s.db_path, e)) from e
    except StoreError as e:
        raise click.ClickException(str(e)) from e
    if missing:
        raise click.ClickException(f"{s.db_path} lacks table(s) {', '.join(missing)} though it says schema version "
                                   f"{result['to']}: it was damaged; restore a backup (`restore FILE`)")
    if result["action"] == "created":
        click.echo(f"created {s.db_path} (schema version {result['to']})")
    elif result["action"] == "upgraded":
        click.echo(f"upgraded {s.db_path} from version {result['from']} to {result['to']}; "
                   f"backup: {result['backup']}")
    else:
        click.echo(f"{s.db_path} is up to date (schema version {result['to']})")


@click.command()
@click.argument("dest", type=click.Path(dir_okay=False))
@pass_app
def backup(app, dest):
    """Write a consistent online copy of the database to DEST."""
    try:
        path = migrate.backup(app.db, dest)
    except StoreError as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"backed up {app.settings.db_path} to {path}")


@click.group()
def user():
    """Staff accounts."""


@user.command("add")
@click.argument("login")
@click.option("--role", required=True, type=click.Choice([r.value for r in users.Role]))
@click.option("--school", "school_code", help="School code (ma_truong); every role but operator has one.")
@click.option("--class", "class_names", multiple=True, help="A teacher's class (repeatable).")
@click.option("--name", "full_name", help="Full name shown in the UI.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--generate", is_flag=True, help="Generate a password and print it once.")
@pass_app
def user_add(app, login, role, school_code, class_names, full_name, password_stdin, generate):
    """Create a staff account; the password is asked for, or generated and printed once."""
    if password_stdin:
        password = click.get_text_stream("stdin").readline().rstrip("\n")
    elif generate or not click.get_text_stream("stdin").isatty():
        password = users.generate_password()
        generate = True
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        users.add_user(app.db, login, role, password, school_code=school_code,
                       class_names=list(class_names), full_name=full_name)
    except StoreError as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"created {role} {login}" + (f" of {school_code}" if school_code else ""))
    if generate:
        click.echo(f"password (shown once): {password}")


@click.group()
def school():
    """Per-school settings."""


@school.command("set")
@click.argument("code")
@click.option("--absence-alert/--no-absence-alert", default=None,
              help="Text an approved absence at once (not only in the evening digest).")
@click.option("--teacher-notices", type=click.Choice([v.value for v in TeacherNotices]), default=None,
              help="Teachers' announcements to their own classes: direct (gửi ngay), approval (cần duyệt, "
                   "the default) or off (không cho phép).")
@pass_app
def school_set(app, code, absence_alert, teacher_notices):
    """Change a school's settings."""
    if absence_alert is None and teacher_notices is None:
        raise click.UsageError("nothing to change: give --absence-alert/--no-absence-alert or --teacher-notices")
    row = app.db.execute("SELECT id FROM schools WHERE code = ?", [code]).fetchone()
    if row is None:
        raise click.ClickException(f"unknown school {code!r}")
    with transaction(app.db):
        if absence_alert is not None:
            app.db.execute("UPDATE schools SET absence_alert = ? WHERE id = ?", [int(absence_alert), row[0]])
            audit.record(app.db, "cli:school", "school-set", absence_alert=absence_alert, school=code)
            click.echo(f"{code}: absence alerts {'on' if absence_alert else 'off'}")
        if teacher_notices is not None:
            chosen = teacher_notices_store.set_setting(app.db, row[0], teacher_notices)
            audit.record(app.db, "cli:school", "school-set", teacher_notices=chosen.value, school=code)
            click.echo(f"{code}: teachers' announcements {chosen.value} ({chosen.label})")
