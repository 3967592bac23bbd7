"""``{% load numbers %}``: ``{{ value|figure }}`` prints a stored number as a reader expects it —
no trailing zeros of a fixed-point value (181.0000 → 181, 5.2500 → 5.25) and thousands grouped (12,345.6)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

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
