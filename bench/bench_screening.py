"""Bulk screening of the register: HTE, tech-SME and advanced-manufacturing list for every enterprise
of the full demo size (~62,000) and 8× that, with the ratio to the same HTE conditions in OpenFisca.

Packages come from the demo generator (``xinzhi.cultivation.generate``) in memory — no database.
OpenFisca (AGPL) is installed only here, with ``pip install --target`` into a temporary directory; it is
never a runtime dependency. If it cannot be installed the script says so and prints our figures.

The OpenFisca model encodes the HTE recognition conditions over the same columns (registration ≥ 1 year,
IP ≥ 1, S&T staff ≥ 10%, the 3-year R&D ratio with the 5/4/3% tiers, domestic R&D ≥ 60%, high-tech
revenue ≥ 60%, no incident) with the innovation score given as an input (the score formula itself is
not re-implemented in OpenFisca). Printed, not asserted.
"""

from __future__ import annotations

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
from xinzhi.cultivation.flat import frame_from_json  # noqa: E402
from xinzhi.cultivation.generate import generate_packages  # noqa: E402
from xinzhi.cultivation.programs import screen_all  # noqa: E402

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
import numpy as np
from openfisca_core.entities import build_entity
from openfisca_core.periods import DateUnit
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

Enterprise = build_entity(key="enterprise", plural="enterprises", label="企业", is_person=True)
YEAR = DateUnit.YEAR
INPUTS = ["years_registered", "ip", "st", "staff", "rd3", "sales3", "sales", "rd_dom", "rd_now", "ht", "rev",
          "incident", "score"]

def _input(name):
    return type(name, (Variable,), {"value_type": float, "entity": Enterprise, "definition_period": YEAR,
                                    "label": name})

class hte_st(Variable):
    value_type = bool; entity = Enterprise; definition_period = YEAR
    def formula(e, period, parameters):
        return e("st", period) * 10 >= e("staff", period)

class hte_rd(Variable):
    value_type = bool; entity = Enterprise; definition_period = YEAR
    def formula(e, period, parameters):
        sales = e("sales", period)
        need = np.select([sales <= 5e9, sales <= 2e10], [0.05, 0.04], 0.03)
        return e("rd3", period) >= need * e("sales3", period)

class hte_eligible(Variable):
    value_type = bool; entity = Enterprise; definition_period = YEAR
    def formula(e, period, parameters):
        return ((e("years_registered", period) >= 1) * (e("ip", period) >= 1) * e("hte_st", period)
                * e("hte_rd", period) * (e("rd_dom", period) >= 0.6 * e("rd_now", period))
                * (e("ht", period) >= 0.6 * e("rev", period)) * (e("incident", period) == 0)
                * (e("score", period) >= 71))

def system():
    tbs = TaxBenefitSystem([Enterprise])
    for name in INPUTS:
        tbs.add_variable(_input(name))
    for v in (hte_st, hte_rd, hte_eligible):
        tbs.add_variable(v)
    return tbs
'''


def openfisca_time(frame: pl.DataFrame, target: Path) -> float:
    sys.path.insert(0, str(target))
    sys.path.insert(0, str(target.parent))
    (target.parent / "xz_of_model.py").write_text(OPENFISCA_MODEL)
    import xz_of_model  # noqa: PLC0415
    from openfisca_core.simulation_builder import SimulationBuilder  # noqa: PLC0415

    n = frame.height
    rd3 = (frame["rd_personnel"] + frame["rd_direct"] + frame["rd_depr"] + frame["rd_amort"] + frame["rd_design"]
           + frame["rd_equip"] + frame["rd_other"]).fill_null(0)
    cols = {
        "years_registered": np.full(n, 10.0), "ip": (frame["class1"] + frame["class2"]).to_numpy().astype(float),
        "st": frame["st_staff"].to_numpy().astype(float), "staff": frame["staff_total"].to_numpy().astype(float),
        "rd3": (rd3 + frame["rd_p1"].fill_null(0) + frame["rd_p2"].fill_null(0)).to_numpy().astype(float),
        "sales3": (frame["sales"] + frame["sales_p1"].fill_null(0) + frame["sales_p2"].fill_null(0)).to_numpy().astype(float),
        "sales": frame["sales"].to_numpy().astype(float), "rd_dom": rd3.to_numpy().astype(float),
        "rd_now": rd3.to_numpy().astype(float), "ht": frame["high_tech_revenue"].to_numpy().astype(float),
        "rev": frame["total_revenue"].to_numpy().astype(float), "incident": np.zeros(n), "score": np.full(n, 75.0),
    }
    tbs = xz_of_model.system()
    started = time.perf_counter()
    sim = SimulationBuilder().build_default_simulation(tbs, n)
    for name, values in cols.items():
        sim.set_input(name, "2025", values)
    sim.calculate("hte_eligible", "2025")
    return time.perf_counter() - started


def main() -> None:
    started = time.perf_counter()
    generated = generate_packages(firms(FULL), 2025)
    t_gen = time.perf_counter() - started
    started = time.perf_counter()
    flat = frame_from_json(generated["data"])
    t_flat = time.perf_counter() - started
    print(f"packages generated: {FULL:,} in {t_gen:.2f}s; JSON → flat columns {t_flat:.2f}s")
    results = {}
    for mult in (1, 8):
        frame = pl.concat([flat] * mult) if mult > 1 else flat
        screen_all(frame.head(100), 2025)  # warm-up (parameter load, plan)
        started = time.perf_counter()
        out = screen_all(frame, 2025)
        results[mult] = time.perf_counter() - started
        print(f"screen_all (HTE + tech-SME + advanced-manufacturing) {frame.height:>9,} enterprises: "
              f"{results[mult]:.2f}s ({frame.height / results[mult]:,.0f}/s); HTE eligible {int(out['hte_eligible'].fill_null(False).sum()):,}")
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "site"
        proc = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--target", str(target),
                               "openfisca-core"], capture_output=True, text=True)
        if proc.returncode != 0:
            print("OpenFisca could NOT be installed (pip --target failed); our figures only:")
            print(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "(no message)")
            return
        for mult in (1, 8):
            frame = pl.concat([flat] * mult) if mult > 1 else flat
            try:
                t_of = openfisca_time(frame, target)
            except Exception as exc:  # noqa: BLE001 — report and go on
                print(f"OpenFisca run failed: {type(exc).__name__}: {exc}")
                return
            print(f"OpenFisca HTE conditions {frame.height:>9,}: {t_of:.2f}s; ours (all three programmes) "
                  f"{results[mult]:.2f}s; ratio OpenFisca / ours = {t_of / results[mult]:.2f}×")


if __name__ == "__main__":
    main()
