"""`serve` (the single-host process group), `jobs` (the rq worker) and `demo`."""
from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import click

import settings as settings_mod
from store.school import users

from . import demo_marker
from . import embedded_redis
from .backups import BackupSchedule
from .context import pass_app
from .runtime import open_redis
from .web import web_url

logger = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "demo-pw"  # SMPP 3.4 passwords are at most 8 characters
JOBS_MAINTENANCE_S = 60    # rq worker maintenance (its scheduler started again after Redis came back)
# The demo's staff accounts (login, role, school, classes); their password is generated once per data dir.
DEMO_TEACHER = "dd-gv001.thcs-dd"
DEMO_STAFF = (("demo.admin", "admin", "THCS-DD", ()), ("demo.gv", "teacher", "THCS-DD", ("8A2",)),
              ("demo.ops", "operator", None, ()), ("demo.th", "teacher", "TH-KD", ("4A1",)),
              ("demo.duyet", "reviewer", "THCS-DD", ()),
              ("demo.mn", "teacher", "MN-HM", ("LA1",)))


def redis_url_of(conn) -> str:
    """The URL a child process uses to reach ``conn`` (the embedded server's socket, or the server)."""
    socket_file = getattr(conn, "socket_file", None)
    if socket_file:
        return f"unix://{socket_file}"
    kw = conn.connection_pool.connection_kwargs
    if "path" in kw:
        return f"unix://{kw['path']}"
    return f"redis://{kw.get('host', '127.0.0.1')}:{kw.get('port', 6379)}/{kw.get('db', 0)}"


@dataclass
class Child:
    """One supervised process: restarted with back-off when it dies."""

    name: str
    argv: list[str]
    env: dict
    proc: subprocess.Popen | None = None
    restarts: int = 0
    next_start: float = 0.0
    started_at: float = field(default=0.0)
    own_session: bool = False       # out of the terminal's process group: Ctrl-C reaches it only through stop()
    before_start: Callable[[], None] | None = None     # run before every (re)start

    def start(self) -> None:
        if self.before_start is not None:
            self.before_start()
        self.proc = subprocess.Popen(self.argv, env={**self.env, "SLL_SUPERVISED": "1"},
                                     start_new_session=self.own_session)
        self.started_at = time.monotonic()
        logger.info("started %s (pid %s)", self.name, self.proc.pid)

    def check(self) -> None:
        """Restart a child that exited, waiting 1, 2, 4 ... 30 s between quick crashes."""
        if self.proc is not None and self.proc.poll() is None:
            return
        now = time.monotonic()
        if self.proc is not None:
            code = self.proc.returncode
            self.proc = None
            lived = now - self.started_at
            delay = 1.0 if lived > 60 else min(30.0, 2.0 ** min(self.restarts, 5))
            self.restarts += 1
            self.next_start = now + delay
            click.echo(f"serve: {self.name} exited with {code}; restarting in {delay:.0f} s", err=True)
        if now >= self.next_start:
            self.start()

    def stop(self, timeout: float = 15.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


def _command(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "run_gateway.py"), *args]


def supervise(children: list[Child], tick=None, stop: threading.Event | None = None) -> None:
    """Run ``children`` until SIGTERM / SIGINT, restarting any that die; ``tick()`` every few seconds."""
    stop = stop or threading.Event()

    def handler(signum, frame):
        stop.set()
    signal.signal(signal.SIGTERM, handler)
    # A supervised supervisor (`serve` under `demo`) leaves Ctrl-C to its own parent.
    signal.signal(signal.SIGINT, signal.SIG_IGN if os.environ.get("SLL_SUPERVISED") else handler)
    for child in children:
        if child.proc is None:      # the embedded Redis is started (and waited for) before the others
            child.start()
    last_tick = 0.0
    try:
        while not stop.wait(0.5):
            for child in children:
                child.check()
            if tick and time.monotonic() - last_tick > 20:
                last_tick = time.monotonic()
                try:
                    tick()
                except Exception:
                    logger.exception("scheduler tick failed; retrying")
    finally:
        for child in reversed(children):
            child.stop()


