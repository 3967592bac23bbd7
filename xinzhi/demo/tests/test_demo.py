"""The deterministic demo dataset: generator properties, loading, calibration, the command."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
from django.core.management import CommandError, call_command

from xinzhi.accounts.models import User
from xinzhi.core import uscc
from xinzhi.cultivation.models import Certification
from xinzhi.demo.generator import ABOVE_SCALE_REVENUE, generate, indicators, investment_indicators
from xinzhi.demo.loader import TABLES, loaded_indicators, read_reference
from xinzhi.enterprises.models import Enterprise
from xinzhi.platforms.models import RDInstitution
from xinzhi.regions.models import Division

pytestmark = pytest.mark.django_db

SEED = 7


@pytest.fixture
def reference():
    return read_reference()


@pytest.fixture
def frames(reference):
    return generate(reference, scale="small", seed=SEED)


def test_same_seed_same_frames_other_seed_differs(reference, frames):
    again = generate(reference, scale="small", seed=SEED)
    for name, frame in frames.items():
        assert frame.equals(getattr(again, name)), name
    other = generate(reference, scale="small", seed=SEED + 1)
    assert not frames.enterprises.equals(other.enterprises)
    assert not frames.monthly.equals(other.monthly)


def test_uscc_valid_unique_and_region_matches_county(frames):
    ent = frames.enterprises
    assert ent["uscc"].n_unique() == ent.height
    assert ent["name"].n_unique() == ent.height
    for code, county in ent.select("uscc", "division_code").iter_rows():
        assert uscc.is_valid(code), code
        assert uscc.division_part(code) == county
    assert ent["name"].str.ends_with("有限公司").all()


def test_every_city_and_county_present(frames):
    counties = set(Division.objects.filter(level="county").values_list("code", flat=True))
    cities = set(Division.objects.filter(level="city").values_list("code", flat=True))
    assert len(cities) == 11 and len(counties) == 90
    ent = frames.enterprises
    assert set(ent["division_code"].unique()) == counties
    assert {c[:4] + "00" for c in ent["division_code"].unique()} == cities
    assert 1_300 <= frames.enterprise_years.filter(pl.col("above_scale") & (pl.col("year") == 2025)).height <= 1_700
    # industry classes are manufacturing (divisions 13–43)
    divisions = ent["industry_code"].str.slice(0, 2).cast(pl.Int32)
    assert divisions.min() >= 13 and divisions.max() <= 43


def test_cumulative_series_never_decrease_within_a_year(frames):
    amounts = ["output_value", "value_added", "revenue", "rd_expense", "new_product_output"]
    m = frames.monthly.sort("enterprise_id", "year", "month")
    diffs = m.select([pl.col(c).diff().over("enterprise_id", "year").alias(c) for c in amounts])
    assert all((diffs[c].drop_nulls() >= 0).all() for c in amounts)
    p = frames.progress.sort("project_id", "year", "month")
    assert (p.select(pl.col("ytd_completed").diff().over("project_id", "year"))["ytd_completed"].drop_nulls() >= 0).all()
    r = frames.region_investment.sort("division_code", "year", "month")
    assert (
        r.select(pl.col("ytd_fixed_asset_investment").diff().over("division_code", "year"))["ytd_fixed_asset_investment"]
        .drop_nulls() >= 0
    ).all()
    assert not m["is_revision"].any()
    # project codes unique and shaped like 2024-330106-39-03-000123
    assert frames.projects["code"].n_unique() == frames.projects.height
    assert frames.projects["code"].str.contains(r"^20\d\d-33\d{4}-\d\d-0[23]-\d{6}$").all()


def test_above_scale_churn_and_monthly_rows(frames):
    years = frames.enterprise_years.pivot(on="year", index="enterprise_id", values="above_scale")
    stayed = years.filter(pl.col("2024") & pl.col("2025")).height
    left = years.filter(pl.col("2024") & ~pl.col("2025")).height
    entered = years.filter(~pl.col("2024") & pl.col("2025")).height
    assert left > 0 and entered > 0 and not years.filter(~pl.col("2024") & ~pl.col("2025")).height
    assert 0.04 < left / (stayed + left) < 0.10
    assert 0.08 < entered / (stayed + entered) < 0.16
    # one row per month for exactly the above-scale firm-years
    per_year = frames.monthly.group_by("enterprise_id", "year").agg(n=pl.len(), months=pl.col("month").n_unique())
    assert (per_year["n"] == 12).all() and (per_year["months"] == 12).all()
    above = frames.enterprise_years.filter(pl.col("above_scale")).select("enterprise_id", "year")
    assert per_year.height == above.height
    assert per_year.join(above, on=["enterprise_id", "year"], how="anti").height == 0
    # above-scale: full-year revenue ≥ 20 million yuan; MonthlyStat county = enterprise county
    dec = frames.monthly.filter(pl.col("month") == 12)
    assert dec["revenue"].min() >= ABOVE_SCALE_REVENUE
    joined = frames.monthly.join(frames.enterprises.select(enterprise_id="id", county="division_code"), on="enterprise_id")
    assert (joined["division_code"] == joined["county"]).all()
    # February is the low month (Chinese New Year)
    inc = frames.monthly.sort("enterprise_id", "year", "month").with_columns(
        inc=pl.col("output_value").diff().over("enterprise_id", "year").fill_null(pl.col("output_value"))
    ).group_by("month").agg(pl.col("inc").sum()).sort("month")
    assert inc["inc"].arg_min() == 1


def test_frames_ratios_and_growth(frames, reference):
    ind = indicators(frames.monthly, reference.high_tech, frames.enterprises)
    assert ind["va_rate"].is_between(0.20, 0.25).all()
    assert ind["revenue_to_output"].is_between(0.95, 1.05).all()
    dec = frames.monthly.filter(pl.col("month") == 12)
    wide = dec.pivot(on="year", index="enterprise_id", values="value_added").drop_nulls()
    growth = wide["2025"].sum() / wide["2024"].sum() - 1
    assert 0.05 < growth < 0.09
    inv = investment_indicators(frames.progress, frames.projects, frames.region_investment)
    assert inv["share"].is_between(0.15, 0.20).all()
    assert inv["ht_growth"][1] > inv["fai_growth"][1]
    # some counties do not report fixed-asset investment
    assert frames.region_investment["division_code"].n_unique() < len(reference.counties)


def test_certifications_and_institutions(frames):
    n = frames.enterprises.height
    certs = frames.certifications
    hte = certs.filter(pl.col("program") == "hte")
    assert 0.30 <= hte["enterprise_id"].n_unique() / n <= 0.40
    assert set(hte["year"].unique()) == {2022, 2023, 2024, 2025}
    validity = hte.select((pl.col("expires_on") - pl.col("issued_on")).dt.total_days())
    assert validity.to_series().is_between(3 * 365 - 2, 3 * 366).all()
    assert set(certs.filter(pl.col("program") == "tech_sme")["year"].unique()) == {2024, 2025}
    assert certs.filter(pl.col("program") == "advanced_service").height > 0
    assert certs.select("enterprise_id", "program", "year").is_unique().all()
    levels = dict(frames.institutions.group_by("level").len().iter_rows())
    ratio = np.array([levels[k] for k in ("national_tech_centre", "provincial_key_institute", "provincial_tech_centre", "provincial_institute")])
    assert np.allclose(ratio / ratio[0], [1, 3, 10, 15], rtol=0.1)
    assert (frames.institutions["recognised_year"] == 2025).any()
    assert set(frames.institutions["status"].unique()) >= {"recognised", "warned", "revoked"}
    assert frames.institutions.select("enterprise_id", "level").is_unique().all()


def _loaded_counts() -> dict[str, int]:
    """Rows of the register demo's tables. The platforms app's demo extension adds city-level R&D
    institutions (the register demo has none) and the institutions its recognition round recognises, so
    those are not the register demo's rows (a register institution downgraded to city level still is)."""
    counts = {name: model.objects.count() for name, model in TABLES}
    from xinzhi.platforms.demo_data import CITY_LEVEL_SUFFIX

    counts["institutions"] = (RDInstitution.objects.exclude(level="city_level", name__endswith=CITY_LEVEL_SUFFIX)
                              .exclude(submissions__decision="recognise").count())
    return counts


