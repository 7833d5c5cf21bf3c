"""Staff pages of kindergartens (mầm non): the daily note grid, pickup changes (DON), the approval setting.

- GET/POST /staff/mn/nhatky?class=<id>&day=YYYY-MM-DD: every child of the class "as usual"; the
  teacher changes only the exceptions (a chip per common one, "Thêm" for the rest). All or nothing:
  one bad cell and nothing is saved. Pending until approved, unless the school set kindergarten
  notes to need no approval.
- GET /staff/mn/don, POST /staff/mn/don/<id>: the class's pickup changes texted with DON; the
  teacher confirms or refuses each (an SMS alone never authorises a pickup).
- GET/POST /staff/mn/cando?class=<id>&day=YYYY-MM-DD: the class's weighing (kg, cm), checked as the
  `cando` import checks it; all or nothing, pending until approved.
- POST /staff/mn/setting: an admin sets whether the school's notes need approval.

Scope as the other staff pages: a teacher their classes, admins and reviewers their school,
operators every school; outside it a 404. Health details stay on the class's own pages.
"""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from outbox import messages, notices
from outbox.wake import Wake
from store.review import approvals
from store.core import audit
from store.school import levels
from store.messaging import teacher_messages
from store.core.clock import local_today, school_year_of
from store.core.connection import transaction
from store.secondary.gradebook import EntryRejected, Problem
from store.preschool import growth_entry, notes, pickups
from store.rules.preschool import REMINDERS, Amount, InvalidValue, Note, parse_note

from web import params
from web.auth import staff_required
from web.db import get_db, redis, settings
from web.entry import EDITORS
from web.level_gate import LevelGate
from web.menu import MenuEntry

bp = Blueprint("preschool", __name__, url_prefix="/staff/mn")
MENU = (MenuEntry("preschool.notes", "Nhật ký MN"),
        MenuEntry("preschool.pickups", "Người đón"),
        MenuEntry("preschool.weighing", "Cân đo MN"))

GATE = LevelGate(levels.SchoolLevel.MN, "mầm non", "trang này chỉ dành cho trường có nhà trẻ, mẫu giáo (mầm non)")

CHIP_REMINDERS = ("ta", "quan_ao")      # one tap on the row; the others under "Thêm"


def _day(raw: str, today: date) -> date:
    if not raw:
        return today
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        abort(400, description=f"ngày phải có dạng YYYY-MM-DD, không phải {raw[:20]!r}")
    if day > today:
        abort(400, description="không ghi nhật ký cho ngày chưa tới")
    return day


def _classes(year: str):
    """The kindergarten classes of this year the staff member may open (a teacher: by today's assignment)."""
    return [c for c in params.class_choices(year, local_today(settings().sms.timezone)) if levels.is_preschool(c.grade)]


def _parse_row(form, sid: int) -> Note:
    """The note of one child from the grid's fields; InvalidValue naming the bad cells."""
    an, ngu = form.get(f"an-{sid}", "tot"), form.get(f"ngu-{sid}", "tot")
    if form.get(f"anit-{sid}") and an == "tot":
        an = "it"
    if form.get(f"nguit-{sid}") and ngu == "tot":
        ngu = "it"
    reminders = [REMINDERS[c] for c in form.getlist(f"nhac-{sid}") if c in REMINDERS]
    return parse_note(present=not form.get(f"vang-{sid}"), an=an, ngu=ngu, ngu_phut=form.get(f"p-{sid}"),
                      ve_sinh=form.get(f"vs-{sid}"), suc_khoe=form.get(f"sk-{sid}"),
                      nhac="; ".join(reminders + [form.get(f"nk-{sid}", "")]), nhan_xet=form.get(f"nx-{sid}"))


def _read_grid(form, rows) -> tuple[dict[int, Note], list[Problem]]:
    found, problems = {}, []
    for row in rows:
        if f"row-{row.student_id}" not in form:
            continue
        try:
            found[row.student_id] = _parse_row(form, row.student_id)
        except InvalidValue as e:
            problems.append(Problem(row.code, row.name, "nhật ký", "", e.reason))
    return found, problems


