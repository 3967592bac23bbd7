"""The small demo for tests: loaded once per test module, removed after it.

Loading the demo (and hashing the demo users' passwords) takes seconds; a module's tests share one load
and each test still runs in its own transaction, rolled back after it (pytest-django), so what a test
writes never reaches the next one.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management import call_command
from django.db import transaction

from xinzhi.accounts.models import User
from xinzhi.accounts.services import DEMO_USERS, create_demo_users
from xinzhi.demo.extensions import demo_extensions
from xinzhi.monitoring import services
from xinzhi.monitoring.models import EarlyWarning, IndicatorValue, IssuedReport, StaleMonth, Target

from .loader import delete_business_data


@contextmanager
def small_demo(seed: int, months: list[tuple[int, int]]) -> Iterator[dict[str, User]]:
    """The small demo with seed ``seed``, the demo logins, and monitoring snapshots of ``months``;
    gives the demo users by username. Use in a module-scoped fixture, inside ``django_db_blocker.unblock()``."""
    call_command("demo", scale="small", seed=seed, verbosity=0, stdout=io.StringIO())
    create_demo_users()
    for year, month in months:
        services.refresh(year, month)
    try:
        yield {user.username: user for user in User.objects.all()}
    finally:  # leave no demo data behind: later modules load their own
        for extension in reversed(demo_extensions()):
            extension.clear()
        with transaction.atomic():
            delete_business_data()
        # and what the module computed or allocated on it (targets allocated from its base year, issued reports)
        for model in (IndicatorValue, EarlyWarning, Target, StaleMonth, IssuedReport):
            model.objects.all().delete()
        User.objects.filter(username__in=[username for username, *_ in DEMO_USERS]).delete()
