"""The document library for staff (SPEC §16): search, upload, versions, review, download and preview.

- GET /staff/library/: search (titles and extracted text, diacritics folded) with filters by section,
  subject, grade, department and state; the school's storage use.
- GET/POST /staff/library/new: a new item (its fields and the first file), a draft of its uploader.
- GET /staff/library/items/<id>: the item, its versions, history and what the viewer may do to it;
  POST …/versions (a new version), POST …/<action> (submit, withdraw, approve, return with a reason).
- GET/POST /staff/library/items/<id>/edit: the owner fixes the fields of a draft or returned item;
  POST …/v/<n>/delete (an old version), POST …/delete (the whole draft or returned item).
- GET /staff/library/queue: what waits for a department head's (or the principal's) review.
- GET /staff/library/items/<id>/v/<n>/download and …/preview (PDF and images inline): audited.
- GET /l/<id>: the short link SMS `TV` sends.

Staff only: a guardian's session gets a 404 on every URL here, and an item a
staff member may not see is a 404 too.
"""
from __future__ import annotations

import functools

from flask import (Blueprint, abort, current_app, flash, g, redirect, render_template, request, send_file,
                   session, url_for)
from werkzeug.exceptions import RequestEntityTooLarge

from store.core import audit
from store.library import access, editing, files, items, review, roster, search
from store.library.errors import LibraryError
from store.library.states import EDITABLE, LABELS, Action, ItemState

from .auth import staff_required
from .db import get_db, settings
from .menu import MenuEntry

bp = Blueprint("library", __name__)
MENU = (MenuEntry("library.index", "Thư viện"),)

MB = 1024 * 1024
FORM_SLACK = MB                # the form's other fields and multipart framing beside the file
PAGE_SIZE = 50


@bp.url_value_preprocessor
def _size_limit(endpoint, values) -> None:
    """Library uploads may be larger than spreadsheets: set before the CSRF check first reads the form."""
    request.max_content_length = settings().library.max_mb * MB + FORM_SLACK


def staff_only(view):
    """staff_required(), and a 404 for a guardian's session: nothing of the library reaches guardians."""
    guarded = staff_required()(view)

    @functools.wraps(view)
    def inner(*args, **kwargs):
        if "staff_id" not in session and "guardian_id" in session:
            abort(404)
        return guarded(*args, **kwargs)
    inner.staff_roles = guarded.staff_roles
    return inner


def _viewer() -> access.Viewer:
    return access.for_account(get_db(), g.staff.id, g.staff.login, g.staff.school_id)


def _item_or_404(item_id: int) -> tuple[access.Viewer, review.Item]:
    viewer = _viewer()
    item = review.get(get_db(), viewer, item_id)
    if item is None:
        abort(404)
    return viewer, item


def _choices(school_id: int | None) -> dict:
    """What the forms and filters offer: sections, the school's subjects and departments, grades, states."""
    db = get_db()
    subjects = [] if school_id is None else [tuple(r) for r in db.execute(
        "SELECT code, min(name) FROM subjects WHERE school_id = ? GROUP BY code ORDER BY min(name)", [school_id])]
    return {"sections": items.SECTIONS, "subjects": subjects, "grades": range(1, 13),
            "departments": roster.departments(db, school_id) if school_id is not None else [],
            "states": {state.value: label for state, label in LABELS.items()},
            "max_mb": settings().library.max_mb, "allowed_types": files.ALLOWED_TEXT}


def _labels(school_id: int | None) -> dict:
    """What the forms offer, plus labels for tables: subject names by code and department names by id."""
    choices = _choices(school_id)
    return {**choices, "subject_names": dict(choices["subjects"]), "department_names": dict(choices["departments"])}


# -- search and the queue ------------------------------------------------------------------------------------------
@bp.route("/staff/library/", endpoint="index")
@staff_only
def index():
    """Search and browse, with the filters."""
    viewer = _viewer()
    args = request.args
    filters = {k: args.get(k, "").strip() for k in ("section", "subject", "grade", "department_id", "state")}
    query = args.get("q", "").strip()[:200]
    page = max(args.get("page", 1, type=int) or 1, 1)
    hits = search.search(get_db(), viewer, query, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE,
                         **{k: v for k, v in filters.items() if v})
    used = items.usage(get_db(), viewer.school_id) if viewer.school_id is not None else None
    return render_template("library/index.html", hits=hits[:PAGE_SIZE], more=len(hits) > PAGE_SIZE, page=page,
                           q=query, filters=filters, used_mb=None if used is None else used / MB,
                           quota_mb=settings().library.quota_mb, waiting=len(review.queue(get_db(), viewer)),
                           **_labels(viewer.school_id))


@bp.route("/staff/library/queue", endpoint="queue")
@staff_only
def queue():
    """What waits for this viewer's review."""
    viewer = _viewer()
    return render_template("library/queue.html", rows=review.queue(get_db(), viewer),
                           reviewer=viewer.principal or viewer.head_of is not None, **_labels(viewer.school_id))


