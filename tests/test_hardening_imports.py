"""Issue 11, imports: bounded transactions, all-or-nothing kept, caps, the upload bomb, under MO load (items 2, 3, 17)."""
from __future__ import annotations

import sqlite3
import threading
import zipfile

import pytest

from store.core.connection import connect
from store.imports import ImportFileError, ImportRowsError, import_file, undo
from store.imports import registry
from store.imports.limits import Limits

from .fixtures_imports import write_xlsx

HEADER = "so_dien_thoai,ho_ten,email,ma_hs,quan_he,nam_hoc"


def _year(db) -> str:
    return db.execute("SELECT max(school_year) FROM enrollments").fetchone()[0]


def _students(db) -> list[str]:
    return [r[0] for r in db.execute("SELECT s.code FROM students s JOIN enrollments e ON e.student_id = s.id "
                                     "WHERE e.school_year = ? ORDER BY s.code", [_year(db)])]


def guardians_file(db, path, rows: int, *, bad_every: int = 0):
    """``rows`` links of new numbers to the demo's students (every ``bad_every``th with an unknown pupil)."""
    codes, year = _students(db), _year(db)
    lines = [HEADER]
    for i in range(rows):
        code = "KHONGCO" if bad_every and i % bad_every == 0 else codes[i % len(codes)]
        lines.append(f"09{i:08d},Phu huynh {i},,{code},Me,{year}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _links(db) -> int:
    return db.execute("SELECT count(*) FROM guardian_links").fetchone()[0]


def test_item02_a_dry_run_lets_other_writers_in_while_it_runs(school_db, school_db_path, tmp_path):
    path = guardians_file(school_db, tmp_path / "g.csv", 3000)
    done = threading.Event()
    outcome = {}

    def dry_run():
        outcome["report"] = import_file(connect(school_db_path), "guardians", path, dry_run=True)
        done.set()

    thread = threading.Thread(target=dry_run)
    thread.start()
    other = connect(school_db_path, busy_timeout_ms=30_000)
    wrote_during = 0
    while not done.is_set():
        with other.conn:
            other.execute("INSERT INTO sender_notices (phone, local_date, kind, sent_at) VALUES (?, '2000-01-01', "
                          "'stranger', 'x')", [f"+8490{wrote_during:07d}"])
        wrote_during += 0 if done.is_set() else 1
    thread.join()
    assert wrote_during > 0, "another writer got the lock between the dry run's chunks"
    assert outcome["report"].inserted == 3000 and _links(school_db) == _links(other)


def test_item02_bad_rows_are_counted_and_only_the_first_200_listed(school_db, tmp_path):
    before = _links(school_db)
    with pytest.raises(ImportRowsError) as e:
        import_file(school_db, "guardians", guardians_file(school_db, tmp_path / "g.csv", 600, bad_every=2))
    assert e.value.report.error_count == 300 and len(e.value.report.errors) == 200
    assert "300 dòng lỗi, chưa nhập gì" in str(e.value) and _links(school_db) == before


def test_item02_a_file_over_the_row_cap_is_refused(school_db, tmp_path):
    with pytest.raises(ImportFileError, match="quá 50 dòng"):
        import_file(school_db, "guardians", guardians_file(school_db, tmp_path / "g.csv", 60),
                    limits=Limits(max_rows=50))


def test_item02_a_failure_half_way_is_undone(school_db, tmp_path, monkeypatch):
    before = _links(school_db), school_db.execute("SELECT count(*) FROM guardians").fetchone()[0]
    path = guardians_file(school_db, tmp_path / "g.csv", 450)
    real_apply, calls = registry.find("guardians").handler.apply, {"n": 0}

    def apply_then_fill_the_disk(ctx, op):
        if not ctx.conn.execute("SELECT count(*) FROM temp.sqlite_master WHERE type = 'trigger'").fetchone()[0]:
            return real_apply(ctx, op)            # the dry run
        calls["n"] += 1
        if calls["n"] == 400:                     # after several committed chunks
            raise sqlite3.OperationalError("database or disk is full")
        return real_apply(ctx, op)

    monkeypatch.setattr(registry.find("guardians").handler, "apply", apply_then_fill_the_disk)
    with pytest.raises(sqlite3.OperationalError):
        import_file(school_db, "guardians", path, approve=True)
    assert (_links(school_db), school_db.execute("SELECT count(*) FROM guardians").fetchone()[0]) == before
    assert school_db.execute("SELECT state FROM import_runs ORDER BY id DESC LIMIT 1").fetchone() == ("undone",)
    assert school_db.execute("SELECT count(*) FROM import_undo").fetchone()[0] == 0


def test_item02_an_import_killed_half_way_is_undone_by_the_next(school_db, tmp_path):
    before = _links(school_db)
    run_id = undo.start(school_db, "guardians", "g.csv")      # a process that died while writing
    with school_db.conn:
        school_db.execute("UPDATE guardian_links SET active = 0")
    undo.stop_recording(school_db)
    assert school_db.execute("SELECT count(*) FROM guardian_links WHERE active = 1").fetchone()[0] == 0
    import_file(school_db, "guardians", guardians_file(school_db, tmp_path / "g.csv", 5), approve=True)
    assert school_db.execute("SELECT state FROM import_runs WHERE id = ?", [run_id]).fetchone() == ("undone",)
    assert school_db.execute("SELECT count(*) FROM guardian_links WHERE active = 1").fetchone()[0] == before + 5


def _bomb(path, member: str, size_mb: int):
    """A small valid workbook whose ``member`` is replaced by ``size_mb`` MB of XML that compresses to little."""
    write_xlsx(path, [["so_dien_thoai", "ma_hs", "nam_hoc"], ["0912345678", "DD900001", "2025-2026"]])
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    si = b"<si><t>a</t></si>"
    body = si * (size_mb * 1024 * 1024 // len(si))
    parts[member] = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
                     b'spreadsheetml/2006/main">' + body + b"</sst>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def test_item03_shared_strings_bomb_is_refused_before_parsing(school_db, tmp_path):
    path = _bomb(tmp_path / "bomb.xlsx", "xl/sharedStrings.xml", 40)
    assert path.stat().st_size < 400_000
    before = _links(school_db)
    with pytest.raises(ImportFileError, match="sharedStrings"):
        import_file(school_db, "guardians", path, dry_run=True)
    assert _links(school_db) == before


def test_item03_sheet_decompressed_size_is_capped(school_db, tmp_path):
    path = _bomb(tmp_path / "bomb.xlsx", "xl/worksheets/sheet1.xml", 3)
    with pytest.raises(ImportFileError, match="trang tính giải nén"):
        import_file(school_db, "guardians", path, dry_run=True, limits=Limits(max_sheet_bytes=1024 * 1024))


def test_item03_csv_size_is_capped_and_streamed(school_db, tmp_path):
    path = guardians_file(school_db, tmp_path / "g.csv", 200)
    with pytest.raises(ImportFileError, match="vượt giới hạn"):
        import_file(school_db, "guardians", path, dry_run=True, limits=Limits(max_csv_bytes=1000))
    assert import_file(school_db, "guardians", path, dry_run=True).inserted == 200


@pytest.mark.parametrize("address", ["phụhuynh@example.vn", "a@b", "x y@example.vn"])
def test_item17_an_address_the_mail_server_cannot_take_is_a_bad_row(school_db, tmp_path, address):
    path = tmp_path / "g.csv"
    path.write_text(f"{HEADER}\n0912345678,An,{address},DD900001,Bo,{_year(school_db)}\n", encoding="utf-8")
    with pytest.raises(ImportRowsError) as e:
        import_file(school_db, "guardians", path)
    assert e.value.report.errors[0].reason.startswith(f"email '{address}' ")


@pytest.mark.slow
def test_item02_mo_are_acknowledged_and_answered_during_an_import(school_db, school_db_path, tmp_path, redis_url):
    """The upload bomb, then a real import, while the simulator sends MO at 5/s (the 100k figure: bench_import_mo)."""
    from bench.mo_load import MoLoad, percentile
    bomb = _bomb(tmp_path / "bomb.xlsx", "xl/sharedStrings.xml", 40)
    path = guardians_file(school_db, tmp_path / "g.csv", 2500)
    outcome = {}

    def run():
        with pytest.raises(ImportFileError, match="sharedStrings"):
            import_file(connect(school_db_path), "guardians", bomb, dry_run=True)
        outcome["report"] = import_file(connect(school_db_path), "guardians", path, approve=True)

    with MoLoad(school_db_path, tmp_path, rate=5, redis_url=redis_url) as load:
        thread = threading.Thread(target=run)
        thread.start()
        load.send_while(thread.is_alive, minimum=10)
        thread.join()
        results = load.collect(timeout=30)
    assert outcome["report"].inserted == 2500
    assert {r.status for r in results} == {0}, "every MO acknowledged with 0x00 (none ESME_RX_T_APPN)"
    latencies = [r.latency for r in results]
    assert None not in latencies, "and every MO answered"
    assert percentile(latencies, 99) <= 1.0, f"p99 MO to reply {percentile(latencies, 99):.3f} s during the import"


def test_item02_the_upload_page_refuses_a_bomb_in_one_line_and_lists_at_most_200_rows(client, make_staff, school_db,
                                                                                      tmp_path):
    from .fixtures_web import csrf_of, login_staff
    import io
    login_staff(client, make_staff("ad.dd", "admin", "THCS-DD"))

    def upload(name, content):
        client.get("/staff/imports")
        return client.post("/staff/imports", data={"file": (io.BytesIO(content), name), "kind": "guardians",
                                                   "csrf_token": csrf_of(client)}, content_type="multipart/form-data")

    bomb = _bomb(tmp_path / "bomb.xlsx", "xl/sharedStrings.xml", 40).read_bytes()
    page = upload("bomb.xlsx", bomb).get_data(as_text=True)
    assert "sharedStrings" in page and len(page) < 50_000
    rows = guardians_file(school_db, tmp_path / "g.csv", 900, bad_every=1).read_bytes()
    page = upload("g.csv", rows).get_data(as_text=True)
    bad_rows = page[page.index('id="bad-rows"'):].split("</table>")[0]
    assert bad_rows.count("<tr><td>") == 200 and "700 dòng lỗi khác" in page
