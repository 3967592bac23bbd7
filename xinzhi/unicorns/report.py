"""The annual unicorn development report (独角兽企业发展报告), built as a ``xinzhi.reports`` Document (DOCX in
the house layout, or PDF). The report's official fields are NOT FOUND (domain file §2.2): its contents
follow issue 18 — counts by city and field, new entrants, exits, financing totals, comparison with last
year — from the confirmed tier history and the financing rounds."""

from __future__ import annotations

import datetime

import polars as pl

from xinzhi.regions.models import Division
from xinzhi.reports import Column, Document, Heading, KeyFigure, KeyFigures, Note, Paragraph, Table

from . import lists, services, tiers
from .models import TierChange

HELD = ("unicorn", "quasi_unicorn", "seed")


def _with_tier(frame: pl.DataFrame, tiers_at: pl.DataFrame, name: str) -> pl.DataFrame:
    return frame.join(tiers_at.rename({"company_id": "id", "to_tier": name}), on="id", how="left").with_columns(
        pl.col(name).fill_null("none"))


def figures(user, year: int) -> dict:
    end, prev_end = datetime.date(year, 12, 31), datetime.date(year - 1, 12, 31)
    names = dict(Division.objects.values_list("code", "name"))
    companies = services.company_frame(user, end)
    companies = _with_tier(_with_tier(companies, services.tier_at(user, end), "now"),
                           services.tier_at(user, prev_end), "before")
    counts = {t: (int((companies["now"] == t).sum()), int((companies["before"] == t).sum())) for t in HELD}
    by_city = (companies.filter(pl.col("now").is_in(HELD)).group_by("city_id")
               .agg(*[(pl.col("now") == t).sum().alias(t) for t in HELD]).sort("unicorn", descending=True))
    by_field = (companies.filter(pl.col("now").is_in(["unicorn", "quasi_unicorn"])).group_by("field")
                .agg(*[(pl.col("now") == t).sum().alias(t) for t in ("unicorn", "quasi_unicorn")])
                .sort(["unicorn", "quasi_unicorn"], descending=True))
    entrants = companies.filter((pl.col("now") == "unicorn") & (pl.col("before") != "unicorn")).sort("name")
    exits = companies.filter((pl.col("before") == "unicorn") & (pl.col("now") != "unicorn")).sort("name")
    reasons = dict(TierChange.objects.restrict(user).filter(effective_on__year=year, from_tier="unicorn")
                   .values_list("company_id", "reason"))
    rounds = services.rounds_frame(user, end).with_columns(year=pl.col("announced_on").dt.year())
    rounds = rounds.join(companies.select(pl.col("id").alias("company_id"), "city_id"), on="company_id", how="left")
    fin = {y: rounds.filter(pl.col("year") == y) for y in (year, year - 1)}
    fin_city = (fin[year].group_by("city_id").agg(pl.len().alias("n"), pl.col("amount_usd").sum().alias("usd"))
                .sort("usd", descending=True))
    value = companies.filter(pl.col("now") == "unicorn")["valuation_usd"].fill_null(0).sum()
    return {
        "year": year, "counts": {tiers.LABEL[t]: c for t, c in counts.items()},
        "unicorns": counts["unicorn"][0], "unicorns_before": counts["unicorn"][1],
        "valuation_usd_yi": round(value / 1e8, 1),
        "by_city": [{**r, "name": names.get(r["city_id"], r["city_id"])} for r in by_city.to_dicts()],
        "by_field": by_field.to_dicts(),
        "entrants": [{"name": r["name"], "city": names.get(r["city_id"], ""), "field": r["field"],
                      "valuation_usd_yi": round((r["valuation_usd"] or 0) / 1e8, 2)} for r in entrants.to_dicts()],
        "exits": [{"name": r["name"], "city": names.get(r["city_id"], ""), "to": tiers.LABEL[r["now"]],
                   "reason": reasons.get(r["id"], "")} for r in exits.to_dicts()],
        "financing": {y: {"rounds": f.height, "usd_yi": round(f["amount_usd"].fill_null(0).sum() / 1e8, 2)}
                      for y, f in fin.items()},
        "financing_by_city": [{"name": names.get(r["city_id"], r["city_id"]), "n": r["n"],
                               "usd_m": round((r["usd"] or 0) / 1e6, 1)} for r in fin_city.to_dicts()],
        "lists": lists.movements(user, year),
    }


