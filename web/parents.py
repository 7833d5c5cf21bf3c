"""The parents' website: their children, each child's scores by subject, term and week, past years.

Every number comes from the same store functions the SMS commands use
(grades.term_reports / subject_report, results, records, events) and the THPT
subject filter of DIEM/KQ, so the page and the SMS answer never differ.
Only children linked to the parent's number are shown (store.secondary.parent_view);
any other student code is a 404, the same as a code that does not exist.
Every view of a child's data is written to the audit log with the masked
phone as actor.
"""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from outbox.templating import fmt_number, fmt_term
from store.messaging import announcements
from store.core import audit
from store.school import events, levels, optout, records, subjects, terms
from store.secondary import grades, parent_view, results
from store.core.clock import iso, local_today, school_year_of, utcnow
from store.rules.periods import PeriodError, Semester
from store.school.phones import mask

from .auth import parent_required, safe_target
from web.preschool import parents as parents_preschool
from web.primary import parents as parents_primary
from .db import get_db, settings
from .params import TERM_CHOICES, BadParam, is_school_year

bp = Blueprint("parents", __name__, url_prefix="/parent")

YEAR = Semester.YEAR
# The links the SMS replies carry (`Xem du: <site>/p/diem`, MK's `/p/login`) land here.
SMS_LINKS = {"login": "auth.parent_password"}
# A level whose rules are not TT22 has its own child page (TT27: levels per point, no averages).
LEVEL_PAGES = {levels.Scheme.TT27: parents_primary.child_page, levels.Scheme.MN: parents_preschool.child_page}


@bp.app_template_filter("score")
def _score(value) -> str:
    return fmt_number(value)


@bp.app_template_filter("termname")
def _termname(term: int) -> str:
    return fmt_term(term)


def _sms_link(page: str = ""):
    return redirect(url_for(SMS_LINKS.get(page, "parents.index")))


@bp.record_once
def _register_sms_links(state) -> None:
    state.app.add_url_rule("/p/", "parents_sms_link", _sms_link)
    state.app.add_url_rule("/p/<page>", "parents_sms_link_page", _sms_link)


# -- helpers -------------------------------------------------------------------------------------
def _today() -> date:
    return local_today(settings().sms.timezone)


def _actor() -> str:
    row = get_db().execute("SELECT phone FROM guardians WHERE id = ?", [g.guardian_id]).fetchone()
    return mask(row[0] if row else None)


def _year_arg(current: str) -> str:
    raw = request.args.get("year", "").strip()
    if not raw:
        return current
    if not is_school_year(raw):
        raise BadParam(f"năm học “{raw}” không hợp lệ: viết dạng YYYY-YYYY, ví dụ {current}")
    return raw


def _term_arg(default: Semester) -> Semester:
    raw = request.args.get("term", "").strip().upper()
    if not raw:
        return default
    try:
        return Semester.parse(raw)
    except PeriodError:
        raise BadParam(f"học kỳ “{raw}” không hợp lệ: chọn 1, 2 hoặc CN (cả năm)") from None


def _child_or_404(code: str, year: str, current: str) -> parent_view.LinkedChild:
    linked = parent_view.child(get_db(), g.guardian_id, code.strip().upper(), year, current)
    if linked is None:
        abort(404)
    return linked


def _bad(e: BadParam):
    flash(str(e), "error")
    return render_template("parents/error.html"), 400


# -- pages ---------------------------------------------------------------------------------------
@bp.route("/")
@parent_required
def index():
    """The children linked to this number for the current school year."""
    db = get_db()
    current = school_year_of(_today())
    kids = parent_view.children(db, g.guardian_id, current, current)
    actor = _actor()
    rows = []
    for linked in kids:
        c = linked.child
        past = [y for y in parent_view.years(db, g.guardian_id, c.student_id, current) if y != current]
        rows.append({"linked": linked, "past": past})
        audit.record(db, actor, "web:parent:children", school_id=c.school_id, student_id=c.student_id,
                     school_year=current)
    return render_template("parents/index.html", rows=rows, year=current)


