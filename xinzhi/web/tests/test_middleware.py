"""The signed-in user is loaded once per request and given to views and templates unwrapped."""

import pytest
from django.contrib.auth.models import AnonymousUser

from xinzhi.accounts.models import Role, User

pytestmark = pytest.mark.django_db


def test_request_user_is_the_loaded_user_not_a_lazy_wrapper(client, django_assert_max_num_queries):
    user = User.objects.create(username="county", role=Role.COUNTY_STAFF, division_id="330106")
    client.force_login(user)
    response = client.get("/accounts/tokens/")
    assert response.status_code == 200
    assert type(response.wsgi_request.user) is User
    assert response.wsgi_request.user.pk == user.pk and response.wsgi_request.user.division.name == "西湖区"
    client.logout()
    response = client.get("/accounts/login/")
    assert type(response.wsgi_request.user) is AnonymousUser
    with django_assert_max_num_queries(0):  # an anonymous request loads no user
        client.get("/accounts/login/")