def _change(now: float, before: float) -> str:
    if not before:
        return "上年无可比数据"
    return f"比上年{'增加' if now >= before else '减少'}{abs(now - before):g}（{(now - before) / before * 100:+.1f}%）"


def _list_blocks(f: dict) -> list:
    """六、榜单入选: the year's published lists (imported), with entries and exits against last year's list."""
    if not f.get("lists"):
        return []
    rows = [[r["list_name"], r["count"], len(r["entered"]) if r["compared"] else None, len(r["left"]),
             "、".join(r["entered"][:10]) if r["compared"] else "上年无该榜单数据", "、".join(r["left"][:10])]
            for r in f["lists"]]
    return [Heading(1, "六、榜单入选"),
            Table([Column("榜单"), Column("入选", unit="家"), Column("新入选", unit="家"), Column("落榜", unit="家"),
                   Column("新入选企业"), Column("落榜企业")], rows, caption=f"{f['year']}年各榜单入选情况（与上年同一榜单比较）")]


def document(f: dict, user) -> Document:
    year = f["year"]
    region = user.division.name if getattr(user, "division", None) else "全省"
    fy, fp = f["financing"][year], f["financing"][year - 1]
    blocks = [
        Heading(1, "一、总体情况"),
        Paragraph(f"截至{year}年末，{region}独角兽企业{f['unicorns']}家，{_change(f['unicorns'], f['unicorns_before'])}；"
                  f"估值合计{f['valuation_usd_yi']:g}亿美元。"),
        KeyFigures([KeyFigure(label, now, "家", f"上年{before}家") for label, (now, before) in f["counts"].items()]
                   + [KeyFigure("全年融资", fy["usd_yi"], "亿美元", f"{fy['rounds']}笔", decimals=1)],
                   title="核心指标"),
        Heading(1, "二、地区分布"),
        Table([Column("设区市"), Column("独角兽", unit="家"), Column("准独角兽", unit="家"), Column("种子独角兽", unit="家")],
              [[r["name"], r["unicorn"], r["quasi_unicorn"], r["seed"]] for r in f["by_city"]] or [["—", 0, 0, 0]],
              caption="各设区市独角兽企业分布"),
        Heading(1, "三、赛道分布"),
        Table([Column("赛道"), Column("独角兽", unit="家"), Column("准独角兽", unit="家")],
              [[r["field"], r["unicorn"], r["quasi_unicorn"]] for r in f["by_field"]] or [["—", 0, 0]],
              caption="独角兽、准独角兽企业赛道分布"),
        Heading(1, "四、新晋与退出"),
        Table([Column("企业"), Column("设区市"), Column("赛道"), Column("估值", unit="亿美元", decimals=2)],
              [[r["name"], r["city"], r["field"], r["valuation_usd_yi"]] for r in f["entrants"]] or [["—", "", "", None]],
              caption=f"{year}年新晋独角兽企业"),
        Table([Column("企业"), Column("设区市"), Column("现层级"), Column("退出依据")],
              [[r["name"], r["city"], r["to"], r["reason"]] for r in f["exits"]] or [["—", "", "", ""]],
              caption=f"{year}年退出独角兽企业"),
        Heading(1, "五、融资情况"),
        Paragraph(f"{year}年培育库企业共融资{fy['rounds']}笔、{fy['usd_yi']:g}亿美元；"
                  f"上年{fp['rounds']}笔、{fp['usd_yi']:g}亿美元。"),
        Table([Column("设区市"), Column("融资笔数", unit="笔"), Column("融资金额", unit="百万美元", decimals=1)],
              [[r["name"], r["n"], r["usd_m"]] for r in f["financing_by_city"]] or [["—", 0, 0.0]],
              caption=f"{year}年各设区市融资"),
        *_list_blocks(f),
        Note("层级按已确认的层级变动记录统计；人民币金额按融资当年平均汇率折算为美元（长城战略咨询口径）。"
             "浙江省独角兽企业发展报告的正式指标口径未找到，本报告按平台数据编制。"),
    ]
    return Document(title=f"{year}年{region}独角兽企业发展报告", issuer="经济和信息化部门",
                    date=datetime.date(year + 1, 1, 31) if year < datetime.date.today().year else datetime.date.today(),
                    blocks=blocks)
