"""Spreadsheet imports from the web (SPEC §8 imports upload, §6 import formats).

- GET /staff/imports: the form: the KIND of file, the file, and for guardians
  the `--replace` choice.
- POST /staff/imports: the file is kept under ``<data dir>/uploads/<token>/``
  (a random token, remembered in the session only) and run as a dry run of
  the real import (store.imports.import_file): the page shows the counts, the
  mapped phones and every bad row as the CLI reports them, and a confirm
  button when nothing is wrong. A school admin's file must touch only their
  school (store.imports.scope); operators import for any school.
- POST /staff/imports/confirm: the real import of the kept file, pending
  approval as from the CLI without --approve; the file is deleted after it,
  and any kept file is deleted after an hour.

Every run is written to audit_log (actor: the staff login); a real import is
recorded in import_batches with the login as ``imported_by``.
"""
from __future__ import annotations

import hmac
import os
import re
import secrets
import shutil
import time
from pathlib import Path

from flask import (Blueprint, current_app, flash, g, make_response, redirect, render_template, request, session,
                   url_for)
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import secure_filename

from store.core import audit
from store.core.clock import now_iso
from store.imports.labels import COUNT_LABELS
from store.imports import ImportFileError, ImportReport, ImportRowsError, import_file, registry
from store.imports.scope import keep_own, rows_outside
from store.core.text import fold

from .auth import staff_required
from .db import get_db, settings
from .menu import MenuEntry

bp = Blueprint("uploads", __name__, url_prefix="/staff")
MENU = (MenuEntry("uploads.upload", "Nhập dữ liệu"),)

IMPORTERS = ("admin", "operator")
KEEP_S = 3600                 # a previewed file waits this long for its confirmation
NOTES_SHOWN = 50              # as the CLI: the first mapped phones, then how many more
SESSION_KEY = "upload"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
MAX_NAME = 120


# -- the kept file -------------------------------------------------------------------------------------------------
def _root() -> Path:
    return settings().data_dir / "uploads"


def safe_name(raw: str) -> str:
    """The uploaded file's name without accents, folders or odd characters: 'Điểm HK1.xlsx' -> 'Diem_HK1.xlsx'."""
    last = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]     # old browsers send C:\...\name.csv
    name = secure_filename(fold(last))
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    suffix = suffix[:10]
    stem = stem[:MAX_NAME] or "tep"
    return f"{stem}.{suffix}" if suffix else stem


def _folder(token: str) -> Path | None:
    """The folder of a token made here (never a path a client sent)."""
    return _root() / token if _TOKEN.fullmatch(token or "") else None


def _discard(pending: dict | None) -> None:
    folder = _folder(pending.get("token", "")) if pending else None
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def _sweep() -> None:
    """Delete kept files older than KEEP_S (previews nobody confirmed)."""
    root = _root()
    if not root.is_dir():
        return
    cutoff = time.time() - KEEP_S
    for folder in root.iterdir():
        if folder.is_dir() and _TOKEN.fullmatch(folder.name) and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


def _keep(upload) -> tuple[str, Path]:
    token = secrets.token_urlsafe(24)
    folder = _root() / token
    _root().mkdir(parents=True, mode=0o700, exist_ok=True)
    folder.mkdir(mode=0o700)
    path = folder / safe_name(upload.filename)
    # Children's data: readable by the service's user only (0600), whatever the umask.
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as fh:
        upload.save(fh)
    return token, path


def _pending_path() -> tuple[dict, Path] | None:
    """The session's kept file when the form's token is the session's, it is fresh and still there."""
    pending = session.get(SESSION_KEY)
    if not isinstance(pending, dict):
        return None
    folder = _folder(pending.get("token", ""))
    sent = request.form.get("token", "")
    if folder is None or not hmac.compare_digest(sent.encode(), str(pending["token"]).encode()):
        return None
    if time.time() - float(pending.get("at", 0)) > KEEP_S:
        return None
    path = folder / safe_name(pending.get("name", ""))
    return (pending, path) if path.is_file() else None


# -- running the import --------------------------------------------------------------------------------------------
def _own_school() -> str | None:
    """The ma_truong an admin is limited to; None for an operator."""
    if g.staff.school_id is None:
        return None
    return get_db().execute("SELECT code FROM schools WHERE id = ?", [g.staff.school_id]).fetchone()[0]


def _run(kind: str, path: Path, *, replace: bool, dry_run: bool, only_mine: bool = False) -> dict:
    """The import (or its dry run) as the template shows it: report, errors, foreign rows or the file's fault.

    ``only_mine``: an admin's file that mixes schools is imported without the other schools' rows (a copy
    beside the kept file), and the page says how many were skipped.
    """
    db = get_db()
    school = _own_school()
    outcome: dict = {"kind": kind, "file_name": path.name, "replace": replace, "dry_run": dry_run,
                     "only_mine": only_mine}
    try:
        if school is not None:
            foreign = rows_outside(db, kind, path, school)
            if foreign and only_mine:
                outcome["skipped_other"] = len(foreign)
                path = keep_own(path, foreign, path.with_name(path.stem + f".{school}.csv"))
            elif foreign:
                outcome.update(foreign=foreign, school=school)
                return outcome
        outcome["report"] = import_file(db, kind, path, dry_run=dry_run, replace=replace, school_code=school,
                                        imported_by=g.staff.login, tz=settings().sms.timezone)
    except ImportRowsError as e:
        outcome.update(report=e.report, failure=str(e))
    except ImportFileError as e:
        outcome["failure"] = str(e)
    return outcome


