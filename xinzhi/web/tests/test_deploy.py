"""The deployment recipe in ``deploy/`` stays true to the code: every unit runs a command that exists,
every variable of the environment file is one the platform reads, and the backup pruning keeps what
docs/operations.md promises."""

from __future__ import annotations

import configparser
import datetime
import importlib.util
import re
import shlex
import subprocess
import sys
from pathlib import Path

from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser


def test_every_unit_runs_a_command_that_exists():
    commands = set(get_commands())
    seen = set()
    for path in sorted((DEPLOY / "systemd").glob("*.service")):
        unit = _unit(path)
        assert unit["Service"]["EnvironmentFile"] == "/etc/xinzhi/xinzhi.env", path.name
        for key in ("ExecStart", "ExecStartPre"):
            if key not in unit["Service"]:
                continue
            argv = shlex.split(unit["Service"][key])
            if argv[0].endswith("/xinzhi"):
                assert argv[1] in commands, f"{path.name}: xinzhi {argv[1]} is not a command"
                seen.add(argv[1])
            elif argv[0].endswith("/gunicorn"):
                assert argv[1] == "xinzhi.wsgi"
    assert {"worker", "scheduler", "backup", "monitor"} <= seen
    timer = _unit(DEPLOY / "systemd" / "xinzhi-backup.timer")
    assert timer["Timer"]["OnCalendar"] == "*-*-* 02:30:00"


def test_every_variable_of_the_environment_file_is_read_and_documented():
    code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "xinzhi").rglob("*.py") if "tests" not in p.parts)
    docs = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8") + (ROOT / "README.md").read_text(encoding="utf-8")
    names = re.findall(r"^([A-Z_]+)=", (DEPLOY / "xinzhi.env.example").read_text(encoding="utf-8"), re.M)
    assert len(names) > 15
    for name in names:
        assert name == "DATABASE_URL" or f'"{name}"' in code, f"{name} is not read by the platform"
        assert f"`{name}`" in docs, f"{name} is not documented"


def test_backup_pruning_keeps_days_sundays_and_firsts(tmp_path):
    today = datetime.datetime.now(datetime.UTC).date()
    made = {}
    for age in range(0, 400):
        day = today - datetime.timedelta(days=age)
        path = tmp_path / f"xinzhi-backup-{day:%Y%m%d}-023000.tar"
        path.write_bytes(b"")
        made[path.name] = day
    subprocess.run([str(DEPLOY / "prune-backups.sh"), str(tmp_path)], check=True)
    kept = {p.name for p in tmp_path.iterdir()}
    for name, day in made.items():
        age = (today - day).days
        expected = age <= 14 or (age <= 56 and day.isoweekday() == 7) or (age <= 366 and day.day == 1)
        assert (name in kept) == expected, (name, age)


def test_nginx_logs_the_request_id():
    """Found by the rehearsal (deploy/rehearse.py): the request id nginx sends the platform was in no nginx log
    (the default format has no $request_id), and HSTS came twice (nginx and the platform both sent it)."""
    conf = (DEPLOY / "nginx" / "xinzhi.conf").read_text(encoding="utf-8")
    formats = dict(re.findall(r"log_format\s+(\w+)\s+(.*?);", conf, re.S))
    logs = re.findall(r"^\s*access_log\s+(\S+)\s+(\w+);", conf, re.M)
    assert logs and all("$request_id" in formats[name] for _, name in logs)
    assert "proxy_set_header X-Request-ID $request_id;" in conf
    # one Strict-Transport-Security header: the platform's (SecurityMiddleware, DEBUG off), not nginx's too
    assert "Strict-Transport-Security" not in conf


def test_every_web_instance_the_docs_enable_is_in_nginx_upstream_and_restarts_without_a_pause():
    """Found by the rehearsal: a HUP reload of the one web unit made reads wait ~14 s. Now two instances of
    xinzhi-web@.service (instance = port) sit in one nginx upstream and an upgrade restarts them one after
    the other; --preload keeps a starting instance's port closed until the application is loaded, so nginx
    passes requests to the other instance instead of queueing them."""
    conf = (DEPLOY / "nginx" / "xinzhi.conf").read_text(encoding="utf-8")
    name, servers = re.search(r"upstream\s+(\w+)\s*\{(.*?)\}", conf, re.S).groups()
    upstream = re.findall(r"^\s*server\s+([^;\s]+)", servers, re.M)
    # never marked down: else the instance restarted first may still count as down when the second stops
    assert all("max_fails=0" in line for line in re.findall(r"^\s*server\s+.*$", servers, re.M))
    assert set(re.findall(r"proxy_pass http://([^;\s]+);", conf)) == {name}
    unit = _unit(DEPLOY / "systemd" / "xinzhi-web@.service")["Service"]
    assert not (DEPLOY / "systemd" / "xinzhi-web.service").exists()
    argv = shlex.split(unit["ExecStart"])
    bind = argv[argv.index("--bind") + 1]
    assert bind == "127.0.0.1:%i"
    # a HUP under --preload would fork workers from the master's old code: no ExecReload to call by mistake
    assert "--preload" in argv and "ExecReload" not in unit
    assert unit["Type"] == "notify"  # `systemctl restart` returns at READY=1, sent after the bind
    docs = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    install = re.search(r"\*\*First installation\*\*.*?```sh\n(.*?)```", docs, re.S).group(1)
    enabled = re.findall(r"\bxinzhi-web@(\d+)\b", " ".join(re.findall(r"^systemctl enable --now (.*)$", install, re.M)))
    assert len(upstream) >= 2 and sorted(upstream) == sorted(bind.replace("%i", port) for port in enabled)
    upgrade = re.search(r"\*\*Upgrades without downtime for reads\*\*.*?```sh\n(.*?)```", docs, re.S).group(1)
    assert "systemctl reload xinzhi-web" not in upgrade
    for port in enabled:
        assert port in upgrade, f"the upgrade procedure does not restart xinzhi-web@{port}"
    # a POST that reached an instance is never sent to the other (nginx's default, kept)
    assert re.findall(r"^\s*proxy_next_upstream\s+([^;]*);", conf, re.M) == ["error timeout"]


def test_the_documented_first_installation_runs_commands_that_exist():
    """The rehearsal runs these steps of docs/operations.md; here they are only checked to exist."""
    spec = importlib.util.spec_from_file_location("rehearse", DEPLOY / "rehearse.py")
    rehearse = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("rehearse", rehearse)  # its dataclasses look their module up
    spec.loader.exec_module(rehearse)
    commands = set(get_commands()) | {"load-reference"}
    steps = [argv[1] for argv in rehearse.first_installation_commands()]
    assert steps[:3] == ["migrate", "load-reference", "collectstatic"] and "createsuperuser" in steps
    assert set(steps) <= commands
