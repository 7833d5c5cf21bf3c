"""Forum moderation pages: the queue of held and waiting posts, decisions with reasons, the school's settings."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from store.core.clock import local_today, school_year_of
from store.community import moderation, rooms
from store.community.forum_rules import ForumError, PostStatus
from store.school.phones import mask

from web.auth import staff_required
from web.db import get_db, settings
from web.menu import MenuEntry

bp = Blueprint("forum_mod", __name__, url_prefix="/forum/moderation")
MENU = (MenuEntry("forum_mod.queue", "Kiểm duyệt"),)


def _viewer() -> rooms.Viewer:
    s = g.staff
    return rooms.Viewer(user_id=s.id, login=s.login, role=s.role.value, school_id=s.school_id,
                        class_ids=frozenset(s.class_ids))


def _moderated_rooms(db, viewer: rooms.Viewer) -> dict[int, rooms.Room]:
    year = school_year_of(local_today(settings().sms.timezone))
    return {r.id: r for r in rooms.for_staff(db, viewer, year) if rooms.can_moderate(db, viewer, r)}


@bp.route("/")
@staff_required()
def queue():
    """Held and waiting posts of every room the staff member moderates, oldest first."""
    db, viewer = get_db(), _viewer()
    moderated = _moderated_rooms(db, viewer)
    return render_template("forum/moderation.html", rows=moderation.queue(db, list(moderated)), rooms=moderated,
                           mask=mask, Status=PostStatus)


@bp.route("/<int:post_id>", methods=["POST"])
@staff_required()
def decide(post_id: int):
    """Approve, or reject with a reason, one waiting post (audited with who and why)."""
    db, viewer = get_db(), _viewer()
    found = moderation.post_room(db, post_id)
    moderated = _moderated_rooms(db, viewer)
    if found is None or found[0] not in moderated:
        abort(404)
    decision = {"approve": PostStatus.APPROVED, "reject": PostStatus.REJECTED}.get(request.form.get("decision", ""))
    if decision is None:
        abort(400, description="Chọn duyệt hoặc từ chối.")
    try:
        moderation.decide(db, post_id, decision, by=viewer.login, school_id=moderated[found[0]].school_id,
                          note=request.form.get("note"))
    except ForumError as e:
        flash(f"Chưa xử lý được bài: {e}.", "error")
    else:
        flash("Đã duyệt bài." if decision is PostStatus.APPROVED else "Đã từ chối bài.", "info")
    return redirect(url_for("forum_mod.queue")), 303


@bp.route("/settings", methods=["GET", "POST"])
@staff_required("admin")
def school_settings():
    """The school admin's choices: moderate every guardian post or only the first; the block list."""
    db = get_db()
    school_id = g.staff.school_id
    if request.method == "POST":
        try:
            moderation.save_settings(db, school_id, moderate_all=request.form.get("moderate_all") == "1",
                                     block_text=request.form.get("block_words", ""), by=g.staff.login)
        except ForumError as e:
            flash(f"Chưa lưu được: {e}.", "error")
        else:
            flash("Đã lưu cài đặt diễn đàn.", "info")
        return redirect(url_for("forum_mod.school_settings")), 303
    return render_template("forum/settings.html", current=moderation.school_settings(db, school_id))