def _parents_notes(db, choice, day: date) -> list:
    """The class's DAN and NGHI texts that came in on ``day`` (the teacher reads them with the day's grid)."""
    start, end = approvals.day_bounds(day, settings().sms.timezone)
    found = teacher_messages.for_staff(db, school_id=choice.school_id, class_ids=[choice.id], limit=100)
    return [m for m in found if m.kind in ("DAN", "NGHI") and start <= m.created_at < end]


@bp.route("/nhatky", methods=["GET", "POST"], endpoint="notes")
@staff_required()
def notes_page():
    """One kindergarten class's day: every child as usual, the teacher marks the exceptions."""
    GATE.refuse_elsewhere()
    source = request.form if request.method == "POST" else request.args
    today, day, year, choices, choice = _class_and_day(source)
    db, problems = get_db(), []
    can_edit = g.staff.role.value in EDITORS
    rows = notes.class_day(db, choice.id, year, day) if choice else []
    if request.method == "POST":
        if not can_edit or choice is None:
            abort(403 if not can_edit else 400)
        typed, problems = _read_grid(request.form, rows)
        if not problems:
            changed = notes.save_day(db, choice.school_id, day, typed, by=f"web:{g.staff.login}")
            with transaction(db):
                audit.record(db, g.staff.login, "web:preschool-notes", school_id=choice.school_id,
                             class_id=choice.id, day=day.isoformat(), rows=len(typed))
            pending = notes.need_approval(db, choice.school_id)
            unusual = sum(not n.is_usual() for n in typed.values())
            flash(f"Đã lưu nhật ký {len(typed)} trẻ ({unusual} trẻ có ghi chú)"
                  f"{', chờ duyệt' if pending and changed else ''}." if changed else "Không có gì thay đổi.", "info")
            return redirect(url_for("preschool.notes", **{"class": choice.id, "day": day.isoformat()}), code=303)
        rows = [r.__class__(r.student_id, r.code, r.name, typed.get(r.student_id, r.note), r.status) for r in rows]
    elif choice:
        with transaction(db):
            audit.record(db, g.staff.login, "web:preschool-notes-view", school_id=choice.school_id,
                         class_id=choice.id, day=day.isoformat())
    return render_template("preschool/notes.html", choices=choices, choice=choice, day=day, year=year, rows=rows,
                           usual=Note(), amounts=list(Amount), reminders=REMINDERS, chips=CHIP_REMINDERS,
                           can_edit=can_edit, problems=problems, today=today,
                           need_approval=notes.need_approval(db, choice.school_id) if choice else True,
                           pickups_today=[p for p in pickups.for_classes(db, [choice.id], day) if p.on_date == day]
                           if choice else [], notes_today=_parents_notes(db, choice, day) if choice else []
                           ), (400 if problems else 200)


def _class_and_day(source):
    """(today, day, year, choices, choice) from the query or the form; 404 outside the scope."""
    today = local_today(settings().sms.timezone)
    day = _day(source.get("day", ""), today)
    year = school_year_of(day)
    choices = _classes(year)
    class_id = params.number(source, "class")
    choice = next((c for c in choices if c.id == class_id), None) if class_id is not None else None
    if class_id is not None and choice is None:
        abort(404)
    return today, day, year, choices, choice


@bp.route("/cando", methods=["GET", "POST"], endpoint="weighing")
@staff_required()
def weighing_page():
    """One kindergarten class's weighing on one day: kg and cm per child."""
    GATE.refuse_elsewhere()
    source = request.form if request.method == "POST" else request.args
    today, day, year, choices, choice = _class_and_day(source)
    db, problems, typed = get_db(), [], {}
    can_edit = g.staff.role.value in EDITORS
    rows = growth_entry.class_form(db, choice.id, year, day) if choice else []
    if request.method == "POST":
        if not can_edit or choice is None:
            abort(403 if not can_edit else 400)
        typed = {r.student_id: (request.form.get(f"kg-{r.student_id}", ""), request.form.get(f"cm-{r.student_id}", ""))
                 for r in rows}
        try:
            changed = growth_entry.save_class(db, rows, day, typed, login=f"web:{g.staff.login}")
        except EntryRejected as e:
            problems = e.problems
        else:
            with transaction(db):
                audit.record(db, g.staff.login, "web:preschool-weighing", school_id=choice.school_id,
                             class_id=choice.id, day=day.isoformat(), rows=changed)
            flash(f"Đã lưu cân đo {changed} trẻ, chờ duyệt." if changed else "Không có gì thay đổi.", "info")
            return redirect(url_for("preschool.weighing", **{"class": choice.id, "day": day.isoformat()}), code=303)
    elif choice:
        with transaction(db):
            audit.record(db, g.staff.login, "web:preschool-weighing-view", school_id=choice.school_id,
                         class_id=choice.id, day=day.isoformat())
    return render_template("preschool/weighing.html", choices=choices, choice=choice, day=day, year=year, rows=rows,
                           typed=typed, problems=problems, can_edit=can_edit, today=today), (400 if problems else 200)