@click.command()
@pass_app
def jobs(app):
    """The rq worker for background jobs (digest builds), replies queue first."""
    from rq import Worker

    from outbox.jobs import queue_names
    conn = open_redis(app)
    # with_scheduler: rq's scheduler runs failed jobs again at their Retry intervals (digest builds). Its
    # process ends when Redis goes away; the worker starts it again at its next maintenance: every minute,
    # not rq's 10, so a retry waits at most a minute longer after the embedded Redis was restarted.
    Worker(queue_names(app.settings.redis.prefix), connection=conn,
           maintenance_interval=JOBS_MAINTENANCE_S).work(logging_level="WARNING", with_scheduler=True)


@click.command()
@pass_app
def serve(app):
    """gateway + sender (and gateway.processes-1 workers), rq jobs workers, web and the digest scheduler:
    one supervised process group."""
    from outbox import scheduler
    from store.core.connection import open_settings_db
    app.require("smsc.password", "web.secret_key")
    app.db
    redis_child = _embedded_redis(app.settings) if not app.settings.redis.url else None
    try:
        conn = embedded_redis.client(app.settings.data_dir) if redis_child else open_redis(app)
        db = open_settings_db(app.settings)
    except BaseException:
        if redis_child:
            redis_child.stop()      # never leave the embedded Redis behind
        raise
    env = dict(os.environ, SLL_CONFIG=app.settings.source, SLL_REDIS_URL=redis_url_of(conn))
    # digest.processes job workers: as many schools' digests built at once
    workers = [Child("jobs" if n == 1 else f"jobs-{n}", _command("jobs"), env)
               for n in range(1, app.settings.digest.processes + 1)]
    # gateway.processes SMPP processes: `gateway` and a one-bind `worker` for each of the others
    smpp = [Child("gateway", _command("gateway"), env)]
    smpp += [Child(f"worker-{n}", _command("worker", "--binds", "1"), env)
             for n in range(2, app.settings.gateway.processes + 1)]
    children = [*smpp, *workers, Child("web", _command("web"), env)]
    if redis_child:
        children.insert(0, redis_child)
    enqueued: set = set()
    backups = BackupSchedule(app.settings)
    click.echo(f"serve: database {app.settings.db_path}, Redis {env['SLL_REDIS_URL']}, "
               f"web {web_url(app.settings)}/; Ctrl-C to stop", err=True)

    def tick():
        if redis_child:
            embedded_redis.ensure_aof(conn)     # on again after a restart from an RDB alone
        backups.tick()
        scheduler.tick(db, app.settings, conn, enqueued)
    supervise(children, tick=tick)
    click.echo("serve: stopped", err=True)


def _embedded_redis(app_settings) -> Child:
    """The embedded Redis as the first supervised child, started and answering before the others start."""
    data_dir = app_settings.data_dir
    embedded_redis.stop_stale(data_dir)
    # Its config is written again before every restart: after a SIGKILL it reads its append-only file.
    child = Child("redis", embedded_redis.server_argv(data_dir), dict(os.environ), own_session=True,
                  before_start=lambda: embedded_redis.server_argv(data_dir))
    child.start()
    if not embedded_redis.wait_ready(data_dir):
        child.stop()
        raise click.ClickException(f"the embedded Redis did not start (socket {embedded_redis.socket_path(data_dir)})")
    embedded_redis.ensure_aof(embedded_redis.client(data_dir))
    return child


def _free(port: int) -> int:
    """``port`` when it is free, else (or for 0) any free port."""
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _demo_secret_key(data_dir: Path) -> str:
    """The demo's web session key: random on the first run, then kept in the data dir (logins survive restarts)."""
    path = data_dir / "web-secret-key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


