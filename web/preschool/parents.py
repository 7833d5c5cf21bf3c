"""The parents' page of a kindergarten child: recent daily notes, today's pickup change, growth with WHO charts,
stage assessments.

Only for the child's linked guardians (web.parents checks the link and audits the read). No
diagnosis word and no other child: a measurement is "in the WHO range" or "outside it — talk
with the teacher or the school's health worker".
"""
from __future__ import annotations

from datetime import date

from flask import render_template

from store.preschool import growth, measurements, notes, pickups
from store.rules.preschool import DOMAINS, LEVELS

W, H, PAD = 340, 220, 30       # the chart's size in SVG units (it scales to the screen)
# The charts: an indicator, what it plots, its unit and the caption's words.
CHARTS = ((growth.Indicator.WFA, "weight_kg", "kg", "Cân nặng theo tuổi"),
          (growth.Indicator.HFA, "height_cm", "cm", "Chiều cao theo tuổi"))


def _chart(indicator, field: str, unit: str, title: str, sex: str | None, born: date | None,
           history: list[measurements.Measured]) -> dict | None:
    """One chart: the WHO -2, 0, +2 SD curves of ``indicator`` around the child's ages, and the child's points."""
    points = [m for m in history if m.growth is not None]
    if not points or sex is None or born is None:
        return None
    first = max(0, points[0].growth.age_days - 120)
    last = max(points[-1].growth.age_days + 120, first + 240)
    ages = list(range(first, last + 1, 30))
    bands = {z: [growth.band(indicator, sex, a, z) for a in ages] for z in (-2, 0, 2)}
    values = [getattr(m, field) for m in points]
    low, high = min(bands[-2] + values) - 1, max(bands[2] + values) + 1

    def xy(age, v):
        return (round(PAD + (age - first) / (last - first) * (W - 2 * PAD), 1),
                round(H - PAD - (v - low) / (high - low) * (H - 2 * PAD), 1))

    def path(vs):
        return " ".join(f"{x},{y}" for x, y in (xy(a, v) for a, v in zip(ages, vs)))

    area = path(bands[2]) + " " + " ".join(f"{x},{y}" for x, y in reversed([xy(a, v) for a, v in zip(ages, bands[-2])]))
    return {"id": f"growth-chart-{indicator.value}", "title": title, "unit": unit, "w": W, "h": H, "area": area,
            "median": path(bands[0]), "minus2": path(bands[-2]), "plus2": path(bands[2]),
            "dots": [(*xy(m.growth.age_days, v), m, v) for m, v in zip(points, values)],
            "x_labels": [(xy(a, low)[0], a // 30) for a in ages[::max(1, len(ages) // 5)]],
            "y_labels": [(xy(first, v)[1], v) for v in range(int(low) + 1, int(high) + 1, max(1, int(high - low) // 4))],
            "pad": PAD}


def child_page(db, linked, *, year: str, current: str, today: date, years: list[str]):
    """The whole kindergarten page of one linked child for ``year``."""
    c = linked.child
    born, sex = db.execute("SELECT birth_date, sex FROM students WHERE id = ?", [c.student_id]).fetchone()
    history = measurements.history(db, c.student_id)
    born_on = date.fromisoformat(born) if born else None
    charts = [ch for ch in (_chart(*spec, sex, born_on, history) for spec in CHARTS) if ch]
    return render_template(
        "parents/child_mn.html", linked=linked, c=c, year=year, current=current, years=years,
        recent=notes.recent(db, c.student_id, limit=10) if year == current else [],
        pickup=pickups.latest_for(db, c.student_id, today) if year == current else None,
        history=history, latest=history[-1] if history else None, charts=charts,
        stages=measurements.stages(db, c.student_id, year), domains=DOMAINS, levels=LEVELS)