@bp.route("/don", endpoint="pickups")
@staff_required()
def pickups_page():
    """The pickup changes parents texted for the staff member's kindergarten classes (this week and later)."""
    GATE.refuse_elsewhere()
    today = local_today(settings().sms.timezone)
    choices = _classes(school_year_of(today))
    found = pickups.for_classes(get_db(), [c.id for c in choices], today - timedelta(days=7))
    names = {c.id: c.name for c in choices}
    return render_template("preschool/pickups.html", pickups=found, names=names, today=today,
                           can_edit=g.staff.role.value in EDITORS)


@bp.route("/don/<int:pickup_id>", methods=["POST"], endpoint="decide")
@staff_required(*EDITORS)
def decide(pickup_id: int):
    """Confirm or refuse one pickup change."""
    GATE.refuse_elsewhere()
    today = local_today(settings().sms.timezone)
    state = {"confirm": pickups.PickupState.CONFIRMED, "refuse": pickups.PickupState.REFUSED}.get(
        request.form.get("decision", ""))
    if state is None:
        abort(400, description="chọn xác nhận hoặc từ chối")
    db, cfg = get_db(), settings()

    def tell_guardian(d: pickups.Decided) -> None:
        """Queue the SMS that tells the guardian who texted DON what the teacher decided."""
        sms = notices.pickup_decision(cfg, pickup=d.pickup, class_name=d.class_name or "")
        mid = messages.enqueue(db, cfg, phone=d.pickup.phone, body=sms.text, kind=messages.MessageKind.TEACHER,
                               connection=d.connection if d.connection in {c.name for c in cfg.smsc} else None,
                               school_id=d.school_id, class_id=d.pickup.class_id, student_id=d.pickup.student_id,
                               guardian_id=d.guardian_id)
        audit.record(db, g.staff.login, f"web:pickup-{state.value}", school_id=d.school_id,
                     student_id=d.pickup.student_id, pickup=pickup_id, message=mid)

    try:
        pickups.decide(db, pickup_id, state, by=g.staff.login, class_ids=[c.id for c in _classes(school_year_of(today))],
                       then=tell_guardian)
    except pickups.PickupError as e:
        abort(404, description=str(e))
    Wake(redis(), cfg.redis.prefix).ring()
    flash("Đã xác nhận người đón; phụ huynh được nhắn tin." if state is pickups.PickupState.CONFIRMED
          else "Đã ghi: không đồng ý; phụ huynh được nhắn tin.", "info")
    return redirect(url_for("preschool.pickups"), code=303)


@bp.route("/setting", methods=["POST"], endpoint="setting")
@staff_required("admin", "operator")
def setting():
    """An admin sets whether the school's kindergarten notes need approval."""
    GATE.refuse_elsewhere()
    school_id = g.staff.school_id if g.staff.school_id is not None else params.number(request.form, "school")
    if school_id is None:
        abort(400, description="chọn trường trước")
    needed = request.form.get("need_approval") == "1"
    notes.set_need_approval(get_db(), school_id, needed)
    with transaction(get_db()):
        audit.record(get_db(), g.staff.login, "web:preschool-setting", school_id=school_id, need_approval=needed)
    flash("Nhật ký mầm non cần duyệt trước khi gửi phụ huynh." if needed
          else "Nhật ký mầm non đến phụ huynh ngay khi cô lưu (không cần duyệt).", "info")
    back = request.form.get("back", "")
    return redirect(back if back.startswith("/staff/") else url_for("preschool.notes"), code=303)


GATE.mark(notes_page, weighing_page, pickups_page)      # the menu (web/menu.py)
