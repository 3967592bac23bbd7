"""Pure, vectorised generation of the deterministic Zhejiang demo dataset (no Django models here).

Inputs are plain values (:class:`Reference`: counties, industry classes, the high-tech class set; the
calibration targets from ``calibration.toml``); the output is a :class:`DemoFrames` of Polars frames
whose column names are the database column names. Same ``seed`` → identical frames.

Calibration sources: /work/shared/domain/statistics_calibration.md (§4.1 province figures, §4.2
the 省科技厅 Q1 2025 per-city R&D table, §4.3 suggested ranges). Method (documented in
docs/demo-data.md): firms get random sizes, industries and ratios; then, per city and year,

* high-tech value-added share: the size above the 20-million-yuan above-scale threshold of high-tech
  and of other firms is multiplied by two factors that keep the city's value added and hit the city's
  target share (city targets shifted together so the province figure is the province target);
* R&D expenses / revenue and new-product output / output: every firm's amount is multiplied by one
  city factor so the city hits its target (city spread from §4.2, level from §4.1);
* high-tech investment: each county's projects' completed investment is scaled to a county share of
  the county's fixed-asset investment.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from xinzhi.core import uscc

CALIBRATION_FILE = Path(__file__).with_name("calibration.toml")

#: above-scale threshold: annual revenue ≥ 20 million yuan (GLOSSARY: 规上工业企业)
ABOVE_SCALE_REVENUE = 20_000_000

SCALES = ("small", "full", "8x")
#: the national-scale demo (``8x``): the full economy this many times over (issue 20: ≈ 500,000 enterprises)
NATIONAL_TIMES = 8


def load_calibration(path: Path | None = None) -> dict[str, Any]:
    """Read the calibration targets (``calibration.toml``; sources cited in the file)."""
    with open(path or CALIBRATION_FILE, "rb") as fh:
        return tomllib.load(fh)


@dataclass(frozen=True)
class Reference:
    """Reference data the generator needs, as plain values (read from the DB by the loader).

    ``counties``: (code, name, city_code) for every county; ``cities``: city code → name;
    ``classes``: 4-digit manufacturing industry classes (divisions 13–43);
    ``high_tech``: classes in the default high-tech scheme.
    """

    counties: tuple[tuple[str, str, str], ...]
    cities: dict[str, str]
    classes: tuple[str, ...]
    high_tech: frozenset[str]


@dataclass
class DemoFrames:
    """The generated tables; columns are database column names, ids explicit where referenced."""

    enterprises: pl.DataFrame
    enterprise_years: pl.DataFrame
    monthly: pl.DataFrame
    projects: pl.DataFrame
    progress: pl.DataFrame
    region_investment: pl.DataFrame
    certifications: pl.DataFrame
    institutions: pl.DataFrame

    def items(self) -> list[tuple[str, pl.DataFrame]]:
        return [(f.name, getattr(self, f.name)) for f in fields(self)]

    def counts(self) -> dict[str, int]:
        return {name: frame.height for name, frame in self.items()}


def replicate(frames: DemoFrames, times: int) -> DemoFrames:
    """The same economy ``times`` over, for national-scale measurements: enterprise and project ids
    shifted, each copy's enterprises with their own valid credit codes (organisation body ``W<k>…``,
    which the generated digits-only bodies never are) and project codes (``…-<k>``); counties unchanged;
    the published regional investment totals ``times`` larger. Not calibrated: the ratios are the
    full demo's, the sizes of every region ``times`` larger."""
    step = int(frames.enterprises["id"].max()) + 1
    pstep = int(frames.projects["id"].max()) + 1

    def many(frame: pl.DataFrame, shift: Callable[[int], list[pl.Expr]]) -> pl.DataFrame:
        return pl.concat([frame] + [frame.with_columns(shift(k)) for k in range(1, times)])

    def enterprise_ids(k: int) -> list[pl.Expr]:
        return [pl.col("enterprise_id") + k * step]

    def credit_codes(k: int) -> list[pl.Expr]:
        codes = [uscc.make(code[:2], code[2:8], f"W{k}{i:06d}") for i, code in enumerate(frames.enterprises["uscc"])]
        return [pl.col("id") + k * step, pl.Series("uscc", codes)]

    return DemoFrames(
        enterprises=many(frames.enterprises, credit_codes),
        enterprise_years=many(frames.enterprise_years, enterprise_ids),
        # stored in arrival order, month by month, as a year of monthly imports leaves them
        monthly=many(frames.monthly, enterprise_ids).sort("year", "month", "enterprise_id"),
        projects=many(frames.projects, lambda k: [pl.col("id") + k * pstep, pl.col("enterprise_id") + k * step,
                                                  pl.col("code") + f"-{k}"]),
        progress=many(frames.progress, lambda k: [pl.col("project_id") + k * pstep]),
        region_investment=frames.region_investment.with_columns(pl.col("ytd_fixed_asset_investment") * times),
        certifications=many(frames.certifications, enterprise_ids),
        institutions=many(frames.institutions, enterprise_ids),
    )


# --------------------------------------------------------------------------------------------------
# helpers


def _gumbel_top_k(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """Indices of a weighted sample without replacement (Gumbel top-k), sorted."""
    k = int(min(max(k, 0), int((weights > 0).sum())))
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    keys = np.full(weights.shape, -np.inf)
    positive = weights > 0
    keys[positive] = np.log(weights[positive]) + rng.gumbel(size=int(positive.sum()))
    idx = np.argpartition(-keys, k - 1)[:k]
    return np.sort(idx)


def _allocate(weights: np.ndarray, total: int, minimum: int) -> np.ndarray:
    """Integer counts per bucket proportional to ``weights`` (largest remainder), each ≥ ``minimum``."""
    n = len(weights)
    rest = total - minimum * n
    if rest < 0:
        raise ValueError("total too small for the minimum per bucket")
    raw = weights / weights.sum() * rest
    counts = np.floor(raw).astype(np.int64)
    remainder = rest - counts.sum()
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[:remainder]] += 1
    return counts + minimum


