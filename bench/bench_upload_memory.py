"""Upload memory benchmark: peak memory (RSS) of a 500,000-row import uploaded through the web page.

Generates a 500,000-row register file (``enterprises``, valid codes, CSV), starts the site on a fresh
SQLite database with one gunicorn worker (synchronous, as in production), uploads the file as a browser does
(``POST /imports/preview/``, multipart) and confirms it (``POST /imports/commit/``), and reads the
worker's peak RSS (``VmHWM``) for each step (reset between them). Reference measured in the same run:
a bare Polars read of the same file (every column as text) in a fresh process. Prints, never asserts.

``--code DIR`` runs the measured processes on another checkout (e.g. ``git archive <commit>`` unpacked
into DIR) to compare before and after. ``--rows N`` changes the size.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = ["统一社会信用代码", "企业名称", "县（市、区）代码", "行业代码", "成立日期", "登记注册类型", "是否上市",
          "规上年度", "是否规上"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--code", type=Path, default=HERE.parent, help="checkout whose code is measured")
    parser.add_argument("--child", nargs=2, metavar=("STEP", "FILE"))
    args = parser.parse_args()
    if args.child:
        return child(*args.child)
    code = args.code.resolve()
    with tempfile.TemporaryDirectory(prefix="xinzhi-bench-upload-") as tmp:
        env = {**os.environ, "XINZHI_VAR_DIR": tmp, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
               "PYTHONPATH": str(code), "DJANGO_SETTINGS_MODULE": "xinzhi.settings", "DEBUG": "false",
               "SECRET_KEY": "bench-upload-memory", "ALLOWED_HOSTS": "127.0.0.1", "XINZHI_RESPONSE_CACHE": "false"}
        path = Path(tmp) / "register.csv"
        started = time.perf_counter()
        make_file(path, args.rows, code)
        size_mib = path.stat().st_size / 2**20
        print(f"file: {args.rows:,} rows, {size_mib:.1f} MiB CSV ({time.perf_counter() - started:.1f} s to write); "
              f"code: {code}", flush=True)
        for step in ("setup", "reference"):  # the reference last: its line gives the figure
            run = subprocess.run([sys.executable, __file__, "--child", step, str(path)], cwd=code, env=env,
                                 capture_output=True, text=True)
            if run.returncode != 0:
                print(f"{step}: failed\n{run.stdout[-3000:]}{run.stderr[-3000:]}")
                return 1
            last = run.stdout.strip().splitlines()[-1]
            print(f"{step}: {last}", flush=True)
        session = _session_key(Path(tmp))
        reference = float(last.split("peak ")[1].split(" MiB")[0])
        return _measure_server(code, env, path, session, reference)


def _session_key(tmp: Path) -> str:
    return (tmp / "session").read_text().strip()


def _measure_server(code: Path, env: dict, path: Path, session: str, reference: float) -> int:
    """One gunicorn worker serves both requests: its peak RSS is the upload's cost."""
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(path.with_suffix(".log"), "w")
    # gunicorn with one synchronous worker, as README's production set-up runs the site (there: 4 workers)
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "xinzhi.wsgi", "--workers", "1", "--timeout", "1800",
                               "--bind", f"127.0.0.1:{port}"], cwd=code, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    csrf = "b" * 32
    headers = {"Cookie": f"sessionid={session}; csrftoken={csrf}"}
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(urllib.request.Request(base + "/imports/", headers=headers), timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    print("server did not start:", path.with_suffix(".log").read_text()[-2000:])
                    return 1
                time.sleep(0.5)
        worker = _worker(server.pid)
        idle = _status(worker, "VmRSS")
        boundary = "xinzhiBenchBoundary"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n{csrf}\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nenterprises\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"register.csv\"\r\n"
                f"Content-Type: text/csv\r\n\r\n").encode() + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
        t0 = time.perf_counter()
        request = urllib.request.Request(base + "/imports/preview/", data=body, method="POST", headers={
            **headers, "Content-Type": f"multipart/form-data; boundary={boundary}"})
        page = urllib.request.urlopen(request, timeout=900).read().decode()
        preview_s = time.perf_counter() - t0
        import re

        token = re.search(r'name="token" value="([0-9a-f]+)"', page)
        summary = re.search(r"共 [^。]*。", re.sub(r"<[^>]+>", "", page))
        if token is None or summary is None:
            print("preview failed:", " ".join(re.sub(r"<[^>]+>", " ", page).split())[:800])
            return 1
        preview_peak = _status(worker, "VmHWM")
        print(f"preview: {summary.group(0)} in {preview_s:.1f} s; server idle {idle:.0f} MiB, peak {preview_peak:.0f} MiB",
              flush=True)
        Path(f"/proc/{worker}/clear_refs").write_text("5")  # peak := now, to see the confirmation's own
        before = _status(worker, "VmRSS")
        t0 = time.perf_counter()
        form = f"csrfmiddlewaretoken={csrf}&token={token.group(1)}".encode()
        urllib.request.urlopen(urllib.request.Request(base + "/imports/commit/", data=form, method="POST", headers={
            **headers, "Content-Type": "application/x-www-form-urlencoded"}), timeout=1800).read()
        commit_s = time.perf_counter() - t0
        commit_peak = _status(worker, "VmHWM")
        import sqlite3

        with sqlite3.connect(env["DATABASE_URL"].removeprefix("sqlite:///")) as db:
            stored = db.execute("SELECT count(*) FROM enterprises_enterprise").fetchone()[0]
        print(f"commit: {stored:,} enterprises stored in {commit_s:.1f} s; server before {before:.0f} MiB, "
              f"peak {commit_peak:.0f} MiB")
        print(f"peak server memory {max(preview_peak, commit_peak):.0f} MiB for a {path.stat().st_size / 2**20:.0f} MiB "
              f"file; ratio to a bare Polars read of it ({reference:.0f} MiB): preview {preview_peak / reference:.2f}, "
              f"commit {commit_peak / reference:.2f}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    return 0


def _worker(master: int) -> int:
    """The gunicorn worker process (the master's only child)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0])


def _status(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def make_file(path: Path, rows: int, code: Path) -> None:
    sys.path.insert(0, str(code))
    from xinzhi.core import uscc

    rng = random.Random(12)
    counties = ["330106", "330108", "330203", "330212", "330302", "330402", "330502", "330602"]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(HEADER) + "\n")
        for i in range(rows):
            county = counties[i % len(counties)]
            fh.write(f"{uscc.make('91', county, f'MB{i:06d}')},测试企业{i}号有限公司,{county},3973,"
                     f"20{rng.randint(10, 24)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)},民营,否,2025,"
                     f"{'是' if i % 3 else '否'}\n")


# -- inside a measured process -----------------------------------------------------------------------
def _peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(step: str, file: str) -> int:
    if step == "reference":
        import polars as pl

        base = _rss_mib()
        t0 = time.perf_counter()
        frame = pl.read_csv(file, infer_schema=False)
        print(f"bare Polars read: {frame.height:,} rows in {time.perf_counter() - t0:.1f} s, "
              f"start {base:.0f} MiB, peak {_peak_mib():.0f} MiB")
        return 0
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.core.management import call_command

    from xinzhi.accounts.models import User

    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    user = User.objects.create(username="bench", role="province_staff", division_id="330000")
    user.set_password("bench-upload-memory")
    user.save()
    from importlib import import_module

    from django.conf import settings

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY], store[BACKEND_SESSION_KEY] = str(user.pk), settings.AUTHENTICATION_BACKENDS[-1]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    (Path(os.environ["XINZHI_VAR_DIR"]) / "session").write_text(store.session_key)
    print(f"database ready, peak {_peak_mib():.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
