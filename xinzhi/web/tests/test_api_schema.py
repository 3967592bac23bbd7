"""Property-based API test: schemathesis generates requests from our OpenAPI schema (bounded in
examples and time) and every response must be free of server errors, for a scoped county user."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from xinzhi.accounts.models import Role, User
from xinzhi.accounts.services import issue_token
from xinzhi.core import uscc
from xinzhi.enterprises.models import Enterprise
from xinzhi.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def keep_test_connection():
    """Schemathesis calls the WSGI handler directly; like Django's test client, keep the handler from
    closing the test transaction's database connection at the end of each request."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(db):
    Enterprise.objects.create(uscc=uscc.make("91", "330106", "MA050001"), name="西湖甲公司", division_id="330106",
                              industry_id="3973")
    user = User.objects.create(username="st", role=Role.COUNTY_STAFF, division_id="330106")
    return issue_token(user, "schemathesis")


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_has_no_server_errors(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error])
