"""Unicorn cultivation: reads as frames (scoped), and the writes (audited, scope checked on the stored
record, capability from the one table)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import polars as pl
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from xinzhi.accounts.permissions import require
from xinzhi.core.bulk import read_frame
from xinzhi.core.scope import region_prefix

from . import tiers
from .models import Company, FinancingRound, Tier, TierChange


class UnicornError(ValueError):
    """A refusal with a Chinese message naming the field and the reason."""


# --------------------------------------------------------------------------- frames

def _frame(qs, fields: list[str]) -> pl.DataFrame:
    sql, params = qs.values_list(*fields).query.sql_with_params()
    frame = read_frame(sql, params)
    if frame.height == 0:
        return pl.DataFrame({f: [] for f in fields})
    return frame.rename(dict(zip(frame.columns, fields, strict=True)))


def _dates(frame: pl.DataFrame, columns) -> pl.DataFrame:
    return frame.with_columns([
        pl.col(c).cast(pl.String).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False) if frame.schema[c] != pl.Date
        else pl.col(c) for c in columns])


def rounds_frame(user, as_of: datetime.date) -> pl.DataFrame:
    """Rounds up to ``as_of`` with amounts and valuations in USD and CNY (the round's year-average rate)."""
    f = _frame(FinancingRound.objects.restrict(user).filter(announced_on__lte=as_of),
               ["company_id", "announced_on", "currency", "amount", "post_valuation", "usd_rate"])
    f = _dates(f, ["announced_on"]).with_columns(
        pl.col("company_id").cast(pl.Int64), pl.col("currency").cast(pl.String),
        pl.col("amount").cast(pl.Float64), pl.col("post_valuation").cast(pl.Float64),
        pl.col("usd_rate").cast(pl.Float64))
    usd = pl.col("currency") == "USD"
    return f.with_columns(
        amount_usd=pl.when(usd).then(pl.col("amount")).otherwise(pl.col("amount") / pl.col("usd_rate")).round(0)
        .cast(pl.Int64),
        amount_cny=pl.when(usd).then(pl.col("amount") * pl.col("usd_rate")).otherwise(pl.col("amount")).round(0)
        .cast(pl.Int64),
        valuation_usd=pl.when(usd).then(pl.col("post_valuation")).otherwise(pl.col("post_valuation") / pl.col("usd_rate"))
        .round(0).cast(pl.Int64),
        valuation_cny=pl.when(usd).then(pl.col("post_valuation") * pl.col("usd_rate")).otherwise(pl.col("post_valuation"))
        .round(0).cast(pl.Int64),
    )


def company_frame(user, as_of: datetime.date) -> pl.DataFrame:
    """One row per company in the user's scope with the inputs of ``tiers.assess`` and ``tiers.alerts``."""
    base = _frame(Company.objects.restrict(user), ["id", "name", "division_id", "field", "founded_on", "listed_on",
                                                    "exited_on", "tier", "on_watch"])
    base = _dates(base, ["founded_on", "listed_on", "exited_on"]).with_columns(
        pl.col("id").cast(pl.Int64), pl.col("division_id").cast(pl.String), pl.col("tier").cast(pl.String),
        pl.col("name").cast(pl.String), pl.col("field").cast(pl.String), pl.col("on_watch").cast(pl.Boolean))
    rounds = rounds_frame(user, as_of)
    valued = rounds.filter(pl.col("valuation_usd").is_not_null()).sort(["company_id", "announced_on"])
    latest = valued.group_by("company_id").agg(pl.col("valuation_usd").last(), pl.col("valuation_cny").last())
    totals = rounds.group_by("company_id").agg(financing_usd=pl.col("amount_usd").sum(),
                                               financing_cny=pl.col("amount_cny").sum(),
                                               last_round=pl.col("announced_on").max())
    return (base.join(latest.rename({"company_id": "id"}), on="id", how="left")
            .join(totals.rename({"company_id": "id"}), on="id", how="left")
            .with_columns(city_id=pl.col("division_id").str.slice(0, 4) + "00")
            .rename({"tier": "confirmed_tier"}))


def tier_at(user, day: datetime.date) -> pl.DataFrame:
    """Each company's confirmed tier at ``day`` (the last change effective on or before it)."""
    f = _dates(_frame(TierChange.objects.restrict(user).filter(effective_on__lte=day),
                      ["company_id", "effective_on", "id", "to_tier"]), ["effective_on"])
    return (f.with_columns(pl.col("company_id").cast(pl.Int64), pl.col("to_tier").cast(pl.String))
            .sort(["company_id", "effective_on", "id"]).group_by("company_id").agg(pl.col("to_tier").last()))


# --------------------------------------------------------------------------- writes

def changeable(user, pk: int) -> Company:
    company = Company.objects.restrict(user, "change").select_for_update().filter(pk=pk).first()
    if company is None:
        raise Http404("未找到该企业，或不在您的管理范围内")
    return company


def save_company(user, company: Company) -> Company:
    require(user, "unicorns.edit")
    if not user.is_superuser and user.role != "province_staff" and not str(company.division_id).startswith(
            region_prefix(user.division_id)):
        raise PermissionDenied("只能登记本地区的企业")
    with transaction.atomic():
        if company.pk:
            changeable(user, company.pk)
        if company.founded_on and company.founded_on > timezone.localdate():
            raise UnicornError("成立日期：不能晚于今天")
        company.save()
    return company


@transaction.atomic
def add_round(user, pk: int, announced_on: datetime.date, round_name: str, currency: str, amount: int,
              post_valuation: int | None, usd_rate: Decimal, investors: str = "") -> FinancingRound:
    require(user, "unicorns.edit")
    company = changeable(user, pk)
    if currency not in ("CNY", "USD"):
        raise UnicornError("币种：须为人民币或美元")
    if amount <= 0:
        raise UnicornError("融资金额：须大于0")
    if post_valuation is not None and post_valuation < amount:
        raise UnicornError("投后估值：不能低于本轮融资金额")
    if not Decimal("1") <= usd_rate <= Decimal("20"):
        raise UnicornError("美元汇率：须在1—20之间（1美元兑人民币）")
    if announced_on < company.founded_on:
        raise UnicornError("融资日期：不能早于成立日期")
    return FinancingRound.objects.create(company=company, announced_on=announced_on, round_name=round_name.strip(),
                                         currency=currency, amount=amount, post_valuation=post_valuation,
                                         usd_rate=usd_rate, investors=investors.strip())


@transaction.atomic
def confirm_tier(user, pk: int, to_tier: str, effective_on: datetime.date, reason: str) -> TierChange:
    """The province confirms an entry, promotion or exit (discovery proposes; staff decide)."""
    require(user, "unicorns.tier.set")
    company = changeable(user, pk)
    if to_tier not in Tier.values:
        raise UnicornError("层级：无效")
    if to_tier == company.tier:
        raise UnicornError("层级：与当前层级相同")
    if not reason.strip():
        raise UnicornError("依据：不能为空")
    change = TierChange.objects.create(company=company, from_tier=company.tier, to_tier=to_tier,
                                       effective_on=effective_on, reason=reason.strip(), confirmed_by=user,
                                       confirmed_at=timezone.now())
    company.tier = to_tier
    company.save()
    return change


@transaction.atomic
def set_watch(user, pk: int, on: bool) -> Company:
    require(user, "unicorns.edit")
    company = changeable(user, pk)
    company.on_watch = on
    company.save()
    return company


def assessed(user, as_of: datetime.date) -> pl.DataFrame:
    """Every company in scope with its computed tier, gaps (``tiers.assess``) and alerts (``tiers.alerts``,
    on the confirmed tier); ``change`` marks a computed tier that differs from the confirmed one."""
    criteria = tiers.load_criteria(as_of)
    frame = company_frame(user, as_of)
    out = tiers.assess(frame, as_of, criteria)
    rounds = rounds_frame(user, as_of).select("company_id", "announced_on", "valuation_usd")
    warned = tiers.alerts(frame.select("id", "founded_on", "listed_on", "exited_on", tier="confirmed_tier"),
                          rounds, as_of, criteria).select("id", "alerts", "down_round")
    return out.join(warned, on="id", how="left").with_columns(change=pl.col("tier") != pl.col("confirmed_tier"))
