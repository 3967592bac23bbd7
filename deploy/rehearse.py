"""Boot the deployment recipe of ``deploy/`` on this one machine and measure it (``make rehearse-deploy``).

Why: the units, the nginx file and the environment file were only ever checked statically
(``web/tests/test_deploy.py``). This script *runs* them, as faithfully as a machine without systemd allows:

- every service is started from its unit file: ExecStartPre, ExecStart and ExecStartPost are
  read from ``deploy/systemd/*.service`` and run as written, so a wrong command in a unit fails the
  rehearsal. Only paths (/opt/xinzhi → this repository, /etc/xinzhi and /var/… → a temporary folder) and the
  gunicorn ports (one web instance per server of nginx's upstream, ``%i`` = the port) are adapted; the
  EnvironmentFile is ``deploy/xinzhi.env.example`` with rehearsal values
  (scratch PostgreSQL database, own Redis namespace, generated SECRET_KEY). User=xinzhi and the sandboxing
  lines (ProtectSystem, PrivateTmp…) are not applied: the script runs as root, and says so.
- the first-installation commands are read from docs/operations.md (Deployment) and run;
- nginx runs ``deploy/nginx/xinzhi.conf`` (paths, loopback ports and a self-signed certificate adapted);
- every check goes through nginx over HTTPS; a report job is submitted on the web and must be run by the
  separate worker process; the scheduler must submit a due line; the backup unit runs and its file is
  restored into a second scratch database;
- an upgrade (a migration applied for real, the web instances restarted one after the other, a worker
  restart) runs while a bounded read load goes through nginx; requests are counted by status and latency for
  each phase, and the rolling restart must not make any request wait more than a second beyond the baseline.

Everything started is stopped and the scratch databases dropped, also on failure. Exit status 1 when a
check fails. Loopback only; the load is bounded in requests and time.
"""

from __future__ import annotations

import argparse
import configparser
import datetime
import fcntl
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import redis
import requests

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
DB_NAME = "xinzhi_rehearsal"
RESTORE_DB = "xinzhi_rehearsal_restore"
#: the platform's own database role, as the first installation makes it (createuser xinzhi; createdb -O xinzhi):
#: not a superuser, so a migration that needs more than owning its database fails here as it would there
DB_ROLE = "xinzhi_rehearsal"
DB_PASSWORD = secrets.token_hex(16)


def database_url(name: str) -> str:
    return f"postgres://{DB_ROLE}:{DB_PASSWORD}@127.0.0.1:5432/{name}"
REDIS_DB = 14  # the tests use 15; the namespace is the rehearsal's own anyway
#: systemd gives a service this PATH and nothing of the caller's environment
SYSTEMD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#: the migration the upgrade phase applies under load: it only creates a table (unicorns.ListEntry, read by
#: the unicorn list pages alone, which the load does not request), nothing depends on it, and it reverses
#: by dropping that table, so "migrate back, then forward under load" is what a new release's additive
#: migration does to a site whose running code does not read the new table yet
UPGRADE_APP, UPGRADE_BEFORE = "unicorns", "0001_initial"
LOAD_THREADS = 4
#: the write the load repeats (form action, the page that holds the form): 全部标为已读 in the inbox
WRITE_FORM = ("/notifications/read/", "/notifications/")
LOAD_MAX_REQUESTS = 20_000
LOAD_MAX_SECONDS = 300
DEMO_USER = "hangzhou"
SUPERUSER = "rehearsal-admin"
WEB_UNIT = "xinzhi-web@.service"
#: how much longer than the baseline's longest request a request may take during the rolling restart
RESTART_SLACK_MS = 1000


# ---------------------------------------------------------------------------------------------- report


