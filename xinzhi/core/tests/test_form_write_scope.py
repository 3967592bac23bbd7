"""Scope on every non-import write, by the stored record (issue 12 item 1, forms, API and admin).

County staff (``xihu``, 西湖区) post to every form and API write of records stored in another region
(a Ningbo enterprise, its institution and platform, a Ningbo county's target, a proposal for the 先进制造业
list): each is refused and writes nothing. Moving a record to another county in the admin is a province
action, checked and audited with both regions like an import's move, and marks the monitoring stale.
"""

from __future__ import annotations

import re

import pytest
from django.db import connections
from django.forms.models import model_to_dict
from django.test import RequestFactory

from xinzhi.accounts.models import Role, User
from xinzhi.accounts.services import issue_token
from xinzhi.core.testing import CaptureQueriesContext
from xinzhi.demo.testing import small_demo
from xinzhi.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.I)
ALLOWED_TABLES = ("django_session", "axes_", "accounts_apitoken")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), small_demo(seed=3, months=[(2025, 6)]):
        yield


def _business_writes(captured) -> list[str]:
    return [q["sql"][:120] for q in captured.captured_queries
            if WRITE.match(q["sql"]) and not any(t in q["sql"] for t in ALLOWED_TABLES)]


def _foreign():
    """Records stored in Ningbo (3302), out of 西湖区's scope."""
    from xinzhi.platforms.models import Platform, RDInstitution

    enterprise = Enterprise.objects.filter(division__code__startswith="3302").order_by("id").first()
    institution = RDInstitution.objects.filter(enterprise__division__code__startswith="3302").order_by("id").first()
    platform = Platform.objects.filter(division__code__startswith="3302").order_by("id").first()
    return enterprise, institution, platform


def test_county_staff_cannot_write_to_records_stored_elsewhere(client, demo):
    enterprise, institution, platform = _foreign()
    xihu = User.objects.get(username="xihu")
    posts = [
        (f"/cultivation/package/{enterprise.pk}/2025/", {"revenue": "100"}),
        (f"/evaluation/rounds/1/apply/?enterprise={enterprise.pk}", {"enterprise": enterprise.pk}),
        ("/cultivation/am-list/", {"action": "propose", "enterprise": [enterprise.pk], "year": 2025}),
        ("/monitoring/targets/?year=2025", {"year": 2025, "rd_intensity:330203": "3.0"}),
    ]
    if institution is not None:
        posts.append((f"/platforms/institutions/{institution.pk}/", {"action": "annual_data", "year": 2025,
                                                                     "rd_staff": "5"}))
    if platform is not None:
        posts.append((f"/platforms/platforms/{platform.pk}/", {"action": "annual_data", "year": 2025,
                                                               "rd_staff": "5"}))
    client.force_login(xihu)
    for path, data in posts:
        with CaptureQueriesContext(connections["default"]) as captured:
            response = client.post(path, data)
        assert response.status_code in (302, 403, 404), (path, response.status_code)
        assert _business_writes(captured) == [], path


def test_the_api_refuses_writes_to_records_stored_elsewhere(client, demo):
    from xinzhi.evaluation.models import Submission

    submission = Submission.objects.filter(enterprise__division__code__startswith="3302").order_by("id").first()
    xihu = User.objects.get(username="xihu")
    token = issue_token(xihu, "t")
    headers = {"Authorization": f"Bearer {token}"}
    pk = submission.pk if submission else 1
    with CaptureQueriesContext(connections["default"]) as captured:
        response = client.post(f"/api/v1/platforms/submissions/{pk}/determine", data='{"reasons": "x"}',
                               content_type="application/json", headers=headers)
        assert response.status_code in (403, 404)
        response = client.post(f"/api/v1/platforms/my-assignments/{pk}/review", data='{"scores": {}}',
                               content_type="application/json", headers=headers)
        assert response.status_code in (403, 404)
    assert _business_writes(captured) == []


def _admin_form(admin_class, model, user, obj, **changes):
    from django.contrib.admin.sites import site

    request = RequestFactory().post("/")
    request.user = user
    model_admin = admin_class(model, site)
    form_class = model_admin.get_form(request, obj, change=True)
    data = {k: v for k, v in model_to_dict(obj).items() if v is not None} | changes
    return model_admin, request, form_class(data=data, instance=obj)


def test_a_move_in_the_admin_is_a_province_action_audited_with_both_regions(demo, django_capture_on_commit_callbacks):
    from auditlog.models import LogEntry

    from xinzhi.enterprises.admin import EnterpriseAdmin
    from xinzhi.monitoring.models import StaleMonth

    firm = Enterprise.objects.filter(division_id="330106").order_by("id").first()
    # a staff account that is not the province's (admin access aside) may not move it
    from django.contrib.auth.models import Permission

    city = User.objects.create(username="c", role=Role.CITY_STAFF, division_id="330100", is_staff=True)
    city.user_permissions.add(Permission.objects.get(codename="change_enterprise"))
    city = User.objects.get(pk=city.pk)
    _, _, form = _admin_form(EnterpriseAdmin, Enterprise, city, firm, division="330203")
    assert not form.is_valid()
    assert "跨地区迁移为省级操作" in str(form.errors["division"])
    # a city is not a county
    province = User.objects.get(username="province")
    _, _, form = _admin_form(EnterpriseAdmin, Enterprise, province, firm, division="330200")
    assert not form.is_valid() and "不是县（市、区）级区划" in str(form.errors["division"])
    # the province moves it: the move's own audit entry names both regions; the monitoring is marked stale
    model_admin, request, form = _admin_form(EnterpriseAdmin, Enterprise, province, firm, division="330203")
    assert form.is_valid(), form.errors
    with django_capture_on_commit_callbacks(execute=False):
        model_admin.save_model(request, form.save(commit=False), form, change=True)
        assert StaleMonth.objects.filter(year=2025, month=6).exists()
    firm.refresh_from_db()
    assert firm.division_id == "330203"
    entry = LogEntry.objects.filter(object_pk=str(firm.pk), additional_data__region_move__isnull=False).latest("id")
    move = entry.additional_data["region_move"]
    assert (move["from"], move["to"]) == ("330106", "330203")
    assert move["from_name"] == "杭州市西湖区" and move["to_name"] == "宁波市海曙区"
    assert entry.actor_id == province.pk


def test_a_platform_moved_in_the_admin_is_audited_too(demo):
    from auditlog.models import LogEntry

    from xinzhi.platforms.admin import PlatformAdmin
    from xinzhi.platforms.models import Platform

    platform = Platform.objects.filter(division__level="county").order_by("id").first()
    target = "330203" if platform.division_id != "330203" else "330106"
    province = User.objects.get(username="province")
    model_admin, request, form = _admin_form(PlatformAdmin, Platform, province, platform, division=target)
    assert form.is_valid(), form.errors
    model_admin.save_model(request, form.save(commit=False), form, change=True)
    entry = LogEntry.objects.filter(object_pk=str(platform.pk), additional_data__region_move__isnull=False).latest("id")
    assert entry.additional_data["region_move"]["to"] == target