def _prepare_demo_school(env: dict, data_dir: Path) -> None:
    import settings as settings_mod
    from demo import school as demo_school
    from store.core import migrate
    from store.core.connection import open_settings_db
    from store.imports import import_file
    app_settings = settings_mod.load(env=env)
    if app_settings.db_path.exists():
        click.echo(f"demo: using {app_settings.db_path}")
        _demo_self_test(app_settings)
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    db = open_settings_db(app_settings)
    migrate.init(db, app_settings.db_path)
    click.echo("demo: generating four schools (THCS-DD, THPT-CVA, primary TH-KD, kindergarten MN-HM) and importing them ...")
    from demo import preschool as preschool_demo
    from demo import primary as primary_demo
    for kind, path in [*demo_school.generate(data_dir / "files", seed=1),
                       *primary_demo.generate(data_dir / "files", seed=1),
                       *preschool_demo.generate(data_dir / "files", seed=1)]:
        report = import_file(db, kind, path, approve=True, imported_by="demo")
        click.echo(f"  {kind:<11} {report.rows:6d} rows")
    password = _demo_staff_password(data_dir)
    for login, role, school, classes in DEMO_STAFF:
        users.add_user(db, login, role, password, school_code=school, class_names=list(classes))
    # The imported roster's showcase teacher (GVCN 8A2, texts PC from 0911222333) shares the demo password.
    teacher_id = db.execute("SELECT id FROM users WHERE login = ?", [DEMO_TEACHER]).fetchone()[0]
    users.set_password(db, teacher_id, password)
    from store.core.clock import local_today, school_year_of
    from demo import forum as forum_demo
    forum_demo.seed(db, school_year_of(local_today(app_settings.sms.timezone)), teacher_login="demo.gv",
                    moderator_login="demo.admin")
    db.close()
    _demo_self_test(app_settings)


def _demo_self_test(app_settings) -> None:
    """The demo's self-test DEMO for 8A2 (SPEC §15), made once and kept open for 30 more days."""
    from store.core.connection import open_settings_db
    from demo.questions import create_demo_test, keep_open
    db = open_settings_db(app_settings)
    try:
        if create_demo_test(db) is None:
            keep_open(db)
    finally:
        db.close()


def _demo_staff_password(data_dir: Path) -> str:
    """One generated password for the demo's staff accounts, kept in the data dir (mode 600)."""
    path = data_dir / "staff-password"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(users.generate_password())
    return path.read_text().strip()


@click.command()
@click.option("--data-dir", type=click.Path(file_okay=False), default="demo-data", show_default=True,
              help="Where the demo database, files and embedded Redis live.")
@click.option("--port", type=int, default=2775, show_default=True, help="SMPP port of the simulator.")
@click.option("--web-port", type=int, default=8080, show_default=True,
              help="Port of the web UI (another free one when taken).")
@click.option("--once", "once_text", metavar="TEXT",
              help="Text TEXT from 0912345678 through the running demo, print the reply and stop.")
