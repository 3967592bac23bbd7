"""Test set-up shared by every app: reference data is loaded once into the test database.

``make test`` runs the suite in parallel processes (pytest-xdist, ``-n``): each worker has its own test
database (``test_<name>_gw0`` on PostgreSQL, its own in-memory SQLite), its own temporary var/ and media
folders, caches and LibreOffice profile; the job tests use a broker namespace per test. Each worker that
runs browser tests starts its own demo server (free port, own SQLite file) and Chromium."""

import pytest
from django.core.management import call_command

# the browser fixtures (live_site, browser, page) live in one module so every test folder shares them
pytest_plugins = ["xinzhi.web.tests.browser_fixtures"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.db import connections

    with django_db_blocker.unblock():
        call_command("load_reference", verbosity=0)
        # transactional tests (``django_db(transaction=True, serialized_rollback=True)``: real commits, seen
        # by other threads and processes) empty the database when they end; each one restores this state
        for connection in connections.all():
            connection._test_serialized_contents = connection.creation.serialize_db_to_string()


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hasher():
    """Tests hash the demo logins' passwords many times; PBKDF2's million rounds cost about 0.3 s each.
    The browser tests' server (a separate process) keeps the production hasher."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session", autouse=True)
def _test_caches(tmp_path_factory):
    """The shared session cache of the tests lives in a temporary folder, not in the developer's var/."""
    from django.conf import settings
    from django.test import override_settings

    caches = {**settings.CACHES, "sessions": {**settings.CACHES["sessions"],
                                              "LOCATION": str(tmp_path_factory.mktemp("sessions-cache"))}}
    with override_settings(CACHES=caches):
        yield


@pytest.fixture(scope="session", autouse=True)
def _test_var_dir(tmp_path_factory):
    """Files the code writes (job results, uploads kept between preview and import) go to a temporary var/
    of this test process, not the developer's var/: parallel workers number their jobs alike."""
    from django.test import override_settings

    var_dir = tmp_path_factory.mktemp("var")
    with override_settings(VAR_DIR=var_dir, MEDIA_ROOT=var_dir / "media"):
        yield


@pytest.fixture(autouse=True)
def _fresh_caches(_test_caches):
    """Every test starts with empty caches (rendered fragments, sessions): no state leaks between tests,
    and query-count baselines do not depend on the order the tests run in."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _jobs_in_the_caller():
    """Background jobs run at once in the request that submits them (no broker, no thread): a page test sees
    the job's result. The job tests start a real Dramatiq worker on Redis themselves (``xinzhi/jobs/tests``)."""
    from django.test import override_settings

    with override_settings(XINZHI_JOBS_MODE="sync", XINZHI_BROKER_URL=""):
        yield
