"""Issue 11, config and files: refused settings, one-line errors naming the file, private files (items 13, 14)."""
from __future__ import annotations

import io
import logging
import os
import shutil
import sqlite3
import stat
import subprocess
import sys

import pytest

import settings as settings_mod
from store.core import migrate
from store.core.connection import connect

from .conftest import ROOT, write_config


@pytest.mark.parametrize("text, key", [
    ('[redis]\nurl = "redis://:hunter2@10.0.0.5:6379/0"\n', "redis.url"),
    ("[sms]\nmax_parts = 256\n", "sms.max_parts"),
])
def test_item13_bad_settings_are_refused_naming_the_key(tmp_path, text, key):
    with pytest.raises(settings_mod.ConfigError) as e:
        settings_mod.load(write_config(tmp_path / "c.toml", text), env={})
    assert e.value.key == key and "hunter2" not in str(e.value)


def test_item13_a_misspelt_variable_is_warned_about_by_name(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        settings_mod.load(write_config(tmp_path / "c.toml"), env={"SLL_WEB_SECRETKEY": "x", "SLL_SMS_MAX_PARTS": "2"})
    assert "SLL_WEB_SECRETKEY" in caplog.text and "SLL_SMS_MAX_PARTS" not in caplog.text


def test_the_simulators_own_variables_are_not_called_misspelt(tmp_path, caplog):
    """`demo` hands SLL_SIM_PASSWORD to its simulator: every process used to warn about it at start-up."""
    with caplog.at_level(logging.WARNING):
        settings_mod.load(write_config(tmp_path / "c.toml"),
                          env={"SLL_SIM_PASSWORD": "x", "SLL_SIM_CONTROL": "http://127.0.0.1:1", "SLL_SIM_PASWORD": "x"})
    assert "SLL_SIM_PASWORD" in caplog.text
    assert "SLL_SIM_PASSWORD " not in caplog.text and "SLL_SIM_CONTROL" not in caplog.text


def test_item13_a_non_utf8_config_is_one_line(tmp_path):
    path = tmp_path / "c.toml"
    path.write_bytes(b'[web]\nhost = "\xff"\n')
    with pytest.raises(settings_mod.ConfigError, match="not UTF-8"):
        settings_mod.load(path, env={})


def _one_line_error(proc, *needles):
    assert proc.returncode != 0 and "Traceback" not in proc.stderr, proc.stderr
    assert all(n in proc.stderr for n in needles), proc.stderr


def test_item13_a_non_sqlite_file_is_named(cli, tmp_path):
    (tmp_path / "sll.db").write_bytes(b"this is not a database" * 100)
    _one_line_error(cli("report", "delivery"), "sll.db", "not an SQLite database")


def _init(path):
    db = connect(path)
    migrate.init(db, path)
    db.conn.close()


def test_item13_a_database_missing_a_table_is_not_up_to_date(cli, tmp_path):
    _init(tmp_path / "sll.db")
    db = sqlite3.connect(tmp_path / "sll.db")
    db.execute("DROP TABLE sender_notices")
    db.commit()
    db.close()
    _one_line_error(cli("init"), "sender_notices", "restore a backup")


def test_item13_a_newer_schema_says_to_run_the_newer_program(cli, tmp_path):
    _init(tmp_path / "sll.db")
    db = sqlite3.connect(tmp_path / "sll.db")
    db.execute(f"PRAGMA user_version = {migrate.latest_version() + 1}")
    db.commit()
    db.close()
    proc = cli("report", "delivery")
    _one_line_error(proc, "newer version of this program")
    assert "run `python run_gateway.py init`" not in proc.stderr
    with pytest.raises(migrate.SchemaError, match="newer version of this program"):
        migrate.init(connect(tmp_path / "sll.db"), tmp_path / "sll.db")


def _read_only_as_root(folder, cli_args: list[str], config_file) -> subprocess.CompletedProcess | None:
    """Run the command with ``folder`` bind-mounted read-only in a private mount namespace (root ignores a
    0500 mode, not a read-only mount); None where the host allows no mount namespace."""
    script = ('mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 97; shift; exec "$@"')
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLL_")}
    env["SLL_CONFIG"] = str(config_file)
    proc = subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", str(folder), sys.executable,
                           str(ROOT / "run_gateway.py"), *cli_args], env=env, capture_output=True, text=True,
                          timeout=120, cwd=folder.parent)
    return None if proc.returncode == 97 or "unshare:" in proc.stderr else proc


