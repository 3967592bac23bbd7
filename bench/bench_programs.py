"""Issue 17: the closed-loop funnel and the major-project shares on the full demo, computed in < 1 s.

Reads the database of ``DATABASE_URL`` (a database loaded with ``xinzhi demo --scale full``), as the
province login sees it, and times (best of ``BENCH_ROUNDS``):

* **funnel**: one SQL read of the problems and, columnar, the funnel by city, county, 415X cluster and year,
  the median days per stage and the stalled list (``services.loop_overview`` four times + ``problem_frame``);
* **shares**: the projects' flags (two SQL reads) and the shares by province, programme and city as of a date;
* **reference**: counting the enterprise register with one SQL query (the same run, same database).

Prints the times and their ratios to the reference; asserts nothing. Without ``DATABASE_URL`` it says so
and stops.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))


def _best(fn) -> float:
    times = []
    for _ in range(ROUNDS):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times)


def main() -> int:
    if not os.environ.get("DATABASE_URL"):
        print("DATABASE_URL 未设置：请指向已加载完整演示数据（xinzhi demo --scale full）的数据库")
        return 0
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinzhi.settings")
    import django

    django.setup()
    from xinzhi.accounts.models import User
    from xinzhi.enterprises.models import Enterprise
    from xinzhi.programs import services
    from xinzhi.programs.models import MajorProject, Problem

    user = User.objects.get(username="province")
    on = dt.date(2026, 11, 30)

    def funnel():
        for by in ("city", "county", "cluster", "year"):
            services.loop_overview(user, on, by)

    def shares():
        for by in ("province", "programme", "city"):
            services.st_shares(user, dt.date(2025, 1, 1), dt.date(2025, 12, 31), [by])

    ref = _best(lambda: Enterprise.objects.count())
    f = _best(funnel)
    s = _best(shares)
    print(f"problems {Problem.objects.count():,}, major projects {MajorProject.objects.count():,}, "
          f"enterprises {Enterprise.objects.count():,}")
    print(f"reference (register count)    best {ref[0] * 1000:8.1f} ms  median {ref[1] * 1000:8.1f} ms")
    print(f"funnel ×4 groupings + stalled best {f[0] * 1000:8.1f} ms  median {f[1] * 1000:8.1f} ms  "
          f"ratio {f[0] / ref[0]:.1f}×")
    print(f"shares ×3 groupings           best {s[0] * 1000:8.1f} ms  median {s[1] * 1000:8.1f} ms  "
          f"ratio {s[0] / ref[0]:.1f}×")
    print(f"goal < 1 s each: funnel {'met' if f[1] < 1 else 'NOT met'}, shares {'met' if s[1] < 1 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
