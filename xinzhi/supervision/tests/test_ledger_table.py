"""The task ledger (任务清单) as a shared list: database sorting by a header both ways (pk breaks ties), a key
that is not a sortable column — the computed light among them — is a Chinese 400, the xlsx export holds exactly
the page's filtered, sorted, scoped rows with units in the headers, and neither the page nor the export writes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count

from xinzhi.accounts.models import Role, User
from xinzhi.core.testing import declared_order, read_list_export, writes_during
from xinzhi.supervision import services
from xinzhi.supervision.models import Task

pytestmark = pytest.mark.django_db
AS_OF = "2025-07-10"


def _user(username, role, division):
    return User.objects.create(username=username, role=role, division_id=division, full_name=username)


@pytest.fixture
def people():
    return {"province": _user("tp1", Role.PROVINCE_STAFF, "330000"),
            "hangzhou": _user("tc1", Role.CITY_STAFF, "330100"),
            "xihu": _user("tx1", Role.COUNTY_STAFF, "330106")}


@pytest.fixture
def tasks(people):
    """The 2025 default ledger, task 4 split to 杭州 and on to 西湖区, task 5 split to 宁波."""
    services.load_default_ledger(people["province"], 2025)
    province = Task.objects.filter(year=2025, division_id="330000")
    hz = services.split_task(people["province"], province.get(number="4"), "330100")
    xihu = services.split_task(people["hangzhou"], hz, "330106")
    nb = services.split_task(people["province"], province.get(number="5"), "330200")
    return {"hz": hz, "xihu": xihu, "nb": nb}


def _get(client, **params):
    return client.get("/supervision/", {"year": "2025", "as_of": AS_OF} | params)


def _ids(response) -> list[int]:
    return [t.pk for t in response.context["page"]]


@pytest.mark.parametrize("key", ["number", "title", "group", "lead", "division", "deadline", "notices"])
def test_the_ledger_sorts_by_each_sortable_header_both_ways_in_the_database(client, people, tasks, key):
    client.force_login(people["province"])
    field = {"lead": "lead_department", "division": "division_id", "notices": "notice_count"}.get(key, key)
    scoped = Task.objects.restrict(people["province"]).filter(year=2025).annotate(notice_count=Count("notices"))
    for sign in ("", "-"):
        response = _get(client, sort=sign + key)
        assert response.status_code == 200
        if key == "group":  # a field with choices sorts in their declared order
            rank = declared_order(Task, "group")
            rows = sorted(scoped, key=lambda t: (rank(t.group), -t.pk if sign else t.pk), reverse=bool(sign))
            assert _ids(response) == [t.pk for t in rows]
        else:
            assert _ids(response) == list(scoped.order_by(sign + field, "pk").values_list("pk", flat=True))
        assert f'aria-sort="{"descending" if sign else "ascending"}"' in response.content.decode()


def test_deadline_order_is_the_dates_order_with_pk_breaking_ties(client, people, tasks):
    client.force_login(people["province"])
    rows = list(Task.objects.restrict(people["province"]).filter(year=2025))
    for sign in ("", "-"):
        expected = sorted(rows, key=lambda t: (t.deadline, -t.pk if sign else t.pk), reverse=bool(sign))
        assert _ids(_get(client, sort=sign + "deadline")) == [t.pk for t in expected]


@pytest.mark.parametrize("bad", ["light", "-light", "progress", "indicators", "co", "reasons", "text", "title;drop"])
def test_a_key_that_is_not_a_sortable_column_is_a_chinese_400(client, people, tasks, bad):
    client.force_login(people["province"])
    response = _get(client, sort=bad)
    assert response.status_code == 400
    assert "不是可选值" in response.content.decode()


def test_the_page_keeps_lights_with_their_words_progress_units_and_links(client, people, tasks):
    services.report_progress(people["hangzhou"], tasks["hz"], year=2025, month=6, percent=45, done="完成摸排")
    client.force_login(people["province"])
    html = _get(client, as_of=dt.date.today().isoformat()).content.decode()
    assert 'class="rating rating-red">逾期或停滞<' in html  # the 2025 tasks are overdue today
    assert "2025-06 · 45%" in html and "未报送" in html
    hz = tasks["hz"]
    assert f"<td>\n{hz.lead_department}</td>" in html
    assert hz.co_departments and "配合单位</th>" not in html  # export and task page only (1366 px fit)
    assert f'href="/supervision/tasks/{tasks["hz"].pk}/"' in html and "（分解任务）" in html
    assert "导出Excel" in html
    table = html[html.index('<div id="ledger">'):]
    assert table.count('class="rating rating-') == table.count("<tr>") - 1  # one light a row, no indicator here


def test_the_export_is_exactly_the_pages_filtered_sorted_scoped_rows(client, people, tasks):
    services.report_progress(people["hangzhou"], tasks["hz"], year=2025, month=6, percent=45, done="完成摸排")
    client.force_login(people["province"])
    query = {"group": "industry", "colour": "red", "sort": "-deadline"}
    page = _get(client, **query)
    assert page.status_code == 200
    shown = _ids(page)
    lights = {r.task.pk: r.light for r in services.light_rows(
        Task.objects.restrict(people["province"]).filter(year=2025, group="industry"), dt.date(2025, 7, 10))}
    expected = sorted((pk for pk, light in lights.items() if light.colour == "red"),
                      key=lambda pk: (Task.objects.get(pk=pk).deadline, -pk), reverse=True)
    assert shown == expected and shown
    response = _get(client, format="xlsx", **query)
    assert writes_during(lambda: _get(client, format="xlsx", **query)) == []
    assert writes_during(lambda: _get(client, **query)) == []
    header, exported = read_list_export(response)
    assert header[:3] == ["序号", "任务", "工作组"] and "完成进度（%）" in header and "亮灯原因" in header
    titles = [Task.objects.get(pk=pk) for pk in shown]
    assert [row[header.index("序号")] for row in exported] == [t.number for t in titles]
    assert [row[header.index("责任地区")] for row in exported] == [t.division.name for t in titles]
    assert {row[header.index("亮灯")] for row in exported} == {"逾期或停滞"}
    assert all(row[header.index("完成时限")] for row in exported)
    assert [row[header.index("配合单位")] or "" for row in exported] == [t.co_departments for t in titles]


@pytest.mark.parametrize(("who", "visible"), [("hangzhou", {"hz", "xihu"}), ("xihu", {"xihu"})])
def test_a_city_or_county_users_export_holds_only_its_scope(client, people, tasks, who, visible):
    client.force_login(people[who])
    header, exported = read_list_export(_get(client, format="xlsx", sort="division"))
    assert [row[header.index("责任地区")] for row in exported] == [
        tasks[k].division.name for k in sorted(visible, key=lambda k: tasks[k].division_id)]
    in_order = sorted(visible, key=lambda k: tasks[k].division_id)
    assert _ids(_get(client, sort="division")) == [tasks[k].pk for k in in_order]
