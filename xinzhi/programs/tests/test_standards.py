"""The standards register and what it adds to a new annual package (tech-SME direct path, HTE IP bonus)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from xinzhi.cultivation.services.packages import prefill
from xinzhi.programs import services
from xinzhi.programs.standards import package_holdings

D = dt.date


def _std(world, user, enterprise, **over):
    data = {"name": "柔性压力传感器通用规范", "level": "industry", "status": "published", "role": "lead",
            "published_on": D(2023, 6, 1), "number": "JB/T 0000-2023"} | over
    return services.record_standard(world[user], world[enterprise], data)


def test_register_and_the_package_fields(world):
    _std(world, "owner", "a")
    _std(world, "county", "a", name="传感器团体标准", level="group")
    _std(world, "owner", "a", name="国家标准草案", level="national", status="drafting", published_on=None, role="participate")
    _std(world, "owner", "a", name="国家检测方法", level="national", role="participate", published_on=D(2024, 3, 1))
    assert package_holdings(world["a"], 2024) == {"holdings": {"led_standard_years": [2023], "participated_standard": True}}
    assert package_holdings(world["a"], 2022) == {}
    assert package_holdings(world["c"], 2024) == {}
    data = prefill(world["a"], 2024)
    assert data["holdings"]["led_standard_years"] == [2023] and data["holdings"]["participated_standard"] is True


def test_refusals(world):
    with pytest.raises(PermissionDenied, match="企业用户只能为本企业办理"):
        _std(world, "owner", "c")
    with pytest.raises(PermissionDenied, match="只能为本地区企业办理"):
        _std(world, "ningbo", "a")
    with pytest.raises(services.Refused, match="已发布的标准须填写发布日期"):
        _std(world, "owner", "a", published_on=None)
    _std(world, "owner", "a")
    with pytest.raises(services.Refused, match="本企业已登记行业标准“柔性压力传感器通用规范”"):
        _std(world, "owner", "a")


def test_page(client, world):
    client.force_login(world["owner"])
    r = client.post("/programs/standards/", {"name": "智能夹爪团体标准", "level": "group", "status": "published",
                                             "role": "lead", "published_on": "2025-01-05"}, follow=True)
    assert "标准已登记" in r.content.decode() and "智能夹爪团体标准" in r.content.decode()
    client.force_login(world["other_owner"])
    assert "智能夹爪团体标准" not in client.get("/programs/standards/").content.decode()
    client.force_login(world["leader"])
    assert client.post("/programs/standards/", {"name": "x"}).status_code == 403
