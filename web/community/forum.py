"""The forum (SPEC §14): rooms, topics and replies for guardians and staff; moderation; the school's settings.

Guardians use their parent login, staff their staff login; the same pages
serve both and ask store.community.rooms.can_enter for every room, so a staff
room, a pupil thread or another class's room is a 404 to a guardian, the same
as a room that does not exist. Posts are shown as sanitised plain text.
"""
from __future__ import annotations

import functools

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for

from store.core import audit
from store.core.clock import local_today, school_year_of
from store.community import moderation, posts, rooms
from store.community.forum_rules import MAX_BODY, MAX_TITLE, ForumError, PostStatus, RoomKind

from web.auth import parent_required, staff_required
from web.db import get_db, settings
from web.community.forum_text import local_time, render_post
from web.menu import MenuEntry

bp = Blueprint("forum", __name__, url_prefix="/forum")
MENU = (MenuEntry("forum.index", "Diễn đàn"),)
bp.add_app_template_filter(render_post, "forum_text")


@bp.app_template_filter("forum_time")
def _forum_time(stamp: str | None) -> str:
    return local_time(stamp, settings().sms.timezone)


def member_required(view):
    """A logged-in staff member (g.staff) or, without one, a logged-in parent (g.guardian_id)."""
    staff_view, parent_view = staff_required()(view), parent_required(view)

    @functools.wraps(view)
    def inner(*args, **kwargs):
        return (staff_view if "staff_id" in session else parent_view)(*args, **kwargs)
    return inner


def _viewer() -> rooms.Viewer:
    staff = g.get("staff")
    if staff is not None:
        return rooms.Viewer(user_id=staff.id, login=staff.login, role=staff.role.value, school_id=staff.school_id,
                            class_ids=frozenset(staff.class_ids))
    return rooms.Viewer(guardian_id=g.guardian_id)


def _actor(viewer: rooms.Viewer) -> str:
    return viewer.login if viewer.is_staff else f"guardian:{viewer.guardian_id}"


def _year() -> str:
    return school_year_of(local_today(settings().sms.timezone))


def _base(viewer: rooms.Viewer) -> str:
    return "staff/base_staff.html" if viewer.is_staff else "parents/base_parent.html"


def _room_or_404(room_id: int, viewer: rooms.Viewer) -> rooms.Room:
    db = get_db()
    room = rooms.get(db, room_id)
    if room is None or not rooms.can_enter(db, viewer, room):
        abort(404)
    if room.kind is RoomKind.PUPIL:
        audit.record(db, _actor(viewer), "forum:pupil-read", school_id=room.school_id, student_id=room.student_id,
                     room=room.id)
    return room


def _topic_or_404(topic_id: int, viewer: rooms.Viewer) -> tuple[posts.Topic, rooms.Room]:
    db = get_db()
    topic = posts.topic(db, topic_id)
    if topic is None:
        abort(404)
    room = _room_or_404(topic.room_id, viewer)
    if not posts.visible_to(topic, viewer, posts.opening_author(db, topic.id)):
        abort(404)
    return topic, room


def _render(template: str, viewer: rooms.Viewer, **context):
    return render_template(template, base_template=_base(viewer), viewer=viewer, max_body=MAX_BODY,
                           max_title=MAX_TITLE, Status=PostStatus, **context)


@bp.route("/")
@member_required
def index():
    """The rooms the viewer may enter, with how many topics each has and what waits for a moderator."""
    db, viewer = get_db(), _viewer()
    listed = rooms.for_staff(db, viewer, _year()) if viewer.is_staff else rooms.for_guardian(db, viewer.guardian_id,
                                                                                            _year())
    counts = {r.id: len(posts.topics(db, r.id, viewer)) for r in listed}
    waiting = len(moderation.queue(db, [r.id for r in listed if rooms.can_moderate(db, viewer, r)]))
    return _render("forum/index.html", viewer, rooms=listed, counts=counts, waiting=waiting)


@bp.route("/room/<int:room_id>")
@member_required
def room(room_id: int):
    """A room's topics (pinned first) and the form for a new one; a class staff room lists its pupils' threads."""
    db, viewer = get_db(), _viewer()
    the_room = _room_or_404(room_id, viewer)
    pupils = []
    if the_room.kind is RoomKind.CLASS_STAFF:
        pupils = db.execute("SELECT s.id, s.full_name, s.code FROM enrollments e JOIN students s ON s.id = e.student_id "
                            "WHERE e.class_id = ? AND e.school_year = ? ORDER BY s.given_name_folded, s.full_name",
                            [the_room.class_id, the_room.school_year]).fetchall()
    muted = (not viewer.is_staff and db.execute("SELECT 1 FROM forum_room_mutes WHERE guardian_id = ? AND room_id = ?",
                                                [viewer.guardian_id, room_id]).fetchone() is not None)
    return _render("forum/room.html", viewer, room=the_room, topics=posts.topics(db, room_id, viewer), pupils=pupils,
                   muted=muted, moderator=rooms.can_moderate(db, viewer, the_room))


