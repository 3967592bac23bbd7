"""Targets and every numeric input are validated; JSON never carries NaN or Infinity (issue 12 item 4).

Before: ``hangzhou`` saved targets ``inf``, ``NaN`` and ``1e308``; after that every import's recompute
crashed (data written, then a traceback on the command line and a 500 on the web), and the API emitted
invalid JSON (``"target": NaN``).
"""

from __future__ import annotations

import json
import math

import pytest
from django.core.exceptions import ValidationError

from xinzhi.accounts.models import User
from xinzhi.accounts.services import issue_token
from xinzhi.core.inputs import check_number
from xinzhi.demo.testing import small_demo
from xinzhi.monitoring import services
from xinzhi.monitoring.models import IndicatorValue, Target

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), small_demo(seed=3, months=[(2025, 6)]):
        yield


@pytest.mark.parametrize(("raw", "unit", "reason"), [
    ("inf", "%", "不是有限的数"), ("NaN", "%", "不是有限的数"), ("1e308", "%", "应在 0 到 100 之间"),
    ("-1", "%", "应在 0 到 100 之间"), ("100.5", "%", "应在 0 到 100 之间"), ("2.5", "个", "应为整数"),
    ("-3", "个", "不能为负数"), ("abc", "个", "不是数字"), ("1e308", "元", "超出合理范围"), ("-5", "元", "不能为负数"),
    ("", "%", "不能为空"),
])
def test_check_number_refuses_with_the_reason(raw, unit, reason):
    with pytest.raises(ValidationError, match=reason):
        check_number(raw, unit)


def test_check_number_accepts_sensible_values():
    assert check_number("67.5", "%") == 67.5
    assert check_number(" 12 ", "个") == 12 and isinstance(check_number("12", "个"), int)
    assert check_number("12.0", "个") == 12
    assert check_number("-30", "%", signed=True) == -30.0  # a growth rate may fall
    assert check_number("3.5e9", "元") == 3.5e9


def _post_targets(client, year, values):
    return client.post(f"/monitoring/targets/?year={year}", {"year": year, **values})


def test_hangzhou_cannot_save_inf_nan_or_huge_targets(client, demo):
    """The reproduction: the values are refused with the region, indicator and reason; nothing stored."""
    client.force_login(User.objects.get(username="hangzhou"))
    before = list(Target.objects.filter(division_id="330106", year=2025).values_list("indicator", "value"))
    response = _post_targets(client, 2025, {"rd_intensity:330106": "inf", "ht_va_share:330106": "NaN",
                                            "new_hte:330106": "1e308", "ht_investment_share:330106": "101"})
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("西湖区" in m and "不是有限的数" in m for m in messages), messages
    assert any("应在 0 到 100 之间" in m for m in messages), messages
    after = list(Target.objects.filter(division_id="330106", year=2025).values_list("indicator", "value"))
    assert after == before
    assert all(math.isfinite(v) for v in Target.objects.values_list("value", flat=True))


def test_the_service_refuses_what_the_form_refuses(demo):
    hangzhou = User.objects.get(username="hangzhou")
    for bad in (math.inf, math.nan, 1e308, -1.0):
        with pytest.raises(ValidationError):
            services.set_target(hangzhou, "rd_intensity", "330106", 2025, bad)
    with pytest.raises(ValidationError, match="应为整数"):
        services.set_target(hangzhou, "new_hte", "330106", 2025, 2.5)
    assert services.set_target(hangzhou, "new_hte", "330106", 2025, 7).value == 7


def test_one_bad_stored_target_does_not_stop_the_recompute(demo):
    """A bad value already in the database (written before the checks, or by hand) is left out — that
    region/indicator has no target — and every other region and indicator is computed and rated."""
    Target.objects.update_or_create(indicator="rd_intensity", division_id="330106", year=2025,
                                    defaults={"value": math.inf, "method": "manual"})
    Target.objects.update_or_create(indicator="ht_va_share", division_id="330106", year=2025,
                                    defaults={"value": 1e308, "method": "manual"})  # (SQLite keeps no NaN)
    Target.objects.update_or_create(indicator="rd_intensity", division_id="330108", year=2025,
                                    defaults={"value": 3.1, "method": "manual"})
    stored = services.refresh(2025, 6)
    assert stored > 0
    own = IndicatorValue.objects.get(indicator="rd_intensity", region="330106", year=2025, month=6)
    assert own.target is None or math.isfinite(own.target)
    assert IndicatorValue.objects.get(indicator="rd_intensity", region="330108", year=2025, month=6).target == 3.1
    for value in IndicatorValue.objects.filter(year=2025, month=6).values_list("value", "target", "gap", "progress"):
        assert all(v is None or math.isfinite(v) for v in value)


