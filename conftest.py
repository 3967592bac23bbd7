"""Test set-up shared by every app: reference data is loaded once into the test database."""

import pytest
from django.core.management import call_command

# the browser fixtures (live_site, browser, page) live in one module so every test folder shares them
pytest_plugins = ["xinzhi.web.tests.browser_fixtures"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_reference", verbosity=0)