def demo(data_dir, port, web_port, once_text):
    """serve + sim + embedded Redis + a generated demo school; prints the `sim mo` line to try."""
    data_dir = Path(data_dir).resolve()
    port = _free(port)
    control = _free(port + 1)
    web_port = _free(web_port)
    web = f"http://127.0.0.1:{web_port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLL_")}
    env.update(SLL_CONFIG=str(ROOT / "config.toml"), SLL_STORE_PATH=str(data_dir / "sll.db"), SLL_REDIS_URL="",
               SLL_SMSC_HOST="127.0.0.1", SLL_SMSC_PORT=str(port), SLL_SMSC_SYSTEM_ID="sll",
               SLL_SMSC_PASSWORD=DEMO_PASSWORD, SLL_SIM_PASSWORD=DEMO_PASSWORD,
               SLL_WEB_HOST="127.0.0.1", SLL_WEB_PORT=str(web_port), SLL_WEB_PUBLIC_URL=web,
               SLL_WEB_SECRET_KEY=os.environ.get("SLL_WEB_SECRET_KEY") or _demo_secret_key(data_dir))
    try:
        _prepare_demo_school(env, data_dir)
    except settings_mod.ConfigError as e:
        raise click.ClickException(str(e)) from e
    sim = Child("sim", _command("sim", "--port", str(port), "--control-port", str(control), "--system-id", "sll"),
                env)
    serve_child = Child("serve", _command("serve"), env)
    url = f"http://127.0.0.1:{control}"
    control_opt = "" if control == 2776 else f" --control {url}"
    if once_text:
        _demo_once(sim, serve_child, url, web, once_text)
        return
    click.echo(f"""
demo: SMSC simulator on 127.0.0.1:{port} (control {url}), gateway bound to it.
Text the shortcode as a parent (in another terminal):

    ./dev run sim mo{control_opt} 0912345678 "DIEM TOAN HK1 C1"
    ./dev run sim mo{control_opt} 0912345678 "CON"
    ./dev run sim mo{control_opt} 0987654321 "KQ HK1"
    ./dev run sim mo{control_opt} 0977123456 "KQ"
    ./dev run sim mo{control_opt} 0966234567 "DIEM TOAN"
    ./dev run sim mo{control_opt} 0912345678 "BL DEMO 1A 2B 3C 4D 5A 6B"   (self-test of 8A2)
    ./dev run sim mo{control_opt} 0912345678 "TL F2 Gia dinh em se den"     (a forum reply, held for moderation)

Web: {web}/   health: {web}/healthz   metrics: {web}/metrics
  (0977123456 and 0966234567 are parents at the primary school TH-KD, grades 4 and 2: levels, not averages)
  staff: {web}/login as demo.admin (THCS-DD), demo.gv (teacher of 8A2), demo.duyet (reviewer of THCS-DD),
         demo.th (teacher of 4A1 at the primary TH-KD) or demo.ops (operator),
         or {DEMO_TEACHER} (Nguyễn Thu Hà of the imported roster: `sim mo 0911222333 PC`),
         password {_demo_staff_password(data_dir)}
  parent: ./dev run sim mo{control_opt} 0912345678 "MK" gives a code; set a password at {web}/parent/password

Other commands find this demo's database while it runs: ./dev run ask 0912345678 "KQ HK1"

Ctrl-C stops everything. The data stays in {data_dir}.
""")
    demo_marker.announce(data_dir / "sll.db")
    try:
        supervise([sim, serve_child])
    finally:
        demo_marker.withdraw()


def _wait_healthy(web: str, deadline: float) -> str:
    """Wait until ``web``/healthz says ok (web up, database, Redis, the gateway bound); its status."""
    import json
    import urllib.error
    import urllib.request
    status = "no answer"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{web}/healthz", timeout=5) as r:
                return json.load(r)["status"]
        except urllib.error.HTTPError as e:
            status = json.load(e).get("status", e.code)
        except (OSError, ValueError) as e:
            status = f"no answer ({e})"
        time.sleep(0.5)
    raise click.ClickException(f"the demo is not healthy: {web}/healthz says {status}")


def _demo_once(sim: Child, serve_child: Child, url: str, web: str, text: str) -> None:
    from sim.client import ask
    from sim.errors import SimError
    sim.start()
    serve_child.start()
    try:
        deadline = time.monotonic() + 60
        health = _wait_healthy(web, deadline)
        click.echo(f"demo: {web}/healthz {health}")
        while True:
            try:
                replies = ask("0912345678", text, url=url, timeout=10)
                break
            except SimError as e:
                if time.monotonic() > deadline:
                    raise click.ClickException(
                        f"the demo did not answer: {e}. The same text from the same number within "
                        "sms.mo_retry_window (30 s) is taken for the SMSC sending it again and is not answered "
                        "twice: wait half a minute, or send another text") from e
                time.sleep(0.5)
        click.echo(f"0912345678 > {text}")
        for reply in replies:
            click.echo(f"0912345678 < {reply}")
    finally:
        serve_child.stop()
        sim.stop()