def _logit(x: np.ndarray | float) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    return np.log(x / (1 - x))


def _expit(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def _shift_to_province(targets: np.ndarray, weights: np.ndarray, province: float) -> np.ndarray:
    """Shift city shares on the logit scale by one common amount so Σ w·s / Σ w = province."""
    lo, hi = -5.0, 5.0
    for _ in range(80):
        mid = (lo + hi) / 2
        value = float((_expit(_logit(targets) + mid) * weights).sum() / weights.sum())
        lo, hi = (mid, hi) if value < province else (lo, mid)
    return _expit(_logit(targets) + (lo + hi) / 2)


def _ytd(annual: np.ndarray, cum_share: np.ndarray) -> np.ndarray:
    """Year-to-date integers from annual totals and cumulative month shares (last column = 1).

    floor(annual × cumulative share) is non-decreasing in the month and ends exactly at ``annual``.
    """
    out = np.floor(annual[:, None] * cum_share).astype(np.int64)
    out[:, -1] = np.round(annual).astype(np.int64)
    return out


def _cum_shares(rng: np.random.Generator, weights: list[float], rows: int, noise: float) -> np.ndarray:
    base = np.asarray(weights, dtype=float)
    w = base[None, :] * np.exp(noise * rng.standard_normal((rows, len(base))))
    cum = np.cumsum(w, axis=1)
    return cum / cum[:, -1:]


def _short_place(name: str) -> str:
    for suffix in ("畲族自治县", "自治县", "区", "县", "市"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


# --------------------------------------------------------------------------------------------------
# generation


def generate(
    reference: Reference, scale: str = "small", seed: int = 2025, calibration: dict[str, Any] | None = None
) -> DemoFrames:
    """Generate every demo table for ``scale`` (``small`` ≈ 1,500 firms, ``full`` ≈ 58,000)."""
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}")
    if scale == "8x":
        return replicate(generate(reference, "full", seed, calibration), NATIONAL_TIMES)
    cal = calibration or load_calibration()
    rng = np.random.default_rng(seed)
    ent, years_info = _enterprises(reference, cal, scale, rng)
    firm_years = _firm_years(reference, cal, ent, years_info, rng)
    monthly = _monthly(cal, firm_years, rng)
    projects, progress, region = _investment(cal, scale, ent, years_info, rng)
    certs = _certifications(cal, scale, ent, firm_years, rng)
    institutions = _institutions(cal, scale, ent, firm_years, rng)
    enterprise_years = pl.DataFrame(
        {
            "enterprise_id": np.concatenate([ent["id"], ent["id"]]),
            "year": np.repeat(np.array([2024, 2025], dtype=np.int16), len(ent["id"])),
            "above_scale": np.concatenate([years_info["above"][2024], years_info["above"][2025]]),
        }
    )
    enterprises = pl.DataFrame(
        {
            "id": ent["id"],
            "uscc": ent["uscc"],
            "name": ent["name"],
            "division_code": ent["division_code"],
            "industry_code": ent["industry_code"],
            "registered_on": ent["registered_on"],
            "ownership": ent["ownership"],
            "is_listed": ent["is_listed"],
        }
    )
    return DemoFrames(
        enterprises=enterprises,
        enterprise_years=enterprise_years,
        monthly=monthly,
        projects=projects,
        progress=progress,
        region_investment=region,
        certifications=certs,
        institutions=institutions,
    )


def _enterprises(
    ref: Reference, cal: dict[str, Any], scale: str, rng: np.random.Generator
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Register rows, sizes and above-scale membership for 2024 and 2025."""
    sc = cal["scale"][scale]
    n24, n25 = int(sc["above_scale_2024"]), int(sc["above_scale_2025"])
    n_leave = round(n24 * float(sc["leave_rate"]))
    n_enter = n25 - (n24 - n_leave)
    n = n24 + n_enter

    counties = sorted(ref.counties)
    county_codes = np.array([c[0] for c in counties])
    county_city = np.array([c[2] for c in counties])
    cw_cfg = cal["county_weights"]
    default_w = float(np.mean(list(cw_cfg.values())))
    cweights = np.array([float(cw_cfg.get(code, default_w)) for code in county_codes])
    counts = _allocate(cweights, n, minimum=3 if scale == "small" else 10)
    county_idx = np.repeat(np.arange(len(counties)), counts)
    rng.shuffle(county_idx)

    # industry class per firm, from a county-specific mix (division weights × county specialties)
    classes = np.array(sorted(ref.classes))
    divisions = np.array([c[:2] for c in classes])
    div_cfg = cal["industry"]["divisions"]
    div_weight = np.array([float(div_cfg.get(d, {"weight": 0.3})["weight"]) for d in divisions])
    div_size = np.array([float(div_cfg.get(d, {"size": 1.0})["size"]) for d in divisions])
    per_div = {d: int((divisions == d).sum()) for d in set(divisions.tolist())}
    base_p = div_weight / np.array([per_div[d] for d in divisions])
    all_divs = sorted(per_div)
    specialties = cal.get("county_specialties", {})
    class_idx = np.empty(n, dtype=np.int64)
    for ci, code in enumerate(county_codes):
        spec = specialties.get(code) or list(rng.choice(all_divs, size=2, replace=False))
        p = base_p * np.where(np.isin(divisions, spec), 4.0, 1.0)
        members = np.flatnonzero(county_idx == ci)
        class_idx[members] = rng.choice(len(classes), size=len(members), p=p / p.sum())
    industry_code = classes[class_idx]
    high_tech = np.isin(industry_code, np.array(sorted(ref.high_tech)))

    # city size multiplier: the §4.2 table's implied revenue share ÷ the city's share of firms
    city_cfg = {c["code"]: c for c in cal["city"]}
    city_codes = np.array(sorted(city_cfg))
    firm_city = county_city[county_idx]
    implied_rev = np.array([city_cfg[c]["rd_q1_2025"] / city_cfg[c]["rd_intensity_q1_2025"] for c in city_codes])
    count_share = np.array([(firm_city == c).mean() for c in city_codes])
    city_mult = (implied_rev / implied_rev.sum()) / np.maximum(count_share, 1e-9)
    firm_city_idx = np.searchsorted(city_codes, firm_city)

    # size above the threshold (yuan): log-normal (estimate: median 55 M, σ 1.35)
    excess24 = (
        55e6 * div_size[class_idx] * city_mult[firm_city_idx] * np.where(high_tech, 1.3, 1.0)
        * np.exp(1.35 * rng.standard_normal(n))
    )
    in24 = np.zeros(n, dtype=bool)
    in24[:n24] = True
    # entrants: near the threshold
    excess24[n24:] = 0.0
    growth = float(cal["province"]["growth_2025"])
    sigma_g = 0.15
    g = np.exp(math.log(1 + growth + 0.012) - sigma_g**2 / 2 + sigma_g * rng.standard_normal(n))
    excess25 = excess24 * g
    excess25[n24:] = 14e6 * city_mult[firm_city_idx[n24:]] ** 0.5 * np.exp(0.8 * rng.standard_normal(n_enter))
    # leavers: mostly small firms
    leave_w = np.exp(-excess24[:n24] / 40e6)
    leavers = _gumbel_top_k(rng, leave_w, n_leave)
    in25 = np.ones(n, dtype=bool)
    in25[leavers] = False
    # firms above scale in only one year: shuffle entrants among ids so ids don't reveal churn
    perm = rng.permutation(n)

    def p(a: np.ndarray) -> np.ndarray:
        return a[perm]

    county_idx, class_idx, industry_code, high_tech = p(county_idx), p(class_idx), p(industry_code), p(high_tech)
    firm_city_idx, excess24, excess25, in24, in25 = p(firm_city_idx), p(excess24), p(excess25), p(in24), p(in25)
    excess24 = np.where(in24, excess24, 0.0)
    excess25 = np.where(in25, excess25, 0.0)

    ids = np.arange(1, n + 1, dtype=np.int64)
    division_code = county_codes[county_idx]

    # names: {place}{2-char brand}{industry word}{suffix}有限公司, unique
    names = _names(ref, cal, rng, county_idx, counties, class_idx, divisions)
    # USCC: 91 + county code + 8-digit organisation body (affine bijection → unique) + checks
    offset = int(rng.integers(0, 10**8))
    bodies = (np.arange(n, dtype=np.int64) * 7_368_787 + offset) % 10**8
    codes = [uscc.make("91", dc, f"{b:08d}0") for dc, b in zip(division_code.tolist(), bodies.tolist(), strict=True)]

    # registration date (estimate): 1985–2023, entrants skew recent
    start = dt.date(1985, 1, 1).toordinal()
    span = dt.date(2023, 12, 31).toordinal() - start
    frac = np.where(in24, rng.beta(2.2, 1.6, n), rng.beta(4.0, 1.0, n))
    reg_days = (start + frac * span).astype(np.int64) - dt.date(1970, 1, 1).toordinal()
    registered_on = pl.Series(reg_days, dtype=pl.Int32).cast(pl.Date)
    ownership = rng.choice(
        np.array(["private", "foreign", "hmt", "state", "collective", "other"]),
        size=n, p=[0.85, 0.05, 0.04, 0.03, 0.01, 0.02],
    )
    size_rank = np.maximum(excess24, excess25)
    listed = (size_rank >= np.quantile(size_rank, 0.975)) & (rng.random(n) < 0.5)

    ent = {
        "id": ids,
        "uscc": codes,
        "name": names,
        "division_code": division_code,
        "city_code": city_codes[firm_city_idx],
        "city_idx": firm_city_idx,
        "industry_code": industry_code,
        "high_tech": high_tech,
        "registered_on": registered_on,
        "ownership": ownership,
        "is_listed": listed,
    }
    info = {
        "above": {2024: in24, 2025: in25},
        "excess": {2024: excess24, 2025: excess25},
        "city_codes": city_codes,
        "county_codes": county_codes,
        "county_weights": cweights,
    }
    return ent, info


def _names(
    ref: Reference,
    cal: dict[str, Any],
    rng: np.random.Generator,
    county_idx: np.ndarray,
    counties: list[tuple[str, str, str]],
    class_idx: np.ndarray,
    divisions: np.ndarray,
) -> list[str]:
    """Unique Chinese company names (vectorised with Polars; duplicates re-drawn)."""
    n = len(county_idx)
    chars = np.array(list(dict.fromkeys(cal["names"]["brand_chars"])))
    county_place = np.array([_short_place(c[1]) for c in counties])
    city_place = np.array(
        [next(c["short"] for c in cal["city"] if c["code"] == county[2]) for county in counties]
    )
    place = np.where(rng.random(n) < 0.55, county_place[county_idx], city_place[county_idx])
    div_cfg = cal["industry"]["divisions"]
    firm_div = divisions[class_idx]
    word = np.empty(n, dtype=object)
    for d in np.unique(firm_div):
        members = np.flatnonzero(firm_div == d)
        words = np.array(div_cfg.get(d, {"words": ["制品"]})["words"])
        word[members] = words[rng.integers(0, len(words), len(members))]
    suffixes = np.array(cal["names"]["suffixes"])
    sw = np.array(cal["names"]["suffix_weights"], dtype=float)
    suffix = suffixes[rng.choice(len(suffixes), size=n, p=sw / sw.sum())]
    frame = pl.DataFrame({"place": place, "word": word.astype(str), "suffix": suffix})
    def draw(m: int, length: int) -> np.ndarray:
        out = chars[rng.integers(0, len(chars), m)].astype(object)
        for _ in range(length - 1):
            out = out + chars[rng.integers(0, len(chars), m)].astype(object)
        return out

    brand = draw(n, 2)
    for attempt in range(50):
        named = frame.with_columns(brand=pl.Series(brand.astype(str))).select(
            pl.concat_str(["place", "brand", "word", "suffix", pl.lit("有限公司")]).alias("name")
        )["name"]
        dup = (named.is_duplicated() & ~named.is_first_distinct()).to_numpy()
        if not dup.any():
            return named.to_list()
        idx = np.flatnonzero(dup)
        brand[idx] = draw(len(idx), 2 if attempt < 5 else 3)
    raise RuntimeError("could not make unique names")  # pragma: no cover


def _side_rng(rng: np.random.Generator, key: int) -> np.random.Generator:
    """A generator derived from ``rng``'s seed without drawing from ``rng`` (other draws keep their values)."""
    seed = rng.bit_generator.seed_seq
    return np.random.default_rng([*np.atleast_1d(seed.entropy).tolist(), 7919, key])


def _firm_years(
    ref: Reference, cal: dict[str, Any], ent: dict[str, Any], info: dict[str, Any], rng: np.random.Generator
) -> pl.DataFrame:
    """Annual figures per above-scale firm-year, calibrated per city (see module docstring)."""
    prov = cal["province"]
    city_codes = info["city_codes"]
    city_cfg = {c["code"]: c for c in cal["city"]}
    n = len(ent["id"])
    # persistent firm traits
    rho = np.exp(np.where(ent["high_tech"], math.log(0.035), math.log(0.014)) + 0.5 * rng.standard_normal(n))
    # R&D activity: not every above-scale firm does R&D ([rd_activity], a documented stand-in); bigger firms
    # and high-tech firms more often. The firms that do carry the city's calibrated R&D intensity.
    act = cal["rd_activity"]
    size = np.maximum(info["excess"][2024], info["excess"][2025]) + 1e6
    p_rd = np.where(ent["high_tech"], float(act["share_high_tech"]), float(act["share_other"]))
    p_rd = np.clip(p_rd * (size / np.median(size)) ** float(act["size_elasticity"]), 0.02, 0.98)
    does_rd = _side_rng(rng, 1).random(n) < p_rd  # its own stream: the other draws stay as they were
    rho = np.where(does_rd, rho, 0.0)
    has_np = rng.random(n) < np.where(ent["high_tech"], 0.75, 0.45)
    np_rate = np.where(has_np, np.where(ent["high_tech"], rng.beta(3, 3, n), rng.beta(2, 3, n)), 0.0)
    productivity = np.exp(math.log(1.3e6) + 0.4 * rng.standard_normal(n))
    emp24 = None
    parts = []
    for year in (2024, 2025):
        above = info["above"][year]
        idx = np.flatnonzero(above)
        m = len(idx)
        excess = info["excess"][year][idx].copy()
        floor = ABOVE_SCALE_REVENUE + 1e6 * rng.random(m)  # a little above the threshold
        u = rng.uniform(0.95, 1.05, m)  # revenue / output
        v = rng.uniform(0.19, 0.26, m) + np.where(ent["high_tech"][idx], 0.01, 0.0)  # VA / output
        w = v / u  # VA / revenue
        ht = ent["high_tech"][idx]
        cidx = ent["city_idx"][idx]
        k = len(city_codes)
        # --- high-tech VA share per city: scale the excess of HT and other firms (keep the city VA)
        va0 = (floor + excess) * w
        totals = np.bincount(cidx, weights=va0, minlength=k)
        base_targets = np.array([city_cfg[c]["high_tech_va_share_2025"] for c in city_codes])
        if year == 2024:
            base_targets = base_targets - float(cal["city_targets_2024"]["high_tech_va_share_delta"])
        s = _shift_to_province(base_targets, totals, float(prov["high_tech_va_share"][str(year)]))
        fw = floor * w
        ew = excess * w
        htf = np.bincount(cidx, weights=fw * ht, minlength=k)
        hte = np.bincount(cidx, weights=ew * ht, minlength=k)
        nf = np.bincount(cidx, weights=fw * ~ht, minlength=k)
        ne = np.bincount(cidx, weights=ew * ~ht, minlength=k)
        with np.errstate(divide="ignore", invalid="ignore"):
            a = np.where(hte > 0, (s * totals - htf) / hte, 1.0)
            b = np.where(ne > 0, ((1 - s) * totals - nf) / ne, 1.0)
        a, b = np.clip(a, 0.05, 20), np.clip(b, 0.05, 20)
        excess = excess * np.where(ht, a[cidx], b[cidx])
        revenue = floor + excess
        output = revenue / u
        value_added = output * v
        # --- R&D / revenue: city spread of §4.2 scaled to the province level
        tbl = np.array([city_cfg[c]["rd_intensity_q1_2025"] / 100 for c in city_codes])
        rev_c = np.bincount(cidx, weights=revenue, minlength=k)
        target_rd = tbl * float(prov["rd_intensity"][str(year)]) * rev_c.sum() / (tbl * rev_c).sum()
        rd = revenue * rho[idx] * np.exp(0.1 * rng.standard_normal(m))
        rd_c = np.bincount(cidx, weights=rd, minlength=k)
        rd = rd * (target_rd * rev_c / np.maximum(rd_c, 1))[cidx]
        # --- new-product output / output: city targets scaled to the province figure, capped at 95 %
        npt = np.array([city_cfg[c]["new_product_rate_2025"] for c in city_codes])
        if year == 2024:
            npt = npt - float(cal["city_targets_2024"]["new_product_rate_delta"])
        out_c = np.bincount(cidx, weights=output, minlength=k)
        npt = npt * float(prov["new_product_rate"][str(year)]) * out_c.sum() / (npt * out_c).sum()
        npo = output * np.clip(np_rate[idx] * np.exp(0.1 * rng.standard_normal(m)), 0, 0.95)
        for _ in range(4):
            np_c = np.bincount(cidx, weights=npo, minlength=k)
            npo = np.minimum(npo * (npt * out_c / np.maximum(np_c, 1))[cidx], 0.95 * output)
        # where the 95 % cap binds, spread the city's shortfall over the headroom of its firms
        short = npt * out_c - np.bincount(cidx, weights=npo, minlength=k)
        room = 0.95 * output - npo
        room_c = np.bincount(cidx, weights=room, minlength=k)
        npo = npo + room * np.clip(short / np.maximum(room_c, 1), 0, 1)[cidx]
        # --- employees (stock): revenue / labour productivity
        emp = np.maximum(8, revenue / productivity[idx]) * np.exp(0.05 * rng.standard_normal(m))
        if year == 2025 and emp24 is not None:
            prev = emp24[idx]
            emp = np.where(prev > 0, prev * (revenue / np.maximum(1, prev * productivity[idx])) ** 0.3, emp)
            emp = np.maximum(8, emp)
        emp_full = np.zeros(n)
        emp_full[idx] = emp
        emp24 = emp_full if year == 2024 else emp24
        parts.append(
            pl.DataFrame(
                {
                    "enterprise_id": ent["id"][idx],
                    "division_code": ent["division_code"][idx],
                    "year": np.full(m, year, dtype=np.int16),
                    "output_value": output,
                    "value_added": value_added,
                    "revenue": revenue,
                    "rd_expense": rd,
                    "new_product_output": npo,
                    "employees": emp,
                }
            )
        )
    return pl.concat(parts)


AMOUNTS = ("output_value", "value_added", "revenue", "rd_expense", "new_product_output")


def _monthly(cal: dict[str, Any], fy: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Year-to-date monthly rows (1–N月累计) for every above-scale firm-year, months 1–12."""
    rows = fy.height
    weights = cal["province"]["month_weights"]
    cum = _cum_shares(rng, weights, rows, 0.08)
    cum_rd = _cum_shares(rng, weights, rows, 0.12)
    cols: dict[str, Any] = {
        "enterprise_id": np.repeat(fy["enterprise_id"].to_numpy(), 12),
        "division_code": np.repeat(fy["division_code"].to_numpy(), 12),
        "year": np.repeat(fy["year"].to_numpy(), 12),
        "month": np.tile(np.arange(1, 13, dtype=np.int16), rows),
    }
    for name in AMOUNTS:
        cols[name] = _ytd(fy[name].to_numpy(), cum_rd if name == "rd_expense" else cum).ravel()
    season = np.array([0.0, -0.03, 0.0, 0.0, 0.0, 0.005, 0.0, 0.0, 0.005, 0.0, 0.0, 0.0])
    emp = fy["employees"].to_numpy()[:, None] * (1 + season[None, :] + 0.01 * rng.standard_normal((rows, 12)))
    cols["employees"] = np.maximum(1, np.round(emp)).astype(np.int32).ravel()
    frame = pl.DataFrame(cols)
    return frame.with_columns(is_revision=pl.lit(False)).select(
        "enterprise_id", "division_code", "year", "month", *AMOUNTS, "employees", "is_revision"
    )


def _investment(
    cal: dict[str, Any],
    scale: str,
    ent: dict[str, Any],
    info: dict[str, Any],
    rng: np.random.Generator,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Projects (high-tech and other), their monthly YTD progress, and county FAI (YTD)."""
    sc = cal["scale"][scale]
    prov = cal["province"]
    n_ht, n_other = int(sc["high_tech_projects"]), int(sc["other_projects"])
    n = n_ht + n_other
    is_ht = np.arange(n) < n_ht
    size = np.maximum(info["excess"][2024], info["excess"][2025]) + ABOVE_SCALE_REVENUE
    ht_firms = np.flatnonzero(ent["high_tech"])
    other_firms = np.flatnonzero(~ent["high_tech"])
    w_ht = size[ht_firms] ** 0.6
    w_ot = size[other_firms] ** 0.6
    # one "anchor" high-tech project per county (running 2023–2025) so every county has some
    county_codes = info["county_codes"]
    nc = len(county_codes)
    anchors = np.empty(nc, dtype=np.int64)
    for ci, code in enumerate(county_codes):
        here = np.flatnonzero(ent["division_code"] == code)
        here_ht = here[ent["high_tech"][here]]
        pool = here_ht if len(here_ht) else here
        anchors[ci] = pool[np.argmax(size[pool] * rng.random(len(pool)))]
    n_anchor = min(nc, n_ht)
    firm = np.concatenate(
        [
            anchors[:n_anchor],
            ht_firms[rng.choice(len(ht_firms), n_ht - n_anchor, p=w_ht / w_ht.sum())],
            other_firms[rng.choice(len(other_firms), n_other, p=w_ot / w_ot.sum())],
        ]
    )
    linked = rng.random(n) < 0.85
    county = ent["division_code"][firm]
    industry = ent["industry_code"][firm]
    # timing: month index t = (year − 2022)·12 + month − 1
    start_year = rng.choice(np.array([2022, 2023, 2024, 2025, 2026]), n, p=[0.12, 0.22, 0.3, 0.3, 0.06])
    start_t = (start_year - 2022) * 12 + rng.integers(0, 12, n)
    duration = rng.integers(8, 37, n)
    end_t = start_t + duration - 1
    reserve = rng.random(n) < 0.05
    anchor = np.arange(n) < n_anchor
    start_year[anchor], start_t[anchor] = 2023, rng.integers(12, 24, n_anchor)
    duration[anchor] = rng.integers(30, 48, n_anchor)
    end_t = start_t + duration - 1
    reserve[anchor] = False
    planned = np.exp(np.log(np.where(is_ht, 1.6e8, 1.2e8)) + 1.0 * rng.standard_normal(n))
    stage = np.where(
        reserve, "reserve",
        np.where(start_t > 47, "registered", np.where(end_t <= 47, "completed", "construction")),
    )
    active = ~reserve & (start_t <= 47)
    # progress rows: for each active project, months from max(start, 2024-01) to December of the last year
    first_t = np.maximum(start_t, 24)
    last_t = np.minimum(((end_t // 12) + 1) * 12 - 1, 47)
    has_rows = active & (last_t >= first_t) & (end_t >= 24)
    pidx = np.flatnonzero(has_rows)
    lengths = last_t[pidx] - first_t[pidx] + 1
    row_p = np.repeat(pidx, lengths)
    row_t = np.repeat(first_t[pidx], lengths) + (np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths))
    monthly_spend = planned[row_p] / duration[row_p] * np.exp(0.25 * rng.standard_normal(len(row_p)))
    monthly_spend = np.where(row_t <= end_t[row_p], monthly_spend, 0.0)
    row_year = 2022 + row_t // 12
    prog = pl.DataFrame(
        {"p": row_p, "t": row_t, "year": row_year, "spend": monthly_spend, "county": county[row_p], "ht": is_ht[row_p]}
    ).with_columns(ytd=pl.col("spend").cum_sum().over(["p", "year"]))

    # county FAI and the high-tech share target per county-year (estimates around §4.1's 18.4 %)
    n24 = int(info["above"][2024].sum())
    cw = info["county_weights"] ** 0.8
    fai24 = float(prov["fixed_asset_investment_per_firm"]) * n24 * cw / cw.sum() * np.exp(0.25 * rng.standard_normal(nc))
    g_fai = float(prov["fixed_asset_investment_growth_2025"])
    g_ht = float(prov["high_tech_investment_growth_2025"])
    fai25 = fai24 * (1 + g_fai + 0.04 * rng.standard_normal(nc))
    s24 = np.clip(float(prov["high_tech_investment_share_2024"]) * np.exp(0.2 * rng.standard_normal(nc)), 0.06, 0.35)
    s25 = np.clip(s24 * (1 + g_ht) / (1 + g_fai) * np.exp(0.06 * rng.standard_normal(nc)), 0.06, 0.4)
    targets = pl.DataFrame(
        {
            "county": np.concatenate([county_codes, county_codes]),
            "year": np.repeat(np.array([2024, 2025]), nc),
            "target": np.concatenate([s24 * fai24, s25 * fai25]),
        }
    )
    annual_ht = (
        prog.filter(pl.col("ht")).group_by(["county", "year"]).agg(actual=pl.col("spend").sum())
    )
    factors = targets.join(annual_ht, on=["county", "year"], how="inner").with_columns(
        k=pl.col("target") / pl.col("actual")
    )
    prog = prog.join(factors.select("county", "year", "k"), on=["county", "year"], how="left").with_columns(
        ytd=(pl.col("ytd") * pl.when(pl.col("ht")).then(pl.col("k").fill_null(1.0)).otherwise(1.0)).floor()
        .cast(pl.Int64),
        spend=pl.col("spend") * pl.when(pl.col("ht")).then(pl.col("k").fill_null(1.0)).otherwise(1.0),
    ).sort(["p", "t"])
    spent = prog.group_by("p").agg(pl.col("spend").sum()).sort("p")
    spent_total = np.zeros(n)
    spent_total[spent["p"].to_numpy()] = spent["spend"].to_numpy()
    # pre-2024 spend of projects started earlier (unscaled estimate) + what the rows say
    pre = np.clip(np.minimum(end_t, 23) - start_t + 1, 0, None) * planned / duration
    planned_total = np.round(np.maximum(planned, (pre + spent_total) * np.where(stage == "completed", 1.0, 1.15)))

    ids = np.arange(1, n + 1, dtype=np.int64)
    serial = rng.permutation(n) + 1 + int(rng.integers(0, 500))
    code_year = np.where(reserve | (start_t > 47), 2025, np.minimum(start_year, 2025) - rng.integers(0, 2, n))
    codes = [
        f"{y}-{c}-{i[:2]}-{'03' if h else '02'}-{s:06d}"
        for y, c, i, h, s in zip(code_year.tolist(), county.tolist(), industry.tolist(), is_ht.tolist(), serial.tolist(), strict=True)
    ]
    templates = np.array(cal["names"]["project_templates"])
    short = pl.Series(ent["name"]).str.replace("有限公司$", "").str.replace("(股份|集团)$", "").to_numpy()[firm]
    pname = np.char.add(short.astype(str), templates[rng.integers(0, len(templates), n)])
    projects = pl.DataFrame(
        {
            "id": ids,
            "code": codes,
            "name": pname,
            "division_code": county,
            "industry_code": industry,
            "enterprise_id": pl.Series(np.where(linked, ent["id"][firm], 0)).replace(0, None),
            "is_high_tech": is_ht,
            "planned_total": planned_total.astype(np.int64),
            "stage": stage,
            "start_year": pl.Series(np.where(reserve, 0, start_year)).replace(0, None).cast(pl.Int16),
        }
    )
    progress = prog.select(
        project_id=pl.col("p") + 1,
        year=pl.col("year").cast(pl.Int16),
        month=(pl.col("t") % 12 + 1).cast(pl.Int16),
        ytd_completed=pl.col("ytd"),
        is_revision=pl.lit(False),
    )
    progress = _reporting_gaps(progress, ids[(stage == "construction") & ~is_ht], 12 if scale == "full" else 6)

    # county FAI, YTD by month; a few counties do not report at all
    missing = rng.choice(nc, 3 if scale == "full" else 2, replace=False)
    reporting = np.setdiff1d(np.arange(nc), missing)
    inv_w = cal["province"]["investment_month_weights"]
    parts = []
    for year, fai in ((2024, fai24), (2025, fai25)):
        cum = _cum_shares(rng, inv_w, len(reporting), 0.1)
        ytd = _ytd(fai[reporting], cum)
        parts.append(
            pl.DataFrame(
                {
                    "division_code": np.repeat(county_codes[reporting], 12),
                    "year": np.full(len(reporting) * 12, year, dtype=np.int16),
                    "month": np.tile(np.arange(1, 13, dtype=np.int16), len(reporting)),
                    "ytd_fixed_asset_investment": ytd.ravel(),
                }
            )
        )
    region = pl.concat(parts).with_columns(is_revision=pl.lit(False))
    return projects, progress, region


def _certifications(
    cal: dict[str, Any], scale: str, ent: dict[str, Any], fy: pl.DataFrame, rng: np.random.Generator
) -> pl.DataFrame:
    """HTE (3-year certificates 2022–2025), tech-SME (yearly 2024/2025), a few advanced-service."""
    n = len(ent["id"])
    ids = ent["id"]
    last = fy.group_by("enterprise_id").agg(
        pl.col("revenue").max(), pl.col("employees").max(), (pl.col("rd_expense").sum() / pl.col("revenue").sum()).alias("rdi")
    ).sort("enterprise_id")
    revenue = np.zeros(n)
    employees = np.zeros(n)
    rdi = np.zeros(n)
    pos = last["enterprise_id"].to_numpy() - 1
    revenue[pos], employees[pos], rdi[pos] = last["revenue"], last["employees"], last["rdi"]
    # HTE: ≈ 35 % of the register, favouring high-tech industries and R&D-intensive firms
    # an HTE does R&D (32号 第十一条第（五）项): only firms with R&D expense are candidates
    w = np.where(ent["high_tech"], 2.2, 0.8) * np.sqrt(rdi / 0.02 + 0.1) * (revenue / 1e8) ** 0.2 * (rdi > 0)
    hte = _gumbel_top_k(rng, w, round(0.35 * n))
    year = rng.choice(np.array([2022, 2023, 2024, 2025]), len(hte), p=[0.24, 0.26, 0.27, 0.23])
    renew = (year == 2022) & (rng.random(len(hte)) < 0.65)
    hte_firm = np.concatenate([hte, hte[renew]])
    hte_year = np.concatenate([year, np.full(int(renew.sum()), 2025)])
    issue = {2022: dt.date(2022, 12, 24), 2023: dt.date(2023, 12, 8), 2024: dt.date(2024, 12, 6), 2025: dt.date(2025, 11, 28)}
    frames = [
        _cert_frame(
            ids[hte_firm], "hte", hte_year,
            lambda y, s: f"GR{y}33{s:06d}", rng,
            issued={y: issue[y] for y in issue},
            expires={y: issue[y].replace(year=y + 3) - dt.timedelta(days=1) for y in issue},
        )
    ]
    # tech-SME: smaller firms (revenue < 2 亿, < 500 employees), evaluated each year
    small = np.flatnonzero((revenue > 0) & (revenue < 2e8) & (employees < 500) & (rdi > 0))
    # estimates: ≈ 45 % of small R&D firms registered in 2024, 85 % of them again in 2025, 20 % of the others
    in24 = rng.random(len(small)) < 0.45
    in25 = np.where(in24, rng.random(len(small)) < 0.85, rng.random(len(small)) < 0.2)
    for year, mask in ((2024, in24), (2025, in25)):
        firms = small[mask]
        frames.append(
            _cert_frame(
                ids[firms], "tech_sme", np.full(len(firms), year),
                None, rng,
                issued={year: dt.date(year, 6, 30)}, expires={year: dt.date(year, 12, 31)},
                numbers=[f"{year}{c}{s:06d}" for s, c in enumerate(ent["division_code"][firms].tolist(), start=1)],
            )
        )
    k = int(cal["scale"][scale]["advanced_service"])
    adv = _gumbel_top_k(rng, np.where(ent["high_tech"], 1.0, 0.3) * (rdi > 0), k)
    # recognised once a year (October); some in 2025 too, so the 2025 target has recognitions to count
    years_p = cal["advanced_service_years"]
    adv_year = _side_rng(rng, 2).choice(np.array([int(y) for y in years_p]), len(adv),
                                        p=[float(v) for v in years_p.values()])
    frames.append(
        _cert_frame(
            ids[adv], "advanced_service", adv_year, lambda y, s: f"TS{y}33{s:04d}", rng,
            issued={2023: dt.date(2023, 10, 16), 2024: dt.date(2024, 10, 18), 2025: dt.date(2025, 10, 20)},
            expires={2023: dt.date(2026, 10, 15), 2024: dt.date(2027, 10, 17), 2025: dt.date(2028, 10, 19)},
        )
    )
    return pl.concat(frames).sort(["program", "year", "enterprise_id"])


def _cert_frame(
    enterprise_ids: np.ndarray,
    program: str,
    years: np.ndarray,
    number: Callable[[int, int], str] | None,
    rng: np.random.Generator,
    issued: dict[int, dt.date],
    expires: dict[int, dt.date],
    numbers: list[str] | None = None,
) -> pl.DataFrame:
    m = len(enterprise_ids)
    if numbers is None:
        numbers = [""] * m
        for y in np.unique(years).tolist():
            members = np.flatnonzero(years == y)
            serial = rng.permutation(len(members)) + 1
            for i, s in zip(members.tolist(), serial.tolist(), strict=True):
                numbers[i] = number(y, s) if number else ""

    return pl.DataFrame(
        {
            "enterprise_id": enterprise_ids.astype(np.int64),
            "program": [program] * m,
            "certificate_no": numbers,
            "year": years.astype(np.int16),
            "issued_on": [issued[y] for y in years.tolist()],
            "expires_on": [expires[y] for y in years.tolist()],
        },
        schema={
            "enterprise_id": pl.Int64, "program": pl.Utf8, "certificate_no": pl.Utf8, "year": pl.Int16,
            "issued_on": pl.Date, "expires_on": pl.Date,
        },
    )


LEVEL_LABEL = {
    "national_tech_centre": "国家企业技术中心",
    "provincial_key_institute": "省重点企业研究院",
    "provincial_tech_centre": "省级企业技术中心",
    "provincial_institute": "省企业研究院",
}


def _institutions(
    cal: dict[str, Any], scale: str, ent: dict[str, Any], fy: pl.DataFrame, rng: np.random.Generator
) -> pl.DataFrame:
    """R&D institutions, counts from §4.1 (ratio ≈ 1 : 3 : 10 : 15), mostly big high-tech firms."""
    n = len(ent["id"])
    agg = fy.group_by("enterprise_id").agg(pl.col("revenue").max(), pl.col("rd_expense").max()).sort("enterprise_id")
    revenue = np.zeros(n)
    rd = np.zeros(n)
    pos = agg["enterprise_id"].to_numpy() - 1
    revenue[pos], rd[pos] = agg["revenue"], agg["rd_expense"]
    counts = cal["scale"][scale]["institutions"]
    power = {"national_tech_centre": 1.2, "provincial_key_institute": 0.9, "provincial_tech_centre": 0.8, "provincial_institute": 0.6}
    parts = []
    for level in LEVEL_LABEL:
        w = (revenue / 1e8) ** power[level] * np.where(ent["high_tech"], 2.5, 1.0) * np.sqrt(rd / np.maximum(revenue, 1) + 0.005)
        w = w * (rd > 0)  # an enterprise R&D institution does R&D
        chosen = _gumbel_top_k(rng, w, int(counts[level]))
        m = len(chosen)
        years = np.where(rng.random(m) < 0.1, 2025, rng.integers(2015, 2025, m))
        status = rng.choice(
            np.array(["recognised", "warned", "downgraded", "revoked"]), m, p=[0.93, 0.04, 0.015, 0.015]
        )
        status = np.where(years == 2025, "recognised", status)
        names = np.char.add(np.array(ent["name"], dtype=object)[chosen].astype(str), LEVEL_LABEL[level])
        parts.append(
            pl.DataFrame(
                {
                    "enterprise_id": ent["id"][chosen],
                    "name": names,
                    "level": [level] * m,
                    "recognised_year": years.astype(np.int16),
                    "status": status,
                },
                schema={"enterprise_id": pl.Int64, "name": pl.Utf8, "level": pl.Utf8, "recognised_year": pl.Int16, "status": pl.Utf8},
            )
        )
    return pl.concat(parts)


# --------------------------------------------------------------------------------------------------
# indicators computed from frames (used by tests, the command's summary and docs/demo-data.md)


def indicators(monthly: pl.DataFrame, high_tech: frozenset[str], enterprises: pl.DataFrame, group: str | None = None) -> pl.DataFrame:
    """Full-year (December YTD) ratios per year (and per ``group``: ``city`` or ``county``).

    high-tech VA share = VA of firms whose class is high-tech / all VA; R&D intensity = R&D / revenue;
    new-product rate = new-product output / output; value added / output; revenue / output.
    """
    ht = enterprises.select(
        enterprise_id="id", high_tech=pl.col("industry_code").is_in(sorted(high_tech))
    )
    dec = monthly.filter(pl.col("month") == 12).join(ht, on="enterprise_id")
    keys = ["year"]
    if group == "city":
        dec = dec.with_columns(city=pl.col("division_code").str.slice(0, 4) + "00")
        keys = ["city", "year"]
    elif group == "county":
        dec = dec.with_columns(county=pl.col("division_code"))
        keys = ["county", "year"]
    return (
        dec.group_by(keys)
        .agg(
            firms=pl.len(),
            high_tech_va_share=pl.col("value_added").filter(pl.col("high_tech")).sum() / pl.col("value_added").sum(),
            rd_intensity=pl.col("rd_expense").sum() / pl.col("revenue").sum(),
            new_product_rate=pl.col("new_product_output").sum() / pl.col("output_value").sum(),
            va_rate=pl.col("value_added").sum() / pl.col("output_value").sum(),
            revenue_to_output=pl.col("revenue").sum() / pl.col("output_value").sum(),
            revenue=pl.col("revenue").sum(),
        )
        .sort(keys)
    )


#: the last month of the demo's progress (December 2025) as a month index year·12 + month − 1
LAST_PROGRESS_MONTH = 2025 * 12 + 11


def _reporting_gaps(progress: pl.DataFrame, candidates: np.ndarray, count: int) -> pl.DataFrame:
    """Drop the last 2–4 months of progress of ``count`` projects under construction (a county that stops
    reporting a project: the "no progress reported for two months" warning finds them). Deterministic, with
    its own generator so the other draws do not move; only projects that are not high-tech are picked and
    only ones that reported for at least six months before the gap, so the calibrated high-tech figures and
    the start dates stay as they are."""
    month = pl.col("year").cast(pl.Int64) * 12 + pl.col("month").cast(pl.Int64) - 1
    reported = (progress.filter(pl.col("project_id").is_in(candidates.tolist()))
                .group_by("project_id").agg(first=month.min(), last=month.max()))
    eligible = reported.filter((pl.col("last") == LAST_PROGRESS_MONTH) & (pl.col("first") <= LAST_PROGRESS_MONTH - 10))
    pool = np.sort(eligible["project_id"].to_numpy())
    if not len(pool):
        return progress
    gap_rng = np.random.default_rng(20251231)
    chosen = gap_rng.choice(pool, min(count, len(pool)), replace=False)
    silent = pl.DataFrame({"project_id": chosen, "silent": gap_rng.integers(2, 5, len(chosen))},
                          schema={"project_id": progress.schema["project_id"], "silent": pl.Int64})
    return (progress.join(silent, on="project_id", how="left")
            .filter(pl.col("silent").is_null() | (month <= LAST_PROGRESS_MONTH - pl.col("silent")))
            .drop("silent"))


def investment_indicators(progress: pl.DataFrame, projects: pl.DataFrame, region: pl.DataFrame) -> pl.DataFrame:
    """Province high-tech investment share of FAI (December YTD, reporting counties) and growth."""
    dec = progress.filter(pl.col("month") == 12).join(
        projects.select(project_id="id", division_code="division_code", is_high_tech="is_high_tech"), on="project_id"
    )
    ht = dec.filter(pl.col("is_high_tech")).group_by(["division_code", "year"]).agg(ht=pl.col("ytd_completed").sum())
    fai = region.filter(pl.col("month") == 12).select("division_code", "year", fai="ytd_fixed_asset_investment")
    both = fai.join(ht, on=["division_code", "year"], how="left").with_columns(pl.col("ht").fill_null(0))
    out = both.group_by("year").agg(pl.col("ht").sum(), pl.col("fai").sum()).sort("year")
    return out.with_columns(
        share=pl.col("ht") / pl.col("fai"),
        ht_growth=pl.col("ht") / pl.col("ht").shift(1) - 1,
        fai_growth=pl.col("fai") / pl.col("fai").shift(1) - 1,
    )
