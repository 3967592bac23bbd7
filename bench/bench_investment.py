"""Project warnings and tracking on the full demo (issue 18): the warning list and the tracking figures for
every project in < 1 s, and the project list API's p95.

Needs ``DATABASE_URL`` pointing at a database with the full demo (``xinzhi demo --scale full``); skipped with a
message otherwise. Measures, as the province (every project):

* **warnings** — ``selectors.project_frame`` (the SQL reads) + ``warnings.evaluate`` (pure, Polars);
* **tracking** — the frame + ``warnings.rates`` overall, by city, county and cluster;
* **list API** — ``GET /api/v1/investment/projects?page=N`` through Django's test client, p50/p95 over pages;

each against a reference measured in the same run: reading the project table's rows (``values_list``) for the
first two, and ``GET /api/v1/regions/`` for the API. Prints the figures; asserts nothing.
"""

from __future__ import annotations

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinzhi.settings")


def _median(fn, rounds: int = 5) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> int:
    if not os.environ.get("DATABASE_URL"):
        print("skipped: set DATABASE_URL to a database holding the full demo")
        return 0
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    from xinzhi.accounts.models import User
    from xinzhi.investment import selectors, warnings
    from xinzhi.investment.models import InvestmentProject

    setup_test_environment()
    province = User.objects.filter(username="province").first()
    n = InvestmentProject.objects.count()
    if province is None or n < 1000:
        print("skipped: the database does not hold the full demo")
        return 0
    as_of = datetime.date(2025, 12, 31)
    rules = warnings.load_rules()
    ref = _median(lambda: list(InvestmentProject.objects.values_list("id", "code", "stage", "planned_start")))
    warn = _median(lambda: warnings.evaluate(selectors.project_frame(province, as_of), as_of, rules))

    def tracking():
        frame = selectors.project_frame(province, as_of)
        for by in (None, "city_id", "division_id", "cluster_id"):
            warnings.rates(frame, as_of, by)

    track = _median(tracking)
    out = warnings.evaluate(selectors.project_frame(province, as_of), as_of, rules)
    colours = dict(out["colour"].value_counts().iter_rows())
    print(f"projects {n}; as of {as_of}: red {colours.get('red', 0)}, yellow {colours.get('yellow', 0)}, "
          f"green {colours.get('green', 0)}")
    print(f"warning list (SQL + evaluate): {warn * 1000:.0f} ms  (goal < 1000 ms; ×{warn / ref:.1f} reading the "
          f"project rows, {ref * 1000:.0f} ms)")
    print(f"tracking figures (SQL + 4 groupings): {track * 1000:.0f} ms  (goal < 1000 ms; ×{track / ref:.1f})")

    client = Client()
    client.force_login(province)
    pages = max(1, n // 50)

    def timings(path_of, k: int = 40) -> list[float]:
        out = []
        for i in range(k):
            t = time.perf_counter()
            response = client.get(path_of(i))
            out.append(time.perf_counter() - t)
            assert response.status_code == 200, response.status_code
        return sorted(out)

    api = timings(lambda i: f"/api/v1/investment/projects?page={(i * 37) % pages + 1}")
    reference = timings(lambda i: "/api/v1/regions/")
    p95 = api[int(len(api) * 0.95) - 1]
    r95 = reference[int(len(reference) * 0.95) - 1]
    print(f"project list API: p50 {statistics.median(api) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms (goal < 200 ms; "
          f"×{p95 / r95:.1f} the divisions API's p95 {r95 * 1000:.0f} ms) — single client, not the web bench")
    return 0


if __name__ == "__main__":
    sys.exit(main())
