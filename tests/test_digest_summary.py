"""One part per child: a heavy evening summarises (counts, complete term averages, the link), a light one lists;
`digest --dry-run` counts the same parts without writing anything."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import jinja2

from outbox import digest
from outbox.digest_sources import Grades, Piece
from outbox.digest_text import Composer, frames
from outbox.render import parts_needed, prepare
from store.core.clock import iso, utcnow
from store.rules.tt22 import parse_score, term_average
from outbox.templating import macros

from .test_digest import DAY1, DAY2, school_id


def test_a_long_child_is_summarised_and_the_short_one_keeps_its_lines(sms_settings):
    composer = Composer(sms_settings, DAY1)
    long = Piece([f"Điểm TOAN TX{i} 8" for i in range(1, 30)], "29 điểm mới: TOAN 29", "29 điểm mới ở 1 môn")
    short = Piece(["Vắng 28/11 S (có phép)"], "vắng 1 buổi", "vắng 1")
    text = composer.text([(1, "Nguyễn Thị Hoa", "8A2", [long]), (2, "Lê Hoàng Nam", "7A1", [short])])
    assert text == (f"SLL {DAY1:%d/%m}: Nguyen Thi Hoa 8A2: 29 diem moi: TOAN 29 / Le Hoang Nam 7A1: Vang 28/11 S "
                    "(co phep). Xem: http://127.0.0.1:8080/p")
    assert composer.parts(text) <= 2
    alone = composer.text([(2, "Lê Hoàng Nam", "7A1", [short])])
    assert alone == f"SLL {DAY1:%d/%m}: Le Hoang Nam 7A1: Vang 28/11 S (co phep)", "nothing to shorten: no link"


def test_the_heavy_first_evening_costs_one_part_per_child(school_db, sms_settings):
    sid = school_id(school_db)
    result = digest.build(school_db, sms_settings, sid, DAY1)
    children = dict(school_db.execute(
        "SELECT l.guardian_id, count(*) FROM guardian_links l JOIN students s ON s.id = l.student_id "
        "WHERE s.school_id = ? AND l.active = 1 GROUP BY l.guardian_id", [sid]).fetchall())
    rows = school_db.execute("SELECT guardian_id, body FROM messages WHERE kind = 'digest'").fetchall()
    assert len(rows) == result.created > 0
    for gid, body in rows:
        assert parts_needed(*prepare(body, True)) <= children[gid], body
        assert body.endswith("Xem: http://127.0.0.1:8080/p"), body
    assert result.parts == sum(parts_needed(*prepare(b, True)) for _, b in rows)


def test_a_few_complete_subjects_show_their_term_averages(school_db, sms_settings):
    sid = school_id(school_db)
    t1 = utcnow()
    digest.build(school_db, sms_settings, sid, DAY1, now=t1)
    hoa = school_db.execute("SELECT id FROM students WHERE code = 'DD900001'").fetchone()[0]
    # Three whole subjects approved again after the first evening: too many scores to list in one part.
    school_db.execute("UPDATE grades SET approved_at = ? WHERE student_id = ? AND subject_code IN ('TOAN', 'VAN', 'ANH')",
                      [iso(t1 + timedelta(minutes=30)), hoa])
    digest.build(school_db, sms_settings, sid, DAY2, now=t1 + timedelta(hours=1))
    body = school_db.execute("SELECT body FROM messages WHERE kind = 'digest' AND phone = '+84912345678' "
                             "ORDER BY id DESC").fetchone()[0]

    def average(code):
        cells = school_db.execute("SELECT kind, value FROM grades WHERE student_id = ? AND subject_code = ? "
                                  "AND term = 1", [hoa, code]).fetchall()
        tx = [parse_score(v) for k, v in cells if k == "TX"]
        gk, ck = (next(parse_score(v) for k, v in cells if k == kind) for kind in ("GK", "CK"))
        return format(term_average(tx, gk, ck).normalize(), "f")

    expected = ", ".join(f"{code} {average(code)}" for code in ("TOAN", "VAN", "ANH"))
    assert re.fullmatch(rf"SLL {DAY2:%d/%m}: Nguyen Thi Hoa 8A2: \d+ diem moi: TOAN \d+, VAN \d+, ANH \d+; "
                        rf"TB HK1 {expected}\. Xem: http://127\.0\.0\.1:8080/p", body), body
    assert Decimal(average("TOAN")) > 0


def test_a_dry_run_counts_the_parts_and_writes_nothing(school_db, sms_settings):
    sid = school_id(school_db)
    dry = digest.build(school_db, sms_settings, sid, DAY1, dry_run=True)
    assert dry.created > 0 and dry.parts >= dry.created and not dry.already_built
    assert school_db.execute("SELECT count(*) FROM messages").fetchone()[0] == 0
    assert school_db.execute("SELECT count(*) FROM digest_runs").fetchone()[0] == 0
    real = digest.build(school_db, sms_settings, sid, DAY1)
    assert (real.created, real.parts) == (dry.created, dry.parts)
    assert digest.build(school_db, sms_settings, sid, DAY1, dry_run=True).already_built


def test_digest_dry_run_prints_the_parts_and_their_price(school_db_path, tmp_path, monkeypatch):
    from click.testing import CliRunner

    import run_gateway
    from .conftest import write_config

    monkeypatch.setattr(digest, "lower_priority", lambda: None)     # not this test process
    config = write_config(tmp_path / "config.toml", '[redis]\nurl = "redis://127.0.0.1:1/0"\n',
                          db_path=school_db_path)
    out = CliRunner().invoke(run_gateway.main, ["-c", str(config), "digest", "--dry-run", "--school", "THCS-DD"])
    assert out.exit_code == 0, out.output
    match = re.search(r"THCS-DD \S+: would queue (\d+) digests, (\d+) parts \(about ([\d,]+) VND\)", out.output)
    assert match and int(match[3].replace(",", "")) == int(match[2]) * 500, out.output


def test_the_template_frames_render_what_jinja_renders_or_jinja_is_used():
    tpl = macros("digest.txt")
    child, message = frames(tpl, DAY1)
    assert child("Nam", "7A1", ["a", "b"]) == str(tpl.child("Nam", "7A1", ["a", "b"])) == "Nam 7A1: a; b"
    for blocks, link in (([], ""), (["x"], "http://h/p"), (["x", "y"], "")):
        assert message(blocks, link) == str(tpl.message(DAY1, blocks, link))
    # Macros that are not plain frames around their values (a filter, a count) keep their own rendering.
    odd = jinja2.Environment().from_string(
        '{% macro child(n, c, lines) %}{{ n|upper }} {{ c }}: {{ lines|join("; ") }}{% endmacro %}'
        '{% macro message(day, blocks, link) %}{{ blocks|length }} {{ blocks|join(" / ") }}{{ link }}{% endmacro %}'
    ).module
    child, message = frames(odd, DAY1)
    assert child("Lê Nam", "7A1", ["a"]) == "LÊ NAM 7A1: a"
    assert message([], "") == "0 " and message(["x", "y"], "/p") == "2 x / y/p"


def test_a_subject_approved_in_two_school_years_shows_one_average():
    subjects = [("TOAN", 1, 3, True), ("TOAN", 1, 2, True), ("VAN", 1, 4, True)]
    found = (("TOAN", 1, Decimal("8")), ("VAN", 1, Decimal("6.5")))
    assert Grades._averages_text(subjects, found) == "TB HK1 TOAN 8, VAN 6.5"
