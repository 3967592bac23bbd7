"""Early warnings (预报预警, seed tasks 15 and 16).

An indicator × region pair is on the warning list when

* **projected miss** — it has a target and its projected year-end value (engine: same month last
  year's YTD-to-full-year ratio) does not meet the target under the indicator's comparator
  (``projected_meets`` is false; pairs with no projection are not guessed at), or
* **rating drop** — its trajectory rating was blue last month and is yellow or red this month.

Both inputs are outputs of ``ratings.rate`` (this month's and last month's); purely columnar joins.
"""

from __future__ import annotations

import polars as pl

KEYS = ["indicator", "region_level", "region"]
COLOUR_ZH = {"blue": "蓝", "yellow": "黄", "red": "红", "grey": "灰"}
WARNING_COLUMNS = [
    "indicator", "region", "region_level", "period", "name_zh", "rating", "previous_rating", "projected_miss",
    "rating_drop", "value", "projected", "target", "message",
]


def early_warnings(current: pl.DataFrame, previous: pl.DataFrame | None = None) -> pl.DataFrame:
    """The warning list for ``current``'s period, most serious (red, then drops) first."""
    prev = (
        previous.select(*KEYS, pl.col("rating").alias("previous_rating"))
        if previous is not None
        else pl.DataFrame(schema={**{k: pl.String for k in KEYS}, "previous_rating": pl.String})
    )
    frame = current.join(prev, on=KEYS, how="left")
    if "target_text" not in frame.columns:
        frame = frame.with_columns(target_text=pl.lit(None, pl.String))
    label = pl.when(pl.col("month") == 1).then(pl.lit("1月")).otherwise(pl.format("1—{}月", pl.col("month")))
    frame = frame.with_columns(period_label=label)
    miss = pl.col("target").is_not_null() & (pl.col("projected_meets") == False)  # noqa: E712  (null stays null)
    drop = (pl.col("previous_rating") == "blue") & pl.col("rating").is_in(["yellow", "red"])
    frame = frame.with_columns(projected_miss=miss.fill_null(False), rating_drop=drop.fill_null(False))
    frame = frame.filter(pl.col("projected_miss") | pl.col("rating_drop"))
    miss_text = pl.format(
        "按去年同期进度推算，全年{}预计为{}{}，达不到年度目标",
        pl.col("short_zh"),
        pl.col("projected_text"),
        pl.col("display_unit"),
    )
    colour = pl.col("rating").replace_strict(COLOUR_ZH, default="", return_dtype=pl.String)
    # a drop alone names the indicator, its value and the region's own target
    drop_alone = pl.format(
        "{}评级由蓝转{}：{}{}{}，目标{}",
        pl.col("short_zh"), colour, pl.col("period_label"), pl.col("value_text"), pl.col("display_unit"),
        pl.col("target_text").fill_null("—"),
    )
    message = (
        pl.when(pl.col("projected_miss") & pl.col("rating_drop"))
        .then(pl.format("{}；评级由蓝转{}", miss_text, colour))
        .when(pl.col("projected_miss"))
        .then(miss_text)
        .otherwise(drop_alone)
    )
    severity = pl.col("rating").replace_strict({"red": 0, "yellow": 1}, default=2, return_dtype=pl.Int64)
    return (
        frame.with_columns(message=message, _sev=severity)
        .sort(["_sev", "rating_drop", "indicator", "region_level", "region"], descending=[False, True, False, False, False])
        .select(WARNING_COLUMNS)
    )
