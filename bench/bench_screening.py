"""Bulk screening of the register at the full demo size (~62,000 enterprises) and 8× that, and the
ratio to the same HTE rules written in OpenFisca, on the same packages in the same run.

Packages come from the demo generator (``xinzhi.cultivation.generate``) in memory — no database — and
are flattened once (``frame_from_json``); both engines start from those flat columns.

OpenFisca (AGPL) is installed only here, with ``pip install --target`` into a temporary directory; it is
never a runtime dependency. If it cannot be installed the script says so and prints our figures.

Like for like: the OpenFisca model (``OPENFISCA_MODEL`` below) encodes the whole HTE recognition — the
8 conditions of 国科发火〔2016〕32号 Art. 11 *including* the innovation-capability score of 195号 十
(IP quantity / acquisition / standards bonus grades, conversion grade, R&D-management items, the growth
formula 1/2 × (V2/V1 + V3/V2) − 1 with its grade table, the IP cap of 30, expert points clamped to the
grade, missing expert points at the grade minimum and "undetermined" when the pass mark depends on
them) — with the platform's own parameters in force on the assessment date. Checked against ours on
every row. Printed:

(a) HTE only, like for like: ``engine.run(programmes=("hte",))`` (the columns the lists read) vs the
    OpenFisca simulation;
(b) for information, our full screening of every programme (``register.screen_all``: HTE, tech-SME,
    advanced service, advanced-manufacturing list, R&D super deduction, VAT additional deduction, HTE
    income tax) with the columns the lists read.

Our timings: the engine keeps the expressions it builds with the parameter tree (per year, date and
programmes), so a repeated call with the same tree — the service's case, ``load_parameters()`` is parsed
once per process — skips building them ("warm"). "Cold" is a call with a tree it has not seen (a fresh
copy of the same parameters, as each what-if gets): expressions built, then run. Both are printed, best
of 3 (62,000) / 2 (496,000), and the like-for-like ratio is given for both.

Printed, not asserted. Run: ``.venv/bin/python bench/bench_screening.py``. Environment (optional):
``BENCH_SCREENING_OPENFISCA_DIR`` — a directory for the ``pip --target`` install of openfisca-core, kept
and reused between runs (default: a temporary directory, removed); ``BENCH_SCREENING_SKIP_ALL=1`` — skip
(b), our six-programme screening.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinzhi.settings")

from xinzhi.core import uscc  # noqa: E402
from xinzhi.cultivation.generate import generate_packages  # noqa: E402
from xinzhi.policy import engine  # noqa: E402
from xinzhi.policy.frame import EXPERT_KEYS, frame_from_json  # noqa: E402
from xinzhi.policy.params import jsonable, load_parameters  # noqa: E402
from xinzhi.policy.register import screen_all  # noqa: E402
from xinzhi.policy.variables import hte as hte_vars  # noqa: E402


def screen_frame(frame: pl.DataFrame, on: date, tree=None, programs: tuple[str, ...] = ("hte",)) -> pl.DataFrame:
    """The HTE columns the lists read, from the one engine (``engine.run``, HTE only, no benefit)."""
    return engine.run(frame, on.year, tree, on=on, programmes=programs, benefits=False, outputs=hte_vars.OUTPUTS)

FULL = 62_000


def firms(n: int, seed: int = 2025) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    rev = np.exp(rng.normal(np.log(8e7), 1.2, n)).astype(np.int64) + 20_000_000
    counties = np.array(["330106", "330212", "330302", "330402", "330502", "330602", "330702"])
    codes = [uscc.make("91", counties[i % len(counties)], f"{i:08d}0") for i in range(n)]
    return pl.DataFrame({
        "enterprise_id": np.arange(1, n + 1), "uscc": codes, "name": [f"企业{i}" for i in range(n)],
        "industry_code": rng.choice(["3562", "3973", "2521", "3411", "3841", "2710"], n),
        "registered_on": [date(2008, 3, 1)] * n, "year": [2025] * n, "revenue": rev,
        "rd_expense": (rev * rng.uniform(0.01, 0.07, n)).astype(np.int64), "employees": rev // 1_300_000 + 8,
        "high_tech": rng.random(n) < 0.4, "hte_issue": [date(2023, 12, 8) if x < 0.35 else None for x in rng.random(n)],
        "prev_revenue": (rev / 1.1).astype(np.int64), "prev_rd_expense": (rev / 1.1 * 0.03).astype(np.int64),
    })


OPENFISCA_MODEL = r'''
"""The HTE recognition rules (8 conditions + the innovation-capability score with the growth formula
and the grade tables) as an OpenFisca model — for the bench only (OpenFisca is AGPL; never imported by
the platform). Parameters: the platform's own, in force on the assessment date, injected as ``P``
(a JSON dict) by the bench. Money inputs in fen, float64 (OpenFisca's default float32 cannot hold
fen amounts exactly; float64 holds them exactly below 2**53).
"""
import datetime
import json
import os

import numpy as np
from openfisca_core.entities import build_entity
from openfisca_core.periods import DateUnit
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable, config

config.VALUE_TYPES[float]["dtype"] = np.float64

P = json.loads(os.environ["XZ_OF_PARAMS"])
Enterprise = build_entity(key="enterprise", plural="enterprises", label="企业", is_person=True)
YEAR = DateUnit.YEAR
MONEY = ["rd_personnel", "rd_direct", "rd_depr", "rd_amort", "rd_design", "rd_equip", "rd_other", "rd_ent_dom",
         "rd_ent_abr", "rd_in_china", "sales", "total_revenue", "high_tech_revenue", "net_assets",
         "sales_p1", "sales_p2", "na_p1", "na_p2", "rd_p1", "rd_p2", "rd_dom_p1", "rd_dom_p2"]
COUNTS = ["staff_total", "st_staff", "class1", "class1_own", "class2", "class2_own", "class2_used", "conv_sum",
          "conv_n", "data_year"]
EXPERT = ["ip_advancement", "ip_core_support", "ip_quantity", "ip_acquisition", "ip_standards_bonus", "conversion",
          "rd_org_rules", "rd_institution", "rd_conversion_rules", "rd_talent", "growth_net_assets", "growth_sales"]
FLAGS = ["has_in_china", "has_p1", "has_p2", "has_dom_p1", "has_dom_p2", "participated_standard", "has_incident"]
DATES = ["registration_date", "assessment_date", "last_hte_incident"]
STRINGS = ["hte_field"]


def _var(name, value_type, default=None):
    attrs = {"value_type": value_type, "entity": Enterprise, "definition_period": YEAR, "label": name}
    if default is not None:
        attrs["default_value"] = default
    return type(name, (Variable,), attrs)


def _ymd(d):
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
    return y, m, day


def _add_years(d, years):
    """date + years, 29 February → 28 February (as the platform's add_years)."""
    y, m, day = _ymd(d)
    day = np.where((m == 2) & (day == 29), 28, day)
    out = (y + years - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (m - 1)
    return out.astype("datetime64[D]") + (day - 1)


def _floor_scale(x, num, den):
    return np.floor_divide(x.astype(np.int64) * num, den)


def _frac(s):
    from fractions import Fraction
    f = Fraction(str(s))
    return f.numerator, f.denominator


def _tri(conds):
    """1 met, 0 failed, -1 undetermined, combined: any 0 → 0, any −1 → −1, else 1."""
    stack = np.vstack(conds)
    return np.where((stack == 0).any(axis=0), 0, np.where((stack == -1).any(axis=0), -1, 1))


def _pick(lo, hi, expert):
    fixed = lo == hi
    missing = ~fixed & (expert < 0)
    points = np.where(fixed | (expert < 0), lo, np.clip(expert, lo, hi))
    return points, np.where(missing, hi, points), missing


def _ip_band(class1, class2, bands, key):
    conds, vals = [], []
    for b in bands:
        if "class1_min" in b:
            conds.append(class1 >= b["class1_min"]); vals.append(b[key])
        elif "class2_min" in b:
            conds.append(class2 >= b["class2_min"]); vals.append(b[key])
    return np.select(conds, vals, bands[-1][key])


class hte_rd_now(Variable):
    value_type = float; entity = Enterprise; definition_period = YEAR
    label = "研究开发费用（高企口径）"

    def formula(e, period, parameters):
        base = sum(e(c, period) for c in ("rd_personnel", "rd_direct", "rd_depr", "rd_amort", "rd_design", "rd_equip"))
        n, d = _frac(P["hte.rd_entrusted_counted_share"])
        base = base + _floor_scale(e("rd_ent_dom", period) + e("rd_ent_abr", period), n, d)
        sn, sd = _frac(P["hte.rd_other_max_share"])
        cap = _floor_scale(base, sn, sd - sn)
        return base + np.minimum(e("rd_other", period), cap)


class hte_years_missing(Variable):
    value_type = int; entity = Enterprise; definition_period = YEAR

    def formula(e, period, parameters):
        reg_year = _ymd(e("registration_date", period))[0]
        operated = e("data_year", period) - reg_year + 1
        expected = np.maximum(1, np.minimum(P["hte.rd_years"], operated))
        have = 1 + e("has_p1", period).astype(int) + e("has_p2", period).astype(int)
        return np.maximum(0, expected - have)


def _growth_points(e, period, p2, p1, now, expert):
    """Points of a growth indicator: the 195号 growth formula, graded by the growth bands."""
    bands = P["hte.score.growth_bands"]
    has_a, has_b = e("has_p2", period), e("has_p1", period)
    a, b, c = e(p2, period), e(p1, period), e(now, period)
    three = has_a & has_b & (a != 0)
    x = np.where(has_b, b, a)
    two = ~three & (has_a | has_b)
    undetermined = (three & ((a < 0) | (b < 0))) | (two & (x < 0)) | (e("hte_years_missing", period) > 0)
    zero = (~three & ~two) | (three & (b == 0)) | (two & (x == 0))
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(three, (b / np.where(a == 0, 1, a) + c / np.where(b == 0, 1, b)) / 2 - 1,
                        c / np.where(x == 0, 1, x) - 1)
    conds, idx = [], []
    for i, band in enumerate(bands):
        if "min" in band:
            conds.append(rate >= float(band["min"])); idx.append(i)
        elif "above" in band:
            conds.append(rate > float(band["above"])); idx.append(i)
    index = np.where(zero, len(bands) - 1, np.select(conds, idx, len(bands) - 1))
    lo = np.array([bd["points_min"] for bd in bands])[index]
    hi = np.array([bd["points_max"] for bd in bands])[index]
    lo = np.where(undetermined, 0, lo)
    hi = np.where(undetermined, bands[0]["points_max"], hi)
    return _pick(lo, hi, e(f"expert_{expert}", period))


class hte_score_parts(Variable):
    """Innovation-capability score: points (row 0), best possible (row 1), complete (row 2) — packed."""
    value_type = int; entity = Enterprise; definition_period = YEAR

    def formula(e, period, parameters):
        class2_all, used = e("class2", period), np.minimum(e("class2_used", period), e("class2", period))
        class1, class2 = e("class1", period), class2_all - used
        own = (e("class1_own", period) + np.maximum(0, e("class2_own", period) - used)) > 0
        qb = P["hte.score.ip_quantity_bands"]
        ab = {b["own"]: b for b in P["hte.score.ip_acquisition_bands"]}
        has_ip = (class1 + class2) > 0
        a_lo = np.where(~has_ip, 0, np.where(own, ab[True]["points_min"], ab[False]["points_min"]))
        a_hi = np.where(~has_ip, 0, np.where(own, ab[True]["points_max"], ab[False]["points_max"]))
        part = e("participated_standard", period)
        cb = P["hte.score.conversion_bands"]
        reg_year = _ymd(e("registration_date", period))[0]
        n = np.maximum(1, np.minimum(P["hte.score.conversion_years"], e("data_year", period) - reg_year + 1))
        avg = e("conv_sum", period) / n  # a year not reported counts as 0
        c_index = np.select([avg >= float(b["min"]) for b in cb if "min" in b],
                            [i for i, b in enumerate(cb) if "min" in b], len(cb) - 1)
        mgmt = P["hte.score.rd_management_max"]
        ex = {k: e(f"expert_{k}", period) for k in EXPERT}
        zero = np.zeros_like(class1)
        items = {
            "ip_advancement": _pick(zero, zero + P["hte.score.ip_advancement_max"], ex["ip_advancement"]),
            "ip_core_support": _pick(zero, zero + P["hte.score.ip_core_support_max"], ex["ip_core_support"]),
            "ip_quantity": _pick(_ip_band(class1, class2, qb, "points_min"), _ip_band(class1, class2, qb, "points_max"),
                                 ex["ip_quantity"]),
            "ip_acquisition": _pick(a_lo, a_hi, ex["ip_acquisition"]),
            "ip_standards_bonus": _pick(np.where(part, 1, 0), np.where(part, P["hte.score.ip_standards_bonus_max"], 0),
                                        ex["ip_standards_bonus"]),
            "conversion": _pick(np.array([b["points_min"] for b in cb])[c_index],
                                np.array([b["points_max"] for b in cb])[c_index], ex["conversion"]),
            "rd_org_rules": _pick(zero, zero + mgmt["org_rules"], ex["rd_org_rules"]),
            "rd_institution": _pick(zero, zero + mgmt["institution"], ex["rd_institution"]),
            "rd_conversion_rules": _pick(zero, zero + mgmt["conversion_rules"], ex["rd_conversion_rules"]),
            "rd_talent": _pick(zero, zero + mgmt["talent"], ex["rd_talent"]),
            "growth_net_assets": _growth_points(e, period, "na_p2", "na_p1", "net_assets", "growth_net_assets"),
            "growth_sales": _growth_points(e, period, "sales_p2", "sales_p1", "sales", "growth_sales"),
        }
        ip_keys = ("ip_advancement", "ip_core_support", "ip_quantity", "ip_acquisition", "ip_standards_bonus")
        cap = P["hte.score.ip_cap"]
        total = np.minimum(cap, sum(items[k][0] for k in ip_keys)) + sum(v[0] for k, v in items.items() if k not in ip_keys)
        best = np.minimum(cap, sum(items[k][1] for k in ip_keys)) + sum(v[1] for k, v in items.items() if k not in ip_keys)
        complete = ~np.any(np.vstack([v[2] for v in items.values()]), axis=0)
        return total * 10_000 + best * 10 + complete.astype(int)


class hte_score(Variable):
    value_type = int; entity = Enterprise; definition_period = YEAR
    label = "创新能力评价得分（缺少的专家分按区间下限）"

    def formula(e, period, parameters):
        return e("hte_score_parts", period) // 10_000


class hte_innovation_score(Variable):
    value_type = int; entity = Enterprise; definition_period = YEAR

    def formula(e, period, parameters):
        packed = e("hte_score_parts", period)
        total, best, complete = packed // 10_000, (packed // 10) % 1000, (packed % 10) == 1
        need = P["hte.score.pass_min"]
        return np.where(total >= need, 1, np.where(complete | (best < need), 0, -1))


class hte_conditions(Variable):
    """The 8 conditions of 32号 Art. 11 combined (1 met / 0 failed / −1 undetermined)."""
    value_type = int; entity = Enterprise; definition_period = YEAR

    def formula(e, period, parameters):
        on = e("assessment_date", period)
        rd_now = e("hte_rd_now", period)
        sales = e("sales", period)
        rd_sum = rd_now + np.where(e("has_p1", period), e("rd_p1", period), 0) + np.where(e("has_p2", period), e("rd_p2", period), 0)
        sales_sum = sales + np.where(e("has_p1", period), e("sales_p1", period), 0) + np.where(e("has_p2", period), e("sales_p2", period), 0)
        tiers = P["hte.rd_ratio_scale"]
        tier = np.select([sales <= t["sales_up_to"] * 100 for t in tiers if "sales_up_to" in t],
                         [i for i, t in enumerate(tiers) if "sales_up_to" in t], len(tiers) - 1)
        num = np.array([_frac(t["min_ratio"])[0] for t in tiers])[tier]
        den = np.array([_frac(t["min_ratio"])[1] for t in tiers])[tier]
        rd_ok = (sales_sum > 0) & (rd_sum * den >= sales_sum * num)
        rd_ratio = np.where(e("hte_years_missing", period) > 0, -1, rd_ok.astype(int))
        sn, sd = _frac(P["hte.st_staff_min_share"])
        staff = e("staff_total", period)
        st = (staff > 0) & (e("st_staff", period).astype(np.int64) * sd >= staff.astype(np.int64) * sn)
        en, ed = _frac(P["hte.rd_entrusted_counted_share"])
        domestic = np.where(e("has_in_china", period), np.minimum(e("rd_in_china", period), rd_now),
                            rd_now - _floor_scale(e("rd_ent_abr", period), en, ed))
        has_p1, has_p2 = e("has_p1", period), e("has_p2", period)
        dom_sum = domestic + np.where(has_p1, e("rd_dom_p1", period), 0) + np.where(has_p2, e("rd_dom_p2", period), 0)
        dn, dd = _frac(P["hte.rd_domestic_min_share"])
        dom_ok = (rd_sum > 0) & (dom_sum * dd >= rd_sum * dn)
        dom_pending = (e("hte_years_missing", period) > 0) | (has_p1 & ~e("has_dom_p1", period)) \
            | (has_p2 & ~e("has_dom_p2", period))
        dom_state = np.where(dom_pending, -1, dom_ok.astype(int))
        hn, hd = _frac(P["hte.high_tech_revenue_min_share"])
        total_rev = e("total_revenue", period)
        ht_ok = (total_rev > 0) & (e("high_tech_revenue", period) * hd >= total_rev * hn)
        used = np.minimum(e("class2_used", period), e("class2", period))
        ip_ok = (e("class1", period) + e("class2", period) - used) >= P["hte.ip_min_count"]
        reg_ok = on >= _add_years(e("registration_date", period), P["hte.registration_min_years"])
        field = e("hte_field", period)
        field_state = np.where(field == "", -1, np.isin(field, P["hte.key_fields"]).astype(int))
        window_start = _add_years(on, -P["hte.incident_lookback_years"])
        no_incident = ~(e("has_incident", period) & (e("last_hte_incident", period) > window_start))
        return _tri([reg_ok.astype(int), ip_ok.astype(int), field_state, st.astype(int), rd_ratio,
                     dom_state, ht_ok.astype(int), e("hte_innovation_score", period),
                     no_incident.astype(int)])


class hte_eligible(Variable):
    value_type = int; entity = Enterprise; definition_period = YEAR
    label = "高新技术企业认定：1 符合 / 0 不符合 / −1 待专家评分或补充数据"

    def formula(e, period, parameters):
        return e("hte_conditions", period)


def system():
    tbs = TaxBenefitSystem([Enterprise])
    for name in MONEY:
        tbs.add_variable(_var(name, float))
    for name in COUNTS:
        tbs.add_variable(_var(name, int))
    for name in EXPERT:
        tbs.add_variable(_var(f"expert_{name}", int, -1))
    for name in FLAGS:
        tbs.add_variable(_var(name, bool))
    for name in DATES:
        tbs.add_variable(_var(name, datetime.date))
    for name in STRINGS:
        tbs.add_variable(_var(name, str))
    for v in (hte_rd_now, hte_years_missing, hte_score_parts, hte_score, hte_innovation_score, hte_conditions,
              hte_eligible):
        tbs.add_variable(v)
    return tbs
'''

MODEL_PARAMS = ("hte.rd_entrusted_counted_share", "hte.rd_other_max_share", "hte.rd_years", "hte.rd_ratio_scale",
                "hte.st_staff_min_share", "hte.rd_domestic_min_share", "hte.high_tech_revenue_min_share",
                "hte.ip_min_count", "hte.registration_min_years", "hte.key_fields", "hte.incident_lookback_years",
                "hte.score.growth_bands", "hte.score.ip_quantity_bands", "hte.score.ip_acquisition_bands",
                "hte.score.conversion_bands", "hte.score.rd_management_max", "hte.score.ip_advancement_max",
                "hte.score.ip_core_support_max", "hte.score.ip_standards_bonus_max", "hte.score.ip_cap",
                "hte.score.pass_min", "hte.score.conversion_years")


def openfisca_inputs(frame: pl.DataFrame) -> dict[str, np.ndarray]:
    """The flat columns as OpenFisca inputs (nulls → a flag and a neutral value); not timed, for either engine."""
    def money(c: str) -> np.ndarray:
        return frame[c].fill_null(0).cast(pl.Float64).to_numpy()

    def date_col(c: str) -> np.ndarray:
        return frame[c].fill_null(date(1970, 1, 1)).to_numpy().astype("datetime64[D]")

    money_cols = ["rd_personnel", "rd_direct", "rd_depr", "rd_amort", "rd_design", "rd_equip", "rd_other", "rd_ent_dom",
                  "rd_ent_abr", "rd_in_china", "sales", "total_revenue", "high_tech_revenue", "net_assets",
                  "sales_p1", "sales_p2", "na_p1", "na_p2", "rd_p1", "rd_p2", "rd_dom_p1", "rd_dom_p2"]
    out = {c: money(c) for c in money_cols}
    for c in ("staff_total", "st_staff", "class1", "class1_own", "class2", "class2_own", "class2_used", "conv_sum",
              "conv_n"):
        out[c] = frame[c].fill_null(0).cast(pl.Int32).to_numpy()
    out["data_year"] = frame["year"].cast(pl.Int32).to_numpy()
    for k in EXPERT_KEYS:
        out[f"expert_{k}"] = frame[f"expert_{k}"].fill_null(-1).cast(pl.Int32).to_numpy()
    out["has_in_china"] = frame["rd_in_china"].is_not_null().to_numpy()
    out["has_p1"] = frame["sales_p1"].is_not_null().to_numpy()
    out["has_p2"] = frame["sales_p2"].is_not_null().to_numpy()
    out["has_dom_p1"] = frame["rd_dom_p1"].is_not_null().to_numpy()
    out["has_dom_p2"] = frame["rd_dom_p2"].is_not_null().to_numpy()
    out["participated_standard"] = frame["participated_standard"].fill_null(False).to_numpy()
    out["has_incident"] = frame["last_hte_incident"].is_not_null().to_numpy()
    for c in ("registration_date", "assessment_date", "last_hte_incident"):
        out[c] = date_col(c)
    out["hte_field"] = frame["hte_field"].fill_null("").to_numpy().astype(object)
    return out


def load_model(target: Path, on: date):
    """Import the OpenFisca model (written next to the temporary site-packages) with our parameters of ``on``."""
    sys.path.insert(0, str(target))
    sys.path.insert(0, str(target.parent))
    (target.parent / "xz_of_model.py").write_text(OPENFISCA_MODEL, encoding="utf-8")
    view = load_parameters().at(on)
    os.environ["XZ_OF_PARAMS"] = json.dumps({name: jsonable(view(name)) for name in MODEL_PARAMS}, default=str)
    import xz_of_model  # noqa: PLC0415

    return xz_of_model


def openfisca_run(model, inputs: dict[str, np.ndarray], n: int) -> tuple[float, np.ndarray]:
    from openfisca_core.simulation_builder import SimulationBuilder  # noqa: PLC0415

    tbs = model.system()
    started = time.perf_counter()
    sim = SimulationBuilder().build_default_simulation(tbs, n)
    for name, values in inputs.items():
        sim.set_input(name, "2025", values)
    result = sim.calculate("hte_eligible", "2025")
    return time.perf_counter() - started, np.asarray(result)


def ours_tri(series: pl.Series) -> np.ndarray:
    return series.cast(pl.Int32).fill_null(-1).to_numpy()


def best_of(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - started)
    return best, out


def install_openfisca(target: Path) -> str | None:
    """``pip install --target`` openfisca-core (skipped when ``target`` already has it); the error, if any."""
    if (target / "openfisca_core").is_dir():
        return None
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--target", str(target),
                           "openfisca-core"], capture_output=True, text=True)
    if proc.returncode == 0:
        return None
    return proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "(no message)"


def main() -> None:
    started = time.perf_counter()
    generated = generate_packages(firms(FULL), 2025)
    t_gen = time.perf_counter() - started
    started = time.perf_counter()
    flat = frame_from_json(generated["data"])
    t_flat = time.perf_counter() - started
    print(f"packages generated: {FULL:,} in {t_gen:.2f}s; JSON → flat columns {t_flat:.2f}s")
    on = date(2025, 12, 31)
    skip_all = os.environ.get("BENCH_SCREENING_SKIP_ALL") == "1"
    frames = {mult: (pl.concat([flat] * mult, rechunk=True) if mult > 1 else flat) for mult in (1, 8)}
    tree = load_parameters()
    screen_frame(flat.head(100), on, programs=("hte",))  # warm-up (parameter load, Polars start-up)
    screen_all(flat.head(100), 2025, tree)
    ours_hte, ours_cold, ours_all, hte_out = {}, {}, {}, {}
    for mult, frame in frames.items():
        repeat = 3 if mult == 1 else 2
        # cold: a tree never seen (same parameters), so the expressions are built in the timed call
        ours_cold[mult], _ = best_of(lambda f=frame: screen_frame(f, on, tree.with_overrides({}), programs=("hte",)),
                                     repeat)
        ours_hte[mult], hte_out[mult] = best_of(lambda f=frame: screen_frame(f, on, tree, programs=("hte",)), repeat)
        print(f"ours  HTE only                {frame.height:>9,}: {ours_hte[mult]:6.3f}s warm, {ours_cold[mult]:6.3f}s "
              f"cold ({frame.height / ours_hte[mult]:,.0f}/s warm); eligible "
              f"{int(hte_out[mult]['hte.eligible'].fill_null(False).sum()):,}, "
              f"undetermined {int(hte_out[mult]['hte.eligible'].is_null().sum()):,}")
        if not skip_all:
            ours_all[mult], _ = best_of(lambda f=frame: screen_all(f, 2025, tree), repeat)
            print(f"ours  all six programmes      {frame.height:>9,}: {ours_all[mult]:6.3f}s "
                  f"({frame.height / ours_all[mult]:,.0f}/s)")
    keep = os.environ.get("BENCH_SCREENING_OPENFISCA_DIR")
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(keep) / "site" if keep else Path(tmp) / "site"
        error = install_openfisca(target)
        if error is not None:
            print("OpenFisca could NOT be installed (pip --target failed); our figures only:")
            print(error)
            return
        try:
            model = load_model(target, on)
            openfisca_run(model, openfisca_inputs(flat.head(100)), 100)  # warm-up
            for mult, frame in frames.items():
                inputs = openfisca_inputs(frame)
                runs = [openfisca_run(model, inputs, frame.height) for _ in range(3 if mult == 1 else 2)]
                t_of, of_elig = min(r[0] for r in runs), runs[-1][1]  # simulation time only (system built before)
                ours = ours_tri(hte_out[mult]["hte.eligible"])
                differ = int((ours != of_elig).sum())
                print(f"OpenFisca HTE (with score)    {frame.height:>9,}: {t_of:6.3f}s; eligibility agrees on "
                      f"{frame.height - differ:,}/{frame.height:,} rows")
                print(f"  (a) HTE only, like for like: OpenFisca / ours = {t_of / ours_hte[mult]:.2f}× warm, "
                      f"{t_of / ours_cold[mult]:.2f}× cold")
                if not skip_all:
                    print(f"  (b) ours all six programmes vs OpenFisca HTE only: OpenFisca / ours = "
                          f"{t_of / ours_all[mult]:.2f}× (information)")
        except Exception as exc:  # noqa: BLE001 — report and go on
            print(f"OpenFisca run failed: {type(exc).__name__}: {exc}")


if __name__ == "__main__":
    main()
