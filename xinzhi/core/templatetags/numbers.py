"""``{% load numbers %}``: numbers as a reader expects them, from the one definition in ``xinzhi.core.numbers``.

* ``{{ value|figure }}``: a stored number without the trailing zeros of a fixed-point value (181.0000 → 181,
  5.2500 → 5.25), thousands grouped (12,345.6);
* ``{{ yuan|yuan }}``: whole yuan as it reads, 万元 from 1万 up (5,671,111 → 567.11万元), 元 below;
* ``{{ yuan|wan }}``: whole yuan as a number of 万元 for a column headed （万元） (12,345,678 → 1,234.6).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from xinzhi.core.numbers import wan_figure, yuan_text

register = template.Library()


@register.filter
def figure(value: Any) -> str:
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    text = f"{number.normalize():,f}"
    return "0" if text in ("-0", "") else text


@register.filter
def yuan(amount: Any) -> str:
    return "" if amount is None or amount == "" else yuan_text(amount)


@register.filter
def wan(amount: Any) -> str:
    return wan_figure(None if amount == "" else amount)
