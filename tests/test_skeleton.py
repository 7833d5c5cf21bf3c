"""The ground: config, schema and migrations, init, backup, user add."""
from __future__ import annotations

import sqlite3

import pytest

import settings as settings_mod
from store.core import migrate
from store.school import users
from store.core.connection import connect
from store.core.errors import UserError

from .conftest import write_config


def test_default_config_loads_and_documents_every_key():
    s = settings_mod.load(settings_mod.DEFAULT_CONFIG, env={})
    assert s.sms.timezone == "Asia/Ho_Chi_Minh"
    text = settings_mod.DEFAULT_CONFIG.read_text(encoding="utf-8")
    for section, key, default, help in settings_mod.describe():
        assert help, (section, key)
        assert f"{key} =" in text or f"# {key} = (environment only)" in text, (section, key)


@pytest.mark.parametrize("body, key", [
    ("[sms]\ncolour = 'red'\n", "sms.colour"),
    ("[[smsc]]\ntps = \"fast\"\n", "smsc[default].tps"),
    ("[[smsc]]\nbind_mode = \"both\"\n", "smsc[default].bind_mode"),
    ("[sms]\nquiet_hours = \"9pm-7am\"\n", "sms.quiet_hours"),
    ("[sms]\ntimezone = \"Mars/Olympus\"\n", "sms.timezone"),
    ("[[smsc]]\npassword = \"secret\"\n", "smsc[default].password"),
    ("[nonsense]\n", "nonsense"),
    ("[[smsc]]\nname = \"a\"\n[[smsc]]\nname = \"a\"\n", "smsc"),
    ("[[smsc]]\nbind_mode = \"rx+tx\"\nmax_binds = 1\n", "smsc[default].max_binds"),
    ("[gateway]\nprocesses = 2\n[[smsc]]\nmax_binds = 1\n", "gateway.processes"),
    ("[gateway]\nprocesses = 2\n[[smsc]]\nbind_mode = \"rx+tx\"\nmax_binds = 2\n", "gateway.processes"),
    ("[gateway]\nprocesses = 0\n", "gateway.processes"),
])
def test_bad_config_names_the_key(tmp_path, body, key):
    path = write_config(tmp_path / "config.toml", body)
    with pytest.raises(settings_mod.ConfigError) as exc:
        settings_mod.load(path, env={})
    assert exc.value.key == key
    assert str(path) in str(exc.value)


def test_env_overrides_and_named_connections(tmp_path):
    path = write_config(tmp_path / "config.toml", '[[smsc]]\nname = "viettel"\n[[smsc]]\nname = "vina"\nport = 2776\n')
    s = settings_mod.load(path, env={"SLL_SMSC_TPS": "50", "SLL_SMSC_VINA_TPS": "20", "SLL_SMSC_VINA_PASSWORD": "pw",
                                     "SLL_SMS_TRANSLITERATE": "false", "SLL_SMSC_PASSWORD": "p1"})
    assert s.connection("viettel").tps == 50 and s.connection("viettel").password == "p1"
    assert s.connection("vina").tps == 20 and s.connection("vina").port == 2776
    assert s.sms.transliterate is False
    with pytest.raises(settings_mod.ConfigError, match="SLL_SMSC_VINA_PASSWORD"):
        settings_mod.load(path, env={"SLL_SMSC_PASSWORD": "p1"}).require_secrets("smsc.password")


def test_cli_bad_config_exits_nonzero_naming_the_key(cli, config_file):
    proc = cli("init", env={"SLL_SMSC_TPS": "fast"})
    assert proc.returncode != 0
    assert "smsc[default].tps" in proc.stderr
    config_file.write_text(config_file.read_text() + "[sms]\nunknown_thing = 1\n")
    proc = cli("init")
    assert proc.returncode != 0 and "sms.unknown_thing" in proc.stderr and str(config_file) in proc.stderr


def test_init_twice_changes_nothing(cli, tmp_path):
    first = cli("init", check=True)
    assert "created" in first.stdout
    before = (tmp_path / "sll.db").read_bytes()
    second = cli("init", check=True)
    assert "up to date" in second.stdout
    db = connect(tmp_path / "sll.db")
    assert migrate.user_version(db) == migrate.latest_version()
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert len(before) <= len((tmp_path / "sll.db").read_bytes())


