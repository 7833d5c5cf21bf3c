"""The targets staff pick for a bulk send (a school, a grade, classes): one list for every composer page.

Announcements and polls list the same choices; the SMS preview, its cost
and the send-once key are outbox/composer.py.
"""
from __future__ import annotations

from flask import g

from store.messaging import audiences


def choices(db, school_year: str, *, school_label: str = "{name} ({code}): toàn trường",
            own_classes_only: bool = False) -> list[dict]:
    """The choices of the staff member's school(s): the school, each grade, each class of ``school_year``.

    Each is a dict: value (what the form posts), label, kind ('school', 'grade', 'class'),
    school_id, school_name, grade, group ('khối 8'), class_id, class_name, class_ids
    (None: the whole school). ``own_classes_only``: just the teacher's classes.
    """
    out = []
    for school in audiences.schools_with_classes(db, g.staff.school_id, school_year):
        base = {"school_id": school.id, "school_name": school.name, "grade": None, "group": None,
                "class_id": None, "class_name": None}
        classes = school.classes
        if own_classes_only:
            classes = tuple(c for c in classes if c.id in g.staff.class_ids)
        else:
            out.append({**base, "value": f"school:{school.id}", "kind": "school", "class_ids": None,
                        "label": school_label.format(name=school.name, code=school.code)})
            for grade in sorted({c.grade for c in classes}):
                out.append({**base, "value": f"grade:{school.id}:{grade}", "label": f"{school.code}: khối {grade}",
                            "kind": "grade", "grade": grade, "group": f"khối {grade}",
                            "class_ids": [c.id for c in classes if c.grade == grade]})
        for c in classes:
            out.append({**base, "value": f"class:{c.id}", "label": f"{school.code}: lớp {c.name}", "kind": "class",
                        "class_id": c.id, "class_name": c.name, "class_ids": [c.id]})
    return out