def test_item13_a_read_only_data_folder_is_one_line(cli, tmp_path, config_file):
    ro = tmp_path / "ro"
    ro.mkdir()
    config_file.write_text(f'[store]\npath = "{ro / "x" / "sll.db"}"\n', encoding="utf-8")
    if os.geteuid() == 0 and shutil.which("unshare"):
        proc = _read_only_as_root(ro, ["init"], config_file)
        if proc is None:
            pytest.skip("running as root where no mount namespace is allowed: no folder is read-only for root")
    else:
        ro.chmod(0o500)
        try:
            proc = cli("init")
        finally:
            ro.chmod(0o700)
    _one_line_error(proc, "permissions")
    assert not (ro / "x").exists()


def test_item14_database_backups_and_folders_are_private(tmp_path):
    path = tmp_path / "data" / "sll.db"
    db = connect(path)
    migrate.init(db, path)
    db.execute("SELECT 1")
    backup = migrate.backup(db, tmp_path / "data" / "b.db")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    for side in (path.with_name("sll.db-wal"), path.with_name("sll.db-shm")):
        if side.exists():
            assert stat.S_IMODE(side.stat().st_mode) & 0o077 == 0


def test_item14_kept_uploads_and_their_own_school_copy_are_private(client, make_staff, school_db, web_settings):
    from .fixtures_web import csrf_of, login_staff
    login_staff(client, make_staff("ad.dd", "admin", "THCS-DD"))
    year = school_db.execute("SELECT max(school_year) FROM enrollments").fetchone()[0]
    content = (f"Mã HS,Mã môn,Năm học,Học kỳ,Loại,STT,Điểm\nDD900001,TOAN,{year},HK2,TX,1,8\n"
               f"CVA900001,TOAN,{year},HK2,TX,1,7\n").encode()
    client.get("/staff/imports")
    umask = os.umask(0o022)              # a usual umask: what the files would get without their own mode
    try:
        r = client.post("/staff/imports", data={"file": (io.BytesIO(content), "diem.csv"), "kind": "grades",
                                                "only_mine": "1", "csrf_token": csrf_of(client)})
    finally:
        os.umask(umask)
    assert r.status_code == 200
    root = web_settings.data_dir / "uploads"
    [folder] = [f for f in root.iterdir() if f.is_dir()]
    assert {stat.S_IMODE(p.stat().st_mode) for p in (root, folder)} == {0o700}
    files = list(folder.iterdir())
    assert len(files) == 2, files        # the upload and the copy without the other school's row
    assert {stat.S_IMODE(p.stat().st_mode) for p in files} == {0o600}


def test_item13_a_full_disk_during_an_import_is_one_line_naming_the_file(school_db, tmp_path, monkeypatch):
    import click
    from cli.imports import run_import
    from store.imports import registry
    year = school_db.execute("SELECT max(school_year) FROM enrollments").fetchone()[0]
    path = tmp_path / "g.csv"
    path.write_text(f"so_dien_thoai,ho_ten,email,ma_hs,quan_he,nam_hoc\n0911000555,An,,DD900001,Bo,{year}\n",
                    encoding="utf-8")

    def full(ctx, op):
        raise sqlite3.OperationalError("database or disk is full")
    monkeypatch.setattr(registry.find("guardians").handler, "apply", full)
    with pytest.raises(click.ClickException) as e:
        run_import(school_db, "guardians", path, approve=True)
    message = e.value.format_message()
    assert "\n" not in message and message.startswith("g.csv: nothing imported: ")
    assert "sll.db" in message and "the disk is full" in message and "free space" in message