@bp.route("/l/<int:item_id>", endpoint="short")
@staff_only
def short(item_id: int):
    """The short link of SMS TV: to the item's page."""
    return redirect(url_for("library.item", item_id=item_id))


# -- uploading -----------------------------------------------------------------------------------------------------
def _upload_from_form() -> items.Upload | None:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return None
    return items.Upload(upload.filename, upload.stream, request.form.get("note", ""))


def _stored_message(stored: items.Stored, name: str) -> None:
    flash(f"Đã lưu «{name}» (phiên bản {stored.version}).", "info")
    finding = stored.finding
    if finding:
        parts = []
        if finding.name_count:
            parts.append(f"{finding.name_count} tên học sinh của trường ({', '.join(finding.names)})")
        if finding.phone_count:
            parts.append(f"{finding.phone_count} số điện thoại phụ huynh ({', '.join(finding.phones)})")
        flash("Cảnh báo: tài liệu có vẻ chứa " + " và ".join(parts) + ". Hãy xoá thông tin cá nhân của học sinh "
              "trước khi gửi duyệt.", "error")


@bp.route("/staff/library/new", methods=["GET", "POST"], endpoint="new")
@staff_only
def new():
    """The new-item form, and the upload of its first version."""
    viewer = _viewer()
    if viewer.school_id is None:
        flash("Tài khoản vận hành không thuộc trường nào: hãy đăng nhập bằng tài khoản của trường để tải tài liệu.",
              "error")
        return redirect(url_for("library.index"))
    if request.method == "GET":
        default_department = viewer.member.department_id if viewer.member else None
        return render_template("library/new.html", form={"department_id": default_department or ""},
                               **_choices(viewer.school_id))
    db = get_db()
    upload = _upload_from_form()
    try:
        fields = items.check_fields(db, viewer.school_id, request.form)
        if upload is None:
            raise LibraryError("Chọn tệp tài liệu để tải lên.")
        stored = items.create(db, settings(), viewer, fields, upload)
    except LibraryError as e:
        flash(e.message, "error")
        return render_template("library/new.html", form=request.form, **_choices(viewer.school_id)), 400
    audit.record(db, g.staff.login, "library:upload", school_id=viewer.school_id, item_id=stored.item_id,
                 version=stored.version)
    _stored_message(stored, upload.name)
    return redirect(url_for("library.item", item_id=stored.item_id))


@bp.route("/staff/library/items/<int:item_id>/versions", methods=["POST"], endpoint="add_version")
@staff_only
def add_version(item_id: int):
    """A new version of the owner's draft or returned item."""
    viewer, item = _item_or_404(item_id)
    upload = _upload_from_form()
    try:
        if upload is None:
            raise LibraryError("Chọn tệp của phiên bản mới.")
        stored = items.add_version(get_db(), settings(), viewer, item.id, upload)
    except LibraryError as e:
        flash(e.message, "error")
        return _item_page(viewer, item_id, 400)
    audit.record(get_db(), g.staff.login, "library:upload", school_id=item.school_id, item_id=item.id,
                 version=stored.version)
    _stored_message(stored, upload.name)
    return redirect(url_for("library.item", item_id=item.id))


# -- one item and its review ---------------------------------------------------------------------------------------
ACTION_DONE = {Action.SUBMIT: "Đã gửi duyệt.", Action.WITHDRAW: "Đã rút lại, tài liệu trở về bản nháp.",
               Action.APPROVE: "Đã duyệt tài liệu.", Action.RETURN: "Đã trả lại tài liệu kèm lý do."}


def _item_page(viewer: access.Viewer, item_id: int, status: int = 200):
    item = review.get(get_db(), viewer, item_id)
    if item is None:
        abort(404)
    allowed = {a.value for a in Action if review.may(viewer, item, a)}
    return render_template("library/item.html", item=item, versions=review.versions(get_db(), item.id),
                           history=review.history(get_db(), item.id), allowed=allowed, kinds=files.KINDS, size=_size,
                           editable=item.state in EDITABLE and item.owner_user_id == viewer.user_id,
                           versions_deletable=item.state is not ItemState.SUBMITTED
                           and item.owner_user_id == viewer.user_id,
                           **_labels(item.school_id)), status


def _size(n: int) -> str:
    """A file size as staff read it: '820 KB', '3.4 MB'."""
    return f"{n / MB:.1f} MB" if n >= MB // 10 else f"{max(n // 1024, 1)} KB"


@bp.route("/staff/library/items/<int:item_id>", endpoint="item")
@staff_only
def item(item_id: int):
    """One item: details, versions, history, what the viewer may do."""
    return _item_page(_viewer(), item_id)