@bp.route("/pupil/<int:student_id>")
@staff_required()
def pupil(student_id: int):
    """The staff room about one pupil of a class the staff member may see (made on first visit)."""
    the_room = rooms.pupil_room(get_db(), _viewer(), student_id, _year())
    if the_room is None:
        abort(404)
    return redirect(url_for("forum.room", room_id=the_room.id))


def _flash_written(written: posts.Written) -> None:
    if written.status is PostStatus.APPROVED:
        flash("Đã đăng.", "info")
    elif written.status is PostStatus.HELD:
        flash(f"Bài đang được giữ lại chờ duyệt ({written.hold_reason}). Bài chỉ hiện sau khi được duyệt.", "info")
    else:
        flash("Bài đã gửi và đang chờ duyệt; chỉ bạn thấy bài cho tới khi được duyệt.", "info")


@bp.route("/room/<int:room_id>/topics", methods=["POST"])
@member_required
def new_topic(room_id: int):
    """Open a topic in a room the viewer may enter."""
    db, viewer = get_db(), _viewer()
    the_room = _room_or_404(room_id, viewer)
    try:
        written = posts.create_topic(db, viewer, the_room, request.form.get("title", ""), request.form.get("body", ""))
    except ForumError as e:
        flash(f"Chưa đăng được: {e}.", "error")
        return redirect(url_for("forum.room", room_id=room_id)), 303
    _flash_written(written)
    return redirect(url_for("forum.topic", topic_id=written.topic_id)), 303


@bp.route("/topic/<int:topic_id>")
@member_required
def topic(topic_id: int):
    """A topic's posts in order (the viewer's own waiting ones marked), the reply form, follow, pin and close."""
    db, viewer = get_db(), _viewer()
    the_topic, the_room = _topic_or_404(topic_id, viewer)
    following = (not viewer.is_staff) and posts.follows(db, viewer.guardian_id, topic_id)
    return _render("forum/topic.html", viewer, topic=the_topic, room=the_room,
                   posts=posts.posts(db, topic_id, viewer), following=following,
                   moderator=rooms.can_moderate(db, viewer, the_room))


@bp.route("/topic/<int:topic_id>/reply", methods=["POST"])
@member_required
def reply(topic_id: int):
    """Reply to an open, approved topic."""
    db, viewer = get_db(), _viewer()
    the_topic, _ = _topic_or_404(topic_id, viewer)
    try:
        written = posts.reply(db, viewer, the_topic, request.form.get("body", ""))
    except ForumError as e:
        flash(f"Chưa gửi được: {e}.", "error")
    else:
        _flash_written(written)
    return redirect(url_for("forum.topic", topic_id=topic_id) + "#reply"), 303


@bp.route("/topic/<int:topic_id>/follow", methods=["POST"])
@parent_required
def follow(topic_id: int):
    """Follow or stop following a topic (its new replies come in the evening digest)."""
    db, viewer = get_db(), _viewer()
    _topic_or_404(topic_id, viewer)
    if request.form.get("follow") == "1":
        posts.follow(db, viewer.guardian_id, topic_id)
        flash("Đã theo dõi: trả lời mới sẽ có trong tin tối.", "info")
    else:
        posts.unfollow(db, viewer.guardian_id, topic_id)
        flash("Đã bỏ theo dõi.", "info")
    return redirect(url_for("forum.topic", topic_id=topic_id)), 303


@bp.route("/room/<int:room_id>/mute", methods=["POST"])
@parent_required
def mute(room_id: int):
    """Leave a room out of the evening digest, or take it back in."""
    db, viewer = get_db(), _viewer()
    _room_or_404(room_id, viewer)
    if request.form.get("mute") == "1":
        db.execute("INSERT OR IGNORE INTO forum_room_mutes (guardian_id, room_id) VALUES (?, ?)",
                   [viewer.guardian_id, room_id])
        flash("Bài mới của phòng này sẽ không còn trong tin tối.", "info")
    else:
        db.execute("DELETE FROM forum_room_mutes WHERE guardian_id = ? AND room_id = ?", [viewer.guardian_id, room_id])
        flash("Bài mới của phòng này sẽ có trong tin tối.", "info")
    return redirect(url_for("forum.room", room_id=room_id)), 303


@bp.route("/topic/<int:topic_id>/flag", methods=["POST"])
@staff_required()
def flag(topic_id: int):
    """Pin or close a topic (moderators of its room)."""
    db, viewer = get_db(), _viewer()
    the_topic, the_room = _topic_or_404(topic_id, viewer)
    name, value = request.form.get("flag", ""), request.form.get("value") == "1"
    if not rooms.can_moderate(db, viewer, the_room) or name not in ("pinned", "closed"):
        abort(403)
    moderation.set_flag(db, the_topic.id, name, value, by=viewer.login, school_id=the_room.school_id)
    flash({("pinned", True): "Đã ghim chủ đề.", ("pinned", False): "Đã bỏ ghim.",
           ("closed", True): "Đã khóa chủ đề: không nhận thêm trả lời.",
           ("closed", False): "Đã mở lại chủ đề."}[(name, value)], "info")
    return redirect(url_for("forum.topic", topic_id=topic_id)), 303
