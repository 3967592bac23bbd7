"""Default allocation of the province's targets to cities, and of a city's to its counties (目标分解).

Pure module (no Django). The method, documented in docs/monitoring.md:

* **Count targets** (new HTEs 5,000 …) are split in proportion to each region's base-year result
  (its share of last year's count), with the largest-remainder method so the parts are whole
  numbers that add up exactly to the whole. A region with no base-year result gets an equal share
  of a small floor (``floor_share``) so nobody is handed a zero target by accident.
* **Level targets** (ratios such as R&D / revenue > 3.15%) keep every region's own position: each
  region's target is its base-year level plus the improvement the province needs
  (province target − province base). A region already far above the province line therefore gets a
  target above its own base, and one below it is asked for the same step up, not to jump to the line.
  **Floor**: a target is never easier than where the region already is — never below
  min(own base-year level, parent's target) for "at least" targets (mirror for "at most"), so when the
  province already beats its target (a negative step) nobody is allowed to fall back. Targets are
  rounded to the indicator's published precision.
* **Relative targets** ("faster than overall", 快于面上) need no allocation: every region's target
  is its own overall growth.
"""

from __future__ import annotations

from collections.abc import Mapping


def allocate_count(total: int, base: Mapping[str, float], floor_share: float = 0.0) -> dict[str, int]:
    """Split ``total`` over the regions of ``base`` proportionally, in whole numbers summing to ``total``."""
    if total < 0:
        raise ValueError("a count target cannot be negative")
    regions = sorted(base)
    if not regions:
        return {}
    weights = {r: max(float(base[r] or 0.0), 0.0) for r in regions}
    if floor_share > 0:
        mean = (sum(weights.values()) / len(regions)) or 1.0
        weights = {r: max(w, floor_share * mean) for r, w in weights.items()}
    weight_sum = sum(weights.values())
    if weight_sum == 0:
        weights = {r: 1.0 for r in regions}
        weight_sum = float(len(regions))
    quotas = {r: total * weights[r] / weight_sum for r in regions}
    parts = {r: int(quotas[r]) for r in regions}
    remainder = total - sum(parts.values())
    # largest remainder first; ties broken by the larger base, then by code, so the result is stable
    order = sorted(regions, key=lambda r: (-(quotas[r] - parts[r]), -weights[r], r))
    for r in order[:remainder]:
        parts[r] += 1
    return parts


def allocate_level(
    target: float,
    parent_base: float | None,
    base: Mapping[str, float | None],
    direction: str = "higher",
    decimals: int | None = None,
) -> dict[str, float]:
    """Each region's level target: its own base plus the step the parent needs (target − parent base),
    never easier than where the region already is.

    Floor (for "at least / above" targets, ``direction = "higher"``): a region's target is never below
    ``min(its own base-year level, the parent's target)`` — a region below the line is not asked to fall
    back when the parent already beats its target, and a region above the line is never given a target
    under the parent's. Mirror for "at most" targets (``direction = "lower"``): never above
    ``max(own base, parent target)``. Regions without a base-year value get the parent's target itself.
    ``decimals`` rounds (四舍五入) each target to the indicator's precision, after the floor.
    """
    step = 0.0 if parent_base is None else target - parent_base
    out: dict[str, float] = {}
    for region, b in base.items():
        if b is None:
            value = target
        elif direction == "lower":
            value = min(b + step, max(b, target))
        else:
            value = max(b + step, min(b, target))
        out[region] = value if decimals is None else round_half_away(value, decimals)
    return out


def round_half_away(value: float, decimals: int) -> float:
    """四舍五入 (half away from zero) on the decimal representation, as the published figures round."""
    from decimal import ROUND_HALF_UP, Decimal

    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))
