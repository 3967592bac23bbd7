"""Django admin is for province administrators only; every change through it is audited."""

import pytest
from auditlog.models import LogEntry

from xinzhi.accounts.models import Role, User
from xinzhi.accounts.services import DEMO_PASSWORD, create_demo_users
from xinzhi.core import uscc
from xinzhi.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db


def log_in(client, username, password=DEMO_PASSWORD):
    """Log in through the real login page (and so through the login throttle)."""
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return response.status_code == 302


@pytest.fixture
def enterprise():
    return Enterprise.objects.create(uscc=uscc.make("91", "330106", "MA0000001"), name="西湖甲公司",
                                     division_id="330106", industry_id="3973")


def test_admin_only_for_province_administrators(client, enterprise):
    create_demo_users()
    for username, allowed in (("province", True), ("hangzhou", False), ("xihu", False), ("leader", False),
                              ("expert", False), ("enterprise", False)):
        client.logout()
        assert log_in(client, username)
        response = client.get("/admin/enterprises/enterprise/")
        assert (response.status_code == 200) is allowed, username


def test_changes_are_audited_with_before_and_after(client, enterprise):
    admin = User.objects.create_superuser("root", password="x-Long-Pass-1", role=Role.PROVINCE_STAFF, division_id="330000")
    client.force_login(admin)
    data = {
        "uscc": enterprise.uscc, "name": "西湖甲科技公司", "division": "330106", "industry": "3973",
        "ownership": "private", "years-TOTAL_FORMS": "0", "years-INITIAL_FORMS": "0",
    }
    response = client.post(f"/admin/enterprises/enterprise/{enterprise.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = LogEntry.objects.get_for_object(enterprise).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    assert entry.actor == admin
    assert entry.changes_dict["name"] == ["西湖甲公司", "西湖甲科技公司"]


def test_home_page_counts_only_what_the_user_may_see(client, enterprise):
    Enterprise.objects.create(uscc=uscc.make("91", "330212", "MA0000002"), name="鄞州乙公司",
                              division_id="330212", industry_id="3973")
    create_demo_users()
    assert client.get("/").status_code == 302  # anonymous: to the login page
    assert log_in(client, "xihu")
    assert client.get("/").url == "/monitoring/"  # staff land on the cockpit
    assert "可见企业：1 家" in client.get("/?overview").content.decode()
    assert log_in(client, "province")
    assert "可见企业：2 家" in client.get("/?overview").content.decode()


def test_repeated_failed_logins_lock_the_account_out(client, settings):
    create_demo_users()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert not log_in(client, "xihu", "wrong-password")
    response = client.post("/accounts/login/", {"username": "xihu", "password": DEMO_PASSWORD})
    assert response.status_code == 429
    assert "登录已暂时锁定" in response.content.decode()
    assert log_in(client, "hangzhou")  # another account is not affected


def test_wrong_password_shows_chinese_error(client):
    create_demo_users()
    response = client.post("/accounts/login/", {"username": "xihu", "password": "nope"})
    assert response.status_code == 200 and "用户名或密码错误" in response.content.decode()


def test_password_change(client):
    create_demo_users()
    assert log_in(client, "xihu")
    response = client.post("/accounts/password/", {
        "old_password": DEMO_PASSWORD, "new_password1": "Qiantang-2025-river", "new_password2": "Qiantang-2025-river",
    })
    assert response.status_code == 302
    client.logout()
    assert not log_in(client, "xihu")
    assert log_in(client, "xihu", "Qiantang-2025-river")


def test_logout_ends_the_session_for_every_copy_of_the_cookie(client):
    """Sessions are read from a cache shared by all worker processes: after logout the old cookie (say, a
    copy in another tab or a stolen one) is refused, it is not served from a stale cache."""
    from django.test import Client

    create_demo_users()
    assert log_in(client, "xihu")
    cookie = client.cookies["sessionid"].value
    other = Client()
    other.cookies["sessionid"] = cookie
    assert other.get("/enterprises/").status_code == 200
    client.post("/accounts/logout/")
    assert other.get("/enterprises/").status_code == 302  # to the login page