def _audit(outcome: dict) -> None:
    report: ImportReport | None = outcome.get("report")
    detail = {"kind": outcome["kind"], "file": outcome["file_name"], "dry_run": outcome["dry_run"]}
    if outcome.get("replace"):
        detail["replace"] = True
    if report is not None:
        detail.update(rows=report.rows, counts=dict(report.counts), bad_rows=report.error_count,
                      batch_id=report.batch_id)
    if outcome.get("foreign"):
        detail["other_school_rows"] = len(outcome["foreign"])
    if outcome.get("skipped_other"):
        detail["skipped_other_school_rows"] = outcome["skipped_other"]
    if outcome.get("failure") and report is None:
        detail["failure"] = outcome["failure"]
    audit.record(get_db(), g.staff.login, "web:import" if not outcome["dry_run"] else "web:import-preview",
                 school_id=g.staff.school_id, **detail)


def _ok(outcome: dict) -> bool:
    return "report" in outcome and not outcome.get("failure") and not outcome.get("foreign")


def _page(status: int = 200, **context):
    kinds = {k.name: k for k in registry.KINDS}
    count_labels = {k: v[:1].upper() + v[1:] for k, v in COUNT_LABELS.items()}     # "Thêm mới", as a heading
    return render_template("uploads/upload.html", kinds=kinds, kind_labels={n: k.label for n, k in kinds.items()},
                           count_labels=count_labels,
                           reviewed={n for n, k in kinds.items() if k.reviewed_in}, school=_own_school(),
                           keep_minutes=KEEP_S // 60, notes_shown=NOTES_SHOWN, **context), status


# -- pages ---------------------------------------------------------------------------------------------------------
@bp.route("/imports", methods=["GET", "POST"], endpoint="upload")
@staff_required(*IMPORTERS)
def upload_page():
    _sweep()
    if request.method == "GET":
        return _page(chosen=request.args.get("kind", ""))
    kind = request.form.get("kind", "")
    upload = request.files.get("file")
    found = registry.find(kind)
    if found is None:
        flash("Chọn loại dữ liệu của tệp.", "error")
        return _page(400, chosen="")
    if upload is None or not upload.filename:
        flash("Chọn tệp CSV hoặc XLSX để tải lên.", "error")
        return _page(400, chosen=kind)
    replace = found.replaceable and request.form.get("replace") == "1"
    only_mine = request.form.get("only_mine") == "1"
    _discard(session.pop(SESSION_KEY, None))     # one preview at a time: a new file replaces the last one
    token, path = _keep(upload)
    outcome = _run(kind, path, replace=replace, dry_run=True, only_mine=only_mine)
    _audit(outcome)
    if not _ok(outcome):
        shutil.rmtree(path.parent, ignore_errors=True)
        return _page(400, chosen=kind, outcome=outcome)
    session[SESSION_KEY] = {"token": token, "kind": kind, "name": path.name, "replace": replace, "at": time.time(),
                            "only_mine": only_mine}
    return _page(chosen=kind, outcome=outcome, token=token)


@bp.route("/imports/confirm", methods=["POST"], endpoint="confirm")
@staff_required(*IMPORTERS)
def confirm():
    _sweep()
    found = _pending_path()
    if found is None:
        flash("Bản xem trước này đã hết hạn, đã được nhập hoặc đã được thay bằng tệp khác: hãy tải tệp lên lại.",
              "error")
        return redirect(url_for("uploads.upload"))
    pending, path = found
    session.pop(SESSION_KEY, None)
    started = now_iso()
    try:
        outcome = _run(pending["kind"], path, replace=bool(pending.get("replace")), dry_run=False,
                       only_mine=bool(pending.get("only_mine")))
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)
    _audit(outcome)
    if _ok(outcome) and pending["kind"] == "teachers":
        outcome["codes"] = _first_codes(started)
    body, status = _page(200 if _ok(outcome) else 400, chosen=pending["kind"], outcome=outcome)
    response = make_response(body, status)
    if outcome.get("codes"):        # a phoneless account's first code is on this page: no cache may keep it
        response.headers["Cache-Control"] = "no-store"
    return response


def _first_codes(since: str) -> list:
    """The new accounts' first one-time codes: texted, or (no phone) shown once on this page, never stored."""
    from outbox.account_codes import deliver_invites
    from outbox.wake import Wake
    from store.core.connection import transaction

    from .db import redis
    db = get_db()
    with transaction(db):
        issued = deliver_invites(db, settings(), actor=g.staff.login, school_id=g.staff.school_id,
                                 since=since)
    if any(i.message_id for i in issued):
        Wake(redis(), settings().redis.prefix).ring()
    for i in issued:
        audit.record(db, g.staff.login, "web:account-code", school_id=g.staff.school_id, account=i.login,
                     delivery=i.delivery.value)
    return issued


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(e: RequestEntityTooLarge):
    """The size limit is checked when the form is first read (the CSRF check), before any view runs."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    return render_template("uploads/too_large.html", limit_mb=limit // (1024 * 1024)), 413
