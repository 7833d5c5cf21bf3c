"""One registration per kind of thing (issue 15 item 4): import kinds, review specs, digest news sources, the
staff menu. A registered kind without its README row, template, review spec or demo file fails here, and a
toy domain (tests/toy_domain.py) joins by one line in each registry: imported through the real runner,
approved in the real queue, listed in a real digest."""
from __future__ import annotations

import importlib
import re
from datetime import timedelta
from pathlib import Path

from flask import Flask

import web
from outbox import digest, digest_sources
from demo import preschool as preschool_demo, primary as primary_demo, school as demo_school
from store.review import approvals
from store.registry import review as review_registry
from store.core.clock import utcnow
from store.imports import ImportKind, import_file, registry
from web.menu import entries

from . import toy_domain
from .test_digest import DAY1, DAY2, digests_of, school_id

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
TZ = "Asia/Ho_Chi_Minh"


def missing_readme_rows(kinds) -> list[str]:
    """Kinds without their row (`| \\`name\\` | …`) in the README's table of import kinds."""
    return [k.name for k in kinds if f"| `{k.name}` |" not in README]


def missing_templates(kinds) -> list[str]:
    """Kinds without a template: a layout of their own, or an example row giving every required column."""
    bad = []
    for k in kinds:
        columns = set(k.required) | set(k.optional)
        extra = {c for c in k.example if c not in columns and not (k.wide and re.fullmatch(r"TX\d", c))}
        if k.template is None and (not set(k.required) <= set(k.example) or extra or not any(k.example.values())):
            bad.append(k.name)
    return bad


def missing_review_specs(kinds) -> list[str]:
    """Kinds naming a review queue that is not registered."""
    return [k.name for k in kinds for table in k.reviewed_in if review_registry.find(table) is None]


def missing_demo_files(kinds, tmp_path) -> list[str]:
    """Kinds that none of the demos (THCS/THPT, primary, kindergarten) writes a file of, unless they say why."""
    written = {kind for kind, _ in demo_school.generate(tmp_path / "thcs", classes_per_grade=1, students_per_class=2)}
    written |= {kind for kind, _ in primary_demo.generate(tmp_path / "th", classes_per_grade=1, students_per_class=2)}
    written |= {kind for kind, _ in preschool_demo.generate(tmp_path / "mn", students_per_class=2)}
    return [k.name for k in kinds if k.name not in written and not k.no_demo]


def test_every_import_kind_is_registered_once_with_its_readme_row_template_review_spec_and_demo(tmp_path):
    names = registry.names()
    assert len(names) == len(set(names)) and all(k.name == k.handler.name and k.label for k in registry.KINDS)
    assert missing_readme_rows(registry.KINDS) == []
    assert missing_templates(registry.KINDS) == []
    assert missing_review_specs(registry.KINDS) == []
    assert missing_demo_files(registry.KINDS, tmp_path) == []


def test_the_checks_catch_a_kind_without_them(tmp_path):
    toy = toy_domain.KIND
    assert missing_readme_rows([toy]) == ["toy_notes"] and missing_review_specs([toy]) == ["toy_notes"]
    assert missing_demo_files([toy], tmp_path) == ["toy_notes"] and missing_templates([toy]) == []
    without_example = ImportKind("toy_bare", "Thử", toy.handler, {"ma_hs": "DD900001"})    # loi_nhan missing
    assert missing_templates([without_example]) == ["toy_bare"]


def test_review_specs_are_every_reviewed_table_once(db):
    reviewed = set()
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        columns = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
        if {"status", "approved_at", "entered_by"} <= columns:
            reviewed.add(table)
    names = [s.name for s in review_registry.REVIEW_SPECS]
    assert len(names) == len(set(names)) and set(names) == reviewed
    assert {t for k in registry.KINDS for t in k.reviewed_in} <= reviewed


def test_news_sources_are_one_list_in_order():
    names = [s.name for s in digest_sources.NEWS_SOURCES]
    assert names[:5] == ["grades", "conduct", "absences", "comments", "events"] and len(names) == len(set(names))
    made = digest_sources.sources()
    assert len(made) == len(names) and all(callable(getattr(s, "read", None)) for s in made)
    assert made[0] is not digest_sources.sources()[0], "each run gets fresh sources (their caches are the run's)"


def test_each_blueprint_declares_its_own_menu_entries_and_the_menu_is_theirs():
    modules = [importlib.import_module(name) for name in web.BLUEPRINTS]
    app = Flask("menu")
    for module in modules:
        app.register_blueprint(module.bp)
    for module in modules:
        for entry in getattr(module, "MENU", ()):
            assert entry.endpoint.split(".")[0] == module.bp.name, (module.__name__, entry)
            assert entry.endpoint in app.view_functions and entry.label
    menu = [e.endpoint for e in entries(modules)]
    assert len(menu) == len(set(menu)) and menu[:4] == ["staff.index", "reports.delivery", "reports.inbox",
                                                        "review.approvals"]
    assert not hasattr(web, "STAFF_NAV")


def test_a_toy_domain_joins_by_one_line_in_each_registry(school_db, sms_settings, tmp_path, monkeypatch):
    school_db.execute(toy_domain.SCHEMA)                     # the domain's migration
    monkeypatch.setattr(registry, "KINDS", [*registry.KINDS, toy_domain.KIND])
    monkeypatch.setattr(review_registry, "REVIEW_SPECS", [*review_registry.REVIEW_SPECS, toy_domain.REVIEW])
    monkeypatch.setattr(digest_sources, "NEWS_SOURCES", [*digest_sources.NEWS_SOURCES, toy_domain.NEWS])
    sid, t1 = school_id(school_db), utcnow()
    digest.build(school_db, sms_settings, sid, DAY1, now=t1)     # the demo's news went out already
    year = school_db.execute("SELECT school_year FROM enrollments e JOIN students s ON s.id = e.student_id "
                             "WHERE s.code = 'DD900001'").fetchone()[0]
    path = tmp_path / "loi_dan.csv"
    path.write_text(f"TRƯỜNG THCS ĐỐNG ĐA\nMã HS;Năm học;Lời dặn\nDD900001;{year};Mang ao mua ngay mai\n",
                    encoding="utf-8")
    report = import_file(school_db, "toy_notes", path)       # the real runner, the kind's own header synonyms
    assert (report.header_row, report.inserted) == (2, 1)
    (group,) = [g for g in approvals.pending_groups(school_db, TZ, school_id=sid) if g.key.kind.name == "toy_notes"]
    assert group.key.kind.label == "Lời dặn (thử)"
    (row,) = approvals.pending_rows(school_db, group.key, TZ)
    assert row.detail == "Lời dặn: Mang ao mua ngay mai" and row.student_code == "DD900001"
    assert approvals.approve(school_db, [group.key], actor="rv1", tz=TZ, school_id=sid) == 1
    assert digest.build(school_db, sms_settings, sid, DAY2, now=t1 + timedelta(hours=2)).created == 1
    assert digests_of(school_db, "+84912345678")[-1] == f"SLL {DAY2:%d/%m}: Nguyen Thi Hoa 8A2: " \
                                                        "Loi dan: Mang ao mua ngay mai"
