"""`import KIND FILE`: load a school spreadsheet, all or nothing, with every bad row listed."""
from __future__ import annotations

import sqlite3
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from store.core.clock import now_iso
from store.imports import ImportFileError, ImportReport, ImportRowsError, import_file, registry
from store.imports.labels import count_label

from .context import database_problem

# Beyond this many mapped phones the summary says how many more there are.
NOTES_SHOWN = 50


@contextmanager
def progress_reporter(label: str):
    """A rich progress bar on a terminal; plain lines every 10% otherwise."""
    if sys.stderr.isatty():
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      transient=True) as bar:
            task = bar.add_task(label, total=None)

            def update(done: int, total: int | None) -> None:
                bar.update(task, completed=done, total=max(total or 0, done) or None)
            yield update
        return
    last = {"tenth": 0}

    def plain(done: int, total: int | None) -> None:
        if not total:
            return
        tenth = min(10, done * 10 // total)
        if tenth > last["tenth"]:
            last["tenth"] = tenth
            click.echo(f"{label}: {done}/{total} dòng", err=True)
    yield plain


def summary(report: ImportReport) -> str:
    """'students.csv (students): 40 dòng: 38 thêm mới, 1 cập nhật, 1 không đổi'."""
    keys = ["inserted", "updated", "unchanged"]
    keys += [k for k in sorted(report.counts) if k not in keys]
    parts = [f"{report.counts[k]} {count_label(k)}" for k in keys]
    text = f"{report.file_name} ({report.kind}): {report.rows} dòng: {', '.join(parts)}"
    return text + (" (chạy thử: chưa ghi gì)" if report.dry_run else "")


def echo_notes(report: ImportReport, all_notes: bool) -> None:
    """Each note (a mapped phone, the skipped footer), as 'dòng N: số điện thoại: …'."""
    shown = report.notes if all_notes else report.notes[:NOTES_SHOWN]
    for note in shown:
        click.echo(f"{report.file_name}: {note}")
    if len(report.notes) > len(shown):
        click.echo(f"{report.file_name}: … và {len(report.notes) - len(shown)} ghi chú khác "
                   "(--all-notes liệt kê hết)")


def db_path_of(db) -> str:
    """The file of ``db``."""
    return db.execute("PRAGMA database_list").fetchone()[2]


def run_import(db, kind: str, path: Path, *, dry_run: bool = False, approve: bool = False, replace: bool = False,
               school: str | None = None, all_notes: bool = False, tz: str | None = None) -> ImportReport:
    """Import one file and print its summary; ClickException (exit 1) listing the bad rows."""
    try:
        with progress_reporter(f"{kind} {path.name}") as update:
            report = import_file(db, kind, path, dry_run=dry_run, approve=approve, replace=replace,
                                 school_code=school, imported_by="cli", progress=update, tz=tz)
    except ImportRowsError as e:
        for error in e.report.errors:
            click.echo(f"{path.name}: {error}", err=True)
        hidden = e.report.error_count - len(e.report.errors)
        if hidden > 0:
            click.echo(f"{path.name}: … và {hidden} dòng lỗi khác (chỉ liệt kê {len(e.report.errors)} dòng đầu)",
                       err=True)
        raise click.ClickException(str(e)) from e
    except ImportFileError as e:
        raise click.ClickException(str(e)) from e
    except sqlite3.Error as e:      # a full disk, a read-only folder: the undo log put back what was written
        raise click.ClickException(f"{path.name}: nothing imported: {database_problem(db_path_of(db), e)}") from e
    echo_notes(report, all_notes)
    for line in report.summary:
        click.echo(line)
    click.echo(summary(report))
    return report


def send_first_codes(app, school: str | None, since: str) -> None:
    """After a teachers import: each new account's first one-time code, by SMS, or printed once here."""
    from outbox.account_codes import deliver_invites
    from store.core.connection import transaction
    db = app.db
    school_id = None
    if school:
        row = db.execute("SELECT id FROM schools WHERE code = ?", [school.upper()]).fetchone()
        school_id = row[0] if row else None
    from store.core import audit
    with transaction(db):
        issued = deliver_invites(db, app.settings, actor="cli", school_id=school_id, since=since)
        for i in issued:
            audit.record(db, "cli", "cli:account-code", school_id=school_id, account=i.login, delivery=i.delivery.value)
    texted = [i for i in issued if i.code is None]
    if texted:
        click.echo(f"{len(texted)} tài khoản mới: mã dùng một lần đã nhắn tới số điện thoại của từng giáo viên "
                   f"(hiệu lực {app.settings.sms.otp_validity // 60} phút; trang Tài khoản: “Đặt lại” gửi mã mới)")
    for i in issued:
        if i.code is not None:
            click.echo(f"{i.login} ({i.full_name}): không có số điện thoại; mã dùng một lần {i.code} "
                       "(hiệu lực 24 giờ, chỉ hiện lúc này)")


@click.command("import")
@click.argument("kind", type=click.Choice(registry.names()))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and report the counts; write nothing.")
@click.option("--approve", is_flag=True, help="Approve what is imported now (otherwise it waits for a reviewer).")
@click.option("--replace", is_flag=True, help="guardians: deactivate this year's links the file no longer lists; "
              "teachers: the staff it no longer lists; assignments: that term's rows it no longer lists.")
@click.option("--school", help="Only this school (ma_truong): rows of another school are refused.")
@click.option("--all-notes", is_flag=True, help=f"List every mapped phone (default: the first {NOTES_SHOWN}).")
@click.pass_obj
def import_cmd(app, kind, file, dry_run, approve, replace, school, all_notes):
    """Load a CSV or XLSX file of KIND: all or nothing, every bad row reported."""
    if replace and not registry.find(kind).replaceable:
        which = ", ".join(k.name for k in registry.KINDS if k.replaceable)
        raise click.UsageError(f"--replace only applies to {which}")
    started = now_iso()
    run_import(app.db, kind, file, dry_run=dry_run, approve=approve, replace=replace, school=school,
               all_notes=all_notes, tz=app.settings.sms.timezone)
    if kind == "teachers" and not dry_run:
        send_first_codes(app, school, started)