def test_api_json_never_carries_nan_or_infinity(client, demo):
    """Whatever a stored row holds, the API answers valid JSON: NaN and ±Infinity become null."""
    IndicatorValue.objects.filter(indicator="rd_intensity", region="330106", year=2025, month=6).update(
        target=math.nan, gap=math.inf, value=-math.inf)
    province = User.objects.get(username="province")
    token = issue_token(province, "t")
    response = client.get("/api/v1/monitoring/values?period=2025-06&indicator=rd_intensity&region=330106",
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "NaN" not in text and "Infinity" not in text
    row = json.loads(text, parse_constant=lambda c: pytest.fail(f"invalid JSON constant {c}"))["items"][0]
    assert row["target"] is None and row["gap"] is None and row["value"] is None


def test_renderer_converts_nested_non_finite_numbers():
    from xinzhi.api import FiniteJSONRenderer

    body = FiniteJSONRenderer().render(None, {"a": [1.5, math.nan, {"b": math.inf}], "c": -math.inf}, response_status=200)
    assert json.loads(body) == {"a": [1.5, None, {"b": None}], "c": None}


def test_api_inputs_refuse_nan_and_infinity(client, demo):
    """JSON bodies with NaN/Infinity (Python's json accepts them) are refused with 422, not computed."""
    province = User.objects.get(username="province")
    token = issue_token(province, "t")
    response = client.post("/api/v1/policy/screen", data='{"year": 2025, "revenue": NaN}',
                           content_type="application/json", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422, response.content
    assert "NaN" in response.json()["errors"][0]["reason"]
    response = client.post("/api/v1/platforms/submissions/1/determine", data='{"reasons": "x", "score": Infinity}',
                           content_type="application/json", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400 and "不能为 NaN 或 Infinity" in response.json()["detail"]


def test_imports_refuse_inf_nan_and_exponents_in_numbers():
    """The import framework's numbers are decimal text (money exact to the yuan, integers): ``inf``,
    ``NaN``, ``1e308`` are row errors there, never a float."""
    import polars as pl

    from xinzhi.core.imports.parsing import _integer, _money, _money_parts

    values = ["inf", "NaN", "1e308", "-Infinity", "12.5"]
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String}).with_columns(_money_parts("v"))
    yuan, not_numeric, _too_large = _money("v", "万元")
    out = frame.select(yuan.alias("y"), not_numeric.alias("n"))
    assert out["n"].to_list() == [True, True, True, True, False]
    assert out["y"].to_list() == [None, None, None, None, 125000]
    value, bad = _integer("v")
    assert pl.DataFrame({"v": values}).select(bad.alias("b"))["b"].to_list() == [True] * 5


def test_review_scores_refuse_nan_and_infinity():
    """An expert's score of NaN raised on comparison (a 500) before; now a Chinese refusal."""
    from xinzhi.evaluation import scoring

    scheme = next(s for s in scoring.all_schemes() if s.criteria)
    code = scheme.criteria[0].code
    for bad in ("NaN", "Infinity", "-inf"):
        scores = {c.code: "1" for c in scheme.criteria} | {code: bad}
        with pytest.raises(scoring.ScoreError):
            scoring.score_review(scheme, scores)


def test_institution_annual_data_refuses_inf_and_huge_numbers(client, demo):
    """年度数据填报: counts and amounts are finite, non-negative and in range (before: ``int("inf")``
    gave an English message, a 20-digit number a database error)."""
    from xinzhi.platforms.models import AnnualData, RDInstitution

    inst = RDInstitution.objects.exclude(status="revoked").order_by("id").first()
    client.force_login(User.objects.get(username="province"))
    for field, raw, reason in [("rd_staff", "inf", "不是有效|不是数字|不是有限的数"), ("revenue", "9" * 25, "超出合理范围"),
                               ("rd_staff", "2.5", "应为整数"), ("invention_patents", "-3", "不能为负数")]:
        response = client.post(f"/platforms/institutions/{inst.pk}/", {"action": "annual_data", "year": 2025, field: raw})
        assert response.status_code == 302
        messages = " ".join(str(m) for m in response.wsgi_request._messages)
        import re

        assert re.search(reason, messages), (field, raw, messages)
    assert not AnnualData.objects.filter(institution=inst, year=2025, rd_staff__isnull=False).exclude(
        rd_staff__lt=10_000_000).exists()