@dataclass
class Report:
    """Checks (pass/fail with a detail) and measured figures, printed at the end."""

    checks: list[tuple[str, bool, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        self.checks.append((name, bool(ok), detail))
        print(f"[{'ok' if ok else 'FAIL'}] {name}{' — ' + detail if detail else ''}", flush=True)
        return bool(ok)

    def note(self, text: str) -> None:
        self.notes.append(text)
        print(f"  · {text}", flush=True)

    @property
    def failed(self) -> list[str]:
        return [name for name, ok, _ in self.checks if not ok]

    def print(self) -> None:
        print("\n=== Deployment rehearsal report ===")
        for name, ok, detail in self.checks:
            print(f"{'PASS' if ok else 'FAIL'}  {name}{': ' + detail if detail else ''}")
        for text in self.notes:
            print(f"NOTE  {text}")
        print(f"{len(self.checks) - len(self.failed)} passed, {len(self.failed)} failed")


class RehearsalError(Exception):
    """A step the rest depends on failed: stop here (the report says which)."""


# ------------------------------------------------------------------------------------------- the units


def read_unit(name: str, instance: str | None = None) -> dict[str, str]:
    """The [Service] section of a unit file (systemd syntax is close enough to INI for these files), with a
    template's ``%i`` replaced by ``instance``."""
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read_string((DEPLOY / "systemd" / name).read_text(encoding="utf-8"))
    return {key: value.replace("%i", instance) if instance is not None else value
            for key, value in parser["Service"].items()}


def web_instances() -> list[str]:
    """The web unit's instances: the ports of nginx's upstream servers (``xinzhi-web@<port>``)."""
    text = (DEPLOY / "nginx" / "xinzhi.conf").read_text(encoding="utf-8")
    block = re.search(r"upstream\s+\w+\s*\{(.*?)\}", text, re.S)
    if not block:
        raise RehearsalError("deploy/nginx/xinzhi.conf: no upstream block")
    return re.findall(r"^\s*server\s+127\.0\.0\.1:(\d+)", block.group(1), re.M)


@dataclass
class Layout:
    """Where the production paths and ports land in the rehearsal (the only adaptations made)."""

    tmp: Path
    web_ports: dict[str, int]  # production port (the instance) → the rehearsal's
    http_port: int
    https_port: int

    @property
    def paths(self) -> dict[str, str]:
        return {"/opt/xinzhi": str(ROOT), "/etc/xinzhi": str(self.tmp / "etc"),
                "/var/lib/xinzhi": str(self.tmp / "var"), "/var/backups/xinzhi": str(self.tmp / "backups"),
                "/etc/ssl/xinzhi": str(self.tmp / "ssl"), "/var/log/nginx": str(self.tmp / "nginx" / "log")}

    def adapt(self, text: str) -> str:
        for production, here in self.paths.items():
            text = text.replace(production, here)
        for production, here in self.web_ports.items():
            text = text.replace(f"127.0.0.1:{production}", f"127.0.0.1:{here}")
        return text


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unit_command(layout: Layout, unit: dict[str, str], key: str) -> list[str]:
    """A unit's command line, adapted (paths, ports) and split as systemd splits it."""
    line = layout.adapt(unit[key]).lstrip("-@:+!")
    return shlex.split(line)


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile reads them (comments and blank lines skipped)."""
    env = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";")) and "=" in line:
            key, value = line.split("=", 1)
            env[key.strip()] = value.strip().strip('"')
    return env


def write_env_file(layout: Layout, namespace: str) -> Path:
    """deploy/xinzhi.env.example with rehearsal values; every value overridden must exist in the example."""
    overrides = {
        "DATABASE_URL": database_url(DB_NAME),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "XINZHI_BROKER_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "XINZHI_BROKER_NAMESPACE": namespace,
    }
    lines = []
    for line in (DEPLOY / "xinzhi.env.example").read_text(encoding="utf-8").splitlines():
        key = line.split("=", 1)[0] if "=" in line and not line.startswith("#") else None
        if key in overrides:
            line = f"{key}={overrides.pop(key)}"
        lines.append(layout.adapt(line))
    if overrides:
        raise RehearsalError(f"deploy/xinzhi.env.example has no {', '.join(overrides)}")
    path = layout.tmp / "etc" / "xinzhi.env"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def unit_env(layout: Layout, unit: dict[str, str]) -> dict[str, str]:
    """The environment systemd gives the unit: its EnvironmentFile and a PATH, nothing of ours. PYTHONPATH is
    the rehearsal's own addition: a worktree may share the virtual environment of another checkout, whose
    editable install would otherwise import that checkout's code (on a server, .venv belongs to /opt/xinzhi)."""
    env = {"PATH": SYSTEMD_PATH, "LANG": "C.UTF-8", "PYTHONPATH": str(ROOT)}
    env.update(read_env_file(Path(layout.adapt(unit["EnvironmentFile"]))))
    return env


def run_unit_command(layout: Layout, unit: dict[str, str], key: str, timeout: float = 600, **extra) -> str:
    """Run a oneshot command of a unit to completion; its output, or RehearsalError on a failure."""
    argv = unit_command(layout, unit, key)
    env = {**unit_env(layout, unit), **extra}
    done = subprocess.run(argv, cwd=layout.adapt(unit.get("WorkingDirectory", "/")), env=env, timeout=timeout,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RehearsalError(f"{key} {' '.join(argv)} exited {done.returncode}: {done.stderr[-2000:]}")
    return done.stdout + done.stderr


# ------------------------------------------------------------------------------------ running services


class Service:
    """One unit's ExecStart as a process: started in its own process group with the unit's environment and
    working directory, output to a log file; stopped with its KillSignal, then SIGKILL after
    TimeoutStopSec (KillMode=mixed and control-group both end in killing the group)."""

    def __init__(self, layout: Layout, name: str, instance: str | None = None, **extra_env):
        self.layout, self.name, self.instance = layout, name, instance
        self.unit = read_unit(name, instance)
        self.extra_env = extra_env
        self.log = layout.tmp / "logs" / f"{name.replace('@.', f'@{instance}.') if instance else name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        if "ExecStartPre" in self.unit:
            run_unit_command(self.layout, self.unit, "ExecStartPre")
        out = open(self.log, "ab")  # noqa: SIM115 (kept open for the process's lifetime)
        self.process = subprocess.Popen(
            unit_command(self.layout, self.unit, "ExecStart"), cwd=self.layout.adapt(self.unit["WorkingDirectory"]),
            env={**unit_env(self.layout, self.unit), **self.extra_env}, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
        out.close()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> float:
        """Stop as systemd would; the seconds it took."""
        if not self.alive():
            return 0.0
        started = time.monotonic()
        sig = getattr(signal, self.unit.get("KillSignal", "SIGTERM"))
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout=float(self.unit.get("TimeoutStopSec", "90")))
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(self.pid, signal.SIGKILL)  # the group this script made for it, nothing else
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)
        return time.monotonic() - started

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def wait_for_output(self, pattern: str, timeout: float, since: int = 0) -> re.Match | None:
        """The first match of ``pattern`` in what the process wrote after character ``since``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, self.output()[since:])
            if found or not self.alive():
                return found
            time.sleep(0.3)
        return None


def wait_notify_ready(sock: socket.socket, service: Service, timeout: float) -> bool:
    """Type=notify: wait for READY=1 on the NOTIFY_SOCKET, as systemd does before it calls a unit started."""
    deadline = time.monotonic() + timeout
    sock.settimeout(0.5)
    while time.monotonic() < deadline and service.alive():
        try:
            if b"READY=1" in sock.recv(4096):
                return True
        except TimeoutError:
            continue
    return False


def gunicorn_workers(master: int) -> set[int]:
    """PIDs of gunicorn's worker processes (children of the master)."""
    children = Path(f"/proc/{master}/task/{master}/children")
    return {int(p) for p in children.read_text().split()} if children.exists() else set()


# ------------------------------------------------------------------------------------ database, redis


def create_role() -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (DB_ROLE,)).fetchone():
            conn.execute(f"CREATE ROLE {DB_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE")
        conn.execute(f"ALTER ROLE {DB_ROLE} PASSWORD '{DB_PASSWORD}'")


def recreate_database(name: str) -> None:
    """A fresh database owned by the platform's role (createdb -O)."""
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" OWNER {DB_ROLE}')


def drop_databases() -> None:
    """The rehearsal's databases, then its role."""
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        for name in (DB_NAME, RESTORE_DB):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f"DROP ROLE IF EXISTS {DB_ROLE}")