def test_command_loads_frames_and_refuses_without_force(reference, capsys):
    call_command("demo", scale="small", seed=SEED)
    expected = generate(reference, scale="small", seed=SEED)
    assert _loaded_counts() == expected.counts()
    out = capsys.readouterr().out
    assert "province / 省级工作人员 / 浙江省 / xinzhi-demo-2025" in out
    assert User.objects.get(username="enterprise").enterprise_id is not None
    loaded = Enterprise.objects.order_by("id").values_list("uscc", "name", "division_id", "industry_id")[:50]
    assert list(loaded) == expected.enterprises.head(50).select("uscc", "name", "division_code", "industry_code").rows()
    hte = Certification.objects.filter(program="hte").order_by("enterprise_id", "year").first()
    assert isinstance(hte.expires_on, dt.date) and hte.expires_on > hte.issued_on

    with pytest.raises(CommandError, match="--force"):
        call_command("demo", scale="small", seed=SEED, verbosity=0)
    assert _loaded_counts() == expected.counts()

    call_command("demo", scale="small", seed=SEED + 1, force=True, verbosity=0)
    assert _loaded_counts() == generate(reference, scale="small", seed=SEED + 1).counts()
    # a new enterprise gets a fresh id (sequence reset after explicit ids)
    e = Enterprise.objects.create(uscc=uscc.make("91", "330106", "AB1234560"), name="测试", division_id="330106", industry_id="3911")
    assert e.id > Enterprise.objects.exclude(id=e.id).order_by("-id").values_list("id", flat=True)[0] - 1


