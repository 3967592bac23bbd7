"""Cultivation: packages (versions, form, import), screening API, bulk lists and scope, the
advanced-manufacturing list workflow, seeded sampling, what-if, and the columnar flattening."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xinzhi.accounts.models import User
from xinzhi.core.imports import commit_import
from xinzhi.cultivation.generate import generate_packages
from xinzhi.cultivation.models import AnnualPackage, ListEntry, SamplingItem
from xinzhi.cultivation.services import am_list, packages, sampling, screening, whatif
from xinzhi.policy.frame import frame_from_json
from xinzhi.policy.package import parse_package
from xinzhi.policy.params import load_parameters
from xinzhi.policy.programmes import KEYS
from xinzhi.policy.register import long_results, screen_all
from xinzhi.policy.tests.generate import packages as random_packages

from .conftest import firms_frame as _firms

EXAMPLE = json.loads(open("xinzhi/policy/examples/package.json", encoding="utf-8").read(), parse_float=Decimal)


def test_tax_incentives_near_eligible_follow_their_closable_gap():
    """The pool holds tax incentives too: the VAT deduction when only the manufacturing share fails, the HTE
    rate when the enterprise is near-eligible for HTE (with the HTE gap); never the super deduction."""
    ds = random_packages(600)
    frame = frame_from_json([json.dumps(d, default=str) for d in ds]).with_columns(
        enterprise_id=pl.int_range(1, len(ds) + 1))
    screened = screen_all(frame, 2025)
    long = long_results(screened, 2025)
    by = {prog: long.filter(pl.col("program") == prog).sort("enterprise_id") for prog in
          ("hte", "vat_additional_deduction", "hte_income_tax", "rd_super_deduction")}
    vat, ht, hte = by["vat_additional_deduction"], by["hte_income_tax"], by["hte"]
    wide = screened.sort("enterprise_id")
    others = ("advanced_manufacturing.hte", "advanced_manufacturing.manufacturing_industry",
              "vat_additional_deduction.general_taxpayer", "vat_additional_deduction.no_other_policy")
    expected_vat = wide.select((pl.col("vat_additional_deduction.eligible") == False)  # noqa: E712
                               & pl.all_horizontal([pl.col(c) for c in others])
                               & (pl.col("advanced_manufacturing.manufacturing_sales_share") == False))  # noqa: E712
    assert vat["near"].to_list() == expected_vat.to_series().fill_null(False).to_list()
    assert vat["near"].sum() > 0
    near_vat = vat.filter("near")
    assert near_vat["gap_amount"].min() > 0 and not near_vat["holds_pkg"].any()
    assert all("制造业销售额还差" in t for t in near_vat["gap_text"])
    expected_ht = (~wide["hte_income_tax.eligible"] & hte["near"]).to_list()
    assert ht["near"].to_list() == expected_ht and ht["near"].sum() > 0
    near_ht = ht.filter("near")
    assert near_ht["gap_points"].to_list() == hte.filter(pl.Series(expected_ht))["gap_points"].to_list()
    assert all("高新技术企业认定：" in t for t in near_ht.filter(pl.col("gap_points").is_not_null())["gap_text"])
    assert not by["rd_super_deduction"]["near"].any()


def test_what_if_compares_every_programme_without_touching_files():
    """The what-if engine (pure): a lower HTE pass mark only adds HTEs, a stricter tech-SME pass mark
    only removes tech-SMEs, and every programme is compared with its fiscal cost; the files are unchanged."""
    from xinzhi.cultivation.programs import compare

    ds = random_packages(400)
    frame = frame_from_json([json.dumps(d, default=str) for d in ds]).with_columns(city_code=pl.lit("330100"))
    tree = load_parameters()
    before = screen_all(frame, 2024, tree)
    looser = compare(before, screen_all(frame, 2024, tree.with_overrides({"hte.score.pass_min": 50})))
    assert set(looser["program"]) == set(KEYS)
    hte = looser.filter(pl.col("program") == "hte").row(0, named=True)
    assert hte["newly_eligible"] > 0 and hte["no_longer_eligible"] == 0
    assert hte["eligible_after"] == hte["eligible_before"] + hte["newly_eligible"]
    assert hte["cost_change"] > 0
    stricter = compare(before, screen_all(frame, 2024, tree.with_overrides({"tech_sme.score.pass_min": 90})))
    sme = stricter.filter(pl.col("program") == "tech_sme").row(0, named=True)
    assert sme["newly_eligible"] == 0 and sme["no_longer_eligible"] > 0
    assert load_parameters().at(date(2024, 12, 31))("hte.st_staff_min_share") == Decimal("0.10")


def test_generated_packages_valid_and_deterministic():
    firms = _firms(60, ["330106"])
    a, b = generate_packages(firms, 5), generate_packages(firms, 5)
    assert a.equals(b)
    assert not a.equals(generate_packages(firms, 6))
    for text in a["data"].to_list():
        parse_package(json.loads(text, parse_float=Decimal))  # raises if invalid


def test_package_versions_and_chinese_errors(world):
    e = world["ents"][0]
    bad = dict(EXAMPLE)
    bad["staff"] = {"total": 10, "st_staff": 20}
    saved = packages.save_package(e, 2024, bad, world["owner"])
    assert saved.status == "invalid" and any("超过职工总数" in x["reason"] for x in saved.errors)
    good = packages.save_package(e, 2024, dict(EXAMPLE), world["owner"])
    assert (good.version, good.status, good.data["uscc"]) == (2, "valid", e.uscc)
    assert AnnualPackage.objects.filter(enterprise=e, year=2024).count() == 2
    assert AnnualPackage.objects.filter(enterprise=e, year=2024, is_current=True).get() == good
    from auditlog.models import LogEntry
    assert LogEntry.objects.get_for_object(good).exists()


def test_package_form_scope(client, world):
    mine, other = world["ents"][0], world["ents"][1]
    client.force_login(world["owner"])
    page = client.get(f"/cultivation/package/{mine.pk}/2025/")
    assert page.status_code == 200 and "销售收入" in page.content.decode()
    assert client.get(f"/cultivation/package/{other.pk}/2025/").status_code == 404
    post = {k: (str(v) if v is not None else "") for k, v in page.context["values"].items() if v not in (None, False)}
    post = {k: ("on" if v is True or v == "True" else v) for k, v in post.items()}
    response = client.post(f"/cultivation/package/{mine.pk}/2025/", post)
    assert response.status_code == 302
    assert AnnualPackage.objects.get(enterprise=mine, year=2025, is_current=True).version == 2
    form = client.get(f"/cultivation/package/{mine.pk}/2025/").content.decode()
    title = form.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.startswith("2025年度数据包") and "<" not in title  # the policy answers are in the page, not the title
    assert "您可享受的政策" in form
    detail = client.get(f"/enterprises/{mine.pk}/").content.decode()
    assert "您可享受的政策" in detail and "高新技术企业认定" in detail


def test_screen_api(client, world):
    assert client.post("/api/v1/policy/screen", EXAMPLE, content_type="application/json").status_code == 401
    client.force_login(world["owner"])
    body = json.dumps(EXAMPLE, default=str)
    ok = client.post("/api/v1/policy/screen", body, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["programs"]["hte"]["conditions"]
    bad = client.post("/api/v1/policy/screen", json.dumps({"year": 2024}), content_type="application/json")
    assert bad.status_code == 422 and any(e["reason"] == "缺少必填字段" for e in bad.json()["errors"])
    other = dict(EXAMPLE, uscc=world["ents"][1].uscc)
    assert client.post("/api/v1/policy/screen", json.dumps(other, default=str),
                       content_type="application/json").status_code == 403


def test_screen_api_refuses_a_year_the_parameters_do_not_cover_with_400(client, world):
    client.force_login(world["owner"])
    response = client.post("/api/v1/policy/screen?year=2016", json.dumps(EXAMPLE, default=str),
                           content_type="application/json")
    assert response.status_code == 400
    assert "无法计算2016年度" in response.json()["detail"] and "研发费用加计扣除" in response.json()["detail"]


def test_a_stored_package_of_a_year_not_covered_is_refused_in_chinese_everywhere(client, world):
    """A 2017 package validates, but the R&D super deduction has no parameters before 2018: the profile shows the
    Chinese sentence, the answers API answers 400, the register run and the what-if refuse the year."""
    e = world["ents"][0]
    old = dict(EXAMPLE, year=2017, registration_date="2010-01-01", prior_years=[], tax={}, holdings={})
    assert packages.save_package(e, 2017, old, world["owner"]).status == "valid"
    answers = screening.enterprise_answers(e, 2017)
    assert "研发费用加计扣除的政策参数自2018年起" in answers["refused"]
    client.force_login(world["owner"])
    response = client.get(f"/api/v1/cultivation/enterprises/{e.pk}/answers?year=2017")
    assert response.status_code == 400 and "无法计算2017年度" in response.json()["detail"]
    page = client.get(f"/cultivation/package/{e.pk}/2017/").content.decode()
    assert "无法计算2017年度" in page and "Traceback" not in page
    with pytest.raises(ValidationError):
        whatif.run(world["province"], 2017, {"hte.st_staff_min_share": "0.3"})
    with pytest.raises(Exception, match="无法计算2017年度"):
        screening.run_screening(2017, world["province"])


def test_risk_signals_sit_above_the_parameters_in_force():
    """The high-tech revenue margin follows hte.high_tech_revenue_min_share (a what-if tree moves it)."""
    from xinzhi.cultivation import risk

    frame = frame_from_json([json.dumps(dict(EXAMPLE, revenue={**EXAMPLE["revenue"], "total_revenue": "100000000",
                                                                "high_tech_revenue": str(v)}), default=str)
                             for v in (60_500_000, 70_500_000)]).with_columns(enterprise_id=pl.Series([1, 2]))
    live = load_parameters()
    at_60 = risk.signals(frame, None, live.at(date(2024, 12, 31)))["ht_revenue_margin"].to_list()
    moved = live.with_overrides({"hte.high_tech_revenue_min_share": Decimal("0.70")})
    at_70 = risk.signals(frame, None, moved.at(date(2024, 12, 31)))["ht_revenue_margin"].to_list()
    assert at_60 == [True, False] and at_70 == [False, True]


def test_lists_scoped_and_counts(client, world):
    run = world["run"]
    assert run.enterprise_count == 80
    ningbo = screening.results(world["ningbo"], run, "hte")
    assert ningbo.exists() and not ningbo.exclude(division__code__startswith="3302").exists()
    pool = list(screening.pool(world["province"], run, "hte"))
    amounts = [r.gap_amount for r in pool if r.gap_amount is not None]
    assert amounts == sorted(amounts)
    counts = screening.counts_by_region(2025, world["ningbo"])
    assert set(counts["division_code"]) == {"330212"}
    client.force_login(world["ningbo"])
    download = client.get("/cultivation/unclaimed/?year=2025&program=tech_sme&format=xlsx")
    assert download.status_code == 200
    # the Chinese file name is RFC 5987-encoded (a bare non-ASCII filename arrived as download.xlsx)
    from urllib.parse import quote
    assert f"filename*=UTF-8''{quote('应享尽享-科技型中小企业评价-2025.xlsx')}" in download["Content-Disposition"]
    assert client.get("/api/v1/cultivation/counts?year=2025").json()["rows"]
    client.force_login(world["owner"])
    assert client.get("/cultivation/pool/?year=2025").status_code == 403


def test_pool_sorts_in_the_database_and_exports_the_same_rows(client, world):
    from xinzhi.core.testing import read_list_export, writes_during

    client.force_login(world["province"])
    url = "/cultivation/pool/?year=2025&program=hte"
    everyone = list(screening.pool(world["province"], world["run"], "hte").select_related("enterprise"))
    assert len(everyone) > 1
    keys = {"enterprise": lambda r: r.enterprise.name, "division": lambda r: r.division_id,
            "score": lambda r: r.score, "gap_amount": lambda r: r.gap_amount, "benefit": lambda r: r.benefit}
    for key, value in keys.items():
        for sign in ("", "-"):
            if any(value(r) is None for r in everyone):
                continue  # NULLs sort first or last by database; checked with the non-null keys
            page = client.get(f"{url}&sort={sign}{key}")
            expected = sorted(everyone, key=lambda r: (value(r), -r.pk if sign else r.pk), reverse=bool(sign))
            assert [r.pk for r in page.context["page"]] == [r.pk for r in expected][:50], (key, sign)
    header, rows = read_list_export(client.get(f"{url}&sort=enterprise&format=xlsx"))
    assert "差距金额（万元）" in header and "预计优惠（万元）" in header and header[0] == "统一社会信用代码"
    assert [r[1] for r in rows] == sorted(r.enterprise.name for r in everyone)
    assert writes_during(lambda: client.get(f"{url}&format=xlsx")) == []
    client.force_login(world["ningbo"])
    _, rows = read_list_export(client.get(f"{url}&format=xlsx"))
    assert {r[2] for r in rows} <= {"鄞州区"}


def test_tax_incentives_in_the_register_screening(client, world):
    run = world["run"]
    for program in ("rd_super_deduction", "vat_additional_deduction", "hte_income_tax", "advanced_service"):
        rows = screening.results(world["province"], run, program)
        assert rows.count() == 80, program
    rd = screening.results(world["province"], run, "rd_super_deduction")
    assert rd.filter(eligible=True, benefit__gt=0).exists()
    # 应享尽享: eligible, a positive benefit, and the package says it does not claim
    unclaimed = list(screening.unclaimed(world["province"], run, "rd_super_deduction"))
    assert unclaimed
    for r in unclaimed:
        pkg = AnnualPackage.objects.get(enterprise_id=r.enterprise_id, year=2025)
        assert pkg.data["tax"].get("claims_rd_super_deduction") is False and r.benefit > 0
    hte_tax = screening.results(world["province"], run, "hte_income_tax")
    assert hte_tax.filter(eligible=True, benefit__gt=0).exists() and hte_tax.filter(eligible=False).exists()
    client.force_login(world["province"])
    page = client.get("/cultivation/unclaimed/?year=2025&program=rd_super_deduction")
    assert page.status_code == 200


def test_advanced_manufacturing_list_workflow(world):
    run, xihu = world["run"], world["xihu"]
    cands = list(am_list.candidates(xihu, 2025).values_list("enterprise_id", flat=True)[:2])
    assert cands, "screening should find advanced-manufacturing candidates"
    with pytest.raises(PermissionDenied):
        am_list.candidates(world["science"], 2025)
    entries = am_list.propose(xihu, cands, 2025, "测试")
    # a tax reviewer at another level sees nothing and may not decide
    assert not am_list.pending_reviews(world["ningbo_tax"], 2025).exists()
    with pytest.raises(PermissionDenied):
        am_list.decide(world["ningbo_tax"], entries[0], "confirm")
    # the province sees only confirmed/published entries (its step)
    assert not am_list.visible(world["province"], 2025).exists()
    for u in ("science", "finance", "tax"):
        am_list.decide(world[u], entries[0], "confirm")
    with pytest.raises(ValidationError):
        am_list.decide(world["tax"], entries[1], "reject", "")  # a reason is required
    am_list.decide(world["tax"], entries[1], "reject", "制造业销售额占比不足")
    statuses = dict(ListEntry.objects.values_list("pk", "status"))
    assert statuses[entries[0].pk] == "confirmed" and statuses[entries[1].pk] == "rejected"
    with pytest.raises(PermissionDenied):
        am_list.publish(xihu, 2025)
    assert am_list.publish(world["province"], 2025) == 1
    assert list(am_list.visible(world["province"], 2025).values_list("status", flat=True)) == ["published"]
    assert not am_list.pending_reviews(world["science"], 2025).exists()
    assert run.pk


def test_sampling_reproducible(world):
    first = sampling.create_draw(world["province"], 2025, 10, seed=42)
    listed = list(first.items.order_by("rank").values_list("enterprise_id", "program"))
    assert len(listed) == 10 and first.seed == 42
    assert sampling.redraw(first) == listed
    again = sampling.create_draw(world["province"], 2025, 10, seed=42)
    assert list(again.items.order_by("rank").values_list("enterprise_id", "program")) == listed
    other = sampling.create_draw(world["province"], 2025, 10, seed=43)
    assert list(other.items.order_by("rank").values_list("enterprise_id", "program")) != listed
    item = first.items.filter(division_id="330212").first()
    with pytest.raises(PermissionDenied):
        sampling.record_outcome(world["xihu"], item, "confirmed")
    sampling.record_outcome(world["ningbo"], item, "discrepancy", "研发费用归集不实")
    assert SamplingItem.objects.get(pk=item.pk).outcome == "discrepancy"
    with pytest.raises(PermissionDenied):
        sampling.create_draw(world["xihu"], 2025, 5)  # county staff do not draw


def test_what_if_leaves_live_parameters(world):
    before = load_parameters().at(date(2025, 12, 31))("hte.st_staff_min_share")
    result = whatif.run(world["province"], 2025, {"hte.st_staff_min_share": "0.30"})
    hte = next(t for t in result["totals"] if t["program"] == "hte")
    assert hte["no_longer_eligible"] >= 0 and hte["eligible_after"] <= hte["eligible_before"]
    assert load_parameters().at(date(2025, 12, 31))("hte.st_staff_min_share") == before
    with pytest.raises(PermissionDenied):
        whatif.run(world["xihu"], 2025, {"hte.st_staff_min_share": "0.3"})


def test_import_annual_packages(world):
    e = world["ents"][0]
    header = ("统一社会信用代码,数据年度,总收入(万元),销售收入(万元),高新技术产品（服务）收入(万元),研发-人员人工费用(万元),"
              "研发-直接投入费用(万元),研发-折旧费用(万元),研发-无形资产摊销(万元),研发-设计与试验费用(万元),职工总数,科技人员数,"
              "年末净资产(万元),年末资产总额(万元)\n")
    good = f"{e.uscc},2024,12150,12000,8000,260,120,40,10,30,260,30,8600,18000\n"
    bad = f"{e.uscc},2023,12150,12000,13000,260,120,40,10,30,260,300,8600,18000\n"
    outcome = commit_import("annual-packages", (header + good + bad).encode(), user=world["xihu"], file_name="p.csv")
    assert not outcome.committed
    reasons = " ".join(i.reason_zh for i in outcome.result.errors)
    assert "超过职工总数" in reasons and "超过总收入" in reasons
    outcome = commit_import("annual-packages", (header + good).encode(), user=world["xihu"], file_name="p.csv")
    assert outcome.committed
    stored = AnnualPackage.objects.get(enterprise=e, year=2024, is_current=True)
    assert stored.data["revenue"]["sales_revenue"] == "120000000" and stored.source == "import"
    other = world["ents"][1]  # 宁波: outside 西湖区
    row = f"{other.uscc},2024,12150,12000,8000,260,120,40,10,30,260,30,8600,18000\n"
    assert not commit_import("annual-packages", (header + row).encode(), user=world["xihu"], file_name="p.csv").committed


def test_the_draw_page_names_risk_signals_in_chinese(world, client):
    from xinzhi.cultivation.risk import SIGNAL_LABELS

    draw = sampling.create_draw(world["province"], 2025, 30, seed=7)
    flagged = [i for i in draw.items.all() if i.signals]
    assert flagged, "the draw should include enterprises with risk signals"
    client.force_login(world["province"])
    body = client.get(f"/cultivation/sampling/{draw.pk}/").content.decode()
    for item in flagged:
        for key in item.signals:
            assert SIGNAL_LABELS[key] in body
            assert f">{key}<" not in body and f"、{key}" not in body and f"{key}、" not in body
    # the weights line under the title too (it showed rd_ratio_margin×2.0)
    assert not [key for key in SIGNAL_LABELS if key in body]
    assert all(f"{label}×" in body for label in SIGNAL_LABELS.values())


def test_a_stored_package_that_no_longer_validates_answers_422_with_its_errors(client, world):
    """A package stored before a rule changed is not an answer: the API says so with an error status and the
    field errors (it used to answer 200 with an ``errors`` body)."""
    e = world["ents"][1]
    stored = AnnualPackage.objects.filter(enterprise=e, year=2025, is_current=True, status="valid")
    assert stored.update(data={"year": 2025}) == 1  # what a changed rule makes of a stored package
    client.force_login(world["province"])
    response = client.get(f"/api/v1/cultivation/enterprises/{e.pk}/answers?year=2025")
    body = response.json()
    assert response.status_code == 422 and "重新填报" in body["detail"] and body["errors"]
    client.force_login(User.objects.create(username="expert-x", role="expert"))
    assert client.get(f"/api/v1/cultivation/enterprises/{e.pk}/answers").status_code == 403
    assert client.get("/api/v1/cultivation/counts?year=2025").status_code == 403
