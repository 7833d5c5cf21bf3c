"""Teacher rounds on the web (SPEC §13): the homeroom teacher opens one, the class's teachers answer, the homeroom
teacher and the school's leaders see the tally and who has not answered, and the outcome goes to the conduct entry
pending approval. Nothing here is ever shown to a guardian."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from store.school import terms
from store.core.clock import local_today
from store.community import round_commendation, rounds
from store.community.poll_rules import PollError
from store.school import roster

from web.auth import staff_required
from web.db import get_db, settings
from web.menu import MenuEntry

bp = Blueprint("rounds", __name__, url_prefix="/staff/rounds")
MENU = (MenuEntry("rounds.index", "Phiếu bình xét"),)
LEADERS = ("admin", "operator")


def _today():
    return local_today(settings().sms.timezone)


def _member():
    return roster.by_user(get_db(), g.staff.id)


def _can_manage(rnd: rounds.Round) -> bool:
    """The class's homeroom teacher or a leader of its school."""
    if g.staff.role.value in LEADERS:
        return g.staff.can_see_school(rnd.school_id)
    return rnd.class_id in dict(rounds.homeroom_classes(get_db(), g.staff.id, rnd.school_id, _today()))


def _visible(round_id: int) -> tuple[rounds.Round, bool, int | None]:
    """(round, may manage, staff id when asked to answer) or 404."""
    db = get_db()
    rnd = rounds.get(db, round_id)
    if rnd is None or not g.staff.can_see_school(rnd.school_id):
        abort(404)
    member = _member()
    voter = member.id if member and member.id in rounds.teachers(db, rnd.class_id, rnd.school_id, _today()) else None
    manage = _can_manage(rnd)
    if not manage and voter is None:
        abort(404)
    return rnd, manage, voter


@bp.route("/", methods=["GET", "POST"])
@staff_required()
def index():
    """Rounds the staff member manages or answers; a homeroom teacher opens one for their class."""
    db, today = get_db(), _today()
    school_id = g.staff.school_id
    mine = rounds.homeroom_classes(db, g.staff.id, school_id, today) if school_id else []
    if request.method == "POST":
        class_id = request.form.get("class", "")
        chosen = next((c for c in mine if str(c[0]) == class_id), None)
        kind = {"conduct": rounds.RoundKind.CONDUCT, "commendation": rounds.RoundKind.COMMENDATION}.get(
            request.form.get("kind", ""))
        if chosen is None or kind is None:
            abort(400, description="Chọn lớp chủ nhiệm và loại phiếu.")
        current = terms.current_term(db, school_id, today)
        try:
            rid = rounds.open_round(db, school_id=school_id, class_id=chosen[0], school_year=current.school_year,
                                    term=current.term, kind=kind, user_id=g.staff.id, by=g.staff.login)
        except PollError as e:
            flash(f"Chưa mở được phiếu: {e}.", "error")
            return redirect(url_for("rounds.index")), 303
        flash("Đã mở phiếu: giáo viên bộ môn của lớp trả lời trên web hoặc nhắn PB.", "info")
        return redirect(url_for("rounds.show", round_id=rid)), 303
    listed = []
    for (rid,) in db.execute("SELECT id FROM rounds WHERE school_id IS ? OR ? IS NULL ORDER BY id DESC LIMIT 100",
                             [school_id, school_id]).fetchall():
        rnd = rounds.get(db, rid)
        member = _member()
        asked = bool(member) and member.id in rounds.teachers(db, rnd.class_id, rnd.school_id, today)
        if _can_manage(rnd) or asked:
            listed.append((rnd, asked))
    return render_template("rounds/index.html", rows=listed, mine=mine)


@bp.route("/<int:round_id>", methods=["GET", "POST"])
@staff_required()
def show(round_id: int):
    """A teacher's own form (levels per pupil); for the homeroom teacher and leaders the tally."""
    db = get_db()
    rnd, manage, voter = _visible(round_id)
    pupils = rounds.pupils(db, rnd.class_id, rnd.school_year)
    if request.method == "POST":
        if voter is None:
            abort(403)
        try:
            for p in pupils:
                level = request.form.get(f"s{p.student_id}", "")
                if level:
                    rounds.vote(db, rnd, voter, p.student_id, level, source="web")
        except PollError as e:
            flash(f"Chưa ghi được: {e}.", "error")
        else:
            flash("Đã ghi phiếu của thầy/cô.", "info")
        return redirect(url_for("rounds.show", round_id=round_id)), 303
    teachers = rounds.teachers(db, rnd.class_id, rnd.school_id, _today())
    done = rounds.voted(db, rnd.id)
    return render_template("rounds/show.html", rnd=rnd, pupils=pupils, manage=manage, voter=voter,
                           mine=rounds.votes_of(db, rnd.id, voter) if voter else {},
                           tally=rounds.tally(db, rnd.id) if manage else {},
                           missing=[n for sid, n in teachers.items() if sid not in done] if manage else [],
                           levels=rounds.LEVELS[rnd.kind], Kind=rounds.RoundKind, Status=rounds.RoundStatus)


@bp.route("/<int:round_id>/close", methods=["POST"])
@staff_required()
def close(round_id: int):
    db = get_db()
    rnd, manage, _ = _visible(round_id)
    if not manage:
        abort(403)
    try:
        rounds.close(db, rnd, by=g.staff.login)
    except PollError as e:
        flash(f"{e}.", "error")
    return redirect(url_for("rounds.show", round_id=round_id)), 303


def _decisions(rnd: rounds.Round) -> dict[int, str]:
    """The homeroom teacher's final choice per pupil from the tally form (f<student id>)."""
    return {p.student_id: request.form[f"f{p.student_id}"] for p in rounds.pupils(get_db(), rnd.class_id, rnd.school_year)
            if request.form.get(f"f{p.student_id}")}


@bp.route("/<int:round_id>/conduct", methods=["POST"])
@staff_required()
def to_conduct(round_id: int):
    """The homeroom teacher's final ratings into the conduct entry, pending approval."""
    db = get_db()
    rnd, manage, _ = _visible(round_id)
    if not manage:
        abort(403)
    try:
        n = rounds.to_conduct(db, rnd, _decisions(rnd), by=g.staff.login)
    except PollError as e:
        flash(f"Chưa ghi được: {e}.", "error")
    else:
        flash(f"Đã ghi {n} mức rèn luyện HK{rnd.term}, chờ duyệt.", "info")
    return redirect(url_for("rounds.show", round_id=round_id)), 303


@bp.route("/<int:round_id>/commendation", methods=["POST"])
@staff_required()
def to_commendation(round_id: int):
    """The homeroom teacher's decisions into the year-end result ("Học sinh Tiêu biểu"), pending approval."""
    db = get_db()
    rnd, manage, _ = _visible(round_id)
    if not manage:
        abort(403)
    try:
        outcome = round_commendation.to_commendation(db, rnd, _decisions(rnd), by=g.staff.login)
    except PollError as e:
        flash(f"Chưa ghi được: {e}.", "error")
    else:
        flash(f"Đã ghi {outcome.written} khen thưởng cuối năm, chờ duyệt.", "info")
        for name, why in outcome.skipped:
            flash(f"Không ghi cho {name}: {why}.", "error")
    return redirect(url_for("rounds.show", round_id=round_id)), 303