def test_calibration_computed_from_loaded_data(reference):
    """Province ratios of the loaded small-scale data land within the tolerances in docs/demo-data.md."""
    call_command("demo", scale="small", seed=SEED, verbosity=0)
    ind = loaded_indicators()
    prov = {row["year"]: row for row in ind["province"].iter_rows(named=True)}
    assert abs(prov[2024]["high_tech_va_share"] - 0.670) < 0.003
    assert abs(prov[2025]["high_tech_va_share"] - 0.674) < 0.003
    assert prov[2025]["high_tech_va_share"] > prov[2024]["high_tech_va_share"]
    assert abs(prov[2024]["rd_intensity"] - 0.0306) < 0.0005
    assert abs(prov[2025]["rd_intensity"] - 0.0317) < 0.0005
    assert 0.43 <= prov[2024]["new_product_rate"] <= 0.45 and 0.43 <= prov[2025]["new_product_rate"] <= 0.45
    for year in (2024, 2025):
        assert 0.20 <= prov[year]["va_rate"] <= 0.25
        assert 0.95 <= prov[year]["revenue_to_output"] <= 1.05
    inv = {row["year"]: row for row in ind["investment"].iter_rows(named=True)}
    share = {y: inv[y]["ht"] / inv[y]["fai"] for y in inv}
    assert 0.16 <= share[2024] <= 0.19 and 0.16 <= share[2025] <= 0.19
    assert inv[2025]["ht"] / inv[2024]["ht"] > inv[2025]["fai"] / inv[2024]["fai"]

    city = ind["city"].filter(pl.col("year") == 2025)
    by_city = {row["key"]: row for row in city.iter_rows(named=True)}
    assert len(by_city) == 11
    assert by_city["330100"]["high_tech_va_share"] > 0.70
    assert by_city["330100"]["rd_intensity"] > 0.038 and by_city["330200"]["rd_intensity"] < 0.027
    # cities differ, and some miss the 2025 targets
    assert any(r["high_tech_va_share"] < 0.675 for r in by_city.values())
    assert any(r["high_tech_va_share"] > 0.675 for r in by_city.values())
    assert any(r["rd_intensity"] < 0.0315 for r in by_city.values())
    assert any(r["new_product_rate"] < 0.40 for r in by_city.values())
    county = ind["county"].filter(pl.col("year") == 2025)
    assert county.height == 90
    assert county["high_tech_va_share"].std() > 0.05


def test_calibrated_to_a_believable_scale(frames):
    """Issue 13: FAI was 36.8 万亿元 (8–9× Zhejiang), every firm did R&D, no advanced service enterprise in 2025."""
    above = frames.enterprise_years.filter((pl.col("year") == 2025) & pl.col("above_scale")).height
    fai = frames.region_investment.filter((pl.col("year") == 2025) & (pl.col("month") == 12))["ytd_fixed_asset_investment"]
    per_firm = fai.sum() / above
    assert 55e6 < per_firm < 95e6  # ≈ 4.4 万亿元 over 58,000 firms at full scale (calibration.toml)
    dec = frames.monthly.filter((pl.col("year") == 2025) & (pl.col("month") == 12))
    coverage = (dec["rd_expense"] > 0).mean()
    assert 0.5 < coverage < 0.75  # the documented stand-in (≈ 60 %), not 100 %
    rdi = dec.join(frames.certifications.filter(pl.col("program") == "hte").select("enterprise_id").unique(),
                   on="enterprise_id", how="semi")
    assert (rdi["rd_expense"] > 0).all()  # every HTE does R&D
    adv = frames.certifications.filter((pl.col("program") == "advanced_service") & (pl.col("year") == 2025))
    assert adv.height > 0 and adv["issued_on"].dt.year().eq(2025).all()


def test_replicated_economy_for_national_scale(frames):
    """The 8× demo's construction (``replicate``): every table times over, keys and codes unique and valid,
    each copy's filings attached to its own enterprises, the ratios unchanged."""
    from xinzhi.demo.generator import replicate

    many = replicate(frames, 3)
    for name, frame in frames.items():
        expected = frame.height if name == "region_investment" else 3 * frame.height
        assert getattr(many, name).height == expected, name
    ent = many.enterprises
    assert ent["id"].n_unique() == ent.height and ent["uscc"].n_unique() == ent.height
    assert all(uscc.is_valid(code) for code in ent["uscc"])
    assert (ent["uscc"].map_elements(uscc.division_part, return_dtype=pl.String) == ent["division_code"]).all()
    assert many.projects["code"].n_unique() == many.projects.height
    assert many.monthly.join(ent, left_on="enterprise_id", right_on="id", how="anti").height == 0
    assert many.monthly.select("enterprise_id", "year", "month").n_unique() == many.monthly.height
    assert many.progress.join(many.projects, left_on="project_id", right_on="id", how="anti").height == 0
    assert many.monthly["value_added"].sum() == 3 * frames.monthly["value_added"].sum()
    assert many.region_investment["ytd_fixed_asset_investment"].sum() == (
        3 * frames.region_investment["ytd_fixed_asset_investment"].sum())
