"""The signed-in user is loaded once per request and given to views and templates unwrapped."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

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


def test_cached_page_header_is_the_signed_in_users_own_with_a_fresh_csrf_token(client):
    """The header is cached per user: two users of one role and county each see their own name, a renamed
    user sees the new name, and the sign-out form's CSRF token is minted per response (not cached)."""
    import re

    a = User.objects.create(username="a", full_name="张三", role=Role.COUNTY_STAFF, division_id="330106")
    b = User.objects.create(username="b", full_name="李四", role=Role.COUNTY_STAFF, division_id="330106")
    for user, other in ((a, b), (b, a)):
        client.force_login(user)
        html = client.get("/accounts/tokens/").content.decode()
        assert user.full_name in html and other.full_name not in html
    a.full_name = "张三丰"
    a.save()
    client.force_login(a)
    first = client.get("/accounts/tokens/").content.decode()
    second = client.get("/accounts/tokens/").content.decode()
    assert "张三丰" in first

    def logout_token(html: str) -> str:
        return re.search(r'action="/accounts/logout/"><input type="hidden" name="csrfmiddlewaretoken" '
                         r'value="([^"]+)"', html).group(1)

    assert logout_token(first) != logout_token(second)
    strict = Client(enforce_csrf_checks=True)  # and the token works where CSRF is checked
    strict.force_login(a)
    strict.get("/accounts/tokens/")
    token = logout_token(strict.get("/accounts/tokens/").content.decode())
    assert strict.post("/accounts/logout/", {"csrfmiddlewaretoken": "x" * 64}).status_code == 403
    assert strict.post("/accounts/logout/", {"csrfmiddlewaretoken": token}).status_code == 302