@bp.route("/child/<code>")
@parent_required
def child(code: str):
    """One child's scores by subject for a term or the year, result, conduct, absences, comments, events."""
    db = get_db()
    today = _today()
    current = school_year_of(today)
    try:
        year = _year_arg(current)
    except BadParam as e:
        return _bad(e)
    linked = _child_or_404(code, year, current)
    c = linked.child
    page = LEVEL_PAGES.get(levels.scheme_of(c.grade))
    if page is not None:
        audit.record(db, _actor(), "web:parent:view", school_id=c.school_id, student_id=c.student_id,
                     school_year=year)
        return page(db, linked, year=year, current=current, today=today,
                    years=parent_view.years(db, g.guardian_id, c.student_id, current))
    try:
        default_term = terms.current_term(db, c.school_id, today).term if year == current else YEAR
        term = _term_arg(default_term)
    except BadParam as e:
        return _bad(e)
    # The same calls as KQ and DIEM: the THPT elective filter, official-or-computed results.
    reports = grades.taken(grades.term_reports(db, c.student_id, c.school_id, c.grade, year, term), c.grade)
    learning = results.learning_result(db, c.student_id, c.school_id, c.grade, year, term, reports=reports)
    conduct = results.conduct(db, c.student_id, year, term)
    subject_code = request.args.get("subject", "").strip().upper()
    shown = reports
    if subject_code:
        subject = subjects.find(db, c.school_id, c.grade, subject_code)
        if subject is None or subject.code not in {r.subject.code for r in reports}:
            return _bad(BadParam(f"môn “{subject_code}” không có trong lớp {c.class_name} năm {year}"))
        shown = [grades.subject_report(db, c.student_id, subject, year, term)]
    absences = records.absences(db, c.student_id, year, term)
    if year == current:
        comments = records.latest_comments(db, c.student_id, limit=3)
        upcoming = events.upcoming(db, c.school_id, c.class_id, today, limit=5)
        notices = events.announcements(db, c.school_id, c.class_id, limit=3)
        # announcements texted from the composer (not in the digest: they were texted already)
        texted = announcements.for_class(db, c.school_id, c.class_id, iso(utcnow() - timedelta(days=60)))
    else:
        start, end = terms.term_dates(db, c.school_id, year, YEAR)
        comments = parent_view.comments_between(db, c.student_id, start, end, limit=3)
        upcoming, notices, texted = [], [], []
    audit.record(db, _actor(), "web:parent:view", school_id=c.school_id, student_id=c.student_id,
                 school_year=year, term=term, subject=subject_code or None)
    return render_template(
        "parents/child.html", linked=linked, c=c, year=year, current=current, term=term,
        term_arg=Semester(term).param, term_choices=TERM_CHOICES,
        years=parent_view.years(db, g.guardian_id, c.student_id, current), reports=reports, shown=shown,
        subject_code=subject_code, learning=learning, conduct=conduct, absences=absences, comments=comments,
        upcoming=upcoming, notices=notices, texted=texted, has_dates=bool(parent_view.score_weeks(db, c.student_id, year)))


@bp.route("/child/<code>/week")
@parent_required
def week(code: str):
    """The approved scores given in one week (the dates the school recorded with them)."""
    db = get_db()
    today = _today()
    current = school_year_of(today)
    try:
        year = _year_arg(current)
        raw = request.args.get("week", "").strip()
        try:
            chosen = parent_view.week_of(date.fromisoformat(raw)) if raw else None
        except ValueError as e:
            raise BadParam(f"tuần “{raw}” không hợp lệ: viết ngày dạng YYYY-MM-DD") from e
    except BadParam as e:
        return _bad(e)
    linked = _child_or_404(code, year, current)
    c = linked.child
    shift = parent_view.utc_shift(settings().sms.timezone, today)
    weeks = parent_view.score_weeks(db, c.student_id, year, shift)
    if chosen is None:
        chosen = parent_view.default_week(weeks, today)
    scores = parent_view.week_scores(db, c.student_id, c.school_id, c.grade, year, chosen, shift) if chosen else []
    audit.record(db, _actor(), "web:parent:week", school_id=c.school_id, student_id=c.student_id,
                 school_year=year, week=chosen.isoformat() if chosen else None)
    return render_template("parents/week.html", linked=linked, c=c, year=year, weeks=weeks, chosen=chosen,
                           scores=scores)


@bp.route("/child/<code>/digest", methods=["POST"])
@parent_required
def digest(code: str):
    """Turn the evening digest of one child on or off: the same change as SMS `DK C1` / `HUY C1`."""
    db = get_db()
    current = school_year_of(_today())
    wanted = request.form.get("digest", "")
    if wanted not in ("on", "off"):
        return _bad(BadParam(f"digest phải là “on” hoặc “off”, không phải “{wanted}”"))
    c = _child_or_404(code, current, current).child
    optout.set_opt_out(db, [c.link_id], wanted == "off")
    audit.record(db, _actor(), f"web:parent:digest-{wanted}", school_id=c.school_id, student_id=c.student_id,
                 school_year=current)
    flash(f"Đã {'bật' if wanted == 'on' else 'tắt'} tin tổng hợp buổi tối cho {c.full_name}.", "info")
    return redirect(safe_target(request.form.get("next"), url_for("parents.child", code=c.code), under="/parent/"))