def sql(query: str, *params):
    """One query on the rehearsal database (the script's own look at what the processes did)."""
    with psycopg.connect(f"postgres://postgres@127.0.0.1:5432/{DB_NAME}", autocommit=True) as conn:
        return conn.execute(query, params).fetchall()


def clear_namespace(namespace: str) -> int:
    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    keys = list(client.scan_iter(match=f"{namespace}*"))
    if keys:
        client.delete(*keys)
    return len(keys)


# ----------------------------------------------------------------------------------- first installation


def first_installation_commands() -> list[list[str]]:
    """The ``.venv/bin/xinzhi …`` commands of docs/operations.md's first installation, in order."""
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    block = re.search(r"\*\*First installation\*\*.*?```sh\n(.*?)```", text, re.S)
    if not block:
        raise RehearsalError("docs/operations.md: no First installation block")
    commands = []
    for line in block.group(1).splitlines():
        for part in line.split("#")[0].split("&&"):
            argv = shlex.split(part)
            if argv and argv[0] == ".venv/bin/xinzhi":
                commands.append([str(ROOT / argv[0]), *argv[1:]])
    return commands


def install(layout: Layout, report: Report, password: str) -> None:
    """Run the documented first-installation commands with the units' environment, then a small demo."""
    env = unit_env(layout, read_unit(WEB_UNIT, web_instances()[0]))
    for argv in first_installation_commands():
        if argv[1] == "createsuperuser":  # interactive in the docs; the same command without questions
            argv = [*argv, "--noinput", "--username", SUPERUSER, "--email", "rehearsal@example.invalid"]
            env_run = {**env, "DJANGO_SUPERUSER_PASSWORD": password}
        else:
            env_run = env
        started = time.monotonic()
        done = subprocess.run(argv, cwd=ROOT, env=env_run, capture_output=True, text=True, timeout=900)
        if not report.check(f"install: xinzhi {' '.join(argv[1:3])}", done.returncode == 0,
                            f"{time.monotonic() - started:.1f} s" if done.returncode == 0 else done.stderr[-1500:]):
            raise RehearsalError("first installation failed")
    started = time.monotonic()
    done = subprocess.run([str(ROOT / ".venv/bin/xinzhi"), "demo", "--scale", "small"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=1800)
    if not report.check("demo data (xinzhi demo --scale small, rehearsal only)", done.returncode == 0,
                        f"{time.monotonic() - started:.0f} s" if done.returncode == 0 else done.stderr[-1500:]):
        raise RehearsalError("demo failed")
    year, month = sql("SELECT year, month FROM enterprises_monthlystat ORDER BY year DESC, month DESC LIMIT 1")[0]
    started = time.monotonic()
    done = subprocess.run([str(ROOT / ".venv/bin/xinzhi"), "monitor", "--period", f"{year}-{month:02d}", "--recompute",
                           "--format", "csv"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    report.check(f"monitoring of {year}-{month:02d} computed (xinzhi monitor --recompute; reports need it)",
                 done.returncode == 0, f"{time.monotonic() - started:.0f} s" if done.returncode == 0 else done.stderr[-800:])


# ------------------------------------------------------------------------------------------------ nginx


def make_certificate(layout: Layout, host: str) -> Path:
    """A self-signed certificate for the site's name and 127.0.0.1 (the client checks it against both)."""
    ssl_dir = layout.tmp / "ssl"
    ssl_dir.mkdir(parents=True)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={host}",
                    "-addext", f"subjectAltName=DNS:{host},IP:127.0.0.1", "-keyout", str(ssl_dir / "privkey.pem"),
                    "-out", str(ssl_dir / "fullchain.pem")], check=True, capture_output=True)
    return ssl_dir / "fullchain.pem"


def nginx_site(layout: Layout, web_binds: set[str]) -> str:
    """deploy/nginx/xinzhi.conf with loopback ports and the rehearsal's paths; its upstream must hold exactly
    the addresses the web unit's instances bind, and every proxy_pass go to that upstream (checked here: a
    mismatch would be a real fault of the recipe)."""
    text = (DEPLOY / "nginx" / "xinzhi.conf").read_text(encoding="utf-8")
    name, servers = re.search(r"upstream\s+(\w+)\s*\{(.*?)\}", text, re.S).groups()
    upstreams = set(re.findall(r"^\s*server\s+([^;\s]+)", servers, re.M))
    if upstreams != web_binds or set(re.findall(r"proxy_pass http://([^;\s]+);", text)) != {name}:
        raise RehearsalError(f"nginx proxies to {upstreams}, the web instances bind {web_binds}")
    for production, here in ((r"listen 80;", f"listen 127.0.0.1:{layout.http_port};"),
                             (r"listen 443 ssl", f"listen 127.0.0.1:{layout.https_port} ssl")):
        if text.count(production) != 1:
            raise RehearsalError(f"deploy/nginx/xinzhi.conf: expected one '{production}'")
        text = text.replace(production, here)
    return layout.adapt(text)


def nginx_main_conf(layout: Layout) -> Path:
    """The http{} frame Debian's /etc/nginx/nginx.conf gives a sites-enabled file, in our own prefix."""
    base = layout.tmp / "nginx"
    for sub in ("log", "temp"):
        (base / sub).mkdir(parents=True, exist_ok=True)
    layout.tmp.chmod(0o711)  # nginx's workers run as nobody and buffer large answers under temp/
    (base / "temp").chmod(0o777)
    binds = {re.search(r"--bind\s+(\S+)", read_unit(WEB_UNIT, port)["ExecStart"]).group(1) for port in web_instances()}
    (base / "xinzhi.conf").write_text(nginx_site(layout, binds), encoding="utf-8")
    conf = base / "nginx.conf"
    conf.write_text(f"""worker_processes 1;
pid {base}/nginx.pid;
error_log {base}/log/error.log;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {base}/log/access.log;
    client_body_temp_path {base}/temp/body;
    proxy_temp_path {base}/temp/proxy;
    fastcgi_temp_path {base}/temp/fastcgi;
    uwsgi_temp_path {base}/temp/uwsgi;
    scgi_temp_path {base}/temp/scgi;
    include {base}/xinzhi.conf;
}}
""", encoding="utf-8")
    return conf


def start_nginx(layout: Layout) -> subprocess.Popen:
    conf = nginx_main_conf(layout)
    base = ["nginx", "-e", str(layout.tmp / "nginx" / "log" / "error.log"), "-p", str(layout.tmp / "nginx"), "-c", str(conf)]
    test = subprocess.run([*base, "-t"], capture_output=True, text=True)
    if test.returncode != 0:
        raise RehearsalError(f"nginx -t: {test.stderr}")
    return subprocess.Popen([*base, "-g", "daemon off;"], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_nginx(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGQUIT)  # graceful
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


# ------------------------------------------------------------------------------------------ the client


class Client:
    """HTTPS through nginx with the site's name, the self-signed certificate checked, cookies kept, and
    Origin/Referer as a browser on https://<site>/ sends them (the CSRF check reads them)."""

    def __init__(self, layout: Layout, host: str, cafile: Path):
        self.base = f"https://127.0.0.1:{layout.https_port}"
        self.host = host
        self.session = requests.Session()
        self.session.trust_env = False  # no proxy, no CA bundle from the environment: loopback, our certificate
        self.session.verify = str(cafile)
        self.session.headers.update({"Host": host})

    def get(self, path: str, **kw) -> requests.Response:
        return self.session.get(self.base + path, allow_redirects=False, timeout=30, **kw)

    def post(self, path: str, data: dict, referer: str) -> requests.Response:
        headers = {"Origin": f"https://{self.host}", "Referer": f"https://{self.host}{referer}"}
        return self.session.post(self.base + path, data=data, headers=headers, allow_redirects=False, timeout=60)

    def csrf_form(self, path: str) -> tuple[requests.Response, str]:
        page = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        return page, token.group(1) if token else ""

    def login(self, username: str, password: str) -> requests.Response:
        _, token = self.csrf_form("/accounts/login/")
        return self.post("/accounts/login/", {"csrfmiddlewaretoken": token, "username": username,
                                              "password": password}, referer="/accounts/login/")


def demo_password() -> str:
    """The demo logins' password (accounts.services.DEMO_PASSWORD), read from the source: this script stays
    outside Django, a client of the site like any other."""
    source = (ROOT / "xinzhi" / "accounts" / "services.py").read_text(encoding="utf-8")
    return re.search(r'^DEMO_PASSWORD = "([^"]+)"', source, re.M).group(1)


def site_name() -> str:
    return re.search(r"server_name\s+([^;\s]+);", (DEPLOY / "nginx" / "xinzhi.conf").read_text()).group(1)


# ------------------------------------------------------------------------------------------- the checks


def check_front(report: Report, layout: Layout, client: Client) -> None:
    """Redirect, health, readiness, request id, login page — what a balancer and a first visitor see."""
    plain = client.session.get(f"http://127.0.0.1:{layout.http_port}/accounts/login/?next=/", allow_redirects=False,
                               timeout=10)
    report.check("HTTP → HTTPS redirect (nginx :80 server)", plain.status_code == 301
                 and plain.headers.get("Location") == f"https://{client.host}/accounts/login/?next=/",
                 f"{plain.status_code} → {plain.headers.get('Location')}")
    health = client.get("/healthz")
    report.check("/healthz through nginx", health.status_code == 200 and health.json().get("status") == "ok",
                 f"{health.status_code} {health.text[:80]}")
    ready = client.get("/readyz")
    checks = ready.json().get("checks", {}) if ready.headers.get("Content-Type", "").startswith("application/json") else {}
    report.check("/readyz: database, cache, broker ok", ready.status_code == 200
                 and all(checks.get(k, {}).get("ok") for k in ("database", "cache", "broker")),
                 f"{ready.status_code} {ready.text[:300]}")
    page, token = client.csrf_form("/accounts/login/")
    request_id = page.headers.get("X-Request-ID", "")
    report.check("X-Request-ID made by nginx reaches the platform (echoed)", bool(re.fullmatch(r"[0-9a-f]{32}", request_id)),
                 request_id or "missing")
    time.sleep(1.0)  # nginx writes its access log line after the response
    logged = [p.name for p in (layout.tmp / "nginx" / "log").glob("*.log") if request_id and request_id in p.read_text(errors="replace")]
    report.check("…and stands in nginx's access log", bool(logged), ", ".join(logged) or "in no log")
    report.check("login page over HTTPS", page.status_code == 200 and bool(token), f"{page.status_code}")
    hsts = page.raw.headers.getlist("Strict-Transport-Security")
    report.check("one HSTS header", len(hsts) == 1 and "max-age=" in hsts[0], " | ".join(hsts) or "none")


def check_login(report: Report, client: Client, username: str, password: str, page: str, marker: str) -> bool:
    login = client.login(username, password)
    ok = report.check(f"login as {username} (CSRF with Origin/Referer, secure cookies)",
                      login.status_code == 302 and "sessionid" in client.session.cookies,
                      f"{login.status_code} {login.headers.get('Location', '')} {login.text[:200] if login.status_code != 302 else ''}")
    shown = client.get(page)
    return ok and report.check(f"{username} opens {page}", shown.status_code == 200 and marker in shown.text,
                               f"{shown.status_code}")


def submit_report_job(client: Client) -> tuple[int | None, str]:
    """The 简报与报告 page's 后台生成 form, as a person submits it: its job's id, or why not."""
    page, token = client.csrf_form("/monitoring/reports/")
    form = re.search(r'id="generate-form".*?name="period">\s*<option\s+value="([^"]+)"', page.text, re.S)
    if page.status_code != 200 or not form:
        return None, f"reports page {page.status_code}: no period to generate"
    answer = client.post("/monitoring/reports/", {"csrfmiddlewaretoken": token, "action": "generate", "kind": "briefing",
                                                  "period": form.group(1), "format": "docx"}, referer="/monitoring/reports/")
    found = re.fullmatch(r"/jobs/(\d+)/", answer.headers.get("Location", ""))
    return (int(found.group(1)), form.group(1)) if found else (None, f"{answer.status_code} {answer.text[:200]}")


def wait_job(client: Client, job_id: int, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    status: dict = {}
    while time.monotonic() < deadline:
        status = client.get(f"/jobs/{job_id}/status/").json()
        if status.get("finished"):
            break
        time.sleep(1)
    return status


def check_job(report: Report, client: Client, start_worker) -> None:
    """A report generated on the web waits in the queue while no worker runs (the web processes do not run
    jobs when a broker is configured), then the worker process started from its unit runs it."""
    job_id, detail = submit_report_job(client)
    if not report.check("report job submitted through the web (简报与报告 → 后台生成)", job_id is not None, detail):
        start_worker()
        return
    time.sleep(3)
    waiting = client.get(f"/jobs/{job_id}/status/").json().get("status")
    report.check("the job waits in the queue while no worker runs", waiting == "queued", f"job {job_id}: {waiting}")
    start_worker()
    started = time.monotonic()
    status = wait_job(client, job_id, 180)
    ran_by = sql("SELECT worker FROM jobs_job WHERE id = %s", job_id)[0][0]
    report.check("the worker process runs it to success", status.get("status") == "succeeded" and not ran_by.startswith("web:"),
                 f"job {job_id} in {time.monotonic() - started:.1f} s after the worker started, worker {ran_by!r}, "
                 f"{status.get('status')} {status.get('error') or ''}")
    result = client.get(f"/jobs/{job_id}/result/")
    report.check("the result file downloads through nginx", result.status_code == 200 and len(result.content) > 1000,
                 f"{result.status_code}, {len(result.content):,} bytes")


def check_scheduler(report: Report, scheduler: Service) -> None:
    """The scheduler submits a due line (made due by the rehearsal) and a worker runs it."""
    found = scheduler.wait_for_output(r"（任务编号 (\d+)）", 60)
    if not report.check("scheduler submitted the due line", found is not None, scheduler.output()[-300:] if not found else found.group(0)):
        return
    job_id = int(found.group(1))
    deadline = time.monotonic() + 120
    status = ""
    while time.monotonic() < deadline:
        status = sql("SELECT status FROM jobs_job WHERE id = %s", job_id)[0][0]
        if status in ("succeeded", "failed"):
            break
        time.sleep(1)
    report.check("…and a worker ran it", status == "succeeded", f"job {job_id}: {status}")


# ------------------------------------------------------------------------------------------------ backup


def check_backup(report: Report, layout: Layout) -> None:
    """The backup unit once (ExecStart, then ExecStartPost's pruning), then a restore into a second scratch
    database, whose row counts and checksums ``xinzhi restore`` compares with the manifest."""
    unit = read_unit("xinzhi-backup.service")
    backups = layout.tmp / "backups"
    old = datetime.date.today() - datetime.timedelta(days=40)
    while old.isoweekday() == 7 or old.day == 1:
        old -= datetime.timedelta(days=1)
    expired = backups / f"xinzhi-backup-{old:%Y%m%d}-023000.tar"  # older than every retention rule
    expired.write_bytes(b"")
    started = time.monotonic()
    run_unit_command(layout, unit, "ExecStart")
    seconds = time.monotonic() - started
    run_unit_command(layout, unit, "ExecStartPost")
    made = sorted(p for p in backups.glob("xinzhi-backup-*.tar") if p != expired)
    size = made[0].stat().st_size / 1e6 if made else 0
    report.check("backup unit: ExecStart (xinzhi backup) wrote one file", len(made) == 1,
                 f"{made[0].name if made else '-'}, {size:.1f} MB in {seconds:.1f} s")
    report.check("backup unit: ExecStartPost (prune-backups.sh) keeps today's, removes a 40-day-old weekday one",
                 bool(made) and made[0].exists() and not expired.exists())
    if not made:
        return
    recreate_database(RESTORE_DB)
    env = {**unit_env(layout, unit), "DATABASE_URL": database_url(RESTORE_DB),
           "XINZHI_VAR_DIR": str(layout.tmp / "var-restore")}
    started = time.monotonic()
    done = subprocess.run([str(ROOT / ".venv/bin/xinzhi"), "restore", str(made[0]), "--yes"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    output = (done.stdout + done.stderr).strip()
    report.check("xinzhi restore into a second scratch database: every table checked",
                 done.returncode == 0 and "恢复完成并已核对" in output,
                 f"{time.monotonic() - started:.1f} s: {output.splitlines()[-1] if output else done.returncode}")


# ------------------------------------------------------------------------------------------ read load


@dataclass
class Load:
    """Bounded read load through nginx: threads, each with its own signed-in client, cycle over ``paths``;
    every request is recorded with the phase that was current when it started."""

    clients: list[Client]
    paths: list[str]
    #: a signed-in client that keeps sending one form (a POST), recorded apart from the reads
    writer: Client | None = None
    phase: str = "baseline"
    results: list[tuple[str, str, float, float]] = field(default_factory=list)  # phase, status, seconds, sent
    writes: list[tuple[str, str, float, float]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        deadline = time.monotonic() + LOAD_MAX_SECONDS
        for index, client in enumerate(self.clients):
            thread = threading.Thread(target=self._run, args=(client, index, deadline), daemon=True)
            thread.start()
            self.threads.append(thread)
        if self.writer is not None:
            thread = threading.Thread(target=self._write, args=(self.writer, deadline), daemon=True)
            thread.start()
            self.threads.append(thread)

    def _write(self, client: Client, deadline: float) -> None:
        """Mark the inbox read, again and again (POST, CSRF-checked, idempotent): a write refused by a stopping
        instance before it was sent moves on to the other one; one already sent is never sent twice."""
        _, token = client.csrf_form(WRITE_FORM[1])
        while not self.stop.is_set() and time.monotonic() < deadline and len(self.writes) < LOAD_MAX_REQUESTS:
            phase, started = self.phase, time.monotonic()
            try:
                status = str(client.post(WRITE_FORM[0], {"csrfmiddlewaretoken": token, "all": "1"},
                                         referer=WRITE_FORM[1]).status_code)
            except requests.RequestException as exc:
                status = type(exc).__name__
            self.writes.append((phase, status, time.monotonic() - started, started))
            time.sleep(0.05)

    def _run(self, client: Client, index: int, deadline: float) -> None:
        turn = index
        while not self.stop.is_set() and time.monotonic() < deadline and len(self.results) < LOAD_MAX_REQUESTS:
            path, phase = self.paths[turn % len(self.paths)], self.phase
            turn += 1
            started = time.monotonic()
            try:
                status = str(client.get(path).status_code)
            except requests.RequestException as exc:
                status = type(exc).__name__
            self.results.append((phase, status, time.monotonic() - started, started))

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def summary(self, phase: str, writes: bool = False) -> tuple[int, Counter, float, float, float]:
        """Requests (``writes``: POSTs) sent in the phase, their statuses, and p50, p95 and the longest in ms."""
        rows = [(status, seconds) for p, status, seconds, _ in (self.writes if writes else self.results) if p == phase]
        statuses = Counter(status for status, _ in rows)
        times = sorted(seconds * 1000 for _, seconds in rows) or [0.0]
        p95 = statistics.quantiles(times, n=20)[18] if len(times) > 1 else times[0]
        return len(rows), statuses, statistics.median(times), p95, times[-1]


def upgrade_under_load(report: Report, layout: Layout, client_factory, webs: list[Service], workers: list[Service],
                       load_paths: list[str]) -> None:
    """Migrate back before the additive migration (no load), then under load: baseline, ``xinzhi migrate``,
    ``systemctl restart xinzhi-web@<port>`` for one instance after the other (each ready before the next is
    stopped), ``systemctl restart xinzhi-worker@1``."""
    xinzhi = str(ROOT / ".venv/bin/xinzhi")
    env = unit_env(layout, webs[0].unit)
    table = "unicorns_listentry"
    back = subprocess.run([xinzhi, "migrate", UPGRADE_APP, UPGRADE_BEFORE], cwd=ROOT, env=env, capture_output=True, text=True)
    gone = not sql("SELECT 1 FROM pg_tables WHERE tablename = %s", table)
    if not report.check(f"migration {UPGRADE_APP}.0002 reversed before the upgrade ({table} dropped)",
                        back.returncode == 0 and gone, back.stderr[-500:]):
        return
    load = Load([client_factory() for _ in range(LOAD_THREADS)], load_paths, writer=client_factory())
    phases: list[tuple[str, float]] = []

    def phase(name: str, action) -> None:
        load.phase = name
        started = time.monotonic()
        action()
        phases.append((name, time.monotonic() - started))

    def migrate() -> None:
        done = subprocess.run([xinzhi, "migrate"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        report.check("xinzhi migrate under load applied the migration",
                     done.returncode == 0 and bool(sql("SELECT 1 FROM pg_tables WHERE tablename = %s", table)),
                     done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-300:])

    events: list[tuple[str, float]] = []  # what happened when during the rolling restart (monotonic)

    def rolling_restart() -> None:
        for web in webs:
            before = web.pid
            events.append((f"stop @{web.instance}", time.monotonic()))
            stopped = web.stop()
            events.append((f"start @{web.instance}", time.monotonic()))
            ok, seconds = boot_web(web, 120)
            events.append((f"READY=1 @{web.instance}", time.monotonic()))
            ready = ok and web_ready(layout, web.instance, 60)
            events.append((f"/readyz @{web.instance}", time.monotonic()))
            report.check(f"rolling restart: {web.log.stem} stopped (SIGTERM), started again, /readyz before the next",
                         ready and web.pid != before,
                         f"stopped in {stopped:.1f} s, READY=1 {seconds:.1f} s after the start, "
                         f"{len(gunicorn_workers(web.pid))} workers" if ready else web.output()[-1500:])
            if not ready:
                return

    def restart_worker() -> None:
        worker = workers[0]
        since = len(worker.output())
        seconds = worker.stop()
        worker.start()
        started = worker.wait_for_output(r"worker started", 60, since=since)
        report.check("worker restart (stop: KillSignal SIGTERM, then ExecStart)", bool(started), f"stopped in {seconds:.1f} s")

    load.start()
    phase("baseline", lambda: time.sleep(10))
    phase("migrate", migrate)
    phase("rolling restart", rolling_restart)
    phase("worker restart", restart_worker)
    phase("after", lambda: time.sleep(5))
    load.finish()
    for name, seconds in phases:
        count, statuses, p50, p95, longest = load.summary(name)
        bad = sum(n for status, n in statuses.items() if not status.startswith("2"))
        report.check(f"load during {name}: no error", count > 0 and bad == 0,
                     f"{seconds:.1f} s, {count} requests ({count / max(seconds, 0.001):.0f}/s), "
                     f"{dict(sorted(statuses.items()))}, p50 {p50:.0f} ms, p95 {p95:.0f} ms, longest {longest:.0f} ms")
        count, statuses, p50, p95, longest = load.summary(name, writes=True)
        bad = sum(n for status, n in statuses.items() if status != "302")  # the form answers with a redirect
        report.check(f"writes during {name}: every POST answered", count > 0 and bad == 0,
                     f"{count} POST {WRITE_FORM[0]}, {dict(sorted(statuses.items()))}, p95 {p95:.0f} ms, "
                     f"longest {longest:.0f} ms")
    *_, base_longest = load.summary("baseline")
    *_, restart_longest = load.summary("rolling restart")
    report.check(f"rolling restart: no request waited more than {RESTART_SLACK_MS} ms beyond the baseline's longest",
                 restart_longest <= base_longest + RESTART_SLACK_MS,
                 f"longest {restart_longest:.0f} ms during the restart, {base_longest:.0f} ms in the baseline")
    if events:  # where the slowest requests fell: sent and answered, seconds after the restart began
        zero = events[0][1]
        slowest = sorted((r for r in load.results if r[0] == "rolling restart"), key=lambda r: -r[2])[:5]
        report.note("rolling restart timeline (s): " + ", ".join(f"{label} {at - zero:.1f}" for label, at in events)
                    + "; slowest requests (sent → answered, status): "
                    + ", ".join(f"{sent - zero:.1f} → {sent + seconds - zero:.1f} {status}" for _, status, seconds, sent in slowest))
    report.note(f"load: {LOAD_THREADS} client threads through nginx over HTTPS on {', '.join(load_paths)}; "
                f"{len(load.results)} requests in all; one more thread POSTs {WRITE_FORM[0]} every 50 ms "
                f"({len(load.writes)} in all)")


# -------------------------------------------------------------------------------------------- the run


@dataclass
class Site:
    """What the rehearsal started, so that it can all be stopped."""

    layout: Layout
    namespace: str
    services: list[Service] = field(default_factory=list)
    nginx: subprocess.Popen | None = None

    def start(self, name: str, **extra_env) -> Service:
        service = Service(self.layout, name, **extra_env)
        self.services.append(service)
        service.start()
        return service

    def add(self, service: Service) -> Service:
        """A service started by the caller (the web instances, started with a notify socket)."""
        self.services.append(service)
        return service

    def close(self, keep: bool) -> list[str]:
        """Stop, drop and remove everything; each step is tried even when one before failed. The failures."""
        steps = [(f"stop {service.name}", service.stop) for service in reversed(self.services)]
        if self.nginx is not None:
            steps.append(("stop nginx", lambda: stop_nginx(self.nginx)))
        steps += [("drop the scratch databases and role", drop_databases),
                  ("clear the Redis namespace", lambda: clear_namespace(self.namespace))]
        if not keep:
            steps.append(("remove the temporary folder", lambda: shutil.rmtree(self.layout.tmp)))
        failures = []
        for name, step in steps:
            try:
                step()
            except Exception as exc:  # noqa: BLE001 — go on with the others, report it
                failures.append(f"{name}: {type(exc).__name__}: {exc}")
        return failures


def wait_port(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return True
        except OSError:
            time.sleep(0.2)
    return False


def describe_substitutions(report: Report) -> None:
    """What systemd would do that this script does not."""
    ignored = set()
    for path in sorted((DEPLOY / "systemd").glob("*.service")):
        unit = read_unit(path.name)
        ignored |= {key for key in ("User", "Group", "ProtectSystem", "PrivateTmp", "NoNewPrivileges",
                                    "ReadWritePaths", "Restart") if key in unit}
    report.note(f"no systemd here: the units' commands are run by this script; not applied: {', '.join(sorted(ignored))} "
                f"(everything runs as {os.environ.get('USER') or 'uid ' + str(os.getuid())})")
    report.note(f"PYTHONPATH={ROOT} added to every unit's environment (the code under rehearsal, whatever "
                "checkout the virtual environment was installed from)")
    report.note(f"database role {DB_ROLE} (no superuser) owns the scratch databases, as createuser/createdb -O make it")
    report.note("one machine; PostgreSQL and Redis already running; nginx on loopback high ports; "
                "a self-signed certificate; Origin/Referer sent as a browser on port 443 sends them")


def boot_web(web: Service, timeout: float) -> tuple[bool, float]:
    """Start a web instance (ExecStartPre, then gunicorn) and wait for READY=1 on a notify socket of its own,
    as systemd does for Type=notify before ``systemctl start`` returns. Whether it came up, and the seconds."""
    sock_path = web.layout.tmp / f"notify-{web.instance}.sock"
    sock_path.unlink(missing_ok=True)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(sock_path))
    web.extra_env["NOTIFY_SOCKET"] = str(sock_path)
    port = web.layout.web_ports[web.instance]
    try:
        started = time.monotonic()
        web.start()
        notified = wait_notify_ready(sock, web, timeout) if web.unit.get("Type") == "notify" else wait_port(port, timeout)
    finally:
        sock.close()
    return notified and wait_port(port, 10), time.monotonic() - started


def web_ready(layout: Layout, instance: str, timeout: float) -> bool:
    """The instance's own /readyz answers 200 (``curl -fsS http://127.0.0.1:<port>/readyz`` of the upgrade)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{layout.web_ports[instance]}/readyz", timeout=10,
                            headers={"X-Forwarded-Proto": "https"}).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.5)
    return False


def start_web(report: Report, site: Site) -> list[Service]:
    """xinzhi-web@<port>.service for every server of nginx's upstream: ExecStartPre, then gunicorn;
    Type=notify is honoured with a notify socket."""
    webs = []
    for instance in web_instances():
        web = site.add(Service(site.layout, WEB_UNIT, instance))
        ok, seconds = boot_web(web, 90)
        ok = ok and web_ready(site.layout, instance, 30)
        report.check(f"web unit {web.log.stem} started: ExecStartPre (monitor --refresh-stale), gunicorn --preload "
                     "READY=1 (Type=notify), /readyz", ok,
                     f"{seconds:.1f} s, {len(gunicorn_workers(web.pid))} workers" if ok else web.output()[-1500:])
        if not ok:
            raise RehearsalError(f"the web unit {web.log.stem} did not start")
        webs.append(web)
    return webs


def make_schedule_line_due() -> int:
    rows = sql("UPDATE jobs_scheduledtask SET next_run_at = now() - interval '1 minute' "
               "WHERE kind = 'monitoring.refresh_stale' RETURNING id")
    if len(rows) != 1:
        raise RehearsalError("no scheduled line monitoring.refresh_stale to make due")
    return rows[0][0]


def rehearse(report: Report, site: Site) -> None:
    layout = site.layout
    describe_substitutions(report)
    write_env_file(layout, site.namespace)
    for sub in ("var", "backups", "logs"):
        (layout.tmp / sub).mkdir(parents=True, exist_ok=True)
    create_role()
    recreate_database(DB_NAME)
    password = secrets.token_urlsafe(16)
    install(layout, report, password)
    make_schedule_line_due()
    webs = start_web(report, site)
    host = site_name()
    cafile = make_certificate(layout, host)
    site.nginx = start_nginx(layout)
    if not report.check("nginx started with deploy/nginx/xinzhi.conf", wait_port(layout.https_port, 15)):
        raise RehearsalError("nginx did not start")
    client = Client(layout, host, cafile)
    check_front(report, layout, client)
    admin = Client(layout, host, cafile)
    check_login(report, admin, SUPERUSER, password, "/admin/", SUPERUSER)
    if not check_login(report, client, DEMO_USER, demo_password(), "/monitoring/", "杭州"):
        raise RehearsalError("cannot sign in through nginx")
    workers: list[Service] = []

    def start_worker() -> None:
        worker = site.start("xinzhi-worker@.service")
        workers.append(worker)
        report.check("worker unit started (xinzhi worker)", worker.wait_for_output(r"worker started", 60) is not None,
                     worker.output()[-500:].strip())

    check_job(report, client, start_worker)
    scheduler = site.start("xinzhi-scheduler.service")
    check_scheduler(report, scheduler)
    check_backup(report, layout)
    load_paths = ["/monitoring/", "/?overview", "/enterprises/", "/api/v1/enterprises/", "/api/v1/regions/", "/healthz"]
    for path in load_paths:
        answer = client.get(path)
        report.check(f"GET {path} before the upgrade", answer.status_code == 200, str(answer.status_code))

    def signed_in() -> Client:
        other = Client(layout, host, cafile)
        other.login(DEMO_USER, demo_password())
        return other

    upgrade_under_load(report, layout, signed_in, webs, workers, load_paths)
    job_id, detail = submit_report_job(client)
    status = wait_job(client, job_id, 180) if job_id else {}
    report.check("after the upgrade a report job runs on the restarted worker", status.get("status") == "succeeded",
                 f"job {job_id}: {status.get('status')} {detail if not job_id else ''}")
    ready = client.get("/readyz")
    report.check("/readyz after the upgrade", ready.status_code == 200, str(ready.status_code))
    errors = layout.tmp / "var" / "log" / "errors.log"
    report.check("no server error in var/log/errors.log", not errors.exists() or not errors.read_text().strip(),
                 errors.read_text()[-800:] if errors.exists() else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, backup, configuration)")
    args = parser.parse_args(argv)
    for tool in ("nginx", "openssl"):
        if not shutil.which(tool, path=SYSTEMD_PATH):
            print(f"{tool} is not installed: make rehearse-deploy installs it", file=sys.stderr)
            return 2
    lock = open(Path(tempfile.gettempdir()) / "xinzhi-rehearsal.lock", "w")  # noqa: SIM115 — held until exit
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print("another rehearsal is running on this machine (same database names): wait for it", file=sys.stderr)
        return 2
    layout = Layout(Path(tempfile.mkdtemp(prefix="xinzhi-rehearsal-")), {port: free_port() for port in web_instances()},
                    free_port(), free_port())
    site = Site(layout, f"xinzhi-rehearsal-{secrets.token_hex(4)}")
    report = Report()
    report.note(f"load average at the start: {' '.join(f'{x:.1f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    print(f"rehearsal at {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, commit "
          f"{subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=ROOT, capture_output=True, text=True).stdout.strip()}, "
          f"folder {layout.tmp}", flush=True)
    try:
        rehearse(report, site)
    except RehearsalError as exc:
        report.check("rehearsal ran to the end", False, str(exc))
    except Exception as exc:  # noqa: BLE001 — an unexpected fault is a failed rehearsal, reported like one
        traceback.print_exc()
        report.check("rehearsal ran to the end", False, f"{type(exc).__name__}: {exc}")
    finally:
        failures = site.close(args.keep)
        report.check("everything started was stopped, the scratch databases dropped", not failures, "; ".join(failures))
    report.note(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    report.print()
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