def test_migrated_database_equals_fresh_one(tmp_path):
    old = connect(tmp_path / "old.db")
    first = migrate.migrations()[0][1].read_text(encoding="utf-8")
    old.conn.executescript(f"BEGIN; {first}; PRAGMA user_version = 1; COMMIT;")
    old.execute("INSERT INTO schools (code, name, level, created_at) VALUES ('S1', 'Truong 1', 'THCS', 'x')")
    result = migrate.init(old, tmp_path / "old.db")
    assert result["action"] == "upgraded" and result["backup"]
    backup = connect(result["backup"])
    assert migrate.user_version(backup) == 1
    assert backup.execute("SELECT code FROM schools").fetchall() == [("S1",)]
    fresh = connect(tmp_path / "fresh.db")
    migrate.init(fresh)
    assert migrate.schema_fingerprint(old) == migrate.schema_fingerprint(fresh)
    assert migrate.user_version(old) == migrate.user_version(fresh)
    assert old.execute("SELECT code FROM schools").fetchall() == [("S1",)]


def test_init_refuses_a_foreign_database(tmp_path):
    db = connect(tmp_path / "other.db")
    db.execute("CREATE TABLE t (x)")
    with pytest.raises(Exception, match="not an SLL database"):
        migrate.init(db)


def test_backup_then_restore_has_same_rows(cli, tmp_path):
    cli("init", check=True)
    db = connect(tmp_path / "sll.db")
    db.execute("INSERT INTO schools (code, name, level, created_at) VALUES ('S1', 'Trường THCS Đống Đa', 'THCS', 'x')")
    users.add_user(db, "admin1", "admin", "correct horse battery", school_code="S1")
    cli("backup", str(tmp_path / "copy.db"), check=True)
    proc = cli("backup", str(tmp_path / "copy.db"))
    assert proc.returncode != 0 and "already exists" in proc.stderr
    restored = connect(tmp_path / "copy.db")
    for table in db.table_names():
        assert list(db[table].rows) == list(restored[table].rows), table
    assert restored.execute("SELECT name FROM schools").fetchone()[0] == "Trường THCS Đống Đa"


def test_user_add_hashes_and_scopes(cli, tmp_path):
    cli("init", check=True)
    db = connect(tmp_path / "sll.db")
    db.execute("INSERT INTO schools (code, name, level, created_at) VALUES ('S1', 'T', 'THCS', 'x')")
    proc = cli("user", "add", "rev1", "--role", "reviewer", "--school", "S1", "--password-stdin",
               input="a long enough password\n", check=True)
    assert "created reviewer rev1" in proc.stdout
    row = db.execute("SELECT password_hash, role, school_id FROM users WHERE login='rev1'").fetchone()
    assert "a long enough password" not in row[0] and row[1] == "reviewer" and row[2] == 1
    assert users.check_login(db, "rev1", "a long enough password")["login"] == "rev1"
    assert users.check_login(db, "rev1", "wrong password!") is None
    gen = cli("user", "add", "op", "--role", "operator", check=True)
    printed = gen.stdout.split("password (shown once): ")[1].strip()
    assert users.check_login(db, "op", printed)
    bad = cli("user", "add", "t1", "--role", "teacher", "--generate")
    assert bad.returncode != 0 and "--school" in bad.stderr


@pytest.mark.parametrize("kwargs, message", [
    (dict(login="a b", role="admin", password="x" * 12, school_code="S1"), "one word"),
    (dict(login="a", role="admin", password="short", school_code="S1"), "at least"),
    (dict(login="a", role="admin", password="x" * 12, school_code="NOPE"), "unknown school"),
    (dict(login="a", role="boss", password="x" * 12), "unknown role"),
    (dict(login="a", role="teacher", password="x" * 12, school_code="S1", class_names=["9Z"]), "unknown class"),
])
def test_user_add_refusals(db, kwargs, message):
    db.execute("INSERT INTO schools (code, name, level, created_at) VALUES ('S1', 'T', 'THCS', 'x')")
    login = kwargs.pop("login"); role = kwargs.pop("role"); password = kwargs.pop("password")
    with pytest.raises(UserError, match=message):
        users.add_user(db, login, role, password, **kwargs)
    assert db.execute("SELECT count(*) FROM users").fetchone()[0] == 0


def test_schema_enforces_constraints(db):
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO schools (code, name, level, created_at) VALUES ('S', 'T', '', 'x')")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO classes (school_id, school_year, name, grade) VALUES (99, '2025-2026', '6A', 6)")