@bp.route("/staff/library/items/<int:item_id>/<any(submit, withdraw, approve, return):action>", methods=["POST"],
          endpoint="act")
@staff_only
def act(item_id: int, action: str):
    """Submit, withdraw, approve or return (with a reason) the item."""
    viewer, item = _item_or_404(item_id)
    try:
        new = review.act(get_db(), viewer, item.id, Action(action), request.form.get("reason", ""))
    except LibraryError as e:
        flash(e.message, "error")
        return _item_page(viewer, item_id, 400)
    audit.record(get_db(), g.staff.login, f"library:{action}", school_id=item.school_id, item_id=item.id,
                 state=new.value)
    flash(ACTION_DONE[Action(action)], "info")
    return redirect(url_for("library.item", item_id=item.id))


# -- the owner's changes: fields, an old version, the whole item ---------------------------------------------------
def _field_values(item: review.Item) -> dict:
    return {"title": item.title, "section": item.section, "subject": item.subject or "", "grade": item.grade or "",
            "department_id": item.department_id or "", "source": item.source}


@bp.route("/staff/library/items/<int:item_id>/edit", methods=["GET", "POST"], endpoint="edit")
@staff_only
def edit(item_id: int):
    """The owner's form for the fields of a draft or returned item (audited in the store)."""
    viewer, item = _item_or_404(item_id)
    if item.owner_user_id != viewer.user_id:
        abort(404)
    if request.method == "GET":
        return render_template("library/edit.html", item_id=item.id, form=_field_values(item),
                               **_choices(item.school_id))
    db = get_db()
    try:
        changed = editing.update_fields(db, viewer, item.id, items.check_fields(db, item.school_id, request.form))
    except LibraryError as e:
        flash(e.message, "error")
        return render_template("library/edit.html", item_id=item.id, form=request.form,
                               **_choices(item.school_id)), 400
    flash(f"Đã sửa {', '.join(changed)}." if changed else "Không có gì thay đổi.", "info")
    return redirect(url_for("library.item", item_id=item.id))


@bp.route("/staff/library/items/<int:item_id>/v/<int:number>/delete", methods=["POST"], endpoint="delete_version")
@staff_only
def delete_version(item_id: int, number: int):
    """The owner deletes an old version (its file too, once no version uses it)."""
    viewer, item = _item_or_404(item_id)
    try:
        name = editing.delete_version(get_db(), settings(), viewer, item.id, number)
    except LibraryError as e:
        flash(e.message, "error")
        return _item_page(viewer, item_id, 400)
    flash(f"Đã xoá phiên bản {number} ({name}).", "info")
    return redirect(url_for("library.item", item_id=item.id))


@bp.route("/staff/library/items/<int:item_id>/delete", methods=["POST"], endpoint="delete")
@staff_only
def delete(item_id: int):
    """The owner deletes a draft or returned item, once they have ticked the box."""
    viewer, item = _item_or_404(item_id)
    try:
        if request.form.get("confirm") != "1":
            raise LibraryError("Đánh dấu ô «Tôi muốn xoá hẳn tài liệu này» để xoá.")
        title = editing.delete_item(get_db(), settings(), viewer, item.id)
    except LibraryError as e:
        flash(e.message, "error")
        return _item_page(viewer, item_id, 400)
    flash(f"Đã xoá tài liệu «{title}».", "info")
    return redirect(url_for("library.index"))


# -- the files -----------------------------------------------------------------------------------------------------
def _send(item_id: int, number: int, *, inline: bool):
    viewer, item = _item_or_404(item_id)
    version = next((v for v in review.versions(get_db(), item.id) if v.number == number), None)
    if version is None or (inline and not files.KINDS[version.kind][2]):
        abort(404)
    path = files.blob_path(settings().data_dir, version.sha256)
    if not path.is_file():
        current_app.logger.error("library file %s of item %s is missing", version.sha256, item.id)
        abort(404)
    audit.record(get_db(), g.staff.login, "library:preview" if inline else "library:download",
                 school_id=item.school_id, item_id=item.id, version=number, file=version.file_name)
    response = send_file(path, mimetype=files.KINDS[version.kind][0], as_attachment=not inline,
                         download_name=version.file_name, conditional=True, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/staff/library/items/<int:item_id>/v/<int:number>/download", endpoint="download")
@staff_only
def download(item_id: int, number: int):
    """A version as an attachment (audited)."""
    return _send(item_id, number, inline=False)


@bp.route("/staff/library/items/<int:item_id>/v/<int:number>/preview", endpoint="preview")
@staff_only
def preview(item_id: int, number: int):
    """A PDF or image version inline (audited)."""
    return _send(item_id, number, inline=True)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(e: RequestEntityTooLarge):
    """A body beyond library.max_mb is refused while the form is first read, before any view runs."""
    return render_template("library/too_large.html", limit_mb=settings().library.max_mb), 413
